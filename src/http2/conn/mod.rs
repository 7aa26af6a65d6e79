//! The HTTP/2 server connection glue: binds the sans-IO [`Connection`](crate::http2::engine) to an
//! `h2o_socket_t` and to one `h2o_req_t` per stream, so that handlers written for 2.2.5 serve
//! HTTP/2 unchanged.
//!
//! ```text
//!   socket input ──► on_read ──► Connection::recv ─┐
//!                                                  ▼
//!   run(): drain Connection::poll_event ── Request ──► Stream (h2o_req_t) ──► h2o_process_request
//!            │                           ├ WantData ──► h2o_proceed_response
//!            │                           └ StreamClosed ► h2o_dispose_request (generator stopped, logged)
//!            ├ dispose the streams whose response is complete (logged)
//!            └ flush: Connection::write_gather(wout, suggested write size) ──► one h2o_socket_write
//!   handler: h2o_send ──► Stream's final ostream (stream.rs) ──► send_response / send_data
//! ```
//!
//! - Entry points: [`accept`] (prior knowledge: the client preface comes first; also what the
//!   HTTP/1 layer calls when a connection starts with "PRI * HTTP/2"), [`handle_upgrade`]
//!   (`Upgrade: h2c`, RFC 7540 3.2: 101, then the upgrading request is answered as stream 1).
//! - Re-entrancy: everything that can free the connection ([`close_now`]) happens only at the end
//!   of a callback the loop calls (read, write completion, timeouts). A handler's `h2o_send`
//!   only hands bytes to the engine and asks for a deferred flush (the context's zero timeout,
//!   i.e. later in the same loop iteration), so many streams' data leave in one write.
//! - Writing: one write in flight at a time, of at most the socket's suggested size (the
//!   latency-optimized write API, asked before each write; [`BULK_WRITE`] when unlimited), from a
//!   reused buffer. In latency-optimized mode the next write also waits until the kernel has
//!   sent the previous one (`h2o_socket_notify_write`, which honours TCP_NOTSENT_LOWAT = 1), as
//!   2.2.5 does: the next window is filled from the scheduler then, so that a stream that arrived
//!   meanwhile goes first instead of behind bytes already queued in the kernel. And the last
//!   packets of the congestion window are kept for a moment for a request that may come
//!   (`reserve`: a script asked for at the first bytes of the HTML then comes in 1 RTT, not 2). A stream whose `send_data` said "more" is proceeded once the write in flight
//!   completes (or at the deferred flush when nothing was written); one that said "wait" on
//!   `Event::WantData`.
//! - Reading never stops while the connection is open (a request that overtakes a large response
//!   in flight, or a WINDOW_UPDATE, must be seen): memory stays bounded by the engine's limits
//!   (streams, per-stream send buffers, pending control frames -> GOAWAY) and by the one write
//!   buffer here.
//! - Timers: the idle timeout (`http2.idle_timeout`, while no stream is open; a GOAWAY, then the
//!   close), a 1 s tick (the engine's flood budgets; during a graceful shutdown the final GOAWAY
//!   is forced on the first tick if the client's PING ACK has not come), and the context-wide
//!   graceful-shutdown timeout (`http2.graceful_shutdown_timeout`, 0: wait as long as it takes).
//!
//! Ownership: a [`Conn`] owns its socket, its engine and its streams (boxed, so that each
//! `h2o_req_t` stays in place); [`close_now`] disposes of them all and frees it.

mod c;
mod debug_state;
pub mod push;
mod reserve;
mod stream;

use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_void};
use std::hash::{BuildHasherDefault, Hasher};
use std::ptr::null_mut;

use crate::core::request;
use crate::evloop::latency::{self, STATE_NEEDS_UPDATE, STATE_TBD};
use crate::evloop::socket::{self as evsock, Socket};
use crate::evloop::timeout as tmo;
use crate::http2::engine::{Config, Connection, Event, Output, Spare};
use c::*;
pub use debug_state::register as debug_state_register;
use stream::Stream;

/// The HTTP/2 layer's protocol callbacks: `request_shutdown` (graceful: GOAWAY, the streams in
/// flight finish) and `foreach_request` (each open stream's request). The exported
/// `H2O_HTTP2_CALLBACKS` holds them; `h2o_config_init` copies them into
/// `globalconf.http2.callbacks`, as 2.2.5 does.
pub const PROTOCOL_CALLBACKS: h2o_protocol_callbacks_t =
    h2o_protocol_callbacks_t { request_shutdown: Some(request_shutdown), foreach_request: Some(foreach_request) };

/// What one write may carry when the socket sets no limit (not in latency-optimized mode).
pub const BULK_WRITE: usize = 256 * 1024;
/// The write buffer's capacity kept across idle periods; a larger one is released on a tick
/// that finds the connection without a stream.
const IDLE_WBUF_CAPACITY: usize = 16 * 1024;
/// `http2.events` in the context: `protocol_level_errors[13]`, then these two.
const EVENT_READ_CLOSED: usize = 13;
const EVENT_WRITE_CLOSED: usize = 14;

/// Stream ids are small, distinct integers: a multiplicative hash is enough.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type StreamMap = HashMap<u32, *mut Stream, BuildHasherDefault<IdHasher>>;

/// Where the connection is in a graceful shutdown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shutdown {
    None,
    /// The first GOAWAY (2^31-1) and its PING are out; the engine sends the final GOAWAY on the
    /// PING's ACK, or we force it on the second tick after (at least a second later).
    Requested { ticks: u8 },
    /// The final GOAWAY was asked for.
    Final,
}

/// One HTTP/2 connection. `super_` first: each stream's `req.conn` points to it.
#[repr(C)]
pub struct Conn {
    pub super_: h2o_conn_t,
    /// NULL while an upgrade's 101 is being written (and once closed).
    sock: *mut h2o_socket_t,
    /// On the context's `http2._conns` list.
    link: h2o_linklist_t,
    /// On `http2.idle_timeout` while no stream is open.
    idle_entry: h2o_timeout_entry_t,
    /// On `one_sec_timeout`, always (re-linked when it fires).
    tick_entry: h2o_timeout_entry_t,
    /// On `zero_timeout` when a flush (and proceeds) are wanted after a handler's send.
    deferred_entry: h2o_timeout_entry_t,
    /// On the loop's 1 ms timeout while the window reserve is held (latency-optimized mode).
    hold_entry: h2o_timeout_entry_t,
    /// The window reserve (latency-optimized mode): see `reserve`.
    reserve: reserve::Reserve,
    /// A request arrived since the last write (the reserve is released for it).
    new_request: bool,
    engine: Connection,
    streams: StreamMap,
    /// The bytes of the write in flight (frames, and bodies moved out of the engine's queues;
    /// handed back to the engine before the next write) and their iovecs.
    wout: Output,
    iovs: Vec<h2o_iovec_t>,
    /// A write is in flight, or (latency-optimized mode) the wait for the socket to have sent it.
    write_in_flight: bool,
    /// The idle timeout fired once (GOAWAY sent): the next one closes.
    idle_closing: bool,
    /// Being closed: sends from the streams being disposed of are ignored.
    closing: bool,
    /// After an upgrade: nothing is written until the client's first bytes (its preface) arrive,
    /// so that a client still reading the 101 does not get HTTP/2 frames glued to it (curl keeps
    /// at most 32 KiB after an Upgrade response, and the response's DATA would exceed it).
    hold_output: bool,
    /// Ticks seen while `hold_output`.
    held_ticks: u32,
    shutdown: Shutdown,
    /// Streams whose last `send_data` took everything: their generator is asked for more once
    /// the write in flight completes.
    to_proceed: Vec<u32>,
    /// Streams whose response is complete (final send done): disposed of (and logged) at the
    /// next safe point, outside the handler's call.
    finished: Vec<u32>,
    /// Scratch space for response heads (stream.rs).
    scratch: stream::Scratch,
    /// CASPer's fingerprint of the client's cache, once a host with `http2.casper` served it.
    casper: Option<crate::http2::casper::Casper>,
    /// The digests of the client's cache from `cache-digest` request headers (2.2.5's
    /// `conn->cache_digests`): a push of what a fresh digest holds is not made.
    cache_digests: crate::http2::cache_digests::Digests,
    /// The URLs already pushed on this connection (2.2.5's `push_memo`): each is pushed once.
    push_memo: crate::http2::push_memo::Memo,
    /// Disposed streams kept for reuse (boxed: a stream's request must not move once in use).
    #[allow(clippy::vec_box)]
    spare: Vec<Box<Stream>>,
}

static CALLBACKS: h2o_conn_callbacks_t = h2o_conn_callbacks_t {
    get_sockname: Some(get_sockname),
    get_peername: Some(get_peername),
    push_path: Some(push::push_path),
    get_socket: Some(get_socket),
    get_debug_state: debug_state::get_debug_state as *const c_void,
    log_: log_callbacks(),
};

/// `log_`: TLS (0-4: none without TLS), `http1.request_index` (5: not ours), then the eight
/// `http2.*` ones (6-13): stream id, received priority (whole, exclusive, parent, weight), actual
/// priority in the scheduler (whole, parent, weight), as 2.2.5.
const fn log_callbacks() -> [*const c_void; 14] {
    let mut l = [std::ptr::null(); 14];
    crate::tls::log::install(&mut l);
    l[6] = stream::log_stream_id as *const c_void;
    l[7] = stream::log_priority_received as *const c_void;
    l[8] = stream::log_priority_received_exclusive as *const c_void;
    l[9] = stream::log_priority_received_parent as *const c_void;
    l[10] = stream::log_priority_received_weight as *const c_void;
    l[11] = stream::log_priority_actual as *const c_void;
    l[12] = stream::log_priority_actual_parent as *const c_void;
    l[13] = stream::log_priority_actual_weight as *const c_void;
    l
}

/// Whether `conn` is one of this module's HTTP/2 connections (its callbacks are ours); a pointer
/// comparison, `conn` itself is read only for its `callbacks` field.
///
/// # Safety
/// `conn` is a live connection (any protocol).
pub unsafe fn is_ours(conn: *const h2o_conn_t) -> bool {
    // SAFETY: the caller's contract.
    unsafe { std::ptr::eq((*conn).callbacks, &raw const CALLBACKS) }
}

/// 2.2.5's `h2o_http2_get_debug_state`: the state of the HTTP/2 connection of `req` (what
/// `/.well-known/h2/state` answers: the JSON, with the HPACK tables when `hpack_enabled`, and the
/// connection's windows), allocated from the request's pool. None when `req` is not a request of
/// one of our HTTP/2 connections (2.2.5 casts without looking).
///
/// # Safety
/// `req` is a live request whose `conn` is live.
pub unsafe fn get_debug_state(req: *mut h2o_req_t, hpack_enabled: c_int) -> Option<*mut h2o_http2_debug_state_t> {
    // SAFETY: the caller's contract; a request of our connection is a stream's.
    unsafe {
        let conn = (*req).conn;
        if conn.is_null() || !is_ours(conn) {
            return None;
        }
        Some(debug_state::get_debug_state(req, hpack_enabled))
    }
}

unsafe extern "C" fn get_sockname(conn: *mut h2o_conn_t, sa: *mut libc::sockaddr) -> libc::socklen_t {
    // SAFETY: `conn` is the head of a live Conn (these callbacks are only installed on ours).
    unsafe {
        let sock = (*conn.cast::<Conn>()).sock;
        if sock.is_null() { 0 } else { evsock::name(sock.cast(), sa, false) }
    }
}

unsafe extern "C" fn get_peername(conn: *mut h2o_conn_t, sa: *mut libc::sockaddr) -> libc::socklen_t {
    // SAFETY: as get_sockname.
    unsafe {
        let sock = (*conn.cast::<Conn>()).sock;
        if sock.is_null() { 0 } else { evsock::name(sock.cast(), sa, true) }
    }
}

unsafe extern "C" fn get_socket(conn: *mut h2o_conn_t) -> *mut h2o_socket_t {
    // SAFETY: as get_sockname.
    unsafe { (*conn.cast::<Conn>()).sock }
}

fn sock_of(s: *mut h2o_socket_t) -> *mut Socket {
    s.cast()
}

/// The engine's settings from the context's configuration (2.2.5's defaults otherwise).
///
/// # Safety
/// `ctx` is an initialized context.
unsafe fn engine_config(ctx: *mut h2o_context_t) -> Config {
    // SAFETY: the caller's contract.
    let g = unsafe { &*(*ctx).globalconf };
    Config {
        max_concurrent_streams: g.http2.max_concurrent_requests_per_connection.clamp(1, 256) as u32,
        max_request_body: g.max_request_entity_size,
        // decided per request, by its host's `http2.reprioritize_blocking_assets` (stream.rs)
        reprioritize_blocking_assets: true,
        max_streams_for_priority: g.http2.max_streams_for_priority,
        ..Config::default()
    }
}

/// Storage of the engines of this thread's closed connections, for the next ones (an engine made
/// anew allocates its HPACK tables, zeroes the encoder's index and regrows its vectors during the
/// first requests). At most `SPARE_ENGINES` kept: enough for a steady churn of connections, a
/// bounded amount of memory (a few tens of KiB each) after a burst.
const SPARE_ENGINES: usize = 16;

thread_local! {
    static SPARES: std::cell::RefCell<Vec<Spare>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The glue's own containers of a closed connection (emptied), kept beside the engines' storage.
struct GlueSpare {
    streams: StreamMap,
    wout: Output,
    iovs: Vec<h2o_iovec_t>,
    to_proceed: Vec<u32>,
    finished: Vec<u32>,
    scratch: stream::Scratch,
    #[allow(clippy::vec_box)]
    spare: Vec<Box<Stream>>,
}

thread_local! {
    static GLUE_SPARES: std::cell::RefCell<Vec<GlueSpare>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn keep_spare(spare: Spare) {
    SPARES.with_borrow_mut(|v| {
        if v.len() < SPARE_ENGINES {
            v.push(spare);
        }
    });
}

fn keep_glue_spare(mut g: GlueSpare) {
    g.streams.clear();
    g.iovs.clear();
    g.to_proceed.clear();
    g.finished.clear();
    g.scratch.renew();
    GLUE_SPARES.with_borrow_mut(|v| {
        if v.len() < SPARE_ENGINES {
            v.push(g);
        }
    });
}

fn take_glue_spare() -> GlueSpare {
    GLUE_SPARES.with_borrow_mut(|v| v.pop()).unwrap_or_else(|| GlueSpare {
        streams: StreamMap::default(),
        wout: Output::default(),
        iovs: Vec::new(),
        to_proceed: Vec::new(),
        finished: Vec::new(),
        scratch: stream::Scratch::default(),
        spare: Vec::new(),
    })
}

/// A new engine, on a closed connection's storage when there is one.
fn new_engine(config: Config) -> Connection {
    match SPARES.with_borrow_mut(|v| v.pop()) {
        Some(spare) => Connection::new_reusing(config, spare),
        None => Connection::new(config),
    }
}

/// Allocates a connection (on the context's list, its tick running) around `engine`.
///
/// # Safety
/// `ctx` is an initialized context; `hosts` its NULL-terminated hosts; `sock` NULL or a live
/// socket now owned by the connection.
unsafe fn create(ctx: *mut h2o_context_t, hosts: *mut *mut h2o_hostconf_t, sock: *mut h2o_socket_t, connected_at: libc::timeval, engine: Connection) -> *mut Conn {
    let entry = |cb: unsafe extern "C" fn(*mut h2o_timeout_entry_t)| h2o_timeout_entry_t {
        registered_at: 0,
        cb: Some(cb),
        _link: h2o_linklist_t { next: null_mut(), prev: null_mut() },
    };
    let id = h2o_connection_id.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
    let GlueSpare { streams, wout, iovs, to_proceed, finished, scratch, spare } = take_glue_spare();
    let conn = Box::into_raw(Box::new(Conn {
        super_: h2o_conn_t { ctx, hosts, connected_at, id, callbacks: &CALLBACKS },
        sock,
        link: h2o_linklist_t { next: null_mut(), prev: null_mut() },
        idle_entry: entry(on_idle_timeout),
        tick_entry: entry(on_tick),
        deferred_entry: entry(on_deferred),
        hold_entry: entry(on_hold_tick),
        reserve: reserve::Reserve::default(),
        new_request: false,
        engine,
        streams,
        wout,
        iovs,
        write_in_flight: false,
        idle_closing: false,
        closing: false,
        hold_output: false,
        held_ticks: 0,
        shutdown: Shutdown::None,
        to_proceed,
        finished,
        scratch,
        casper: None,
        cache_digests: Default::default(),
        push_memo: Default::default(),
        spare,
    }));
    // SAFETY: the caller's contract; the entries stay in place inside the boxed Conn.
    unsafe {
        tmo::insert(&raw mut (*ctx).http2_conns, &raw mut (*conn).link);
        tmo::link((*ctx).loop_, &raw mut (*ctx).one_sec_timeout, &raw mut (*conn).tick_entry);
        if (*ctx).shutdown_requested != 0 {
            // accepted after the shutdown request: wind down at once
            (*conn).shutdown = Shutdown::Final;
            (*conn).engine.shutdown(true);
        }
    }
    conn
}

/// `h2o_http2_accept`: serves `sock` as HTTP/2 with prior knowledge (the client preface first).
/// What is already in the socket's input (e.g. a preface the HTTP/1 layer recognized) is read.
///
/// # Safety
/// `ctx` is initialized; `hosts` its NULL-terminated hosts (NULL: the globalconf's); `sock` is a
/// live socket, owned by the connection from now on.
pub unsafe fn accept(ctx: *mut h2o_context_t, hosts: *mut *mut h2o_hostconf_t, sock: *mut h2o_socket_t, connected_at: libc::timeval) {
    // SAFETY: the caller's contract.
    unsafe {
        let hosts = if hosts.is_null() { (*(*ctx).globalconf).hosts } else { hosts };
        let engine = new_engine(engine_config(ctx));
        let conn = create(ctx, hosts, sock, connected_at, engine);
        (*sock).data = conn.cast();
        evsock::read_start(sock_of(sock), Some(on_read));
        update_idle_timeout(conn, true);
        if (*(*sock).input).size != 0 {
            on_read(sock, std::ptr::null());
        } else {
            run(conn); // our SETTINGS go out without waiting for the client
        }
    }
}

/// `h2o_http2_handle_upgrade`: answers an HTTP/1.1 request carrying `Upgrade: h2c` (RFC 7540
/// 3.2) with 101 Switching Protocols (through `h2o_http1_upgrade`), then serves the connection as
/// HTTP/2, the request being answered as stream 1 (its body, if any, goes with it). Returns -1
/// without doing anything (the caller serves the request over HTTP/1.1) when `Connection` does
/// not list `HTTP2-Settings` or the `HTTP2-Settings` header is missing or invalid (2.2.5 too).
///
/// # Safety
/// `req` is a live request of this library's HTTP/1 layer whose response has not started.
pub unsafe fn handle_upgrade(req: *mut h2o_req_t, connected_at: libc::timeval) -> c_int {
    // SAFETY: the caller's contract.
    unsafe {
        if (*req).version >= 0x200 || !crate::http1::conn::can_upgrade(req) {
            return -1;
        }
        let Some(settings) = upgrade_settings(req) else { return -1 };
        let ctx = (*(*req).conn).ctx;
        let Ok(engine) = Connection::new_upgraded(engine_config(ctx), &settings) else { return -1 };
        let conn = create(ctx, (*(*req).conn).hosts, null_mut(), connected_at, engine);
        let s = stream::from_upgrade(conn, req);
        (*conn).streams.insert(1, s);
        let r = &mut *req;
        r.res.status = 101;
        r.res.reason = c"Switching Protocols".as_ptr();
        let upgrade = crate::core::headers::lookup_token(b"upgrade").expect("the upgrade token");
        let h2c = h2o_iovec_t { base: c"h2c".as_ptr().cast_mut(), len: 3 };
        crate::core::headers::add(&mut r.pool, &mut r.res.headers, upgrade.cast_mut().cast(), std::ptr::null(), h2c);
        crate::http1::conn::upgrade(req, std::ptr::null(), 0, Some(on_upgrade_complete), conn.cast());
        0
    }
}

/// The decoded `HTTP2-Settings` of an upgrade request, when `Connection` lists it.
///
/// # Safety
/// `req` is live.
unsafe fn upgrade_settings(req: *mut h2o_req_t) -> Option<Vec<u8>> {
    // SAFETY: the caller's contract: the header list and its values are valid.
    unsafe {
        let list = crate::core::headers::entries(&(*req).headers);
        let value = |name: &[u8]| {
            let tok = crate::core::headers::lookup_token(name)?.cast::<h2o_iovec_t>();
            list.iter().find(|h| std::ptr::eq(h.name, tok)).map(|h| request::bytes(h.value))
        };
        let connection = value(b"connection")?;
        if !connection.split(|&b| b == b',').any(|t| t.trim_ascii().eq_ignore_ascii_case(b"http2-settings")) {
            return None;
        }
        let encoded = value(b"http2-settings")?.trim_ascii();
        let mut out = vec![0u8; crate::strings::decoded_base64url_len(encoded.len())];
        crate::strings::decode_base64url(encoded, &mut out)?;
        Some(out)
    }
}

/// `h2o_http1_upgrade` is done: the 101 is out and the socket ours, its input starting with the
/// `reqsize` bytes of the HTTP/1 request (then the client preface); NULL when the write failed.
unsafe extern "C" fn on_upgrade_complete(data: *mut c_void, sock: *mut h2o_socket_t, reqsize: usize) {
    // SAFETY: `data` is the Conn made by handle_upgrade; `sock` is ours from now on.
    unsafe {
        let conn = data.cast::<Conn>();
        if sock.is_null() {
            return close_now(conn);
        }
        (*conn).sock = sock;
        (*sock).data = conn.cast();
        (*conn).hold_output = true;
        crate::buffer::consume(&mut (*sock).input, reqsize);
        evsock::read_start(sock_of(sock), Some(on_read));
        if let Some(&s) = (*conn).streams.get(&1) {
            stream::process(s);
        }
        if (*(*sock).input).size != 0 {
            on_read(sock, std::ptr::null());
        } else {
            run(conn);
        }
    }
}

// --- the loop's callbacks ------------------------------------------------------------------------

unsafe extern "C" fn on_read(sock: *mut h2o_socket_t, err: *const c_char) {
    // SAFETY: `data` is our Conn while the socket is ours.
    unsafe {
        let conn = (*sock).data.cast::<Conn>();
        if !err.is_null() {
            (*(*conn).super_.ctx).http2_events[EVENT_READ_CLOSED] += 1;
            return close_now(conn);
        }
        let input = &mut (*sock).input;
        if (*conn).engine.is_closed() {
            let n = (**input).size;
            crate::buffer::consume(input, n);
        } else if (**input).size != 0 {
            (*conn).hold_output = false;
            (*conn).engine.set_time((*(*(*conn).super_.ctx).loop_)._now / 1000); // streams' `created`
            let bytes = std::slice::from_raw_parts((**input).bytes.cast::<u8>(), (**input).size);
            let n = (*conn).engine.recv(bytes);
            crate::buffer::consume(input, n);
        }
        update_idle_timeout(conn, true);
        run(conn);
    }
}

/// What a finished write (or wait for writability) does first: no write is in flight any more;
/// on an error the connection is closed and None returned, else the connection.
///
/// # Safety
/// `sock` is one of our connections' sockets.
unsafe fn write_finished(sock: *mut h2o_socket_t, err: *const c_char) -> Option<*mut Conn> {
    // SAFETY: `data` is our Conn while the socket is ours.
    unsafe {
        let conn = (*sock).data.cast::<Conn>();
        (*conn).write_in_flight = false;
        if !err.is_null() {
            (*(*conn).super_.ctx).http2_events[EVENT_WRITE_CLOSED] += 1;
            close_now(conn);
            return None;
        }
        Some(conn)
    }
}

unsafe extern "C" fn on_write_complete(sock: *mut h2o_socket_t, err: *const c_char) {
    // SAFETY: `data` is our Conn while the socket is ours.
    unsafe {
        let Some(conn) = write_finished(sock, err) else { return };
        proceed_waiting(conn);
        // the kernel sent it all already (the usual case: the write was sized to the window):
        // go on now; polling would also wait for the send buffer's memory to drain by a third,
        // which can take until the next round of acknowledgements (an RTT)
        if latency::in_mode(&*sock) && (*conn).engine.wants_write() && latency::notsent_bytes(evsock::fd(sock_of(sock))) != Some(0) {
            // poll-then-write across writes: the kernel took all of it, but (TCP_NOTSENT_LOWAT
            // = 1) the next write waits until it has been sent, so that what is chosen for the
            // next window (a stream that arrived meanwhile, by priority) is not queued behind
            // more of the same; the streams proceeded above fill the engine meanwhile
            (*conn).write_in_flight = true;
            evsock::notify_write(sock_of(sock), Some(on_writable));
            return;
        }
        run(conn);
    }
}

/// The socket can take the next window of a latency-optimized connection.
unsafe extern "C" fn on_writable(sock: *mut h2o_socket_t, err: *const c_char) {
    // SAFETY: `data` is our Conn while the socket is ours.
    unsafe {
        if let Some(conn) = write_finished(sock, err) {
            run(conn);
        }
    }
}

/// The zero timeout after a handler's send: flush, and proceed the streams that took everything
/// when no write is in flight to wait for.
unsafe extern "C" fn on_deferred(entry: *mut h2o_timeout_entry_t) {
    // SAFETY: the entry is the `deferred_entry` of a live Conn (closing unlinks it).
    unsafe {
        let conn = entry.cast::<u8>().sub(std::mem::offset_of!(Conn, deferred_entry)).cast::<Conn>();
        if !(*conn).write_in_flight {
            proceed_waiting(conn);
        }
        run(conn);
    }
}

unsafe extern "C" fn on_idle_timeout(entry: *mut h2o_timeout_entry_t) {
    // SAFETY: the entry is the `idle_entry` of a live Conn (closing unlinks it).
    unsafe {
        let conn = entry.cast::<u8>().sub(std::mem::offset_of!(Conn, idle_entry)).cast::<Conn>();
        if (*conn).idle_closing || (*conn).sock.is_null() {
            return close_now(conn); // the GOAWAY did not get out in a whole idle period
        }
        (*conn).idle_closing = true;
        (*conn).engine.shutdown(true);
        let ctx = (*conn).super_.ctx;
        tmo::link((*ctx).loop_, &raw mut (*ctx).http2_idle_timeout, entry);
        run(conn);
    }
}

unsafe extern "C" fn on_tick(entry: *mut h2o_timeout_entry_t) {
    // SAFETY: the entry is the `tick_entry` of a live Conn (closing unlinks it).
    unsafe {
        let conn = entry.cast::<u8>().sub(std::mem::offset_of!(Conn, tick_entry)).cast::<Conn>();
        (*conn).engine.tick();
        let c = &mut *conn;
        if c.streams.is_empty() && !c.write_in_flight && c.wout.capacity() > IDLE_WBUF_CAPACITY {
            // idle at this tick: give back a large write buffer (not on every idle moment: a
            // busy connection is briefly idle between batches, and re-growing costs page faults)
            c.engine.recycle_output(&mut c.wout);
            c.wout = Output::with_capacity(IDLE_WBUF_CAPACITY);
        }
        if let Shutdown::Requested { ticks } = (*conn).shutdown {
            // as 2.2.5: the final GOAWAY about a second after the first one at the latest
            if ticks == 0 {
                (*conn).shutdown = Shutdown::Requested { ticks: 1 };
            } else {
                (*conn).shutdown = Shutdown::Final;
                (*conn).engine.shutdown(true);
            }
        }
        let ctx = (*conn).super_.ctx;
        if (*conn).hold_output {
            // upgraded, and the client's preface has not come in an idle timeout: it is gone
            (*conn).held_ticks += 1;
            if u64::from((*conn).held_ticks) * 1000 >= (*(*ctx).globalconf).http2.idle_timeout {
                return close_now(conn);
            }
        }
        tmo::link((*ctx).loop_, &raw mut (*ctx).one_sec_timeout, entry);
        run(conn);
    }
}

/// Calls the generators of the streams that took everything they were given.
///
/// # Safety
/// `conn` is live; called from one of the loop's callbacks.
unsafe fn proceed_waiting(conn: *mut Conn) {
    // SAFETY: the caller's contract; each stream is looked up afresh (a proceed may dispose of
    // nothing, but a stream listed earlier may be gone).
    unsafe {
        if (*conn).to_proceed.is_empty() {
            return;
        }
        let ids = std::mem::take(&mut (*conn).to_proceed);
        for &id in &ids {
            if let Some(&s) = (*conn).streams.get(&id) {
                stream::proceed_if(s, stream::Wait::AfterWrite);
            }
        }
        // keep the allocation unless sends refilled the list meanwhile
        if (*conn).to_proceed.is_empty() {
            let mut ids = ids;
            ids.clear();
            (*conn).to_proceed = ids;
        }
    }
}

/// Acts on what the engine has to say, disposes of the finished streams, writes what can be
/// written, then closes the connection when it is done. The end of every loop callback.
///
/// # Safety
/// `conn` is live; called from one of the loop's callbacks (it may free `conn`).
unsafe fn run(conn: *mut Conn) {
    // SAFETY: the caller's contract; no reference into the Conn is held across the calls into
    // handlers (they may send on any stream of this connection).
    unsafe {
        drain_events(conn);
        dispose_finished(conn);
        flush(conn);
        // writing may have made room for streams (WantData); what they send is flushed by the
        // deferred entry (or the write in flight's completion)
        drain_events(conn);
        dispose_finished(conn);
        let c = &mut *conn;
        if !c.write_in_flight && !c.to_proceed.is_empty() {
            request_flush(conn);
        }
        update_idle_timeout(conn, false);
        if !c.sock.is_null() && c.engine.is_closed() && !c.write_in_flight && !c.engine.wants_write() {
            close_now(conn);
        }
    }
}

/// Acts on every event the engine has.
///
/// # Safety
/// As [`run`] (but `conn` is not freed here).
unsafe fn drain_events(conn: *mut Conn) {
    // SAFETY: the caller's contract; no reference into the Conn is held across the calls into
    // handlers (they may send on any stream of this connection).
    unsafe {
        while let Some(ev) = (*conn).engine.poll_event() {
            match ev {
                Event::Request { stream_id, head, body, too_large } => {
                    (*conn).new_request = true;
                    stream::start(conn, stream_id, head, body, too_large)
                }
                Event::WantData { stream_id } => {
                    if let Some(&s) = (*conn).streams.get(&stream_id) {
                        stream::proceed_if(s, stream::Wait::WantData);
                    }
                }
                Event::StreamClosed { stream_id } => {
                    if let Some(s) = (*conn).streams.remove(&stream_id) {
                        stream::dispose(s);
                    }
                }
            }
        }
    }
}

/// Disposes of (and logs) the streams whose response is complete.
///
/// # Safety
/// `conn` is live; not called from inside a handler's send.
unsafe fn dispose_finished(conn: *mut Conn) {
    // SAFETY: the caller's contract.
    unsafe {
        while let Some(id) = (*conn).finished.pop() {
            if let Some(s) = (*conn).streams.remove(&id) {
                stream::dispose(s);
            }
        }
    }
}

/// Asks for a flush later in this loop iteration (from a handler's send).
///
/// # Safety
/// `conn` is live.
unsafe fn request_flush(conn: *mut Conn) {
    // SAFETY: the caller's contract; the entry stays in place inside the boxed Conn.
    unsafe {
        let e = &raw mut (*conn).deferred_entry;
        if !tmo::is_linked(&raw const (*e)._link) {
            let ctx = (*conn).super_.ctx;
            tmo::link((*ctx).loop_, &raw mut (*ctx).zero_timeout, e);
        }
    }
}

/// How much the next write may carry: the socket's suggested size (latency-optimized writes,
/// decided afresh when the socket asks for it), or [`BULK_WRITE`].
///
/// # Safety
/// `conn` is live with its socket.
unsafe fn write_size(conn: *mut Conn) -> usize {
    // SAFETY: the caller's contract.
    unsafe {
        let sock = (*conn).sock;
        let n = match (*sock)._lo_state {
            STATE_TBD | STATE_NEEDS_UPDATE => {
                let lo = (*(*(*conn).super_.ctx).globalconf).http2.latency_optimization;
                let cond = h2o_socket_latency_optimization_conditions_t { min_rtt: lo[0], max_additional_delay: lo[1], max_cwnd: lo[2] };
                evsock::prepare_latency_optimized(sock_of(sock), &cond)
            }
            _ => (*sock)._lo_suggested_write_size,
        };
        if n == usize::MAX { BULK_WRITE } else { n.max(1) }
    }
}

/// The window reserve's step for a connection in latency-optimized mode (None: TCP_INFO could
/// not be read); keeps the millisecond check linked while the reserve is held.
///
/// # Safety
/// `conn` is live with its socket.
unsafe fn reserve_step(conn: *mut Conn) -> Option<reserve::Step> {
    // SAFETY: the caller's contract; the entry stays in place inside the boxed Conn.
    unsafe {
        let c = &mut *conn;
        let t = latency::tcp_state(evsock::fd(sock_of(c.sock)))?;
        let ctx = c.super_.ctx;
        let lo = (*(*ctx).globalconf).http2.latency_optimization;
        let mss = usize::from((*c.sock)._lo_suggested_tls_payload_size);
        let hold = reserve::hold_ms(t.rtt_us, lo[1]);
        let step = c.reserve.step(t.cwnd.saturating_sub(t.unacked), mss, (*(*ctx).loop_)._now, hold, c.new_request);
        c.new_request = false;
        let e = &raw mut c.hold_entry;
        let linked = tmo::is_linked(&raw const (*e)._link);
        if c.reserve.holding() && !linked {
            tmo::link((*ctx).loop_, crate::evloop::Loop::one_ms_timeout((*ctx).loop_), e);
        } else if !c.reserve.holding() && linked {
            tmo::unlink_entry(e);
        }
        Some(step)
    }
}

/// The millisecond check of a held window reserve: an acknowledgement may have opened the
/// window, or the hold may be over.
unsafe extern "C" fn on_hold_tick(entry: *mut h2o_timeout_entry_t) {
    // SAFETY: the entry is the `hold_entry` of a live Conn (closing unlinks it).
    unsafe {
        let conn = entry.cast::<u8>().sub(std::mem::offset_of!(Conn, hold_entry)).cast::<Conn>();
        run(conn);
    }
}

/// Starts a write of what the engine has, when no write is in flight.
///
/// # Safety
/// `conn` is live.
unsafe fn flush(conn: *mut Conn) {
    // SAFETY: the caller's contract; `wout` (whose buffers the iovecs point into) is not touched
    // until the write completes.
    unsafe {
        let c = &mut *conn;
        if c.write_in_flight || c.sock.is_null() || c.hold_output || !c.engine.wants_write() {
            return;
        }
        let mut max = write_size(conn);
        let c = &mut *conn;
        if latency::in_mode(&*c.sock) {
            match reserve_step(conn) {
                // from TCP_INFO now (the socket's suggested size may be from the last write)
                Some(reserve::Step::Write(n)) => max = n.max(1),
                Some(reserve::Step::Hold) => return,
                None => {}
            }
        } else {
            c.reserve.reset();
        }
        let c = &mut *conn;
        c.engine.recycle_output(&mut c.wout);
        c.engine.set_exact_max(latency::in_mode(&*c.sock));
        c.engine.write_gather(&mut c.wout, max);
        if c.wout.is_empty() {
            return;
        }
        c.write_in_flight = true;
        c.iovs.clear();
        c.iovs.extend(c.wout.slices().map(|b| h2o_iovec_t { base: b.as_ptr().cast_mut().cast(), len: b.len() }));
        evsock::write(sock_of(c.sock), c.iovs.as_ptr(), c.iovs.len(), Some(on_write_complete));
    }
}

/// Links the idle timeout while no stream is open (afresh when `reset`: input arrived), unlinks
/// it otherwise.
///
/// # Safety
/// `conn` is live.
unsafe fn update_idle_timeout(conn: *mut Conn, reset: bool) {
    // SAFETY: the caller's contract; the entry stays in place inside the boxed Conn.
    unsafe {
        let c = &mut *conn;
        let e = &raw mut c.idle_entry;
        let linked = tmo::is_linked(&raw const (*e)._link);
        if c.streams.is_empty() && c.engine.is_idle() {
            if reset && linked && !c.idle_closing {
                tmo::unlink_entry(e);
            }
            if !tmo::is_linked(&raw const (*e)._link) {
                let ctx = c.super_.ctx;
                tmo::link((*ctx).loop_, &raw mut (*ctx).http2_idle_timeout, e);
            }
        } else if linked && !c.idle_closing {
            tmo::unlink_entry(e);
        }
    }
}

/// Closes the connection now: every stream is disposed of (generators stopped, requests logged),
/// the timers unlinked, the socket closed, the connection freed.
///
/// # Safety
/// `conn` is live; called from one of the loop's callbacks (nothing up the stack uses it).
unsafe fn close_now(conn: *mut Conn) {
    // SAFETY: the caller's contract.
    unsafe {
        let c = &mut *conn;
        c.closing = true;
        for e in [&raw mut c.idle_entry, &raw mut c.tick_entry, &raw mut c.deferred_entry, &raw mut c.hold_entry] {
            tmo::unlink_entry(e);
        }
        tmo::unlink(&raw mut c.link);
        let streams: Vec<*mut Stream> = c.streams.drain().map(|(_, s)| s).collect();
        for s in streams {
            stream::dispose(s);
        }
        let ctx = (*conn).super_.ctx;
        let sock = (*conn).sock;
        if !sock.is_null() {
            (*sock).data = null_mut();
            evsock::close(sock_of(sock));
        }
        let Conn { mut engine, streams, mut wout, iovs, write_in_flight, to_proceed, finished, scratch, spare, .. } =
            *Box::from_raw(conn);
        if !write_in_flight && wout.capacity() <= IDLE_WBUF_CAPACITY {
            engine.recycle_output(&mut wout);
            keep_glue_spare(GlueSpare { streams, wout, iovs, to_proceed, finished, scratch, spare });
        }
        keep_spare(engine.into_spare());
        if tmo::is_empty(&raw const (*ctx).http2_conns) {
            tmo::unlink_entry(&raw mut (*ctx).http2_graceful_shutdown_entry);
        }
    }
}

// --- the context's view: shutdown, iteration -------------------------------------------------------

/// The open connections of `ctx` (a snapshot).
///
/// # Safety
/// `ctx` is an initialized context.
unsafe fn conns_of(ctx: *mut h2o_context_t) -> Vec<*mut Conn> {
    // SAFETY: the list holds the `link` fields of live Conns.
    unsafe { tmo::snapshot(&raw mut (*ctx).http2_conns, std::mem::offset_of!(Conn, link)) }
}

/// `H2O_HTTP2_CALLBACKS.request_shutdown`: a graceful shutdown of every connection (2.2.5:
/// GOAWAY with 2^31-1 and a PING now, the final GOAWAY with the last stream id after the PING's
/// ACK or a second later; the streams in flight finish, then the connection closes). With
/// `http2.graceful_shutdown_timeout` set, the connections still open when it expires are closed.
/// Nothing is closed from here (it may be called from a handler of one of these connections).
///
/// # Safety
/// `ctx` is an initialized context.
pub unsafe extern "C" fn request_shutdown(ctx: *mut h2o_context_t) {
    // SAFETY: the caller's contract.
    unsafe {
        let conns = conns_of(ctx);
        for &conn in &conns {
            if (*conn).shutdown == Shutdown::None {
                (*conn).shutdown = Shutdown::Requested { ticks: 0 };
                (*conn).engine.shutdown(false);
                request_flush(conn);
            }
        }
        let timeout = (*(*ctx).globalconf).http2.graceful_shutdown_timeout;
        let e = &raw mut (*ctx).http2_graceful_shutdown_entry;
        if timeout != 0 && !conns.is_empty() && !tmo::is_linked(&raw const (*e)._link) {
            (*e).cb = Some(on_graceful_shutdown_timeout);
            tmo::link((*ctx).loop_, &raw mut (*ctx).http2_graceful_shutdown_timeout, e);
        }
    }
}

unsafe extern "C" fn on_graceful_shutdown_timeout(entry: *mut h2o_timeout_entry_t) {
    // SAFETY: the entry is the context's `http2._graceful_shutdown_timeout`.
    unsafe {
        let ctx = entry.cast::<u8>().sub(std::mem::offset_of!(h2o_context_t, http2_graceful_shutdown_entry)).cast::<h2o_context_t>();
        for conn in conns_of(ctx) {
            close_now(conn);
        }
    }
}

/// `H2O_HTTP2_CALLBACKS.foreach_request`: calls `cb` on the request of each open stream of each
/// connection until it returns non-zero, and returns that value (0 when all returned 0).
///
/// # Safety
/// `ctx` is an initialized context; `cb` does not close connections or streams.
pub unsafe extern "C" fn foreach_request(
    ctx: *mut h2o_context_t,
    cb: Option<unsafe extern "C" fn(*mut h2o_req_t, *mut c_void) -> c_int>,
    cbdata: *mut c_void,
) -> c_int {
    // SAFETY: the caller's contract.
    unsafe {
        let Some(cb) = cb else { return 0 };
        for conn in conns_of(ctx) {
            let streams: Vec<*mut Stream> = (*conn).streams.values().copied().collect();
            for s in streams {
                let r = cb(&raw mut (*s).req, cbdata);
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
    use std::hash::BuildHasher;

    #[test]
    fn debug_state_only_for_our_connections() {
        static OTHER: h2o_conn_callbacks_t = h2o_conn_callbacks_t {
            get_sockname: None,
            get_peername: None,
            push_path: None,
            get_socket: None,
            get_debug_state: std::ptr::null(),
            log_: [std::ptr::null(); 14],
        };
        // SAFETY: all-zero is a valid h2o_req_t (pointers NULL); only `conn` and its callbacks are read.
        let mut req: h2o_req_t = unsafe { std::mem::zeroed() };
        let mut conn = h2o_conn_t { ctx: null_mut(), hosts: null_mut(), connected_at: libc::timeval { tv_sec: 0, tv_usec: 0 }, id: 1, callbacks: &OTHER };
        req.conn = &raw mut conn;
        // SAFETY: `req` and `conn` are live.
        unsafe {
            assert!(!is_ours(&raw const conn));
            assert!(get_debug_state(&raw mut req, 0).is_none());
            req.conn = null_mut();
            assert!(get_debug_state(&raw mut req, 1).is_none());
            conn.callbacks = &CALLBACKS;
            assert!(is_ours(&raw const conn));
        }
    }

    #[test]
    fn stream_ids_hash_apart() {
        let b = BuildHasherDefault::<IdHasher>::default();
        let hashes: std::collections::HashSet<u64> = (0..1000u32).map(|i| b.hash_one(2 * i + 1)).collect();
        assert_eq!(hashes.len(), 1000);
    }
}
