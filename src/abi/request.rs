//! `h2o.h` requests and responses: `#[repr(C)]` mirrors of `h2o_conn_t`, `h2o_req_t` (608 bytes),
//! `h2o_res_t`, `h2o_generator_t`, `h2o_ostream_t`, `h2o_req_prefilter_t`, `h2o_accept_ctx_t` and
//! `h2o_protocol_callbacks_t` at their 2.2.5 layouts (checked at compile time). Data only: the
//! engine is `crate::core::request` and `crate::http1::conn`, the exports `crate::ffi::request`.

#![allow(non_camel_case_types, non_upper_case_globals)]

use std::ffi::{c_char, c_int, c_void};
use std::mem::{offset_of, size_of};

use super::core::{h2o_context_t, h2o_headers_t, h2o_hostconf_t, h2o_pathconf_t, h2o_timestamp_string_t, Vector};
use super::evloop::h2o_timeout_entry_t;
use super::memory::{h2o_iovec_t, h2o_mem_pool_t};
use super::socket::h2o_socket_t;
use super::url::h2o_url_scheme_t;

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
    /// `push_path(req, abspath, abspath_len)`: pushes `abspath` in response to `req` (HTTP/2), or NULL
    pub push_path: Option<unsafe extern "C" fn(*mut h2o_req_t, *const c_char, usize)>,
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
    pub prefilters: *mut h2o_req_prefilter_t,
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
    /// H2O_VECTOR(h2o_req_error_log_t), 24-byte elements (read through [`h2o_req_error_log_t`];
    /// kept untyped here for the access log's renderer)
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
pub const REQ_FLAG_RES_IS_DELEGATED: u8 = 2;
pub const REQ_FLAG_BYTES_COUNTED_BY_OSTREAM: u8 = 4;

/// `h2o_req_prefilter_t` (16 bytes at least: the embedder's struct starts with it).
#[repr(C)]
pub struct h2o_req_prefilter_t {
    pub next: *mut h2o_req_prefilter_t,
    pub on_setup_ostream: Option<unsafe extern "C" fn(*mut h2o_req_prefilter_t, *mut h2o_req_t, *mut *mut h2o_ostream_t)>,
}

/// `h2o_req_error_log_t` (24 bytes): one `h2o_req_log_error` message.
#[repr(C)]
pub struct h2o_req_error_log_t {
    pub module: *const c_char,
    pub msg: h2o_iovec_t,
}

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
    assert!(size_of::<h2o_req_prefilter_t>() == 16);
    assert!(size_of::<h2o_req_error_log_t>() == 24);
    assert!(size_of::<h2o_accept_ctx_t>() == 40);
    assert!(offset_of!(h2o_accept_ctx_t, libmemcached_receiver) == 32);
};

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
