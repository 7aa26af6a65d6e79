//! Frame decoding: the header, then the type's payload rules (see the table in the module doc).

use super::{
    flag, kind, setting, ErrorCode, Frame, FrameError, FrameHeader, PrioritySpec, DEFAULT_MAX_FRAME_SIZE, HEADER_LEN,
    MAX_MAX_FRAME_SIZE, MAX_WINDOW_SIZE, STREAM_ID_MASK,
};

const PROTOCOL: ErrorCode = ErrorCode::PROTOCOL_ERROR;
const FRAME_SIZE: ErrorCode = ErrorCode::FRAME_SIZE_ERROR;

/// Parses a frame header (the reserved bit is ignored). `None` if fewer than 9 bytes.
#[inline]
pub fn parse_header(buf: &[u8]) -> Option<FrameHeader> {
    let h: &[u8; HEADER_LEN] = buf.first_chunk()?;
    Some(FrameHeader {
        length: u32::from_be_bytes([0, h[0], h[1], h[2]]),
        kind: h[3],
        flags: h[4],
        stream_id: u32::from_be_bytes([h[5], h[6], h[7], h[8]]) & STREAM_ID_MASK,
    })
}

/// Decodes the first frame of `buf`, whose payload may be at most `max_frame_size` bytes (our
/// SETTINGS_MAX_FRAME_SIZE). `Ok(None)`: more bytes needed. `Ok(Some((frame, n)))`: the frame and
/// the bytes it took. Errors as [`FrameError`] and the module doc say (a frame larger than
/// `max_frame_size` is a connection FRAME_SIZE_ERROR).
#[inline]
pub fn decode(buf: &[u8], max_frame_size: u32) -> Result<Option<(Frame<'_>, usize)>, FrameError> {
    let Some(h) = parse_header(buf) else { return Ok(None) };
    let total = HEADER_LEN + h.length as usize;
    if h.length > max_frame_size {
        return Err(FrameError::connection(FRAME_SIZE, total, "frame larger than SETTINGS_MAX_FRAME_SIZE"));
    }
    check_header(&h, total)?;
    let Some(payload) = buf.get(HEADER_LEN..total) else { return Ok(None) };
    let frame = decode_payload(&h, payload, total)?;
    check_self_dependency(&frame, total)?;
    Ok(Some((frame, total)))
}

/// Checks and decodes the payload of a frame whose header the caller has parsed already (for
/// callers that split frames themselves, such as 2.2.5's `h2o_http2_decode_*_payload`): the
/// header's fields `kind`, `flags` and `stream_id` (taken as given: [`parse_header`] masks the
/// reserved bit off) with `payload`, the whole payload. The same rules as [`decode`] (see the
/// module doc) except two that stay with the caller: the length limit (SETTINGS_MAX_FRAME_SIZE)
/// and a stream depending on itself (HEADERS and PRIORITY decode; the caller compares
/// [`PrioritySpec::dependency`] with the stream id). The error's `len` is `9 + payload.len()`.
pub fn decode_split(kind: u8, flags: u8, stream_id: u32, payload: &[u8]) -> Result<Frame<'_>, FrameError> {
    let total = HEADER_LEN + payload.len();
    let h = FrameHeader { length: payload.len() as u32, kind, flags, stream_id };
    check_header(&h, total)?;
    decode_payload(&h, payload, total)
}

/// A stream depending on itself: a connection error for HEADERS (see the module doc), a stream
/// error for PRIORITY.
fn check_self_dependency(frame: &Frame<'_>, total: usize) -> Result<(), FrameError> {
    match *frame {
        Frame::Headers { stream_id, priority: Some(spec), .. } if spec.dependency == stream_id => {
            Err(FrameError::connection(PROTOCOL, total, "HEADERS stream depends on itself"))
        }
        Frame::Priority { stream_id, spec } if spec.dependency == stream_id => {
            Err(FrameError::stream(PROTOCOL, stream_id, total, "PRIORITY stream depends on itself"))
        }
        _ => Ok(()),
    }
}

/// The connection errors the header alone shows: the stream id 0 or not, and lengths too short
/// (or, for fixed-size frames, wrong) for the type.
fn check_header(h: &FrameHeader, total: usize) -> Result<(), FrameError> {
    let conn = |code, reason| Err(FrameError::connection(code, total, reason));
    let padded = usize::from(h.flags & flag::PADDED != 0);
    let len = h.length as usize;
    match h.kind {
        kind::DATA | kind::HEADERS | kind::PRIORITY | kind::RST_STREAM | kind::PUSH_PROMISE | kind::CONTINUATION
            if h.stream_id == 0 =>
        {
            conn(PROTOCOL, "frame type requires a stream")
        }
        kind::SETTINGS | kind::PING | kind::GOAWAY | kind::PRIORITY_UPDATE if h.stream_id != 0 => {
            conn(PROTOCOL, "frame type must be on stream 0")
        }
        kind::DATA if len < padded => conn(FRAME_SIZE, "DATA too short for its Pad Length"),
        kind::HEADERS if len < padded + if h.flags & flag::PRIORITY != 0 { 5 } else { 0 } => {
            conn(FRAME_SIZE, "HEADERS too short for its Pad Length and priority")
        }
        kind::PUSH_PROMISE if len < padded + 4 => conn(FRAME_SIZE, "PUSH_PROMISE too short for its Promised Stream ID"),
        kind::RST_STREAM if len != 4 => conn(FRAME_SIZE, "RST_STREAM length is not 4"),
        kind::SETTINGS if h.flags & flag::ACK != 0 && len != 0 => conn(FRAME_SIZE, "SETTINGS ACK with a payload"),
        kind::SETTINGS if !len.is_multiple_of(6) => conn(FRAME_SIZE, "SETTINGS length is not a multiple of 6"),
        kind::PING if len != 8 => conn(FRAME_SIZE, "PING length is not 8"),
        kind::GOAWAY if len < 8 => conn(FRAME_SIZE, "GOAWAY shorter than 8"),
        kind::WINDOW_UPDATE if len != 4 => conn(FRAME_SIZE, "WINDOW_UPDATE length is not 4"),
        kind::PRIORITY_UPDATE if len < 4 => conn(FRAME_SIZE, "PRIORITY_UPDATE shorter than 4"),
        _ => Ok(()),
    }
}

#[inline]
fn be32(b: &[u8]) -> u32 {
    match b.first_chunk::<4>() {
        Some(c) => u32::from_be_bytes(*c),
        None => 0, // unreachable: every caller has checked the length
    }
}

/// The 5 bytes of a stream dependency.
#[inline]
fn priority_spec(b: &[u8]) -> PrioritySpec {
    let dep = be32(b);
    PrioritySpec {
        exclusive: dep & !STREAM_ID_MASK != 0,
        dependency: dep & STREAM_ID_MASK,
        weight: b.get(4).map_or(16, |&w| u16::from(w) + 1),
    }
}

/// Strips the Pad Length byte and the padding when PADDED is set; `fixed` bytes of fields must
/// remain before the padding (the header check guaranteed the Pad Length byte is there).
#[inline]
fn unpad<'a>(h: &FrameHeader, payload: &'a [u8], fixed: usize, total: usize) -> Result<&'a [u8], FrameError> {
    if h.flags & flag::PADDED == 0 {
        return Ok(payload);
    }
    match payload.split_first() {
        Some((&pad, rest)) if usize::from(pad) + fixed <= rest.len() => Ok(&rest[..rest.len() - usize::from(pad)]),
        _ => Err(FrameError::connection(PROTOCOL, total, "padding exceeds the payload")),
    }
}

fn decode_payload<'a>(h: &FrameHeader, payload: &'a [u8], total: usize) -> Result<Frame<'a>, FrameError> {
    let stream_id = h.stream_id;
    let end_stream = h.flags & flag::END_STREAM != 0;
    let end_headers = h.flags & flag::END_HEADERS != 0;
    let conn = |code, reason| FrameError::connection(code, total, reason);
    Ok(match h.kind {
        kind::DATA => Frame::Data { stream_id, data: unpad(h, payload, 0, total)?, end_stream, flow_len: h.length },
        kind::HEADERS => {
            let mut fragment = unpad(h, payload, if h.flags & flag::PRIORITY != 0 { 5 } else { 0 }, total)?;
            let priority = if h.flags & flag::PRIORITY != 0 {
                let spec = priority_spec(fragment);
                fragment = &fragment[5..];
                Some(spec)
            } else {
                None
            };
            Frame::Headers { stream_id, priority, fragment, end_stream, end_headers }
        }
        kind::PRIORITY => {
            if payload.len() != 5 {
                return Err(FrameError::stream(FRAME_SIZE, stream_id, total, "PRIORITY length is not 5"));
            }
            Frame::Priority { stream_id, spec: priority_spec(payload) }
        }
        kind::RST_STREAM => Frame::RstStream { stream_id, code: ErrorCode(be32(payload)) },
        kind::SETTINGS => {
            for (id, value) in settings_iter(payload) {
                check_setting(id, value).map_err(|e| FrameError { len: total, ..e })?;
            }
            Frame::Settings { ack: h.flags & flag::ACK != 0, params: payload }
        }
        kind::PUSH_PROMISE => {
            let rest = unpad(h, payload, 4, total)?;
            let promised_id = be32(rest) & STREAM_ID_MASK;
            if promised_id == 0 || promised_id & 1 != 0 {
                return Err(conn(PROTOCOL, "PUSH_PROMISE promises a stream id that is 0 or odd"));
            }
            Frame::PushPromise { stream_id, promised_id, fragment: &rest[4..], end_headers }
        }
        kind::PING => Frame::Ping { ack: h.flags & flag::ACK != 0, data: payload.first_chunk().copied().unwrap_or_default() },
        kind::GOAWAY => Frame::GoAway {
            last_stream_id: be32(payload) & STREAM_ID_MASK,
            code: ErrorCode(be32(&payload[4..])),
            debug: &payload[8..],
        },
        kind::WINDOW_UPDATE => {
            let increment = be32(payload) & STREAM_ID_MASK;
            if increment == 0 {
                return Err(if stream_id == 0 {
                    conn(PROTOCOL, "WINDOW_UPDATE with increment 0")
                } else {
                    FrameError::stream(PROTOCOL, stream_id, total, "WINDOW_UPDATE with increment 0")
                });
            }
            Frame::WindowUpdate { stream_id, increment }
        }
        kind::CONTINUATION => Frame::Continuation { stream_id, fragment: payload, end_headers },
        kind::PRIORITY_UPDATE => {
            let prioritized_id = be32(payload) & STREAM_ID_MASK;
            if prioritized_id == 0 {
                return Err(conn(PROTOCOL, "PRIORITY_UPDATE for stream 0"));
            }
            Frame::PriorityUpdate { prioritized_id, field_value: &payload[4..] }
        }
        _ => Frame::Unknown { kind: h.kind, flags: h.flags, stream_id },
    })
}

/// Iterates the (identifier, value) pairs of a SETTINGS payload (already length-checked; a
/// trailing partial entry is ignored).
pub fn settings_iter(params: &[u8]) -> impl Iterator<Item = (u16, u32)> + '_ {
    params.chunks_exact(6).map(|c| (u16::from_be_bytes([c[0], c[1]]), u32::from_be_bytes([c[2], c[3], c[4], c[5]])))
}

/// Checks one SETTINGS value (RFC 9113 6.5.2): ENABLE_PUSH 0/1, INITIAL_WINDOW_SIZE <= 2^31-1
/// (FLOW_CONTROL_ERROR), MAX_FRAME_SIZE in range (PROTOCOL_ERROR); also ENABLE_CONNECT_PROTOCOL
/// (RFC 8441 3) and NO_RFC7540_PRIORITIES (RFC 9218 2.1) 0/1 (PROTOCOL_ERROR). Unknown ids are
/// accepted. The error is a connection error with `len` 0.
pub fn check_setting(id: u16, value: u32) -> Result<(), FrameError> {
    let err = |code, reason| Err(FrameError::connection(code, 0, reason));
    match id {
        setting::ENABLE_PUSH if value > 1 => err(PROTOCOL, "SETTINGS_ENABLE_PUSH is not 0 or 1"),
        setting::INITIAL_WINDOW_SIZE if value > MAX_WINDOW_SIZE => {
            err(ErrorCode::FLOW_CONTROL_ERROR, "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1")
        }
        setting::MAX_FRAME_SIZE if !(DEFAULT_MAX_FRAME_SIZE..=MAX_MAX_FRAME_SIZE).contains(&value) => {
            err(PROTOCOL, "SETTINGS_MAX_FRAME_SIZE out of range")
        }
        setting::ENABLE_CONNECT_PROTOCOL if value > 1 => err(PROTOCOL, "SETTINGS_ENABLE_CONNECT_PROTOCOL is not 0 or 1"),
        setting::NO_RFC7540_PRIORITIES if value > 1 => err(PROTOCOL, "SETTINGS_NO_RFC7540_PRIORITIES is not 0 or 1"),
        _ => Ok(()),
    }
}
