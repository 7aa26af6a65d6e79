//! `h2o.h` (hand-written header), the configuration, context and header-list part: `#[repr(C)]`
//! mirrors with their 2.2.5 x86_64 layouts (checked at compile time), and the `h2o_connection_id`
//! data object the engine and the header's inline `h2o_create_connection` both increment. Data
//! only: the engine is `crate::core`, the exports `crate::ffi::core`.

#![allow(non_camel_case_types, non_upper_case_globals)]

use std::ffi::{c_char, c_int, c_void};
use std::mem::{offset_of, size_of};
use std::ptr::null_mut;

use super::evloop::{h2o_evloop_t, h2o_linklist_t, h2o_timeout_entry_t, h2o_timeout_t};
use super::memory::{h2o_iovec_t, h2o_vector_t};

/// `H2O_VECTOR(T)`: entries, size, capacity.
#[repr(C)]
#[derive(Debug)]
pub struct Vector<T> {
    pub entries: *mut T,
    pub size: usize,
    pub capacity: usize,
}

impl<T> Vector<T> {
    pub const EMPTY: Self = Vector { entries: null_mut(), size: 0, capacity: 0 };

    /// The same vector as the untyped `h2o_vector_t` the memory functions take.
    pub fn as_raw(&mut self) -> &mut h2o_vector_t {
        // SAFETY: `Vector<T>` and `h2o_vector_t` are both #[repr(C)] {pointer, usize, usize}.
        unsafe { &mut *(self as *mut Self).cast::<h2o_vector_t>() }
    }
}

/// `h2o_handler_t` (40 bytes, the head of a larger struct the embedder defines). `h2o_filter_t`
/// and `h2o_logger_t` have the same layout (only the argument types of the callbacks differ), so
/// they share this mirror.
#[repr(C)]
pub struct h2o_handler_t {
    pub _config_slot: usize,
    pub on_context_init: *mut c_void,
    pub on_context_dispose: *mut c_void,
    pub dispose: Option<unsafe extern "C" fn(*mut h2o_handler_t)>,
    pub on_req: *mut c_void,
}
pub type h2o_filter_t = h2o_handler_t;
pub type h2o_logger_t = h2o_handler_t;

/// `h2o_pathconf_t` (120 bytes). `error_log` is a 4-byte bit-field unit (bit 0:
/// emit_request_errors).
#[repr(C)]
pub struct h2o_pathconf_t {
    pub global: *mut h2o_globalconf_t,
    pub path: h2o_iovec_t,
    pub handlers: Vector<*mut h2o_handler_t>,
    pub filters: Vector<*mut h2o_filter_t>,
    pub loggers: Vector<*mut h2o_logger_t>,
    pub mimemap: *mut c_void,
    pub env: *mut h2o_envconf_t,
    pub error_log: u32,
}

/// `h2o_envconf_t` (56 bytes): environment variables a path sets or unsets for its requests, a
/// shared allocation (see `h2o_config_create_envconf`); names and values are shared strings.
#[repr(C)]
pub struct h2o_envconf_t {
    pub parent: *mut h2o_envconf_t,
    pub unsets: Vector<h2o_iovec_t>,
    pub sets: Vector<h2o_iovec_t>,
}

#[repr(C)]
pub struct HostAuthority {
    pub hostport: h2o_iovec_t,
    pub host: h2o_iovec_t,
    pub port: u16,
}

#[repr(C)]
pub struct HostHttp2 {
    /// bit 0: reprioritize_blocking_assets, bit 1: push_preload
    pub flags: u32,
    /// h2o_casper_conf_t: capacity_bits, track_all_types
    pub casper: [u32; 2],
}

/// `h2o_hostconf_t` (216 bytes).
#[repr(C)]
pub struct h2o_hostconf_t {
    pub global: *mut h2o_globalconf_t,
    pub authority: HostAuthority,
    pub paths: Vector<h2o_pathconf_t>,
    pub fallback_path: h2o_pathconf_t,
    pub mimemap: *mut c_void,
    pub http2: HostHttp2,
}

/// `h2o_protocol_callbacks_t`.
#[repr(C)]
pub struct ProtocolCallbacks {
    pub request_shutdown: *mut c_void,
    pub foreach_request: *mut c_void,
}

#[repr(C)]
pub struct GlobalHttp1 {
    pub req_timeout: u64,
    pub upgrade_to_http2: c_int,
    pub callbacks: ProtocolCallbacks,
}

#[repr(C)]
pub struct GlobalHttp2 {
    pub idle_timeout: u64,
    pub graceful_shutdown_timeout: u64,
    pub max_concurrent_requests_per_connection: usize,
    pub max_streams_for_priority: usize,
    /// h2o_socket_latency_optimization_conditions_t: min_rtt, max_additional_delay, max_cwnd
    pub latency_optimization: [u32; 3],
    pub callbacks: ProtocolCallbacks,
}

#[repr(C)]
pub struct GlobalProxy {
    pub io_timeout: u64,
    pub ssl_ctx: *mut c_void,
    /// bits 0..3: preserve_x_forwarded_proto, preserve_server_header, emit_x_forwarded_headers,
    /// emit_via_header
    pub flags: u32,
}

/// `h2o_globalconf_t` (240 bytes).
#[repr(C)]
pub struct h2o_globalconf_t {
    pub hosts: *mut *mut h2o_hostconf_t,
    pub configurators: h2o_linklist_t,
    pub server_name: h2o_iovec_t,
    pub max_request_entity_size: usize,
    pub max_delegations: u32,
    pub user: *mut c_char,
    pub handshake_timeout: u64,
    pub http1: GlobalHttp1,
    pub http2: GlobalHttp2,
    pub proxy: GlobalProxy,
    pub mimemap: *mut c_void,
    pub filecache_capacity: usize,
    /// H2O_VECTOR(h2o_status_handler_t), 40-byte elements
    pub statuses: Vector<[usize; 5]>,
    pub _num_config_slots: usize,
}

/// `h2o_timestamp_string_t` (57 bytes): NUL-terminated Date-header and access-log strings.
#[repr(C)]
pub struct h2o_timestamp_string_t {
    pub rfc1123: [u8; 30],
    pub log: [u8; 27],
}

/// `h2o_context_storage_item_t` (16 bytes).
#[repr(C)]
pub struct ContextStorageItem {
    pub dispose: Option<unsafe extern "C" fn(*mut c_void)>,
    pub data: *mut c_void,
}

/// `h2o_http1client_ctx_t` (40 bytes).
#[repr(C)]
pub struct Http1ClientCtx {
    pub loop_: *mut h2o_evloop_t,
    pub getaddr_receiver: *mut c_void,
    pub io_timeout: *mut h2o_timeout_t,
    pub websocket_timeout: *mut h2o_timeout_t,
    pub ssl_ctx: *mut c_void,
}

/// `h2o_context_t._timestamp_cache`.
#[repr(C)]
pub struct TimestampCache {
    pub uv_now_at: u64,
    pub tv_at: libc::timeval,
    pub value: *mut h2o_timestamp_string_t,
}

/// `h2o_context_t` (864 bytes). The nested C structs are flattened (`http1.req_timeout` is
/// `http1_req_timeout` here); the layout is the same.
#[repr(C)]
pub struct h2o_context_t {
    pub loop_: *mut h2o_evloop_t,
    pub zero_timeout: h2o_timeout_t,
    pub one_sec_timeout: h2o_timeout_t,
    pub hundred_ms_timeout: h2o_timeout_t,
    pub globalconf: *mut h2o_globalconf_t,
    pub queue: *mut c_void,
    /// `receivers.hostinfo_getaddr`: an h2o_multithread_receiver_t (48 bytes)
    pub receivers: [usize; 6],
    pub filecache: *mut c_void,
    pub storage: Vector<ContextStorageItem>,
    pub shutdown_requested: c_int,
    pub handshake_timeout: h2o_timeout_t,
    pub http1_req_timeout: h2o_timeout_t,
    pub http1_conns: h2o_linklist_t,
    pub http2_idle_timeout: h2o_timeout_t,
    pub http2_conns: h2o_linklist_t,
    pub http2_graceful_shutdown_timeout: h2o_timeout_t,
    pub http2_graceful_shutdown_entry: h2o_timeout_entry_t,
    /// protocol_level_errors[13], read_closed, write_closed
    pub http2_events: [u64; 15],
    pub proxy_client_ctx: Http1ClientCtx,
    pub proxy_io_timeout: h2o_timeout_t,
    pub _module_configs: *mut *mut c_void,
    pub _timestamp_cache: TimestampCache,
    pub emitted_error_status: [u64; 10],
    pub _pathconfs_inited: Vector<*mut h2o_pathconf_t>,
}

const _: () = {
    assert!(size_of::<h2o_timestamp_string_t>() == 57);
    assert!(offset_of!(h2o_timestamp_string_t, log) == 30);
    assert!(size_of::<h2o_context_t>() == 864);
    assert!(offset_of!(h2o_context_t, zero_timeout) == 8);
    assert!(offset_of!(h2o_context_t, globalconf) == 152);
    assert!(offset_of!(h2o_context_t, receivers) == 168);
    assert!(offset_of!(h2o_context_t, storage) == 224);
    assert!(offset_of!(h2o_context_t, shutdown_requested) == 248);
    assert!(offset_of!(h2o_context_t, handshake_timeout) == 256);
    assert!(offset_of!(h2o_context_t, http1_conns) == 352);
    assert!(offset_of!(h2o_context_t, http2_idle_timeout) == 368);
    assert!(offset_of!(h2o_context_t, http2_graceful_shutdown_entry) == 480);
    assert!(offset_of!(h2o_context_t, http2_events) == 512);
    assert!(offset_of!(h2o_context_t, proxy_client_ctx) == 632);
    assert!(offset_of!(h2o_context_t, proxy_io_timeout) == 672);
    assert!(offset_of!(h2o_context_t, _module_configs) == 720);
    assert!(offset_of!(h2o_context_t, _timestamp_cache) == 728);
    assert!(offset_of!(h2o_context_t, emitted_error_status) == 760);
    assert!(offset_of!(h2o_context_t, _pathconfs_inited) == 840);
};

/// `h2o_header_t` (32 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct h2o_header_t {
    pub name: *mut h2o_iovec_t,
    pub orig_name: *const c_char,
    pub value: h2o_iovec_t,
}

/// `h2o_headers_t`: `H2O_VECTOR(h2o_header_t)` (24 bytes).
pub type h2o_headers_t = Vector<h2o_header_t>;

/// `h2o_headers_command_t` (32 bytes): one header rewrite (`H2O_HEADERS_CMD_*`); `name` may be a
/// token's `buf`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct h2o_headers_command_t {
    pub cmd: c_int,
    pub name: *mut h2o_iovec_t,
    pub value: h2o_iovec_t,
}

const _: () = {
    assert!(size_of::<h2o_envconf_t>() == 56);
    assert!(offset_of!(h2o_envconf_t, sets) == 32);
    assert!(size_of::<h2o_handler_t>() == 40);
    assert!(offset_of!(h2o_handler_t, dispose) == 24);
    assert!(offset_of!(h2o_handler_t, on_req) == 32);
    assert!(size_of::<h2o_pathconf_t>() == 120);
    assert!(offset_of!(h2o_pathconf_t, handlers) == 24);
    assert!(offset_of!(h2o_pathconf_t, filters) == 48);
    assert!(offset_of!(h2o_pathconf_t, loggers) == 72);
    assert!(offset_of!(h2o_pathconf_t, mimemap) == 96);
    assert!(offset_of!(h2o_pathconf_t, env) == 104);
    assert!(offset_of!(h2o_pathconf_t, error_log) == 112);
    assert!(size_of::<h2o_hostconf_t>() == 216);
    assert!(offset_of!(h2o_hostconf_t, authority) == 8);
    assert!(offset_of!(h2o_hostconf_t, authority.host) == 24);
    assert!(offset_of!(h2o_hostconf_t, authority.port) == 40);
    assert!(offset_of!(h2o_hostconf_t, paths) == 48);
    assert!(offset_of!(h2o_hostconf_t, fallback_path) == 72);
    assert!(offset_of!(h2o_hostconf_t, mimemap) == 192);
    assert!(offset_of!(h2o_hostconf_t, http2) == 200);
    assert!(offset_of!(h2o_hostconf_t, http2.casper) == 204);
    assert!(size_of::<h2o_globalconf_t>() == 240);
    assert!(offset_of!(h2o_globalconf_t, configurators) == 8);
    assert!(offset_of!(h2o_globalconf_t, server_name) == 24);
    assert!(offset_of!(h2o_globalconf_t, max_request_entity_size) == 40);
    assert!(offset_of!(h2o_globalconf_t, max_delegations) == 48);
    assert!(offset_of!(h2o_globalconf_t, user) == 56);
    assert!(offset_of!(h2o_globalconf_t, handshake_timeout) == 64);
    assert!(offset_of!(h2o_globalconf_t, http1.req_timeout) == 72);
    assert!(offset_of!(h2o_globalconf_t, http1.upgrade_to_http2) == 80);
    assert!(offset_of!(h2o_globalconf_t, http1.callbacks) == 88);
    assert!(offset_of!(h2o_globalconf_t, http2.idle_timeout) == 104);
    assert!(offset_of!(h2o_globalconf_t, http2.graceful_shutdown_timeout) == 112);
    assert!(offset_of!(h2o_globalconf_t, http2.max_concurrent_requests_per_connection) == 120);
    assert!(offset_of!(h2o_globalconf_t, http2.max_streams_for_priority) == 128);
    assert!(offset_of!(h2o_globalconf_t, http2.latency_optimization) == 136);
    assert!(offset_of!(h2o_globalconf_t, http2.callbacks) == 152);
    assert!(offset_of!(h2o_globalconf_t, proxy.io_timeout) == 168);
    assert!(offset_of!(h2o_globalconf_t, proxy.ssl_ctx) == 176);
    assert!(offset_of!(h2o_globalconf_t, proxy.flags) == 184);
    assert!(offset_of!(h2o_globalconf_t, mimemap) == 192);
    assert!(offset_of!(h2o_globalconf_t, filecache_capacity) == 200);
    assert!(offset_of!(h2o_globalconf_t, statuses) == 208);
    assert!(offset_of!(h2o_globalconf_t, _num_config_slots) == 232);
    assert!(size_of::<h2o_header_t>() == 32);
    assert!(offset_of!(h2o_header_t, orig_name) == 8);
    assert!(offset_of!(h2o_header_t, value) == 16);
    assert!(size_of::<h2o_headers_t>() == 24);
    assert!(size_of::<h2o_headers_command_t>() == 32);
    assert!(offset_of!(h2o_headers_command_t, value) == 16);
};

/// `h2o_status_handler_t` (40 bytes).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct h2o_status_handler_t {
    pub name: h2o_iovec_t,
    pub init: *mut c_void,
    pub per_thread: *mut c_void,
    pub final_: *mut c_void,
}
const _: () = assert!(size_of::<h2o_status_handler_t>() == 40);

/// `uint64_t h2o_connection_id`: the last connection id handed out; the header's inline
/// `h2o_create_connection` increments it atomically (`__sync_add_and_fetch`), so it is a plain
/// 8-byte writable data object (an `AtomicU64` has the layout of a `uint64_t`). Process-global.
#[unsafe(no_mangle)]
pub static h2o_connection_id: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
