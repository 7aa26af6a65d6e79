//! `h2o.h` requests and responses: `#[repr(C)]` mirrors of `h2o_conn_t`, `h2o_req_t` (608 bytes),
//! `h2o_res_t`, `h2o_generator_t`, `h2o_ostream_t` at their 2.2.5 layouts, `h2o_accept`, and the
//! response API (`h2o_start_response`, `h2o_send`, `h2o_send_inline`, `h2o_send_error_generic`,
//! `h2o_send_redirect`). The engine is `crate::core::request` and `crate::http1::conn`.
//!
//! Ownership: a request belongs to its connection; everything it points to lives in its pool or in
//! the connection. Bodies given to `h2o_send` are borrowed until the generator's `proceed` is called
//! (or, for the final call, until the request is done); `h2o_send_inline` copies its body.

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_int, c_void};
use std::mem::{offset_of, size_of};

use super::core::{h2o_context_t, h2o_headers_t, h2o_hostconf_t, h2o_pathconf_t, h2o_timestamp_string_t, Vector};
use super::evloop::h2o_timeout_entry_t;
use super::memory::{h2o_iovec_t, h2o_mem_pool_t};
use super::panic::boundary;
use super::socket::h2o_socket_t;
use super::url::h2o_url_scheme_t;
use crate::core::request;

/// `h2o_timestamp_t` (24 bytes).
#[repr(C)]
pub struct h2o_timestamp_t {
    pub at: libc::timeval,
    pub str_: *mut h2o_timestamp_string_t,
}

/// `h2o_conn_callbacks_t` (152 bytes): five functions, then the 14 access-log callbacks.
#[repr(C)]
pub struct h2o_conn_callbacks_t {
    pub get_sockname: Option<unsafe extern "C" fn(*mut h2o_conn_t, *mut libc::sockaddr) -> libc::socklen_t>,
    pub get_peername: Option<unsafe extern "C" fn(*mut h2o_conn_t, *mut libc::sockaddr) -> libc::socklen_t>,
    pub push_path: *const c_void,
    pub get_socket: Option<unsafe extern "C" fn(*mut h2o_conn_t) -> *mut h2o_socket_t>,
    pub get_debug_state: *const c_void,
    pub log_: [*const c_void; 14],
}
// SAFETY: a table of function pointers, never written after static initialization.
unsafe impl Sync for h2o_conn_callbacks_t {}

/// `h2o_conn_t` (48 bytes, the head of the protocol's connection).
#[repr(C)]
pub struct h2o_conn_t {
    pub ctx: *mut h2o_context_t,
    pub hosts: *mut *mut h2o_hostconf_t,
    pub connected_at: libc::timeval,
    pub id: u64,
    pub callbacks: *const h2o_conn_callbacks_t,
}

/// `h2o_generator_t`.
#[repr(C)]
pub struct h2o_generator_t {
    pub proceed: Option<unsafe extern "C" fn(*mut h2o_generator_t, *mut h2o_req_t)>,
    pub stop: Option<unsafe extern "C" fn(*mut h2o_generator_t, *mut h2o_req_t)>,
}

/// `h2o_send_state_t`.
pub const SEND_STATE_IN_PROGRESS: c_int = 0;
pub const SEND_STATE_FINAL: c_int = 1;
pub const SEND_STATE_ERROR: c_int = 2;

/// `h2o_ostream_t` (32 bytes).
#[repr(C)]
pub struct h2o_ostream_t {
    pub next: *mut h2o_ostream_t,
    pub do_send: Option<unsafe extern "C" fn(*mut h2o_ostream_t, *mut h2o_req_t, *mut h2o_iovec_t, usize, c_int)>,
    pub stop: Option<unsafe extern "C" fn(*mut h2o_ostream_t, *mut h2o_req_t)>,
    pub start_pull: *const c_void,
}

/// `h2o_res_t` (88 bytes).
#[repr(C)]
pub struct h2o_res_t {
    pub status: c_int,
    pub reason: *const c_char,
    pub content_length: usize,
    pub headers: h2o_headers_t,
    pub mime_attr: *mut c_void,
    pub original_status: c_int,
    pub original_headers: h2o_headers_t,
}

/// `h2o_req_t.input`.
#[repr(C)]
pub struct ReqInput {
    pub scheme: *const h2o_url_scheme_t,
    pub authority: h2o_iovec_t,
    pub method: h2o_iovec_t,
    pub path: h2o_iovec_t,
    pub query_at: usize,
}

/// `h2o_req_t` (608 bytes).
#[repr(C)]
pub struct h2o_req_t {
    pub conn: *mut h2o_conn_t,
    pub input: ReqInput,
    pub hostconf: *mut h2o_hostconf_t,
    pub pathconf: *mut h2o_pathconf_t,
    pub scheme: *const h2o_url_scheme_t,
    pub authority: h2o_iovec_t,
    pub method: h2o_iovec_t,
    pub path: h2o_iovec_t,
    pub query_at: usize,
    pub path_normalized: h2o_iovec_t,
    pub norm_indexes: *mut usize,
    pub prefilters: *mut c_void,
    pub filereq: *mut c_void,
    pub overrides: *mut c_void,
    pub version: c_int,
    pub headers: h2o_headers_t,
    pub entity: h2o_iovec_t,
    pub processed_at: h2o_timestamp_t,
    /// request_begin_at, request_body_begin_at, response_start_at, response_end_at
    pub timestamps: [libc::timeval; 4],
    pub res: h2o_res_t,
    pub bytes_sent: usize,
    pub num_reprocessed: u32,
    pub num_delegated: u32,
    pub env: Vector<h2o_iovec_t>,
    /// H2O_VECTOR(h2o_req_error_log_t), 24-byte elements
    pub error_logs: Vector<[usize; 3]>,
    /// bit 0: http1_is_persistent, bit 1: res_is_delegated, bit 2: bytes_counted_by_ostream
    pub flags: u8,
    pub compress_hint: i8,
    pub upgrade: h2o_iovec_t,
    pub preferred_chunk_size: usize,
    pub _generator: *mut h2o_generator_t,
    pub _ostr_top: *mut h2o_ostream_t,
    pub _next_filter_index: usize,
    pub _timeout_entry: h2o_timeout_entry_t,
    pub pool: h2o_mem_pool_t,
}

pub const REQ_FLAG_PERSISTENT: u8 = 1;
pub const REQ_FLAG_BYTES_COUNTED_BY_OSTREAM: u8 = 4;

/// `h2o_accept_ctx_t` (40 bytes).
#[repr(C)]
pub struct h2o_accept_ctx_t {
    pub ctx: *mut h2o_context_t,
    pub hosts: *mut *mut h2o_hostconf_t,
    pub ssl_ctx: *mut c_void,
    pub expect_proxy_line: c_int,
    pub libmemcached_receiver: *mut c_void,
}

const _: () = {
    assert!(size_of::<h2o_timestamp_t>() == 24);
    assert!(size_of::<h2o_conn_callbacks_t>() == 152);
    assert!(size_of::<h2o_conn_t>() == 48);
    assert!(offset_of!(h2o_conn_t, callbacks) == 40);
    assert!(size_of::<h2o_ostream_t>() == 32);
    assert!(size_of::<h2o_res_t>() == 88);
    assert!(offset_of!(h2o_res_t, mime_attr) == 48);
    assert!(offset_of!(h2o_res_t, original_headers) == 64);
    assert!(size_of::<h2o_req_t>() == 608);
    assert!(offset_of!(h2o_req_t, input.query_at) == 64);
    assert!(offset_of!(h2o_req_t, hostconf) == 72);
    assert!(offset_of!(h2o_req_t, authority) == 96);
    assert!(offset_of!(h2o_req_t, method) == 112);
    assert!(offset_of!(h2o_req_t, path) == 128);
    assert!(offset_of!(h2o_req_t, query_at) == 144);
    assert!(offset_of!(h2o_req_t, path_normalized) == 152);
    assert!(offset_of!(h2o_req_t, overrides) == 192);
    assert!(offset_of!(h2o_req_t, version) == 200);
    assert!(offset_of!(h2o_req_t, headers) == 208);
    assert!(offset_of!(h2o_req_t, entity) == 232);
    assert!(offset_of!(h2o_req_t, processed_at) == 248);
    assert!(offset_of!(h2o_req_t, timestamps) == 272);
    assert!(offset_of!(h2o_req_t, res) == 336);
    assert!(offset_of!(h2o_req_t, bytes_sent) == 424);
    assert!(offset_of!(h2o_req_t, env) == 440);
    assert!(offset_of!(h2o_req_t, error_logs) == 464);
    assert!(offset_of!(h2o_req_t, flags) == 488);
    assert!(offset_of!(h2o_req_t, compress_hint) == 489);
    assert!(offset_of!(h2o_req_t, upgrade) == 496);
    assert!(offset_of!(h2o_req_t, preferred_chunk_size) == 512);
    assert!(offset_of!(h2o_req_t, _generator) == 520);
    assert!(offset_of!(h2o_req_t, _ostr_top) == 528);
    assert!(offset_of!(h2o_req_t, _timeout_entry) == 544);
    assert!(offset_of!(h2o_req_t, pool) == 576);
    assert!(size_of::<h2o_accept_ctx_t>() == 40);
    assert!(offset_of!(h2o_accept_ctx_t, libmemcached_receiver) == 32);
};

/// `h2o_accept`: takes over `sock` (owned by the library from now on) and serves HTTP/1.x on it.
/// A TLS accept context (`ssl_ctx` set) is not supported yet: the error is logged on stderr and
/// the socket closed. `expect_proxy_line` is ignored for now.
///
/// # Safety
/// `ctx` is a valid accept context whose context and hosts outlive the connection; `sock` is a live
/// socket of the context's loop, not used by the caller afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_accept(ctx: *mut h2o_accept_ctx_t, sock: *mut h2o_socket_t) {
    boundary("h2o_accept", (), || {
        assert!(!ctx.is_null() && !sock.is_null(), "NULL argument");
        // SAFETY: the caller's contract.
        unsafe { crate::http1::conn::accept(&*ctx, sock) }
    })
}

/// `h2o_start_response`: the handler takes the request; `generator` (borrowed until the response
/// ends; may be NULL when the whole response is sent at once) is asked for more body with
/// `proceed` once what was given to `h2o_send` has been written.
///
/// # Safety
/// `req` is a live request that has no response started yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_start_response(req: *mut h2o_req_t, generator: *mut h2o_generator_t) {
    boundary("h2o_start_response", (), || {
        assert!(!req.is_null(), "req is NULL");
        // SAFETY: the caller's contract.
        unsafe { request::start_response(&mut *req, generator) }
    })
}

/// `h2o_send`: sends `bufs` (borrowed until the generator's `proceed` is called, or the request is
/// done) as the next part of the body; `state` FINAL or ERROR ends the response.
///
/// # Safety
/// `req` is a live request whose response was started; `bufs` points to `bufcnt` iovecs; no
/// earlier `h2o_send` of this request is still waiting for its `proceed`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_send(req: *mut h2o_req_t, bufs: *mut h2o_iovec_t, bufcnt: usize, state: c_int) {
    boundary("h2o_send", (), || {
        assert!(!req.is_null(), "req is NULL");
        // SAFETY: the caller's contract.
        unsafe { request::send(req, bufs, bufcnt, state) }
    })
}

/// `h2o_send_inline`: the whole response at once; `body` (`len` bytes, or NUL-terminated when
/// `len` is SIZE_MAX) is copied into the request's pool.
///
/// # Safety
/// `req` is a live request with no response started; `body` is readable as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_send_inline(req: *mut h2o_req_t, body: *const c_char, len: usize) {
    boundary("h2o_send_inline", (), || {
        assert!(!req.is_null(), "req is NULL");
        // SAFETY: the caller's contract.
        unsafe { request::send_inline(req, body, len) }
    })
}

/// `h2o_send_error_generic`: a `text/plain` response with `status`, `reason` and `body` (both
/// NUL-terminated, borrowed until the response ends); `flags`: H2O_SEND_ERROR_HTTP1_CLOSE_CONNECTION
/// (1) closes the connection afterwards, H2O_SEND_ERROR_KEEP_HEADERS (2) keeps the response
/// headers already set.
///
/// # Safety
/// As `h2o_send_inline`; `reason` and `body` are NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_send_error_generic(req: *mut h2o_req_t, status: c_int, reason: *const c_char, body: *const c_char, flags: c_int) {
    boundary("h2o_send_error_generic", (), || {
        assert!(!req.is_null() && !reason.is_null() && !body.is_null(), "NULL argument");
        // SAFETY: the caller's contract.
        unsafe { request::send_error(req, status, reason, body, flags) }
    })
}

/// `h2o_send_redirect`: a redirect to `url` (`url_len` bytes, copied) with a short HTML body.
///
/// # Safety
/// As `h2o_send_inline`; `reason` is NUL-terminated and outlives the response.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_send_redirect(req: *mut h2o_req_t, status: c_int, reason: *const c_char, url: *const c_char, url_len: usize) {
    boundary("h2o_send_redirect", (), || {
        assert!(!req.is_null() && !reason.is_null() && (!url.is_null() || url_len == 0), "NULL argument");
        // SAFETY: the caller's contract.
        unsafe { request::send_redirect(req, status, reason, url, url_len) }
    })
}

/// `h2o_protocol_callbacks_t` (16 bytes), typed.
#[repr(C)]
pub struct h2o_protocol_callbacks_t {
    pub request_shutdown: Option<unsafe extern "C" fn(*mut h2o_context_t)>,
    pub foreach_request: Option<
        unsafe extern "C" fn(*mut h2o_context_t, Option<unsafe extern "C" fn(*mut h2o_req_t, *mut c_void) -> c_int>, *mut c_void) -> c_int,
    >,
}
// SAFETY: two function pointers, never written after static initialization.
unsafe impl Sync for h2o_protocol_callbacks_t {}
const _: () = assert!(size_of::<h2o_protocol_callbacks_t>() == 16);

/// `H2O_HTTP1_CALLBACKS` (16-byte data object, copy-relocatable): the HTTP/1 layer's
/// `request_shutdown` (idle connections close at once, busy ones after their response) and
/// `foreach_request` (each request in progress). `h2o_config_init` stores them in
/// `globalconf.http1.callbacks`, as 2.2.5 does. Ownership: static, read-only.
#[unsafe(no_mangle)]
pub static H2O_HTTP1_CALLBACKS: h2o_protocol_callbacks_t = h2o_protocol_callbacks_t {
    request_shutdown: Some(crate::http1::conn::request_shutdown),
    foreach_request: Some(crate::http1::conn::foreach_request),
};

/// `h2o_http1_accept`: as `h2o_accept` for plain HTTP/1, with the time the connection was accepted
/// (`conn->connected_at`). The socket is owned by the library from then on.
///
/// # Safety
/// As `h2o_accept`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http1_accept(ctx: *mut h2o_accept_ctx_t, sock: *mut h2o_socket_t, connected_at: libc::timeval) {
    boundary("h2o_http1_accept", (), || {
        assert!(!ctx.is_null() && !sock.is_null(), "NULL argument");
        // SAFETY: the caller's contract.
        unsafe { crate::http1::conn::accept_at(&*ctx, sock, connected_at) }
    })
}
