//! The HTTP/2 server connection as a sans-IO state machine: no C types, no sockets, no clocks.
//! Pure safe Rust; the C glue (`http2::conn`, which owns the `h2o_socket_t` and the `h2o_req_t`s)
//! feeds it bytes and responses and takes events and bytes to write.
//!
//! ```text
//!   glue: socket input ──► Connection::recv ──► Connection::poll_event ──► Event::Request ─► h2o_req_t
//!   glue: h2o_send     ──► Connection::send_response / send_data ──► per-stream queues
//!   glue: writable     ──► Connection::write(out, max) ◄── scheduler picks streams, 16 KB chunks,
//!                                                          within the peer's windows
//! ```
//!
//! What it does (RFC 9113; 2.2.5's defaults): the preface (a connection that starts like it but
//! is not gets GOAWAY PROTOCOL_ERROR), SETTINGS both ways with ACKs, HPACK decoding of request
//! heads with the RFC 9113 8.2/8.3 rules checked (empty `:path`, connection-specific fields,
//! upper-case names, TE other than trailers, pseudo-headers after regular ones or duplicated or
//! unknown, a Content-Length that DATA does not match -> stream PROTOCOL_ERROR), request bodies
//! gathered whole as 2.2.5 does (a body over `max_request_body` gets 413 from the glue:
//! [`Event::Request::too_large`]), trailers accepted and dropped, flow control both ways,
//! RST_STREAM, PING, GOAWAY, graceful shutdown, priorities (RFC 7540 tree through
//! [`crate::http2::scheduler`], RFC 9218 `priority` / PRIORITY_UPDATE for clients without
//! RFC 7540 priorities, server reprioritization of "highest" responses), and the defences listed
//! on [`Limits`].
//!
//! Owner: the engine work of issue 8. The signatures below are the contract the glue codes
//! against; additions are fine, changes must be coordinated.
#![forbid(unsafe_code)]

use crate::http2::frame::ErrorCode;

/// Local settings and limits. Defaults are 2.2.5's (H2O_HTTP2_SETTINGS_HOST and globalconf.http2).
#[derive(Debug, Clone)]
pub struct Config {
    /// SETTINGS_MAX_CONCURRENT_STREAMS we announce and enforce (globalconf.http2.
    /// max_concurrent_requests_per_connection: 100, at most 256).
    pub max_concurrent_streams: u32,
    /// SETTINGS_INITIAL_WINDOW_SIZE we announce for request bodies (large, for uploads), and the
    /// connection window we open with WINDOW_UPDATE right after the preface.
    pub initial_window_size: u32,
    pub connection_window_size: u32,
    /// SETTINGS_HEADER_TABLE_SIZE (our decoder's table) and SETTINGS_MAX_HEADER_LIST_SIZE.
    pub header_table_size: u32,
    pub max_header_list_size: u32,
    /// globalconf.max_request_entity_size: a body beyond it is not gathered (see `too_large`).
    pub max_request_body: usize,
    /// hostconf.http2.reprioritize_blocking_assets (default on).
    pub reprioritize_blocking_assets: bool,
    /// globalconf.http2.max_streams_for_priority: closed / priority-only nodes kept for
    /// reprioritization (16).
    pub max_streams_for_priority: usize,
    pub limits: Limits,
}

/// Defences (each breach ends in GOAWAY, with the code given, once the already-opened streams
/// are answered where the RFC allows).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Rapid reset (CVE-2023-44487): client resets of streams whose response is not complete,
    /// per `window` requests: more -> GOAWAY ENHANCE_YOUR_CALM.
    pub max_resets_per_window: u32,
    /// CONTINUATION flood: bytes of one header block (HEADERS + CONTINUATION) and the number of
    /// CONTINUATION frames of one block.
    pub max_header_block: usize,
    pub max_continuations: u32,
    /// SETTINGS / PING / PRIORITY / empty DATA / WINDOW_UPDATE-on-closed floods: control frames
    /// needing no response work, per second-ish budget (the glue calls `tick`).
    pub max_control_frames_per_tick: u32,
    /// Queued but unwritten output (ACKs, RSTs) beyond which the peer is not reading -> GOAWAY.
    pub max_pending_control_bytes: usize,
    /// Per-stream bytes the engine buffers from `send_data` before it stops asking for more
    /// (zero-window hold stays bounded: with the peer's window at 0 nothing more is taken).
    pub max_buffered_per_stream: usize,
}

impl Default for Config {
    fn default() -> Self {
        todo!()
    }
}

/// A request head as decoded (fields in order, names lower case as HTTP/2 requires).
#[derive(Debug, Clone, Default)]
pub struct RequestHead {
    pub method: Vec<u8>,
    pub scheme: Vec<u8>,
    pub authority: Vec<u8>,
    pub path: Vec<u8>,
    /// Regular fields in order (no pseudo-headers); `cookie` crumbs are joined with "; " later
    /// by the glue as 2.2.5 does.
    pub fields: Vec<(Vec<u8>, Vec<u8>)>,
    /// `content-length` if given.
    pub content_length: Option<u64>,
}

/// What happened on the connection, for the glue.
#[derive(Debug)]
pub enum Event {
    /// A complete request (head and whole body) on `stream_id`: hand it to the handlers.
    /// `too_large`: the body exceeded `max_request_body`; answer 413 (the rest is discarded).
    Request { stream_id: u32, head: RequestHead, body: Vec<u8>, too_large: bool },
    /// The stream's request was delivered and the stream is now gone (client RST_STREAM,
    /// a stream error, or the connection closing): stop its generator, dispose its request.
    StreamClosed { stream_id: u32 },
    /// The stream's send queue has room again (and its windows allow sending): call the
    /// generator's proceed.
    WantData { stream_id: u32 },
}

/// One HTTP/2 server connection.
pub struct Connection {
    // implementation-defined
}

impl Connection {
    /// A connection that expects the client preface first (prior knowledge, or TLS with ALPN h2).
    /// Our SETTINGS (+ the connection WINDOW_UPDATE) are queued for the first `write`.
    pub fn new(config: Config) -> Self {
        let _ = config;
        todo!()
    }

    /// After `Upgrade: h2c` (RFC 7540 3.2): `http2_settings` is the decoded HTTP2-Settings value
    /// (the SETTINGS payload), the request that carried the upgrade becomes stream 1, half-closed
    /// (remote); the glue answers it there. The client preface is still expected first in input.
    /// `Err` when the settings payload is invalid (the glue answers the request over HTTP/1.1).
    pub fn new_upgraded(config: Config, http2_settings: &[u8]) -> Result<Self, ErrorCode> {
        let _ = (config, http2_settings);
        todo!()
    }

    /// Feeds received bytes; returns how many were consumed (the rest is an incomplete frame the
    /// caller keeps and feeds again with more). Protocol errors are handled inside (RST_STREAM or
    /// GOAWAY queued for writing, then [`Connection::is_closed`]).
    pub fn recv(&mut self, input: &[u8]) -> usize {
        let _ = input;
        todo!()
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        todo!()
    }

    /// Starts the response on `stream_id`: `:status` and `headers` (lower-case names, in order;
    /// no connection-specific fields), END_STREAM when `end_stream`. `highest`: the response's
    /// MIME type has priority "highest" (CSS/JS): with reprioritize_blocking_assets the stream is
    /// moved ahead for clients without RFC 7540 priorities. Ignored for a stream that is gone.
    pub fn send_response(&mut self, stream_id: u32, status: u16, headers: &[(&[u8], &[u8])], end_stream: bool, highest: bool) {
        let _ = (stream_id, status, headers, end_stream, highest);
        todo!()
    }

    /// Queues body bytes (copied) for `stream_id`, END_STREAM after them when `end_stream`.
    /// Returns whether the stream still takes more without waiting (else a later
    /// [`Event::WantData`] says when). Ignored for a stream that is gone.
    pub fn send_data(&mut self, stream_id: u32, bufs: &[&[u8]], end_stream: bool) -> bool {
        let _ = (stream_id, bufs, end_stream);
        todo!()
    }

    /// Resets a stream from our side (e.g. the generator failed).
    pub fn reset_stream(&mut self, stream_id: u32, code: ErrorCode) {
        let _ = (stream_id, code);
        todo!()
    }

    /// Whether there is anything to write now (control frames, or data a window allows).
    pub fn wants_write(&self) -> bool {
        todo!()
    }

    /// Appends at most about `max` bytes to `out` (control frames first, then DATA chosen by the
    /// scheduler in chunks of at most 16 KB and within the windows; one frame may overshoot `max`
    /// by less than a chunk). The glue passes the socket layer's suggested write size here.
    pub fn write(&mut self, out: &mut Vec<u8>, max: usize) {
        let _ = (out, max);
        todo!()
    }

    /// Graceful shutdown (2.2.5): GOAWAY with 2^31-1 and a PING, then (after the PING's ACK or
    /// at once if `immediate`) a GOAWAY with the last stream id processed; in-flight streams
    /// finish; no new ones are accepted.
    pub fn shutdown(&mut self, immediate: bool) {
        let _ = immediate;
        todo!()
    }

    /// Called about once per second by the glue: resets the flood budgets.
    pub fn tick(&mut self) {
        todo!()
    }

    /// No open streams (the idle timeout applies).
    pub fn is_idle(&self) -> bool {
        todo!()
    }

    /// The connection is finished (GOAWAY sent and nothing left, or a fatal error): once the
    /// output written so far is flushed, close the socket.
    pub fn is_closed(&self) -> bool {
        todo!()
    }

    /// The number of open streams and the highest client stream id seen.
    pub fn stream_counts(&self) -> (usize, u32) {
        todo!()
    }

    /// `/.well-known/h2/state` (H2O's JSON: version, settings, peerSettings, connFlowIn/Out,
    /// streams with state, flow windows, priority; with `hpack`, the two tables).
    pub fn debug_state_json(&self, hpack: bool) -> String {
        let _ = hpack;
        todo!()
    }
}
