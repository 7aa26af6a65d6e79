//! The HTTP/1.x server connection: reads requests into `sock->input`, parses them incrementally,
//! fills `h2o_req_t` as 2.2.5 does, runs the handlers and writes the response through the final
//! output stream (status line, Date, Server, Content-Length or chunked or close-delimited framing),
//! one request at a time (pipelined requests wait in the input buffer), keep-alive by default on
//! HTTP/1.1.
//!
//! Ownership: [`accept`] allocates a [`Conn`] (owning the socket and the one live request); it is
//! freed when the connection closes, after the socket. Reading stops while a response is being
//! produced, so a request head and body copied into the request's pool stay put.
//!
//! `http1.req_timeout` bounds the wait for a request (and the keep-alive idle time) and each
//! response write. Chunked request bodies are decoded in place in the input buffer;
//! `Expect: 100-continue` is answered. Not yet (next pieces): h2c upgrade, filters.

use std::ffi::{c_char, c_int};
use std::ptr::null_mut;

use crate::core::{headers, request};
use crate::evloop::timeout as linklist;
use crate::ffi::core::h2o_context_t;
use crate::ffi::evloop::{h2o_linklist_t, h2o_timeout_entry_t};
use crate::ffi::memory::h2o_iovec_t;
use crate::ffi::request::*;
use crate::ffi::socket::{h2o_socket_close, h2o_socket_getpeername, h2o_socket_getsockname, h2o_socket_read_start, h2o_socket_read_stop, h2o_socket_t, h2o_socket_write};
use crate::ffi::url::H2O_URL_SCHEME_HTTP;
use crate::http1::parser::{parse_request, Chunked, ChunkedDecoder, Header, Status};

/// `H2O_MAX_HEADERS` and `H2O_MAX_REQLEN` of h2o.h.
const MAX_HEADERS: usize = 100;
const MAX_REQLEN: usize = 8192 + 4096 * MAX_HEADERS;

/// One HTTP/1 connection. `super_` first: `req.conn` points to it.
#[repr(C)]
pub struct Conn {
    pub super_: h2o_conn_t,
    pub sock: *mut h2o_socket_t,
    /// On the context's `http1._conns` list while open.
    link: h2o_linklist_t,
    /// On the context's `http1.req_timeout` while waiting for a request (head and body) or for a
    /// response write to complete: a slow client is closed when it fires.
    timeout: h2o_timeout_entry_t,
    /// The final output stream of the live request (`req._ostr_top`).
    pub ostr: h2o_ostream_t,
    pub req: h2o_req_t,
    /// Input length at the last incomplete parse (the parser's `last_len`).
    last_len: usize,
    /// A request has been parsed and its response is not done yet.
    in_request: bool,
    sent_headers: bool,
    chunked: bool,
    head_only: bool,
    final_sent: bool,
    write_in_flight: bool,
    /// Requests served on this connection.
    requests: u64,
    /// A chunked request body being decoded in place in `sock->input`, after the head: the decoder
    /// and how many decoded bytes follow the head so far.
    chunked_in: Option<(ChunkedDecoder, usize)>,
    /// The decoded length of a chunked body that is complete (the request is then handled as if it
    /// had that Content-Length).
    chunked_body: Option<usize>,
    /// "100 Continue" was sent for the request being read (Expect: 100-continue).
    continue_sent: bool,
    /// The "100 Continue" write is in flight; a response write waits in `pending_write`.
    continue_in_flight: bool,
    pending_write: Option<Vec<h2o_iovec_t>>,
}

static CALLBACKS: h2o_conn_callbacks_t = h2o_conn_callbacks_t {
    get_sockname: Some(get_sockname),
    get_peername: Some(get_peername),
    push_path: std::ptr::null(),
    get_socket: Some(get_socket),
    get_debug_state: std::ptr::null(),
    log_: [std::ptr::null(); 14],
};

unsafe extern "C" fn get_sockname(conn: *mut h2o_conn_t, sa: *mut libc::sockaddr) -> libc::socklen_t {
    // SAFETY: `conn` is the head of a live Conn (these callbacks are only installed on ours).
    unsafe { h2o_socket_getsockname((*conn.cast::<Conn>()).sock, sa) }
}

unsafe extern "C" fn get_peername(conn: *mut h2o_conn_t, sa: *mut libc::sockaddr) -> libc::socklen_t {
    // SAFETY: as get_sockname.
    unsafe { h2o_socket_getpeername((*conn.cast::<Conn>()).sock, sa) }
}

unsafe extern "C" fn get_socket(conn: *mut h2o_conn_t) -> *mut h2o_socket_t {
    // SAFETY: as get_sockname.
    unsafe { (*conn.cast::<Conn>()).sock }
}

/// Takes over `sock` for HTTP/1 (plain) or, for a TLS accept context, logs that TLS is not
/// available yet and closes it.
///
/// # Safety
/// As `h2o_accept`.
pub unsafe fn accept(actx: &h2o_accept_ctx_t, sock: *mut h2o_socket_t) {
    let mut connected_at = libc::timeval { tv_sec: 0, tv_usec: 0 };
    // SAFETY: a valid out-pointer.
    unsafe {
        libc::gettimeofday(&mut connected_at, null_mut());
        accept_at(actx, sock, connected_at)
    }
}

/// [`accept`] with the time the connection was accepted (`h2o_http1_accept`).
///
/// # Safety
/// As `h2o_accept`.
pub unsafe fn accept_at(actx: &h2o_accept_ctx_t, sock: *mut h2o_socket_t, connected_at: libc::timeval) {
    // SAFETY: the caller's contract throughout.
    unsafe {
        if !actx.ssl_ctx.is_null() {
            eprintln!("libh2o-rs: h2o_accept: TLS (accept_ctx.ssl_ctx) is not supported yet; closing the connection");
            h2o_socket_close(sock);
            return;
        }
        let ctx = actx.ctx;
        let hosts = if actx.hosts.is_null() { (*(*ctx).globalconf).hosts } else { actx.hosts };
        let id = crate::ffi::core::h2o_connection_id.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        let conn = Box::into_raw(Box::new(Conn {
            super_: h2o_conn_t { ctx, hosts, connected_at, id, callbacks: &CALLBACKS },
            sock,
            link: h2o_linklist_t { next: null_mut(), prev: null_mut() },
            timeout: h2o_timeout_entry_t {
                registered_at: 0,
                cb: Some(on_timeout),
                _link: h2o_linklist_t { next: null_mut(), prev: null_mut() },
            },
            ostr: h2o_ostream_t { next: null_mut(), do_send: Some(do_send), stop: None, start_pull: std::ptr::null() },
            req: std::mem::zeroed(),
            last_len: 0,
            in_request: false,
            sent_headers: false,
            chunked: false,
            head_only: false,
            final_sent: false,
            write_in_flight: false,
            requests: 0,
            chunked_in: None,
            chunked_body: None,
            continue_sent: false,
            continue_in_flight: false,
            pending_write: None,
        }));
        (*sock).data = conn.cast();
        linklist::insert(&raw mut (*ctx).http1_conns, &raw mut (*conn).link);
        init_request(conn);
        arm_timeout(conn);
        h2o_socket_read_start(sock, Some(on_read));
        if (*(*sock).input).size != 0 {
            handle_incoming(conn);
        }
    }
}

/// Resets the live request for the next one.
///
/// # Safety
/// `conn` is live and has no request in progress.
unsafe fn init_request(conn: *mut Conn) {
    // SAFETY: the caller's contract; the previous request (or the all-zero one of a new Conn) is
    // disposed of (its loggers run there) and a new one initialized in its place.
    unsafe {
        let c = &mut *conn;
        request::dispose_request(&mut c.req);
        request::init_request(&mut c.req, &raw mut c.super_, std::ptr::null());
        let r = &mut c.req;
        r.input.query_at = usize::MAX;
        r.query_at = usize::MAX;
        r._ostr_top = &raw mut c.ostr;
        c.last_len = 0;
        c.in_request = false;
        c.sent_headers = false;
        c.chunked = false;
        c.head_only = false;
        c.final_sent = false;
        c.chunked_in = None;
        c.chunked_body = None;
        c.continue_sent = false;
    }
}

unsafe extern "C" fn on_read(sock: *mut h2o_socket_t, err: *const c_char) {
    // SAFETY: `data` is our Conn while the socket is open.
    unsafe {
        let conn = (*sock).data.cast::<Conn>();
        if !err.is_null() {
            close(conn);
            return;
        }
        handle_incoming(conn);
    }
}

/// What the head says about the body.
enum Body {
    None,
    Length(usize),
    Chunked,
}

/// Parses what is in the input buffer; on a complete request (head and body), sets it up and runs
/// the handlers.
///
/// # Safety
/// `conn` is live with no request in progress.
unsafe fn handle_incoming(conn: *mut Conn) {
    // SAFETY: the caller's contract; the input buffer is the socket's.
    unsafe {
        let c = &mut *conn;
        if c.in_request {
            return;
        }
        let input = (*c.sock).input;
        let avail = (*input).size;
        let buf: &[u8] = if avail == 0 { &[] } else { std::slice::from_raw_parts((*input).bytes.cast::<u8>(), avail) };
        let mut hdrs = [Header::default(); MAX_HEADERS];
        let parsed = parse_request(buf, &mut hdrs, c.last_len);
        let req_head = match parsed {
            Ok(Status::Complete(r)) => r,
            Ok(Status::Partial) => {
                if avail >= MAX_REQLEN {
                    return bad_request(conn, c"Bad Request", c"line too long");
                }
                c.last_len = avail;
                return;
            }
            Err(_) => return bad_request(conn, c"Bad Request", c"line incomplete"),
        };
        let head_len = req_head.head_len;
        let nh = req_head.num_headers;
        // What the head says about the body and the connection.
        let (mut cl, mut te, mut conn_hdr, mut expect) = (None::<&[u8]>, None::<&[u8]>, None::<&[u8]>, None::<&[u8]>);
        let mut cl_conflict = false;
        for h in &hdrs[..nh] {
            let Some(name) = h.name else { continue };
            if name.eq_ignore_ascii_case(b"content-length") {
                if cl.is_some_and(|v| v != h.value) {
                    cl_conflict = true;
                }
                cl = Some(h.value);
            } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
                te = Some(h.value);
            } else if name.eq_ignore_ascii_case(b"connection") {
                conn_hdr = Some(h.value);
            } else if name.eq_ignore_ascii_case(b"expect") {
                expect = Some(h.value);
            }
        }
        let body = match (cl, te) {
            (None, Some(_)) if c.chunked_body.is_some() => Body::Length(c.chunked_body.unwrap_or(0)),
            (Some(_), Some(_)) => return bad_request(conn, c"Bad Request", c"both Content-Length and Transfer-Encoding"),
            (None, Some(t)) if t.eq_ignore_ascii_case(b"chunked") => Body::Chunked,
            (None, Some(_)) => return bad_request(conn, c"Bad Request", c"unknown Transfer-Encoding"),
            (Some(_), None) if cl_conflict => return bad_request(conn, c"Bad Request", c"conflicting Content-Length"),
            (Some(v), None) => match parse_length(v) {
                Some(0) => Body::None,
                Some(n) => Body::Length(n),
                None => return bad_request(conn, c"Bad Request", c"invalid Content-Length"),
            },
            (None, None) => Body::None,
        };
        let max_entity = (*(*c.super_.ctx).globalconf).max_request_entity_size;
        let wants_continue = req_head.minor_version >= 1 && expect.is_some_and(|v| v.eq_ignore_ascii_case(b"100-continue"));
        if wants_continue && !c.continue_sent && !matches!(body, Body::None) && c.chunked_body.is_none() {
            let too_large = matches!(body, Body::Length(n) if n > max_entity);
            let complete = matches!(body, Body::Length(n) if avail >= head_len + n);
            if !too_large && !complete {
                send_continue(conn);
            }
        }
        let body_len = match body {
            Body::None => 0,
            Body::Length(n) if n > max_entity => {
                return send_simple_error(conn, 413, c"Request Entity Too Large", c"request entity is too large", true);
            }
            Body::Length(n) => n,
            Body::Chunked => return decode_chunked_body(conn, head_len, max_entity),
        };
        if avail < head_len + body_len {
            c.last_len = 0; // the head is complete; re-parsed (cheaply) when more body arrives
            return;
        }
        // A complete request: copy head and body into the pool, then fill the request.
        c.in_request = true;
        h2o_socket_read_stop(c.sock);
        disarm_timeout(conn);
        let r = &mut c.req;
        let copy = headers::pool_strdup(&mut r.pool, &buf[..head_len + body_len]);
        let base = buf.as_ptr();
        let map = |s: &[u8]| -> h2o_iovec_t {
            if s.is_empty() {
                return h2o_iovec_t { base: copy.base, len: 0 };
            }
            let off = s.as_ptr().offset_from(base) as usize;
            h2o_iovec_t { base: copy.base.add(off), len: s.len() }
        };
        let version = 0x100 | req_head.minor_version as c_int;
        r.version = version;
        r.method = map(req_head.method);
        r.input.method = r.method;
        let mut path = map(req_head.path);
        let mut authority = h2o_iovec_t { base: copy.base, len: 0 };
        // absolute-form: take authority and path from the target
        let target = req_head.path;
        for scheme in [&b"http://"[..], b"https://"] {
            if target.len() > scheme.len() && target[..scheme.len()].eq_ignore_ascii_case(scheme) {
                let rest = &target[scheme.len()..];
                let end = rest.iter().position(|&b| b == b'/' || b == b'?').unwrap_or(rest.len());
                authority = map(&rest[..end]);
                path = if end == rest.len() { h2o_iovec_t { base: c"/".as_ptr().cast_mut(), len: 1 } } else { map(&rest[end..]) };
                break;
            }
        }
        // headers (names lower-cased in the pool copy; original case kept as orig_name)
        for h in &hdrs[..nh] {
            let Some(name) = h.name else { continue };
            let n = map(name);
            let orig = headers::pool_strdup(&mut r.pool, name);
            let lower = std::slice::from_raw_parts_mut(n.base.cast::<u8>(), n.len);
            lower.make_ascii_lowercase();
            let v = map(h.value);
            match headers::lookup_token(lower) {
                Some(t) => {
                    if authority.len == 0 && lower == b"host" {
                        authority = v;
                    }
                    if lower == b"upgrade" {
                        r.upgrade = v;
                    }
                    headers::add(&mut r.pool, &mut r.headers, t.cast_mut().cast(), orig.base, v);
                }
                None => {
                    let name_iov = headers::pool_name(&mut r.pool, n.base, n.len);
                    headers::add(&mut r.pool, &mut r.headers, name_iov, orig.base, v);
                }
            }
        }
        r.path = path;
        r.input.path = path;
        let (normalized, query_at, norm_indexes) = crate::ffi::url::normalize_path_in_pool(&mut r.pool, request::bytes(path));
        r.query_at = query_at;
        r.input.query_at = query_at;
        r.path_normalized = normalized;
        r.norm_indexes = norm_indexes;
        r.authority = authority;
        r.input.authority = authority;
        r.scheme = &H2O_URL_SCHEME_HTTP;
        r.input.scheme = r.scheme;
        if body_len != 0 {
            r.entity = h2o_iovec_t { base: copy.base.add(head_len), len: body_len };
        }
        // keep-alive
        let persistent = match (version, conn_hdr) {
            (_, Some(v)) if crate::strings::contains_token(v, b"close", b',') => false,
            (0x100, Some(v)) => crate::strings::contains_token(v, b"keep-alive", b','),
            (0x100, None) => false,
            _ => true,
        };
        if persistent {
            r.flags |= REQ_FLAG_PERSISTENT;
        }
        c.head_only = req_head.method == b"HEAD";
        r.processed_at = request::timestamp(c.super_.ctx, &mut r.pool);
        r.timestamps[0] = r.processed_at.at;
        let consumed = head_len + body_len;
        crate::buffer::consume(&mut (*c.sock).input, consumed);
        c.requests += 1;
        // configuration
        r.hostconf = request::select_host(c.super_.hosts, request::bytes(authority), 80);
        r.pathconf = if r.hostconf.is_null() { null_mut() } else { request::select_path(r.hostconf, request::bytes(r.path_normalized)) };
        request::process(&mut c.req);
    }
}

/// Decodes what has arrived of a chunked request body in place (after the `head_len` bytes of the
/// head); once complete, handles the request with the decoded body.
///
/// # Safety
/// `conn` is live with no request in progress; its input starts with a complete request head of
/// `head_len` bytes whose Transfer-Encoding is chunked. No reference into the input is alive.
unsafe fn decode_chunked_body(conn: *mut Conn, head_len: usize, max_entity: usize) {
    // SAFETY: the caller's contract; the bytes after head + decoded are ours to rewrite (the
    // decoder compacts them in place) and the buffer's size is lowered to what remains.
    unsafe {
        let c = &mut *conn;
        let input = (*c.sock).input;
        let (mut dec, done) = c.chunked_in.take().unwrap_or((ChunkedDecoder::new(true), 0));
        let start = head_len + done;
        let raw = std::slice::from_raw_parts_mut((*input).bytes.cast::<u8>().add(start), (*input).size - start);
        match dec.decode(raw) {
            Err(_) => bad_request(conn, c"Bad Request", c"invalid chunked encoding"),
            Ok(Chunked::Partial { decoded }) => {
                (*input).size = start + decoded;
                if done + decoded > max_entity {
                    return send_simple_error(conn, 413, c"Request Entity Too Large", c"request entity is too large", true);
                }
                c.chunked_in = Some((dec, done + decoded));
                c.last_len = 0;
            }
            Ok(Chunked::Complete { decoded, rest }) => {
                (*input).size = start + decoded + rest;
                if done + decoded > max_entity {
                    return send_simple_error(conn, 413, c"Request Entity Too Large", c"request entity is too large", true);
                }
                c.chunked_body = Some(done + decoded);
                handle_incoming(conn);
            }
        }
    }
}

/// Sends "100 Continue" (once per request) while its body is awaited.
///
/// # Safety
/// `conn` is live, reading a request; no write is in flight.
unsafe fn send_continue(conn: *mut Conn) {
    // SAFETY: the caller's contract; the bytes are static.
    unsafe {
        let c = &mut *conn;
        c.continue_sent = true;
        c.continue_in_flight = true;
        let msg = b"HTTP/1.1 100 Continue\r\n\r\n";
        let mut iov = h2o_iovec_t { base: msg.as_ptr() as *mut c_char, len: msg.len() };
        h2o_socket_write(c.sock, &mut iov, 1, Some(on_continue_written));
    }
}

unsafe extern "C" fn on_continue_written(sock: *mut h2o_socket_t, err: *const c_char) {
    // SAFETY: `data` is our Conn while the socket is open.
    unsafe {
        let conn = (*sock).data.cast::<Conn>();
        (*conn).continue_in_flight = false;
        if !err.is_null() {
            close(conn);
            return;
        }
        if let Some(mut iov) = (*conn).pending_write.take() {
            h2o_socket_write(sock, iov.as_mut_ptr(), iov.len(), Some(on_write_complete));
        }
    }
}

/// A Content-Length value: digits only, no overflow.
fn parse_length(v: &[u8]) -> Option<usize> {
    if v.is_empty() || v.len() > 18 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(v.iter().fold(0usize, |n, &d| n * 10 + (d - b'0') as usize))
}

/// Answers a request that could not be parsed with 400 and closes the connection after it.
///
/// # Safety
/// `conn` is live with no request in progress.
unsafe fn bad_request(conn: *mut Conn, reason: &'static std::ffi::CStr, body: &'static std::ffi::CStr) {
    // SAFETY: the caller's contract.
    unsafe { send_simple_error(conn, 400, reason, body, true) }
}

/// Sends an error response for the request being read (before handlers ran) and closes after it.
///
/// # Safety
/// `conn` is live with no request in progress.
unsafe fn send_simple_error(conn: *mut Conn, status: c_int, reason: &'static std::ffi::CStr, body: &'static std::ffi::CStr, close_after: bool) {
    // SAFETY: the caller's contract.
    unsafe {
        let c = &mut *conn;
        c.in_request = true;
        h2o_socket_read_stop(c.sock);
        disarm_timeout(conn);
        if c.req.version == 0 {
            c.req.version = 0x101;
        }
        c.req.method = h2o_iovec_t { base: c"GET".as_ptr().cast_mut(), len: 3 };
        c.req.processed_at = request::timestamp(c.super_.ctx, &mut c.req.pool);
        request::count_error(&mut *c.super_.ctx, status);
        request::send_error(&mut c.req, status, reason.as_ptr(), body.as_ptr(), if close_after { 1 } else { 0 });
    }
}

fn status_allows_body(status: c_int) -> bool {
    !(100..200).contains(&status) && status != 204 && status != 304
}

/// Builds the response head into a new Vec (status line, Date, Server, Connection, framing, the
/// response headers) and decides the body framing.
///
/// # Safety
/// `conn` is live with a request in progress.
unsafe fn build_head(conn: &mut Conn) -> Vec<u8> {
    // SAFETY: the caller's contract; header names and values are valid iovecs.
    unsafe {
        let r = &mut conn.req;
        let status = r.res.status;
        let reason: &[u8] = if r.res.reason.is_null() { b"" } else { std::ffi::CStr::from_ptr(r.res.reason).to_bytes() };
        let mut h = Vec::with_capacity(256);
        h.extend_from_slice(format!("HTTP/1.1 {status} ").as_bytes());
        h.extend_from_slice(reason);
        h.extend_from_slice(b"\r\n");
        let ts = request::timestamp(conn.super_.ctx, &mut r.pool);
        let date = &(*ts.str_).rfc1123;
        h.extend_from_slice(b"date: ");
        h.extend_from_slice(&date[..29]);
        h.extend_from_slice(b"\r\n");
        let server_tok = headers::lookup_token(b"server").expect("server token");
        let list = headers::entries(&r.res.headers);
        let g = &*(*conn.super_.ctx).globalconf;
        if g.server_name.len != 0 && !list.iter().any(|e| std::ptr::eq(e.name, server_tok.cast())) {
            h.extend_from_slice(b"server: ");
            h.extend_from_slice(request::bytes(g.server_name));
            h.extend_from_slice(b"\r\n");
        }
        let body_allowed = status_allows_body(status);
        conn.chunked = false;
        let mut persistent = r.flags & REQ_FLAG_PERSISTENT != 0;
        let mut framing = Vec::new();
        if body_allowed {
            if r.res.content_length != usize::MAX {
                framing.extend_from_slice(format!("content-length: {}\r\n", r.res.content_length).as_bytes());
            } else if conn.head_only {
                // no body follows; nothing to frame
            } else if r.version >= 0x101 {
                conn.chunked = true;
                framing.extend_from_slice(b"transfer-encoding: chunked\r\n");
            } else {
                persistent = false; // HTTP/1.0: the end of the body is the end of the connection
            }
        }
        if !persistent {
            r.flags &= !REQ_FLAG_PERSISTENT;
        }
        if !persistent {
            h.extend_from_slice(b"connection: close\r\n");
        } else if r.version < 0x101 {
            h.extend_from_slice(b"connection: keep-alive\r\n");
        }
        h.extend_from_slice(&framing);
        const SKIP: [&[u8]; 3] = [b"connection", b"content-length", b"transfer-encoding"];
        let skip: Vec<*const h2o_iovec_t> = SKIP.iter().filter_map(|n| headers::lookup_token(n)).map(|t| t.cast::<h2o_iovec_t>()).collect();
        for e in list {
            if skip.iter().any(|&s| std::ptr::eq(e.name, s)) {
                continue;
            }
            let name = if e.orig_name.is_null() {
                request::bytes(*e.name)
            } else {
                std::slice::from_raw_parts(e.orig_name.cast::<u8>(), (*e.name).len)
            };
            h.extend_from_slice(name);
            h.extend_from_slice(b": ");
            h.extend_from_slice(request::bytes(e.value));
            h.extend_from_slice(b"\r\n");
        }
        h.extend_from_slice(b"\r\n");
        h
    }
}

/// The final output stream: serializes the head on the first call, frames the body, writes.
unsafe extern "C" fn do_send(ostr: *mut h2o_ostream_t, req: *mut h2o_req_t, bufs: *mut h2o_iovec_t, bufcnt: usize, state: c_int) {
    // SAFETY: `ostr` is the `ostr` field of a live Conn; `req` its request; `bufs` has `bufcnt`
    // iovecs valid until the write completes (the h2o_send contract).
    unsafe {
        let conn = ostr.cast::<u8>().sub(std::mem::offset_of!(Conn, ostr)).cast::<Conn>();
        let c = &mut *conn;
        debug_assert!(std::ptr::eq(req, &raw mut c.req));
        assert!(!c.write_in_flight, "h2o_send called again before the generator's proceed");
        request::count_bytes_sent(&mut c.req, bufs, bufcnt);
        let mut iov: Vec<h2o_iovec_t> = Vec::with_capacity(bufcnt * 3 + 2);
        if !c.sent_headers {
            c.sent_headers = true;
            if c.req.res.status == 0 {
                c.req.res.status = 200;
            }
            let head = build_head(c);
            iov.push(headers::pool_strdup(&mut c.req.pool, &head));
        }
        let body_allowed = !c.head_only && status_allows_body(c.req.res.status);
        if body_allowed {
            for i in 0..bufcnt {
                let b = *bufs.add(i);
                if b.len == 0 {
                    continue;
                }
                if c.chunked {
                    iov.push(headers::pool_strdup(&mut c.req.pool, format!("{:x}\r\n", b.len).as_bytes()));
                    iov.push(b);
                    iov.push(h2o_iovec_t { base: c"\r\n".as_ptr().cast_mut(), len: 2 });
                } else {
                    iov.push(b);
                }
            }
            if c.chunked && state == SEND_STATE_FINAL {
                iov.push(h2o_iovec_t { base: c"0\r\n\r\n".as_ptr().cast_mut(), len: 5 });
            }
        }
        if state == SEND_STATE_ERROR {
            c.req.flags &= !REQ_FLAG_PERSISTENT;
        }
        c.final_sent = state != SEND_STATE_IN_PROGRESS;
        c.write_in_flight = true;
        arm_timeout(conn);
        if c.continue_in_flight {
            c.pending_write = Some(iov); // goes out once "100 Continue" has
            return;
        }
        h2o_socket_write(c.sock, iov.as_mut_ptr(), iov.len(), Some(on_write_complete));
    }
}

unsafe extern "C" fn on_write_complete(sock: *mut h2o_socket_t, err: *const c_char) {
    // SAFETY: `data` is our Conn while the socket is open.
    unsafe {
        let conn = (*sock).data.cast::<Conn>();
        (*conn).write_in_flight = false;
        disarm_timeout(conn);
        if !err.is_null() {
            close(conn);
            return;
        }
        if (*conn).final_sent {
            finish_request(conn);
            return;
        }
        let req = &raw mut (*conn).req;
        let g = (*req)._generator;
        if let Some(proceed) = g.as_ref().and_then(|g| g.proceed) {
            proceed(g, req);
        }
    }
}

/// The response is out: log it, then close or start on the next request.
///
/// # Safety
/// `conn` is live and its response is complete.
unsafe fn finish_request(conn: *mut Conn) {
    // SAFETY: the caller's contract; loggers are valid modules of the pathconf.
    unsafe {
        let c = &mut *conn;
        let mut tv = libc::timeval { tv_sec: 0, tv_usec: 0 };
        libc::gettimeofday(&mut tv, null_mut());
        c.req.timestamps[3] = tv;
        // the loggers run when the request is disposed of (init_request below, or close)
        let persistent = c.req.flags & REQ_FLAG_PERSISTENT != 0 && (*c.super_.ctx).shutdown_requested == 0;
        if !persistent {
            close(conn);
            return;
        }
        init_request(conn);
        arm_timeout(conn);
        h2o_socket_read_start(c.sock, Some(on_read));
        if (*(*c.sock).input).size != 0 {
            handle_incoming(conn);
        }
    }
}

/// Closes the connection: stops a running generator, frees the request and the connection.
///
/// # Safety
/// `conn` is live; it is freed here and not used afterwards.
unsafe fn close(conn: *mut Conn) {
    // SAFETY: the caller's contract.
    unsafe {
        let c = &mut *conn;
        // stops a running generator and filters, runs the loggers of a request in progress
        request::dispose_request(&mut c.req);
        (*c.sock).data = null_mut();
        linklist::unlink(&raw mut c.link);
        disarm_timeout(conn);
        h2o_socket_close(c.sock);
        drop(Box::from_raw(conn));
    }
}

/// Links the connection's timeout entry to `http1.req_timeout` (afresh).
///
/// # Safety
/// `conn` is live.
unsafe fn arm_timeout(conn: *mut Conn) {
    // SAFETY: the caller's contract; the entry stays in place inside the boxed Conn.
    unsafe {
        let ctx = (*conn).super_.ctx;
        disarm_timeout(conn);
        crate::evloop::timeout::link((*ctx).loop_, &raw mut (*ctx).http1_req_timeout, &raw mut (*conn).timeout);
    }
}

/// Unlinks the connection's timeout entry if linked.
///
/// # Safety
/// `conn` is live.
unsafe fn disarm_timeout(conn: *mut Conn) {
    // SAFETY: the caller's contract.
    unsafe { crate::evloop::timeout::unlink_entry(&raw mut (*conn).timeout) }
}

/// `http1.req_timeout` fired: the client was too slow sending a request or taking a response.
unsafe extern "C" fn on_timeout(entry: *mut h2o_timeout_entry_t) {
    // SAFETY: the entry is the `timeout` field of a live Conn (closing unlinks it).
    unsafe {
        let conn = entry.cast::<u8>().sub(std::mem::offset_of!(Conn, timeout)).cast::<Conn>();
        close(conn);
    }
}

/// The open connections of `ctx` (a snapshot: callers may close them).
///
/// # Safety
/// `ctx` is an initialized context.
unsafe fn conns_of(ctx: *mut h2o_context_t) -> Vec<*mut Conn> {
    let mut out = Vec::new();
    // SAFETY: the list holds the `link` fields of live Conns.
    unsafe {
        let anchor = &raw mut (*ctx).http1_conns;
        let mut n = (*anchor).next;
        while !n.is_null() && n != anchor {
            out.push(n.cast::<u8>().sub(std::mem::offset_of!(Conn, link)).cast::<Conn>());
            n = (*n).next;
        }
    }
    out
}

/// `H2O_HTTP1_CALLBACKS.request_shutdown`: closes idle connections now; the others close once
/// their response is done (`finish_request` checks `shutdown_requested`).
///
/// # Safety
/// `ctx` is an initialized context.
pub unsafe extern "C" fn request_shutdown(ctx: *mut h2o_context_t) {
    // SAFETY: the caller's contract; every listed connection is live until closed here.
    unsafe {
        for conn in conns_of(ctx) {
            if (*conn).in_request {
                (*conn).req.flags &= !REQ_FLAG_PERSISTENT;
            } else {
                close(conn);
            }
        }
    }
}

/// `H2O_HTTP1_CALLBACKS.foreach_request`: calls `cb` on each request in progress until it
/// returns non-zero, and returns that value (0 when all returned 0).
///
/// # Safety
/// `ctx` is an initialized context; `cb` does not close connections.
pub unsafe extern "C" fn foreach_request(
    ctx: *mut h2o_context_t,
    cb: Option<unsafe extern "C" fn(*mut h2o_req_t, *mut std::ffi::c_void) -> c_int>,
    cbdata: *mut std::ffi::c_void,
) -> c_int {
    // SAFETY: the caller's contract.
    unsafe {
        let Some(cb) = cb else { return 0 };
        for conn in conns_of(ctx) {
            if (*conn).in_request {
                let r = cb(&raw mut (*conn).req, cbdata);
                if r != 0 {
                    return r;
                }
            }
        }
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_length_values() {
        assert_eq!(parse_length(b"0"), Some(0));
        assert_eq!(parse_length(b"123"), Some(123));
        assert_eq!(parse_length(b""), None);
        assert_eq!(parse_length(b"-1"), None);
        assert_eq!(parse_length(b"1 2"), None);
        assert_eq!(parse_length(b"9999999999999999999"), None);
    }
}
