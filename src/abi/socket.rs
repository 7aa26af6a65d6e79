//! `h2o/socket.h` (the socket part): `h2o_socket_t`, the export record, the latency-optimization
//! conditions (2.2.5 layouts, checked at compile time) and the error strings, process-global data
//! objects that callbacks compare by pointer (the engine passes them, so they live here). Data
//! only: the engine is `crate::evloop::socket`, the exports `crate::ffi::socket`.

#![allow(non_camel_case_types, non_upper_case_globals)]

use std::ffi::{c_char, c_int, c_uint, c_void};
use std::mem::{offset_of, size_of};
use std::ptr::null_mut;

use super::memory::h2o_buffer_t;

/// `h2o_socket_cb`.
pub type h2o_socket_cb = Option<unsafe extern "C" fn(*mut h2o_socket_t, *const c_char)>;

/// `h2o_socket_t` (96 bytes); the engine's state follows it in `crate::evloop::socket::Socket`.
#[repr(C)]
pub struct h2o_socket_t {
    pub data: *mut c_void,
    pub ssl: *mut c_void,
    pub input: *mut h2o_buffer_t,
    pub bytes_read: usize,
    pub bytes_written: usize,
    pub on_close_cb: Option<unsafe extern "C" fn(*mut c_void)>,
    pub on_close_data: *mut c_void,
    pub _cb_read: h2o_socket_cb,
    pub _cb_write: h2o_socket_cb,
    pub _peername: *mut c_void,
    pub _lo_state: u8,
    pub _lo_flags: u8,
    pub _lo_suggested_tls_payload_size: u16,
    pub _lo_suggested_write_size: usize,
}

impl h2o_socket_t {
    pub fn new(input: *mut h2o_buffer_t) -> Self {
        h2o_socket_t {
            data: null_mut(),
            ssl: null_mut(),
            input,
            bytes_read: 0,
            bytes_written: 0,
            on_close_cb: None,
            on_close_data: null_mut(),
            _cb_read: None,
            _cb_write: None,
            _peername: null_mut(),
            _lo_state: 0,
            _lo_flags: 0,
            _lo_suggested_tls_payload_size: 0,
            _lo_suggested_write_size: usize::MAX,
        }
    }
}

/// `h2o_socket_export_t` (24 bytes): a socket detached from its loop by `h2o_socket_export`.
#[repr(C)]
#[derive(Debug)]
pub struct h2o_socket_export_t {
    pub fd: c_int,
    pub ssl: *mut c_void,
    pub input: *mut h2o_buffer_t,
}

/// `h2o_socket_latency_optimization_conditions_t` (12 bytes): when to use latency-optimized writes.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct h2o_socket_latency_optimization_conditions_t {
    /// Milliseconds.
    pub min_rtt: c_uint,
    /// Percent of the RTT.
    pub max_additional_delay: c_uint,
    /// Bytes.
    pub max_cwnd: c_uint,
}

#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(size_of::<h2o_socket_export_t>() == 24 && offset_of!(h2o_socket_export_t, input) == 16);
    assert!(size_of::<h2o_socket_latency_optimization_conditions_t>() == 12);
    assert!(size_of::<h2o_socket_t>() == 96);
    assert!(offset_of!(h2o_socket_t, input) == 16 && offset_of!(h2o_socket_t, bytes_read) == 24);
    assert!(offset_of!(h2o_socket_t, on_close_cb) == 40 && offset_of!(h2o_socket_t, _cb_read) == 56);
    assert!(offset_of!(h2o_socket_t, _peername) == 72 && offset_of!(h2o_socket_t, _lo_state) == 80);
    assert!(offset_of!(h2o_socket_t, _lo_suggested_write_size) == 88);
};

// ---- the error strings (data objects, as in 2.2.5) ---------------------------------------------------

#[unsafe(no_mangle)]
pub static mut h2o_socket_error_out_of_memory: *const c_char = c"out of memory".as_ptr();
#[unsafe(no_mangle)]
pub static mut h2o_socket_error_io: *const c_char = c"I/O error".as_ptr();
#[unsafe(no_mangle)]
pub static mut h2o_socket_error_closed: *const c_char = c"socket closed by peer".as_ptr();
#[unsafe(no_mangle)]
pub static mut h2o_socket_error_conn_fail: *const c_char = c"connection failure".as_ptr();
#[unsafe(no_mangle)]
pub static mut h2o_socket_error_ssl_no_cert: *const c_char = c"no certificate".as_ptr();
#[unsafe(no_mangle)]
pub static mut h2o_socket_error_ssl_cert_invalid: *const c_char = c"invalid certificate".as_ptr();
#[unsafe(no_mangle)]
pub static mut h2o_socket_error_ssl_cert_name_mismatch: *const c_char = c"certificate name mismatch".as_ptr();
#[unsafe(no_mangle)]
pub static mut h2o_socket_error_ssl_decode: *const c_char = c"SSL decode error".as_ptr();

/// The current values of the error objects.
pub mod errors {
    use std::ffi::c_char;

    pub fn io() -> *const c_char {
        // SAFETY: a plain read of a pointer-sized static that C may only set before use.
        unsafe { super::h2o_socket_error_io }
    }
    pub fn closed() -> *const c_char {
        // SAFETY: as above.
        unsafe { super::h2o_socket_error_closed }
    }
    pub fn conn_fail() -> *const c_char {
        // SAFETY: as above.
        unsafe { super::h2o_socket_error_conn_fail }
    }
    pub fn out_of_memory() -> *const c_char {
        // SAFETY: as above.
        unsafe { super::h2o_socket_error_out_of_memory }
    }
}
