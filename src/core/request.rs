//! Requests and responses, protocol-independent, as 2.2.5's `lib/core/request.c` has them: the
//! request's life (`h2o_init_request` / `h2o_dispose_request`, which runs the loggers), choosing
//! the host and path configuration (`h2o_process_request`, `h2o_req_bind_conf` with the path's
//! environment), running the handlers (`h2o_delegate_request`, internal redirects with
//! `h2o_reprocess_request`, deferred forms on the context's zero timeout), and the response:
//! `h2o_start_response` lets the prefilters and the path's filters put their output streams in
//! front of the protocol's final one (`req->_ostr_top`), `h2o_send` hands data to the top stream,
//! each stream passes it on with `h2o_ostream_send_next`; the inline, error and redirect responses
//! are built on them.
//!
//! The protocol (today HTTP/1, `crate::http1::conn`) owns the request: it calls [`init_request`]
//! and [`dispose_request`], provides the final output stream and counts `bytes_sent` there with
//! [`count_bytes_sent`].

use std::ffi::{c_char, c_int, c_void, CStr};
use std::mem::offset_of;
use std::ptr::null_mut;

use crate::evloop::timeout;
use crate::abi::core::{h2o_context_t, h2o_envconf_t, h2o_filter_t, h2o_handler_t, h2o_hostconf_t, h2o_logger_t, h2o_pathconf_t, Vector};
use crate::abi::evloop::h2o_timeout_entry_t;
use crate::abi::memory::{h2o_iovec_t, h2o_mem_pool_t};
use crate::abi::request::{
    h2o_conn_t, h2o_generator_t, h2o_ostream_t, h2o_req_error_log_t, h2o_req_prefilter_t, h2o_req_t, h2o_timestamp_t,
    REQ_FLAG_BYTES_COUNTED_BY_OSTREAM, REQ_FLAG_PERSISTENT, REQ_FLAG_RES_IS_DELEGATED, SEND_STATE_FINAL, SEND_STATE_IN_PROGRESS,
};
use crate::abi::url::h2o_url_scheme_t;
use crate::mem;

use super::headers;

/// Index of each status in `h2o_context_t.emitted_error_status` (`H2O_STATUS_ERROR_*`).
const STATUS_ERROR_INDEX: [(c_int, usize); 10] =
    [(400, 0), (403, 1), (404, 2), (405, 3), (413, 4), (416, 5), (417, 6), (500, 7), (502, 8), (503, 9)];

/// How often a request may be reprocessed (internal redirects that are not delegations), as 2.2.5.
const MAX_REPROCESSES: u32 = 5;

/// Counts an error response in the context, as the `h2o_send_error_XXX` inlines do.
pub fn count_error(ctx: &mut h2o_context_t, status: c_int) {
    if let Some(&(_, i)) = STATUS_ERROR_INDEX.iter().find(|(s, _)| *s == status) {
        ctx.emitted_error_status[i] += 1;
    }
}

/// The current time and its strings (`h2o_get_timestamp`), the strings linked to `pool`.
///
/// # Safety
/// `ctx` is an initialized context with a live loop; `pool` is initialized.
pub unsafe fn timestamp(ctx: *mut h2o_context_t, pool: &mut h2o_mem_pool_t) -> h2o_timestamp_t {
    // SAFETY: the caller's contract.
    unsafe {
        let (at, str_) = super::context::cached_timestamp(ctx);
        mem::pool::link_shared(pool, str_.cast());
        h2o_timestamp_t { at, str_ }
    }
}

/// The bytes of an iovec (empty when `len` is 0).
///
/// # Safety
/// `v.base` has `v.len` readable bytes, alive for `'a`.
pub unsafe fn bytes<'a>(v: h2o_iovec_t) -> &'a [u8] {
    if v.len == 0 || v.base.is_null() {
        return &[];
    }
    // SAFETY: the caller's contract.
    unsafe { std::slice::from_raw_parts(v.base.cast::<u8>(), v.len) }
}

fn static_iovec(s: &'static [u8]) -> h2o_iovec_t {
    h2o_iovec_t { base: s.as_ptr() as *mut c_char, len: s.len() }
}

// --- hosts and paths -------------------------------------------------------------------------------

/// Whether a response with this status has a body (RFC 9110 6.4.1: not 1xx, 204 or 304).
pub fn status_has_body(status: c_int) -> bool {
    !(100..200).contains(&status) && status != 204 && status != 304
}

/// Splits an authority into host and port (65535 when absent or not a number).
pub fn split_authority(authority: &[u8]) -> (&[u8], u16) {
    if authority.first() == Some(&b'[') {
        if let Some(end) = authority.iter().position(|&b| b == b']') {
            let host = &authority[..=end];
            let port = authority[end + 1..].strip_prefix(b":").and_then(parse_port).unwrap_or(65535);
            return (host, port);
        }
        return (authority, 65535);
    }
    match authority.iter().rposition(|&b| b == b':') {
        Some(i) => (&authority[..i], parse_port(&authority[i + 1..]).unwrap_or(65535)),
        None => (authority, 65535),
    }
}

fn parse_port(s: &[u8]) -> Option<u16> {
    if s.is_empty() || s.len() > 5 || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(s).ok()?.parse::<u32>().ok().filter(|&p| p < 65535).map(|p| p as u16)
}

/// Whether a configured host name (lower case; "*.example.com" wildcards) matches `host`.
pub fn host_matches(conf: &[u8], host: &[u8]) -> bool {
    if let Some(suffix) = conf.strip_prefix(b"*") {
        // "*.example.com" matches "a.example.com" (one or more labels), not "example.com".
        return host.len() > suffix.len() && host[host.len() - suffix.len()..].eq_ignore_ascii_case(suffix);
    }
    conf.eq_ignore_ascii_case(host)
}

/// Whether a hostconf's port accepts a request for `port` (65535: none given) on a scheme whose
/// default port is `default_port`.
pub fn port_matches(conf_port: u16, port: u16, default_port: u16) -> bool {
    let port = if port == 65535 { default_port } else { port };
    conf_port == port || (conf_port == 65535 && port == default_port)
}

/// The first hostconf among the NULL-terminated `hosts` whose name and port match `authority`
/// (2.2.5's `find_hostconf`), or NULL.
///
/// # Safety
/// `hosts` is NULL or a NULL-terminated list of valid hostconfs.
pub unsafe fn find_host(hosts: *mut *mut h2o_hostconf_t, authority: &[u8], default_port: u16) -> *mut h2o_hostconf_t {
    if hosts.is_null() {
        return null_mut();
    }
    let (host, port) = split_authority(authority);
    let mut i = 0;
    // SAFETY: the caller's contract.
    while let Some(h) = unsafe { (*hosts.add(i)).as_ref() } {
        // SAFETY: a registered host's name is a valid iovec.
        let name = unsafe { bytes(h.authority.host) };
        if host_matches(name, host) && port_matches(h.authority.port, port, default_port) {
            return (h as *const h2o_hostconf_t).cast_mut();
        }
        i += 1;
    }
    null_mut()
}

/// The hostconf for `authority` among the NULL-terminated `hosts`: the first whose name and port
/// match, else the first host (NULL when there is none).
///
/// # Safety
/// `hosts` is NULL or a NULL-terminated list of valid hostconfs.
pub unsafe fn select_host(hosts: *mut *mut h2o_hostconf_t, authority: &[u8], default_port: u16) -> *mut h2o_hostconf_t {
    // SAFETY: the caller's contract.
    let found = unsafe { find_host(hosts, authority, default_port) };
    if !found.is_null() || hosts.is_null() {
        return found;
    }
    // SAFETY: the caller's contract (the list has at least its terminator).
    unsafe { *hosts }
}

/// Whether a configured path covers the normalized request path, as 2.2.5 decides: the path is a
/// prefix that ends with '/', or is the whole path, or is followed by '/'.
pub fn path_matches(conf: &[u8], path: &[u8]) -> bool {
    path.starts_with(conf) && (conf.last() == Some(&b'/') || path.len() == conf.len() || path[conf.len()] == b'/')
}

/// The first pathconf of `hostconf`, in registration order, whose path covers `path` (2.2.5 picks
/// the first match, not the longest: register specific paths before "/"), else the host's fallback
/// path.
///
/// # Safety
/// `hostconf` is a valid hostconf.
pub unsafe fn select_path(hostconf: *mut h2o_hostconf_t, path: &[u8]) -> *mut h2o_pathconf_t {
    // SAFETY: the caller's contract.
    let h = unsafe { &mut *hostconf };
    for i in 0..h.paths.size {
        // SAFETY: `i < size`.
        let p = unsafe { h.paths.entries.add(i) };
        // SAFETY: a registered path is a valid iovec.
        if !unsafe { (*p).path.base }.is_null() && path_matches(unsafe { bytes((*p).path) }, path) {
            return p;
        }
    }
    &raw mut h.fallback_path
}

/// `h2o_req_bind_conf`: the request is now served by `pathconf` of `hostconf`; the path's
/// environment (its envconf and the envconfs it inherits from, outermost first) is applied to
/// `req->env`.
///
/// # Safety
/// `req` is live; `hostconf` and `pathconf` are valid and outlive the request.
pub unsafe fn bind_conf(req: *mut h2o_req_t, hostconf: *mut h2o_hostconf_t, pathconf: *mut h2o_pathconf_t) {
    // SAFETY: the caller's contract.
    unsafe {
        (*req).hostconf = hostconf;
        (*req).pathconf = pathconf;
        if !pathconf.is_null() && !(*pathconf).env.is_null() {
            apply_env(req, (*pathconf).env);
        }
    }
}

/// Applies `env` (after its parents) to the request: its unsets, then its sets.
///
/// # Safety
/// `req` is live; `env` a valid envconf chain.
unsafe fn apply_env(req: *mut h2o_req_t, env: *const h2o_envconf_t) {
    // SAFETY: the caller's contract; the envconf's strings are shared allocations it keeps alive.
    unsafe {
        let e = &*env;
        if !e.parent.is_null() {
            apply_env(req, e.parent);
        }
        for i in 0..e.unsets.size {
            unsetenv(&mut *req, bytes(*e.unsets.entries.add(i)));
        }
        let mut i = 0;
        while i + 1 < e.sets.size {
            let slot = getenv(&mut *req, *e.sets.entries.add(i));
            *slot = *e.sets.entries.add(i + 1);
            i += 2;
        }
    }
}

/// The value slot of `name` in `req->env` (created with an empty value when absent), as the
/// inline `h2o_req_getenv` does. The name iovec is stored as given (borrowed).
///
/// # Safety
/// `req` is live; `req.env` came from its pool.
unsafe fn getenv(req: &mut h2o_req_t, name: h2o_iovec_t) -> *mut h2o_iovec_t {
    // SAFETY: `env` holds `size` iovecs; names are valid.
    unsafe {
        let wanted = bytes(name);
        let mut i = 0;
        while i + 1 < req.env.size {
            if bytes(*req.env.entries.add(i)) == wanted {
                return req.env.entries.add(i + 1);
            }
            i += 2;
        }
        let need = req.env.size + 2;
        mem::vector::expand(Some(&mut req.pool), req.env.as_raw(), size_of::<h2o_iovec_t>(), need);
        let at = req.env.entries.add(req.env.size);
        at.write(name);
        at.add(1).write(h2o_iovec_t { base: null_mut(), len: 0 });
        req.env.size += 2;
        at.add(1)
    }
}

/// Removes `name` from `req->env`, as the inline `h2o_req_unsetenv` does.
///
/// # Safety
/// `req` is live.
unsafe fn unsetenv(req: &mut h2o_req_t, name: &[u8]) {
    let mut i = 0;
    while i + 1 < req.env.size {
        // SAFETY: `i < size`; a valid name.
        if unsafe { bytes(*req.env.entries.add(i)) } == name {
            // SAFETY: entries [i + 2, size) move down by two inside the vector.
            unsafe { std::ptr::copy(req.env.entries.add(i + 2), req.env.entries.add(i), req.env.size - i - 2) };
            req.env.size -= 2;
            return;
        }
        i += 2;
    }
}

// --- the request's life -------------------------------------------------------------------------

/// `h2o_init_request`: everything before the pool is zeroed, the pool initialized; the response
/// defaults to reason "OK" with an unknown length; the deferred-proceed timeout entry is set up.
/// With `src`, the request is a copy of it (input method, authority, path, scheme, version, body
/// (shared), persistence, timestamps, upgrade, headers and environment copied into the new pool).
///
/// # Safety
/// `req` points to 608 writable bytes (any pool there is overwritten, not freed); `conn` is the
/// connection (or NULL); `src` is NULL or a live request.
pub unsafe fn init_request(req: *mut h2o_req_t, conn: *mut h2o_conn_t, src: *const h2o_req_t) {
    // SAFETY: the caller's contract; all-zero is a valid value for every field before the pool.
    unsafe {
        std::ptr::write_bytes(req.cast::<u8>(), 0, offset_of!(h2o_req_t, pool));
        std::ptr::addr_of_mut!((*req).pool).write(mem::pool::EMPTY);
        let r = &mut *req;
        r.conn = conn;
        r._timeout_entry.cb = Some(deferred_proceed_cb);
        r.res.reason = c"OK".as_ptr();
        r.res.content_length = usize::MAX;
        r.preferred_chunk_size = usize::MAX;
        if let Some(s) = src.as_ref() {
            copy_from(r, s);
        }
    }
}

/// The copy part of [`init_request`].
///
/// # Safety
/// `src` is a live request distinct from `r`.
unsafe fn copy_from(r: &mut h2o_req_t, s: &h2o_req_t) {
    // SAFETY: the source's iovecs, headers and environment are valid (the caller's contract).
    unsafe {
        let pool = &mut r.pool;
        r.input.authority = headers::pool_strdup(pool, bytes(s.input.authority));
        r.input.method = headers::pool_strdup(pool, bytes(s.input.method));
        r.input.path = headers::pool_strdup(pool, bytes(s.input.path));
        r.input.scheme = s.input.scheme;
        r.version = s.version;
        r.entity = s.entity;
        r.flags |= s.flags & REQ_FLAG_PERSISTENT;
        r.timestamps = s.timestamps;
        if !s.upgrade.base.is_null() {
            r.upgrade = headers::pool_strdup(pool, bytes(s.upgrade));
        }
        for h in headers::entries(&s.headers) {
            let name = if crate::token::is_token_ptr(h.name) {
                h.name
            } else {
                let copy = headers::pool_strdup(pool, bytes(*h.name));
                headers::pool_name(pool, copy.base, copy.len)
            };
            let value = headers::pool_strdup(pool, bytes(h.value));
            headers::add(pool, &mut r.headers, name, h.orig_name, value);
        }
        if s.env.size != 0 {
            mem::vector::expand(Some(pool), r.env.as_raw(), size_of::<h2o_iovec_t>(), s.env.size);
            for i in 0..s.env.size {
                r.env.entries.add(i).write(headers::pool_strdup(pool, bytes(*s.env.entries.add(i))));
            }
            r.env.size = s.env.size;
        }
    }
}

/// Stops the generator if it is still running and every output stream above the protocol's.
///
/// # Safety
/// `req` is live.
unsafe fn close_generator_and_filters(req: *mut h2o_req_t) {
    // SAFETY: the caller's contract; generator and streams are the handler's and filters', alive
    // until the request is disposed of.
    unsafe {
        let g = (*req)._generator;
        if !g.is_null() {
            (*req)._generator = null_mut();
            if let Some(stop) = (*g).stop {
                stop(g, req);
            }
        }
        loop {
            let top = (*req)._ostr_top;
            if top.is_null() || (*top).next.is_null() {
                break;
            }
            if let Some(stop) = (*top).stop {
                stop(top, req);
            }
            (*req)._ostr_top = (*top).next;
        }
    }
}

/// `h2o_dispose_request`: stops what still runs (generator, filters' streams), cancels a pending
/// deferred proceed, tells the path's loggers about the request (when one was received and bound
/// to a path), then frees everything allocated from its pool. The one place loggers run.
///
/// # Safety
/// `req` was initialized by [`init_request`] (or is all-zero); nothing from its pool is used
/// afterwards.
pub unsafe fn dispose_request(req: *mut h2o_req_t) {
    // SAFETY: the caller's contract; loggers are valid modules of the pathconf.
    unsafe {
        close_generator_and_filters(req);
        timeout::unlink_entry(&raw mut (*req)._timeout_entry);
        let pathconf = (*req).pathconf;
        if (*req).version != 0 && !pathconf.is_null() {
            let loggers: &Vector<*mut h2o_logger_t> = &(*pathconf).loggers;
            for i in 0..loggers.size {
                let l = *loggers.entries.add(i);
                if !(*l).on_req.is_null() {
                    // SAFETY: a logger's slot 32 is `void (*log_access)(h2o_logger_t *, h2o_req_t *)`.
                    let log: unsafe extern "C" fn(*mut h2o_logger_t, *mut h2o_req_t) = std::mem::transmute((*l).on_req);
                    log(l, req);
                }
            }
        }
        mem::pool::clear(&mut (*req).pool);
    }
}

/// `h2o_proceed_response`: asks the generator for more, or ends the response when there is none.
///
/// # Safety
/// `req` is live with a response started.
pub unsafe fn proceed_response(req: *mut h2o_req_t) {
    // SAFETY: the caller's contract.
    unsafe {
        let g = (*req)._generator;
        if let Some(gen_) = g.as_ref() {
            if let Some(proceed) = gen_.proceed {
                proceed(g, req);
            }
        } else if let Some(top) = (*req)._ostr_top.as_mut()
            && let Some(do_send) = top.do_send
        {
            do_send(top, req, null_mut(), 0, SEND_STATE_FINAL);
        }
    }
}

/// The request's own timeout entry fired: an output stream passed nothing on, so the generator is
/// asked for more.
unsafe extern "C" fn deferred_proceed_cb(entry: *mut h2o_timeout_entry_t) {
    // SAFETY: the entry is the `_timeout_entry` of a live request (disposing unlinks it).
    unsafe {
        let req = entry.cast::<u8>().sub(offset_of!(h2o_req_t, _timeout_entry)).cast::<h2o_req_t>();
        proceed_response(req);
    }
}

// --- processing ---------------------------------------------------------------------------------

/// What 2.2.5 does before the handlers of a new request run: the processing timestamp, the host
/// (by the input authority; the first host when none matches, and its name when the request has
/// no authority), the request's method, scheme, authority and path from its input, and the
/// normalized path.
///
/// # Safety
/// `req` is live, its input set, its connection's hosts valid.
unsafe fn setup_before_processing(req: *mut h2o_req_t) -> *mut h2o_hostconf_t {
    // SAFETY: the caller's contract.
    unsafe {
        let r = &mut *req;
        let conn = &*r.conn;
        r.processed_at = timestamp(conn.ctx, &mut r.pool);
        let hosts = conn.hosts;
        let hostconf = if !r.input.authority.base.is_null() {
            let default_port = r.input.scheme.as_ref().map_or(80, |s| s.default_port);
            let found = if (*hosts.add(1)).is_null() { null_mut() } else { find_host(hosts, bytes(r.input.authority), default_port) };
            if found.is_null() { *hosts } else { found }
        } else {
            let h = *hosts;
            r.input.authority = (*h).authority.hostport;
            h
        };
        r.scheme = r.input.scheme;
        r.method = r.input.method;
        r.authority = r.input.authority;
        r.path = r.input.path;
        normalize_into(r);
        r.input.query_at = r.query_at;
        hostconf
    }
}

/// Sets `path_normalized`, `query_at` and `norm_indexes` from `req.path`.
///
/// # Safety
/// `req.path` is valid for the request's life.
unsafe fn normalize_into(r: &mut h2o_req_t) {
    // SAFETY: the caller's contract.
    let (normalized, query_at, norm_indexes) = unsafe { crate::core::url::normalize_path_in_pool(&mut r.pool, bytes(r.path)) };
    r.path_normalized = normalized;
    r.query_at = query_at;
    r.norm_indexes = norm_indexes;
}

/// Binds the request to the path of `hostconf` that covers it, then runs the handlers.
///
/// # Safety
/// `req` is live with its path normalized; `hostconf` valid.
unsafe fn process_hosted_request(req: *mut h2o_req_t, hostconf: *mut h2o_hostconf_t) {
    // SAFETY: the caller's contract.
    unsafe {
        let pathconf = select_path(hostconf, bytes((*req).path_normalized));
        bind_conf(req, hostconf, pathconf);
        call_handlers(req, 0);
    }
}

/// `h2o_process_request`: sets the request up from its input (see `setup_before_processing`),
/// binds it to its host and path and runs the path's handlers.
///
/// # Safety
/// `req` is live: initialized, its input (scheme, authority, method, path), version and
/// `_ostr_top` set by the protocol; its connection's `ctx` and `hosts` valid.
pub unsafe fn process_request(req: *mut h2o_req_t) {
    // SAFETY: the caller's contract.
    unsafe {
        let hostconf = setup_before_processing(req);
        process_hosted_request(req, hostconf);
    }
}

/// Asks the path's handlers from index `from` on; the first returning 0 has taken the request.
/// When none does, answers 404.
///
/// # Safety
/// `req` is live and bound to a pathconf.
unsafe fn call_handlers(req: *mut h2o_req_t, from: usize) {
    // SAFETY: the caller's contract; handlers are valid modules of the pathconf.
    unsafe {
        let handlers = &(*(*req).pathconf).handlers;
        for i in from..handlers.size {
            let h: *mut h2o_handler_t = *handlers.entries.add(i);
            if (*h).on_req.is_null() {
                continue;
            }
            // SAFETY: on_req is `int (*)(h2o_handler_t *, h2o_req_t *)`.
            let on_req: unsafe extern "C" fn(*mut h2o_handler_t, *mut h2o_req_t) -> c_int = std::mem::transmute((*h).on_req);
            if on_req(h, req) == 0 {
                return;
            }
        }
        send_not_found(req);
    }
}

/// 404, counted.
///
/// # Safety
/// `req` is live.
unsafe fn send_not_found(req: *mut h2o_req_t) {
    // SAFETY: the caller's contract.
    unsafe {
        count_error(&mut *(*(*req).conn).ctx, 404);
        send_error(req, 404, c"File Not Found".as_ptr(), c"not found".as_ptr(), 0);
    }
}

/// `h2o_delegate_request`: the handlers after `current` (all of them when `current` is not one of
/// the path's) are asked; 404 when none takes the request.
///
/// # Safety
/// `req` is live and bound to a pathconf.
pub unsafe fn delegate_request(req: *mut h2o_req_t, current: *mut h2o_handler_t) {
    // SAFETY: the caller's contract.
    unsafe {
        let handlers = &(*(*req).pathconf).handlers;
        let from = (0..handlers.size).find(|&i| *handlers.entries.add(i) == current).map_or(handlers.size, |i| i + 1);
        // 2.2.5 starts after `current`, or past the end (404) when it is not found
        call_handlers(req, from);
    }
}

/// `h2o_reprocess_request`: an internal redirect. The running generator and filters are stopped,
/// the response reset, and the request processed again for `method`, `scheme`, `authority` and
/// `path` (borrowed; they must live as long as the request). A delegated request
/// (`is_delegated`, or one delegated before) counts against `globalconf.max_delegations`, others
/// against 5 reprocesses; past that the answer is 502. The host is looked up among the
/// connection's hosts; with `overrides` or an authority no host serves, 2.2.5 proxies the request,
/// which this library does not do: 502 "Gateway Error".
///
/// # Safety
/// `req` is live with a connection; `to.scheme` valid.
pub unsafe fn reprocess_request(req: *mut h2o_req_t, to: Reprocess) {
    let Reprocess { method, scheme, authority, path, overrides, is_delegated } = to;
    // SAFETY: the caller's contract.
    unsafe {
        close_generator_and_filters(req);
        let r = &mut *req;
        r.method = method;
        r.scheme = scheme;
        r.authority = authority;
        r.path = path;
        normalize_into(r);
        r.overrides = overrides;
        if is_delegated {
            r.flags |= REQ_FLAG_RES_IS_DELEGATED;
        }
        reset_response(r);
        let ctx = (*r.conn).ctx;
        if r.flags & REQ_FLAG_RES_IS_DELEGATED != 0 {
            if r.num_delegated >= (*(*ctx).globalconf).max_delegations {
                count_error(&mut *ctx, 502);
                return send_error(req, 502, c"Gateway Error".as_ptr(), c"too many internal delegations".as_ptr(), 0);
            }
            r.num_delegated += 1;
        } else {
            if r.num_reprocessed >= MAX_REPROCESSES {
                count_error(&mut *ctx, 502);
                return send_error(req, 502, c"Gateway Error".as_ptr(), c"too many internal reprocesses".as_ptr(), 0);
            }
            r.num_reprocessed += 1;
        }
        let default_port = scheme.as_ref().map_or(80, |s| s.default_port);
        let hostconf = if overrides.is_null() { find_host((*r.conn).hosts, bytes(authority), default_port) } else { null_mut() };
        if hostconf.is_null() {
            eprintln!(
                "libh2o-rs: internal redirect to {}{}: proxying is not supported; answering 502",
                String::from_utf8_lossy(bytes(authority)),
                String::from_utf8_lossy(bytes(path))
            );
            count_error(&mut *ctx, 502);
            return send_error(req, 502, c"Gateway Error".as_ptr(), c"internal redirect to a host not served here".as_ptr(), 0);
        }
        process_hosted_request(req, hostconf);
    }
}

/// Where an internal redirect goes: the arguments of `h2o_reprocess_request` after the request
/// (the iovecs borrowed for the request's life).
#[derive(Clone, Copy)]
pub struct Reprocess {
    pub method: h2o_iovec_t,
    pub scheme: *const h2o_url_scheme_t,
    pub authority: h2o_iovec_t,
    pub path: h2o_iovec_t,
    pub overrides: *mut c_void,
    pub is_delegated: bool,
}

/// The response as a new request starts it: status 0, reason "OK", unknown length, no headers,
/// the filters not yet set up, nothing sent.
fn reset_response(r: &mut h2o_req_t) {
    r.res.status = 0;
    r.res.reason = c"OK".as_ptr();
    r.res.content_length = usize::MAX;
    r.res.headers = Vector::EMPTY;
    r.res.mime_attr = null_mut();
    r._next_filter_index = 0;
    r.bytes_sent = 0;
}

// --- deferred actions (run from the context's zero timeout) ---------------------------------------

/// What a deferred action does.
#[derive(Clone, Copy)]
enum Deferred {
    Delegate { current: *mut h2o_handler_t },
    Reprocess(Reprocess),
    SendError { status: c_int, reason: *const c_char, body: *const c_char, flags: c_int },
}

/// A deferred action, a shared allocation of the request's pool: freed with the request, whose
/// disposal unlinks the timeout entry if it has not fired.
#[repr(C)]
struct DeferredAction {
    timeout: h2o_timeout_entry_t,
    req: *mut h2o_req_t,
    what: Deferred,
}

unsafe extern "C" fn dispose_deferred(p: *mut c_void) {
    // SAFETY: a DeferredAction whose entry may still be linked.
    unsafe { timeout::unlink_entry(&raw mut (*p.cast::<DeferredAction>()).timeout) };
}

unsafe extern "C" fn run_deferred(entry: *mut h2o_timeout_entry_t) {
    crate::abi::panic::boundary("deferred request action", (), || {
        // SAFETY: `timeout` is the first field of a live DeferredAction (the request is alive:
        // disposing it would have unlinked the entry).
        unsafe {
            let a = &*entry.cast::<DeferredAction>();
            let req = a.req;
            match a.what {
                Deferred::Delegate { current } => delegate_request(req, current),
                Deferred::Reprocess(to) => reprocess_request(req, to),
                Deferred::SendError { status, reason, body, flags } => {
                    reset_response(&mut *req);
                    count_error(&mut *(*(*req).conn).ctx, status);
                    send_error(req, status, reason, body, flags);
                }
            }
        }
    })
}

/// Schedules `what` for the request on its context's zero timeout (the next loop iteration).
///
/// # Safety
/// `req` is live with a connection whose context is initialized.
unsafe fn defer(req: *mut h2o_req_t, what: Deferred) {
    // SAFETY: the caller's contract; the allocation lives in the request's pool.
    unsafe {
        let pool = &mut (*req).pool;
        let a = mem::pool::alloc_shared(Some(pool), size_of::<DeferredAction>(), Some(dispose_deferred)).cast::<DeferredAction>();
        a.write(DeferredAction {
            timeout: h2o_timeout_entry_t {
                registered_at: 0,
                cb: Some(run_deferred),
                _link: crate::abi::evloop::h2o_linklist_t { next: null_mut(), prev: null_mut() },
            },
            req,
            what,
        });
        let ctx = (*(*req).conn).ctx;
        timeout::link((*ctx).loop_, &raw mut (*ctx).zero_timeout, &raw mut (*a).timeout);
    }
}

/// `h2o_delegate_request_deferred`.
///
/// # Safety
/// As [`defer`].
pub unsafe fn delegate_request_deferred(req: *mut h2o_req_t, current: *mut h2o_handler_t) {
    // SAFETY: the caller's contract.
    unsafe { defer(req, Deferred::Delegate { current }) }
}

/// `h2o_reprocess_request_deferred`.
///
/// # Safety
/// As [`defer`]; the iovecs live as long as the request.
pub unsafe fn reprocess_request_deferred(req: *mut h2o_req_t, to: Reprocess) {
    // SAFETY: the caller's contract.
    unsafe { defer(req, Deferred::Reprocess(to)) }
}

/// 2.2.5's `h2o_send_error_deferred` (declared by its h2o.h, not exported by its library, so not
/// exported here either): on the next loop iteration, the response is reset, the status counted
/// (for the statuses `emitted_error_status` has) and `h2o_send_error_generic` called.
///
/// # Safety
/// As [`defer`]; `reason` and `body` are NUL-terminated and live as long as the request.
pub unsafe fn send_error_deferred(req: *mut h2o_req_t, status: c_int, reason: *const c_char, body: *const c_char, flags: c_int) {
    // SAFETY: the caller's contract.
    unsafe { defer(req, Deferred::SendError { status, reason, body, flags }) }
}

// --- the response: filters and output streams ---------------------------------------------------

/// `h2o_start_response`: the handler takes the request with `generator`; the request's prefilters
/// (newest first), then the path's filters set up their output streams in front of the protocol's.
///
/// # Safety
/// `req` is live with its protocol's final stream at `_ostr_top`.
pub unsafe fn start_response(req: *mut h2o_req_t, generator: *mut h2o_generator_t) {
    // SAFETY: the caller's contract; prefilters live in the request's pool.
    unsafe {
        (*req)._generator = generator;
        let slot = &raw mut (*req)._ostr_top;
        match (*req).prefilters.as_mut() {
            Some(pf) => match pf.on_setup_ostream {
                Some(setup) => setup(pf, req, slot),
                None => setup_next_prefilter(pf, req, slot),
            },
            None => setup_next_ostream(req, slot),
        }
    }
}

/// The inline `h2o_setup_next_prefilter`.
///
/// # Safety
/// As [`start_response`].
unsafe fn setup_next_prefilter(pf: *mut h2o_req_prefilter_t, req: *mut h2o_req_t, slot: *mut *mut h2o_ostream_t) {
    // SAFETY: the caller's contract.
    unsafe {
        match (*pf).next.as_mut() {
            Some(next) => match next.on_setup_ostream {
                Some(setup) => setup(next, req, slot),
                None => setup_next_prefilter(next, req, slot),
            },
            None => setup_next_ostream(req, slot),
        }
    }
}

/// The inline `h2o_setup_next_ostream`: the path's next filter (if any) sets up its stream at
/// `slot`. Filters without `on_setup_ostream` are passed over.
///
/// # Safety
/// `req` is live; `slot` points into the request's stream chain.
pub unsafe fn setup_next_ostream(req: *mut h2o_req_t, slot: *mut *mut h2o_ostream_t) {
    // SAFETY: the caller's contract; filters are valid modules of the pathconf.
    unsafe {
        let Some(pathconf) = (*req).pathconf.as_ref() else { return };
        while (*req)._next_filter_index < pathconf.filters.size {
            let f: *mut h2o_filter_t = *pathconf.filters.entries.add((*req)._next_filter_index);
            (*req)._next_filter_index += 1;
            if !(*f).on_req.is_null() {
                // SAFETY: a filter's slot 32 is `void (*on_setup_ostream)(h2o_filter_t *, h2o_req_t *, h2o_ostream_t **)`.
                let setup: unsafe extern "C" fn(*mut h2o_filter_t, *mut h2o_req_t, *mut *mut h2o_ostream_t) = std::mem::transmute((*f).on_req);
                setup(f, req, slot);
                return;
            }
        }
    }
}

/// `h2o_send`: hands `bufs` to the top output stream; a final (or error) state ends the generator.
///
/// # Safety
/// `req` is live with its response started; `bufs` has `bufcnt` iovecs.
pub unsafe fn send(req: *mut h2o_req_t, bufs: *mut h2o_iovec_t, bufcnt: usize, state: c_int) {
    // SAFETY: the caller's contract.
    unsafe {
        if state != SEND_STATE_IN_PROGRESS {
            (*req)._generator = null_mut();
        }
        let top = (*req)._ostr_top;
        assert!(!top.is_null(), "h2o_send: the request has no output stream");
        let do_send = (*top).do_send.expect("an output stream without do_send");
        do_send(top, req, bufs, bufcnt, state);
    }
}

/// For the protocol's final output stream: counts the body bytes it is given in `bytes_sent`,
/// unless a filter counts them (`bytes_counted_by_ostream`), as 2.2.5's protocols do.
///
/// # Safety
/// `bufs` has `bufcnt` iovecs (or `bufcnt` is 0).
pub unsafe fn count_bytes_sent(req: &mut h2o_req_t, bufs: *const h2o_iovec_t, bufcnt: usize) {
    if req.flags & REQ_FLAG_BYTES_COUNTED_BY_OSTREAM == 0 {
        for i in 0..bufcnt {
            // SAFETY: the caller's contract.
            req.bytes_sent += unsafe { (*bufs.add(i)).len };
        }
    }
}

/// `h2o_add_ostream`: `sz` bytes from the request's pool (callbacks NULL, the rest uninitialized
/// as in 2.2.5), linked in at `*slot` in front of what was there.
///
/// # Safety
/// `req` is live; `sz >= sizeof(h2o_ostream_t)`; `slot` points into the request's chain.
pub unsafe fn add_ostream(req: *mut h2o_req_t, sz: usize, slot: *mut *mut h2o_ostream_t) -> *mut h2o_ostream_t {
    // SAFETY: the caller's contract; pool memory is aligned for any type.
    unsafe {
        let o = mem::pool::alloc(&mut (*req).pool, sz.max(size_of::<h2o_ostream_t>())).cast::<h2o_ostream_t>();
        o.write(h2o_ostream_t { next: *slot, do_send: None, stop: None, start_pull: std::ptr::null() });
        *slot = o;
        o
    }
}

/// `h2o_add_prefilter`: `sz` bytes from the request's pool, first in the request's prefilters.
///
/// # Safety
/// `req` is live; `sz >= sizeof(h2o_req_prefilter_t)`.
pub unsafe fn add_prefilter(req: *mut h2o_req_t, sz: usize) -> *mut h2o_req_prefilter_t {
    // SAFETY: the caller's contract.
    unsafe {
        let p = mem::pool::alloc(&mut (*req).pool, sz.max(size_of::<h2o_req_prefilter_t>())).cast::<h2o_req_prefilter_t>();
        p.write(h2o_req_prefilter_t { next: (*req).prefilters, on_setup_ostream: None });
        (*req).prefilters = p;
        p
    }
}

/// `h2o_ostream_send_next`: passes data on to the stream after `ostream`. With a final state the
/// stream leaves the chain (it must be the top one). With nothing to pass in progress, the
/// generator is asked for more on the next loop iteration instead.
///
/// # Safety
/// `ostream` is in the request's chain with a next stream; `bufs` has `bufcnt` iovecs.
pub unsafe fn ostream_send_next(ostream: *mut h2o_ostream_t, req: *mut h2o_req_t, bufs: *mut h2o_iovec_t, bufcnt: usize, state: c_int) {
    // SAFETY: the caller's contract.
    unsafe {
        if state != SEND_STATE_IN_PROGRESS {
            assert!((*req)._ostr_top == ostream, "h2o_ostream_send_next: a final send from a stream that is not the top one");
            (*req)._ostr_top = (*ostream).next;
        } else if bufcnt == 0 {
            let ctx = (*(*req).conn).ctx;
            let entry = &raw mut (*req)._timeout_entry;
            if !timeout::is_linked(&raw const (*entry)._link) {
                timeout::link((*ctx).loop_, &raw mut (*ctx).zero_timeout, entry);
            }
            return;
        }
        let next = (*ostream).next;
        assert!(!next.is_null(), "h2o_ostream_send_next: the stream has no next one");
        let do_send = (*next).do_send.expect("an output stream without do_send");
        do_send(next, req, bufs, bufcnt, state);
    }
}

// --- built-in responses -----------------------------------------------------------------------------

unsafe extern "C" fn noop_proceed(_g: *mut h2o_generator_t, _r: *mut h2o_req_t) {}

static INLINE_GENERATOR: h2o_generator_t = h2o_generator_t { proceed: Some(noop_proceed), stop: None };
// SAFETY: two function pointers, never written.
unsafe impl Sync for h2o_generator_t {}

/// `h2o_send_inline`: the body (copied into the pool) as the whole response, with its length
/// (2.2.5 leaves the length unknown). For a HEAD request no body goes down the output chain, as
/// in 2.2.5.
///
/// # Safety
/// As the export.
pub unsafe fn send_inline(req: *mut h2o_req_t, body: *const c_char, len: usize) {
    // SAFETY: the caller's contract.
    unsafe {
        let len = if len == usize::MAX { CStr::from_ptr(body).count_bytes() } else { len };
        let r = &mut *req;
        let copy = if len == 0 { &[][..] } else { std::slice::from_raw_parts(body.cast::<u8>(), len) };
        let mut buf = headers::pool_strdup(&mut r.pool, copy);
        r.res.content_length = len;
        let head = bytes(r.input.method) == b"HEAD";
        start_response(req, (&raw const INLINE_GENERATOR).cast_mut());
        send(req, &mut buf, if head { 0 } else { 1 }, SEND_STATE_FINAL);
    }
}

/// `h2o_send_error_generic`. A request not bound to a path yet (an error found before the
/// handlers ran) is bound to its host's fallback path first, as 2.2.5 does, so that path's filters
/// and loggers see it.
///
/// # Safety
/// As the export.
pub unsafe fn send_error(req: *mut h2o_req_t, status: c_int, reason: *const c_char, body: *const c_char, flags: c_int) {
    // SAFETY: the caller's contract.
    unsafe {
        let r = &mut *req;
        if r.pathconf.is_null()
            && let Some(conn) = r.conn.as_ref()
        {
            let hostconf = select_host(conn.hosts, bytes(r.authority), r.scheme.as_ref().map_or(80, |s| s.default_port));
            if !hostconf.is_null() {
                bind_conf(req, hostconf, &raw mut (*hostconf).fallback_path);
            }
        }
        if flags & 1 != 0 {
            r.flags &= !REQ_FLAG_PERSISTENT;
        }
        r.res.status = status;
        r.res.reason = reason;
        if flags & 2 == 0 {
            r.res.headers = Vector::EMPTY;
        }
        let ct = headers::lookup_token(b"content-type").expect("content-type token");
        let v = c"text/plain; charset=utf-8";
        headers::add(&mut r.pool, &mut r.res.headers, ct.cast_mut().cast(), std::ptr::null(), h2o_iovec_t { base: v.as_ptr().cast_mut(), len: v.count_bytes() });
        send_inline(req, body, usize::MAX);
    }
}

/// Escapes `s` for an HTML attribute or text.
fn html_escape(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for &b in s {
        match b {
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            b'&' => out.extend_from_slice(b"&amp;"),
            b'"' => out.extend_from_slice(b"&quot;"),
            b'\'' => out.extend_from_slice(b"&#39;"),
            _ => out.push(b),
        }
    }
    out
}

/// `h2o_send_redirect`. For a delegated request (`res_is_delegated`) the redirect is followed
/// internally instead (`h2o_send_redirect_internal` with the method a client would use), as 2.2.5.
///
/// # Safety
/// As the export.
pub unsafe fn send_redirect(req: *mut h2o_req_t, status: c_int, reason: *const c_char, url: *const c_char, url_len: usize) {
    // SAFETY: the caller's contract.
    unsafe {
        let r = &mut *req;
        let u = if url_len == 0 { &[][..] } else { std::slice::from_raw_parts(url.cast::<u8>(), url_len) };
        if r.flags & REQ_FLAG_RES_IS_DELEGATED != 0 {
            let method = get_redirect_method(r.method, status);
            return send_redirect_internal(req, method, u, false);
        }
        let location = headers::pool_strdup(&mut r.pool, u);
        let mut body = b"<!DOCTYPE html><title>Redirect</title><p>See <a href=\"".to_vec();
        body.extend_from_slice(&html_escape(u));
        body.extend_from_slice(b"\">this address</a>.</p>\n");
        r.res.status = status;
        r.res.reason = reason;
        r.res.headers = Vector::EMPTY;
        let loc = headers::lookup_token(b"location").expect("location token");
        headers::add(&mut r.pool, &mut r.res.headers, loc.cast_mut().cast(), std::ptr::null(), location);
        let ct = headers::lookup_token(b"content-type").expect("content-type token");
        let v = c"text/html; charset=utf-8";
        headers::add(&mut r.pool, &mut r.res.headers, ct.cast_mut().cast(), std::ptr::null(), h2o_iovec_t { base: v.as_ptr().cast_mut(), len: v.count_bytes() });
        send_inline(req, body.as_ptr().cast(), body.len());
    }
}

/// `h2o_get_redirect_method`: what a client does after a redirect: POST becomes GET, except for
/// 307 and 308.
pub fn get_redirect_method(method: h2o_iovec_t, status: c_int) -> h2o_iovec_t {
    // SAFETY: a method iovec is valid for the call.
    if unsafe { bytes(method) } == b"POST" && status != 307 && status != 308 {
        return static_iovec(b"GET");
    }
    method
}

/// `h2o_send_redirect_internal`: serves `url` (relative to the request, copied into its pool) in
/// place of the request, on the next loop iteration, as a delegation; an unparsable URL gets 502.
/// The overrides are kept when `preserve_overrides` and the authority does not change.
///
/// # Safety
/// `req` is live with a connection.
pub unsafe fn send_redirect_internal(req: *mut h2o_req_t, method: h2o_iovec_t, url: &[u8], preserve_overrides: bool) {
    // SAFETY: the caller's contract; the parsed ranges index `url`.
    unsafe {
        let r = &mut *req;
        let Some(parsed) = crate::core::url::parse_relative(url) else {
            return send_error_deferred(req, 502, c"Gateway Error".as_ptr(), c"internal error".as_ptr(), 0);
        };
        let scheme: *const h2o_url_scheme_t = match parsed.scheme {
            Some(crate::core::url::Scheme::Http) => &crate::abi::url::H2O_URL_SCHEME_HTTP,
            Some(crate::core::url::Scheme::Https) => &crate::abi::url::H2O_URL_SCHEME_HTTPS,
            None => r.scheme,
        };
        let mut preserve = preserve_overrides;
        let authority = match parsed.authority {
            None if !r.hostconf.is_null() => (*r.hostconf).authority.hostport,
            None => r.authority,
            Some(a) => {
                let a = &url[a];
                if crate::strings::lcstris(a, bytes(r.authority)) {
                    r.authority
                } else {
                    preserve = false;
                    headers::pool_strdup(&mut r.pool, a)
                }
            }
        };
        let rel: &[u8] = match &parsed.path {
            crate::core::url::UrlPath::Root => b"/",
            crate::core::url::UrlPath::In(p) => &url[p.clone()],
        };
        let base = bytes(r.path);
        let (keep, skip) = crate::core::url::resolve_path(base, rel);
        let mut joined = base[..keep.min(base.len())].to_vec();
        joined.extend_from_slice(&rel[skip..]);
        let path = headers::pool_strdup(&mut r.pool, &joined);
        let overrides = if preserve { r.overrides } else { null_mut() };
        reprocess_request_deferred(req, Reprocess { method, scheme, authority, path, overrides, is_delegated: true });
    }
}

/// `h2o_req_fill_mime_attributes`: unless already set, `res.mime_attr` points to the attributes
/// of the response's Content-Type in the path's MIME map, else to `h2o_mime_attributes_as_is`.
///
/// # Safety
/// `req` is live.
pub unsafe fn fill_mime_attributes(req: *mut h2o_req_t) {
    // SAFETY: the caller's contract; the map's types outlive the request (the path holds the map).
    unsafe {
        let r = &mut *req;
        if !r.res.mime_attr.is_null() {
            return;
        }
        let ct = headers::lookup_token(b"content-type").expect("content-type token");
        let list = headers::entries(&r.res.headers);
        let map = r.pathconf.as_ref().map_or(null_mut(), |p| p.mimemap);
        let found = match list.iter().find(|h| std::ptr::eq(h.name, ct.cast())) {
            Some(h) if !map.is_null() => crate::core::mimemap::type_by_mimetype(map.cast(), h.value, false),
            _ => null_mut(),
        };
        r.res.mime_attr = if found.is_null() {
            (&raw mut crate::abi::mimemap::h2o_mime_attributes_as_is).cast()
        } else {
            (&raw mut (*found).attr).cast()
        };
    }
}

/// `h2o_req_log_error` once formatted: the message (copied into the pool) is added to
/// `req->error_logs`; when the path emits request errors, "[module] in request:PATH:message" goes
/// to stderr in one write (the path cut to 29 bytes and "..." when it has 32 or more).
///
/// # Safety
/// `req` is live; `module` NUL-terminated and alive as long as the request.
pub unsafe fn log_error(req: *mut h2o_req_t, module: *const c_char, msg: &[u8]) {
    // SAFETY: the caller's contract.
    unsafe {
        let r = &mut *req;
        let copy = headers::pool_strdup(&mut r.pool, msg);
        let need = r.error_logs.size + 1;
        mem::vector::expand(Some(&mut r.pool), r.error_logs.as_raw(), size_of::<h2o_req_error_log_t>(), need);
        r.error_logs.entries.add(r.error_logs.size).cast::<h2o_req_error_log_t>().write(h2o_req_error_log_t { module, msg: copy });
        r.error_logs.size += 1;
        let emit = r.pathconf.as_ref().is_none_or(|p| p.error_log & crate::core::config::PATH_EMIT_REQUEST_ERRORS != 0);
        if emit {
            let line = error_line(if module.is_null() { b"" } else { CStr::from_ptr(module).to_bytes() }, bytes(r.path), msg);
            let iov = libc::iovec { iov_base: line.as_ptr() as *mut c_void, iov_len: line.len() };
            libc::writev(2, &iov, 1);
        }
    }
}

/// "[module] in request:PATH:msg\n", the path shortened as 2.2.5 does.
fn error_line(module: &[u8], path: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut line = Vec::with_capacity(module.len() + path.len().min(32) + msg.len() + 20);
    line.push(b'[');
    line.extend_from_slice(module);
    line.extend_from_slice(b"] in request:");
    if path.len() < 32 {
        line.extend_from_slice(path);
    } else {
        line.extend_from_slice(&path[..29]);
        line.extend_from_slice(b"...");
    }
    line.push(b':');
    line.extend_from_slice(msg);
    line.push(b'\n');
    line
}

/// `h2o_build_destination`: `prefix` followed by what the request's path has after its pathconf's
/// path (the normalized path when `use_path_normalized`, mapped back through `norm_indexes`
/// otherwise), query kept; a new string in the request's pool.
///
/// # Safety
/// `r` has a pathconf; its iovecs are valid.
pub unsafe fn build_destination(r: &mut h2o_req_t, prefix: &[u8], use_path_normalized: bool) -> h2o_iovec_t {
    // SAFETY: the caller's contract; the request's iovecs are valid.
    unsafe {
        let path_normalized = bytes(r.path_normalized);
        let d = crate::core::util::Destination {
            prefix,
            conf_path: bytes((*r.pathconf).path),
            path: bytes(r.path),
            query_at: (r.query_at != usize::MAX).then_some(r.query_at),
            path_normalized,
            norm_indexes: (!r.norm_indexes.is_null()).then(|| std::slice::from_raw_parts(r.norm_indexes, path_normalized.len())),
        };
        headers::pool_strdup(&mut r.pool, &d.build(use_path_normalized))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authority_split() {
        assert_eq!(split_authority(b"example.com:8080"), (&b"example.com"[..], 8080));
        assert_eq!(split_authority(b"example.com"), (&b"example.com"[..], 65535));
        assert_eq!(split_authority(b"[::1]:81"), (&b"[::1]"[..], 81));
        assert_eq!(split_authority(b"a:x"), (&b"a"[..], 65535));
    }

    #[test]
    fn host_and_port_matching() {
        assert!(host_matches(b"example.com", b"EXAMPLE.com"));
        assert!(host_matches(b"*.example.com", b"a.example.com"));
        assert!(!host_matches(b"*.example.com", b"example.com"));
        assert!(port_matches(65535, 65535, 80));
        assert!(port_matches(65535, 80, 80));
        assert!(!port_matches(65535, 8080, 80));
        assert!(port_matches(8080, 8080, 80));
        assert!(port_matches(80, 65535, 80));
    }

    #[test]
    fn path_prefixes_as_2_2_5() {
        assert!(path_matches(b"/", b"/anything"));
        assert!(path_matches(b"/foo", b"/foo"));
        assert!(path_matches(b"/foo", b"/foo/bar"));
        assert!(!path_matches(b"/foo", b"/foobar"));
        assert!(path_matches(b"/foo/", b"/foo/bar"));
        // a configured trailing slash needs it in the request too
        assert!(!path_matches(b"/foo/", b"/foo"));
    }

    #[test]
    fn redirect_methods() {
        let m = |s: &'static [u8], status| {
            // SAFETY: static bytes.
            unsafe { bytes(get_redirect_method(static_iovec(s), status)) }.to_vec()
        };
        assert_eq!(m(b"POST", 302), b"GET");
        assert_eq!(m(b"POST", 301), b"GET");
        assert_eq!(m(b"POST", 307), b"POST");
        assert_eq!(m(b"POST", 308), b"POST");
        assert_eq!(m(b"GET", 302), b"GET");
        assert_eq!(m(b"PUT", 302), b"PUT");
    }

    #[test]
    fn error_lines() {
        assert_eq!(error_line(b"lib", b"/a", b"oops"), b"[lib] in request:/a:oops\n");
        let long = [b'x'; 40];
        let l = error_line(b"m", &long, b"e");
        assert_eq!(&l[..16], b"[m] in request:x");
        assert!(l.ends_with(b"xxx...:e\n"));
        assert_eq!(l.len(), b"[m] in request:".len() + 32 + 3);
    }
}

/// `h2o_extract_push_path_from_link_header`'s work (see [`crate::core::link`]): the paths to push
/// for the `Link` value `value` (each a NUL-terminated copy in `pool`, in a vector from `pool`) and
/// in `*filtered_value` the value without its `x-http2-push-only` links (`value` itself when there
/// are none, else a string from `pool`).
///
/// # Safety
/// `pool` initialized; `value` readable; `base_path` readable (starting with `/`); the schemes valid
/// (`base_scheme` may be NULL, then `base_authority` is not read); `filtered_value` writable.
#[allow(clippy::too_many_arguments)]
pub unsafe fn extract_push_paths(
    pool: *mut h2o_mem_pool_t,
    value: &[u8],
    base_path: &[u8],
    input_scheme: *const h2o_url_scheme_t,
    input_authority: &[u8],
    base_scheme: *const h2o_url_scheme_t,
    base_authority: *const h2o_iovec_t,
    filtered_value: *mut h2o_iovec_t,
) -> Vector<h2o_iovec_t> {
    let scan = super::link::scan(value);
    // SAFETY: per the contract.
    let base = unsafe { base_scheme.as_ref() }.map(|s| (s as *const h2o_url_scheme_t, unsafe { bytes(*base_authority) }));
    let scheme_of = |s: super::url::Scheme| -> *const h2o_url_scheme_t {
        match s {
            super::url::Scheme::Http => &crate::abi::url::H2O_URL_SCHEME_HTTP,
            super::url::Scheme::Https => &crate::abi::url::H2O_URL_SCHEME_HTTPS,
        }
    };
    let mut paths = Vec::new();
    for r in scan.push_urls {
        if let Some(path) = super::link::push_path(&value[r], base_path, input_scheme, input_authority, base, scheme_of)
            && !path.is_empty()
        {
            // SAFETY: the caller's pool; one byte more for the NUL.
            let p = unsafe { super::url::pool_copy(pool, &path, path.len() + 1) };
            unsafe { *p.add(path.len()) = 0 };
            paths.push(h2o_iovec_t { base: p.cast(), len: path.len() });
        }
    }
    // SAFETY: the caller's pool and output.
    unsafe {
        *filtered_value = match scan.filtered {
            None => h2o_iovec_t::of(value),
            Some(f) => {
                let p = super::url::pool_copy(pool, &f, (value.len() * 2).max(1));
                h2o_iovec_t { base: p.cast(), len: f.len() }
            }
        };
        if paths.is_empty() {
            return Vector::EMPTY;
        }
        let entries = super::url::pool_copy(pool, &paths, paths.len());
        Vector { entries, size: paths.len(), capacity: paths.len() }
    }
}

/// `h2o_push_path_in_link_header`: when the connection can push (`callbacks->push_path` set),
/// gives it each path `value` asks to push (relative to the request, or to the delegated URL), and
/// returns the value without its `x-http2-push-only` links; otherwise `value` unchanged.
///
/// # Safety
/// `req` is a live request; `value` readable.
pub unsafe fn push_path_in_link_header(req: *mut h2o_req_t, value: &[u8]) -> h2o_iovec_t {
    // SAFETY: a live request and its connection.
    unsafe {
        let Some(push_path) = (*(*(*req).conn).callbacks).push_path else {
            return h2o_iovec_t::of(value);
        };
        let (paths, filtered) = push_paths_in_link_header(req, value);
        for i in 0..paths.size {
            let p = *paths.entries.add(i);
            push_path(req, p.base, p.len);
        }
        filtered
    }
}

/// The paths `value` asks to push (in the request's pool) and the value without its
/// `x-http2-push-only` links, as [`push_path_in_link_header`] finds them, without pushing: for a
/// caller that sends something (a 103) before the pushes start.
///
/// # Safety
/// `req` is a live request; `value` readable.
pub unsafe fn push_paths_in_link_header(req: *mut h2o_req_t, value: &[u8]) -> (Vector<h2o_iovec_t>, h2o_iovec_t) {
    // SAFETY: a live request.
    unsafe {
        let r = &mut *req;
        let delegated = r.flags & 2 != 0;
        let mut filtered = h2o_iovec_t::of(value);
        let authority = r.authority;
        let paths = extract_push_paths(
            &mut r.pool,
            value,
            bytes(r.path_normalized),
            r.input.scheme,
            bytes(r.input.authority),
            if delegated { r.scheme } else { std::ptr::null() },
            &authority,
            &mut filtered,
        );
        (paths, filtered)
    }
}
