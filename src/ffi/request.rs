//! `h2o.h` requests and responses, over the types of `crate::abi::request`: `h2o_accept`, the
//! exported `H2O_HTTP1_CALLBACKS`, the request's life (`h2o_init_request`, `h2o_process_request`,
//! `h2o_dispose_request`, delegation and internal redirects), the filter chain (`h2o_add_ostream`,
//! `h2o_ostream_send_next`, `h2o_add_prefilter`) and the response API (`h2o_start_response`,
//! `h2o_send`, `h2o_send_inline`, the error and redirect responses, `h2o_req_log_error`). The
//! engine is `crate::core::request` and `crate::http1::conn`.
//!
//! Ownership: a request belongs to its connection; everything it points to lives in its pool or in
//! the connection. Bodies given to `h2o_send` are borrowed until the generator's `proceed` is called
//! (or, for the final call, until the request is done); `h2o_send_inline` copies its body.
//! Output streams and prefilters are allocated from the request's pool and freed with it.

#![allow(non_camel_case_types)]

use crate::abi::request::*;
use std::ffi::{c_char, c_int, c_void};

use crate::abi::core::{h2o_handler_t, h2o_hostconf_t, h2o_pathconf_t};
use crate::abi::memory::h2o_iovec_t;
use crate::abi::panic::boundary;
use crate::abi::socket::h2o_socket_t;
use crate::abi::url::h2o_url_scheme_t;
use crate::core::request;


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
        unsafe { request::start_response(req, generator) }
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


/// `H2O_HTTP1_CALLBACKS` (16-byte data object, copy-relocatable): the HTTP/1 layer's
/// `request_shutdown` (idle connections close at once, busy ones after their response) and
/// `foreach_request` (each request in progress). `h2o_config_init` stores them in
/// `globalconf.http1.callbacks`, as 2.2.5 does. Ownership: static, read-only.
#[unsafe(no_mangle)]
pub static H2O_HTTP1_CALLBACKS: h2o_protocol_callbacks_t = crate::http1::conn::PROTOCOL_CALLBACKS;

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

// --- the request's life -----------------------------------------------------------------------------

/// Whether `req` is not NULL and has a connection (the deferred forms need its context).
///
/// # Safety
/// `req` is NULL or a live request.
unsafe fn has_conn(req: *const h2o_req_t) -> bool {
    // SAFETY: dereferenced only when not NULL.
    !req.is_null() && unsafe { !(*req).conn.is_null() }
}

/// `h2o_init_request`: initializes `req` (608 bytes, caller-allocated; a pool already there is
/// overwritten, not freed) for `conn`: everything zeroed, then reason "OK", unknown content length
/// and preferred chunk size, a fresh pool. With `src` (may be NULL), the new request is a copy of
/// `src`'s input (method, authority, path, scheme), version, persistence, timestamps, Upgrade
/// header, headers and environment, all copied into the new request's pool; `entity` is shared
/// (it stays `src`'s). The protocol then sets `_ostr_top` to its final output stream.
/// Release with `h2o_dispose_request`.
///
/// # Safety
/// `req` points to a writable `h2o_req_t`; `conn` is the request's connection (or NULL for a
/// request never processed); `src` is NULL or a live request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_init_request(req: *mut h2o_req_t, conn: *mut h2o_conn_t, src: *mut h2o_req_t) {
    boundary("h2o_init_request", (), || {
        assert!(!req.is_null(), "req is NULL");
        // SAFETY: the caller's contract.
        unsafe { request::init_request(req, conn, src) }
    })
}

/// `h2o_dispose_request`: stops the generator and the filters' output streams still running,
/// cancels a deferred proceed, calls the loggers of the request's path (when a request was
/// received, i.e. `version` is set, and bound to a path), then frees everything allocated from
/// the request's pool. `req` itself stays the caller's.
///
/// # Safety
/// `req` was initialized by `h2o_init_request` and not disposed of since.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_dispose_request(req: *mut h2o_req_t) {
    boundary("h2o_dispose_request", (), || {
        assert!(!req.is_null(), "req is NULL");
        // SAFETY: the caller's contract.
        unsafe { request::dispose_request(req) }
    })
}

/// `h2o_process_request`: processes a request whose input (`input.scheme`, `input.authority`
/// (NULL base: the first host's name), `input.method`, `input.path`), version and final output
/// stream the protocol has set: the processing time, the host (by authority and port; the first
/// host when none matches), the method, scheme, authority, path and normalized path, the path of
/// the host covering it (the first registered one that does), its environment, then its handlers
/// (404 when none takes the request).
///
/// # Safety
/// `req` is initialized as above; its connection's `ctx` and `hosts` (non-empty) are valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_process_request(req: *mut h2o_req_t) {
    boundary("h2o_process_request", (), || {
        assert!(!req.is_null(), "req is NULL");
        // SAFETY: the caller's contract; the connection and its hosts are checked.
        unsafe {
            let conn = (*req).conn;
            assert!(!conn.is_null() && !(*conn).hosts.is_null() && !(*(*conn).hosts).is_null(), "the request's connection has no hosts");
            request::process_request(req)
        }
    })
}

/// `h2o_req_bind_conf`: the request is served by `pathconf` of `hostconf` from now on; the
/// path's environment (`pathconf->env` and its parents, outermost first: unsets, then sets) is
/// applied to `req->env`. Both are borrowed and must outlive the request.
///
/// # Safety
/// `req` is live; `hostconf` and `pathconf` valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_req_bind_conf(req: *mut h2o_req_t, hostconf: *mut h2o_hostconf_t, pathconf: *mut h2o_pathconf_t) {
    boundary("h2o_req_bind_conf", (), || {
        assert!(!req.is_null() && !pathconf.is_null(), "NULL argument");
        // SAFETY: the caller's contract.
        unsafe { request::bind_conf(req, hostconf, pathconf) }
    })
}

/// `h2o_delegate_request`: passes the request on to the handlers of its path after
/// `current_handler` (404 when none of them takes it, or `current_handler` is not one of the
/// path's handlers).
///
/// # Safety
/// `req` is live and bound to a path; called from a handler's `on_req` that returns 0 (or later).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_delegate_request(req: *mut h2o_req_t, current_handler: *mut h2o_handler_t) {
    boundary("h2o_delegate_request", (), || {
        // SAFETY: dereferenced only when not NULL (a live request, the caller's contract).
        assert!(!req.is_null() && unsafe { !(*req).pathconf.is_null() }, "req is NULL or not bound to a path");
        // SAFETY: the caller's contract.
        unsafe { request::delegate_request(req, current_handler) }
    })
}

/// `h2o_delegate_request_deferred`: `h2o_delegate_request` on the next loop iteration (from the
/// context's zero timeout). Cancelled if the request is disposed of first.
///
/// # Safety
/// As `h2o_delegate_request`; the request's connection has an initialized context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_delegate_request_deferred(req: *mut h2o_req_t, current_handler: *mut h2o_handler_t) {
    boundary("h2o_delegate_request_deferred", (), || {
        // SAFETY: the caller passes NULL or a live request.
        assert!(unsafe { has_conn(req) }, "req is NULL or has no connection");
        // SAFETY: the caller's contract.
        unsafe { request::delegate_request_deferred(req, current_handler) }
    })
}

/// `h2o_reprocess_request`: an internal redirect. Stops the running generator and filters, resets
/// the response, sets the request's method, scheme, authority and path (borrowed: they must live
/// as long as the request, e.g. in its pool) and processes it again on the host of `authority`
/// among the connection's hosts. `is_delegated` marks the response as delegated (then
/// `h2o_send_redirect` redirects internally). At most `globalconf->max_delegations` delegations
/// and 5 other reprocesses per request; beyond that: 502 "too many internal delegations" /
/// "too many internal reprocesses", as 2.2.5. Unlike 2.2.5, which proxies a request given
/// `overrides` or an authority none of the hosts serves, this library answers 502 then (and logs
/// why on stderr).
///
/// # Safety
/// `req` is live with a connection; `scheme` valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_reprocess_request(
    req: *mut h2o_req_t,
    method: h2o_iovec_t,
    scheme: *const h2o_url_scheme_t,
    authority: h2o_iovec_t,
    path: h2o_iovec_t,
    overrides: *mut c_void,
    is_delegated: c_int,
) {
    let to = request::Reprocess { method, scheme, authority, path, overrides, is_delegated: is_delegated != 0 };
    // SAFETY: the caller's contract.
    unsafe { reprocess("h2o_reprocess_request", req, to, false) }
}

/// The body of both reprocess exports: checks, then now or deferred.
///
/// # Safety
/// As `h2o_reprocess_request`.
unsafe fn reprocess(name: &'static str, req: *mut h2o_req_t, to: request::Reprocess, deferred: bool) {
    boundary(name, (), || {
        // SAFETY: the caller passes NULL or a live request.
        assert!(unsafe { has_conn(req) } && !to.scheme.is_null(), "NULL argument");
        // SAFETY: the caller's contract.
        unsafe {
            if deferred {
                request::reprocess_request_deferred(req, to)
            } else {
                request::reprocess_request(req, to)
            }
        }
    })
}

/// `h2o_reprocess_request_deferred`: `h2o_reprocess_request` on the next loop iteration (the
/// arguments are kept until then; cancelled if the request is disposed of first).
///
/// # Safety
/// As `h2o_reprocess_request`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_reprocess_request_deferred(
    req: *mut h2o_req_t,
    method: h2o_iovec_t,
    scheme: *const h2o_url_scheme_t,
    authority: h2o_iovec_t,
    path: h2o_iovec_t,
    overrides: *mut c_void,
    is_delegated: c_int,
) {
    let to = request::Reprocess { method, scheme, authority, path, overrides, is_delegated: is_delegated != 0 };
    // SAFETY: the caller's contract.
    unsafe { reprocess("h2o_reprocess_request_deferred", req, to, true) }
}

// --- filters and output streams -----------------------------------------------------------------------

/// `h2o_add_ostream`: allocates `sz` bytes (at least an `h2o_ostream_t`) from the request's pool
/// (freed with the request), sets `next` to `*slot` and the callbacks to NULL, and links it in at
/// `*slot`. Called from a filter's `on_setup_ostream` with the slot it was given; the filter then
/// sets `do_send` and passes `&ostr->next` on (`h2o_setup_next_ostream`).
///
/// # Safety
/// `req` is live; `slot` is the slot given to the filter.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_add_ostream(req: *mut h2o_req_t, sz: usize, slot: *mut *mut h2o_ostream_t) -> *mut h2o_ostream_t {
    boundary("h2o_add_ostream", std::ptr::null_mut(), || {
        assert!(!req.is_null() && !slot.is_null(), "NULL argument");
        // SAFETY: the caller's contract.
        unsafe { request::add_ostream(req, sz, slot) }
    })
}

/// `h2o_add_prefilter`: allocates `sz` bytes (at least an `h2o_req_prefilter_t`) from the
/// request's pool and puts it first in `req->prefilters`; the caller sets `on_setup_ostream`,
/// which `h2o_start_response` calls before the path's filters (the prefilter passes on with
/// `h2o_setup_next_prefilter`).
///
/// # Safety
/// `req` is live; the response has not started.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_add_prefilter(req: *mut h2o_req_t, sz: usize) -> *mut h2o_req_prefilter_t {
    boundary("h2o_add_prefilter", std::ptr::null_mut(), || {
        assert!(!req.is_null(), "req is NULL");
        // SAFETY: the caller's contract.
        unsafe { request::add_prefilter(req, sz) }
    })
}

/// `h2o_ostream_send_next`: an output stream passes `bufs` (borrowed until the generator's next
/// `proceed`) on to the next stream. With a final or error state the stream, which must be the
/// top one, leaves the chain. In progress with no buffers, nothing is passed on and the
/// generator is asked for more on the next loop iteration.
///
/// # Safety
/// `ostream` is in `req`'s chain and has a next stream.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_ostream_send_next(ostream: *mut h2o_ostream_t, req: *mut h2o_req_t, bufs: *mut h2o_iovec_t, bufcnt: usize, state: c_int) {
    boundary("h2o_ostream_send_next", (), || {
        assert!(!ostream.is_null() && !req.is_null() && (!bufs.is_null() || bufcnt == 0), "NULL argument");
        // SAFETY: the caller's contract.
        unsafe { request::ostream_send_next(ostream, req, bufs, bufcnt, state) }
    })
}

// --- more responses -------------------------------------------------------------------------------------

/// `h2o_send_redirect_internal`: serves `url_str` (`url_len` bytes, copied; relative to the
/// request's path, or absolute) with `method` in place of the request, on the next loop
/// iteration, as a delegation (see `h2o_reprocess_request`). `preserve_overrides` keeps
/// `req->overrides` when the authority does not change. An unparsable URL gets 502.
///
/// # Safety
/// `req` is live with a connection; `url_str` has `url_len` readable bytes; `method` lives as long
/// as the request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_send_redirect_internal(req: *mut h2o_req_t, method: h2o_iovec_t, url_str: *const c_char, url_len: usize, preserve_overrides: c_int) {
    boundary("h2o_send_redirect_internal", (), || {
        // SAFETY: the caller passes NULL or a live request.
        assert!(unsafe { has_conn(req) } && (!url_str.is_null() || url_len == 0), "NULL argument");
        // SAFETY: the caller's contract.
        unsafe {
            let url = if url_len == 0 { &[][..] } else { std::slice::from_raw_parts(url_str.cast::<u8>(), url_len) };
            request::send_redirect_internal(req, method, url, preserve_overrides != 0)
        }
    })
}

/// `h2o_get_redirect_method`: the method to use after a redirect with `status`: "GET" (static) for
/// a POST unless the status is 307 or 308; else `method` itself.
///
/// # Safety
/// `method.base` has `method.len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_get_redirect_method(method: h2o_iovec_t, status: c_int) -> h2o_iovec_t {
    boundary("h2o_get_redirect_method", method, || request::get_redirect_method(method, status))
}

/// `h2o_req_fill_mime_attributes`: unless `req->res.mime_attr` is set, points it to the attributes
/// of the response's Content-Type in the path's MIME map (borrowed from the map), else to
/// `h2o_mime_attributes_as_is`.
///
/// # Safety
/// `req` is live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_req_fill_mime_attributes(req: *mut h2o_req_t) {
    boundary("h2o_req_fill_mime_attributes", (), || {
        assert!(!req.is_null(), "req is NULL");
        // SAFETY: the caller's contract.
        unsafe { request::fill_mime_attributes(req) }
    })
}

// --- h2o_req_log_error: a C variadic function ------------------------------------------------------
//
// Stable Rust cannot define a C-variadic function, so the exported symbol is a naked trampoline
// doing what a C compiler's prologue does for `...` on x86-64 (System V): it saves the six
// integer argument registers and, when AL says vector registers carry arguments, xmm0-7 into a
// register save area, builds a `va_list` (`__va_list_tag`: 3 integer registers used by the named
// arguments, none of the vector ones, the caller's stack arguments as the overflow area) and calls
// `log_error_va`, which formats with the C library's `vsnprintf`.

unsafe extern "C" {
    fn vsnprintf(buf: *mut c_char, size: usize, fmt: *const c_char, ap: *mut c_void) -> c_int;
}

/// The x86-64 `__va_list_tag` (24 bytes); `va_copy` is a plain copy of it.
#[cfg(target_arch = "x86_64")]
#[repr(C)]
#[derive(Clone, Copy)]
struct VaListTag {
    gp_offset: u32,
    fp_offset: u32,
    overflow_arg_area: *mut c_void,
    reg_save_area: *mut c_void,
}

/// `h2o_req_log_error(req, module, fmt, ...)`: formats the message as `printf` does, keeps it in
/// `req->error_logs` (module borrowed, message copied into the request's pool) and, when the
/// request's path has `error_log.emit_request_errors` set (the default), writes
/// "[module] in request:PATH:message" and a newline to stderr in one write (PATH cut to 29 bytes
/// and "..." when it has 32 or more), as 2.2.5.
///
/// # Safety
/// `req` is live; `module` is NUL-terminated and lives as long as the request; `fmt` and the
/// arguments match as for `printf`.
#[cfg(target_arch = "x86_64")]
#[unsafe(no_mangle)]
#[unsafe(naked)]
pub unsafe extern "C" fn h2o_req_log_error(req: *mut h2o_req_t, module: *const c_char, fmt: *const c_char) {
    std::arch::naked_asm!(
        // entry: rsp + 8 is 16-byte aligned; [rsp] is the return address, the caller's stack
        // arguments start at [rsp + 8] (at [rbp + 16] once rbp is pushed)
        "push rbp",
        "mov rbp, rsp",
        // 24 bytes of va_list at [rsp], 176 bytes of register save area at [rsp + 32], aligned
        "sub rsp, 208",
        "mov [rsp + 32], rdi",
        "mov [rsp + 40], rsi",
        "mov [rsp + 48], rdx",
        "mov [rsp + 56], rcx",
        "mov [rsp + 64], r8",
        "mov [rsp + 72], r9",
        "test al, al",
        "je 2f",
        "movaps [rsp + 80], xmm0",
        "movaps [rsp + 96], xmm1",
        "movaps [rsp + 112], xmm2",
        "movaps [rsp + 128], xmm3",
        "movaps [rsp + 144], xmm4",
        "movaps [rsp + 160], xmm5",
        "movaps [rsp + 176], xmm6",
        "movaps [rsp + 192], xmm7",
        "2:",
        // gp_offset 24 (req, module, fmt), fp_offset 48 (no vector register used yet)
        "mov dword ptr [rsp], 24",
        "mov dword ptr [rsp + 4], 48",
        "lea rax, [rbp + 16]",
        "mov [rsp + 8], rax",
        "lea rax, [rsp + 32]",
        "mov [rsp + 16], rax",
        // log_error_va(req, module, fmt, &va_list): rdi, rsi, rdx are unchanged
        "mov rcx, rsp",
        "call {imp}",
        "leave",
        "ret",
        imp = sym log_error_va,
    )
}

/// The body of `h2o_req_log_error` once its variable arguments are a `va_list`.
///
/// # Safety
/// As `h2o_req_log_error`; `ap` points to the trampoline's `__va_list_tag`.
#[cfg(target_arch = "x86_64")]
unsafe extern "C" fn log_error_va(req: *mut h2o_req_t, module: *const c_char, fmt: *const c_char, ap: *mut VaListTag) {
    boundary("h2o_req_log_error", (), || {
        assert!(!req.is_null() && !fmt.is_null(), "NULL argument");
        // SAFETY: the caller's contract; each vsnprintf call gets its own copy of the va_list (a
        // va_list is consumed by the call it is given to).
        unsafe {
            let mut first = *ap;
            let mut buf = vec![0u8; 256];
            let n = vsnprintf(buf.as_mut_ptr().cast(), buf.len(), fmt, (&raw mut first).cast());
            let Ok(n) = usize::try_from(n) else {
                return request::log_error(req, module, b"(h2o_req_log_error: invalid format)");
            };
            if n >= buf.len() {
                let mut second = *ap;
                buf = vec![0u8; n + 1];
                vsnprintf(buf.as_mut_ptr().cast(), buf.len(), fmt, (&raw mut second).cast());
            }
            request::log_error(req, module, &buf[..n]);
        }
    })
}

/// Returns the paths the `Link` header value `value[0..value_len]` asks to push (`rel=preload`
/// without `nopush`), resolved against `base_path` (the request's normalized path) and checked to
/// name `input_scheme` and `input_authority` (or, with `base_scheme` non-NULL, resolved against
/// `base_scheme` / `*base_authority`, a delegated response's URL); `*filtered_value` becomes the
/// value without its `x-http2-push-only` links (`value` itself when it has none).
///
/// Ownership: the vector and its strings (NUL-terminated) are from `pool`, and so is a filtered
/// value that differs from `value`.
///
/// # Safety
/// `pool` initialized; `value` readable for `value_len` bytes; `base_path` a readable path starting
/// with `/`; `input_scheme` valid; `base_scheme` NULL or valid with `base_authority` readable;
/// `filtered_value` writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn h2o_extract_push_path_from_link_header(
    pool: *mut crate::abi::memory::h2o_mem_pool_t,
    value: *const c_char,
    value_len: usize,
    base_path: h2o_iovec_t,
    input_scheme: *const h2o_url_scheme_t,
    input_authority: h2o_iovec_t,
    base_scheme: *const h2o_url_scheme_t,
    base_authority: *mut h2o_iovec_t,
    filtered_value: *mut h2o_iovec_t,
) -> crate::abi::core::Vector<h2o_iovec_t> {
    boundary("h2o_extract_push_path_from_link_header", crate::abi::core::Vector::EMPTY, || {
        assert!(!pool.is_null() && !filtered_value.is_null(), "NULL argument");
        // SAFETY: per the contract.
        unsafe {
            let value = if value.is_null() { &[][..] } else { std::slice::from_raw_parts(value.cast(), value_len) };
            request::extract_push_paths(
                pool,
                value,
                request::bytes(base_path),
                input_scheme,
                request::bytes(input_authority),
                base_scheme,
                base_authority,
                filtered_value,
            )
        }
    })
}

/// Pushes (through the connection's `callbacks->push_path`, when it has one: HTTP/2) each path the
/// `Link` value asks to push, resolved against the request, and returns the value without its
/// `x-http2-push-only` links (`value` itself when there are none, or when the connection cannot push).
///
/// Ownership: a filtered value that differs from `value` is from the request's pool.
///
/// # Safety
/// `req` is a live request; `value` readable for `value_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_push_path_in_link_header(req: *mut h2o_req_t, value: *const c_char, value_len: usize) -> h2o_iovec_t {
    boundary("h2o_push_path_in_link_header", h2o_iovec_t::EMPTY, || {
        assert!(!req.is_null(), "NULL argument");
        // SAFETY: per the contract.
        unsafe {
            let v = if value.is_null() { &[][..] } else { std::slice::from_raw_parts(value.cast(), value_len) };
            request::push_path_in_link_header(req, v)
        }
    })
}

/// Sends the informational response in `req->res` (`status` 100..199 but 101, and `headers`)
/// before the final one, then clears `res.status` and `res.headers` for it (H2O 2.3's API; not in
/// 2.2.5, which can only send a 1xx as the final response). HTTP/2: HEADERS without END_STREAM,
/// and a 103's `Link: rel=preload` headers start their pushes at once. HTTP/1.1: the interim
/// response is written at once (not to HTTP/1.0 clients, RFC 9110 15.2). A 103 without headers is
/// not sent. Call it before `h2o_start_response`.
///
/// Ownership: the headers stay the request's (pool); the library copies what it sends.
///
/// # Safety
/// `req` is a live request whose response has not started.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_send_informational(req: *mut h2o_req_t) {
    boundary("h2o_send_informational", (), || {
        assert!(!req.is_null(), "NULL argument");
        // SAFETY: per the contract.
        unsafe {
            let r = &mut *req;
            let status = r.res.status;
            let valid = (100..200).contains(&status) && status != 101 && r._generator.is_null();
            if valid && !(status == 103 && r.res.headers.size == 0) {
                if crate::http2::conn::push::owns(r.conn) {
                    crate::http2::conn::push::send_informational(req);
                } else if crate::http1::conn::owns(r.conn) {
                    crate::http1::conn::send_informational(req);
                }
            } else if !valid {
                eprintln!("libh2o-rs: h2o_send_informational: status {status} is not informational, or the response started; ignored");
            }
            r.res.status = 0;
            r.res.headers = std::mem::zeroed();
        }
    })
}
