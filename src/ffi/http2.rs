//! `h2o/http2.h`: the HTTP/2 server's entry points and data objects with their 2.2.5 names and
//! values (`h2o_http2_accept`, `h2o_http2_handle_upgrade`, `H2O_HTTP2_CALLBACKS`,
//! `H2O_HTTP2_SETTINGS_DEFAULT` / `_HOST`, `h2o_http2_default_priority`), and `h2o.h`'s
//! `h2o_http2_debug_state_register`, and `h2o/http2_internal.h`'s `h2o_http2_get_debug_state`. The connection is `crate::http2::conn` over the sans-IO
//! engine `crate::http2::engine`; the C types are `crate::abi::http2`.
//!
//! Ownership: an accepted socket belongs to the library until the connection closes it; the data
//! objects are static and read-only.

#![allow(non_camel_case_types, non_upper_case_globals)]

use std::ffi::c_int;

use crate::abi::core::h2o_hostconf_t;
use crate::abi::http2::{h2o_http2_debug_state_t, h2o_http2_priority_t, h2o_http2_settings_t};
use crate::abi::panic::boundary;
use crate::abi::request::{h2o_accept_ctx_t, h2o_protocol_callbacks_t, h2o_req_t};
use crate::abi::socket::h2o_socket_t;
use crate::http2::conn;

/// `H2O_HTTP2_SETTINGS_DEFAULT`: RFC 7540's initial values (as 2.2.5: 4096, push enabled,
/// unlimited streams, 65535, 16384).
#[unsafe(no_mangle)]
pub static H2O_HTTP2_SETTINGS_DEFAULT: h2o_http2_settings_t = h2o_http2_settings_t {
    header_table_size: 4096,
    enable_push: 1,
    max_concurrent_streams: u32::MAX,
    initial_window_size: 65535,
    max_frame_size: 16384,
};

/// `H2O_HTTP2_SETTINGS_HOST`: what the server announces (as 2.2.5: 4096, no push, 100 streams, a
/// 16 MiB stream window, 16384).
#[unsafe(no_mangle)]
pub static H2O_HTTP2_SETTINGS_HOST: h2o_http2_settings_t = h2o_http2_settings_t {
    header_table_size: 4096,
    enable_push: 0,
    max_concurrent_streams: 100,
    initial_window_size: 16_777_216,
    max_frame_size: 16384,
};

/// `h2o_http2_default_priority`: RFC 7540 5.3.5 (not exclusive, on stream 0, weight 16).
#[unsafe(no_mangle)]
pub static h2o_http2_default_priority: h2o_http2_priority_t = h2o_http2_priority_t { exclusive: 0, dependency: 0, weight: 16 };

/// `H2O_HTTP2_CALLBACKS` (16-byte data object, copy-relocatable): the HTTP/2 layer's
/// `request_shutdown` (graceful: GOAWAY, the streams in flight finish, then the connections
/// close; `http2.graceful_shutdown_timeout` closes the stragglers) and `foreach_request` (each
/// open stream's request). `h2o_config_init` stores them in `globalconf.http2.callbacks`, as
/// 2.2.5 does. Ownership: static, read-only.
#[unsafe(no_mangle)]
pub static H2O_HTTP2_CALLBACKS: h2o_protocol_callbacks_t = conn::PROTOCOL_CALLBACKS;

/// `h2o_http2_accept`: serves `sock` as HTTP/2 over cleartext with prior knowledge (the client
/// preface first; what is already in `sock->input` is read first). `connected_at` becomes
/// `conn->connected_at`. The socket is owned by the library from then on.
///
/// # Safety
/// `ctx` points to an accept context whose `ctx` is initialized (`hosts` NULL: the globalconf's);
/// `sock` is a live socket of that context's loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_accept(ctx: *mut h2o_accept_ctx_t, sock: *mut h2o_socket_t, connected_at: libc::timeval) {
    boundary("h2o_http2_accept", (), || {
        assert!(!ctx.is_null() && !sock.is_null(), "NULL argument");
        // SAFETY: the caller's contract.
        unsafe {
            assert!(!(*ctx).ctx.is_null(), "accept_ctx->ctx is NULL");
            conn::accept((*ctx).ctx, (*ctx).hosts, sock, connected_at)
        }
    })
}

/// `h2o_http2_handle_upgrade`: switches the HTTP/1.1 connection of `req` (a request with
/// `Upgrade: h2c`) to HTTP/2: 101 Switching Protocols, then the request is answered as stream 1
/// (with its body). Returns 0 when the upgrade is under way, -1 (nothing done: serve the request
/// over HTTP/1.1) when `Connection` does not list `HTTP2-Settings`, the `HTTP2-Settings` header
/// is missing or invalid, or `req` is not an HTTP/1 request of this library whose response can
/// still start. The HTTP/1 layer calls it itself for `Upgrade: h2c` when
/// `http1.upgrade_to_http2` is set (the default).
///
/// # Safety
/// `req` is a live request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_handle_upgrade(req: *mut h2o_req_t, connected_at: libc::timeval) -> c_int {
    boundary("h2o_http2_handle_upgrade", -1, || {
        assert!(!req.is_null(), "req is NULL");
        // SAFETY: the caller's contract.
        unsafe { conn::handle_upgrade(req, connected_at) }
    })
}

/// `h2o_http2_debug_state_register`: a handler on `/.well-known/h2/state` of `hostconf` answering
/// HTTP/2 requests with the connection's state as JSON (H2O's format: settings, peer settings,
/// flow windows, streams; with the HPACK tables when `hpack_enabled`), `content-type:
/// application/json; charset=utf-8`; HTTP/1 requests are passed on (404 when nothing else
/// takes them), as 2.2.5.
///
/// # Safety
/// `hostconf` is a live host of an initialized globalconf.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_debug_state_register(hostconf: *mut h2o_hostconf_t, hpack_enabled: c_int) {
    boundary("h2o_http2_debug_state_register", (), || {
        assert!(!hostconf.is_null(), "hostconf is NULL");
        // SAFETY: the caller's contract.
        unsafe { conn::debug_state_register(hostconf, hpack_enabled) }
    })
}

/// `h2o_http2_get_debug_state` (2.2.5's `h2o/http2_internal.h`): the state of the HTTP/2
/// connection `req` came on, as `/.well-known/h2/state` shows it: `json` (one iovec: the
/// document, H2O's "draft-01" format, with the HPACK tables when `hpack_enabled`),
/// `conn_flow_in` / `conn_flow_out` (the connection's receive and send windows). Returns NULL,
/// with a report on stderr, when `req` is not a request of one of this library's HTTP/2
/// connections (e.g. an HTTP/1 request; 2.2.5 reads the connection as HTTP/2 regardless).
///
/// Ownership: the state, its vector and the JSON are allocated from `req->pool` and freed with
/// the request; the caller frees nothing.
///
/// # Safety
/// `req` is a live request (from a handler, before its response is complete).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_get_debug_state(req: *mut h2o_req_t, hpack_enabled: c_int) -> *mut h2o_http2_debug_state_t {
    boundary("h2o_http2_get_debug_state", std::ptr::null_mut(), || {
        assert!(!req.is_null(), "req is NULL");
        // SAFETY: the caller's contract.
        match unsafe { conn::get_debug_state(req, hpack_enabled) } {
            Some(st) => st,
            None => panic!("req is not a request of an HTTP/2 connection of this library"),
        }
    })
}
