//! The frame codec section of `h2o/http2.h` (2.2.5's `h2o/http2_internal.h`): `#[repr(C)]`
//! mirrors of the frame and payload structs with their 2.2.5 x86_64 layouts checked at compile
//! time. The exports are `crate::ffi::http2_frame`, over `crate::http2::frame`.

#![allow(non_camel_case_types)]

use std::mem::{offset_of, size_of};

use super::http2::h2o_http2_priority_t;
use super::memory::h2o_iovec_t;

/// `h2o_http2_frame_t` (24 bytes): a frame split off the input; `payload` points into it.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct h2o_http2_frame_t {
    pub length: u32,
    pub r#type: u8,
    pub flags: u8,
    pub stream_id: u32,
    pub payload: *const u8,
}

/// `h2o_http2_data_payload_t` (16 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct h2o_http2_data_payload_t {
    pub data: *const u8,
    pub length: usize,
}

/// `h2o_http2_headers_payload_t` (32 bytes).
#[repr(C)]
pub struct h2o_http2_headers_payload_t {
    pub priority: h2o_http2_priority_t,
    pub headers: *const u8,
    pub headers_len: usize,
}

/// `h2o_http2_rst_stream_payload_t` (4 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct h2o_http2_rst_stream_payload_t {
    pub error_code: u32,
}

/// `h2o_http2_ping_payload_t` (8 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct h2o_http2_ping_payload_t {
    pub data: [u8; 8],
}

/// `h2o_http2_goaway_payload_t` (24 bytes); `debug_data` is `{NULL, 0}` when there is none.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct h2o_http2_goaway_payload_t {
    pub last_stream_id: u32,
    pub error_code: u32,
    pub debug_data: h2o_iovec_t,
}

/// `h2o_http2_window_update_payload_t` (4 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct h2o_http2_window_update_payload_t {
    pub window_size_increment: u32,
}

/// `H2O_HTTP2_ERROR_INCOMPLETE`: more bytes are needed (h2o.h).
pub const H2O_HTTP2_ERROR_INCOMPLETE: i32 = -255;

const _: () = {
    assert!(size_of::<h2o_http2_frame_t>() == 24);
    assert!(offset_of!(h2o_http2_frame_t, r#type) == 4);
    assert!(offset_of!(h2o_http2_frame_t, flags) == 5);
    assert!(offset_of!(h2o_http2_frame_t, stream_id) == 8);
    assert!(offset_of!(h2o_http2_frame_t, payload) == 16);
    assert!(size_of::<h2o_http2_data_payload_t>() == 16 && offset_of!(h2o_http2_data_payload_t, length) == 8);
    assert!(size_of::<h2o_http2_headers_payload_t>() == 32);
    assert!(offset_of!(h2o_http2_headers_payload_t, headers) == 16);
    assert!(offset_of!(h2o_http2_headers_payload_t, headers_len) == 24);
    assert!(size_of::<h2o_http2_rst_stream_payload_t>() == 4);
    assert!(size_of::<h2o_http2_ping_payload_t>() == 8);
    assert!(size_of::<h2o_http2_goaway_payload_t>() == 24);
    assert!(offset_of!(h2o_http2_goaway_payload_t, error_code) == 4);
    assert!(offset_of!(h2o_http2_goaway_payload_t, debug_data) == 8);
    assert!(size_of::<h2o_http2_window_update_payload_t>() == 4);
};
