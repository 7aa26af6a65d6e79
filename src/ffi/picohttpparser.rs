//! `picohttpparser.h`: `phr_parse_request`, `phr_parse_response`, `phr_parse_headers`,
//! `phr_decode_chunked` and `phr_decode_chunked_is_in_data`, with upstream's signatures.
//!
//! Ownership: nothing is allocated. Every pointer the parser writes into the caller's variables
//! points into the caller's `buf` and is valid as long as that buffer is.
//!
//! The chunked decoder struct has two layouts (see COMPAT.md): 16 bytes in libh2o 2.2.5, 32 in
//! current upstream. The exported `phr_decode_chunked` takes the 16-byte one (binaries built against
//! 2.2.5 pass it) and never writes past it; `include/picohttpparser.h` maps `phr_decode_chunked` to
//! `phr_decode_chunked_v2`, which takes the 32-byte one and adds the chunk-overhead flood check.

use crate::abi::picohttpparser::*;
use std::ffi::{c_char, c_int};
use std::mem::MaybeUninit;

use crate::abi::panic::boundary;
use crate::http1::parser::{self, ChunkedDecoder, HeaderSlot, RequestLine, StatusLine, Stop};


/// The caller's header array is written field by field, as upstream does, so a header whose line
/// turns out to be bad keeps the name that was already parsed; and it may be uninitialized memory.
impl<'b> HeaderSlot<'b> for MaybeUninit<phr_header> {
    #[inline(always)]
    fn set_name(&mut self, name: &'b [u8]) {
        let p = self.as_mut_ptr();
        // SAFETY: p points to a properly aligned phr_header owned by `self`; writing fields through
        // raw place projections never reads the (possibly uninitialized) old value.
        unsafe {
            (&raw mut (*p).name).write(name.as_ptr().cast());
            (&raw mut (*p).name_len).write(name.len());
        }
    }
    #[inline(always)]
    fn set_no_name(&mut self) {
        let p = self.as_mut_ptr();
        // SAFETY: as in set_name.
        unsafe {
            (&raw mut (*p).name).write(std::ptr::null());
            (&raw mut (*p).name_len).write(0);
        }
    }
    #[inline(always)]
    fn set_value(&mut self, value: &'b [u8]) {
        let p = self.as_mut_ptr();
        // SAFETY: as in set_name.
        unsafe {
            (&raw mut (*p).value).write(value.as_ptr().cast());
            (&raw mut (*p).value_len).write(value.len());
        }
    }
}

/// The caller's input buffer. NULL is accepted only with length 0.
///
/// # Safety
/// `buf` must be valid for reads of `len` bytes for `'b`.
#[inline(always)]
unsafe fn input<'b>(buf: *const c_char, len: usize) -> Option<&'b [u8]> {
    if buf.is_null() {
        return if len == 0 { Some(&[]) } else { None };
    }
    // SAFETY: the caller guarantees `len` readable bytes at `buf` (the picohttpparser contract).
    Some(unsafe { std::slice::from_raw_parts(buf.cast::<u8>(), len) })
}

/// The caller's header array of `cap` entries (which may be uninitialized).
///
/// # Safety
/// `headers` must be valid for writes of `cap` entries (or `cap` must be 0).
#[inline(always)]
unsafe fn header_array<'h>(headers: *mut phr_header, cap: usize) -> Option<&'h mut [MaybeUninit<phr_header>]> {
    if cap == 0 {
        return Some(&mut []);
    }
    if headers.is_null() {
        return None;
    }
    // SAFETY: the caller guarantees `cap` writable entries at `headers`; MaybeUninit makes no
    // claim about their contents.
    Some(unsafe { std::slice::from_raw_parts_mut(headers.cast::<MaybeUninit<phr_header>>(), cap) })
}

#[inline(always)]
fn ret(r: Result<usize, Stop>) -> c_int {
    match r {
        // Upstream returns `(int)(end - start)`; the same conversion here.
        Ok(n) => n as c_int,
        Err(Stop::Partial) => -2,
        Err(Stop::Invalid) => -1,
    }
}

#[inline(always)]
fn out_ptr(s: Option<&[u8]>) -> (*const c_char, usize) {
    s.map_or((std::ptr::null(), 0), |s| (s.as_ptr().cast(), s.len()))
}

/// Parses an HTTP request head.
///
/// Returns the number of bytes consumed (the head, including its empty line) if complete, -2 if
/// more bytes are needed, -1 if the request is invalid (also if a required pointer is NULL).
/// On entry `*num_headers` is the capacity of `headers`; on return, the number of headers parsed.
/// `last_len` is the buffer length of the previous call for the same request (0 the first time).
/// Output pointers point into `buf`; nothing is allocated.
///
/// # Safety
/// `buf` readable for `len` bytes; every output pointer valid for writes; `headers` writable for
/// `*num_headers` entries.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phr_parse_request(
    buf: *const c_char,
    len: usize,
    method: *mut *const c_char,
    method_len: *mut usize,
    path: *mut *const c_char,
    path_len: *mut usize,
    minor_version: *mut c_int,
    headers: *mut phr_header,
    num_headers: *mut usize,
    last_len: usize,
) -> c_int {
    boundary("phr_parse_request", -1, || {
        if method.is_null() || method_len.is_null() || path.is_null() || path_len.is_null() || minor_version.is_null() || num_headers.is_null() {
            return -1;
        }
        // SAFETY: checked non-NULL above; the caller guarantees they are valid (see # Safety).
        let (method, method_len, path, path_len, minor_version, num_headers) =
            unsafe { (&mut *method, &mut *method_len, &mut *path, &mut *path_len, &mut *minor_version, &mut *num_headers) };
        let cap = *num_headers;
        *method = std::ptr::null();
        *method_len = 0;
        *path = std::ptr::null();
        *path_len = 0;
        *minor_version = -1;
        *num_headers = 0;
        // SAFETY: the caller's contract, see # Safety.
        let (Some(buf), Some(headers)) = (unsafe { input(buf, len) }, unsafe { header_array(headers, cap) }) else {
            return -1;
        };
        let mut line = RequestLine::EMPTY;
        let r = parser::request_raw(parser::Level::Process, buf, last_len, &mut line, headers, num_headers);
        (*method, *method_len) = out_ptr(line.method);
        (*path, *path_len) = out_ptr(line.path);
        *minor_version = line.minor_version;
        ret(r)
    })
}

/// Parses an HTTP response head. Returns as `phr_parse_request`. `*msg` is the reason phrase as sent
/// (without the SP before it); `*status` is the 3-digit code.
///
/// # Safety
/// As for `phr_parse_request`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phr_parse_response(
    buf: *const c_char,
    len: usize,
    minor_version: *mut c_int,
    status: *mut c_int,
    msg: *mut *const c_char,
    msg_len: *mut usize,
    headers: *mut phr_header,
    num_headers: *mut usize,
    last_len: usize,
) -> c_int {
    boundary("phr_parse_response", -1, || {
        if minor_version.is_null() || status.is_null() || msg.is_null() || msg_len.is_null() || num_headers.is_null() {
            return -1;
        }
        // SAFETY: checked non-NULL above; valid per the caller's contract.
        let (minor_version, status, msg, msg_len, num_headers) =
            unsafe { (&mut *minor_version, &mut *status, &mut *msg, &mut *msg_len, &mut *num_headers) };
        let cap = *num_headers;
        *minor_version = -1;
        *status = 0;
        *msg = std::ptr::null();
        *msg_len = 0;
        *num_headers = 0;
        // SAFETY: the caller's contract, see # Safety.
        let (Some(buf), Some(headers)) = (unsafe { input(buf, len) }, unsafe { header_array(headers, cap) }) else {
            return -1;
        };
        let mut line = StatusLine::EMPTY;
        let r = parser::response_raw(parser::Level::Process, buf, last_len, &mut line, headers, num_headers);
        *minor_version = line.minor_version;
        *status = line.status;
        (*msg, *msg_len) = out_ptr(line.reason);
        ret(r)
    })
}

/// Parses a block of header lines ended by an empty line. Returns as `phr_parse_request`.
///
/// # Safety
/// `buf` readable for `len` bytes; `num_headers` valid; `headers` writable for `*num_headers` entries.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phr_parse_headers(
    buf: *const c_char,
    len: usize,
    headers: *mut phr_header,
    num_headers: *mut usize,
    last_len: usize,
) -> c_int {
    boundary("phr_parse_headers", -1, || {
        if num_headers.is_null() {
            return -1;
        }
        // SAFETY: checked non-NULL; valid per the caller's contract.
        let num_headers = unsafe { &mut *num_headers };
        let cap = std::mem::replace(num_headers, 0);
        // SAFETY: the caller's contract, see # Safety.
        let (Some(buf), Some(headers)) = (unsafe { input(buf, len) }, unsafe { header_array(headers, cap) }) else {
            return -1;
        };
        ret(parser::headers_raw(parser::Level::Process, buf, last_len, headers, num_headers))
    })
}

/// Runs the decoder over the caller's buffer; returns (ret, new *bufsz).
///
/// # Safety
/// `buf` writable for `len` bytes (or NULL with len 0).
unsafe fn decode_in_place(dec: &mut ChunkedDecoder, buf: *mut c_char, len: usize, flood_check: bool) -> (isize, usize) {
    let data: &mut [u8] = if len == 0 {
        &mut []
    } else if buf.is_null() {
        return (-1, 0);
    } else {
        // SAFETY: the caller guarantees `len` writable bytes at `buf`.
        unsafe { std::slice::from_raw_parts_mut(buf.cast::<u8>(), len) }
    };
    dec.decode_raw(data, flood_check)
}

/// Decodes chunked data in place (current upstream layout, with the chunk-overhead flood check).
/// `include/picohttpparser.h` maps `phr_decode_chunked` to this function.
///
/// Rewrites `buf[0..*bufsz]` removing the chunk framing; `*bufsz` becomes the length of the decoded
/// data. Returns -2 if the body goes on (call again with more data), -1 on error, or the number of
/// bytes after the end of the body (they follow the decoded data in `buf`).
///
/// # Safety
/// `decoder` and `bufsz` valid; `buf` writable for `*bufsz` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phr_decode_chunked_v2(decoder: *mut phr_chunked_decoder, buf: *mut c_char, bufsz: *mut usize) -> libc::ssize_t {
    boundary("phr_decode_chunked", -1, || {
        if decoder.is_null() || bufsz.is_null() {
            return -1;
        }
        // SAFETY: non-NULL, valid per the caller's contract.
        let (d, bufsz) = unsafe { (&mut *decoder, &mut *bufsz) };
        let mut dec = ChunkedDecoder {
            bytes_left_in_chunk: d.bytes_left_in_chunk,
            consume_trailer: d.consume_trailer != 0,
            hex_count: d._hex_count as u8,
            state: d._state as u8,
            total_read: d._total_read,
            total_overhead: d._total_overhead,
        };
        // SAFETY: the caller's contract.
        let (r, n) = unsafe { decode_in_place(&mut dec, buf, *bufsz, true) };
        d.bytes_left_in_chunk = dec.bytes_left_in_chunk;
        d._hex_count = dec.hex_count as c_char;
        d._state = dec.state as c_char;
        d._total_read = dec.total_read;
        d._total_overhead = dec.total_overhead;
        *bufsz = n;
        r
    })
}

/// Decodes chunked data in place; the libh2o 2.2.5 ABI (16-byte decoder struct, which has no room
/// for the flood-check counters, so that check is not made). Otherwise as `phr_decode_chunked_v2`.
/// Writes only the first 16 bytes of `*decoder`.
///
/// # Safety
/// `decoder` valid for 16 bytes; `bufsz` valid; `buf` writable for `*bufsz` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phr_decode_chunked(decoder: *mut phr_chunked_decoder_2_2_5, buf: *mut c_char, bufsz: *mut usize) -> libc::ssize_t {
    boundary("phr_decode_chunked", -1, || {
        if decoder.is_null() || bufsz.is_null() {
            return -1;
        }
        // SAFETY: non-NULL, valid per the caller's contract.
        let (d, bufsz) = unsafe { (&mut *decoder, &mut *bufsz) };
        let mut dec = ChunkedDecoder {
            bytes_left_in_chunk: d.bytes_left_in_chunk,
            consume_trailer: d.consume_trailer != 0,
            hex_count: d._hex_count as u8,
            state: d._state as u8,
            total_read: 0,
            total_overhead: 0,
        };
        // SAFETY: the caller's contract.
        let (r, n) = unsafe { decode_in_place(&mut dec, buf, *bufsz, false) };
        d.bytes_left_in_chunk = dec.bytes_left_in_chunk;
        d._hex_count = dec.hex_count as c_char;
        d._state = dec.state as c_char;
        *bufsz = n;
        r
    })
}

/// Returns non-zero if the decoder is in the middle of chunk data. Reads only `_state` (offset 10 in
/// both layouts), so it serves 2.2.5 binaries and new code alike.
///
/// # Safety
/// `decoder` valid (or NULL, which gives 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn phr_decode_chunked_is_in_data(decoder: *mut phr_chunked_decoder) -> c_int {
    boundary("phr_decode_chunked_is_in_data", 0, || {
        if decoder.is_null() {
            return 0;
        }
        // SAFETY: non-NULL; `_state` is within the first 16 bytes of both layouts.
        let state = unsafe { (*decoder.cast::<phr_chunked_decoder_2_2_5>())._state };
        let dec = ChunkedDecoder { state: state as u8, ..Default::default() };
        dec.is_in_data() as c_int
    })
}
