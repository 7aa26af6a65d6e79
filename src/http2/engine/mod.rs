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
//! # How the glue drives it
//!
//! 1. [`Connection::new`] (prior knowledge / ALPN h2) or [`Connection::new_upgraded`] (after
//!    `101 Switching Protocols` has been written for `Upgrade: h2c`). Our SETTINGS and the
//!    connection WINDOW_UPDATE are queued at once: call [`Connection::write`] right away.
//! 2. On input: `let n = conn.recv(&buf); buf.consume(n)` (the rest is an incomplete frame; feed it
//!    again with more bytes), then drain [`Connection::poll_event`] until `None`.
//!    - [`Event::Request`]: build an `h2o_req_t` (join `cookie` crumbs with "; "), hand the head
//!      back with [`Connection::recycle_head`] (its buffers serve the next request), process it.
//!    - [`Event::StreamClosed`]: the client (or a stream error) ended a stream whose request you
//!      own: stop its generator and dispose the request; later calls for that id are ignored.
//!    - [`Event::WantData`]: call the generator's proceed for that stream.
//! 3. Responses: [`Connection::send_response`] once per stream, then [`Connection::send_data`]
//!    (`end_stream` on the last). `send_data` returning `true` means "give me more now" (call
//!    proceed soon); `false` means wait for [`Event::WantData`]. A stream whose response is
//!    complete needs nothing more from the glue: the engine closes it when END_STREAM is written.
//!    [`Connection::reset_stream`] aborts one (no event follows for it).
//! 4. Output: while [`Connection::wants_write`] and the socket takes more, call
//!    `conn.write(&mut out, suggested_write_size)` and write `out`, or (no second copy of the
//!    bodies) [`Connection::write_gather`] into an [`Output`], write its slices as iovecs, and
//!    [`Connection::recycle_output`] it once the write has completed. New events (WantData) may
//!    appear after `write`: drain `poll_event` after it too.
//! 5. Once a second: [`Connection::tick`] (flood budgets). Idle timeout when
//!    [`Connection::is_idle`]. [`Connection::shutdown`] for a graceful stop (call it again with
//!    `immediate = true` from the glue's timer as 2.2.5 re-sends its GOAWAY after a second).
//! 6. When [`Connection::is_closed`] is true after a `write`: flush what was written, close the
//!    socket. Any stream still owned then has had its [`Event::StreamClosed`].
//! 7. Extras: [`Connection::priority_info`] for the `http2.priority.*` log directives (ask it
//!    when the response is done: a closed stream's node is kept for a while),
//!    [`Connection::debug_state_json`] for `/.well-known/h2/state` (with
//!    [`Connection::set_time`] for its `created` fields), [`Connection::stream_counts`].
//!
//! Every method is cheap to call at any time and never panics on any input; calls naming a
//! stream that is gone (or never was) are ignored.
//!
//! # What it does (RFC 9113; 2.2.5's defaults)
//!
//! - Preface: bytes that differ from `PRI * HTTP/2.0...` (checked as they arrive) -> GOAWAY
//!   PROTOCOL_ERROR and closed. The first frame after it must be SETTINGS (else PROTOCOL_ERROR).
//! - Our SETTINGS: MAX_CONCURRENT_STREAMS and INITIAL_WINDOW_SIZE always (2.2.5 sends exactly
//!   these two: 100 and 16777216), HEADER_TABLE_SIZE only when not 4096; then a connection
//!   WINDOW_UPDATE up to `connection_window_size`.
//! - Peer SETTINGS: ACKed; INITIAL_WINDOW_SIZE adjusts every open stream's send window (may go
//!   negative; beyond 2^31-1 -> FLOW_CONTROL_ERROR); HEADER_TABLE_SIZE goes to the HPACK encoder;
//!   MAX_FRAME_SIZE bounds our HEADERS/CONTINUATION frames (DATA stays in chunks of 16384 for the
//!   scheduler); ENABLE_PUSH, MAX_CONCURRENT_STREAMS, NO_RFC7540_PRIORITIES are remembered.
//! - Streams (RFC 9113 5.1): client ids odd and increasing (even, or not above the highest seen
//!   for a new stream -> connection PROTOCOL_ERROR; a recently closed one -> STREAM_CLOSED);
//!   frames on idle streams other than HEADERS / PRIORITY -> PROTOCOL_ERROR; HEADERS on a
//!   half-closed (remote) stream -> stream STREAM_CLOSED; DATA on a half-closed (remote) or closed
//!   stream -> stream STREAM_CLOSED (ignored when we reset it ourselves); CONTINUATION sequencing
//!   (any other frame in between -> connection PROTOCOL_ERROR); trailers (HEADERS with
//!   END_STREAM after the body) checked and dropped (without END_STREAM -> stream PROTOCOL_ERROR).
//! - Request validation (RFC 9113 8.2, 8.3), each a stream PROTOCOL_ERROR (RST_STREAM): names not
//!   lower case or with characters outside 0x21-0x7e or a colon; values with NUL / CR / LF or
//!   leading / trailing SP / HTAB; connection-specific fields (connection, keep-alive,
//!   proxy-connection, transfer-encoding, upgrade); TE other than `trailers`; pseudo-headers
//!   other than :method :scheme :authority :path (response ones included), after a regular field,
//!   or twice; a missing :method / :scheme / :path or an empty :path (CONNECT: :method and
//!   :authority only); an invalid or conflicting Content-Length, or one DATA does not match.
//!   Cookie crumbs stay separate fields (the glue joins them).
//! - A header list over `max_header_list_size` (HPACK bomb) gets a `431` answered by the engine
//!   itself (no event); an HPACK decoding failure is a connection COMPRESSION_ERROR.
//! - Bodies: gathered whole (as 2.2.5), delivered with [`Event::Request`] on END_STREAM; one over
//!   `max_request_body` (or announced so by Content-Length) is delivered at once with
//!   `too_large` and an empty body: answer 413; the rest of the upload is dropped with flow
//!   control credits still returned, and once the response is complete the stream is reset with
//!   NO_ERROR (RFC 9113 8.1) so that the client stops sending.
//! - Flow control, receive side: DATA (padding included) counts against the connection and the
//!   stream window (exceeding either -> FLOW_CONTROL_ERROR, connection or stream); a WINDOW_UPDATE
//!   restores a window to its full size once less than half of it is left. Send side: never
//!   beyond the peer's windows; a WINDOW_UPDATE overflowing 2^31-1 -> FLOW_CONTROL_ERROR (stream
//!   or connection); a stream blocked on its window leaves the scheduler until a WINDOW_UPDATE.
//! - Output ([`Connection::write`]): control frames first (ACKs, RST_STREAM, GOAWAY,
//!   WINDOW_UPDATE), then response HEADERS in the order of `send_response` (HPACK-encoded when
//!   written, so that the encoder's order is the wire order; split into CONTINUATION at the
//!   peer's MAX_FRAME_SIZE), then DATA: each scheduler pick sends one frame of
//!   min(16384, windows, queued) bytes, END_STREAM on the last one (or on HEADERS without body).
//! - Priorities: RFC 7540 (HEADERS priority, PRIORITY frames; a dependency on an unknown stream
//!   -> the root with weight 16; PRIORITY on an idle stream creates a placeholder node, at most
//!   `max_streams_for_priority` of them, more -> ENHANCE_YOUR_CALM as 2.2.5; closed streams keep
//!   their node for later references, the most recent `max_streams_for_priority` ones). For a
//!   client that has sent no RFC 7540 priority at all: RFC 9218 (`priority` field, PRIORITY_UPDATE
//!   also before the stream opens, at most `max_concurrent_streams` buffered; default u=3, i=0).
//! - `highest` responses with `reprioritize_blocking_assets`: an RFC 9218 stream at the default
//!   urgency moves to urgency 0 (non-incremental); an RFC 7540 stream moves to weight 257 under
//!   the root (ahead of all its siblings) under 2.2.5's condition: no placeholder nodes from
//!   PRIORITY frames exist and the stream depends on the root. Later PRIORITY frames for a
//!   weight-257 stream are ignored (as 2.2.5).
//! - A client RST_STREAM closes the stream ([`Event::StreamClosed`] if delivered); a stream
//!   error of ours sends RST_STREAM and does the same; frames still in flight on a stream we
//!   reset are ignored (the connection window still counts them).
//! - GOAWAY from the client: no new streams are accepted (REFUSED_STREAM); ours finish, then
//!   `is_closed`.
//!   [`Connection::shutdown`]: 2.2.5's two phases. After our final GOAWAY, HEADERS for streams
//!   above its last id are decoded (HPACK state) and ignored.
//! - Defences: see [`Limits`].
//!
//! - Push ([`Connection::reserve_push`], [`Connection::send_push_promise`],
//!   [`Connection::cancel_push`]): even ids from 2; only on a client stream whose END_STREAM is not
//!   queued yet, while the client allows push (SETTINGS_ENABLE_PUSH) and the pushed streams stay
//!   below its SETTINGS_MAX_CONCURRENT_STREAMS, and before any GOAWAY. The PUSH_PROMISE goes out
//!   in the order of the response heads (before the pushed response's HEADERS). A pushed stream
//!   starts under its parent with weight 16 (RFC 9218 clients: urgency 4, after the page); a
//!   `highest` pushed response moves ahead of everything (weight 257 under the root, or urgency 0).
//! - Informational responses ([`Connection::send_informational`]): 1xx HEADERS without
//!   END_STREAM before the final response.
//!
//! Owner: the engine work of issue 8.
#![forbid(unsafe_code)]

mod debug;
mod field_cache;
mod push;
mod recv;
mod request;
mod send;
mod stream;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;

use crate::hpack;
use crate::http2::frame::{self, setting, DEFAULT_INITIAL_WINDOW_SIZE, DEFAULT_MAX_FRAME_SIZE};
use crate::http2::scheduler::{NodeId, Tree};
pub use crate::http2::frame::ErrorCode;
use stream::{IdMap, Stream};

/// H2O_MAX_REQLEN of 2.2.5 (8192 + 4096 * 100): its limit on a request head.
const MAX_REQLEN: usize = 8192 + 4096 * 100;

/// Local settings and limits. Defaults are 2.2.5's (H2O_HTTP2_SETTINGS_HOST and globalconf.http2).
#[derive(Debug, Clone)]
pub struct Config {
    /// SETTINGS_MAX_CONCURRENT_STREAMS we announce and enforce (globalconf.http2.
    /// max_concurrent_requests_per_connection: 100, at most 256). A HEADERS opening a stream
    /// beyond it gets RST_STREAM REFUSED_STREAM.
    pub max_concurrent_streams: u32,
    /// SETTINGS_INITIAL_WINDOW_SIZE we announce for request bodies (16777216 as 2.2.5), and the
    /// connection window we open with WINDOW_UPDATE right after the preface (16777216).
    pub initial_window_size: u32,
    pub connection_window_size: u32,
    /// SETTINGS_HEADER_TABLE_SIZE (our decoder's table, 4096) and the decoded header list we
    /// accept (name + value + 32 per field; 417792 = 2.2.5's H2O_MAX_REQLEN; beyond: 431).
    pub header_table_size: u32,
    pub max_header_list_size: u32,
    /// globalconf.max_request_entity_size (1 GiB): a body beyond it is not gathered (see `too_large`).
    pub max_request_body: usize,
    /// hostconf.http2.reprioritize_blocking_assets (default on).
    pub reprioritize_blocking_assets: bool,
    /// globalconf.http2.max_streams_for_priority (16): placeholder nodes from PRIORITY frames on
    /// idle streams (more -> ENHANCE_YOUR_CALM), and closed streams' nodes kept for
    /// reprioritization (the oldest is dropped).
    pub max_streams_for_priority: usize,
    pub limits: Limits,
}

/// Defences (each breach ends in GOAWAY with the code given; the connection is then closed and
/// the streams in progress get [`Event::StreamClosed`]).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Rapid reset (CVE-2023-44487) and refused-stream abuse: a budget that starts at this value
    /// (default 100); each client RST_STREAM of a stream whose response is not complete, and each
    /// stream refused for exceeding SETTINGS_MAX_CONCURRENT_STREAMS, costs one; each response
    /// completed gives one back (up to this value). Below zero -> GOAWAY ENHANCE_YOUR_CALM.
    pub max_resets_per_window: u32,
    /// CONTINUATION flood (CVE-2024-27316 class): bytes of one header block (HEADERS +
    /// CONTINUATION; default 417792 = H2O_MAX_REQLEN) and the number of CONTINUATION frames of
    /// one block (default 32). Beyond either -> GOAWAY ENHANCE_YOUR_CALM.
    pub max_header_block: usize,
    pub max_continuations: u32,
    /// Frames that need little or no work but may be sent in floods (CVE-2019-9512/9515/9518):
    /// SETTINGS, PING, PRIORITY, PRIORITY_UPDATE, DATA with no payload and no END_STREAM,
    /// WINDOW_UPDATE and RST_STREAM on closed streams, DATA / HEADERS answered with
    /// STREAM_CLOSED, unknown frame types. At most this many per tick (default 1000; the glue
    /// calls [`Connection::tick`] about once a second); more -> GOAWAY ENHANCE_YOUR_CALM.
    pub max_control_frames_per_tick: u32,
    /// Control output (ACKs, RST_STREAM, WINDOW_UPDATE) queued but not taken by `write`: beyond
    /// this (default 65536) the peer is not reading -> GOAWAY ENHANCE_YOUR_CALM and closed.
    pub max_pending_control_bytes: usize,
    /// Per-stream bytes the engine buffers from `send_data` before it stops asking for more
    /// (default 65536; zero-window hold stays bounded: with the peer's window at 0 nothing more is
    /// asked for, so a stream holds at most this plus one `send_data` call).
    pub max_buffered_per_stream: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_resets_per_window: 100,
            max_header_block: MAX_REQLEN,
            max_continuations: 32,
            max_control_frames_per_tick: 1000,
            max_pending_control_bytes: 65536,
            max_buffered_per_stream: 65536,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_concurrent_streams: 100,
            initial_window_size: 16_777_216,
            connection_window_size: 16_777_216,
            header_table_size: 4096,
            max_header_list_size: MAX_REQLEN as u32,
            max_request_body: 1024 * 1024 * 1024,
            reprioritize_blocking_assets: true,
            max_streams_for_priority: 16,
            limits: Limits::default(),
        }
    }
}

/// A request head as decoded (fields in order, names lower case as HTTP/2 requires). Every
/// string is in one buffer (no allocation per field); hand the head back with
/// [`Connection::recycle_head`] once copied so that the next request reuses its buffers.
#[derive(Debug, Clone, Default)]
pub struct RequestHead {
    /// The pseudo-header values and every regular name and value, back to back.
    buf: Vec<u8>,
    /// (start, length) in `buf` of :method, :scheme, :authority, :path (empty when absent).
    pseudo: [(u32, u32); 4],
    /// Regular fields in order: the name at `buf[start..start + name_len]`, the value right after.
    fields: Vec<(u32, u32, u32)>,
    /// `content-length` if given.
    pub content_length: Option<u64>,
}

/// Indexes of `RequestHead::pseudo`.
pub(crate) const METHOD: usize = 0;
pub(crate) const SCHEME: usize = 1;
pub(crate) const AUTHORITY: usize = 2;
pub(crate) const PATH: usize = 3;

impl RequestHead {
    #[inline]
    fn span(&self, (start, len): (u32, u32)) -> &[u8] {
        &self.buf[start as usize..(start + len) as usize]
    }

    pub fn method(&self) -> &[u8] {
        self.span(self.pseudo[METHOD])
    }

    pub fn scheme(&self) -> &[u8] {
        self.span(self.pseudo[SCHEME])
    }

    /// Empty when the request had no `:authority`.
    pub fn authority(&self) -> &[u8] {
        self.span(self.pseudo[AUTHORITY])
    }

    pub fn path(&self) -> &[u8] {
        self.span(self.pseudo[PATH])
    }

    /// Regular fields (no pseudo-headers) in order; `cookie` crumbs stay separate (the glue
    /// joins them with "; " as 2.2.5 does).
    pub fn fields(&self) -> impl ExactSizeIterator<Item = (&[u8], &[u8])> + '_ {
        self.fields.iter().map(|&(start, n, v)| {
            let (start, n, v) = (start as usize, n as usize, v as usize);
            (&self.buf[start..start + n], &self.buf[start + n..start + n + v])
        })
    }

    /// The bytes of all names and values together (pseudo-headers included).
    pub fn string_bytes(&self) -> usize {
        self.buf.len()
    }

    /// Sets a pseudo-header's value.
    fn set_pseudo(&mut self, which: usize, value: &[u8]) {
        self.pseudo[which] = (self.buf.len() as u32, value.len() as u32);
        self.buf.extend_from_slice(value);
    }

    /// Appends a regular field.
    fn push_field(&mut self, name: &[u8], value: &[u8]) {
        self.fields.push((self.buf.len() as u32, name.len() as u32, value.len() as u32));
        self.buf.extend_from_slice(name);
        self.buf.extend_from_slice(value);
    }

    /// Empties the head, keeping its buffers.
    fn clear(&mut self) {
        self.buf.clear();
        self.fields.clear();
        self.pseudo = [(0, 0); 4];
        self.content_length = None;
    }
}

/// Output of [`Connection::write_gather`]: frame bytes with whole DATA payloads interleaved as
/// separate buffers.
#[derive(Debug, Default)]
pub struct Output {
    bytes: Vec<u8>,
    /// (position in `bytes` the buffer follows, the buffer), in order.
    chunks: Vec<(usize, Vec<u8>)>,
    chunk_bytes: usize,
    /// Payloads may be moved in (else everything is copied into `bytes`).
    gather: bool,
}

impl Output {
    /// All bytes, frame headers and payloads.
    pub fn len(&self) -> usize {
        self.bytes.len() + self.chunk_bytes
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes to write, in order (no empty slice).
    pub fn slices(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let mut at = 0;
        let mut chunks = self.chunks.iter();
        let mut pending: Option<&[u8]> = None;
        std::iter::from_fn(move || loop {
            if let Some(c) = pending.take() {
                return Some(c);
            }
            match chunks.next() {
                Some((pos, c)) => {
                    let before = &self.bytes[at..*pos];
                    at = *pos;
                    pending = Some(c.as_slice()).filter(|c| !c.is_empty());
                    if !before.is_empty() {
                        return Some(before);
                    }
                }
                None => {
                    let rest = &self.bytes[at..];
                    at = self.bytes.len();
                    return (!rest.is_empty()).then_some(rest);
                }
            }
        })
    }

    /// An empty output with room for `n` frame bytes.
    pub fn with_capacity(n: usize) -> Self {
        Output { bytes: Vec::with_capacity(n), ..Output::default() }
    }

    /// The capacity held (for the glue's idle trimming).
    pub fn capacity(&self) -> usize {
        self.bytes.capacity()
    }
}

/// What happened on the connection, for the glue.
#[derive(Debug)]
pub enum Event {
    /// A complete request (head and whole body) on `stream_id`: hand it to the handlers.
    /// `too_large`: the body exceeded `max_request_body`; answer 413 (`body` is empty, the rest
    /// is discarded).
    Request { stream_id: u32, head: RequestHead, body: Vec<u8>, too_large: bool },
    /// The stream's request was delivered and the stream is now gone before its response was
    /// complete (client RST_STREAM, a stream error, or the connection closing): stop its
    /// generator, dispose its request. Not emitted after [`Connection::reset_stream`].
    StreamClosed { stream_id: u32 },
    /// The stream's send queue has room again (and its window allows sending) after
    /// `send_data` returned false: call the generator's proceed.
    WantData { stream_id: u32 },
}

/// A stream's priorities for the access log (2.2.5's `%{http2.priority.received*}x` and
/// `%{http2.priority.actual*}x`): what the client sent (RFC 7540 HEADERS priority or PRIORITY;
/// `exclusive` false, parent 0, weight 16 when it sent nothing) and where the stream is in the
/// scheduler now (parent stream id, 0 for the root; weight, 257 after a reprioritization; RFC
/// 9218 streams show parent 0 and the weight of their node).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriorityInfo {
    pub received_exclusive: bool,
    pub received_parent: u32,
    pub received_weight: u16,
    pub actual_parent: u32,
    pub actual_weight: u16,
}

/// The peer's SETTINGS (RFC 9113 6.5.2 defaults until it sends its own).
#[derive(Debug, Clone, Copy)]
struct PeerSettings {
    header_table_size: u32,
    enable_push: bool,
    max_concurrent_streams: u32,
    initial_window_size: u32,
    max_frame_size: u32,
    max_header_list_size: u32,
    no_rfc7540_priorities: bool,
}

impl Default for PeerSettings {
    fn default() -> Self {
        PeerSettings {
            header_table_size: 4096,
            enable_push: true,
            max_concurrent_streams: u32::MAX,
            initial_window_size: DEFAULT_INITIAL_WINDOW_SIZE,
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
            max_header_list_size: u32::MAX,
            no_rfc7540_priorities: false,
        }
    }
}

/// Where the input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// This many bytes of the client preface have matched.
    Preface(usize),
    /// The preface is in; the next frame must be SETTINGS.
    FirstSettings,
    Open,
}

/// Our GOAWAY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GoAway {
    None,
    /// Graceful shutdown, phase one: GOAWAY(2^31-1) and a PING sent; streams still accepted.
    Announced,
    /// GOAWAY with this last stream id sent: newer streams are ignored.
    Final(u32),
}

/// What a pending header block is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockKind {
    Request,
    Trailers,
    /// HEADERS on a half-closed (remote) stream: decoded for the HPACK state, then STREAM_CLOSED.
    HalfClosed,
    /// Decoded for the HPACK state and dropped (a stream we reset, or above our GOAWAY).
    Ignore,
    /// HEADERS reusing a closed stream id: decoded, then connection STREAM_CLOSED.
    Closed,
}

/// A header block waiting for CONTINUATION frames (its bytes are in `Connection::block`).
#[derive(Debug, Clone, Copy)]
struct PendingBlock {
    stream_id: u32,
    end_stream: bool,
    priority: Option<frame::PrioritySpec>,
    kind: BlockKind,
    continuations: u32,
}

/// A response head waiting for `write`: fields are in `Connection::head_arena[start..end]`
/// as (u32 name length, u32 value length, name, value) records.
#[derive(Debug, Clone, Copy)]
struct PendingHead {
    stream_id: u32,
    /// Non-zero: a PUSH_PROMISE on `stream_id` promising this stream, the fields being the
    /// request's (pseudo-headers included); `status` unused.
    promised: u32,
    status: u16,
    end_stream: bool,
    start: usize,
    end: usize,
}

/// Opaque data of our shutdown PING.
const SHUTDOWN_PING: [u8; 8] = *b"h2o-shut";
/// Recently closed stream ids remembered (to tell closed from never-used ids, and the streams
/// we reset ourselves, whose late frames are ignored).
const CLOSED_RING: usize = 64;
/// Largest DATA frame payload we send (the scheduler's unit).
const CHUNK: usize = 16384;
/// The smallest DATA payload cut to fit an exact `max` (see [`Connection::set_exact_max`]).
pub const MIN_EXACT_FRAME: usize = 512;
/// Spare request heads kept (and the largest string buffer one may keep).
const SPARE_HEADS: usize = 16;
const MAX_SPARE_HEAD: usize = 16384;
/// Spare send-queue buffers kept for new streams.
const SPARE_QUEUES: usize = 16;

/// One HTTP/2 server connection.
pub struct Connection {
    cfg: Config,
    phase: Phase,
    /// A connection error happened (GOAWAY queued): input is ignored, nothing but the queued
    /// control frames goes out.
    fatal: bool,
    goaway: GoAway,
    /// The client sent GOAWAY.
    peer_goaway: bool,
    /// Our SETTINGS were acknowledged.
    settings_acked: bool,
    peer: PeerSettings,

    decoder: hpack::Decoder,
    encoder: hpack::Encoder,
    /// Response fields' representations remembered across responses.
    field_cache: field_cache::FieldCache,
    tree: Tree,

    streams: IdMap<u32, Stream>,
    /// Node -> stream id, for the live streams' nodes.
    node_owner: IdMap<NodeId, u32>,
    /// Placeholder nodes of idle streams that got a PRIORITY frame.
    placeholders: IdMap<u32, NodeId>,
    /// Nodes of closed streams kept for reprioritization, oldest first (with the priority the
    /// client sent, for [`Connection::priority_info`]).
    closed_nodes: VecDeque<(u32, NodeId, frame::PrioritySpec)>,
    /// Recently closed stream ids, oldest first, and whether we reset them.
    closed_ids: VecDeque<(u32, bool)>,
    /// RFC 9218 PRIORITY_UPDATE for streams not open yet.
    early_urgency: VecDeque<(u32, u8, bool)>,
    /// The client has sent RFC 7540 priority information.
    rfc7540: bool,
    /// Highest client stream id opened (by HEADERS).
    max_seen: u32,
    /// Highest client stream id ignored after our final GOAWAY (its frames are ignored too).
    max_ignored: u32,
    /// Client streams counted against our SETTINGS_MAX_CONCURRENT_STREAMS.
    open_streams: usize,
    /// Pushed streams live (counted against the peer's SETTINGS_MAX_CONCURRENT_STREAMS) and the
    /// highest push id used (0: none yet).
    push_open: usize,
    max_push_id: u32,

    conn_in: i64,
    conn_out: i64,

    pending_block: Option<PendingBlock>,
    block: Vec<u8>,

    control: Vec<u8>,
    heads: VecDeque<PendingHead>,
    head_arena: Vec<u8>,
    scratch: Vec<u8>,
    active_count: usize,
    spare_queues: Vec<Vec<u8>>,
    /// DATA frames are cut so that a write does not exceed its `max` (see [`Connection::set_exact_max`]).
    exact_max: bool,
    /// Request heads handed back by the glue, reused for the next requests.
    spare_heads: Vec<RequestHead>,

    events: VecDeque<Event>,

    flood_budget: u32,
    abuse_budget: i64,
    now: u64,
}

/// The storage of a finished connection, emptied, for a later one ([`Connection::into_spare`],
/// [`Connection::new_reusing`]): the HPACK tables' rings and the encoder's index, the scheduler's
/// vectors, the stream maps and the queues, all empty. Nothing of the old connection's state is
/// carried over; what it saves is the allocations (and the index's zeroing) of a new connection
/// and the regrowing of its vectors during its first requests.
#[derive(Default)]
pub struct Spare {
    hpack: Option<(hpack::Decoder, hpack::Encoder)>,
    field_cache: field_cache::FieldCache,
    tree: Option<Tree>,
    streams: IdMap<u32, Stream>,
    node_owner: IdMap<NodeId, u32>,
    placeholders: IdMap<u32, NodeId>,
    closed_nodes: VecDeque<(u32, NodeId, frame::PrioritySpec)>,
    closed_ids: VecDeque<(u32, bool)>,
    early_urgency: VecDeque<(u32, u8, bool)>,
    block: Vec<u8>,
    control: Vec<u8>,
    heads: VecDeque<PendingHead>,
    head_arena: Vec<u8>,
    scratch: Vec<u8>,
    spare_queues: Vec<Vec<u8>>,
    spare_heads: Vec<RequestHead>,
    events: VecDeque<Event>,
}

/// A buffer kept in a [`Spare`] only up to this capacity (a connection that once needed more
/// does not make every later one hold it).
const MAX_SPARE_BUFFER: usize = 64 * 1024;

/// `v` emptied, or a new vector if it holds more than [`MAX_SPARE_BUFFER`] bytes.
fn emptied(mut v: Vec<u8>) -> Vec<u8> {
    if v.capacity() > MAX_SPARE_BUFFER {
        return Vec::new();
    }
    v.clear();
    v
}

impl Connection {
    fn build(config: Config, spare: Spare) -> Self {
        let table = config.header_table_size.max(4096) as usize;
        let Spare {
            hpack,
            mut field_cache,
            tree,
            mut streams,
            mut node_owner,
            mut placeholders,
            mut closed_nodes,
            mut closed_ids,
            mut early_urgency,
            block,
            control,
            mut heads,
            head_arena,
            scratch,
            spare_queues,
            spare_heads,
            mut events,
        } = spare;
        let (decoder, encoder) = match hpack {
            Some((mut decoder, mut encoder)) => {
                decoder.renew(table, config.max_header_list_size as usize);
                encoder.renew();
                field_cache.renew();
                (decoder, encoder)
            }
            None => (hpack::Decoder::new(table, config.max_header_list_size as usize), hpack::Encoder::new()),
        };
        let tree = match tree {
            Some(mut tree) => {
                tree.renew();
                tree
            }
            None => Tree::new(),
        };
        streams.clear();
        node_owner.clear();
        placeholders.clear();
        closed_nodes.clear();
        closed_ids.clear();
        closed_ids.reserve(CLOSED_RING);
        early_urgency.clear();
        heads.clear();
        events.clear();
        let mut control = emptied(control);
        control.reserve(256);
        let flood_budget = config.limits.max_control_frames_per_tick;
        let abuse_budget = i64::from(config.limits.max_resets_per_window);
        let mut conn = Connection {
            cfg: config,
            phase: Phase::Preface(0),
            fatal: false,
            goaway: GoAway::None,
            peer_goaway: false,
            settings_acked: false,
            peer: PeerSettings::default(),
            decoder,
            encoder,
            field_cache,
            tree,
            streams,
            node_owner,
            placeholders,
            closed_nodes,
            closed_ids,
            early_urgency,
            rfc7540: false,
            max_seen: 0,
            max_ignored: 0,
            open_streams: 0,
            push_open: 0,
            max_push_id: 0,
            conn_in: i64::from(DEFAULT_INITIAL_WINDOW_SIZE),
            conn_out: i64::from(DEFAULT_INITIAL_WINDOW_SIZE),
            pending_block: None,
            block: emptied(block),
            control,
            heads,
            head_arena: emptied(head_arena),
            scratch: emptied(scratch),
            active_count: 0,
            spare_queues,
            exact_max: false,
            spare_heads,
            events,
            flood_budget,
            abuse_budget,
            now: 0,
        };
        conn.queue_server_preface();
        conn
    }

    /// Our SETTINGS, then the connection WINDOW_UPDATE.
    fn queue_server_preface(&mut self) {
        let mut params: [(u16, u32); 3] = [(0, 0); 3];
        let mut n = 0;
        if self.cfg.header_table_size != 4096 {
            params[n] = (setting::HEADER_TABLE_SIZE, self.cfg.header_table_size);
            n += 1;
        }
        params[n] = (setting::MAX_CONCURRENT_STREAMS, self.cfg.max_concurrent_streams);
        params[n + 1] = (setting::INITIAL_WINDOW_SIZE, self.cfg.initial_window_size.min(frame::MAX_WINDOW_SIZE));
        n += 2;
        frame::encode_settings(&mut self.control, &params[..n]);
        let target = i64::from(self.cfg.connection_window_size.min(frame::MAX_WINDOW_SIZE));
        if target > self.conn_in {
            frame::encode_window_update(&mut self.control, 0, (target - self.conn_in) as u32);
            self.conn_in = target;
        }
    }

    /// A connection that expects the client preface first (prior knowledge, or TLS with ALPN h2).
    /// Our SETTINGS (+ the connection WINDOW_UPDATE) are queued for the first `write`.
    pub fn new(config: Config) -> Self {
        Self::build(config, Spare::default())
    }

    /// [`Connection::new`] on the storage a finished connection left ([`Connection::into_spare`]):
    /// the same connection, without its first allocations.
    pub fn new_reusing(config: Config, spare: Spare) -> Self {
        Self::build(config, spare)
    }

    /// Ends this connection (whatever its state: nothing more is written, no event follows) and
    /// keeps its storage for [`Connection::new_reusing`].
    pub fn into_spare(self) -> Spare {
        let Connection {
            decoder,
            encoder,
            field_cache,
            tree,
            streams,
            node_owner,
            placeholders,
            closed_nodes,
            closed_ids,
            early_urgency,
            block,
            control,
            heads,
            head_arena,
            scratch,
            spare_queues,
            spare_heads,
            events,
            ..
        } = self;
        Spare {
            hpack: Some((decoder, encoder)),
            field_cache,
            tree: Some(tree),
            streams,
            node_owner,
            placeholders,
            closed_nodes,
            closed_ids,
            early_urgency,
            block,
            control,
            heads,
            head_arena,
            scratch,
            spare_queues,
            spare_heads,
            events,
        }
    }

    /// After `Upgrade: h2c` (RFC 7540 3.2): `http2_settings` is the decoded HTTP2-Settings value
    /// (the SETTINGS payload; the 101 response acknowledges it, no ACK is sent), the request that
    /// carried the upgrade becomes stream 1, half-closed (remote), owned by the glue as if
    /// delivered (no [`Event::Request`]; a client RST_STREAM on it gives [`Event::StreamClosed`]);
    /// the glue answers it there with `send_response(1, ...)`. The client preface is still
    /// expected first in input. `Err` when the settings payload is invalid (its length is not a
    /// multiple of 6 or a value is out of range): the glue answers the request over HTTP/1.1.
    pub fn new_upgraded(config: Config, http2_settings: &[u8]) -> Result<Self, ErrorCode> {
        if !http2_settings.len().is_multiple_of(6) {
            return Err(ErrorCode::FRAME_SIZE_ERROR);
        }
        for (id, value) in frame::settings_iter(http2_settings) {
            frame::check_setting(id, value).map_err(|e| e.code)?;
        }
        let mut conn = Self::build(config, Spare::default());
        conn.apply_peer_settings(http2_settings).map_err(|(code, _)| code)?;
        let id = 1;
        conn.max_seen = id;
        let node = conn.tree.open_urgency(3, false);
        let mut s = conn.new_stream(node, stream::Placement::Urgency { explicit: false });
        s.recv_done = true;
        s.delivered = true;
        conn.open_streams += 1;
        conn.node_owner.insert(node, id);
        conn.streams.insert(id, s);
        Ok(conn)
    }

    /// Feeds received bytes; returns how many were consumed (the rest is an incomplete frame the
    /// caller keeps and feeds again with more). Protocol errors are handled inside (RST_STREAM or
    /// GOAWAY queued for writing, then [`Connection::is_closed`]). After a connection error all
    /// input is consumed and ignored.
    pub fn recv(&mut self, input: &[u8]) -> usize {
        self.recv_input(input)
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Starts the response on `stream_id`: `:status` and `headers` (lower-case names, in order;
    /// no connection-specific fields; the engine adds nothing), END_STREAM when `end_stream`.
    /// `highest`: the response's MIME type has priority "highest" (CSS/JS): with
    /// reprioritize_blocking_assets the stream is moved ahead (see the module doc). Ignored for a
    /// stream that is gone or whose response was already started. HPACK encoding happens in
    /// `write`.
    pub fn send_response(&mut self, stream_id: u32, status: u16, headers: &[(&[u8], &[u8])], end_stream: bool, highest: bool) {
        self.start_response(stream_id, status, headers, end_stream, highest);
    }

    /// Queues body bytes (copied) for `stream_id`, END_STREAM after them when `end_stream`.
    /// Returns whether the stream still takes more without waiting: `false` once its queue holds
    /// `max_buffered_per_stream` bytes or more, or at least what the peer's stream window allows
    /// (then a later [`Event::WantData`] says when). Ignored (returns false, no event) for a
    /// stream that is gone or whose END_STREAM was already queued.
    pub fn send_data(&mut self, stream_id: u32, bufs: &[&[u8]], end_stream: bool) -> bool {
        self.queue_data(stream_id, bufs, end_stream)
    }

    /// Hands back the head of an [`Event::Request`] once its contents are copied: its buffers
    /// serve a later request (optional; a head dropped instead costs an allocation next time).
    pub fn recycle_head(&mut self, head: RequestHead) {
        if self.spare_heads.len() < SPARE_HEADS && head.buf.capacity() <= MAX_SPARE_HEAD {
            self.spare_heads.push(head);
        }
    }

    /// Resets a stream from our side (e.g. the generator failed): RST_STREAM with `code`, the
    /// stream is forgotten (no [`Event::StreamClosed`]). Ignored for a stream that is gone.
    pub fn reset_stream(&mut self, stream_id: u32, code: ErrorCode) {
        if self.fatal || !self.streams.contains_key(&stream_id) {
            return;
        }
        frame::encode_rst_stream(&mut self.control, stream_id, code);
        self.close_stream(stream_id, true, false);
    }

    /// Whether there is anything to write now (control frames, response HEADERS, or data the
    /// windows allow).
    pub fn wants_write(&self) -> bool {
        !self.control.is_empty() || (!self.fatal && (!self.heads.is_empty() || (self.active_count > 0 && self.conn_out > 0)))
    }

    /// Appends at most about `max` bytes to `out` (control frames first, then response HEADERS,
    /// then DATA chosen by the scheduler in chunks of at most 16 KB and within the windows; one
    /// frame may overshoot `max` by less than a chunk, and control frames are always all
    /// written). The glue passes the socket layer's suggested write size here.
    pub fn write(&mut self, out: &mut Vec<u8>, max: usize) {
        let mut o = Output { bytes: std::mem::take(out), ..Output::default() };
        self.write_output(&mut o, max);
        *out = o.bytes;
    }

    /// With `on`, the `max` of [`Connection::write`] / [`Connection::write_gather`] is honoured
    /// by DATA frames too: the last one is cut to fit (not below [`MIN_EXACT_FRAME`] bytes, and a
    /// write always carries something). The glue turns it on while the socket is in
    /// latency-optimized mode, where `max` is what the congestion window can send now and any
    /// excess would wait in the kernel ahead of a stream that arrives meanwhile.
    pub fn set_exact_max(&mut self, on: bool) {
        self.exact_max = on;
    }

    /// [`Connection::write`] into an [`Output`] (which must be empty): DATA payloads that are a
    /// stream's whole queue are not copied but moved into it as separate buffers; write
    /// [`Output::slices`] in order (one vectored write). Once the write has completed, hand the
    /// output back with [`Connection::recycle_output`] (it is emptied and its buffers reused).
    pub fn write_gather(&mut self, out: &mut Output, max: usize) {
        out.gather = true;
        self.write_output(out, max);
    }

    /// Empties an [`Output`] whose bytes have been written, keeping its buffers for later.
    pub fn recycle_output(&mut self, out: &mut Output) {
        out.bytes.clear();
        out.chunk_bytes = 0;
        for (_, mut q) in out.chunks.drain(..) {
            if self.spare_queues.len() < SPARE_QUEUES && q.capacity() <= 4 * self.cfg.limits.max_buffered_per_stream.max(CHUNK) {
                q.clear();
                self.spare_queues.push(q);
            }
        }
    }

    /// Graceful shutdown (2.2.5): GOAWAY with 2^31-1 and a PING, then (after the PING's ACK or
    /// at once if `immediate`) a GOAWAY with the last stream id processed; in-flight streams
    /// finish; no new ones are accepted after the second GOAWAY. Calling it again with
    /// `immediate` sends the second GOAWAY if it was not yet sent; otherwise it does nothing.
    pub fn shutdown(&mut self, immediate: bool) {
        if self.fatal {
            return;
        }
        match self.goaway {
            GoAway::Final(_) => {}
            GoAway::Announced if !immediate => {}
            GoAway::None if !immediate => {
                frame::encode_goaway(&mut self.control, frame::MAX_WINDOW_SIZE, ErrorCode::NO_ERROR, b"graceful shutdown");
                frame::encode_ping(&mut self.control, false, &SHUTDOWN_PING);
                self.goaway = GoAway::Announced;
            }
            _ => self.final_goaway(),
        }
    }

    /// Called about once per second by the glue: resets the flood budgets.
    pub fn tick(&mut self) {
        self.flood_budget = self.cfg.limits.max_control_frames_per_tick;
    }

    /// Tells the engine the time (seconds since the epoch) for the `created` field of the debug
    /// state; optional (0 otherwise). The engine reads no clock.
    pub fn set_time(&mut self, unix_secs: u64) {
        self.now = unix_secs;
    }

    /// No open streams (the idle timeout applies).
    pub fn is_idle(&self) -> bool {
        self.streams.is_empty()
    }

    /// The connection is finished (a fatal error, or GOAWAY sent / received and no stream left)
    /// and everything queued has been taken by `write`: once the output written so far is
    /// flushed, close the socket.
    pub fn is_closed(&self) -> bool {
        if !self.control.is_empty() {
            return false;
        }
        self.fatal || ((matches!(self.goaway, GoAway::Final(_)) || self.peer_goaway) && self.streams.is_empty())
    }

    /// [`PriorityInfo`] of a live stream, or of a closed one whose scheduler node is still kept
    /// (the last `max_streams_for_priority` closed: ask when disposing of the request, before
    /// the next requests finish); `None` otherwise.
    pub fn priority_info(&self, stream_id: u32) -> Option<PriorityInfo> {
        let (node, received) = match self.streams.get(&stream_id) {
            Some(s) => (s.node, s.received),
            None => self.closed_nodes.iter().rev().find(|e| e.0 == stream_id).map(|e| (e.1, e.2))?,
        };
        Some(PriorityInfo {
            received_exclusive: received.exclusive,
            received_parent: received.dependency,
            received_weight: received.weight,
            actual_parent: self.owner_of(self.tree.parent(node)),
            actual_weight: self.tree.weight(node),
        })
    }

    /// The number of open streams and the highest client stream id seen.
    pub fn stream_counts(&self) -> (usize, u32) {
        (self.streams.len(), self.max_seen)
    }

    /// The connection-level flow-control windows: what the peer may still send us, and what we
    /// may still send it (the debug state's connFlowIn / connFlowOut).
    pub fn conn_windows(&self) -> (i64, i64) {
        (self.conn_in, self.conn_out)
    }

    /// `/.well-known/h2/state` (H2O's JSON: version, settings, peerSettings, connFlowIn/Out,
    /// streams with state, flow windows, data counts, `created` (see [`Connection::set_time`])
    /// and priority; with `hpack`, the two dynamic tables).
    pub fn debug_state_json(&self, hpack: bool) -> String {
        self.debug_json(hpack)
    }
}

/// Internals shared by the input and output halves.
impl Connection {
    /// A stream record with the current windows and a recycled queue buffer.
    fn new_stream(&mut self, node: NodeId, placement: stream::Placement) -> Stream {
        let queue = self.spare_queues.pop().unwrap_or_default();
        Stream::new(node, placement, self.local_initial_window(), i64::from(self.peer.initial_window_size), queue, self.now)
    }

    /// The receive window a new stream starts with: our SETTINGS value once acknowledged
    /// (before that the client may still use the default 65535).
    fn local_initial_window(&self) -> i64 {
        let ours = i64::from(self.cfg.initial_window_size.min(frame::MAX_WINDOW_SIZE));
        if self.settings_acked { ours } else { ours.max(i64::from(DEFAULT_INITIAL_WINDOW_SIZE)) }
    }

    /// A connection error: GOAWAY with `code`, every stream dropped, input ignored from now on.
    fn connection_error(&mut self, code: ErrorCode, reason: &'static str) {
        if self.fatal {
            return;
        }
        let last = match self.goaway {
            GoAway::Final(last) => last.min(self.max_seen),
            _ => self.max_seen,
        };
        frame::encode_goaway(&mut self.control, last, code, reason.as_bytes());
        self.goaway = GoAway::Final(last);
        self.fatal = true;
        self.pending_block = None;
        let ids: Vec<u32> = self.streams.keys().copied().collect();
        for id in ids {
            self.close_stream(id, false, true);
        }
        self.heads.clear();
        self.head_arena.clear();
    }

    /// A stream error: RST_STREAM with `code`; the stream, if live, is closed.
    fn stream_error(&mut self, stream_id: u32, code: ErrorCode) {
        frame::encode_rst_stream(&mut self.control, stream_id, code);
        if self.streams.contains_key(&stream_id) {
            self.close_stream(stream_id, true, true);
        } else {
            self.remember_closed(stream_id, true);
        }
    }

    /// Remembers a closed id that may be in the ring already (a stream error on a stream that
    /// is not live).
    fn remember_closed(&mut self, stream_id: u32, reset_by_us: bool) {
        if let Some(e) = self.closed_ids.iter_mut().find(|e| e.0 == stream_id) {
            e.1 |= reset_by_us;
            return;
        }
        self.push_closed(stream_id, reset_by_us);
    }

    /// Remembers the id of a stream that was live (so not in the ring yet).
    fn push_closed(&mut self, stream_id: u32, reset_by_us: bool) {
        if self.closed_ids.len() == CLOSED_RING {
            self.closed_ids.pop_front();
        }
        self.closed_ids.push_back((stream_id, reset_by_us));
    }

    /// Whether `stream_id` is a recently closed stream and whether we reset it.
    fn recently_closed(&self, stream_id: u32) -> Option<bool> {
        self.closed_ids.iter().find(|e| e.0 == stream_id).map(|e| e.1)
    }

    /// Forgets a live stream: its node is kept (deactivated) for reprioritization, the oldest
    /// kept node beyond `max_streams_for_priority` goes. `notify`: emit
    /// [`Event::StreamClosed`] if the glue owns its request and the response is not complete.
    fn close_stream(&mut self, stream_id: u32, reset_by_us: bool, notify: bool) {
        let Some(mut s) = self.streams.remove(&stream_id) else { return };
        if s.active {
            self.tree.deactivate(s.node);
            self.active_count -= 1;
        }
        self.node_owner.remove(&s.node);
        if stream_id & 1 == 1 {
            self.open_streams -= 1;
        } else {
            self.push_open -= 1;
        }
        if notify && s.delivered && !s.internal && !s.end_sent {
            self.events.push_back(Event::StreamClosed { stream_id });
        }
        if s.end_sent {
            self.abuse_budget = (self.abuse_budget + 1).min(i64::from(self.cfg.limits.max_resets_per_window));
        }
        self.push_closed(stream_id, reset_by_us);
        if self.cfg.max_streams_for_priority == 0 {
            self.tree.close(s.node);
        } else {
            if self.closed_nodes.len() >= self.cfg.max_streams_for_priority
                && let Some((_, old, _)) = self.closed_nodes.pop_front()
            {
                self.tree.close(old);
            }
            self.closed_nodes.push_back((stream_id, s.node, s.received));
        }
        if self.spare_queues.len() < SPARE_QUEUES && s.queue.capacity() <= 4 * self.cfg.limits.max_buffered_per_stream.max(CHUNK) {
            s.queue.clear();
            self.spare_queues.push(std::mem::take(&mut s.queue));
        }
    }

    /// The node a dependency on `stream_id` refers to, if that stream is in the tree.
    fn node_of(&self, stream_id: u32) -> Option<NodeId> {
        if stream_id == 0 {
            return Some(Tree::ROOT);
        }
        if let Some(s) = self.streams.get(&stream_id) {
            return Some(s.node);
        }
        if let Some(&n) = self.placeholders.get(&stream_id) {
            return Some(n);
        }
        self.closed_nodes.iter().rev().find(|e| e.0 == stream_id).map(|e| e.1)
    }

    /// The stream id owning `node` (live, placeholder or kept), 0 for the root or unknown.
    fn owner_of(&self, node: NodeId) -> u32 {
        if node == Tree::ROOT {
            return 0;
        }
        if let Some(&id) = self.node_owner.get(&node) {
            return id;
        }
        if let Some((&id, _)) = self.placeholders.iter().find(|e| *e.1 == node) {
            return id;
        }
        self.closed_nodes.iter().find(|e| e.1 == node).map_or(0, |e| e.0)
    }

    /// Applies a SETTINGS payload from the peer. Errors are connection errors.
    fn apply_peer_settings(&mut self, params: &[u8]) -> Result<(), (ErrorCode, &'static str)> {
        let old_window = self.peer.initial_window_size;
        for (id, value) in frame::settings_iter(params) {
            frame::check_setting(id, value).map_err(|e| (e.code, e.reason))?;
            match id {
                setting::HEADER_TABLE_SIZE => {
                    self.peer.header_table_size = value;
                    self.encoder.set_max_table_size(value as usize);
                    self.field_cache.max_changed();
                }
                setting::ENABLE_PUSH => self.peer.enable_push = value == 1,
                setting::MAX_CONCURRENT_STREAMS => self.peer.max_concurrent_streams = value,
                setting::INITIAL_WINDOW_SIZE => self.peer.initial_window_size = value,
                setting::MAX_FRAME_SIZE => self.peer.max_frame_size = value,
                setting::MAX_HEADER_LIST_SIZE => self.peer.max_header_list_size = value,
                setting::NO_RFC7540_PRIORITIES => {
                    if value > 1 {
                        return Err((ErrorCode::PROTOCOL_ERROR, "invalid SETTINGS_NO_RFC7540_PRIORITIES"));
                    }
                    self.peer.no_rfc7540_priorities = value == 1;
                }
                _ => {}
            }
        }
        let delta = i64::from(self.peer.initial_window_size) - i64::from(old_window);
        if delta != 0 {
            let ids: Vec<u32> = self.streams.keys().copied().collect();
            for id in ids {
                let s = self.streams.get_mut(&id).expect("listed");
                s.out_window += delta;
                if s.out_window > i64::from(frame::MAX_WINDOW_SIZE) {
                    return Err((ErrorCode::FLOW_CONTROL_ERROR, "SETTINGS_INITIAL_WINDOW_SIZE overflows a stream window"));
                }
                self.refresh(id);
            }
        }
        Ok(())
    }

    /// Brings the stream's scheduler state in line with what it can send, and emits the
    /// [`Event::WantData`] it is owed once its queue has drained to half the buffer limit and
    /// its window is open.
    fn refresh(&mut self, stream_id: u32) {
        let Some(s) = self.streams.get_mut(&stream_id) else { return };
        let want = s.sendable();
        if want && !s.active {
            self.tree.activate(s.node);
            s.active = true;
            self.active_count += 1;
        } else if !want && s.active {
            self.tree.deactivate(s.node);
            s.active = false;
            self.active_count -= 1;
        }
        if s.want_data && !s.end_queued && s.out_window > s.queued() as i64 && s.queued() <= self.cfg.limits.max_buffered_per_stream / 2 {
            s.want_data = false;
            self.events.push_back(Event::WantData { stream_id });
        }
    }

    /// Our final GOAWAY (last stream id = the highest processed).
    fn final_goaway(&mut self) {
        if matches!(self.goaway, GoAway::Final(_)) {
            return;
        }
        frame::encode_goaway(&mut self.control, self.max_seen, ErrorCode::NO_ERROR, b"");
        self.goaway = GoAway::Final(self.max_seen);
    }
}
