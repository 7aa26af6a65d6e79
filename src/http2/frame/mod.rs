//! The HTTP/2 frame codec (RFC 9113 section 4 and 6, RFC 9218 PRIORITY_UPDATE). Pure safe Rust.
//!
//! [`decode`] splits one frame off the front of the input and checks every rule that can be
//! checked on the frame alone; rules that need connection state (stream states, CONTINUATION
//! sequencing, windows, the idle/closed status of a stream) belong to the engine. Decoding never
//! allocates: the frame's slices point into the input. The `encode_*` functions append frames to
//! a `Vec<u8>`.
//!
//! # What [`decode`] checks
//!
//! | rule                                                                   | error                        |
//! |------------------------------------------------------------------------|------------------------------|
//! | payload length > `max_frame_size` (any type, unknown ones too)         | connection FRAME_SIZE_ERROR  |
//! | DATA, HEADERS, PRIORITY, RST_STREAM, PUSH_PROMISE, CONTINUATION on 0   | connection PROTOCOL_ERROR    |
//! | SETTINGS, PING, GOAWAY, PRIORITY_UPDATE on a nonzero stream            | connection PROTOCOL_ERROR    |
//! | too short for the fixed fields (Pad Length, priority, Promised ID)     | connection FRAME_SIZE_ERROR  |
//! | padding length >= payload (or leaving no room for the fixed fields)   | connection PROTOCOL_ERROR    |
//! | SETTINGS length not a multiple of 6, SETTINGS ACK with payload         | connection FRAME_SIZE_ERROR  |
//! | a SETTINGS value out of range ([`check_setting`])                      | connection PROTOCOL_ERROR / FLOW_CONTROL_ERROR |
//! | PING length != 8, RST_STREAM / WINDOW_UPDATE length != 4, GOAWAY < 8   | connection FRAME_SIZE_ERROR  |
//! | PRIORITY_UPDATE length < 4                                             | connection FRAME_SIZE_ERROR  |
//! | PRIORITY_UPDATE with Prioritized Stream ID 0                           | connection PROTOCOL_ERROR    |
//! | PUSH_PROMISE with a Promised Stream ID that is 0 or odd                | connection PROTOCOL_ERROR    |
//! | WINDOW_UPDATE increment 0 on stream 0                                  | connection PROTOCOL_ERROR    |
//! | WINDOW_UPDATE increment 0 on a stream                                  | **stream** PROTOCOL_ERROR    |
//! | PRIORITY length != 5                                                   | **stream** FRAME_SIZE_ERROR  |
//! | PRIORITY depending on its own stream                                   | **stream** PROTOCOL_ERROR    |
//! | HEADERS (PRIORITY flag) depending on its own stream                    | connection PROTOCOL_ERROR    |
//!
//! The self-dependency of HEADERS is a stream error in RFC 7540 5.3.1, but the frame carries a
//! field block that must still go through the HPACK decoder (and may be followed by
//! CONTINUATION frames), so it cannot simply be skipped; RFC 9113 5.4.1 lets an endpoint treat a
//! stream error as a connection error, which is what [`decode`] reports (as 2.2.5 does). The
//! engine need not check self-dependency itself.
//!
//! A stream error is returned only once the whole frame is in the input: its
//! [`FrameError::len`] is then at most `buf.len()` and the caller skips that many bytes, sends
//! RST_STREAM and goes on. (The engine still has to escalate it when the stream is idle, RFC 9113
//! 5.1: e.g. WINDOW_UPDATE on an idle stream is a connection error whatever its increment.)
//! A connection error may be returned as soon as the 9-byte header shows it (e.g. a length over
//! `max_frame_size`), before the payload has arrived.
//!
//! Unknown frame types are returned as [`Frame::Unknown`] (consumed); unknown flags are ignored;
//! reserved bits (stream ids, the increment, last-stream-id) are masked off.
//!
//! Owner: the frame-codec work of issue 8. The signatures below are the contract the HTTP/2
//! engine codes against; additions are fine, changes must be coordinated.
#![forbid(unsafe_code)]

mod decode;
mod encode;
#[cfg(test)]
mod tests;

pub use decode::{check_setting, decode, decode_split, parse_header, settings_iter};
pub use encode::{
    encode_continuation, encode_data, encode_data_header, encode_goaway, encode_header, encode_headers, encode_ping,
    encode_priority, encode_priority_update, encode_push_promise, encode_rst_stream, encode_settings, encode_settings_ack,
    encode_window_update, goaway_head, header_bytes, ping_frame, rst_stream_frame, window_update_frame,
};

/// The connection preface a client sends first (RFC 9113 3.4).
pub const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/// Frame header length.
pub const HEADER_LEN: usize = 9;
/// SETTINGS_MAX_FRAME_SIZE default and bounds.
pub const DEFAULT_MAX_FRAME_SIZE: u32 = 16384;
pub const MAX_MAX_FRAME_SIZE: u32 = 16_777_215;
pub const DEFAULT_INITIAL_WINDOW_SIZE: u32 = 65535;
pub const MAX_WINDOW_SIZE: u32 = 0x7fff_ffff;
/// The 31 bits of a stream identifier (the top bit is reserved).
pub const STREAM_ID_MASK: u32 = 0x7fff_ffff;

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

    /// The RFC's name of the code ("PROTOCOL_ERROR"), or "UNKNOWN" (for logs and debug state).
    pub fn name(self) -> &'static str {
        const NAMES: [&str; 14] = [
            "NO_ERROR",
            "PROTOCOL_ERROR",
            "INTERNAL_ERROR",
            "FLOW_CONTROL_ERROR",
            "SETTINGS_TIMEOUT",
            "STREAM_CLOSED",
            "FRAME_SIZE_ERROR",
            "REFUSED_STREAM",
            "CANCEL",
            "COMPRESSION_ERROR",
            "CONNECT_ERROR",
            "ENHANCE_YOUR_CALM",
            "INADEQUATE_SECURITY",
            "HTTP_1_1_REQUIRED",
        ];
        NAMES.get(self.0 as usize).copied().unwrap_or("UNKNOWN")
    }
}

/// A frame that breaks the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameError {
    pub code: ErrorCode,
    /// `Some(id)`: a stream error (RST_STREAM on that stream, the connection goes on; the frame
    /// has been consumed, `len` tells how many bytes it took); `None`: a connection error (GOAWAY).
    pub stream_id: Option<u32>,
    /// Bytes the offending frame occupies (header + payload) when known, else 0. For a stream
    /// error the whole frame is in the input (`len <= buf.len()`); for a connection error `len`
    /// is what the header announces and may exceed the input.
    pub len: usize,
    /// Human-readable reason (GOAWAY debug data, logs).
    pub reason: &'static str,
}

impl FrameError {
    /// A connection error.
    pub const fn connection(code: ErrorCode, len: usize, reason: &'static str) -> Self {
        FrameError { code, stream_id: None, len, reason }
    }

    /// A stream error on `stream_id` for a frame of `len` bytes.
    pub const fn stream(code: ErrorCode, stream_id: u32, len: usize, reason: &'static str) -> Self {
        FrameError { code, stream_id: Some(stream_id), len, reason }
    }

    /// Whether this is a connection error (GOAWAY) rather than a stream error.
    pub const fn is_connection_error(&self) -> bool {
        self.stream_id.is_none()
    }
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
    /// `data` without padding.
    Data {
        stream_id: u32,
        data: &'a [u8],
        end_stream: bool,
        /// payload length incl. padding: what flow control counts
        flow_len: u32,
    },
    /// `fragment` without padding and priority fields.
    Headers { stream_id: u32, priority: Option<PrioritySpec>, fragment: &'a [u8], end_stream: bool, end_headers: bool },
    Priority { stream_id: u32, spec: PrioritySpec },
    RstStream { stream_id: u32, code: ErrorCode },
    /// `params` is the raw payload (6 bytes per setting, every value already checked with
    /// [`check_setting`]); iterate with [`settings_iter`].
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
