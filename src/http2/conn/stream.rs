//! One HTTP/2 stream as the handlers see it: its `h2o_req_t` (filled from the engine's request
//! head as 2.2.5's HPACK layer fills it) and the final output stream that turns `h2o_send` into
//! `Connection::send_response` / `send_data`.
//!
//! - The request: method, path, authority and every field copied into the request's pool with
//!   one allocation (names that are tokens become the token, as HTTP/1 does; `content-length` is
//!   not added, as 2.2.5; `cookie` crumbs are joined with "; " into the first one, as 2.2.5);
//!   the body is the engine's buffer, kept by the stream (`req->entity`; NULL when the request
//!   has neither body nor `content-length`). A body over `max_request_entity_size` gets 413
//!   through `h2o_send_error_generic`, as HTTP/1.
//! - The response: `:status` (200 when unset), `date`, `server` (unless the handler set one),
//!   `content-length` when known (or when the first send is the last: its length), then the
//!   handler's headers with names lower-cased and the connection-specific ones dropped. HEAD,
//!   1xx, 204 and 304 end the stream with the head; what the generator still sends is dropped.
//!   A send in error state resets the stream (INTERNAL_ERROR) after what it carried.
//! - The stream is disposed of (`h2o_dispose_request`: generator stopped, loggers run) once its
//!   final send is done (at the connection's next safe point, never inside the handler's call)
//!   or when the engine reports it closed.

use std::ffi::c_int;
use std::mem::offset_of;
use std::ptr::null_mut;

use super::c::*;
use super::Conn;
use crate::core::{headers, request};
use crate::http2::engine::{PriorityInfo, RequestHead};
use crate::http2::frame::ErrorCode;
use crate::mem;
use crate::token::flag;

/// How many disposed streams a connection keeps for reuse (one allocation less per request).
const SPARE_STREAMS: usize = 16;

/// What the stream's generator is waiting for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Wait {
    None,
    /// `send_data` took everything: proceed once the connection's write in flight completes.
    AfterWrite,
    /// `send_data` is full: proceed on `Event::WantData`.
    WantData,
}

/// Where the response is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Out {
    /// Nothing sent yet.
    Head,
    /// The head is out; body bytes go to the engine.
    Body,
    /// The head ended the stream (HEAD, 1xx, 204, 304): body bytes are dropped.
    NoBody,
    /// The final send is done.
    Done,
}

/// One stream. `req` first; the final output stream is `ostr`.
#[repr(C)]
pub(super) struct Stream {
    pub req: h2o_req_t,
    ostr: h2o_ostream_t,
    conn: *mut Conn,
    pub(super) id: u32,
    out: Out,
    wait: Wait,
    /// The request body `req.entity` points to.
    body: Vec<u8>,
    /// A pushed stream (even id) that was cancelled (CASPer says cached, or an error status).
    pub(super) push_cancelled: bool,
    /// Whether the request's `h2o_casper` cookies were merged into the connection's fingerprint.
    pub(super) casper_merged: bool,
    /// Whether the request's `cache-digest` headers were loaded into the connection's digests.
    pub(super) digests_loaded: bool,
}

/// Reused space for building response heads.
#[derive(Default)]
pub(super) struct Scratch {
    /// Lower-cased copies of non-token names that had upper-case letters.
    names: Vec<u8>,
    /// Per header: where its lower-cased name is in `names` (or None: the name as it is).
    spans: Vec<Option<(usize, usize)>>,
    /// The (name, value) list handed to the engine; emptied right after each use.
    pairs: Vec<(&'static [u8], &'static [u8])>,
    content_length: Vec<u8>,
    /// The last (MIME map, Content-Type) looked up by [`is_highest`] and its answer.
    mime_cache: Option<(*mut std::ffi::c_void, Vec<u8>, bool)>,
}

impl Scratch {
    /// Emptied for another connection (whose hosts' MIME maps may differ), keeping the buffers.
    pub(super) fn renew(&mut self) {
        self.names.clear();
        self.spans.clear();
        self.pairs.clear();
        self.content_length.clear();
        self.mime_cache = None;
    }
}

/// The tokens this module compares header names with, looked up once (their addresses are those
/// of the token table in use, which does not move).
pub(super) struct Tokens {
    pub(super) content_length: usize,
    pub(super) content_type: usize,
    pub(super) cookie: usize,
    pub(super) cache_digest: usize,
    pub(super) host: usize,
    pub(super) keep_alive: usize,
    pub(super) server: usize,
    pub(super) link: usize,
    pub(super) set_cookie: usize,
    pub(super) x_forwarded_for: usize,
}

pub(super) fn tokens() -> &'static Tokens {
    static TOKENS: std::sync::OnceLock<Tokens> = std::sync::OnceLock::new();
    TOKENS.get_or_init(|| {
        let t = |name: &[u8]| headers::lookup_token(name).map_or(0, |t| t as usize);
        Tokens {
            content_length: t(b"content-length"),
            content_type: t(b"content-type"),
            cookie: t(b"cookie"),
            cache_digest: t(b"cache-digest"),
            host: t(b"host"),
            keep_alive: t(b"keep-alive"),
            server: t(b"server"),
            link: t(b"link"),
            set_cookie: t(b"set-cookie"),
            x_forwarded_for: t(b"x-forwarded-for"),
        }
    })
}

/// Whether a header name is the token at `tok`.
pub(super) fn is(name: *const h2o_iovec_t, tok: usize) -> bool {
    name as usize == tok
}

/// The body of a request with `content-length: 0` and no DATA (non-NULL, as a parsed empty body).
static EMPTY_BODY: [u8; 1] = [0];

/// The loop's cached time (refreshed when its clock moved).
///
/// # Safety
/// `ctx` is an initialized context with a live loop.
pub(super) unsafe fn now(ctx: *mut h2o_context_t) -> libc::timeval {
    // SAFETY: the caller's contract.
    unsafe { crate::core::context::cached_timestamp(ctx).0 }
}


/// A new stream of `conn` whose request is initialized (a copy of `src` when not NULL) with this
/// stream's final output stream on top.
///
/// # Safety
/// `conn` is live; `src` NULL or a live request.
pub(super) unsafe fn new_stream(conn: *mut Conn, id: u32, src: *const h2o_req_t) -> *mut Stream {
    // SAFETY: the caller's contract; the stream is boxed, so the request stays in place.
    unsafe {
        let ostr = h2o_ostream_t { next: null_mut(), do_send: Some(do_send), stop: None, start_pull: std::ptr::null() };
        let s = match (*conn).spare.pop() {
            Some(mut b) => {
                b.ostr = ostr;
                b.conn = conn; // a spare may come from an earlier connection (conn::GlueSpare)
                b.id = id;
                b.out = Out::Head;
                b.wait = Wait::None;
                b.push_cancelled = false;
                b.casper_merged = false;
                b.digests_loaded = false;
                Box::into_raw(b)
            }
            None => Box::into_raw(Box::new(Stream {
                req: std::mem::zeroed(),
                ostr,
                conn,
                id,
                out: Out::Head,
                wait: Wait::None,
                body: Vec::new(),
                push_cancelled: false,
                casper_merged: false,
                digests_loaded: false,
            })),
        };
        let req = &raw mut (*s).req;
        request::init_request(req, &raw mut (*conn).super_, src);
        (*req)._ostr_top = &raw mut (*s).ostr;
        (*req).version = 0x200;
        (*req).input.query_at = usize::MAX;
        (*req).query_at = usize::MAX;
        s
    }
}

/// Copies `b` (and a NUL) to `*at`, advancing it.
///
/// # Safety
/// `*at` has `b.len() + 1` writable bytes.
unsafe fn put(at: &mut *mut u8, b: &[u8]) -> h2o_iovec_t {
    // SAFETY: the caller's contract.
    unsafe {
        let p = *at;
        std::ptr::copy_nonoverlapping(b.as_ptr(), p, b.len());
        *p.add(b.len()) = 0;
        *at = p.add(b.len() + 1);
        h2o_iovec_t { base: p.cast(), len: b.len() }
    }
}

/// A request the engine delivered: a new stream, its request filled, then processed (or
/// answered 413 when its body was too large).
///
/// # Safety
/// `conn` is live; called from the connection's run (not from inside a handler).
pub(super) unsafe fn start(conn: *mut Conn, id: u32, head: RequestHead, body: Vec<u8>, too_large: bool) {
    // SAFETY: the caller's contract.
    unsafe {
        let s = new_stream(conn, id, std::ptr::null());
        fill(s, &head, body);
        (*conn).engine.recycle_head(head);
        if let Some(old) = (*conn).streams.insert(id, s) {
            dispose(old); // cannot happen: the engine never reuses a stream id
        }
        if too_large {
            let req = &raw mut (*s).req;
            request::count_error(&mut *(*conn).super_.ctx, 413);
            request::send_error(req, 413, c"Request Entity Too Large".as_ptr(), c"request entity is too large".as_ptr(), 0);
        } else {
            process(s);
        }
    }
}

/// Hands the stream's request to the handlers.
///
/// # Safety
/// `s` is live with its request filled.
pub(super) unsafe fn process(s: *mut Stream) {
    // SAFETY: the caller's contract.
    unsafe { request::process_request(&raw mut (*s).req) }
}

/// Fills the stream's request from the decoded head and body.
///
/// # Safety
/// `s` is live with a fresh request.
unsafe fn fill(s: *mut Stream, head: &RequestHead, body: Vec<u8>) {
    // SAFETY: the caller's contract; one pool block holds every string, sized below.
    unsafe {
        let conn = (*s).conn;
        let req = &mut (*s).req;
        req.timestamps[0] = now((*conn).super_.ctx);
        req.input.scheme = if head.scheme() == b"https" { &H2O_URL_SCHEME_HTTPS } else { &H2O_URL_SCHEME_HTTP };
        let tk = tokens();
        // room for every value and name (a token's name is not copied: a few bytes to spare)
        let fields = head.fields();
        let total = head.string_bytes() + 3 + 2 * fields.len();
        let mut at = mem::pool::alloc(&mut req.pool, total).cast::<u8>();
        req.input.method = put(&mut at, head.method());
        req.input.path = put(&mut at, head.path());
        if !head.authority().is_empty() {
            req.input.authority = put(&mut at, head.authority());
        }
        mem::vector::expand(Some(&mut req.pool), req.headers.as_raw(), size_of::<h2o_header_t>(), fields.len());
        let mut cookie_at: Option<usize> = None;
        for (name, value) in fields {
            let v = put(&mut at, value);
            let name_ptr = match headers::lookup_token(name) {
                Some(t) => {
                    let t = t.cast::<h2o_iovec_t>().cast_mut();
                    if is(t, tk.content_length) {
                        continue;
                    }
                    if is(t, tk.cookie) {
                        if let Some(i) = cookie_at {
                            let e = &mut *req.headers.entries.add(i);
                            let mut joined = Vec::with_capacity(e.value.len + 2 + v.len);
                            joined.extend_from_slice(request::bytes(e.value));
                            joined.extend_from_slice(b"; ");
                            joined.extend_from_slice(request::bytes(v));
                            e.value = headers::pool_strdup(&mut req.pool, &joined);
                            continue;
                        }
                        cookie_at = Some(req.headers.size);
                    }
                    if is(t, tk.host) && req.input.authority.base.is_null() {
                        req.input.authority = v; // RFC 9113 8.3.1: Host stands in for a missing :authority
                    }
                    t
                }
                None => {
                    let n = put(&mut at, name);
                    headers::pool_name(&mut req.pool, n.base, n.len)
                }
            };
            headers::add(&mut req.pool, &mut req.headers, name_ptr, std::ptr::null(), v);
        }
        if !body.is_empty() {
            (*s).body = body;
            let b = &(*s).body;
            req.entity = h2o_iovec_t::of(b);
            req.timestamps[1] = req.timestamps[0];
        } else if head.content_length.is_some() {
            req.entity = h2o_iovec_t { base: EMPTY_BODY.as_ptr().cast_mut().cast(), len: 0 };
        }
    }
}

/// Stream 1 of an upgraded connection: a copy of the HTTP/1.1 request that asked for the upgrade
/// (its body copied too, as the HTTP/1 input it points into is consumed), without the
/// connection-specific headers of the upgrade.
///
/// # Safety
/// `conn` is live; `src` a live request.
pub(super) unsafe fn from_upgrade(conn: *mut Conn, src: *mut h2o_req_t) -> *mut Stream {
    // SAFETY: the caller's contract.
    unsafe {
        let s = new_stream(conn, 1, src);
        let req = &mut (*s).req;
        req.upgrade = h2o_iovec_t::EMPTY;
        let drop_names: Vec<*const h2o_iovec_t> = [&b"connection"[..], b"upgrade", b"http2-settings", b"keep-alive"]
            .iter()
            .filter_map(|n| headers::lookup_token(n))
            .map(|t| t.cast::<h2o_iovec_t>())
            .collect();
        let mut i = 0;
        while i < req.headers.size {
            let name = (*req.headers.entries.add(i)).name.cast_const();
            if drop_names.iter().any(|&d| std::ptr::eq(d, name)) {
                headers::delete(&mut req.headers, i as isize);
            } else {
                i += 1;
            }
        }
        if !(*src).entity.base.is_null() {
            (*s).body = request::bytes((*src).entity).to_vec();
            req.entity = if (*s).body.is_empty() {
                h2o_iovec_t { base: EMPTY_BODY.as_ptr().cast_mut().cast(), len: 0 }
            } else {
                h2o_iovec_t::of(&(*s).body)
            };
        }
        s
    }
}

/// Asks the generator for more if it waits for `why`.
///
/// # Safety
/// `s` is live; called from one of the connection's loop callbacks.
pub(super) unsafe fn proceed_if(s: *mut Stream, why: Wait) {
    // SAFETY: the caller's contract.
    unsafe {
        if (*s).wait == why && (*s).out != Out::Done {
            (*s).wait = Wait::None;
            request::proceed_response(&raw mut (*s).req);
        }
    }
}

/// Disposes of the stream: its generator is stopped if still running, its request logged and
/// freed, the stream freed (or kept for the connection's next stream).
///
/// # Safety
/// `s` is live and no longer in its connection's map; called outside the handler's calls.
pub(super) unsafe fn dispose(s: *mut Stream) {
    // SAFETY: the caller's contract.
    unsafe {
        let req = &raw mut (*s).req;
        if (*req).timestamps[3].tv_sec == 0 && (*req).timestamps[2].tv_sec != 0 {
            (*req).timestamps[3] = now((*(*s).conn).super_.ctx);
        }
        request::dispose_request(req);
        let mut b = Box::from_raw(s);
        b.body = Vec::new();
        let conn = b.conn;
        if !(*conn).closing && (*conn).spare.len() < SPARE_STREAMS {
            (*conn).spare.push(b); // its request is initialized afresh when it is reused
        }
    }
}

/// Whether a response with `status` to `method` carries no body on the wire.
fn bodiless(status: c_int, method: &[u8]) -> bool {
    method == b"HEAD" || !request::status_has_body(status)
}

/// Whether the response's MIME type has priority "highest" (2.2.5's `is_blocking_asset`). The
/// answer for the last Content-Type looked up in a path's MIME map is remembered per connection
/// (responses of one connection mostly repeat a few types, and the map is searched linearly);
/// a miss fills `res.mime_attr` as `h2o_req_fill_mime_attributes` does.
///
/// # Safety
/// `conn` is live; `req` is its stream's request.
pub(super) unsafe fn is_highest(conn: *mut Conn, req: *mut h2o_req_t) -> bool {
    // SAFETY: the caller's contract; header values are valid iovecs.
    unsafe {
        let r = &mut *req;
        if r.res.mime_attr.is_null() {
            let map = r.pathconf.as_ref().map_or(std::ptr::null_mut(), |p| p.mimemap);
            if let Some(h) = headers::entries(&r.res.headers).iter().find(|h| is(h.name, tokens().content_type)) {
                let value = request::bytes(h.value);
                let cache = &mut (*conn).scratch.mime_cache;
                if let Some((m, v, highest)) = cache.as_ref()
                    && *m == map
                    && v.as_slice() == value
                {
                    return *highest;
                }
                request::fill_mime_attributes(req);
                let attr = (*req).res.mime_attr.cast::<h2o_mime_attributes_t>();
                let highest = !attr.is_null() && (*attr).priority == 1;
                *cache = Some((map, value.to_vec(), highest));
                return highest;
            }
        }
        request::fill_mime_attributes(req);
        let attr = (*req).res.mime_attr.cast::<h2o_mime_attributes_t>();
        !attr.is_null() && (*attr).priority == 1
    }
}

/// Starts the response: the head (see the module's description), END_STREAM with it when there
/// is no body to follow. `final_len`: the body's length when the first send is the last.
///
/// # Safety
/// `s` is live, in state `Head`.
unsafe fn send_head(s: *mut Stream, final_len: Option<usize>) {
    // SAFETY: the caller's contract; every slice handed to the engine points into the request's
    // pool, static data or the connection's scratch, all alive during the call, and the list is
    // emptied before it returns.
    unsafe {
        let conn = (*s).conn;
        let ctx = (*conn).super_.ctx;
        let req = &raw mut (*s).req;
        (*req).timestamps[2] = now(ctx);
        if (*req).res.status == 0 {
            (*req).res.status = 200;
        }
        if !super::push::before_head(s) {
            (*s).out = Out::NoBody; // a cancelled push: nothing goes out
            return;
        }
        let status = (*req).res.status;
        let no_body = bodiless(status, request::bytes((*req).input.method));
        let mut content_length = ((*req).res.content_length != usize::MAX).then_some((*req).res.content_length);
        if content_length.is_none() && !no_body {
            content_length = final_len;
            if let Some(n) = final_len {
                (*req).res.content_length = n;
            }
        }
        if (100..200).contains(&status) || status == 204 {
            content_length = None;
        }
        let hostconf = (*req).hostconf;
        let highest = if (*s).id & 1 == 0 {
            is_highest(conn, req) // a pushed blocking asset goes before everything
        } else {
            !hostconf.is_null() && (*hostconf).http2.flags & 1 != 0 && is_highest(conn, req)
        };
        let list = headers::entries(&(*req).res.headers);
        let g = &*(*ctx).globalconf;
        let tk = tokens();
        let skip = |name: *const h2o_iovec_t| {
            if is(name, tk.content_length) || is(name, tk.keep_alive) {
                return true;
            }
            // a token is an element of the table: its flags say whether HTTP/2 forbids it
            h2o_iovec_is_token(name) != 0 && (*name.cast::<h2o_token_t>()).flags & flag::H2_REJECT != 0
        };
        let sc = &mut (*conn).scratch;
        sc.names.clear();
        sc.spans.clear();
        for e in list {
            let n = request::bytes(*e.name);
            if n.iter().any(u8::is_ascii_uppercase) {
                let start = sc.names.len();
                sc.names.extend(n.iter().map(u8::to_ascii_lowercase));
                sc.spans.push(Some((start, n.len())));
            } else {
                sc.spans.push(None);
            }
        }
        let st = |b: &[u8]| -> &'static [u8] { std::slice::from_raw_parts(b.as_ptr(), b.len()) };
        let strs = (*ctx)._timestamp_cache.value;
        sc.pairs.push((b"date", st(&(&(*strs).rfc1123)[..29])));
        if g.server_name.len != 0 && !list.iter().any(|e| is(e.name, tk.server)) {
            sc.pairs.push((b"server", st(request::bytes(g.server_name))));
        }
        if let Some(n) = content_length {
            sc.content_length.clear();
            crate::strings::push_decimal(&mut sc.content_length, n as u64);
            sc.pairs.push((b"content-length", st(&sc.content_length)));
        }
        for (e, span) in list.iter().zip(&sc.spans) {
            if skip(e.name) {
                continue;
            }
            let name = match *span {
                Some((at, len)) => st(&sc.names[at..at + len]),
                None => st(request::bytes(*e.name)),
            };
            sc.pairs.push((name, st(request::bytes(e.value))));
        }
        let end_stream = no_body || final_len == Some(0);
        let status = u16::try_from(status).unwrap_or(500);
        (*conn).engine.send_response((*s).id, status, &sc.pairs, end_stream, highest);
        sc.pairs.clear();
        (*s).out = if no_body { Out::NoBody } else { Out::Body };
    }
}

/// The final output stream.
unsafe extern "C" fn do_send(ostr: *mut h2o_ostream_t, req: *mut h2o_req_t, bufs: *mut h2o_iovec_t, bufcnt: usize, state: c_int) {
    // SAFETY: `ostr` is the `ostr` field of a live Stream and `req` its request; `bufs` has
    // `bufcnt` iovecs valid during the call (the engine copies them).
    unsafe {
        let s = ostr.cast::<u8>().sub(offset_of!(Stream, ostr)).cast::<Stream>();
        let conn = (*s).conn;
        if (*conn).closing || (*s).out == Out::Done {
            return;
        }
        request::count_bytes_sent(&mut *req, bufs, bufcnt);
        let body = if bufcnt == 0 { &[][..] } else { std::slice::from_raw_parts(bufs, bufcnt) };
        let total: usize = body.iter().map(|b| b.len).sum();
        let last = state != SEND_STATE_IN_PROGRESS;
        let first = (*s).out == Out::Head;
        if first {
            send_head(s, (state == SEND_STATE_FINAL).then_some(total));
        }
        let mut more = true;
        if (*s).out == Out::Body && !(first && state == SEND_STATE_FINAL && total == 0) {
            let mut slices: [&[u8]; 8] = [&[]; 8];
            let mut v: Vec<&[u8]> = Vec::new();
            let list: &[&[u8]] = if body.len() <= slices.len() {
                for (d, b) in slices.iter_mut().zip(body) {
                    *d = request::bytes(*b);
                }
                &slices[..body.len()]
            } else {
                v.extend(body.iter().map(|b| request::bytes(*b)));
                &v
            };
            more = (*conn).engine.send_data((*s).id, list, state == SEND_STATE_FINAL);
            if state == SEND_STATE_ERROR {
                (*conn).engine.reset_stream((*s).id, ErrorCode::INTERNAL_ERROR);
            }
        }
        if last {
            (*s).out = Out::Done;
            (*req).timestamps[3] = now((*conn).super_.ctx);
            (*conn).finished.push((*s).id);
        } else if more {
            (*s).wait = Wait::AfterWrite;
            (*conn).to_proceed.push((*s).id);
        } else {
            (*s).wait = Wait::WantData;
        }
        super::request_flush(conn);
    }
}

/// `%{http2.stream-id}x`.
pub(super) unsafe extern "C" fn log_stream_id(req: *mut h2o_req_t) -> h2o_iovec_t {
    // SAFETY: `req` is the request of a live Stream (the callback is only installed on our
    // connections, whose requests are all streams').
    unsafe {
        let digits = (*of_req(req)).id.to_string();
        headers::pool_strdup(&mut (*req).pool, digits.as_bytes())
    }
}

/// A log value from the stream's priority (`-` when the engine no longer knows the stream).
///
/// # Safety
/// As [`log_stream_id`].
unsafe fn log_priority(req: *mut h2o_req_t, f: impl FnOnce(&PriorityInfo) -> String) -> h2o_iovec_t {
    // SAFETY: the caller's contract.
    unsafe {
        let s = of_req(req);
        match (*(*s).conn).engine.priority_info((*s).id) {
            Some(p) => headers::pool_strdup(&mut (*req).pool, f(&p).as_bytes()),
            None => h2o_iovec_t::EMPTY,
        }
    }
}

/// `%{http2.priority.received}x`: "exclusive:parent:weight" as the client sent it.
pub(super) unsafe extern "C" fn log_priority_received(req: *mut h2o_req_t) -> h2o_iovec_t {
    // SAFETY: as log_stream_id.
    unsafe { log_priority(req, |p| format!("{}:{}:{}", u8::from(p.received_exclusive), p.received_parent, p.received_weight)) }
}

/// `%{http2.priority.received.exclusive}x`.
pub(super) unsafe extern "C" fn log_priority_received_exclusive(req: *mut h2o_req_t) -> h2o_iovec_t {
    // SAFETY: as log_stream_id.
    unsafe { log_priority(req, |p| u8::from(p.received_exclusive).to_string()) }
}

/// `%{http2.priority.received.parent}x`.
pub(super) unsafe extern "C" fn log_priority_received_parent(req: *mut h2o_req_t) -> h2o_iovec_t {
    // SAFETY: as log_stream_id.
    unsafe { log_priority(req, |p| p.received_parent.to_string()) }
}

/// `%{http2.priority.received.weight}x`.
pub(super) unsafe extern "C" fn log_priority_received_weight(req: *mut h2o_req_t) -> h2o_iovec_t {
    // SAFETY: as log_stream_id.
    unsafe { log_priority(req, |p| p.received_weight.to_string()) }
}

/// `%{http2.priority.actual}x`: "parent:weight" in the scheduler's tree.
pub(super) unsafe extern "C" fn log_priority_actual(req: *mut h2o_req_t) -> h2o_iovec_t {
    // SAFETY: as log_stream_id.
    unsafe { log_priority(req, |p| format!("{}:{}", p.actual_parent, p.actual_weight)) }
}

/// `%{http2.priority.actual.parent}x`.
pub(super) unsafe extern "C" fn log_priority_actual_parent(req: *mut h2o_req_t) -> h2o_iovec_t {
    // SAFETY: as log_stream_id.
    unsafe { log_priority(req, |p| p.actual_parent.to_string()) }
}

/// `%{http2.priority.actual.weight}x`.
pub(super) unsafe extern "C" fn log_priority_actual_weight(req: *mut h2o_req_t) -> h2o_iovec_t {
    // SAFETY: as log_stream_id.
    unsafe { log_priority(req, |p| p.actual_weight.to_string()) }
}

/// The stream of a request of one of our connections.
///
/// # Safety
/// `req` is the request of a live Stream.
pub(super) unsafe fn of_req(req: *mut h2o_req_t) -> *mut Stream {
    // SAFETY: the caller's contract.
    unsafe { req.cast::<u8>().sub(offset_of!(Stream, req)).cast::<Stream>() }
}

/// The connection of a stream.
///
/// # Safety
/// `s` is live.
pub(super) unsafe fn conn_of(s: *mut Stream) -> *mut Conn {
    // SAFETY: the caller's contract.
    unsafe { (*s).conn }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodiless_responses() {
        assert!(bodiless(200, b"HEAD"));
        assert!(bodiless(204, b"GET"));
        assert!(bodiless(304, b"GET"));
        assert!(bodiless(103, b"GET"));
        assert!(!bodiless(200, b"GET"));
        assert!(!bodiless(404, b"POST"));
    }

    #[test]
    fn decimals() {
        for n in [0u64, 7, 10, 100, 16384, 1234567890, u64::MAX] {
            let mut out = b"x".to_vec();
            crate::strings::push_decimal(&mut out, n);
            assert_eq!(out, format!("x{n}").into_bytes());
        }
    }
}
