//! Frame encoding: each function appends whole frames to `out` (never padded).

use super::{flag, kind, ErrorCode, PrioritySpec, HEADER_LEN, MAX_MAX_FRAME_SIZE, STREAM_ID_MASK};

/// Appends a frame header. `length` must fit in 24 bits (a larger one is a bug of the caller and
/// panics); the reserved bit of `stream_id` is cleared.
#[inline]
pub fn encode_header(out: &mut Vec<u8>, length: usize, kind: u8, flags: u8, stream_id: u32) {
    out.extend_from_slice(&header_bytes(length, kind, flags, stream_id));
}

/// The 9 bytes of a frame header (as [`encode_header`] appends them; same panic).
#[inline]
pub fn header_bytes(length: usize, kind: u8, flags: u8, stream_id: u32) -> [u8; HEADER_LEN] {
    assert!(length <= MAX_MAX_FRAME_SIZE as usize, "HTTP/2 frame payload of {length} bytes");
    let l = (length as u32).to_be_bytes();
    let s = (stream_id & STREAM_ID_MASK).to_be_bytes();
    [l[1], l[2], l[3], kind, flags, s[0], s[1], s[2], s[3]]
}

/// A frame header followed by the first `P` bytes of a `T`-byte frame (`T` = 9 + `P`; the rest,
/// if any, zero for the caller to fill).
#[inline]
fn frame_with<const T: usize>(kind: u8, flags: u8, stream_id: u32, length: usize, payload: &[u8]) -> [u8; T] {
    let mut f = [0; T];
    f[..HEADER_LEN].copy_from_slice(&header_bytes(length, kind, flags, stream_id));
    f[HEADER_LEN..HEADER_LEN + payload.len()].copy_from_slice(payload);
    f
}

/// A whole RST_STREAM frame (what [`encode_rst_stream`] appends).
#[inline]
pub fn rst_stream_frame(stream_id: u32, code: ErrorCode) -> [u8; HEADER_LEN + 4] {
    frame_with(kind::RST_STREAM, 0, stream_id, 4, &code.0.to_be_bytes())
}

/// A whole WINDOW_UPDATE frame (what [`encode_window_update`] appends; the reserved bit of
/// `increment` is cleared, no range check).
#[inline]
pub fn window_update_frame(stream_id: u32, increment: u32) -> [u8; HEADER_LEN + 4] {
    frame_with(kind::WINDOW_UPDATE, 0, stream_id, 4, &(increment & STREAM_ID_MASK).to_be_bytes())
}

/// A whole PING frame (what [`encode_ping`] appends).
#[inline]
pub fn ping_frame(ack: bool, data: &[u8; 8]) -> [u8; HEADER_LEN + 8] {
    frame_with(kind::PING, if ack { flag::ACK } else { 0 }, 0, 8, data)
}

/// The first 17 bytes of a GOAWAY frame with `debug_len` bytes of debug data (header, Last-Stream-ID
/// with the reserved bit cleared, error code); the debug data follows. Panics as
/// [`encode_header`] when `8 + debug_len` exceeds 24 bits.
#[inline]
pub fn goaway_head(last_stream_id: u32, code: ErrorCode, debug_len: usize) -> [u8; HEADER_LEN + 8] {
    let mut fields = [0; 8];
    fields[..4].copy_from_slice(&(last_stream_id & STREAM_ID_MASK).to_be_bytes());
    fields[4..].copy_from_slice(&code.0.to_be_bytes());
    frame_with(kind::GOAWAY, 0, 0, 8 + debug_len, &fields)
}

/// Appends a DATA frame header for `len` payload bytes (the caller appends the payload).
#[inline]
pub fn encode_data_header(out: &mut Vec<u8>, stream_id: u32, len: usize, end_stream: bool) {
    encode_header(out, len, kind::DATA, if end_stream { flag::END_STREAM } else { 0 }, stream_id)
}

/// Appends one DATA frame carrying `data` (the caller keeps it within the peer's
/// SETTINGS_MAX_FRAME_SIZE and windows).
pub fn encode_data(out: &mut Vec<u8>, stream_id: u32, data: &[u8], end_stream: bool) {
    out.reserve(HEADER_LEN + data.len());
    encode_data_header(out, stream_id, data.len(), end_stream);
    out.extend_from_slice(data);
}

/// Appends a field block as a first frame (`kind`, `flags`, `prefix` + the start of `block`)
/// followed by as many CONTINUATION frames as needed, each payload at most `max_frame_size`;
/// END_HEADERS goes on the last.
fn encode_field_block(out: &mut Vec<u8>, kind: u8, flags: u8, stream_id: u32, prefix: &[u8], block: &[u8], max_frame_size: u32) {
    let max = max_frame_size.clamp(prefix.len() as u32 + 1, MAX_MAX_FRAME_SIZE) as usize;
    let first = block.len().min(max - prefix.len());
    let rest = &block[first..];
    let continuations = rest.len().div_ceil(max);
    out.reserve(HEADER_LEN * (1 + continuations) + prefix.len() + block.len());
    let end = if rest.is_empty() { flag::END_HEADERS } else { 0 };
    encode_header(out, prefix.len() + first, kind, flags | end, stream_id);
    out.extend_from_slice(prefix);
    out.extend_from_slice(&block[..first]);
    let mut chunks = rest.chunks(max).peekable();
    while let Some(chunk) = chunks.next() {
        let end = if chunks.peek().is_none() { flag::END_HEADERS } else { 0 };
        encode_header(out, chunk.len(), kind::CONTINUATION, end, stream_id);
        out.extend_from_slice(chunk);
    }
}

/// Appends HEADERS (+ CONTINUATION frames when `block` exceeds `max_frame_size`, the peer's
/// SETTINGS_MAX_FRAME_SIZE). No padding, no priority fields.
pub fn encode_headers(out: &mut Vec<u8>, stream_id: u32, block: &[u8], end_stream: bool, max_frame_size: u32) {
    let flags = if end_stream { flag::END_STREAM } else { 0 };
    encode_field_block(out, kind::HEADERS, flags, stream_id, &[], block, max_frame_size)
}

/// Appends PUSH_PROMISE (+ CONTINUATION frames when needed); the first frame's payload is the
/// 4-byte Promised Stream ID plus the start of `block`, within `max_frame_size`.
pub fn encode_push_promise(out: &mut Vec<u8>, stream_id: u32, promised_id: u32, block: &[u8], max_frame_size: u32) {
    let prefix = (promised_id & STREAM_ID_MASK).to_be_bytes();
    encode_field_block(out, kind::PUSH_PROMISE, 0, stream_id, &prefix, block, max_frame_size)
}

/// Appends one CONTINUATION frame (encode_headers and encode_push_promise already emit the
/// CONTINUATION frames they need; this is for callers that split blocks themselves).
pub fn encode_continuation(out: &mut Vec<u8>, stream_id: u32, fragment: &[u8], end_headers: bool) {
    out.reserve(HEADER_LEN + fragment.len());
    encode_header(out, fragment.len(), kind::CONTINUATION, if end_headers { flag::END_HEADERS } else { 0 }, stream_id);
    out.extend_from_slice(fragment);
}

/// Appends a SETTINGS frame with `params`.
pub fn encode_settings(out: &mut Vec<u8>, params: &[(u16, u32)]) {
    out.reserve(HEADER_LEN + 6 * params.len());
    encode_header(out, 6 * params.len(), kind::SETTINGS, 0, 0);
    for &(id, value) in params {
        out.extend_from_slice(&id.to_be_bytes());
        out.extend_from_slice(&value.to_be_bytes());
    }
}

/// Appends an empty SETTINGS frame with ACK.
pub fn encode_settings_ack(out: &mut Vec<u8>) {
    encode_header(out, 0, kind::SETTINGS, flag::ACK, 0)
}

/// Appends a PING (with ACK: the answer, echoing the peer's `data`).
pub fn encode_ping(out: &mut Vec<u8>, ack: bool, data: &[u8; 8]) {
    out.extend_from_slice(&ping_frame(ack, data));
}

/// Appends a GOAWAY with `debug` as its additional debug data.
pub fn encode_goaway(out: &mut Vec<u8>, last_stream_id: u32, code: ErrorCode, debug: &[u8]) {
    out.reserve(HEADER_LEN + 8 + debug.len());
    out.extend_from_slice(&goaway_head(last_stream_id, code, debug.len()));
    out.extend_from_slice(debug);
}

/// Appends RST_STREAM.
pub fn encode_rst_stream(out: &mut Vec<u8>, stream_id: u32, code: ErrorCode) {
    out.extend_from_slice(&rst_stream_frame(stream_id, code));
}

/// Appends WINDOW_UPDATE (`increment` 1..=2^31-1; stream 0 is the connection window).
pub fn encode_window_update(out: &mut Vec<u8>, stream_id: u32, increment: u32) {
    debug_assert!((1..=STREAM_ID_MASK).contains(&increment), "WINDOW_UPDATE increment {increment}");
    out.extend_from_slice(&window_update_frame(stream_id, increment));
}

/// Appends PRIORITY (`spec.weight` 1..=256).
pub fn encode_priority(out: &mut Vec<u8>, stream_id: u32, spec: PrioritySpec) {
    debug_assert!((1..=256).contains(&spec.weight), "priority weight {}", spec.weight);
    encode_header(out, 5, kind::PRIORITY, 0, stream_id);
    let dep = (spec.dependency & STREAM_ID_MASK) | if spec.exclusive { !STREAM_ID_MASK } else { 0 };
    out.extend_from_slice(&dep.to_be_bytes());
    out.push(spec.weight.clamp(1, 256).wrapping_sub(1) as u8);
}

/// Appends PRIORITY_UPDATE (RFC 9218 7.1, on stream 0) for `prioritized_id` with the Priority
/// Field Value `field_value` (e.g. `u=1, i`).
pub fn encode_priority_update(out: &mut Vec<u8>, prioritized_id: u32, field_value: &[u8]) {
    out.reserve(HEADER_LEN + 4 + field_value.len());
    encode_header(out, 4 + field_value.len(), kind::PRIORITY_UPDATE, 0, 0);
    out.extend_from_slice(&(prioritized_id & STREAM_ID_MASK).to_be_bytes());
    out.extend_from_slice(field_value);
}
