//! The HTTP/2 frame codec (RFC 9113 section 4 and 6, RFC 9218 PRIORITY_UPDATE). Pure safe Rust.
//!
//! [`decode`] splits one frame off the front of the input and checks every rule that can be
//! checked on the frame alone (lengths, stream id 0 or not, padding, flags, SETTINGS values);
//! rules that need connection state (stream states, CONTINUATION sequencing, windows) belong to
//! the engine. The `encode_*` functions append frames to a `Vec<u8>`.
//!
//! Owner: the frame-codec work of issue 8. The signatures below are the contract the HTTP/2
//! engine codes against; additions are fine, changes must be coordinated.
#![forbid(unsafe_code)]

/// The connection preface a client sends first (RFC 9113 3.4).
pub const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/// Frame header length.
pub const HEADER_LEN: usize = 9;
/// SETTINGS_MAX_FRAME_SIZE default and bounds.
pub const DEFAULT_MAX_FRAME_SIZE: u32 = 16384;
pub const MAX_MAX_FRAME_SIZE: u32 = 16_777_215;
pub const DEFAULT_INITIAL_WINDOW_SIZE: u32 = 65535;
pub const MAX_WINDOW_SIZE: u32 = 0x7fff_ffff;

/// Frame types.
pub mod kind {
    pub const DATA: u8 = 0;
    pub const HEADERS: u8 = 1;
    pub const PRIORITY: u8 = 2;
    pub const RST_STREAM: u8 = 3;
    pub const SETTINGS: u8 = 4;
    pub const PUSH_PROMISE: u8 = 5;
    pub const PING: u8 = 6;
    pub const GOAWAY: u8 = 7;
    pub const WINDOW_UPDATE: u8 = 8;
    pub const CONTINUATION: u8 = 9;
    pub const PRIORITY_UPDATE: u8 = 0x10;
}

/// Flags.
pub mod flag {
    pub const END_STREAM: u8 = 0x1;
    pub const ACK: u8 = 0x1;
    pub const END_HEADERS: u8 = 0x4;
    pub const PADDED: u8 = 0x8;
    pub const PRIORITY: u8 = 0x20;
}

/// SETTINGS identifiers.
pub mod setting {
    pub const HEADER_TABLE_SIZE: u16 = 1;
    pub const ENABLE_PUSH: u16 = 2;
    pub const MAX_CONCURRENT_STREAMS: u16 = 3;
    pub const INITIAL_WINDOW_SIZE: u16 = 4;
    pub const MAX_FRAME_SIZE: u16 = 5;
    pub const MAX_HEADER_LIST_SIZE: u16 = 6;
    pub const ENABLE_CONNECT_PROTOCOL: u16 = 8;
    pub const NO_RFC7540_PRIORITIES: u16 = 9;
}

/// Error codes (RFC 9113 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorCode(pub u32);

impl ErrorCode {
    pub const NO_ERROR: ErrorCode = ErrorCode(0);
    pub const PROTOCOL_ERROR: ErrorCode = ErrorCode(1);
    pub const INTERNAL_ERROR: ErrorCode = ErrorCode(2);
    pub const FLOW_CONTROL_ERROR: ErrorCode = ErrorCode(3);
    pub const SETTINGS_TIMEOUT: ErrorCode = ErrorCode(4);
    pub const STREAM_CLOSED: ErrorCode = ErrorCode(5);
    pub const FRAME_SIZE_ERROR: ErrorCode = ErrorCode(6);
    pub const REFUSED_STREAM: ErrorCode = ErrorCode(7);
    pub const CANCEL: ErrorCode = ErrorCode(8);
    pub const COMPRESSION_ERROR: ErrorCode = ErrorCode(9);
    pub const CONNECT_ERROR: ErrorCode = ErrorCode(0xa);
    pub const ENHANCE_YOUR_CALM: ErrorCode = ErrorCode(0xb);
    pub const INADEQUATE_SECURITY: ErrorCode = ErrorCode(0xc);
    pub const HTTP_1_1_REQUIRED: ErrorCode = ErrorCode(0xd);
}

/// A frame that breaks the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameError {
    pub code: ErrorCode,
    /// `Some(id)`: a stream error (RST_STREAM on that stream, the connection goes on; the frame
    /// has been consumed, `len` tells how many bytes it took); `None`: a connection error (GOAWAY).
    pub stream_id: Option<u32>,
    /// Bytes the offending frame occupies (header + payload) when known, else 0.
    pub len: usize,
    /// Human-readable reason (GOAWAY debug data, logs).
    pub reason: &'static str,
}

/// A stream dependency (RFC 7540 5.3; the PRIORITY flag of HEADERS and PRIORITY frames).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrioritySpec {
    pub exclusive: bool,
    pub dependency: u32,
    /// 1..=256 (the wire value + 1).
    pub weight: u16,
}

/// A decoded frame; slices point into the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame<'a> {
    Data { stream_id: u32, data: &'a [u8], end_stream: bool, /** payload length incl. padding: what flow control counts */ flow_len: u32 },
    Headers { stream_id: u32, priority: Option<PrioritySpec>, fragment: &'a [u8], end_stream: bool, end_headers: bool },
    Priority { stream_id: u32, spec: PrioritySpec },
    RstStream { stream_id: u32, code: ErrorCode },
    /// `params` is the raw payload (6 bytes per setting); iterate with [`settings_iter`].
    Settings { ack: bool, params: &'a [u8] },
    PushPromise { stream_id: u32, promised_id: u32, fragment: &'a [u8], end_headers: bool },
    Ping { ack: bool, data: [u8; 8] },
    GoAway { last_stream_id: u32, code: ErrorCode, debug: &'a [u8] },
    WindowUpdate { stream_id: u32, increment: u32 },
    Continuation { stream_id: u32, fragment: &'a [u8], end_headers: bool },
    PriorityUpdate { prioritized_id: u32, field_value: &'a [u8] },
    /// An unknown type: to be ignored (RFC 9113 4.1), except between HEADERS and CONTINUATION.
    Unknown { kind: u8, flags: u8, stream_id: u32 },
}

/// The 9-byte frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    pub length: u32,
    pub kind: u8,
    pub flags: u8,
    pub stream_id: u32,
}

/// Parses a frame header (the reserved bit is ignored). `None` if fewer than 9 bytes.
pub fn parse_header(buf: &[u8]) -> Option<FrameHeader> {
    let _ = buf;
    todo!()
}

/// Decodes the first frame of `buf`, whose payload may be at most `max_frame_size` bytes (our
/// SETTINGS_MAX_FRAME_SIZE). `Ok(None)`: more bytes needed. `Ok(Some((frame, n)))`: the frame and
/// the bytes it took. Errors as [`FrameError`] says (a frame larger than `max_frame_size` is a
/// connection FRAME_SIZE_ERROR).
pub fn decode(buf: &[u8], max_frame_size: u32) -> Result<Option<(Frame<'_>, usize)>, FrameError> {
    let _ = (buf, max_frame_size);
    todo!()
}

/// Iterates the (identifier, value) pairs of a SETTINGS payload (already length-checked).
pub fn settings_iter(params: &[u8]) -> impl Iterator<Item = (u16, u32)> + '_ {
    params.chunks_exact(6).map(|c| (u16::from_be_bytes([c[0], c[1]]), u32::from_be_bytes([c[2], c[3], c[4], c[5]])))
}

/// Checks one SETTINGS value (RFC 9113 6.5.2): ENABLE_PUSH 0/1, INITIAL_WINDOW_SIZE <= 2^31-1
/// (FLOW_CONTROL_ERROR), MAX_FRAME_SIZE in range (PROTOCOL_ERROR); unknown ids are accepted.
pub fn check_setting(id: u16, value: u32) -> Result<(), FrameError> {
    let _ = (id, value);
    todo!()
}

/// Appends a frame header.
pub fn encode_header(out: &mut Vec<u8>, length: usize, kind: u8, flags: u8, stream_id: u32) {
    let _ = (out, length, kind, flags, stream_id);
    todo!()
}

/// Appends a DATA frame header for `len` payload bytes (the caller appends the payload).
pub fn encode_data_header(out: &mut Vec<u8>, stream_id: u32, len: usize, end_stream: bool) {
    encode_header(out, len, kind::DATA, if end_stream { flag::END_STREAM } else { 0 }, stream_id)
}

/// Appends HEADERS (+ CONTINUATION frames when `block` exceeds `max_frame_size`).
pub fn encode_headers(out: &mut Vec<u8>, stream_id: u32, block: &[u8], end_stream: bool, max_frame_size: u32) {
    let _ = (out, stream_id, block, end_stream, max_frame_size);
    todo!()
}

/// Appends PUSH_PROMISE (+ CONTINUATION frames when needed).
pub fn encode_push_promise(out: &mut Vec<u8>, stream_id: u32, promised_id: u32, block: &[u8], max_frame_size: u32) {
    let _ = (out, stream_id, promised_id, block, max_frame_size);
    todo!()
}

/// Appends a SETTINGS frame with `params`.
pub fn encode_settings(out: &mut Vec<u8>, params: &[(u16, u32)]) {
    let _ = (out, params);
    todo!()
}

/// Appends an empty SETTINGS frame with ACK.
pub fn encode_settings_ack(out: &mut Vec<u8>) {
    encode_header(out, 0, kind::SETTINGS, flag::ACK, 0)
}

pub fn encode_ping(out: &mut Vec<u8>, ack: bool, data: &[u8; 8]) {
    let _ = (out, ack, data);
    todo!()
}

pub fn encode_goaway(out: &mut Vec<u8>, last_stream_id: u32, code: ErrorCode, debug: &[u8]) {
    let _ = (out, last_stream_id, code, debug);
    todo!()
}

pub fn encode_rst_stream(out: &mut Vec<u8>, stream_id: u32, code: ErrorCode) {
    let _ = (out, stream_id, code);
    todo!()
}

pub fn encode_window_update(out: &mut Vec<u8>, stream_id: u32, increment: u32) {
    let _ = (out, stream_id, increment);
    todo!()
}

pub fn encode_priority(out: &mut Vec<u8>, stream_id: u32, spec: PrioritySpec) {
    let _ = (out, stream_id, spec);
    todo!()
}
