//! `h2o/socket.h` (the socket part) and the socket functions of `h2o/socket/evloop.h`.
//!
//! Ownership: a socket returned by `h2o_evloop_socket_create` / `_accept` is owned by the caller
//! until `h2o_socket_close` (the library frees it later, once no callback can see it); its
//! descriptor and `input` buffer are owned by the socket. The error strings are process-global data
//! objects, compared by pointer.

#![allow(non_camel_case_types, non_upper_case_globals)]

use std::ffi::{c_char, c_int, c_void};
use std::mem::{offset_of, size_of};
use std::ptr::null_mut;

use super::evloop::h2o_evloop_t;
use super::memory::{h2o_buffer_t, h2o_iovec_t};
use super::panic::boundary;
use crate::evloop::{socket, Loop};

/// `h2o_socket_cb`.
pub type h2o_socket_cb = Option<unsafe extern "C" fn(*mut h2o_socket_t, *const c_char)>;

/// `h2o_socket_t` (96 bytes); the engine's state follows it in [`socket::Socket`].
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

#[cfg(target_pointer_width = "64")]
const _: () = {
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
    pub fn out_of_memory() -> *const c_char {
        // SAFETY: as above.
        unsafe { super::h2o_socket_error_out_of_memory }
    }
}

fn sock(s: *mut h2o_socket_t) -> *mut socket::Socket {
    s.cast()
}

// ---- functions --------------------------------------------------------------------------------------

/// Wraps `fd` (ownership of the descriptor passes to the socket) for `loop_` (borrowed). NULL when
/// `fd` cannot be made non-blocking or polled; the descriptor is then still the caller's.
///
/// # Safety
/// `loop_` came from `h2o_evloop_create`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_evloop_socket_create(loop_: *mut h2o_evloop_t, fd: c_int, flags: c_int) -> *mut h2o_socket_t {
    boundary("h2o_evloop_socket_create", null_mut(), || {
        // SAFETY: per the contract.
        unsafe { socket::create(loop_.cast::<Loop>(), fd, flags).cast() }
    })
}

/// Accepts one connection of `listener` (borrowed); the new socket is owned by the caller. NULL when
/// none is pending or on error.
///
/// # Safety
/// `listener` is a live socket from this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_evloop_socket_accept(listener: *mut h2o_socket_t) -> *mut h2o_socket_t {
    boundary("h2o_evloop_socket_accept", null_mut(), || {
        // SAFETY: per the contract.
        unsafe { socket::accept(sock(listener)).cast() }
    })
}

/// The socket's loop (borrowed).
///
/// # Safety
/// `s` is a live socket.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_get_loop(s: *mut h2o_socket_t) -> *mut h2o_evloop_t {
    boundary("h2o_socket_get_loop", null_mut(), || {
        // SAFETY: per the contract.
        unsafe { socket::loop_of(sock(s)).cast() }
    })
}

/// The socket's descriptor (still owned by the socket).
///
/// # Safety
/// `s` is a live socket.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_get_fd(s: *mut h2o_socket_t) -> c_int {
    boundary("h2o_socket_get_fd", -1, || {
        // SAFETY: per the contract.
        unsafe { socket::fd(sock(s)) }
    })
}

/// Closes `s` (ownership returns to the library; `s` is invalid afterwards).
///
/// # Safety
/// `s` is a live, open socket.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_close(s: *mut h2o_socket_t) {
    boundary("h2o_socket_close", (), || {
        // SAFETY: per the contract.
        unsafe { socket::close(sock(s)) }
    })
}

/// Sets or clears "don't read" on `s` (borrowed).
///
/// # Safety
/// `s` is a live socket.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_dont_read(s: *mut h2o_socket_t, dont_read: c_int) {
    boundary("h2o_socket_dont_read", (), || {
        // SAFETY: per the contract.
        unsafe { socket::set_dont_read(sock(s), dont_read != 0) }
    })
}

/// Starts a write of `bufcnt` buffers (the array is copied; the bytes are borrowed until `cb`).
///
/// # Safety
/// `s` is live and open with no write in progress; `bufs` holds `bufcnt` valid iovecs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_write(s: *mut h2o_socket_t, bufs: *mut h2o_iovec_t, bufcnt: usize, cb: h2o_socket_cb) {
    boundary("h2o_socket_write", (), || {
        // SAFETY: per the contract.
        unsafe { socket::write(sock(s), bufs, bufcnt, cb) }
    })
}

/// Starts reading into `s->input`, calling `cb` (borrowed socket).
///
/// # Safety
/// `s` is a live, open socket.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_read_start(s: *mut h2o_socket_t, cb: h2o_socket_cb) {
    boundary("h2o_socket_read_start", (), || {
        // SAFETY: per the contract.
        unsafe { socket::read_start(sock(s), cb) }
    })
}

/// Stops reading (borrowed socket).
///
/// # Safety
/// `s` is a live socket.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_read_stop(s: *mut h2o_socket_t) {
    boundary("h2o_socket_read_stop", (), || {
        // SAFETY: per the contract.
        unsafe { socket::read_stop(sock(s)) }
    })
}

/// The local address of `s` into the caller's `sa`; its length, 0 on error.
///
/// # Safety
/// `s` is live; `sa` has room for a `struct sockaddr_storage`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_getsockname(s: *mut h2o_socket_t, sa: *mut libc::sockaddr) -> libc::socklen_t {
    boundary("h2o_socket_getsockname", 0, || {
        // SAFETY: per the contract.
        unsafe { socket::name(sock(s), sa, false) }
    })
}

/// The peer address of `s` into the caller's `sa`; its length, 0 on error.
///
/// # Safety
/// `s` is live; `sa` has room for a `struct sockaddr_storage`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_getpeername(s: *mut h2o_socket_t, sa: *mut libc::sockaddr) -> libc::socklen_t {
    boundary("h2o_socket_getpeername", 0, || {
        // SAFETY: per the contract.
        unsafe { socket::name(sock(s), sa, true) }
    })
}
