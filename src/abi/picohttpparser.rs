//! `picohttpparser.h`: `struct phr_header` and the two layouts of `struct phr_chunked_decoder`
//! (checked at compile time). Data only; the functions are `crate::ffi::picohttpparser`. cbindgen
//! reads the structs here for `include/picohttpparser.h`.

use std::ffi::c_char;

/// One header: `name` is NULL for a continuation (obs-fold) line. Pointers point into the parsed buffer.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
#[allow(non_camel_case_types)]
pub struct phr_header {
    pub name: *const c_char,
    pub name_len: usize,
    pub value: *const c_char,
    pub value_len: usize,
}

/// State of a chunked body (current upstream layout, 32 bytes). Zero-fill before the first call;
/// set `consume_trailer` to skip trailers.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
#[allow(non_camel_case_types)]
pub struct phr_chunked_decoder {
    /// number of bytes left in the current chunk
    pub bytes_left_in_chunk: usize,
    /// if trailing headers should be consumed
    pub consume_trailer: c_char,
    pub _hex_count: c_char,
    pub _state: c_char,
    pub _total_read: u64,
    pub _total_overhead: u64,
}

/// The libh2o 2.2.5 layout (16 bytes), as passed by binaries built against Debian's libh2o.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
#[allow(non_camel_case_types)]
pub struct phr_chunked_decoder_2_2_5 {
    pub bytes_left_in_chunk: usize,
    pub consume_trailer: c_char,
    pub _hex_count: c_char,
    pub _state: c_char,
}

const _: () = assert!(std::mem::size_of::<phr_header>() == 32);
const _: () = assert!(std::mem::size_of::<phr_chunked_decoder>() == 32);
const _: () = assert!(std::mem::size_of::<phr_chunked_decoder_2_2_5>() == 16);
const _: () = assert!(std::mem::offset_of!(phr_chunked_decoder, _state) == 10);
const _: () = assert!(std::mem::offset_of!(phr_chunked_decoder_2_2_5, _state) == 10);
