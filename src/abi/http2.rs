//! `h2o/http2.h` (and `h2o.h`'s debug state): `h2o_http2_settings_t` (20 bytes),
//! `h2o_http2_priority_t` (12) and `h2o_http2_debug_state_t` (40) at their 2.2.5 layouts
//! (checked at compile time). Data only: the HTTP/2 server is `crate::http2`, the exports
//! `crate::ffi::http2`.

#![allow(non_camel_case_types)]

use std::ffi::c_int;
use std::mem::{offset_of, size_of};

use super::core::Vector;
use super::memory::h2o_iovec_t;

/// `h2o_http2_settings_t`: one side's SETTINGS values.
#[repr(C)]
pub struct h2o_http2_settings_t {
    pub header_table_size: u32,
    pub enable_push: u32,
    pub max_concurrent_streams: u32,
    pub initial_window_size: u32,
    pub max_frame_size: u32,
}

/// `h2o_http2_priority_t`.
#[repr(C)]
pub struct h2o_http2_priority_t {
    pub exclusive: c_int,
    pub dependency: u32,
    pub weight: u16,
}

/// `h2o_http2_debug_state_t`: the JSON as a vector of iovecs, the connection's receive and send
/// windows.
#[repr(C)]
pub struct h2o_http2_debug_state_t {
    pub json: Vector<h2o_iovec_t>,
    pub conn_flow_in: isize,
    pub conn_flow_out: isize,
}

const _: () = {
    assert!(size_of::<h2o_http2_settings_t>() == 20);
    assert!(offset_of!(h2o_http2_settings_t, max_frame_size) == 16);
    assert!(size_of::<h2o_http2_priority_t>() == 12);
    assert!(offset_of!(h2o_http2_priority_t, dependency) == 4);
    assert!(offset_of!(h2o_http2_priority_t, weight) == 8);
    assert!(size_of::<h2o_http2_debug_state_t>() == 40);
    assert!(offset_of!(h2o_http2_debug_state_t, conn_flow_in) == 24);
};
