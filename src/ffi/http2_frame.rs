//! The frame codec of `h2o/http2.h` (2.2.5's `h2o/http2_internal.h`): `h2o_http2_decode_frame`,
//! the seven `h2o_http2_decode_*_payload`, `h2o_http2_update_peer_settings` and the encoders, over
//! [`crate::http2::frame`].
//!
//! Errors as 2.2.5 reports them: a negative `H2O_HTTP2_ERROR_*` (the RFC code negated) and a static,
//! NUL-terminated description in `*err_desc` (the codec's reason; left alone on success and for
//! `H2O_HTTP2_ERROR_INCOMPLETE`). The return values equal 2.2.5's except for the deliberate
//! differences listed in the header's frame section (RFC 9113 4.2 frame size errors, the RFC 8441 /
//! RFC 9218 SETTINGS values, reserved bits written as 0); `tests/abi/diff/http2_frame_diff.c`
//! checks both against Debian's library. Output structs are written only on success, except
//! WINDOW_UPDATE's increment, which 2.2.5 also stores when it is 0 (the error).
//!
//! Ownership: nothing is allocated for the caller; decoded pointers point into the caller's frame;
//! the encoders append to the caller's buffer (`h2o_buffer_reserve`'s rules).

use std::ffi::{CStr, CString, c_char, c_int};
use std::sync::Mutex;

use crate::abi::http2::{h2o_http2_priority_t, h2o_http2_settings_t};
use crate::abi::http2_frame::{
    H2O_HTTP2_ERROR_INCOMPLETE, h2o_http2_data_payload_t, h2o_http2_frame_t, h2o_http2_goaway_payload_t,
    h2o_http2_headers_payload_t, h2o_http2_ping_payload_t, h2o_http2_rst_stream_payload_t, h2o_http2_window_update_payload_t,
};
use crate::abi::memory::{h2o_buffer_t, h2o_iovec_t};
use crate::abi::panic::boundary;
use crate::http2::frame::{self, ErrorCode, Frame, FrameError, HEADER_LEN, MAX_MAX_FRAME_SIZE, PrioritySpec, kind, setting};
use crate::{buffer, mem};

/// What a decoder returns when it panics (never expected): H2O_HTTP2_ERROR_INTERNAL.
const INTERNAL: c_int = -(ErrorCode::INTERNAL_ERROR.0 as c_int);

/// `reason` as a C string with static life: each distinct reason is copied once (the codec's
/// reasons are a few dozen literals) and kept.
fn c_reason(reason: &'static str) -> *const c_char {
    static REASONS: Mutex<Vec<&'static CStr>> = Mutex::new(Vec::new());
    let mut known = REASONS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(c) = known.iter().find(|c| c.to_bytes() == reason.as_bytes()) {
        return c.as_ptr();
    }
    let c: &'static CStr = Box::leak(CString::new(reason).unwrap_or_default().into_boxed_c_str());
    known.push(c);
    c.as_ptr()
}

/// The 2.2.5 return value of `e`, with its reason in `*err_desc`.
///
/// # Safety
/// `err_desc` is NULL or valid for writes.
unsafe fn fail(e: &FrameError, err_desc: *mut *const c_char) -> c_int {
    if !err_desc.is_null() {
        // SAFETY: per the contract.
        unsafe { *err_desc = c_reason(e.reason) };
    }
    -(e.code.0 as c_int)
}

/// `frame`'s payload as a slice and the frame decoded as a frame of type `kind` (whatever
/// `frame->type` says, as 2.2.5's payload decoders do).
///
/// # Safety
/// `frame` is valid and its payload is `length` readable bytes (any pointer when 0).
unsafe fn split<'a>(frame: *const h2o_http2_frame_t, kind: u8) -> (&'a [u8], Result<Frame<'a>, FrameError>) {
    // SAFETY: per the contract.
    let f = unsafe { &*frame };
    let payload: &[u8] = if f.length == 0 || f.payload.is_null() {
        &[]
    } else {
        // SAFETY: per the contract.
        unsafe { std::slice::from_raw_parts(f.payload, f.length as usize) }
    };
    (payload, frame::decode_split(kind, f.flags, f.stream_id, payload))
}

/// The caller's pointer to `part`, a subslice of `payload` (the frame's own pointer plus the
/// offset, so an empty part keeps its place).
///
/// # Safety
/// `frame` is valid; `part` lies within `payload`, the frame's payload.
unsafe fn at(frame: *const h2o_http2_frame_t, payload: &[u8], part: &[u8]) -> *const u8 {
    let offset = part.as_ptr() as usize - payload.as_ptr() as usize;
    // SAFETY: per the contract.
    unsafe { (*frame).payload.wrapping_add(offset) }
}

/// A payload decoder: `frame` decoded as `kind`; on success `store` writes the caller's struct
/// (from the payload slice and the frame), else the error is returned as 2.2.5 does.
///
/// # Safety
/// As `split`; `err_desc` NULL or valid for writes; `store` writes only valid destinations.
unsafe fn decode_as(
    frame: *const h2o_http2_frame_t,
    kind: u8,
    err_desc: *mut *const c_char,
    store: impl FnOnce(&[u8], Frame<'_>),
) -> c_int {
    // SAFETY: per the contract.
    match unsafe { split(frame, kind) } {
        (bytes, Ok(f)) => {
            store(bytes, f);
            0
        }
        // SAFETY: per the contract.
        (_, Err(e)) => unsafe { fail(&e, err_desc) },
    }
}

fn priority_of(spec: PrioritySpec) -> h2o_http2_priority_t {
    h2o_http2_priority_t { exclusive: c_int::from(spec.exclusive), dependency: spec.dependency, weight: spec.weight }
}

/// Splits one frame off `src[0..len)` (see the header).
///
/// # Safety
/// `frame` is valid for writes, `src` for `len` reads, `host_settings` valid, `err_desc` NULL or
/// valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_decode_frame(
    frame: *mut h2o_http2_frame_t,
    src: *const u8,
    len: usize,
    host_settings: *const h2o_http2_settings_t,
    err_desc: *mut *const c_char,
) -> isize {
    boundary("h2o_http2_decode_frame", INTERNAL as isize, || {
        if len < HEADER_LEN {
            return H2O_HTTP2_ERROR_INCOMPLETE as isize;
        }
        // SAFETY: per the contract (`len >= 9`).
        let input = unsafe { std::slice::from_raw_parts(src, len) };
        let Some(h) = frame::parse_header(input) else { return H2O_HTTP2_ERROR_INCOMPLETE as isize };
        // SAFETY: per the contract.
        let f = unsafe { &mut *frame };
        f.length = h.length;
        f.r#type = h.kind;
        f.flags = h.flags;
        f.stream_id = h.stream_id;
        // SAFETY: per the contract.
        if h.length > unsafe { (*host_settings).max_frame_size } {
            let e = FrameError::connection(ErrorCode::FRAME_SIZE_ERROR, 0, "frame larger than SETTINGS_MAX_FRAME_SIZE");
            // SAFETY: per the contract.
            return unsafe { fail(&e, err_desc) } as isize;
        }
        let total = HEADER_LEN + h.length as usize;
        if len < total {
            return H2O_HTTP2_ERROR_INCOMPLETE as isize;
        }
        f.payload = input[HEADER_LEN..].as_ptr();
        total as isize
    })
}

/// DATA without its padding.
///
/// # Safety
/// `payload` valid for writes; `frame` as `split` says; `err_desc` NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_decode_data_payload(
    payload: *mut h2o_http2_data_payload_t,
    frame: *const h2o_http2_frame_t,
    err_desc: *mut *const c_char,
) -> c_int {
    boundary("h2o_http2_decode_data_payload", INTERNAL, || {
        // SAFETY: per the contract.
        unsafe {
            decode_as(frame, kind::DATA, err_desc, |bytes, f| {
                if let Frame::Data { data, .. } = f {
                    *payload = h2o_http2_data_payload_t { data: at(frame, bytes, data), length: data.len() };
                }
            })
        }
    })
}

/// HEADERS: priority (2.2.5's default when absent) and the fragment without padding.
///
/// # Safety
/// As `h2o_http2_decode_data_payload`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_decode_headers_payload(
    payload: *mut h2o_http2_headers_payload_t,
    frame: *const h2o_http2_frame_t,
    err_desc: *mut *const c_char,
) -> c_int {
    boundary("h2o_http2_decode_headers_payload", INTERNAL, || {
        // SAFETY: per the contract.
        unsafe {
            decode_as(frame, kind::HEADERS, err_desc, |bytes, f| {
                if let Frame::Headers { priority, fragment, .. } = f {
                    let spec = priority.unwrap_or(PrioritySpec { exclusive: false, dependency: 0, weight: 16 });
                    *payload = h2o_http2_headers_payload_t {
                        priority: priority_of(spec),
                        headers: at(frame, bytes, fragment),
                        headers_len: fragment.len(),
                    };
                }
            })
        }
    })
}

/// PRIORITY.
///
/// # Safety
/// As `h2o_http2_decode_data_payload`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_decode_priority_payload(
    payload: *mut h2o_http2_priority_t,
    frame: *const h2o_http2_frame_t,
    err_desc: *mut *const c_char,
) -> c_int {
    boundary("h2o_http2_decode_priority_payload", INTERNAL, || {
        // SAFETY: per the contract.
        unsafe {
            decode_as(frame, kind::PRIORITY, err_desc, |_, f| {
                if let Frame::Priority { spec, .. } = f {
                    *payload = priority_of(spec);
                }
            })
        }
    })
}

/// RST_STREAM.
///
/// # Safety
/// As `h2o_http2_decode_data_payload`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_decode_rst_stream_payload(
    payload: *mut h2o_http2_rst_stream_payload_t,
    frame: *const h2o_http2_frame_t,
    err_desc: *mut *const c_char,
) -> c_int {
    boundary("h2o_http2_decode_rst_stream_payload", INTERNAL, || {
        // SAFETY: per the contract.
        unsafe {
            decode_as(frame, kind::RST_STREAM, err_desc, |_, f| {
                if let Frame::RstStream { code, .. } = f {
                    (*payload).error_code = code.0;
                }
            })
        }
    })
}

/// PING.
///
/// # Safety
/// As `h2o_http2_decode_data_payload`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_decode_ping_payload(
    payload: *mut h2o_http2_ping_payload_t,
    frame: *const h2o_http2_frame_t,
    err_desc: *mut *const c_char,
) -> c_int {
    boundary("h2o_http2_decode_ping_payload", INTERNAL, || {
        // SAFETY: per the contract.
        unsafe {
            decode_as(frame, kind::PING, err_desc, |_, f| {
                if let Frame::Ping { data, .. } = f {
                    (*payload).data = data;
                }
            })
        }
    })
}

/// GOAWAY; `debug_data` {NULL, 0} when there is none.
///
/// # Safety
/// As `h2o_http2_decode_data_payload`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_decode_goaway_payload(
    payload: *mut h2o_http2_goaway_payload_t,
    frame: *const h2o_http2_frame_t,
    err_desc: *mut *const c_char,
) -> c_int {
    boundary("h2o_http2_decode_goaway_payload", INTERNAL, || {
        // SAFETY: per the contract.
        unsafe {
            decode_as(frame, kind::GOAWAY, err_desc, |bytes, f| {
                if let Frame::GoAway { last_stream_id, code, debug } = f {
                    let debug_data = if debug.is_empty() {
                        h2o_iovec_t::EMPTY
                    } else {
                        h2o_iovec_t { base: at(frame, bytes, debug).cast_mut().cast(), len: debug.len() }
                    };
                    *payload = h2o_http2_goaway_payload_t { last_stream_id, error_code: code.0, debug_data };
                }
            })
        }
    })
}

/// WINDOW_UPDATE; on an error `*err_is_stream_level` tells a stream error (increment 0 on a
/// stream) from a connection error.
///
/// # Safety
/// As `h2o_http2_decode_data_payload`; `err_is_stream_level` valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_decode_window_update_payload(
    payload: *mut h2o_http2_window_update_payload_t,
    frame: *const h2o_http2_frame_t,
    err_desc: *mut *const c_char,
    err_is_stream_level: *mut c_int,
) -> c_int {
    boundary("h2o_http2_decode_window_update_payload", INTERNAL, || {
        // SAFETY: per the contract.
        unsafe {
            match split(frame, kind::WINDOW_UPDATE) {
                (_, Ok(f)) => {
                    if let Frame::WindowUpdate { increment, .. } = f {
                        (*payload).window_size_increment = increment;
                    }
                    0
                }
                (_, Err(e)) => {
                    if e.code == ErrorCode::PROTOCOL_ERROR {
                        // the increment was read: it is 0 (2.2.5 stores it)
                        (*payload).window_size_increment = 0;
                    }
                    *err_is_stream_level = c_int::from(!e.is_connection_error());
                    fail(&e, err_desc)
                }
            }
        }
    })
}

/// Applies SETTINGS parameters to `settings` (see the header).
///
/// # Safety
/// `settings` valid for writes, `src` for `len` reads, `err_desc` NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_update_peer_settings(
    settings: *mut h2o_http2_settings_t,
    src: *const u8,
    len: usize,
    err_desc: *mut *const c_char,
) -> c_int {
    boundary("h2o_http2_update_peer_settings", INTERNAL, || {
        // SAFETY: per the contract.
        let (s, params) = unsafe { (&mut *settings, if len == 0 { &[][..] } else { std::slice::from_raw_parts(src, len) }) };
        for (id, value) in frame::settings_iter(params) {
            if let Err(e) = frame::check_setting(id, value) {
                // SAFETY: per the contract.
                return unsafe { fail(&e, err_desc) };
            }
            match id {
                setting::HEADER_TABLE_SIZE => s.header_table_size = value,
                setting::ENABLE_PUSH => s.enable_push = value,
                setting::MAX_CONCURRENT_STREAMS => s.max_concurrent_streams = value,
                setting::INITIAL_WINDOW_SIZE => s.initial_window_size = value,
                setting::MAX_FRAME_SIZE => s.max_frame_size = value,
                _ => {}
            }
        }
        if !len.is_multiple_of(6) {
            let e = FrameError::connection(ErrorCode::FRAME_SIZE_ERROR, 0, "SETTINGS length is not a multiple of 6");
            // SAFETY: per the contract.
            return unsafe { fail(&e, err_desc) };
        }
        0
    })
}

/// Dies as 2.2.5 does for a frame whose payload does not fit in 24 bits.
fn check_length(length: usize) {
    if length > MAX_MAX_FRAME_SIZE as usize {
        mem::fatal("invalid length");
    }
}

/// Writes a frame header at `dst` and returns `dst + 9`.
///
/// # Safety
/// `dst` is valid for 9 writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_encode_frame_header(dst: *mut u8, length: usize, r#type: u8, flags: u8, stream_id: i32) -> *mut u8 {
    boundary("h2o_http2_encode_frame_header", dst, || {
        check_length(length);
        let bytes = frame::header_bytes(length, r#type, flags, stream_id as u32);
        // SAFETY: per the contract.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), dst, HEADER_LEN);
            dst.add(HEADER_LEN)
        }
    })
}

/// Appends `parts` (one frame) to `*buf`.
///
/// # Safety
/// `buf` points to a buffer pointer set by `h2o_buffer_init` or a previous reserve/consume.
unsafe fn append(buf: *mut *mut h2o_buffer_t, parts: &[&[u8]]) {
    let total: usize = parts.iter().map(|p| p.len()).sum();
    // SAFETY: per the contract.
    let room = unsafe { buffer::reserve(&mut *buf, total) };
    if room.base.is_null() {
        // 2.2.5 writes through the NULL it gets here; dying with a message is the kinder crash
        mem::fatal("no memory for an HTTP/2 frame");
    }
    let mut dst = room.base.cast::<u8>();
    // SAFETY: `room` has at least `total` writable bytes after the data; `*buf` is the buffer
    // reserve returned.
    unsafe {
        for p in parts {
            std::ptr::copy_nonoverlapping(p.as_ptr(), dst, p.len());
            dst = dst.add(p.len());
        }
        (**buf).size += total;
    }
}

/// Appends RST_STREAM with the positive RFC error code `errnum`.
///
/// # Safety
/// As `append`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2__encode_rst_stream_frame(buf: *mut *mut h2o_buffer_t, stream_id: u32, errnum: c_int) {
    boundary("h2o_http2__encode_rst_stream_frame", (), || {
        // SAFETY: per the contract.
        unsafe { append(buf, &[&frame::rst_stream_frame(stream_id, ErrorCode(errnum as u32))]) }
    })
}

/// Appends PING carrying the 8 bytes at `data`.
///
/// # Safety
/// As `append`; `data` valid for 8 reads.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_encode_ping_frame(buf: *mut *mut h2o_buffer_t, is_ack: c_int, data: *const u8) {
    boundary("h2o_http2_encode_ping_frame", (), || {
        // SAFETY: per the contract.
        unsafe {
            let data = &*data.cast::<[u8; 8]>();
            append(buf, &[&frame::ping_frame(is_ack != 0, data)])
        }
    })
}

/// Appends GOAWAY; `errnum` is an `H2O_HTTP2_ERROR_*` value.
///
/// # Safety
/// As `append`; `additional_data` is `len` readable bytes (any base when 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_encode_goaway_frame(
    buf: *mut *mut h2o_buffer_t,
    last_stream_id: u32,
    errnum: c_int,
    additional_data: h2o_iovec_t,
) {
    boundary("h2o_http2_encode_goaway_frame", (), || {
        let debug: &[u8] = if additional_data.len == 0 || additional_data.base.is_null() {
            &[]
        } else {
            // SAFETY: per the contract.
            unsafe { std::slice::from_raw_parts(additional_data.base.cast::<u8>(), additional_data.len) }
        };
        check_length(8usize.saturating_add(debug.len()));
        let head = frame::goaway_head(last_stream_id, ErrorCode((errnum as u32).wrapping_neg()), debug.len());
        // SAFETY: per the contract.
        unsafe { append(buf, &[&head, debug]) }
    })
}

/// Appends WINDOW_UPDATE.
///
/// # Safety
/// As `append`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_encode_window_update_frame(buf: *mut *mut h2o_buffer_t, stream_id: u32, window_size_increment: i32) {
    boundary("h2o_http2_encode_window_update_frame", (), || {
        // SAFETY: per the contract.
        unsafe { append(buf, &[&frame::window_update_frame(stream_id, window_size_increment as u32)]) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr::null;

    const HOST: h2o_http2_settings_t =
        h2o_http2_settings_t { header_table_size: 4096, enable_push: 0, max_concurrent_streams: 100, initial_window_size: 65535, max_frame_size: 16384 };

    fn decode(input: &[u8]) -> (isize, h2o_http2_frame_t) {
        let mut f = h2o_http2_frame_t { length: 0, r#type: 0, flags: 0, stream_id: 0, payload: null() };
        let mut desc = null();
        // SAFETY: valid pointers to locals.
        let n = unsafe { h2o_http2_decode_frame(&mut f, input.as_ptr(), input.len(), &HOST, &mut desc) };
        (n, f)
    }

    #[test]
    fn frames_and_payloads_through_the_c_api() {
        let mut ping = frame::ping_frame(false, b"12345678").to_vec();
        ping.extend_from_slice(b"next");
        let (n, f) = decode(&ping);
        assert_eq!((n, f.length, f.r#type), (17, 8, kind::PING));
        assert_eq!(decode(&ping[..16]).0, H2O_HTTP2_ERROR_INCOMPLETE as isize);
        let mut p = h2o_http2_ping_payload_t { data: [0; 8] };
        let mut desc = null();
        // SAFETY: valid pointers; `f.payload` points into `ping`.
        assert_eq!(unsafe { h2o_http2_decode_ping_payload(&mut p, &f, &mut desc) }, 0);
        assert_eq!(&p.data, b"12345678");
        assert!(desc.is_null());

        // WINDOW_UPDATE of 0 on a stream: a stream-level PROTOCOL error, the increment stored
        let wu = frame::window_update_frame(3, 0);
        let (_, f) = decode(&wu);
        let (mut w, mut level) = (h2o_http2_window_update_payload_t { window_size_increment: 7 }, 9);
        // SAFETY: as above.
        let r = unsafe { h2o_http2_decode_window_update_payload(&mut w, &f, &mut desc, &mut level) };
        assert_eq!((r, w.window_size_increment, level), (-1, 0, 1));
        // SAFETY: the reason is a static C string.
        let reason = unsafe { CStr::from_ptr(desc) }.to_str().unwrap();
        assert!(reason.contains("increment 0"), "{reason}");
        // the same reason again: the same pointer
        let first = desc;
        // SAFETY: as above.
        unsafe { h2o_http2_decode_window_update_payload(&mut w, &f, &mut desc, &mut level) };
        assert_eq!(desc, first);

        // too large for the host's SETTINGS_MAX_FRAME_SIZE
        let big = frame::header_bytes(16385, kind::DATA, 0, 1);
        assert_eq!(decode(&big).0, -6);
    }

    #[test]
    fn settings_apply_in_order() {
        let mut s = HOST;
        let mut params = Vec::new();
        for (id, v) in [(setting::MAX_FRAME_SIZE, 20000u32), (setting::ENABLE_PUSH, 1), (setting::INITIAL_WINDOW_SIZE, 1 << 31)] {
            params.extend_from_slice(&id.to_be_bytes());
            params.extend_from_slice(&v.to_be_bytes());
        }
        let mut desc = null();
        // SAFETY: valid pointers to locals.
        let r = unsafe { h2o_http2_update_peer_settings(&mut s, params.as_ptr(), params.len(), &mut desc) };
        assert_eq!((r, s.max_frame_size, s.enable_push, s.initial_window_size), (-3, 20000, 1, 65535));
        // SAFETY: as above; a partial entry after two whole ones
        let r = unsafe { h2o_http2_update_peer_settings(&mut s, params.as_ptr(), 14, &mut desc) };
        assert_eq!(r, -6);
    }
}
