//! `h2o/socket.h` (the socket part) and the socket functions of `h2o/socket/evloop.h`, over the
//! types and error strings of `crate::abi::socket`; the engine is `crate::evloop::socket` (and
//! `crate::evloop::addr` for the address helpers).
//!
//! Ownership: a socket returned by `h2o_evloop_socket_create` / `_accept` is owned by the caller
//! until `h2o_socket_close` (the library frees it later, once no callback can see it); its
//! descriptor and `input` buffer are owned by the socket. The error strings are process-global data
//! objects, compared by pointer.

#![allow(non_camel_case_types, non_upper_case_globals)]

use crate::abi::socket::*;
use std::ffi::{c_char, c_int};
use std::ptr::null_mut;

use crate::abi::evloop::h2o_evloop_t;
use crate::abi::memory::h2o_iovec_t;
use crate::abi::panic::boundary;
use crate::evloop::{socket, Loop};


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

/// Overrides the peer address of `s` (borrowed) with a copy of `sa` (`len` bytes, borrowed).
///
/// # Safety
/// `s` is a live socket; `sa` is valid for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_setpeername(s: *mut h2o_socket_t, sa: *mut libc::sockaddr, len: libc::socklen_t) {
    boundary("h2o_socket_setpeername", (), || {
        // SAFETY: per the contract.
        unsafe { socket::set_peername(sock(s), sa, len) }
    })
}

/// Calls `cb` once `s` (borrowed) is writable (err NULL); in latency-optimized mode, once what was
/// written has left the unsent queue.
///
/// # Safety
/// `s` is a live, open socket with no write in progress.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_notify_write(s: *mut h2o_socket_t, cb: h2o_socket_cb) {
    boundary("h2o_socket_notify_write", (), || {
        // SAFETY: per the contract.
        unsafe { socket::notify_write(sock(s), cb) }
    })
}

/// Starts connecting to `addr` (borrowed, `addrlen` bytes); the returned socket is owned by the
/// caller. `cb` is called with NULL once connected, or `h2o_socket_error_conn_fail`. NULL when the
/// connection cannot start (no socket, or connect() failed at once).
///
/// # Safety
/// `loop_` came from `h2o_evloop_create`; `addr` is valid for `addrlen` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_connect(
    loop_: *mut h2o_evloop_t,
    addr: *mut libc::sockaddr,
    addrlen: libc::socklen_t,
    cb: h2o_socket_cb,
) -> *mut h2o_socket_t {
    boundary("h2o_socket_connect", null_mut(), || {
        // SAFETY: per the contract.
        unsafe { socket::connect(loop_.cast::<Loop>(), addr, addrlen, cb).cast() }
    })
}

/// Detaches `s` from its loop into the caller's `info` (which then owns the descriptor and the
/// unread input) and closes `s` (on_close is called; `s` is invalid afterwards). Returns 0.
///
/// # Safety
/// `s` is a live, open socket with no write in progress; `info` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_export(s: *mut h2o_socket_t, info: *mut h2o_socket_export_t) -> c_int {
    boundary("h2o_socket_export", -1, || {
        // SAFETY: per the contract.
        unsafe { socket::export(sock(s), info) }
    })
}

/// Attaches an exported socket to `loop_`: the new socket (owned by the caller) takes the
/// descriptor and the input of `info`. NULL when the descriptor cannot be polled (`info` unchanged).
///
/// # Safety
/// `loop_` is live; `info` came from `h2o_socket_export` and was not used since.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_import(loop_: *mut h2o_evloop_t, info: *mut h2o_socket_export_t) -> *mut h2o_socket_t {
    boundary("h2o_socket_import", null_mut(), || {
        // SAFETY: per the contract.
        unsafe { socket::import(loop_.cast::<Loop>(), info).cast() }
    })
}

/// Closes the descriptor and frees the input of an export that will not be imported.
///
/// # Safety
/// `info` came from `h2o_socket_export` and was not used since.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_dispose_export(info: *mut h2o_socket_export_t) {
    boundary("h2o_socket_dispose_export", (), || {
        // SAFETY: per the contract.
        unsafe { socket::dispose_export(info) }
    })
}

/// Reads TCP_INFO and decides whether `s` (borrowed) writes in latency-optimized mode under
/// `conditions` (borrowed; copied for later refreshes); sets `s->_latency_optimization` and
/// TCP_NOTSENT_LOWAT, and returns the number of bytes to write now (SIZE_MAX: no limit).
///
/// # Safety
/// `s` is a live, open socket; `conditions` is valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_do_prepare_for_latency_optimized_write(
    s: *mut h2o_socket_t,
    conditions: *const h2o_socket_latency_optimization_conditions_t,
) -> usize {
    boundary("h2o_socket_do_prepare_for_latency_optimized_write", usize::MAX, || {
        // SAFETY: per the contract.
        unsafe { socket::prepare_latency_optimized(sock(s), &*conditions) }
    })
}

/// The numeric host of `sa` (`salen` bytes) into `buf` (NI_MAXHOST bytes), NUL-terminated; its
/// length, or SIZE_MAX on failure.
///
/// # Safety
/// `sa` is valid for `salen` bytes; `buf` has room for NI_MAXHOST bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_getnumerichost(sa: *mut libc::sockaddr, salen: libc::socklen_t, buf: *mut c_char) -> usize {
    boundary("h2o_socket_getnumerichost", usize::MAX, || {
        // SAFETY: per the contract.
        unsafe { crate::evloop::addr::numeric_host(sa, salen, buf) }
    })
}

/// The port of an AF_INET / AF_INET6 address (host order), or -1.
///
/// # Safety
/// `sa` is a valid address of its family.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_getport(sa: *mut libc::sockaddr) -> i32 {
    boundary("h2o_socket_getport", -1, || {
        // SAFETY: per the contract.
        unsafe { crate::evloop::addr::port(sa) }
    })
}

/// Orders two addresses (family, then address, then port; AF_UNIX by path): <0, 0 or >0.
///
/// # Safety
/// `x` and `y` are valid addresses of their families.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_compare_address(x: *mut libc::sockaddr, y: *mut libc::sockaddr) -> c_int {
    boundary("h2o_socket_compare_address", 0, || {
        // SAFETY: per the contract.
        unsafe { crate::evloop::addr::compare(x, y) }
    })
}


// The TLS getters (h2o_socket_get_ssl_*, h2o_socket_log_ssl_*) are in crate::ffi::tls.
