//! `h2o.h` (hand-written header): the exported configuration, context and header functions over the
//! types of `crate::abi::core`. The engine is `crate::core`.
//!
//! Ownership (per function below): the globalconf is the caller's; hosts, paths, handlers, filters
//! and loggers registered to it belong to it until `h2o_config_dispose`. Header lists live in the
//! pool passed to each call; values and the names of non-token headers are borrowed (never
//! copied, as in 2.2.5), original-case names are copied into the pool.
//!
//! Failure: as 2.2.5, allocation failure ends the process (`h2o_fatal`). Misuse that 2.2.5 meets
//! with `assert` (deleting a header that is not there) is reported by the panic boundary and the
//! call does nothing.

#![allow(non_camel_case_types)]

use crate::abi::core::*;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::mem::size_of;
use std::ptr::null_mut;

use crate::abi::evloop::h2o_evloop_t;
use crate::abi::memory::{h2o_iovec_t, h2o_mem_pool_t};
use crate::abi::panic::boundary;
use crate::abi::token::h2o_token_t;
use crate::core::{config, context, headers};


// --- configuration ---------------------------------------------------------------------------------

/// `h2o_config_init`: overwrites `*config` with 2.2.5's defaults (see h2o.h) and an empty host
/// list. The caller owns `config`; what this allocates is freed by `h2o_config_dispose`.
///
/// # Safety
/// `config` points to a writable `h2o_globalconf_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_config_init(config: *mut h2o_globalconf_t) {
    boundary("h2o_config_init", (), || {
        assert!(!config.is_null(), "config is NULL");
        // SAFETY: the caller's contract.
        unsafe { config::init(config) }
    })
}

/// `h2o_config_dispose`: disposes of every host, path, handler, filter and logger (calling their
/// `dispose` callbacks), and of the host list. `config` is left zeroed (it may be initialized
/// again).
///
/// # Safety
/// `config` was initialized by `h2o_config_init` and not disposed of since.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_config_dispose(config: *mut h2o_globalconf_t) {
    boundary("h2o_config_dispose", (), || {
        assert!(!config.is_null(), "config is NULL");
        // SAFETY: the caller's contract.
        unsafe { config::dispose(config) }
    })
}

/// `h2o_config_register_host`: adds a host (`host` is copied in lower case; `port` 65535 = none)
/// and returns it, owned by `config`; NULL when that host and port are registered already.
///
/// # Safety
/// `config` is initialized; `host.base` has `host.len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_config_register_host(config: *mut h2o_globalconf_t, host: h2o_iovec_t, port: u16) -> *mut h2o_hostconf_t {
    boundary("h2o_config_register_host", null_mut(), || {
        assert!(!config.is_null(), "config is NULL");
        let name: &[u8] = if host.len == 0 {
            &[]
        } else {
            // SAFETY: the caller's contract.
            unsafe { std::slice::from_raw_parts(host.base.cast::<u8>(), host.len) }
        };
        // SAFETY: the caller's contract.
        unsafe { config::register_host(config, name, port) }
    })
}

/// `h2o_config_register_path`: appends a path (copied as given) to the host and returns its
/// pathconf, owned by the host. Registering another path of the same host may move the pathconfs
/// (they are stored by value in `hostconf->paths`, as in 2.2.5). `flags` is unused, as in 2.2.5.
///
/// # Safety
/// `hostconf` came from `h2o_config_register_host`; `path` is a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_config_register_path(hostconf: *mut h2o_hostconf_t, path: *const c_char, flags: c_int) -> *mut h2o_pathconf_t {
    let _ = flags;
    boundary("h2o_config_register_path", null_mut(), || {
        assert!(!hostconf.is_null() && !path.is_null(), "hostconf or path is NULL");
        // SAFETY: the caller's contract.
        unsafe { config::register_path(hostconf, path) }
    })
}

/// `h2o_config_init_pathconf`: initializes a caller-owned pathconf (`path` copied; may be NULL).
/// Release it with `h2o_config_dispose_pathconf`.
///
/// # Safety
/// `pathconf` is writable; `path` is NULL or NUL-terminated; `globalconf` is initialized.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_config_init_pathconf(
    pathconf: *mut h2o_pathconf_t,
    globalconf: *mut h2o_globalconf_t,
    path: *const c_char,
    mimemap: *mut c_void,
) {
    boundary("h2o_config_init_pathconf", (), || {
        assert!(!pathconf.is_null(), "pathconf is NULL");
        // SAFETY: the caller's contract.
        unsafe { config::init_pathconf(pathconf, globalconf, path, mimemap) }
    })
}

/// `h2o_config_dispose_pathconf`: disposes of the pathconf's handlers, filters and loggers (calling
/// their `dispose`) and of its path copy.
///
/// # Safety
/// `pathconf` was initialized by `h2o_config_init_pathconf` and not disposed of since.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_config_dispose_pathconf(pathconf: *mut h2o_pathconf_t) {
    boundary("h2o_config_dispose_pathconf", (), || {
        assert!(!pathconf.is_null(), "pathconf is NULL");
        // SAFETY: the caller's contract.
        unsafe { config::dispose_pathconf(pathconf) }
    })
}

/// Common body of the three `h2o_create_*` functions.
unsafe fn create(name: &'static str, conf: *mut h2o_pathconf_t, sz: usize, kind: config::ModuleKind) -> *mut h2o_handler_t {
    boundary(name, null_mut(), || {
        assert!(!conf.is_null(), "pathconf is NULL");
        // SAFETY: the caller's contract (an initialized pathconf).
        unsafe { config::create_module(conf, sz, kind) }
    })
}

/// `h2o_create_handler`: `sz` zeroed bytes (the embedder's struct starting with an
/// `h2o_handler_t`), appended to the pathconf's handlers and owned by it.
///
/// # Safety
/// `conf` is an initialized pathconf of a live globalconf; `sz >= sizeof(h2o_handler_t)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_create_handler(conf: *mut h2o_pathconf_t, sz: usize) -> *mut h2o_handler_t {
    // SAFETY: the caller's contract.
    unsafe { create("h2o_create_handler", conf, sz, config::ModuleKind::Handler) }
}

/// `h2o_create_filter`: as `h2o_create_handler`, put first in the pathconf's filters (2.2.5 order).
///
/// # Safety
/// As `h2o_create_handler`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_create_filter(conf: *mut h2o_pathconf_t, sz: usize) -> *mut h2o_filter_t {
    // SAFETY: the caller's contract.
    unsafe { create("h2o_create_filter", conf, sz, config::ModuleKind::Filter) }
}

/// `h2o_create_logger`: as `h2o_create_handler`, appended to the pathconf's loggers.
///
/// # Safety
/// As `h2o_create_handler`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_create_logger(conf: *mut h2o_pathconf_t, sz: usize) -> *mut h2o_logger_t {
    // SAFETY: the caller's contract.
    unsafe { create("h2o_create_logger", conf, sz, config::ModuleKind::Logger) }
}

// --- the context ---------------------------------------------------------------------------------------

/// `h2o_context_init`: initializes `ctx` (overwritten) for `loop` and `config`: its timeouts on the
/// loop, one config slot per registered module, and every pathconf context (each handler's,
/// filter's and logger's `on_context_init`). The caller owns `ctx`, `loop` and `config`; `config`
/// must outlive the context. Not yet: the multithread queue (`queue` is NULL) and the file cache.
///
/// # Safety
/// `ctx` is writable; `loop` is live; `config` was initialized by `h2o_config_init`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_context_init(ctx: *mut h2o_context_t, loop_: *mut h2o_evloop_t, config: *mut h2o_globalconf_t) {
    boundary("h2o_context_init", (), || {
        assert!(!ctx.is_null() && !loop_.is_null() && !config.is_null(), "NULL argument");
        // SAFETY: the caller's contract.
        unsafe { context::init(ctx, loop_, config) }
    })
}

/// `h2o_context_dispose`: calls `on_context_dispose` for every pathconf context, the `dispose` of
/// each storage slot, releases the timestamp cache and disposes of the timeouts; `ctx` is left
/// zeroed. The loop and the globalconf stay the caller's.
///
/// # Safety
/// `ctx` was initialized by `h2o_context_init`; no timeout entry is linked to its timeouts.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_context_dispose(ctx: *mut h2o_context_t) {
    boundary("h2o_context_dispose", (), || {
        assert!(!ctx.is_null(), "ctx is NULL");
        // SAFETY: the caller's contract.
        unsafe { context::dispose(ctx) }
    })
}

/// `h2o_context_init_pathconf_context`: `on_context_init` of the pathconf's modules, once per
/// context (a pathconf already initialized for `ctx` is skipped).
///
/// # Safety
/// `ctx` is initialized; `pathconf` is initialized and outlives the context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_context_init_pathconf_context(ctx: *mut h2o_context_t, pathconf: *mut h2o_pathconf_t) {
    boundary("h2o_context_init_pathconf_context", (), || {
        assert!(!ctx.is_null() && !pathconf.is_null(), "NULL argument");
        // SAFETY: the caller's contract.
        unsafe { context::init_pathconf_context(ctx, pathconf) }
    })
}

/// `h2o_context_dispose_pathconf_context`: `on_context_dispose` of the pathconf's modules.
///
/// # Safety
/// As `h2o_context_init_pathconf_context`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_context_dispose_pathconf_context(ctx: *mut h2o_context_t, pathconf: *mut h2o_pathconf_t) {
    boundary("h2o_context_dispose_pathconf_context", (), || {
        assert!(!ctx.is_null() && !pathconf.is_null(), "NULL argument");
        // SAFETY: the caller's contract.
        unsafe { context::dispose_pathconf_context(ctx, pathconf) }
    })
}

/// `h2o_context_update_timestamp_cache`: re-reads the clock; when the second changed, rebuilds the
/// cached Date-header and access-log strings (a shared allocation; requests that linked the old
/// one keep it).
///
/// # Safety
/// `ctx` is initialized and its loop is alive.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_context_update_timestamp_cache(ctx: *mut h2o_context_t) {
    boundary("h2o_context_update_timestamp_cache", (), || {
        assert!(!ctx.is_null(), "ctx is NULL");
        // SAFETY: the caller's contract.
        unsafe { context::update_timestamp_cache(ctx) }
    })
}

/// `h2o_context_request_shutdown`: sets `shutdown_requested` and asks the HTTP/1 and HTTP/2
/// layers (their globalconf callbacks, when set) to wind down their connections.
///
/// # Safety
/// `ctx` is initialized.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_context_request_shutdown(ctx: *mut h2o_context_t) {
    boundary("h2o_context_request_shutdown", (), || {
        assert!(!ctx.is_null(), "ctx is NULL");
        // SAFETY: the caller's contract; the globalconf outlives the context.
        unsafe {
            (*ctx).shutdown_requested = 1;
            let g = &*(*ctx).globalconf;
            for cb in [g.http1.callbacks.request_shutdown, g.http2.callbacks.request_shutdown] {
                if !cb.is_null() {
                    // SAFETY: a protocol's request_shutdown: void (*)(h2o_context_t *).
                    let f: unsafe extern "C" fn(*mut h2o_context_t) = std::mem::transmute(cb);
                    f(ctx);
                }
            }
        }
    })
}

// --- environments, status handlers -------------------------------------------------------------------

/// `h2o_config_create_envconf`: a new envconf (a shared allocation; one reference, the caller's:
/// store it in `pathconf->env`, which `h2o_config_dispose_pathconf` releases, or release it with
/// `h2o_mem_release_shared`) inheriting from `parent` (may be NULL; it gets a reference, dropped
/// when this one is freed). Requests bound to a path apply the path's envconfs to `req->env`,
/// outermost first: unsets, then sets.
///
/// # Safety
/// `parent` is NULL or a live envconf.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_config_create_envconf(parent: *mut h2o_envconf_t) -> *mut h2o_envconf_t {
    boundary("h2o_config_create_envconf", null_mut(), || {
        // SAFETY: the caller's contract.
        unsafe { config::create_envconf(parent) }
    })
}

/// `h2o_config_setenv`: the envconf sets `name` to `value` (both copied; a pending unset of
/// `name` in this envconf is dropped).
///
/// # Safety
/// `envconf` is live; `name` and `value` are NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_config_setenv(envconf: *mut h2o_envconf_t, name: *const c_char, value: *const c_char) {
    boundary("h2o_config_setenv", (), || {
        assert!(!envconf.is_null() && !name.is_null() && !value.is_null(), "NULL argument");
        // SAFETY: the caller's contract.
        unsafe { config::setenv(envconf, CStr::from_ptr(name).to_bytes(), CStr::from_ptr(value).to_bytes()) }
    })
}

/// `h2o_config_unsetenv`: the envconf removes `name` (copied) from the requests' environment
/// (before its own sets apply, as in 2.2.5).
///
/// # Safety
/// `envconf` is live; `name` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_config_unsetenv(envconf: *mut h2o_envconf_t, name: *const c_char) {
    boundary("h2o_config_unsetenv", (), || {
        assert!(!envconf.is_null() && !name.is_null(), "NULL argument");
        // SAFETY: the caller's contract.
        unsafe { config::unsetenv(envconf, CStr::from_ptr(name).to_bytes()) }
    })
}


/// Appends `h` to `config->statuses` (malloc'ed storage).
///
/// # Safety
/// `config` is initialized.
unsafe fn push_status(config: *mut h2o_globalconf_t, h: h2o_status_handler_t) {
    // SAFETY: the caller's contract; the vector's elements are 40-byte status handlers.
    unsafe {
        let v = &mut (*config).statuses;
        let need = v.size + 1;
        crate::mem::vector::expand(None, v.as_raw(), size_of::<h2o_status_handler_t>(), need);
        v.entries.add(v.size).cast::<h2o_status_handler_t>().write(h);
        v.size += 1;
    }
}

/// `h2o_config_register_status_handler`: appends a copy of `status_handler` to
/// `config->statuses` (data only: this library has no status page yet). As in 2.2.5,
/// `h2o_config_dispose` frees neither the vector nor anything it points to.
///
/// # Safety
/// `config` is initialized.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_config_register_status_handler(config: *mut h2o_globalconf_t, status_handler: h2o_status_handler_t) {
    boundary("h2o_config_register_status_handler", (), || {
        assert!(!config.is_null(), "config is NULL");
        // SAFETY: the caller's contract.
        unsafe { push_status(config, status_handler) }
    })
}

/// `h2o_config_register_simple_status_handler`: appends `{name (a malloc'ed NUL-terminated copy),
/// NULL, NULL, status_handler}` to `config->statuses` (not freed by `h2o_config_dispose`, as in
/// 2.2.5).
///
/// # Safety
/// `config` is initialized; `name.base` has `name.len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_config_register_simple_status_handler(config: *mut h2o_globalconf_t, name: h2o_iovec_t, status_handler: *mut c_void) {
    boundary("h2o_config_register_simple_status_handler", (), || {
        assert!(!config.is_null(), "config is NULL");
        // SAFETY: the caller's contract.
        unsafe {
            let name = config::c_strdup(crate::core::request::bytes(name));
            push_status(config, h2o_status_handler_t { name, init: null_mut(), per_thread: null_mut(), final_: status_handler });
        }
    })
}

// --- filters of the library ------------------------------------------------------------------------------

/// `h2o_chunked_register`: adds 2.2.5's chunked-encoding filter to `pathconf` (which
/// `h2o_config_init_pathconf` already did; a second one is harmless). The HTTP/1 layer frames the
/// body itself; the filter adds `transfer-encoding: chunked` to `res.headers` and counts
/// `bytes_sent` where 2.2.5 would chunk (HTTP/1.1, length unknown, status 200, not HEAD).
///
/// # Safety
/// `pathconf` is initialized with a live globalconf.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_chunked_register(pathconf: *mut h2o_pathconf_t) {
    boundary("h2o_chunked_register", (), || {
        // SAFETY: checked, then the caller's contract.
        assert!(!pathconf.is_null() && unsafe { !(*pathconf).global.is_null() }, "pathconf is NULL or not initialized");
        // SAFETY: the caller's contract.
        unsafe { crate::core::filters::chunked_register(pathconf) }
    })
}

/// `h2o_headers_register`: adds a filter applying `cmds` (terminated by `H2O_HEADERS_CMD_NULL`;
/// borrowed, they must outlive the path) in order to each response's headers when it starts.
///
/// # Safety
/// `pathconf` is initialized with a live globalconf; `cmds` is a terminated list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_headers_register(pathconf: *mut h2o_pathconf_t, cmds: *mut h2o_headers_command_t) {
    boundary("h2o_headers_register", (), || {
        assert!(!pathconf.is_null() && !cmds.is_null(), "NULL argument");
        // SAFETY: the caller's contract.
        unsafe { crate::core::filters::headers_register(pathconf, cmds) }
    })
}

/// `h2o_reproxy_register`: adds the reproxy filter to the path: a response with an
/// `X-Reproxy-URL` header is replaced by what that URL answers (an internal redirect: GET unless
/// the status is 307/308). URLs on hosts this server does not serve get 502 (no proxy here).
///
/// # Safety
/// `pathconf` is initialized with a live globalconf.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_reproxy_register(pathconf: *mut h2o_pathconf_t) {
    boundary("h2o_reproxy_register", (), || {
        // SAFETY: checked, then the caller's contract.
        assert!(!pathconf.is_null() && unsafe { !(*pathconf).global.is_null() }, "pathconf is NULL or not initialized");
        // SAFETY: the caller's contract.
        unsafe { crate::handler::reproxy::register(pathconf) }
    })
}

/// `h2o_redirect_register`: adds a handler redirecting every request of the path to `prefix`
/// (copied; NUL-terminated) + the part of its path below the path's: a `status` response with
/// `Location`, or when `internal` an internal redirect (GET unless `status` is 307/308). The
/// handler belongs to the path (freed by `h2o_config_dispose`).
///
/// # Safety
/// `pathconf` is initialized with a live globalconf; `prefix` is a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_redirect_register(
    pathconf: *mut h2o_pathconf_t,
    internal: c_int,
    status: c_int,
    prefix: *const c_char,
) -> *mut crate::handler::redirect::RedirectHandler {
    boundary("h2o_redirect_register", null_mut(), || {
        // SAFETY: checked, then the caller's contract.
        assert!(!pathconf.is_null() && unsafe { !(*pathconf).global.is_null() } && !prefix.is_null(), "NULL argument");
        // SAFETY: the caller's contract.
        unsafe { crate::handler::redirect::register(pathconf, internal, status, prefix) }
    })
}

/// `h2o_headers_append_command`: replaces `*cmds` (NULL, or a list this function returned) by a
/// new terminated list (a shared allocation: release it with `h2o_mem_release_shared`) with
/// `{cmd, name, value}` appended; the old list is released. `name` and `value` are borrowed.
///
/// # Safety
/// `cmds` is writable and `*cmds` NULL or such a list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_headers_append_command(cmds: *mut *mut h2o_headers_command_t, cmd: c_int, name: *mut h2o_iovec_t, value: h2o_iovec_t) {
    boundary("h2o_headers_append_command", (), || {
        assert!(!cmds.is_null(), "cmds is NULL");
        // SAFETY: the caller's contract.
        unsafe { crate::core::headers_cmd::append_command(cmds, cmd, name, value) }
    })
}

/// `h2o_rewrite_headers`: applies one command to `headers`: ADD appends; APPEND joins the value to
/// the first header of that name with ", " (adds it when absent); MERGE does so unless the value
/// is already one of its comma-separated tokens; SET removes every header of that name and adds
/// one; SETIFEMPTY adds one only when there is none; UNSET removes them all. A token name matches
/// by pointer, a string name by its bytes. New entries and joined values come from `pool`; the
/// command's name (when not a token) and value are borrowed.
///
/// # Safety
/// `pool` is initialized; `headers` a list in it; `cmd` valid, its name and value outliving the list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_rewrite_headers(pool: *mut h2o_mem_pool_t, headers: *mut h2o_headers_t, cmd: *mut h2o_headers_command_t) {
    boundary("h2o_rewrite_headers", (), || {
        // SAFETY: checked, then the caller's contract.
        assert!(!pool.is_null() && !headers.is_null() && !cmd.is_null() && unsafe { !(*cmd).name.is_null() }, "NULL argument");
        // SAFETY: the caller's contract.
        unsafe { crate::core::headers_cmd::rewrite(&mut *pool, &mut *headers, &*cmd) }
    })
}

// --- small helpers of util.c -----------------------------------------------------------------------------

/// `h2o_stringify_proxy_header`: writes the PROXY protocol v1 line of `conn` ("PROXY TCP4|TCP6
/// peer local peerport localport\r\n" from its `get_peername` / `get_sockname` callbacks, or
/// "PROXY UNKNOWN\r\n") to `buf` (at least `H2O_PROXY_HEADER_MAX_LENGTH` bytes; not
/// NUL-terminated); returns its length.
///
/// # Safety
/// `conn` is a live connection with callbacks; `buf` has `H2O_PROXY_HEADER_MAX_LENGTH` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_stringify_proxy_header(conn: *mut crate::abi::request::h2o_conn_t, buf: *mut c_char) -> usize {
    boundary("h2o_stringify_proxy_header", 0, || {
        assert!(!conn.is_null() && !buf.is_null(), "NULL argument");
        // SAFETY: the caller's contract; the sockaddr buffers are large enough for any family.
        unsafe {
            let cb = &*(*conn).callbacks;
            let addr = |f: Option<unsafe extern "C" fn(*mut crate::abi::request::h2o_conn_t, *mut libc::sockaddr) -> libc::socklen_t>| {
                let mut ss: libc::sockaddr_storage = std::mem::zeroed();
                let sa = (&raw mut ss).cast::<libc::sockaddr>();
                let len = f.map_or(0, |f| f(conn, sa));
                let family = i32::from(ss.ss_family);
                if len == 0 || (family != libc::AF_INET && family != libc::AF_INET6) {
                    return None;
                }
                let mut host = [0 as c_char; 64];
                let n = crate::evloop::addr::numeric_host(sa, len, host.as_mut_ptr());
                if n == usize::MAX {
                    return None;
                }
                let port = crate::evloop::addr::port(sa) as u16;
                Some((family == libc::AF_INET6, std::slice::from_raw_parts(host.as_ptr().cast::<u8>(), n).to_vec(), port))
            };
            let line = match (addr(cb.get_peername), addr(cb.get_sockname)) {
                (Some((v6, peer, peer_port)), Some((_, local, local_port))) => {
                    crate::core::util::proxy_header(Some(crate::core::util::ProxyAddrs { v6, peer: &peer, peer_port, local: &local, local_port }))
                }
                _ => crate::core::util::proxy_header(None),
            };
            std::ptr::copy_nonoverlapping(line.as_ptr(), buf.cast::<u8>(), line.len());
            line.len()
        }
    })
}

/// `h2o_get_compressible_types`: `H2O_COMPRESSIBLE_GZIP` | `H2O_COMPRESSIBLE_BROTLI` for the
/// "gzip" / "br" tokens of the Accept-Encoding headers in `headers` (q-values are not looked at).
///
/// # Safety
/// `headers` is a valid list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_get_compressible_types(headers: *const h2o_headers_t) -> c_int {
    boundary("h2o_get_compressible_types", 0, || {
        assert!(!headers.is_null(), "headers is NULL");
        let ae = headers::lookup_token(b"accept-encoding").expect("accept-encoding token").cast::<h2o_iovec_t>();
        // SAFETY: the caller's contract.
        let list = unsafe { headers::entries(&*headers) };
        // SAFETY: values of a valid list.
        crate::core::util::compressible_types(list.iter().filter(|h| std::ptr::eq(h.name, ae)).map(|h| unsafe { crate::core::request::bytes(h.value) }))
    })
}

/// `h2o_build_destination`: `prefix` (`prefix_len` bytes) joined with the part of the request's
/// path after its pathconf's path (a trailing '/' of the prefix adjusted to the path's): the
/// normalized path URI-escaped plus the query when `use_path_normalized`, else the path as
/// received. A new string from the request's pool.
///
/// # Safety
/// `req` is live and bound to a path; `prefix` has `prefix_len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_build_destination(
    req: *mut crate::abi::request::h2o_req_t,
    prefix: *const c_char,
    prefix_len: usize,
    use_path_normalized: c_int,
) -> h2o_iovec_t {
    boundary("h2o_build_destination", h2o_iovec_t { base: null_mut(), len: 0 }, || {
        // SAFETY: checked, then the caller's contract.
        assert!(!req.is_null() && unsafe { !(*req).pathconf.is_null() } && (!prefix.is_null() || prefix_len == 0), "NULL argument");
        // SAFETY: the caller's contract.
        unsafe { crate::core::request::build_destination(&mut *req, bytes(prefix, prefix_len), use_path_normalized != 0) }
    })
}

// --- header lists ------------------------------------------------------------------------------------

/// Bytes `[p, p + len)` (empty when `len` is 0).
///
/// # Safety
/// `p` has `len` readable bytes, alive for `'a`.
unsafe fn bytes<'a>(p: *const c_char, len: usize) -> &'a [u8] {
    if len == 0 {
        return &[];
    }
    // SAFETY: the caller's contract.
    unsafe { std::slice::from_raw_parts(p.cast::<u8>(), len) }
}

fn iovec(p: *const c_char, len: usize) -> h2o_iovec_t {
    h2o_iovec_t { base: p.cast_mut(), len }
}

/// `h2o_find_header`: index of the first entry after `cursor` (-1: from the start) whose name is
/// `token` (pointer comparison), or -1. Borrows everything for the call.
///
/// # Safety
/// `headers` is a valid list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_find_header(headers: *const h2o_headers_t, token: *const h2o_token_t, cursor: isize) -> isize {
    boundary("h2o_find_header", -1, || {
        let name = token.cast::<h2o_iovec_t>();
        // SAFETY: the caller's contract.
        let list = unsafe { headers::entries(&*headers) };
        headers::find(list, cursor, |h| std::ptr::eq(h.name, name))
    })
}

/// `h2o_find_header_by_str`: as `h2o_find_header`, comparing the names' bytes exactly.
///
/// # Safety
/// `headers` is a valid list; `name` has `name_len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_find_header_by_str(headers: *const h2o_headers_t, name: *const c_char, name_len: usize, cursor: isize) -> isize {
    boundary("h2o_find_header_by_str", -1, || {
        // SAFETY: the caller's contract.
        let (list, name) = unsafe { (headers::entries(&*headers), bytes(name, name_len)) };
        // SAFETY: every entry of a valid list has a valid name.
        headers::find(list, cursor, |h| unsafe { headers::name_is(h, name) })
    })
}

/// `h2o_add_header`: appends `token: value` (value borrowed; `orig_name`, if not NULL, copied into
/// `pool` with the token's length).
///
/// # Safety
/// `pool` is initialized; `headers` is a list in `pool`; `token` is a token; `value` has
/// `value_len` bytes and outlives the list; `orig_name` is NULL or as long as the token's name.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_add_header(
    pool: *mut h2o_mem_pool_t,
    headers: *mut h2o_headers_t,
    token: *const h2o_token_t,
    orig_name: *const c_char,
    value: *const c_char,
    value_len: usize,
) {
    boundary("h2o_add_header", (), || {
        // SAFETY: the caller's contract.
        unsafe { headers::add(&mut *pool, &mut *headers, token.cast_mut().cast(), orig_name, iovec(value, value_len)) };
    })
}

/// The name to store for `name`: its token when `maybe_token` and it is one, else a pool iovec
/// pointing to the caller's bytes (borrowed, as 2.2.5).
///
/// # Safety
/// `pool` is initialized; `name` has `len` readable bytes.
unsafe fn name_for(pool: &mut h2o_mem_pool_t, name: *const c_char, len: usize, maybe_token: c_int) -> *mut h2o_iovec_t {
    // SAFETY: the caller's contract.
    let n = unsafe { bytes(name, len) };
    match (maybe_token != 0).then(|| headers::lookup_token(n)).flatten() {
        Some(t) => t.cast_mut().cast(),
        // SAFETY: the caller's contract.
        None => unsafe { headers::pool_name(pool, name, len) },
    }
}

/// `h2o_add_header_by_str`: appends `name: value`; the name is the token when `maybe_token` is set
/// and it is one, else the caller's bytes (borrowed, as 2.2.5: they must outlive the list). Value
/// borrowed; `orig_name` as in `h2o_add_header`.
///
/// # Safety
/// As `h2o_add_header`; `name` has `name_len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_add_header_by_str(
    pool: *mut h2o_mem_pool_t,
    headers: *mut h2o_headers_t,
    name: *const c_char,
    name_len: usize,
    maybe_token: c_int,
    orig_name: *const c_char,
    value: *const c_char,
    value_len: usize,
) {
    boundary("h2o_add_header_by_str", (), || {
        // SAFETY: the caller's contract.
        unsafe {
            let pool = &mut *pool;
            let n = name_for(pool, name, name_len, maybe_token);
            headers::add(pool, &mut *headers, n, orig_name, iovec(value, value_len));
        }
    })
}

/// `h2o_set_header`: replaces the value of the first `token` entry when `overwrite_if_exists`
/// (leaves it otherwise), or appends one. Value borrowed.
///
/// # Safety
/// As `h2o_add_header`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_set_header(
    pool: *mut h2o_mem_pool_t,
    headers: *mut h2o_headers_t,
    token: *const h2o_token_t,
    value: *const c_char,
    value_len: usize,
    overwrite_if_exists: c_int,
) {
    boundary("h2o_set_header", (), || {
        let name = token.cast_mut().cast::<h2o_iovec_t>();
        // SAFETY: the caller's contract.
        unsafe {
            let list = &mut *headers;
            let i = headers::find(headers::entries(list), -1, |h| std::ptr::eq(h.name, name));
            if i >= 0 {
                if overwrite_if_exists != 0 {
                    (*list.entries.add(i as usize)).value = iovec(value, value_len);
                }
            } else {
                headers::add(&mut *pool, list, name, std::ptr::null(), iovec(value, value_len));
            }
        }
    })
}

/// `h2o_set_header_by_str`: as `h2o_set_header` by name (a token when `maybe_token` and it is one;
/// else compared exactly and, when appended, borrowed as in `h2o_add_header_by_str`).
///
/// # Safety
/// As `h2o_add_header_by_str`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_set_header_by_str(
    pool: *mut h2o_mem_pool_t,
    headers: *mut h2o_headers_t,
    name: *const c_char,
    name_len: usize,
    maybe_token: c_int,
    value: *const c_char,
    value_len: usize,
    overwrite_if_exists: c_int,
) {
    boundary("h2o_set_header_by_str", (), || {
        // SAFETY: the caller's contract.
        unsafe {
            let n = bytes(name, name_len);
            if let Some(t) = (maybe_token != 0).then(|| headers::lookup_token(n)).flatten() {
                h2o_set_header(pool, headers, t, value, value_len, overwrite_if_exists);
                return;
            }
            let list = &mut *headers;
            let i = headers::find(headers::entries(list), -1, |h| headers::name_is(h, n));
            if i >= 0 {
                if overwrite_if_exists != 0 {
                    (*list.entries.add(i as usize)).value = iovec(value, value_len);
                }
            } else {
                let pool = &mut *pool;
                let n = headers::pool_name(pool, name, name_len);
                headers::add(pool, list, n, std::ptr::null(), iovec(value, value_len));
            }
        }
    })
}

/// `h2o_set_header_token`: adds `value` to the comma-separated list of the last `token` entry
/// (a new string in `pool`), unless an entry already lists it (each element lower-cased and
/// compared with `value` as given, as 2.2.5); appends an entry (value borrowed) when there is none.
///
/// # Safety
/// As `h2o_add_header`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_set_header_token(
    pool: *mut h2o_mem_pool_t,
    headers: *mut h2o_headers_t,
    token: *const h2o_token_t,
    value: *const c_char,
    value_len: usize,
) {
    boundary("h2o_set_header_token", (), || {
        // SAFETY: the caller's contract.
        unsafe { headers::set_token(&mut *pool, &mut *headers, token.cast_mut().cast(), iovec(value, value_len)) }
    })
}

/// `h2o_delete_header`: removes entry `cursor` (keeping the others' order) and returns `cursor`
/// (2.2.5). An index out of range is reported and ignored (2.2.5 asserts); then -1 is returned.
///
/// # Safety
/// `headers` is a valid list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_delete_header(headers: *mut h2o_headers_t, cursor: isize) -> isize {
    boundary("h2o_delete_header", -1, || {
        // SAFETY: the caller's contract; the index is checked.
        unsafe { headers::delete(&mut *headers, cursor) }
    })
}

/// `h2o_headers_is_prohibited_name`: whether the headers directives may not touch `token`: the
/// connection-level headers (connection, content-length, transfer-encoding) and those the protocol
/// layer writes (date, server), as in 2.2.5. Pointer comparison only (NULL or a non-token: 0).
///
/// # Safety
/// None beyond passing a pointer value.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_headers_is_prohibited_name(token: *const h2o_token_t) -> c_int {
    boundary("h2o_headers_is_prohibited_name", 0, || {
        const PROHIBITED: [&[u8]; 5] = [b"connection", b"content-length", b"transfer-encoding", b"date", b"server"];
        PROHIBITED.iter().any(|n| headers::lookup_token(n) == Some(token)) as c_int
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem;

    fn tok(name: &[u8]) -> *const h2o_token_t {
        headers::lookup_token(name).unwrap()
    }

    fn value(h: &h2o_header_t) -> &[u8] {
        // SAFETY: values set from static strings or pool copies in these tests.
        unsafe { bytes(h.value.base, h.value.len) }
    }

    #[test]
    fn the_2_2_5_sequence() {
        let mut pool = mem::pool::EMPTY;
        let mut list = h2o_headers_t::EMPTY;
        let (p, l) = (&raw mut pool, &raw mut list);
        let vary = tok(b"vary");
        // SAFETY: a pool-backed list; static values.
        unsafe {
            h2o_add_header(p, l, vary, std::ptr::null(), c"cookie".as_ptr(), 6);
            h2o_add_header_by_str(p, l, c"x-foo".as_ptr(), 5, 1, std::ptr::null(), c"a".as_ptr(), 1);
            h2o_add_header_by_str(p, l, c"content-length".as_ptr(), 14, 0, std::ptr::null(), c"5".as_ptr(), 1);
            assert_eq!(h2o_find_header(l, tok(b"content-length"), -1), -1);
            assert_eq!(h2o_find_header_by_str(l, c"content-length".as_ptr(), 14, -1), 2);
            h2o_set_header_token(p, l, vary, c"accept-encoding".as_ptr(), 15);
            h2o_set_header_token(p, l, vary, c"cookie".as_ptr(), 6);
            assert_eq!(value(&*list.entries), b"cookie, accept-encoding");
            h2o_set_header_by_str(p, l, c"x-foo".as_ptr(), 5, 1, c"b".as_ptr(), 1, 0);
            assert_eq!(value(&*list.entries.add(1)), b"a");
            h2o_set_header_by_str(p, l, c"x-foo".as_ptr(), 5, 1, c"b".as_ptr(), 1, 1);
            assert_eq!(value(&*list.entries.add(1)), b"b");
            h2o_set_header(p, l, tok(b"server"), c"s".as_ptr(), 1, 1);
            assert_eq!(list.size, 4);
            assert_eq!(h2o_delete_header(l, 0), 0);
            assert_eq!(h2o_find_header(l, vary, -1), -1);
            assert_eq!(h2o_delete_header(l, 9), -1);
            assert_eq!(list.size, 3);
            mem::pool::clear(&mut pool);
        }
    }

    #[test]
    fn prohibited_names() {
        // SAFETY: pointer comparisons only.
        unsafe {
            for n in [&b"connection"[..], b"content-length", b"transfer-encoding", b"date", b"server"] {
                assert_eq!(h2o_headers_is_prohibited_name(tok(n)), 1);
            }
            assert_eq!(h2o_headers_is_prohibited_name(tok(b"vary")), 0);
            assert_eq!(h2o_headers_is_prohibited_name(std::ptr::null()), 0);
        }
    }
}
