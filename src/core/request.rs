//! Requests and responses, protocol-independent: choosing the host and path configuration of a
//! request, running the path's handlers, and the response API (`h2o_start_response`, `h2o_send`
//! and the inline, error and redirect responses built on them). The protocol (today HTTP/1,
//! `crate::http1::conn`) provides the final output stream `req->_ostr_top`, as in 2.2.5.

use std::ffi::{c_char, c_int, CStr};
use std::ptr::null_mut;

use crate::ffi::core::{h2o_context_t, h2o_handler_t, h2o_hostconf_t, h2o_pathconf_t};
use crate::ffi::memory::{h2o_iovec_t, h2o_mem_pool_t};
use crate::ffi::request::{h2o_generator_t, h2o_req_t, h2o_timestamp_t, REQ_FLAG_BYTES_COUNTED_BY_OSTREAM, REQ_FLAG_PERSISTENT, SEND_STATE_FINAL, SEND_STATE_IN_PROGRESS};
use crate::mem;

use super::headers;

/// Index of `H2O_STATUS_ERROR_404` in `h2o_context_t.emitted_error_status`.
const STATUS_ERROR_INDEX: [(c_int, usize); 10] =
    [(400, 0), (403, 1), (404, 2), (405, 3), (413, 4), (416, 5), (417, 6), (500, 7), (502, 8), (503, 9)];

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
        let c = &mut *ctx;
        if c._timestamp_cache.uv_now_at != (*c.loop_)._now || c._timestamp_cache.value.is_null() {
            super::context::update_timestamp_cache(ctx);
        }
        mem::pool::link_shared(pool, c._timestamp_cache.value.cast());
        h2o_timestamp_t { at: c._timestamp_cache.tv_at, str_: c._timestamp_cache.value }
    }
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

/// The hostconf for `authority` among the NULL-terminated `hosts`: the first whose name and port
/// match, else the first host (NULL when there is none).
///
/// # Safety
/// `hosts` is NULL or a NULL-terminated list of valid hostconfs.
pub unsafe fn select_host(hosts: *mut *mut h2o_hostconf_t, authority: &[u8], default_port: u16) -> *mut h2o_hostconf_t {
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
    // SAFETY: the caller's contract (the list has at least its terminator).
    unsafe { *hosts }
}

/// Whether a configured path (a prefix; a trailing '/' optional) covers `path`.
pub fn path_matches(conf: &[u8], path: &[u8]) -> bool {
    let conf = conf.strip_suffix(b"/").unwrap_or(conf);
    path.starts_with(conf) && matches!(path.get(conf.len()), None | Some(b'/') | Some(b'?'))
}

/// The pathconf of `hostconf` with the longest path covering `path`, else its fallback path.
///
/// # Safety
/// `hostconf` is a valid hostconf.
pub unsafe fn select_path(hostconf: *mut h2o_hostconf_t, path: &[u8]) -> *mut h2o_pathconf_t {
    // SAFETY: the caller's contract.
    let h = unsafe { &mut *hostconf };
    let mut best: Option<(usize, *mut h2o_pathconf_t)> = None;
    for i in 0..h.paths.size {
        // SAFETY: `i < size`.
        let p = unsafe { h.paths.entries.add(i) };
        // SAFETY: a registered path is a valid iovec.
        let conf = unsafe { bytes((*p).path) };
        if path_matches(conf, path) && best.is_none_or(|(len, _)| conf.len() > len) {
            best = Some((conf.len(), p));
        }
    }
    best.map(|(_, p)| p).unwrap_or(&raw mut h.fallback_path)
}

/// Asks the pathconf's handlers in order; the first returning 0 has taken the request. When none
/// does (or there is no pathconf), answers 404.
///
/// # Safety
/// `req` is a live request set up by its protocol.
pub unsafe fn process(req: *mut h2o_req_t) {
    // SAFETY: the caller's contract; handlers are valid modules of the pathconf.
    unsafe {
        let pathconf = (*req).pathconf;
        if !pathconf.is_null() {
            let handlers = &(*pathconf).handlers;
            for i in 0..handlers.size {
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
        }
        count_error(&mut *(*(*req).conn).ctx, 404);
        send_error(req, 404, c"File Not Found".as_ptr(), c"not found".as_ptr(), 0);
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

/// `h2o_start_response`.
///
/// # Safety
/// `req` is live.
pub unsafe fn start_response(req: &mut h2o_req_t, generator: *mut h2o_generator_t) {
    req._generator = generator;
    // Filters (output streams in front of the protocol's) come later; 2.2.5 lets each pathconf
    // filter insert one here.
}

/// `h2o_send`.
///
/// # Safety
/// As the export.
pub unsafe fn send(req: *mut h2o_req_t, bufs: *mut h2o_iovec_t, bufcnt: usize, state: c_int) {
    // SAFETY: the caller's contract.
    unsafe {
        let r = &mut *req;
        if state != SEND_STATE_IN_PROGRESS {
            r._generator = null_mut();
        }
        if r.flags & REQ_FLAG_BYTES_COUNTED_BY_OSTREAM == 0 {
            for i in 0..bufcnt {
                r.bytes_sent += (*bufs.add(i)).len;
            }
        }
        let top = r._ostr_top;
        assert!(!top.is_null(), "h2o_send: the request has no output stream");
        let do_send = (*top).do_send.expect("output stream without do_send");
        do_send(top, req, bufs, bufcnt, state);
    }
}

unsafe extern "C" fn noop_proceed(_g: *mut h2o_generator_t, _r: *mut h2o_req_t) {}

static INLINE_GENERATOR: h2o_generator_t = h2o_generator_t { proceed: Some(noop_proceed), stop: None };
// SAFETY: two function pointers, never written.
unsafe impl Sync for h2o_generator_t {}

/// `h2o_send_inline`.
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
        start_response(r, (&raw const INLINE_GENERATOR).cast_mut());
        send(req, &mut buf, 1, SEND_STATE_FINAL);
    }
}

/// `h2o_send_error_generic`.
///
/// # Safety
/// As the export.
pub unsafe fn send_error(req: *mut h2o_req_t, status: c_int, reason: *const c_char, body: *const c_char, flags: c_int) {
    // SAFETY: the caller's contract.
    unsafe {
        let r = &mut *req;
        if flags & 1 != 0 {
            r.flags &= !REQ_FLAG_PERSISTENT;
        }
        r.res.status = status;
        r.res.reason = reason;
        if flags & 2 == 0 {
            r.res.headers = crate::ffi::core::Vector::EMPTY;
        }
        let ct = headers::lookup_token(b"content-type").expect("content-type token");
        let v = c"text/plain; charset=utf-8";
        crate::ffi::core::h2o_set_header(&mut r.pool, &mut r.res.headers, ct, v.as_ptr(), v.count_bytes(), 1);
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

/// `h2o_send_redirect`.
///
/// # Safety
/// As the export.
pub unsafe fn send_redirect(req: *mut h2o_req_t, status: c_int, reason: *const c_char, url: *const c_char, url_len: usize) {
    // SAFETY: the caller's contract.
    unsafe {
        let r = &mut *req;
        let u = if url_len == 0 { &[][..] } else { std::slice::from_raw_parts(url.cast::<u8>(), url_len) };
        let location = headers::pool_strdup(&mut r.pool, u);
        let mut body = b"<!DOCTYPE html><title>Redirect</title><p>See <a href=\"".to_vec();
        body.extend_from_slice(&html_escape(u));
        body.extend_from_slice(b"\">this address</a>.</p>\n");
        r.res.status = status;
        r.res.reason = reason;
        r.res.headers = crate::ffi::core::Vector::EMPTY;
        let loc = headers::lookup_token(b"location").expect("location token");
        crate::ffi::core::h2o_add_header(&mut r.pool, &mut r.res.headers, loc, std::ptr::null(), location.base, location.len);
        let ct = headers::lookup_token(b"content-type").expect("content-type token");
        let v = c"text/html; charset=utf-8";
        crate::ffi::core::h2o_add_header(&mut r.pool, &mut r.res.headers, ct, std::ptr::null(), v.as_ptr(), v.count_bytes());
        send_inline(req, body.as_ptr().cast(), body.len());
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
    fn path_prefixes() {
        assert!(path_matches(b"/", b"/anything"));
        assert!(path_matches(b"/foo", b"/foo"));
        assert!(path_matches(b"/foo/", b"/foo"));
        assert!(path_matches(b"/foo", b"/foo/bar"));
        assert!(path_matches(b"/foo", b"/foo?x"));
        assert!(!path_matches(b"/foo", b"/foobar"));
    }
}
