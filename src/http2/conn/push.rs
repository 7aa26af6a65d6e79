//! Server push and CASPer for the HTTP/2 glue (2.2.5's `push_path`, the CASPer part of its
//! `send_headers`, and `Link: rel=preload` handling).
//!
//! - `push_path` (the connection's `callbacks->push_path`, called by
//!   `h2o_push_path_in_link_header`): when the host has `http2.push_preload`, the request is a
//!   client's, has no `x-forwarded-for` (as 2.2.5) and the engine can push (see
//!   `Connection::reserve_push`), a pushed stream gets a `GET` request for the path with the
//!   source request's scheme and authority and its headers whose token says so
//!   (`copy_for_push_request`), which runs through the handlers at once; its PUSH_PROMISE is
//!   queued when its response starts, or right after the handlers returned. Each URL is pushed
//!   once per connection (`crate::http2::push_memo`, 2.2.5's `push_memo`): whichever client
//!   stream, handler call or `Link` header asks for it again, no second push is made.
//! - [`before_head`], when a response starts: on a client stream, the request's `h2o_casper`
//!   cookies are merged into the connection's fingerprint (hosts with `http2.casper`), and each
//!   `Link` header of the response is handed to `h2o_push_path_in_link_header` (hosts with
//!   `push_preload`; its `x-http2-push-only` links are removed from the header). Then CASPer: a
//!   tracked response (`track_all_types`, or a MIME type of priority highest) marks its path; a
//!   pushed response whose path was marked already is cancelled, a client stream's response gets
//!   the `Set-Cookie` of the fingerprint. A pushed response with status 400 or more is cancelled
//!   too. Pushed responses carry `x-http2-push: pushed`, cancelled ones log `cancelled`.

use std::ffi::c_char;

use super::c::*;
use super::stream::{self, is, is_highest, new_stream, now, of_req, tokens, Stream};
use crate::core::{headers, request};
use crate::http2::casper::Casper;
use crate::token::flag;

/// `h2o_hostconf_t.http2.flags` bit of `push_preload`.
const PUSH_PRELOAD: u32 = 1 << 1;

/// `callbacks->push_path`.
///
/// # Safety
/// `src_req` is the request of a live stream of one of our connections; `path` readable.
pub(super) unsafe extern "C" fn push_path(src_req: *mut h2o_req_t, path: *const c_char, path_len: usize) {
    // SAFETY: the caller's contract; no reference into the Conn is held across the handlers.
    unsafe {
        let src = of_req(src_req);
        let conn = stream::conn_of(src);
        let src_id = (*src).id;
        let hostconf = (*src_req).hostconf;
        if (*conn).closing || src_id & 1 == 0 || hostconf.is_null() || (*hostconf).http2.flags & PUSH_PRELOAD == 0 {
            return;
        }
        let tk = tokens();
        if headers::entries(&(*src_req).headers).iter().any(|h| is(h.name, tk.x_forwarded_for)) {
            return;
        }
        merge_casper_cookies(src);
        load_cache_digests(src);
        let path = if path.is_null() { &[][..] } else { std::slice::from_raw_parts(path.cast::<u8>(), path_len) };
        let scheme = request::bytes((*(*src_req).input.scheme).name);
        let authority = request::bytes((*src_req).input.authority);
        let Some(url) = (*conn).push_memo.unpushed(scheme, authority, path) else { return };
        if is_fresh_in_digests(conn, src_req, path) {
            return;
        }
        let Some(id) = (*conn).engine.reserve_push(src_id) else { return };
        (*conn).push_memo.record(url);
        let s = new_stream(conn, id, std::ptr::null());
        fill(s, src_req, path);
        (*conn).streams.insert(id, s);
        stream::process(s);
        if (*conn).streams.get(&id) == Some(&s) && !(*s).push_cancelled && !promise(s) {
            cancel(s);
        }
    }
}

/// The pushed request: `GET path` with the source's scheme and authority and the headers to copy.
///
/// # Safety
/// `s` is a fresh stream; `src` a live request.
unsafe fn fill(s: *mut Stream, src: *const h2o_req_t, path: &[u8]) {
    // SAFETY: the caller's contract.
    unsafe {
        let req = &mut (*s).req;
        req.timestamps[0] = now((*req.conn).ctx);
        req.input.method = h2o_iovec_t::of(b"GET");
        req.input.scheme = (*src).input.scheme;
        req.input.authority = headers::pool_strdup(&mut req.pool, request::bytes((*src).input.authority));
        req.input.path = headers::pool_strdup(&mut req.pool, path);
        for h in headers::entries(&(*src).headers) {
            if h2o_iovec_is_token(h.name) != 0 && (*h.name.cast::<h2o_token_t>()).flags & flag::PUSH_COPY != 0 {
                let v = headers::pool_strdup(&mut req.pool, request::bytes(h.value));
                headers::add(&mut req.pool, &mut req.headers, h.name, std::ptr::null(), v);
            }
        }
    }
}

/// Queues the pushed stream's PUSH_PROMISE (if not yet); false when it can no longer be promised.
///
/// # Safety
/// `s` is a live pushed stream.
unsafe fn promise(s: *mut Stream) -> bool {
    // SAFETY: the caller's contract; the slices live during the call.
    unsafe {
        let conn = stream::conn_of(s);
        let id = (*s).id;
        if (*conn).engine.push_promised(id) {
            return true;
        }
        let req = &(*s).req;
        let scheme = request::bytes((*req.input.scheme).name);
        let mut fields: Vec<(&[u8], &[u8])> = vec![
            (b":method", b"GET"),
            (b":scheme", scheme),
            (b":authority", request::bytes(req.input.authority)),
            (b":path", request::bytes(req.input.path)),
        ];
        for h in headers::entries(&req.headers) {
            fields.push((request::bytes(*h.name), request::bytes(h.value)));
        }
        (*conn).engine.send_push_promise(id, &fields)
    }
}

/// Cancels a pushed stream: `x-http2-push: cancelled` for the log, the engine forgets it.
///
/// # Safety
/// `s` is a live pushed stream.
unsafe fn cancel(s: *mut Stream) {
    // SAFETY: the caller's contract.
    unsafe {
        (*s).push_cancelled = true;
        let req = &mut (*s).req;
        add_header(req, b"x-http2-push", b"cancelled");
        (*stream::conn_of(s)).engine.cancel_push((*s).id);
    }
}

/// Adds a response header with a non-token name (copied into the pool).
///
/// # Safety
/// `req` is live.
unsafe fn add_header(req: &mut h2o_req_t, name: &'static [u8], value: &[u8]) {
    // SAFETY: the caller's contract.
    unsafe {
        let n = headers::pool_name(&mut req.pool, name.as_ptr().cast(), name.len());
        let v = headers::pool_strdup(&mut req.pool, value);
        headers::add(&mut req.pool, &mut req.res.headers, n, std::ptr::null(), v);
    }
}

/// Loads the `cache-digest` headers of a client stream's request into the connection's digests;
/// once per stream, before its first push or its response head (2.2.5 loads them as the request
/// arrives; the pushes it decides on are the same).
///
/// # Safety
/// `s` is a live stream.
unsafe fn load_cache_digests(s: *mut Stream) {
    // SAFETY: the caller's contract.
    unsafe {
        if (*s).digests_loaded || (*s).id & 1 == 0 {
            return;
        }
        (*s).digests_loaded = true;
        let conn = stream::conn_of(s);
        for h in headers::entries(&(*s).req.headers) {
            if is(h.name, tokens().cache_digest) {
                (*conn).cache_digests.load_header(request::bytes(h.value));
            }
        }
    }
}

/// Whether a fresh digest of the client holds `scheme://authority` + `path` of the source request.
///
/// # Safety
/// `conn` and `src` are live.
unsafe fn is_fresh_in_digests(conn: *mut super::Conn, src: *const h2o_req_t, path: &[u8]) -> bool {
    // SAFETY: the caller's contract.
    unsafe {
        let d = &(*conn).cache_digests;
        if d.url_only.is_empty() {
            return false;
        }
        let mut url = request::bytes((*(*src).input.scheme).name).to_vec();
        url.extend_from_slice(b"://");
        url.extend_from_slice(request::bytes((*src).input.authority));
        url.extend_from_slice(path);
        d.lookup_by_url(&url) == crate::http2::cache_digests::State::Fresh
    }
}

/// Merges the `h2o_casper` cookies of a client stream's request into the connection's fingerprint
/// (made on first use) when its host has `http2.casper`; once per stream, before its first push
/// (a 103 may start them before the response) or its response head.
///
/// # Safety
/// `s` is a live stream whose request has been routed (`hostconf` set) or not (nothing done).
unsafe fn merge_casper_cookies(s: *mut Stream) {
    // SAFETY: the caller's contract.
    unsafe {
        let req = &(*s).req;
        if (*s).casper_merged || (*s).id & 1 == 0 || req.hostconf.is_null() {
            return;
        }
        let [capacity_bits, _] = (*req.hostconf).http2.casper;
        if capacity_bits == 0 {
            return;
        }
        (*s).casper_merged = true;
        let casper = (*stream::conn_of(s)).casper.get_or_insert_with(|| Casper::new(capacity_bits, 6));
        for h in headers::entries(&req.headers) {
            if !is(h.name, tokens().cookie) {
                continue;
            }
            let value = request::bytes(h.value);
            for crumb in value.split(|&c| c == b';') {
                let start = crumb.iter().position(|&c| c != b' ' && c != b'\t').unwrap_or(crumb.len());
                let end = crumb.iter().rposition(|&c| c != b' ' && c != b'\t').map_or(start, |e| e + 1);
                casper.consume_cookie(&crumb[start..end.max(start)]);
            }
        }
    }
}

/// Push and CASPer work when the stream's response starts (see the module's doc). False when the
/// stream is a push that is cancelled (nothing is to be sent).
///
/// # Safety
/// `s` is live, its response head not sent; called from its final output stream.
pub(super) unsafe fn before_head(s: *mut Stream) -> bool {
    // SAFETY: the caller's contract; no reference into the Conn or the request is held across
    // the pushes (which run handlers).
    unsafe {
        let conn = stream::conn_of(s);
        let req = &raw mut (*s).req;
        let hostconf = (*req).hostconf;
        let pushed = (*s).id & 1 == 0;
        if hostconf.is_null() {
            return true;
        }
        let [capacity_bits, track_all_types] = (*hostconf).http2.casper;
        if !pushed {
            merge_casper_cookies(s);
            load_cache_digests(s);
            if (*hostconf).http2.flags & PUSH_PRELOAD != 0 {
                let mut i = 0;
                while i < (*req).res.headers.size {
                    let h = *(*req).res.headers.entries.add(i);
                    if is(h.name, tokens().link) {
                        let filtered = request::push_path_in_link_header(req, request::bytes(h.value));
                        if filtered.len == 0 {
                            headers::delete(&mut (*req).res.headers, i as isize);
                            continue;
                        }
                        (*(*req).res.headers.entries.add(i)).value = filtered;
                    }
                    i += 1;
                }
            }
        }
        if pushed && (*req).res.status >= 400 {
            cancel(s);
            return false;
        }
        if capacity_bits != 0 {
            let tracked = track_all_types != 0 || is_highest(conn, req);
            let path = request::bytes((*req).path);
            let casper = (*conn).casper.get_or_insert_with(|| Casper::new(capacity_bits, 6));
            if tracked && casper.lookup(path, true) && pushed {
                cancel(s);
                return false;
            }
            if !pushed && let Some(cookie) = casper.cookie() {
                let v = headers::pool_strdup(&mut (*req).pool, cookie);
                headers::add(&mut (*req).pool, &mut (*req).res.headers, tokens().set_cookie as *mut h2o_iovec_t, std::ptr::null(), v);
            }
        }
        if pushed {
            if !promise(s) {
                cancel(s);
                return false;
            }
            add_header(&mut *req, b"x-http2-push", b"pushed");
        }
        true
    }
}


/// Whether `conn` is one of ours (an HTTP/2 connection).
///
/// # Safety
/// `conn` is NULL or a live connection.
pub unsafe fn owns(conn: *const h2o_conn_t) -> bool {
    // SAFETY: the caller's contract: reading the callbacks pointer of a live connection.
    !conn.is_null() && std::ptr::eq(unsafe { (*conn).callbacks }, &super::CALLBACKS)
}

/// An informational response (`req.res.status` 100..=199 but 101, `req.res.headers`) on the
/// request's stream: HEADERS without END_STREAM, queued at once. A 103 then starts the pushes of
/// its `Link: rel=preload` headers (hosts with `push_preload`; its `x-http2-push-only` links are
/// not sent), so that its HEADERS go out ahead of their PUSH_PROMISEs.
///
/// # Safety
/// `req` is the request of a live stream of ours whose response has not started.
pub unsafe fn send_informational(req: *mut h2o_req_t) {
    // SAFETY: the caller's contract; the slices handed to the engine live during the call; no
    // reference into the request is held across the pushes (which run handlers).
    unsafe {
        let s = of_req(req);
        let conn = stream::conn_of(s);
        if (*conn).closing {
            return;
        }
        let status = (*req).res.status;
        let hostconf = (*req).hostconf;
        let mut paths: Vec<h2o_iovec_t> = Vec::new();
        if status == 103 && (*s).id & 1 == 1 && !hostconf.is_null() && (*hostconf).http2.flags & PUSH_PRELOAD != 0 {
            let mut i = 0;
            while i < (*req).res.headers.size {
                let h = *(*req).res.headers.entries.add(i);
                if is(h.name, tokens().link) {
                    let (found, filtered) = request::push_paths_in_link_header(req, request::bytes(h.value));
                    paths.extend((0..found.size).map(|k| *found.entries.add(k)));
                    if filtered.len == 0 {
                        headers::delete(&mut (*req).res.headers, i as isize);
                        continue;
                    }
                    (*(*req).res.headers.entries.add(i)).value = filtered;
                }
                i += 1;
            }
        }
        let kept = |h: &h2o_header_t| h2o_iovec_is_token(h.name) == 0 || (*h.name.cast::<h2o_token_t>()).flags & flag::H2_REJECT == 0;
        let list = headers::entries(&(*req).res.headers);
        let names: Vec<Vec<u8>> = list.iter().filter(|h| kept(h)).map(|h| request::bytes(*h.name).to_ascii_lowercase()).collect();
        let pairs: Vec<(&[u8], &[u8])> =
            list.iter().filter(|h| kept(h)).zip(&names).map(|(h, n)| (n.as_slice(), request::bytes(h.value))).collect();
        if status != 103 || !pairs.is_empty() {
            (*conn).engine.send_informational((*s).id, u16::try_from(status).unwrap_or(0), &pairs);
        }
        drop(pairs);
        for p in paths {
            push_path(req, p.base, p.len);
        }
        super::request_flush(conn);
    }
}
