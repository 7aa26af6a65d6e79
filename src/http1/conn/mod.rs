//! The HTTP/1.x server connection, as 2.2.5's `lib/http1.c` behaves: one request at a time,
//! pipelined requests waiting in the socket's input buffer, keep-alive by default on HTTP/1.1.
//!
//! ```text
//!   accept ─► Head ─(head parsed, no body)──────────────────────► Response ─(final write done)─► Head
//!              │  └─(body)─► Body ─(complete)─────────────────────▲    │        (keep-alive)
//!              │              └─(Expect: 100-continue)─► Continue ─┘    └─► closed (Connection: close,
//!              └─(cannot parse)─► Closing: 2.2.5's fixed "400 Bad Request", then closed     shutdown)
//! ```
//!
//! - Reading: bytes land in `sock->input`; the head is parsed where it lies (`last_len` makes a
//!   trickled head cheap). A body is decoded in place after the head (chunked), so once a request
//!   is complete its head and body sit unmoved in the buffer: `h2o_req_t` points into it (no copy)
//!   while reading is stopped, and the bytes are consumed only after the response.
//! - Framing rules and refusals (smuggling shapes) are in [`head`]; a head that cannot be parsed,
//!   has more than `H2O_MAX_HEADERS` lines or exceeds `H2O_MAX_REQLEN` gets 2.2.5's fixed
//!   400 response; refused framing, 413 and 417 go through `h2o_send_error_generic`; all close the
//!   connection after the response. Responses already queued for earlier pipelined requests are
//!   complete by then (requests are taken one after the other).
//! - Writing: the final output stream ([`do_send`]) writes the head ([`writer`]) and the body of one
//!   `h2o_send` call with one `h2o_socket_write` (one `sendmsg`); bodies are framed by
//!   Content-Length (known, or computed when the first send is the last), chunked (HTTP/1.1) or the
//!   end of the connection (HTTP/1.0).
//! - `http1.req_timeout` bounds the wait for a whole request (head and body, armed once when the
//!   connection starts waiting: bytes trickling in do not re-arm it), the keep-alive idle time,
//!   and each response write.
//! - Graceful shutdown closes idle connections at once; busy ones answer with `Connection: close`
//!   (when their head is not out yet) and close after the response.
//! - `h2o_http1_upgrade` hands the socket to the caller after a 101-style head; `Upgrade: h2c`
//!   ([`upgrade_to_h2c`]) and a connection starting with the HTTP/2 preface
//!   ([`accept_http2_preface`]) are handed to the HTTP/2 server (`crate::http2::conn`).
//!
//! Ownership: [`accept_at`] allocates a [`Conn`] (owning the socket and its one request); [`close`]
//! frees it.

mod head;
mod writer;

use std::ffi::{c_char, c_int, c_void, CStr};
use std::ptr::null_mut;

use crate::core::{headers, request};
use crate::evloop::socket::{self as evsock, Socket};
use crate::evloop::timeout as tmo;
use crate::abi::core::{h2o_context_t, h2o_header_t};
use crate::abi::evloop::{h2o_linklist_t, h2o_timeout_entry_t};
use crate::abi::memory::h2o_iovec_t;
use crate::abi::request::*;
use crate::abi::socket::h2o_socket_t;
use crate::abi::url::H2O_URL_SCHEME_HTTP;
use crate::http1::parser::{parse_request, Chunked, ChunkedDecoder, Header, Request, Status};
use crate::mem;
use head::{Framing, Special};

/// The HTTP/1 layer's protocol callbacks: `request_shutdown` (idle connections close at once,
/// busy ones after their response) and `foreach_request` (each request in progress). The exported
/// `H2O_HTTP1_CALLBACKS` holds them; `h2o_config_init` copies them into
/// `globalconf.http1.callbacks`, as 2.2.5 does.
pub const PROTOCOL_CALLBACKS: h2o_protocol_callbacks_t =
    h2o_protocol_callbacks_t { request_shutdown: Some(request_shutdown), foreach_request: Some(foreach_request) };

/// `H2O_MAX_HEADERS` and `H2O_MAX_REQLEN` of h2o.h.
const MAX_HEADERS: usize = 100;
const MAX_REQLEN: usize = 8192 + 4096 * MAX_HEADERS;

/// What 2.2.5 answers, byte for byte, to a head it cannot parse (too long or too many lines
/// included); no Date or Server, not logged.
static BAD_REQUEST: &[u8] =
    b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: 11\r\n\r\nBad Request";
static CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";
static CRLF: &[u8] = b"\r\n";
static LAST_CHUNK: &[u8] = b"0\r\n\r\n";
static CRLF_LAST_CHUNK: &[u8] = b"\r\n0\r\n\r\n";

/// `h2o_http1_upgrade_cb`.
pub type UpgradeCb = Option<unsafe extern "C" fn(*mut c_void, *mut h2o_socket_t, usize)>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Waiting for (the rest of) a request head.
    Head,
    /// The head is in; waiting for the body.
    Body,
    /// "100 Continue" is being written; reading resumes once it is out.
    Continue,
    /// The request is with the handlers, its response being produced; reading is stopped.
    Response,
    /// The fixed 400 is being written; the connection closes after it.
    Closing,
    /// An error response went out before the request was read whole: our side is shut down for
    /// writing and what the client still sends is read and dropped until it closes (or the request
    /// timeout fires), so that its upload does not run into a reset and lose the response.
    Lingering,
}

/// How the response body goes on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Out {
    /// No body bytes (HEAD, 1xx, 204, 304): whatever the handler sends is dropped.
    NoBody,
    Length,
    Chunked,
    /// Until the connection closes (HTTP/1.0 without a length).
    Close,
}

/// A request body being received.
struct BodyReader {
    head_len: usize,
    framing: Framing,
    decoder: ChunkedDecoder,
    /// Chunked: decoded bytes so far (right after the head).
    decoded: usize,
    /// `Expect: 100-continue` was asked for.
    wants_continue: bool,
}

/// One HTTP/1 connection. `super_` first: `req.conn` points to it.
#[repr(C)]
pub struct Conn {
    pub super_: h2o_conn_t,
    /// NULL once handed over by `h2o_http1_upgrade`.
    pub sock: *mut h2o_socket_t,
    /// On the context's `http1._conns` list.
    link: h2o_linklist_t,
    /// On `http1.req_timeout` while waiting for a request or for a write to complete.
    timeout: h2o_timeout_entry_t,
    /// The final output stream (`req._ostr_top` unless filters stand in front of it).
    ostr: h2o_ostream_t,
    state: State,
    /// Requests started on this connection (the access log's `%{http1.request-index}x`).
    req_index: u64,
    /// Input length at the last incomplete parse (the parser's `last_len`).
    prev_len: usize,
    /// Bytes of the current request (head and decoded body) at the start of the input; consumed
    /// once its response is done.
    reqsize: usize,
    body: Option<BodyReader>,
    sent_head: bool,
    out: Out,
    final_sent: bool,
    write_in_flight: bool,
    /// Reused for every response head.
    head_buf: Vec<u8>,
    /// An informational (1xx) response being written; a send meanwhile waits in `deferred`.
    interim: Vec<u8>,
    interim_in_flight: bool,
    deferred: Option<(*mut h2o_iovec_t, usize, c_int)>,
    /// Reused for every write's iovecs.
    iov: Vec<h2o_iovec_t>,
    chunk_line: [u8; 20],
    /// `h2o_http1_upgrade`: called once the head is out.
    upgrade: Option<(UpgradeCb, *mut c_void)>,
    /// The response answers a request not read whole (refused head or body): linger after it.
    linger: bool,
    pub req: h2o_req_t,
}

static CALLBACKS: h2o_conn_callbacks_t = h2o_conn_callbacks_t {
    get_sockname: Some(get_sockname),
    get_peername: Some(get_peername),
    push_path: None,
    get_socket: Some(get_socket),
    get_debug_state: std::ptr::null(),
    log_: log_callbacks(),
};

/// `log_`: the TLS ones (0-4, none without TLS), `http1.request_index` (5), the HTTP/2 ones.
const fn log_callbacks() -> [*const c_void; 14] {
    let mut l = [std::ptr::null(); 14];
    crate::tls::log::install(&mut l);
    l[5] = log_request_index as *const c_void;
    l
}

unsafe extern "C" fn get_sockname(conn: *mut h2o_conn_t, sa: *mut libc::sockaddr) -> libc::socklen_t {
    // SAFETY: `conn` is the head of a live Conn (these callbacks are only installed on ours).
    unsafe {
        let sock = (*conn.cast::<Conn>()).sock;
        if sock.is_null() { 0 } else { crate::evloop::socket::name(sock.cast(), sa, false) }
    }
}

unsafe extern "C" fn get_peername(conn: *mut h2o_conn_t, sa: *mut libc::sockaddr) -> libc::socklen_t {
    // SAFETY: as get_sockname.
    unsafe {
        let sock = (*conn.cast::<Conn>()).sock;
        if sock.is_null() { 0 } else { crate::evloop::socket::name(sock.cast(), sa, true) }
    }
}

unsafe extern "C" fn get_socket(conn: *mut h2o_conn_t) -> *mut h2o_socket_t {
    // SAFETY: as get_sockname.
    unsafe { (*conn.cast::<Conn>()).sock }
}

unsafe extern "C" fn log_request_index(req: *mut h2o_req_t) -> h2o_iovec_t {
    // SAFETY: `req` is the request of a live Conn (the callback is only installed on ours).
    unsafe {
        let conn = (*req).conn.cast::<Conn>();
        let mut digits = Vec::with_capacity(20);
        writer::push_decimal(&mut digits, (*conn).req_index);
        headers::pool_strdup(&mut (*req).pool, &digits)
    }
}

fn sock_of(s: *mut h2o_socket_t) -> *mut Socket {
    s.cast()
}

/// The loop's current time as a `timeval` (the context's cached timestamp, refreshed when the
/// loop's clock moved), with the cached strings.
///
/// # Safety
/// `ctx` is an initialized context with a live loop.
unsafe fn now(ctx: *mut h2o_context_t) -> (libc::timeval, *const crate::abi::core::h2o_timestamp_string_t) {
    // SAFETY: the caller's contract.
    let (tv, strs) = unsafe { crate::core::context::cached_timestamp(ctx) };
    (tv, strs.cast_const())
}

/// Takes over `sock` for HTTP/1 (plain) or, for a TLS accept context, runs the TLS handshake and
/// then serves HTTP/2 or HTTP/1.1 as ALPN chose.
///
/// # Safety
/// As `h2o_accept`.
pub unsafe fn accept(actx: &h2o_accept_ctx_t, sock: *mut h2o_socket_t) {
    let mut connected_at = libc::timeval { tv_sec: 0, tv_usec: 0 };
    // SAFETY: a valid out-pointer; then the caller's contract.
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
        let ctx = actx.ctx;
        let hosts = if actx.hosts.is_null() { (*(*ctx).globalconf).hosts } else { actx.hosts };
        if !actx.ssl_ctx.is_null() {
            return accept_tls(actx.ssl_ctx.cast(), ctx, hosts, sock, connected_at);
        }
        accept_plain(ctx, hosts, sock, connected_at)
    }
}

/// A TLS connection waiting for its handshake (at most the context's `handshake_timeout`).
struct TlsAccept {
    ctx: *mut h2o_context_t,
    hosts: *mut *mut crate::abi::core::h2o_hostconf_t,
    sock: *mut h2o_socket_t,
    connected_at: libc::timeval,
    timeout: h2o_timeout_entry_t,
}

/// Starts the TLS handshake of an accepted connection; once done, ALPN's choice decides: "h2"
/// (or the drafts 2.2.5 lists) goes to the HTTP/2 server, anything else (no ALPN, "http/1.1") is
/// HTTP/1.1, as 2.2.5. A configuration that cannot be had (an OpenSSL SSL_CTX the bridge cannot
/// read) is logged once and its connections are closed.
///
/// # Safety
/// As `h2o_accept`; `ssl_ctx` is a native TLS config or an OpenSSL SSL_CTX.
unsafe fn accept_tls(
    ssl_ctx: *mut c_void,
    ctx: *mut h2o_context_t,
    hosts: *mut *mut crate::abi::core::h2o_hostconf_t,
    sock: *mut h2o_socket_t,
    connected_at: libc::timeval,
) {
    // SAFETY: the caller's contract; the TlsAccept box lives until the handshake ends or times out.
    unsafe {
        let config = match crate::tls::resolve(ssl_ctx) {
            (Ok(c), _) => c,
            (Err(e), fresh) => {
                if fresh {
                    eprintln!("libh2o-rs: h2o_accept: TLS configuration unusable, closing its connections: {e}");
                }
                evsock::close(sock_of(sock));
                return;
            }
        };
        let data = Box::into_raw(Box::new(TlsAccept {
            ctx,
            hosts,
            sock,
            connected_at,
            timeout: h2o_timeout_entry_t {
                registered_at: 0,
                cb: Some(on_tls_handshake_timeout),
                _link: h2o_linklist_t { next: null_mut(), prev: null_mut() },
            },
        }));
        (*sock).data = data.cast();
        tmo::link((*ctx).loop_, &raw mut (*ctx).handshake_timeout, &raw mut (*data).timeout);
        evsock::tls::handshake(sock_of(sock), Some(config), Some(on_tls_handshake));
    }
}

unsafe extern "C" fn on_tls_handshake(sock: *mut h2o_socket_t, err: *const c_char) {
    // SAFETY: `data` is the TlsAccept made by accept_tls (the handshake callback runs once).
    unsafe {
        let data = Box::from_raw((*sock).data.cast::<TlsAccept>());
        tmo::unlink_entry(&raw const data.timeout as *mut h2o_timeout_entry_t);
        (*sock).data = null_mut();
        if !err.is_null() {
            evsock::close(sock_of(sock));
            return;
        }
        let h2 = evsock::tls::session_of(sock).and_then(|t| t.alpn()).is_some_and(|p| matches!(p, b"h2" | b"h2-16" | b"h2-14"));
        if h2 {
            crate::http2::conn::accept(data.ctx, data.hosts, sock, data.connected_at);
        } else {
            accept_plain(data.ctx, data.hosts, sock, data.connected_at);
        }
    }
}

/// The handshake took longer than `handshake_timeout`: the connection is closed.
unsafe extern "C" fn on_tls_handshake_timeout(entry: *mut h2o_timeout_entry_t) {
    // SAFETY: the entry is the `timeout` field of a live TlsAccept (the handshake callback unlinks it).
    unsafe {
        let data = entry.cast::<u8>().sub(std::mem::offset_of!(TlsAccept, timeout)).cast::<TlsAccept>();
        let data = Box::from_raw(data);
        tmo::unlink_entry(entry);
        (*data.sock).data = null_mut();
        evsock::close(sock_of(data.sock));
    }
}

/// HTTP/1 on `sock` (plain, or TLS after its handshake).
///
/// # Safety
/// As `h2o_accept`; `hosts` is the host list to serve.
unsafe fn accept_plain(ctx: *mut h2o_context_t, hosts: *mut *mut crate::abi::core::h2o_hostconf_t, sock: *mut h2o_socket_t, connected_at: libc::timeval) {
    // SAFETY: the caller's contract throughout.
    unsafe {
        let id = crate::abi::core::h2o_connection_id.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
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
            state: State::Head,
            req_index: 0,
            prev_len: 0,
            reqsize: 0,
            body: None,
            sent_head: false,
            out: Out::NoBody,
            final_sent: false,
            write_in_flight: false,
            head_buf: Vec::new(),
            interim: Vec::new(),
            interim_in_flight: false,
            deferred: None,
            iov: Vec::new(),
            chunk_line: [0; 20],
            upgrade: None,
            linger: false,
            req: std::mem::zeroed(),
        }));
        (*sock).data = conn.cast();
        tmo::insert(&raw mut (*ctx).http1_conns, &raw mut (*conn).link);
        init_request(conn);
        reqread_start(conn);
    }
}

/// Sets up the connection's request afresh (the previous one is disposed of by the caller).
///
/// # Safety
/// `conn` is live; its request is not initialized or was disposed of.
unsafe fn init_request(conn: *mut Conn) {
    // SAFETY: the caller's contract.
    unsafe {
        let c = &mut *conn;
        request::init_request(&raw mut c.req, &raw mut c.super_, std::ptr::null());
        c.req._ostr_top = &raw mut c.ostr;
        c.req.input.query_at = usize::MAX;
        c.req.query_at = usize::MAX;
        c.req_index += 1;
        c.prev_len = 0;
        c.reqsize = 0;
        c.body = None;
        c.sent_head = false;
        c.out = Out::NoBody;
        c.final_sent = false;
    }
}

/// Starts waiting for the next request: the request timeout runs from now (it is not re-armed
/// by arriving bytes), and what is already buffered (a pipelined request) is looked at.
///
/// # Safety
/// `conn` is live with a fresh request.
unsafe fn reqread_start(conn: *mut Conn) {
    // SAFETY: the caller's contract.
    unsafe {
        let c = &mut *conn;
        c.state = State::Head;
        arm_timeout(conn);
        evsock::read_start(sock_of(c.sock), Some(on_read));
        if (*(*c.sock).input).size != 0 {
            handle_head(conn);
        }
    }
}

unsafe extern "C" fn on_read(sock: *mut h2o_socket_t, err: *const c_char) {
    // SAFETY: `data` is our Conn while the socket is ours.
    unsafe {
        let conn = (*sock).data.cast::<Conn>();
        if !err.is_null() {
            return close(conn);
        }
        match (*conn).state {
            State::Head => handle_head(conn),
            State::Body => handle_body(conn),
            State::Lingering => drop_input(conn),
            _ => {}
        }
    }
}

/// The input buffer's bytes.
///
/// # Safety
/// `conn` is live with its socket; no other reference into the buffer is alive while the slice is.
unsafe fn input<'a>(conn: *mut Conn) -> &'a mut [u8] {
    // SAFETY: the caller's contract.
    unsafe {
        let b = (*(*conn).sock).input;
        if (*b).size == 0 {
            return &mut [];
        }
        std::slice::from_raw_parts_mut((*b).bytes.cast::<u8>(), (*b).size)
    }
}

/// Parses the head in the input; acts on it once complete.
///
/// # Safety
/// `conn` is live in state `Head`.
unsafe fn handle_head(conn: *mut Conn) {
    // SAFETY: the caller's contract; `buf` is the input, which nothing else touches meanwhile.
    unsafe {
        let c = &mut *conn;
        let ctx = c.super_.ctx;
        if c.req.timestamps[0].tv_sec == 0 {
            c.req.timestamps[0] = now(ctx).0; // request_begin_at: the first bytes are here
        }
        let buf = input(conn);
        let inlen = buf.len().min(MAX_REQLEN);
        let mut hdrs = [Header::default(); MAX_HEADERS];
        let r = match parse_request(&buf[..inlen], &mut hdrs, c.prev_len) {
            Ok(Status::Complete(r)) => r,
            Ok(Status::Partial) => {
                if inlen == MAX_REQLEN {
                    return send_bad_request(conn);
                }
                c.prev_len = inlen;
                return;
            }
            Err(_) => {
                if accept_http2_preface(conn) {
                    return;
                }
                return send_bad_request(conn);
            }
        };
        let (special, framing) = match head::inspect(&hdrs[..r.num_headers]) {
            Ok(v) => v,
            Err(why) => return fail(conn, &r, 400, c"Invalid Request", why.body()),
        };
        if framing == Framing::None {
            c.reqsize = r.head_len;
            return start_request(conn, &r, &hdrs[..r.num_headers], &special, None);
        }
        c.req.timestamps[1] = now(ctx).0; // request_body_begin_at
        let wants_continue = match special.expect {
            Some(e) if e.eq_ignore_ascii_case(b"100-continue") => true,
            Some(_) => return fail(conn, &r, 417, c"Expectation Failed", c"unknown expectation"),
            None => false,
        };
        let max = (*(*ctx).globalconf).max_request_entity_size;
        if matches!(framing, Framing::Length(n) if n > max) {
            return fail(conn, &r, 413, c"Request Entity Too Large", c"request entity is too large");
        }
        c.body = Some(BodyReader { head_len: r.head_len, framing, decoder: ChunkedDecoder::new(true), decoded: 0, wants_continue });
        c.state = State::Body;
        handle_body(conn);
    }
}

/// Looks at what has arrived of the body; once complete, starts the request. While it is still
/// coming and the client asked for it, "100 Continue" is sent (once).
///
/// # Safety
/// `conn` is live in state `Body`.
unsafe fn handle_body(conn: *mut Conn) {
    // SAFETY: the caller's contract; the decoder rewrites only the bytes after the head and what it
    // decoded already, and the buffer's size is lowered to what remains.
    unsafe {
        let c = &mut *conn;
        let max = (*(*c.super_.ctx).globalconf).max_request_entity_size;
        let Some(b) = c.body.as_mut() else { return };
        let head_len = b.head_len;
        let complete = match b.framing {
            Framing::Length(n) => {
                if input(conn).len() >= head_len + n {
                    Some(n)
                } else {
                    None
                }
            }
            Framing::Chunked => {
                let inbuf = (*c.sock).input;
                let start = head_len + b.decoded;
                let raw = &mut input(conn)[start..];
                let (decoded, done) = match b.decoder.decode(raw) {
                    Err(_) => return fail_body(conn, 400, c"Invalid Request", c"broken chunked-encoding"),
                    Ok(Chunked::Partial { decoded }) => {
                        (*inbuf).size = start + decoded;
                        (decoded, false)
                    }
                    Ok(Chunked::Complete { decoded, rest }) => {
                        (*inbuf).size = start + decoded + rest;
                        (decoded, true)
                    }
                };
                b.decoded += decoded;
                if b.decoded > max {
                    return fail_body(conn, 413, c"Request Entity Too Large", c"request entity is too large");
                }
                done.then_some(b.decoded)
            }
            Framing::None => Some(0),
        };
        let Some(len) = complete else {
            if b.wants_continue {
                b.wants_continue = false;
                send_continue(conn);
            }
            return;
        };
        if len > max {
            return fail_body(conn, 413, c"Request Entity Too Large", c"request entity is too large");
        }
        c.reqsize = head_len + len;
        // The head is parsed again where it lies (cheap) rather than kept from before the body.
        let buf = input(conn);
        let entity = h2o_iovec_t { base: buf.as_mut_ptr().add(head_len).cast(), len };
        let mut hdrs = [Header::default(); MAX_HEADERS];
        let Ok(Status::Complete(r)) = parse_request(&buf[..head_len], &mut hdrs, 0) else {
            return send_bad_request(conn); // cannot happen: these bytes parsed before
        };
        let Ok((special, _)) = head::inspect(&hdrs[..r.num_headers]) else { return send_bad_request(conn) };
        start_request(conn, &r, &hdrs[..r.num_headers], &special, Some(entity));
    }
}

/// Sends "100 Continue"; reading pauses until it is out.
///
/// # Safety
/// `conn` is live in state `Body`, no write in flight.
unsafe fn send_continue(conn: *mut Conn) {
    // SAFETY: the caller's contract; the bytes are static.
    unsafe {
        let c = &mut *conn;
        c.state = State::Continue;
        evsock::read_stop(sock_of(c.sock));
        let iov = h2o_iovec_t { base: CONTINUE.as_ptr() as *mut c_char, len: CONTINUE.len() };
        evsock::write(sock_of(c.sock), &iov, 1, Some(on_continue_written));
    }
}

unsafe extern "C" fn on_continue_written(sock: *mut h2o_socket_t, err: *const c_char) {
    // SAFETY: `data` is our Conn while the socket is ours.
    unsafe {
        let conn = (*sock).data.cast::<Conn>();
        if !err.is_null() {
            return close(conn);
        }
        (*conn).state = State::Body;
        evsock::read_start(sock_of(sock), Some(on_read));
        handle_body(conn);
    }
}

/// Fills the request from its head (pointing into the input, which stays put: reading stops
/// here) and hands it to the handlers.
///
/// # Safety
/// `conn` is live; `r` and `hdrs` are the parse of the head at the start of the input; `entity`
/// points into the input too.
unsafe fn start_request(conn: *mut Conn, r: &Request, hdrs: &[Header], special: &Special, entity: Option<h2o_iovec_t>) {
    // SAFETY: the caller's contract.
    unsafe {
        let c = &mut *conn;
        c.state = State::Response;
        evsock::read_stop(sock_of(c.sock));
        disarm_timeout(conn);
        fill_request(conn, r, hdrs, special, entity);
        if let Some(u) = head::upgrade(special)
            && head::is_h2c(u)
            && (*(*c.super_.ctx).globalconf).http1.upgrade_to_http2 != 0
            && upgrade_to_h2c(conn)
        {
            return;
        }
        request::process_request(&raw mut c.req);
    }
}


/// Fills `req` as 2.2.5's HTTP/1 layer does before `h2o_process_request`.
///
/// # Safety
/// As [`start_request`].
unsafe fn fill_request(conn: *mut Conn, r: &Request, hdrs: &[Header], special: &Special, entity: Option<h2o_iovec_t>) {
    // SAFETY: the caller's contract; header names are lower-cased in place in the input (ours).
    unsafe {
        let c = &mut *conn;
        let req = &mut c.req;
        req.version = head::version(r.minor_version);
        req.input.scheme = if (*c.sock).ssl.is_null() { &H2O_URL_SCHEME_HTTP } else { &crate::abi::url::H2O_URL_SCHEME_HTTPS };
        req.input.method = h2o_iovec_t::of(r.method);
        match head::absolute_form(r.path) {
            Some((authority, rest)) => {
                req.input.authority = h2o_iovec_t::of(authority);
                req.input.path = match rest.first() {
                    None => h2o_iovec_t::of(b"/"),
                    Some(b'/') => h2o_iovec_t::of(rest),
                    Some(_) => {
                        // "http://host?q": the path is "/?q"
                        let p = mem::pool::alloc(&mut req.pool, rest.len() + 1).cast::<u8>();
                        *p = b'/';
                        std::ptr::copy_nonoverlapping(rest.as_ptr(), p.add(1), rest.len());
                        h2o_iovec_t { base: p.cast(), len: rest.len() + 1 }
                    }
                };
            }
            None => {
                req.input.path = h2o_iovec_t::of(r.path);
                if let Some(h) = special.host {
                    req.input.authority = h2o_iovec_t::of(h);
                }
            }
        }
        mem::vector::expand(Some(&mut req.pool), req.headers.as_raw(), size_of::<h2o_header_t>(), hdrs.len());
        let mut lower = [0u8; 64];
        for h in hdrs {
            let Some(name) = h.name else { continue };
            let token = if name.len() <= lower.len() {
                let l = &mut lower[..name.len()];
                l.copy_from_slice(name);
                l.make_ascii_lowercase();
                crate::token::lookup(l)
            } else {
                None
            };
            let orig = name.as_ptr().cast::<c_char>();
            match token {
                Some(i) if crate::token::TOKENS[i].flags & crate::token::flag::INIT_SPECIAL != 0 => {}
                Some(i) => {
                    let t = crate::token::base().add(i);
                    headers::add(&mut req.pool, &mut req.headers, t.cast_mut().cast(), orig, h2o_iovec_t::of(h.value));
                }
                None => {
                    let n = headers::pool_name(&mut req.pool, orig, name.len());
                    // `add` copies the original-case name first; then the name is lower-cased where it lies
                    headers::add(&mut req.pool, &mut req.headers, n, orig, h2o_iovec_t::of(h.value));
                    std::slice::from_raw_parts_mut(name.as_ptr().cast_mut(), name.len()).make_ascii_lowercase();
                }
            }
        }
        if let Some(e) = entity {
            req.entity = e;
        }
        if let Some(u) = head::upgrade(special) {
            req.upgrade = h2o_iovec_t::of(u);
        }
        if head::persistent(req.version, special) && (*c.super_.ctx).shutdown_requested == 0 {
            req.flags |= REQ_FLAG_PERSISTENT;
        }
    }
}

/// `Upgrade: h2c` (RFC 7540 3.2; `http1.upgrade_to_http2` on, checked by the caller): the
/// HTTP/2 server answers 101, switches the socket to HTTP/2 and serves the request as stream 1
/// (true). False when it declines (no valid `HTTP2-Settings`): the request is served over
/// HTTP/1.1, as 2.2.5.
///
/// # Safety
/// `conn` is live with its request filled, its response not started.
unsafe fn upgrade_to_h2c(conn: *mut Conn) -> bool {
    // SAFETY: the caller's contract.
    unsafe { crate::http2::conn::handle_upgrade(&raw mut (*conn).req, (*conn).super_.connected_at) == 0 }
}

/// A connection whose first request line is "PRI * HTTP/2" (the HTTP/2 client preface: prior
/// knowledge) is handed to the HTTP/2 server with its unread input, as 2.2.5 does when
/// `http1.upgrade_to_http2` is on (true); the HTTP/1 connection is freed. Otherwise false (the
/// head gets the 400).
///
/// # Safety
/// `conn` is live in state `Head`, no write in flight; it is freed when this returns true.
unsafe fn accept_http2_preface(conn: *mut Conn) -> bool {
    // SAFETY: the caller's contract.
    unsafe {
        let ctx = (*conn).super_.ctx;
        if (*(*ctx).globalconf).http1.upgrade_to_http2 == 0 || !input(conn).starts_with(b"PRI * HTTP/2") {
            return false;
        }
        let (sock, hosts, connected_at) = ((*conn).sock, (*conn).super_.hosts, (*conn).super_.connected_at);
        evsock::read_stop(sock_of(sock));
        (*sock).data = null_mut();
        (*conn).sock = null_mut();
        close(conn);
        crate::http2::conn::accept(ctx, hosts, sock, connected_at);
        true
    }
}

/// Whether `req` belongs to an HTTP/1 connection of this library whose response can still start
/// (what [`upgrade`] needs).
///
/// # Safety
/// `req` is a live request.
pub unsafe fn can_upgrade(req: *mut h2o_req_t) -> bool {
    // SAFETY: the caller's contract.
    unsafe {
        let conn = (*req).conn.cast::<Conn>();
        !conn.is_null() && std::ptr::eq((*conn).super_.callbacks, &CALLBACKS) && !(*conn).sent_head && !(*conn).write_in_flight
    }
}

/// Answers a head that cannot be parsed with 2.2.5's fixed 400, then closes.
///
/// # Safety
/// `conn` is live, no write in flight.
unsafe fn send_bad_request(conn: *mut Conn) {
    // SAFETY: the caller's contract; the bytes are static.
    unsafe {
        let c = &mut *conn;
        c.state = State::Closing;
        c.linger = true;
        evsock::read_stop(sock_of(c.sock));
        arm_timeout(conn);
        let iov = h2o_iovec_t::of(BAD_REQUEST);
        evsock::write(sock_of(c.sock), &iov, 1, Some(on_closing_written));
    }
}

unsafe extern "C" fn on_closing_written(sock: *mut h2o_socket_t, err: *const c_char) {
    // SAFETY: `data` is our Conn while the socket is ours.
    unsafe {
        let conn = (*sock).data.cast::<Conn>();
        if err.is_null() { linger(conn) } else { close(conn) }
    }
}

/// Drops everything in the connection's input buffer (a lingering connection's upload).
///
/// # Safety
/// `conn` is live with its socket.
unsafe fn drop_input(conn: *mut Conn) {
    // SAFETY: the caller's contract.
    unsafe {
        let input = &mut (*(*conn).sock).input;
        let n = (**input).size;
        crate::buffer::consume(input, n);
    }
}

/// After an error response to a request that was not read whole: shuts our side down for writing
/// (the client sees the end of the response) and drops what it still sends until it closes, for at
/// most the request timeout; then [`close`]. Closing at once would make the kernel answer the
/// client's remaining upload with a reset, which can destroy the response before the client reads
/// it (curl then reports "Connection reset by peer" instead of the 413).
///
/// # Safety
/// `conn` is live, its final write complete.
unsafe fn linger(conn: *mut Conn) {
    // SAFETY: the caller's contract.
    unsafe {
        let c = &mut *conn;
        c.state = State::Lingering;
        // SAFETY: the connection's open socket.
        libc::shutdown(evsock::fd(sock_of(c.sock)), libc::SHUT_WR);
        drop_input(conn);
        arm_timeout(conn);
        evsock::read_start(sock_of(c.sock), Some(on_read));
    }
}

/// Answers a parsed head that is refused (400, 413, 417) through `h2o_send_error_generic`, then
/// closes. The request gets its version and method (no host or path: nothing logs it, as in 2.2.5).
///
/// # Safety
/// `conn` is live in state `Head` or `Body`; `r` is the parse of the head in the input.
unsafe fn fail(conn: *mut Conn, r: &Request, status: c_int, reason: &'static CStr, body: &'static CStr) {
    // SAFETY: the caller's contract.
    unsafe {
        let c = &mut *conn;
        c.req.version = head::version(r.minor_version);
        c.req.input.method = h2o_iovec_t::of(r.method);
        c.req.method = c.req.input.method;
        send_error(conn, status, reason, body);
    }
}

/// [`fail`] while the body is coming (the head is parsed again for the method and version).
///
/// # Safety
/// `conn` is live in state `Body`.
unsafe fn fail_body(conn: *mut Conn, status: c_int, reason: &'static CStr, body: &'static CStr) {
    // SAFETY: the caller's contract.
    unsafe {
        let head_len = (*conn).body.as_ref().map_or(0, |b| b.head_len);
        let buf = input(conn);
        let mut hdrs = [Header::default(); MAX_HEADERS];
        match parse_request(&buf[..head_len.min(buf.len())], &mut hdrs, 0) {
            Ok(Status::Complete(r)) => fail(conn, &r, status, reason, body),
            _ => send_bad_request(conn),
        }
    }
}

/// The error response of [`fail`].
///
/// # Safety
/// `conn` is live; its request has version and method.
unsafe fn send_error(conn: *mut Conn, status: c_int, reason: &'static CStr, body: &'static CStr) {
    // SAFETY: the caller's contract.
    unsafe {
        let c = &mut *conn;
        c.state = State::Response;
        c.body = None;
        c.linger = true;
        evsock::read_stop(sock_of(c.sock));
        disarm_timeout(conn);
        c.req.flags &= !REQ_FLAG_PERSISTENT;
        request::count_error(&mut *c.super_.ctx, status);
        request::send_error(&raw mut c.req, status, reason.as_ptr(), body.as_ptr(), 1);
    }
}

/// The sum of the lengths of `bufs`.
///
/// # Safety
/// `bufs` has `cnt` iovecs (or `cnt` is 0).
unsafe fn total_len(bufs: *const h2o_iovec_t, cnt: usize) -> usize {
    // SAFETY: the caller's contract.
    (0..cnt).map(|i| unsafe { (*bufs.add(i)).len }).sum()
}

/// Serializes the response head into `head_buf` and decides how the body goes.
///
/// # Safety
/// `conn` is live with its request in state `Response`.
unsafe fn build_head(conn: *mut Conn, final_bytes: Option<usize>, connection: Option<&'static [u8]>) {
    // SAFETY: the caller's contract; header names and values are valid iovecs.
    unsafe {
        let c = &mut *conn;
        let ctx = c.super_.ctx;
        let (tv, strs) = now(ctx);
        c.req.timestamps[2] = tv; // response_start_at
        let req = &mut c.req;
        if req.res.status == 0 {
            req.res.status = 200;
        }
        let status = req.res.status;
        let head_only = request::bytes(req.input.method) == b"HEAD";
        let mut content_length = (req.res.content_length != usize::MAX).then_some(req.res.content_length);
        if content_length.is_none() && !head_only && writer::status_has_body(status) {
            // the first send is the last: its length is known
            content_length = final_bytes;
            if let Some(n) = final_bytes {
                req.res.content_length = n;
            }
        }
        // after an upgrade head the bytes are the new protocol's: no body framing
        let upgrading = connection == Some(&b"upgrade"[..]);
        c.out = if !writer::status_has_body(status) || head_only || upgrading {
            Out::NoBody
        } else if content_length.is_some() {
            Out::Length
        } else if req.version >= 0x101 {
            Out::Chunked
        } else {
            Out::Close
        };
        if c.out == Out::Close || (*ctx).shutdown_requested != 0 {
            req.flags &= !REQ_FLAG_PERSISTENT;
        }
        if (100..200).contains(&status) || status == 204 || upgrading {
            content_length = None;
        }
        let connection = connection.unwrap_or(if req.flags & REQ_FLAG_PERSISTENT != 0 { b"keep-alive" } else { b"close" });
        let list = headers::entries(&req.res.headers);
        let tok = |name: &[u8]| headers::lookup_token(name).map_or(std::ptr::null(), |t| t.cast::<h2o_iovec_t>());
        let (server_tok, skip) = (tok(b"server"), [tok(b"connection"), tok(b"content-length"), tok(b"transfer-encoding")]);
        let g = &*(*ctx).globalconf;
        let has_server = list.iter().any(|e| std::ptr::eq(e.name, server_tok));
        let head = writer::Head {
            status,
            reason: if req.res.reason.is_null() { b"" } else { CStr::from_ptr(req.res.reason).to_bytes() },
            date: &(&(*strs).rfc1123)[..29],
            connection,
            content_length,
            server: if has_server { b"" } else { request::bytes(g.server_name) },
            chunked: c.out == Out::Chunked,
        };
        let lines = list.iter().filter(|e| !skip.iter().any(|&s| std::ptr::eq(e.name, s))).map(|e| {
            let name = if e.orig_name.is_null() {
                request::bytes(*e.name)
            } else {
                std::slice::from_raw_parts(e.orig_name.cast::<u8>(), (*e.name).len)
            };
            (name, request::bytes(e.value))
        });
        let mut head_buf = std::mem::take(&mut c.head_buf);
        writer::write_head(&mut head_buf, &head, lines);
        c.head_buf = head_buf;
        c.sent_head = true;
    }
}

/// The final output stream: the head on the first call, then the body framed, one socket write per
/// call; the generator's `proceed` (or the next request) follows its completion.
unsafe extern "C" fn do_send(ostr: *mut h2o_ostream_t, req: *mut h2o_req_t, bufs: *mut h2o_iovec_t, bufcnt: usize, state: c_int) {
    // SAFETY: `ostr` is the `ostr` field of a live Conn and `req` its request; `bufs` has `bufcnt`
    // iovecs valid until the write completes (the h2o_send contract).
    unsafe {
        let conn = ostr.cast::<u8>().sub(std::mem::offset_of!(Conn, ostr)).cast::<Conn>();
        if (*conn).interim_in_flight && (*conn).deferred.is_none() {
            (*conn).deferred = Some((bufs, bufcnt, state)); // sent once the 1xx is out
            return;
        }
        if (*conn).write_in_flight || (*conn).final_sent {
            eprintln!("libh2o-rs: h2o_send called before the generator's proceed (or after the final send); ignored, the connection will close");
            (*req).flags &= !REQ_FLAG_PERSISTENT;
            return;
        }
        request::count_bytes_sent(&mut *req, bufs, bufcnt);
        let total = total_len(bufs, bufcnt);
        let first = !(*conn).sent_head;
        if first {
            build_head(conn, (state == SEND_STATE_FINAL).then_some(total), None);
        }
        let c = &mut *conn;
        c.iov.clear();
        if first {
            c.iov.push(h2o_iovec_t::of(&c.head_buf));
        }
        let body = if bufcnt == 0 { &[][..] } else { std::slice::from_raw_parts(bufs, bufcnt) };
        match c.out {
            Out::NoBody => {}
            Out::Length | Out::Close => c.iov.extend(body.iter().filter(|b| b.len != 0).copied()),
            Out::Chunked => {
                if total != 0 {
                    let n = writer::chunk_size_line(&mut c.chunk_line, total);
                    c.iov.push(h2o_iovec_t { base: c.chunk_line.as_mut_ptr().cast(), len: n });
                    c.iov.extend(body.iter().filter(|b| b.len != 0).copied());
                    c.iov.push(h2o_iovec_t::of(if state == SEND_STATE_FINAL { CRLF_LAST_CHUNK } else { CRLF }));
                } else if state == SEND_STATE_FINAL {
                    c.iov.push(h2o_iovec_t::of(LAST_CHUNK));
                }
            }
        }
        if state == SEND_STATE_ERROR {
            c.req.flags &= !REQ_FLAG_PERSISTENT; // the body is cut short: the client must see the close
        }
        c.final_sent = state != SEND_STATE_IN_PROGRESS;
        start_write(conn, Some(on_write_complete));
    }
}


/// Whether `conn` is one of ours (an HTTP/1 connection).
///
/// # Safety
/// `conn` is NULL or a live connection.
pub unsafe fn owns(conn: *const h2o_conn_t) -> bool {
    // SAFETY: the caller's contract: reading the callbacks pointer of a live connection.
    !conn.is_null() && std::ptr::eq(unsafe { (*conn).callbacks }, &CALLBACKS)
}

/// An informational response (`req.res.status` 100..=199 but 101, `req.res.headers`) written at
/// once, before the final response; not to HTTP/1.0 clients (RFC 9110 15.2), and not once the
/// final head went out. A send while it is being written waits for it.
///
/// # Safety
/// `req` is the request of a live connection of ours.
pub unsafe fn send_informational(req: *mut h2o_req_t) {
    // SAFETY: the caller's contract; `req.conn` is the `super_` (first field) of our Conn.
    unsafe {
        let conn = (*req).conn.cast::<Conn>();
        let c = &mut *conn;
        if c.req.version < 0x101 || c.sent_head || c.write_in_flight || c.sock.is_null() {
            return;
        }
        let status = c.req.res.status;
        let reason: &[u8] = match status {
            100 => b"Continue",
            102 => b"Processing",
            103 => b"Early Hints",
            _ if !c.req.res.reason.is_null() => CStr::from_ptr(c.req.res.reason).to_bytes(),
            _ => b"",
        };
        c.interim.clear();
        c.interim.extend_from_slice(b"HTTP/1.1 ");
        crate::strings::push_decimal(&mut c.interim, status as u64);
        c.interim.push(b' ');
        c.interim.extend_from_slice(reason);
        c.interim.extend_from_slice(b"\r\n");
        for e in headers::entries(&c.req.res.headers) {
            let name = if e.orig_name.is_null() { request::bytes(*e.name) } else { std::slice::from_raw_parts(e.orig_name.cast::<u8>(), (*e.name).len) };
            c.interim.extend_from_slice(name);
            c.interim.extend_from_slice(b": ");
            c.interim.extend_from_slice(request::bytes(e.value));
            c.interim.extend_from_slice(b"\r\n");
        }
        c.interim.extend_from_slice(b"\r\n");
        c.iov.clear();
        c.iov.push(h2o_iovec_t::of(&c.interim));
        c.interim_in_flight = true;
        start_write(conn, Some(on_interim_written));
    }
}

unsafe extern "C" fn on_interim_written(sock: *mut h2o_socket_t, err: *const c_char) {
    // SAFETY: `data` is our Conn while the socket is ours.
    unsafe {
        let conn = (*sock).data.cast::<Conn>();
        (*conn).write_in_flight = false;
        (*conn).interim_in_flight = false;
        disarm_timeout(conn);
        if !err.is_null() {
            (*conn).deferred = None;
            return close(conn);
        }
        if let Some((bufs, cnt, state)) = (*conn).deferred.take() {
            do_send(&raw mut (*conn).ostr, &raw mut (*conn).req, bufs, cnt, state);
        }
    }
}

/// Writes `iov` (one `sendmsg` when the kernel takes it all), bounded by the request timeout.
///
/// # Safety
/// `conn` is live with its socket, no write in flight; `iov` points to live bytes.
unsafe fn start_write(conn: *mut Conn, cb: crate::abi::socket::h2o_socket_cb) {
    // SAFETY: the caller's contract.
    unsafe {
        let c = &mut *conn;
        c.write_in_flight = true;
        arm_timeout(conn);
        evsock::write(sock_of(c.sock), c.iov.as_ptr(), c.iov.len(), cb);
    }
}

unsafe extern "C" fn on_write_complete(sock: *mut h2o_socket_t, err: *const c_char) {
    // SAFETY: `data` is our Conn while the socket is ours.
    unsafe {
        let conn = (*sock).data.cast::<Conn>();
        (*conn).write_in_flight = false;
        disarm_timeout(conn);
        if !err.is_null() {
            return close(conn);
        }
        if (*conn).final_sent {
            return on_response_done(conn);
        }
        request::proceed_response(&raw mut (*conn).req);
    }
}

/// The response is out: close, or log the request and go on with the next one.
///
/// # Safety
/// `conn` is live and its final write completed.
unsafe fn on_response_done(conn: *mut Conn) {
    // SAFETY: the caller's contract.
    unsafe {
        let c = &mut *conn;
        let ctx = c.super_.ctx;
        c.req.timestamps[3] = now(ctx).0; // response_end_at
        if c.req.flags & REQ_FLAG_PERSISTENT == 0 || (*ctx).shutdown_requested != 0 {
            return if c.linger { linger(conn) } else { close(conn) };
        }
        request::dispose_request(&raw mut c.req);
        crate::buffer::consume(&mut (*c.sock).input, c.reqsize);
        init_request(conn);
        reqread_start(conn);
    }
}

/// Closes the connection: stops what runs for its request and logs it (`h2o_dispose_request`),
/// closes the socket (unless handed over), frees the connection.
///
/// # Safety
/// `conn` is live; it is freed here.
unsafe fn close(conn: *mut Conn) {
    // SAFETY: the caller's contract.
    unsafe {
        let c = &mut *conn;
        disarm_timeout(conn);
        tmo::unlink(&raw mut c.link);
        request::dispose_request(&raw mut c.req);
        if !c.sock.is_null() {
            (*c.sock).data = null_mut();
            evsock::close(sock_of(c.sock));
        }
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
        tmo::unlink_entry(&raw mut (*conn).timeout);
        tmo::link((*ctx).loop_, &raw mut (*ctx).http1_req_timeout, &raw mut (*conn).timeout);
    }
}

/// Unlinks the connection's timeout entry if linked.
///
/// # Safety
/// `conn` is live.
unsafe fn disarm_timeout(conn: *mut Conn) {
    // SAFETY: the caller's contract.
    unsafe { tmo::unlink_entry(&raw mut (*conn).timeout) }
}

/// `http1.req_timeout` fired: the client was too slow sending a request or taking a response, or
/// stayed idle too long.
unsafe extern "C" fn on_timeout(entry: *mut h2o_timeout_entry_t) {
    // SAFETY: the entry is the `timeout` field of a live Conn (closing unlinks it).
    unsafe {
        let conn = entry.cast::<u8>().sub(std::mem::offset_of!(Conn, timeout)).cast::<Conn>();
        (*conn).req.flags &= !REQ_FLAG_PERSISTENT;
        close(conn);
    }
}

// --- h2o_http1_upgrade ------------------------------------------------------------------------------

/// `h2o_http1_upgrade`: writes the response head of `req` (its status, usually 101, and headers,
/// with `Connection: upgrade`) followed by `inbufs`, then hands the socket over: the connection
/// and its request are done (the request is logged), and `on_complete(user_data, sock, reqsize)`
/// gets the socket, whose input still starts with the `reqsize` bytes of the request (the caller
/// consumes them). When the write fails, the socket is closed and `on_complete` gets NULL.
///
/// # Safety
/// `req` is a live request of an HTTP/1 connection of this library whose response has not
/// started; `inbufs` has `inbufcnt` iovecs valid until `on_complete`.
pub unsafe fn upgrade(req: *mut h2o_req_t, inbufs: *const h2o_iovec_t, inbufcnt: usize, on_complete: UpgradeCb, user_data: *mut c_void) {
    // SAFETY: the caller's contract.
    unsafe {
        let conn = (*req).conn.cast::<Conn>();
        if !can_upgrade(req) {
            eprintln!("libh2o-rs: h2o_http1_upgrade: not an HTTP/1 request whose response can start; refused");
            if let Some(cb) = on_complete {
                cb(user_data, null_mut(), 0);
            }
            return;
        }
        (*conn).upgrade = Some((on_complete, user_data));
        (*conn).req.res.content_length = usize::MAX;
        build_head(conn, None, Some(b"upgrade"));
        let c = &mut *conn;
        c.iov.clear();
        c.iov.push(h2o_iovec_t::of(&c.head_buf));
        if inbufcnt != 0 {
            c.iov.extend(std::slice::from_raw_parts(inbufs, inbufcnt).iter().filter(|b| b.len != 0).copied());
        }
        c.final_sent = true;
        start_write(conn, Some(on_upgrade_written));
    }
}

unsafe extern "C" fn on_upgrade_written(sock: *mut h2o_socket_t, err: *const c_char) {
    // SAFETY: `data` is our Conn while the socket is ours; after the hand-over the socket is the
    // callback's and the connection is freed.
    unsafe {
        let conn = (*sock).data.cast::<Conn>();
        (*conn).write_in_flight = false;
        let (cb, data) = (*conn).upgrade.take().unwrap_or((None, null_mut()));
        if !err.is_null() {
            close(conn);
            if let Some(cb) = cb {
                cb(data, null_mut(), 0);
            }
            return;
        }
        (*conn).req.timestamps[3] = now((*conn).super_.ctx).0;
        let reqsize = (*conn).reqsize;
        (*sock).data = null_mut();
        (*conn).sock = null_mut();
        close(conn);
        if let Some(cb) = cb {
            cb(data, sock, reqsize);
        }
    }
}

// --- the context's view: shutdown, iteration --------------------------------------------------------

/// The open connections of `ctx` (a snapshot: callers may close them).
///
/// # Safety
/// `ctx` is an initialized context.
unsafe fn conns_of(ctx: *mut h2o_context_t) -> Vec<*mut Conn> {
    // SAFETY: the list holds the `link` fields of live Conns.
    unsafe { tmo::snapshot(&raw mut (*ctx).http1_conns, std::mem::offset_of!(Conn, link)) }
}

/// `H2O_HTTP1_CALLBACKS.request_shutdown` (called once `ctx->shutdown_requested` is set): closes
/// the idle connections (waiting for a request, nothing of it received) now. The others finish
/// what they are doing: a request being received or handled gets `Connection: close` when its
/// head is not out yet, and the connection closes after its response.
///
/// # Safety
/// `ctx` is an initialized context; not called from an idle connection's own callback.
pub unsafe extern "C" fn request_shutdown(ctx: *mut h2o_context_t) {
    // SAFETY: the caller's contract; every listed connection is live until closed here.
    unsafe {
        for conn in conns_of(ctx) {
            let idle = ((*conn).state == State::Head && (*(*(*conn).sock).input).size == 0) || (*conn).state == State::Lingering;
            if idle {
                close(conn);
            } else {
                (*conn).req.flags &= !REQ_FLAG_PERSISTENT;
            }
        }
    }
}

/// `H2O_HTTP1_CALLBACKS.foreach_request`: calls `cb` on the request of each connection (as 2.2.5:
/// idle connections included, their request not started: `version` 0) until it returns non-zero,
/// and returns that value (0 when all returned 0).
///
/// # Safety
/// `ctx` is an initialized context; `cb` does not close connections.
pub unsafe extern "C" fn foreach_request(
    ctx: *mut h2o_context_t,
    cb: Option<unsafe extern "C" fn(*mut h2o_req_t, *mut c_void) -> c_int>,
    cbdata: *mut c_void,
) -> c_int {
    // SAFETY: the caller's contract.
    unsafe {
        let Some(cb) = cb else { return 0 };
        for conn in conns_of(ctx) {
            let r = cb(&raw mut (*conn).req, cbdata);
            if r != 0 {
                return r;
            }
        }
        0
    }
}
