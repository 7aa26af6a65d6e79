//! Sockets of the loop: `h2o_socket_t` (96 bytes, 2.2.5's) followed by the engine's state.
//!
//! Descriptors are registered with mio once, for reading and writing, edge-triggered. Readiness
//! is kept in `read_ready` / `write_ready` until a syscall says `EAGAIN`, so nothing depends on a
//! new edge: a socket whose reading is restarted, or whose listener callback left connections in
//! the queue, is checked again on the next iteration (see [`Socket::after_dont_read`]).
//!
//! Every callback runs from the loop's pending queue ([`run_pending`]), never from inside the call
//! that asked for it (a write that completes at once reports on the next pass, as in 2.2.5).
//! Callbacks may write, stop reading, or close any socket, including their own: a closed socket is
//! only marked and unregistered; its memory is freed by [`reap`] once no queue refers to it.

use std::collections::VecDeque;
use std::ffi::{c_char, c_int, c_void};
use std::os::fd::RawFd;
use std::ptr::null_mut;

use crate::abi::memory::{h2o_buffer_t, h2o_iovec_t};
use crate::abi::socket::{errors, h2o_socket_t};
use crate::buffer;

use super::Loop;

pub mod tls;

/// `H2O_SOCKET_FLAG_DONT_READ`.
pub const FLAG_DONT_READ: c_int = 0x20;

/// How much one read pass takes from a socket before others get their turn.
const READ_PASS_LIMIT: usize = 1 << 20;
/// Bytes reserved in `input` before each `read`.
const READ_RESERVE: usize = 4096;

/// The whole socket; C sees only `base`.
#[repr(C)]
pub struct Socket {
    /// Must stay the first field: `*mut Socket` and `*mut h2o_socket_t` are the same pointer.
    pub base: h2o_socket_t,
    fd: RawFd,
    token: usize,
    lp: *mut Loop,
    dont_read: bool,
    /// Data (or the end of the stream) may be waiting: set by readiness events, cleared when a
    /// read says EAGAIN or comes back short (the receive queue was drained; the next arrival
    /// brings a new edge).
    read_ready: bool,
    /// The poller reported the peer's half-close (EPOLLRDHUP): reading goes on until `read`
    /// returns 0, as a short read would not be followed by another edge.
    read_hup: bool,
    write_ready: bool,
    /// What is left of the current write (the caller's bytes, our copy of the array).
    wbufs: Vec<h2o_iovec_t>,
    /// The current write is finished; its callback gets this error (NULL: success).
    write_done: Option<*const c_char>,
    closed: bool,
    queued: bool,
    /// Made by `h2o_socket_connect` and not reported yet: the first write notification checks SO_ERROR.
    connecting: bool,
    /// The conditions of the last `h2o_socket_do_prepare_for_latency_optimized_write`: the writer
    /// refreshes the suggested size with them on each writable event while in the mode.
    lo_conditions: Option<crate::abi::socket::h2o_socket_latency_optimization_conditions_t>,
}

/// The loop's socket bookkeeping.
#[derive(Default)]
pub struct Sockets {
    /// Token (index) -> socket; NULL slots are free.
    slots: Vec<*mut Socket>,
    free: Vec<usize>,
    /// Sockets with work to do in this iteration.
    pending: VecDeque<*mut Socket>,
    /// Sockets to look at again in the next iteration (the loop does not sleep while there are any).
    next: Vec<*mut Socket>,
    /// Closed sockets waiting to be freed.
    dead: Vec<*mut Socket>,
}

impl Sockets {
    pub fn has_next(&self) -> bool {
        !self.next.is_empty()
    }
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }
}

/// Sets `O_NONBLOCK` on `fd`.
fn set_nonblocking(fd: RawFd) -> bool {
    // SAFETY: fcntl on a caller-provided descriptor has no memory-safety preconditions.
    unsafe {
        let fl = libc::fcntl(fd, libc::F_GETFL);
        fl >= 0 && libc::fcntl(fd, libc::F_SETFL, fl | libc::O_NONBLOCK) == 0
    }
}

fn errno() -> c_int {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// `h2o_evloop_socket_create`: wraps `fd`; NULL when it cannot be registered (fd stays the caller's).
///
/// # Safety
/// `lp` is a live loop.
pub unsafe fn create(lp: *mut Loop, fd: RawFd, flags: c_int) -> *mut Socket {
    // SAFETY: per the contract.
    unsafe { create_with(lp, fd, flags, false, false) }
}

/// [`create`]; `connecting`: a connection in progress (not writable until the kernel says so);
/// `nonblocking`: `fd` has `O_NONBLOCK` already (accept4 set it: no fcntl calls).
///
/// # Safety
/// `lp` is a live loop.
unsafe fn create_with(lp: *mut Loop, fd: RawFd, flags: c_int, connecting: bool, nonblocking: bool) -> *mut Socket {
    if !nonblocking && !set_nonblocking(fd) {
        return null_mut();
    }
    // SAFETY: `lp` is live; short borrows only (no callback runs here).
    unsafe {
        let socks = &mut (*lp).sockets;
        let token = socks.free.pop().unwrap_or_else(|| {
            socks.slots.push(null_mut());
            socks.slots.len() - 1
        });
        let interest = mio::Interest::READABLE | mio::Interest::WRITABLE;
        if (*lp).poll.registry().register(&mut mio::unix::SourceFd(&fd), mio::Token(token), interest).is_err() {
            (*lp).sockets.free.push(token);
            return null_mut();
        }
        let mut input: *mut h2o_buffer_t = null_mut();
        let proto = buffer::socket_prototype();
        input = if proto.is_null() { input } else { &raw mut (*proto)._initial_buf };
        let s = Box::into_raw(Box::new(Socket {
            base: h2o_socket_t::new(input),
            fd,
            token,
            lp,
            dont_read: flags & FLAG_DONT_READ != 0,
            read_ready: false,
            read_hup: false,
            write_ready: !connecting,
            wbufs: Vec::new(),
            write_done: None,
            closed: false,
            queued: false,
            connecting,
            lo_conditions: None,
        }));
        (&mut (*lp).sockets.slots)[token] = s;
        s
    }
}

/// `h2o_evloop_socket_accept`: one pending connection of `listener`, or NULL.
///
/// # Safety
/// `listener` is a live socket.
pub unsafe fn accept(listener: *mut Socket) -> *mut Socket {
    // SAFETY: `listener` is live (contract).
    unsafe {
        let mut peer: libc::sockaddr_storage = std::mem::zeroed();
        let mut peer_len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        let fd = libc::accept4((*listener).fd, (&raw mut peer).cast(), &mut peer_len, libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC);
        if fd < 0 {
            if errno() == libc::EAGAIN {
                (*listener).read_ready = false;
            }
            return null_mut();
        }
        // As 2.2.5: no Nagle delay on accepted TCP connections (a response written in pieces
        // goes out at once; fails harmlessly on other socket families).
        let on: c_int = 1;
        if peer.ss_family == libc::AF_INET as libc::sa_family_t || peer.ss_family == libc::AF_INET6 as libc::sa_family_t {
            libc::setsockopt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, (&raw const on).cast(), 4);
        }
        let s = create_with((*listener).lp, fd, 0, false, true);
        if s.is_null() {
            libc::close(fd);
            return s;
        }
        // The peer address accept() gave is cached, as 2.2.5 does: no getpeername() later.
        if peer_len != 0 && peer_len as usize <= std::mem::size_of::<libc::sockaddr_storage>() {
            set_peername(s, (&raw const peer).cast(), peer_len);
        }
        s
    }
}

/// Queues `s` for this iteration's pending pass.
///
/// # Safety
/// `s` is a live (possibly closed) socket.
unsafe fn enqueue(s: *mut Socket) {
    // SAFETY: per the contract; short borrows.
    unsafe {
        if !(*s).queued && !(*s).closed {
            (*s).queued = true;
            (*(*s).lp).sockets.pending.push_back(s);
        }
    }
}

/// `h2o_socket_read_start`.
///
/// # Safety
/// `s` is a live, open socket.
pub unsafe fn read_start(s: *mut Socket, cb: crate::abi::socket::h2o_socket_cb) {
    // SAFETY: per the contract.
    unsafe {
        (*s).base._cb_read = cb;
        // `read_ready` kept track of arrivals while not reading (events are recorded either
        // way): only a socket that may have data is looked at, so no read that would only say
        // EAGAIN is made.
        if (*s).read_ready {
            enqueue(s);
        }
    }
}

/// `h2o_socket_read_stop`.
///
/// # Safety
/// `s` is a live socket.
pub unsafe fn read_stop(s: *mut Socket) {
    // SAFETY: per the contract.
    unsafe { (*s).base._cb_read = None }
}

/// `h2o_socket_dont_read`.
///
/// # Safety
/// `s` is a live socket.
pub unsafe fn set_dont_read(s: *mut Socket, dont_read: bool) {
    // SAFETY: per the contract.
    unsafe { (*s).dont_read = dont_read }
}

/// The fd of `s`.
///
/// # Safety
/// `s` is a live socket.
pub unsafe fn fd(s: *const Socket) -> RawFd {
    // SAFETY: per the contract.
    unsafe { (*s).fd }
}

/// The loop of `s`.
///
/// # Safety
/// `s` is a live socket.
pub unsafe fn loop_of(s: *const Socket) -> *mut Loop {
    // SAFETY: per the contract.
    unsafe { (*s).lp }
}

/// `h2o_socket_write`: starts writing; the callback is called from the loop.
///
/// # Safety
/// `s` is a live, open socket with no write in progress; `bufs` points to `cnt` iovecs whose bytes
/// stay valid until the callback.
pub unsafe fn write(s: *mut Socket, bufs: *const h2o_iovec_t, cnt: usize, cb: crate::abi::socket::h2o_socket_cb) {
    // SAFETY: per the contract.
    unsafe {
        assert!((*s).base._cb_write.is_none(), "h2o_socket_write: a write is already in progress");
        (*s).base._cb_write = cb;
        let list = if cnt == 0 { &[][..] } else { std::slice::from_raw_parts(bufs, cnt) };
        (*s).wbufs.clear();
        (*s).write_done = None;
        if (*s).base.ssl.is_null() {
            (*s).wbufs.extend(list.iter().filter(|b| b.len != 0).copied());
        } else if !tls::encrypt(s, list) {
            (*s).write_done = Some(errors::io());
            enqueue(s);
            return;
        }
        // Unlike 2.2.5 (which does it for TLS sockets only), every write makes the next
        // h2o_socket_prepare_for_latency_optimized_write() look at TCP_INFO again.
        if (*s).base._lo_state == super::latency::STATE_DETERMINED {
            (*s).base._lo_state = super::latency::STATE_NEEDS_UPDATE;
        }
        flush(s);
        if (*s).write_done.is_some() {
            enqueue(s);
        }
    }
}

/// Writes as much of `wbufs` as the kernel takes; sets `write_done` when finished or failed.
///
/// In latency-optimized mode (a finite `suggested_write_size`), refreshes the size from TCP_INFO,
/// writes at most that many bytes, then waits for the next writable event (with
/// TCP_NOTSENT_LOWAT = 1: until what was handed over has been sent): poll-then-write.
///
/// # Safety
/// `s` is a live, open socket.
unsafe fn flush(s: *mut Socket) {
    // SAFETY: per the contract; `wbufs` holds the caller's live buffers.
    unsafe {
        if !(*s).base.ssl.is_null() {
            return tls::flush(s);
        }
        let mut budget = write_budget(s);
        let sock = &mut *s;
        let mut limited: Vec<h2o_iovec_t> = Vec::new();
        while !sock.wbufs.is_empty() {
            if budget == 0 {
                sock.write_ready = false;
                rearm(s);
                return;
            }
            let n = sock.wbufs.len().min(libc::UIO_MAXIOV as usize);
            let mut msg: libc::msghdr = std::mem::zeroed();
            if budget == usize::MAX {
                msg.msg_iov = sock.wbufs.as_mut_ptr().cast::<libc::iovec>();
                msg.msg_iovlen = n as _;
            } else {
                limited.clear();
                let mut room = budget;
                for b in &sock.wbufs[..n] {
                    if room == 0 {
                        break;
                    }
                    let take = b.len.min(room);
                    limited.push(h2o_iovec_t { base: b.base, len: take });
                    room -= take;
                }
                msg.msg_iov = limited.as_mut_ptr().cast::<libc::iovec>();
                msg.msg_iovlen = limited.len() as _;
            }
            let cnt = msg.msg_iovlen as c_int;
            let mut r = libc::sendmsg(sock.fd, &msg, libc::MSG_NOSIGNAL);
            if r < 0 && errno() == libc::ENOTSOCK {
                r = libc::writev(sock.fd, msg.msg_iov, cnt);
            }
            if r < 0 {
                match errno() {
                    libc::EINTR => continue,
                    libc::EAGAIN => {
                        sock.write_ready = false;
                        return;
                    }
                    _ => {
                        sock.wbufs.clear();
                        sock.write_done = Some(errors::io());
                        return;
                    }
                }
            }
            let mut left = r as usize;
            if budget != usize::MAX {
                budget -= left.min(budget);
            }
            sock.base.bytes_written += left;
            let mut done = 0;
            for b in sock.wbufs.iter_mut() {
                if left >= b.len {
                    left -= b.len;
                    done += 1;
                } else {
                    b.base = b.base.add(left);
                    b.len -= left;
                    break;
                }
            }
            sock.wbufs.drain(..done);
        }
        sock.write_done = Some(std::ptr::null());
    }
}

/// How many bytes this writable event may hand the kernel: `usize::MAX` unless the socket is in
/// latency-optimized mode, whose suggested size is refreshed from TCP_INFO first.
///
/// # Safety
/// `s` is a live, open socket.
unsafe fn write_budget(s: *mut Socket) -> usize {
    // SAFETY: per the contract; short borrows.
    unsafe {
        let overhead = tls::record_overhead(s);
        let sock = &mut *s;
        if !super::latency::in_mode(&sock.base) {
            return usize::MAX;
        }
        if let Some(c) = sock.lo_conditions {
            let loop_time = (*sock.lp).base.exec_time_counter.average;
            super::latency::prepare(&mut sock.base, sock.fd, &c, loop_time, overhead);
        }
        match sock.base._lo_suggested_write_size {
            0 => 1,
            n => n,
        }
    }
}

/// Asks the poller to look at the descriptor afresh: an event comes at once if it is ready now,
/// else when it becomes ready (the kernel then arms its write-space wake-up, which honours
/// TCP_NOTSENT_LOWAT). Edge-triggered polling alone would not report a state that did not change.
///
/// # Safety
/// `s` is a live, open socket.
unsafe fn rearm(s: *mut Socket) {
    // SAFETY: per the contract.
    unsafe {
        let fd = (*s).fd;
        let interest = mio::Interest::READABLE | mio::Interest::WRITABLE;
        let _ = (*(*s).lp).poll.registry().reregister(&mut mio::unix::SourceFd(&fd), mio::Token((*s).token), interest);
    }
}

/// `h2o_socket_notify_write`: calls `cb` (err NULL) once the socket is writable (in
/// latency-optimized mode: once what was written has been sent).
///
/// # Safety
/// `s` is a live, open socket with no write in progress.
pub unsafe fn notify_write(s: *mut Socket, cb: crate::abi::socket::h2o_socket_cb) {
    // SAFETY: per the contract.
    unsafe {
        assert!((*s).base._cb_write.is_none(), "h2o_socket_notify_write: a write is already in progress");
        (*s).base._cb_write = cb;
        (*s).wbufs.clear();
        (*s).write_done = None;
        (*s).write_ready = false;
        rearm(s);
    }
}

/// `h2o_socket_do_prepare_for_latency_optimized_write`.
///
/// # Safety
/// `s` is a live, open socket.
pub unsafe fn prepare_latency_optimized(s: *mut Socket, c: &crate::abi::socket::h2o_socket_latency_optimization_conditions_t) -> usize {
    // SAFETY: per the contract.
    unsafe {
        let overhead = tls::record_overhead(s);
        let sock = &mut *s;
        sock.lo_conditions = Some(*c);
        let loop_time = (*sock.lp).base.exec_time_counter.average;
        super::latency::prepare(&mut sock.base, sock.fd, c, loop_time, overhead)
    }
}

/// `h2o_socket_connect`: a non-blocking connection to `addr`; `cb` is called once it is established
/// (err NULL) or failed (`h2o_socket_error_conn_fail`). NULL when the connection cannot even start.
///
/// # Safety
/// `lp` is a live loop; `addr` is valid for `len` bytes.
pub unsafe fn connect(lp: *mut Loop, addr: *const libc::sockaddr, len: libc::socklen_t, cb: crate::abi::socket::h2o_socket_cb) -> *mut Socket {
    // SAFETY: per the contract.
    unsafe {
        let family = c_int::from((*addr).sa_family);
        let fd = libc::socket(family, libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return null_mut();
        }
        if libc::connect(fd, addr, len) != 0 && errno() != libc::EINPROGRESS {
            libc::close(fd);
            return null_mut();
        }
        if family == libc::AF_INET || family == libc::AF_INET6 {
            let on: c_int = 1;
            libc::setsockopt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, (&raw const on).cast(), 4);
        }
        let s = create_with(lp, fd, 0, true, false);
        if s.is_null() {
            libc::close(fd);
            return null_mut();
        }
        notify_write(s, cb);
        s
    }
}

/// A prototype that recycles nothing: exported input buffers use it, so they can be imported and
/// freed on any thread (each thread has its own socket buffer prototype).
fn nonpooling_prototype() -> *mut crate::abi::memory::h2o_buffer_prototype_t {
    use std::sync::OnceLock;
    static PROTO: OnceLock<usize> = OnceLock::new();
    *PROTO.get_or_init(|| {
        let proto = buffer::socket_prototype();
        // SAFETY: the calling thread's prototype is live; the copy is leaked (process-global) and
        // only its `_initial_buf` and `_prototype` pointers are used: `max` 0 means no recycling.
        unsafe {
            let mut p: crate::abi::memory::h2o_buffer_prototype_t = std::ptr::read(proto);
            p.allocator = crate::abi::memory::h2o_mem_recycle_t { max: 0, cnt: 0, _link: null_mut() };
            let b = Box::into_raw(Box::new(p));
            (*b)._initial_buf._prototype = b;
            b as usize
        }
    }) as *mut crate::abi::memory::h2o_buffer_prototype_t
}

/// `h2o_buffer_set_prototype`.
///
/// # Safety
/// `*buf` is a valid buffer; `proto` is live.
unsafe fn set_prototype(buf: &mut *mut h2o_buffer_t, proto: *mut crate::abi::memory::h2o_buffer_prototype_t) {
    // SAFETY: per the contract.
    unsafe {
        if (**buf)._prototype.is_null() || (**buf).bytes.is_null() {
            *buf = &raw mut (*proto)._initial_buf;
        } else {
            (**buf)._prototype = proto;
        }
    }
}

/// `h2o_socket_export`: detaches the descriptor and the unread input into `info`, then closes the
/// socket (on_close runs) without closing the descriptor. Returns 0.
///
/// # Safety
/// `s` is a live, open socket with no write in progress; `info` is writable.
pub unsafe fn export(s: *mut Socket, info: *mut crate::abi::socket::h2o_socket_export_t) -> c_int {
    // SAFETY: per the contract.
    unsafe {
        assert!((*s).base._cb_write.is_none(), "h2o_socket_export: a write is in progress");
        // the socket keeps an empty buffer until it is freed (on_close may still look at it)
        let proto = buffer::socket_prototype();
        let empty = if proto.is_null() { null_mut() } else { &raw mut (*proto)._initial_buf };
        let mut input = std::mem::replace(&mut (*s).base.input, empty);
        if !input.is_null() {
            set_prototype(&mut input, nonpooling_prototype());
        }
        (*info).fd = (*s).fd;
        (*info).ssl = (*s).base.ssl;
        (*info).input = input;
        (*s).base.ssl = null_mut();
        shut(s, false);
        0
    }
}

/// `h2o_socket_import`: a new socket of `lp` from `info` (whose descriptor and input it takes);
/// NULL when the descriptor cannot be polled (`info` is then left as it was).
///
/// # Safety
/// `lp` is a live loop; `info` came from [`export`] and was not imported or disposed of.
pub unsafe fn import(lp: *mut Loop, info: *mut crate::abi::socket::h2o_socket_export_t) -> *mut Socket {
    // SAFETY: per the contract.
    unsafe {
        assert!((*info).fd != -1, "h2o_socket_import: the export was already used");
        let s = create(lp, (*info).fd, 0);
        if s.is_null() {
            return null_mut();
        }
        let mut input = std::mem::replace(&mut (*info).input, null_mut());
        if input.is_null() {
            input = (*s).base.input;
        } else {
            let proto = buffer::socket_prototype();
            if !proto.is_null() {
                set_prototype(&mut input, proto);
            }
        }
        (*s).base.input = input;
        (*s).base.ssl = (*info).ssl;
        (*info).fd = -1;
        (*info).ssl = null_mut();
        s
    }
}

/// `h2o_socket_dispose_export`: closes the descriptor and frees the input of an unused export.
///
/// # Safety
/// `info` came from [`export`] and was not imported or disposed of.
pub unsafe fn dispose_export(info: *mut crate::abi::socket::h2o_socket_export_t) {
    // SAFETY: per the contract.
    unsafe {
        assert!((*info).fd != -1, "h2o_socket_dispose_export: the export was already used");
        if !(*info).input.is_null() {
            buffer::dispose(&mut (*info).input);
        }
        tls::dispose_exported(std::mem::replace(&mut (*info).ssl, null_mut()));
        libc::close((*info).fd);
        (*info).fd = -1;
    }
}

/// `h2o_socket_close`: unregisters and closes at once, frees later, then calls `on_close`.
///
/// # Safety
/// `s` is a live, open socket; it is not used by the caller afterwards.
pub unsafe fn close(s: *mut Socket) {
    // SAFETY: per the contract.
    unsafe { shut(s, true) }
}

/// [`close`]; `close_fd` false leaves the descriptor open ([`export`]).
///
/// # Safety
/// As [`close`].
unsafe fn shut(s: *mut Socket, close_fd: bool) {
    // SAFETY: per the contract; the memory stays valid until `reap`.
    unsafe {
        let lp = (*s).lp;
        assert!(!(*s).closed, "h2o_socket_close: the socket is already closed");
        (*s).closed = true;
        tls::dispose(s, close_fd);
        let fd = (*s).fd;
        let _ = (*lp).poll.registry().deregister(&mut mio::unix::SourceFd(&fd));
        if close_fd {
            libc::close(fd);
        }
        (*s).fd = -1;
        (&mut (*lp).sockets.slots)[(*s).token] = null_mut();
        (*lp).sockets.free.push((*s).token);
        (*lp).sockets.dead.push(s);
        (*s).base._cb_read = None;
        (*s).base._cb_write = None;
        (*s).wbufs = Vec::new();
        if !(*s).base.input.is_null() {
            buffer::dispose(&mut (*s).base.input);
        }
        let peer = std::mem::replace(&mut (*s).base._peername, null_mut());
        libc::free(peer);
        let (cb, data) = ((*s).base.on_close_cb, (*s).base.on_close_data);
        if let Some(cb) = cb {
            cb(data);
        }
    }
}

/// Marks the sockets of this poll's events ready and queues them.
///
/// # Safety
/// `lp` is a live loop.
pub unsafe fn dispatch_events(lp: *mut Loop, ready: &[(usize, bool, bool, bool)]) {
    // SAFETY: per the contract; slots hold live sockets.
    unsafe {
        let next = std::mem::take(&mut (*lp).sockets.next);
        for s in next {
            enqueue(s);
        }
        for &(token, readable, writable, read_closed) in ready {
            let slots = &(*lp).sockets.slots;
            let s = slots.get(token).copied().unwrap_or(null_mut());
            if s.is_null() {
                continue;
            }
            (*s).read_ready |= readable;
            (*s).read_hup |= read_closed;
            (*s).write_ready |= writable;
            enqueue(s);
        }
    }
}

/// Runs the queued socket work: write completions, then reads.
///
/// # Safety
/// `lp` is a live loop; no reference into it is held by the caller.
pub unsafe fn run_pending(lp: *mut Loop) {
    // SAFETY: per the contract: every queued socket is live (closed ones are freed only by `reap`,
    // which runs when the queue is empty); no borrow is held across a callback.
    unsafe {
        while let Some(s) = (*lp).sockets.pending.pop_front() {
            (*s).queued = false;
            if (*s).closed {
                continue;
            }
            // writes
            let writing = (*s).base._cb_write.is_some() && (*s).write_done.is_none();
            if (writing || tls::has_output(s)) && (*s).write_ready {
                flush(s);
            }
            if let Some(mut err) = (*s).write_done.take() {
                if (*s).connecting {
                    (*s).connecting = false;
                    if err.is_null() && so_error((*s).fd) != 0 {
                        err = errors::conn_fail();
                    }
                }
                let cb = (*s).base._cb_write.take();
                if let Some(cb) = cb {
                    cb(&raw mut (*s).base, err);
                }
                if (*s).closed {
                    continue;
                }
            }
            // reads
            if (*s).base._cb_read.is_some() && ((*s).read_ready || tls::wants_pass(s)) {
                if !(*s).base.ssl.is_null() {
                    tls::read_pass(s);
                } else if (*s).dont_read {
                    if let Some(cb) = (*s).base._cb_read {
                        cb(&raw mut (*s).base, std::ptr::null());
                    }
                    if !(*s).closed {
                        after_dont_read(s);
                    }
                } else {
                    read_pass(s);
                }
            }
        }
    }
}

/// After a listener's callback: is the descriptor still readable (connections left in the
/// queue)? Then look again next iteration; edge-triggered polling would not report it again.
///
/// # Safety
/// `s` is a live, open socket.
unsafe fn after_dont_read(s: *mut Socket) {
    // SAFETY: per the contract.
    unsafe {
        let mut pfd = libc::pollfd { fd: (*s).fd, events: libc::POLLIN, revents: 0 };
        let still = libc::poll(&mut pfd, 1, 0) > 0 && pfd.revents & (libc::POLLIN | libc::POLLERR | libc::POLLHUP) != 0;
        (*s).read_ready = still;
        if still {
            (*(*s).lp).sockets.next.push(s);
        }
    }
}

/// Reads until `EAGAIN`, end of stream or the pass limit, then calls the read callback once.
///
/// # Safety
/// `s` is a live, open socket with a read callback.
unsafe fn read_pass(s: *mut Socket) {
    // SAFETY: per the contract; `input` is the socket's buffer.
    unsafe {
        let mut got = 0usize;
        let mut err: *const c_char = std::ptr::null();
        loop {
            let room = buffer::reserve(&mut (*s).base.input, READ_RESERVE);
            if room.base.is_null() {
                err = errors::out_of_memory();
                break;
            }
            let r = libc::read((*s).fd, room.base.cast::<c_void>(), room.len);
            if r > 0 {
                let n = r as usize;
                (*(*s).base.input).size += n;
                (*s).base.bytes_read += n;
                got += n;
                if got >= READ_PASS_LIMIT {
                    (*(*s).lp).sockets.next.push(s);
                    break;
                }
                if n < room.len && !(*s).read_hup {
                    // A short read drained the receive queue: whatever arrives next raises a
                    // new edge, so the read that would only say EAGAIN is skipped.
                    (*s).read_ready = false;
                    break;
                }
            } else if r == 0 {
                if got == 0 {
                    err = errors::closed();
                } else {
                    (*(*s).lp).sockets.next.push(s); // report the end on the next pass
                }
                break;
            } else {
                match errno() {
                    libc::EINTR => continue,
                    libc::EAGAIN => {
                        (*s).read_ready = false;
                        if got == 0 {
                            return;
                        }
                    }
                    _ => {
                        if got == 0 {
                            err = errors::io();
                        } else {
                            (*(*s).lp).sockets.next.push(s);
                        }
                    }
                }
                break;
            }
        }
        if let Some(cb) = (*s).base._cb_read {
            cb(&raw mut (*s).base, err);
        }
    }
}

/// Frees closed sockets (when no queue refers to them any more).
///
/// # Safety
/// `lp` is a live loop and its pending queue is empty.
pub unsafe fn reap(lp: *mut Loop) {
    // SAFETY: per the contract: dead sockets are in no queue once `next` is filtered.
    unsafe {
        let socks = &mut (*lp).sockets;
        if socks.dead.is_empty() {
            return;
        }
        socks.next.retain(|&s| !(*s).closed);
        socks.pending.retain(|&s| !(*s).closed);
        for s in socks.dead.drain(..) {
            drop(Box::from_raw(s));
        }
    }
}

/// The pending error of `fd` (`SO_ERROR`), or -1 when it cannot be read.
fn so_error(fd: RawFd) -> c_int {
    let mut e: c_int = 0;
    let mut len = std::mem::size_of::<c_int>() as libc::socklen_t;
    // SAFETY: getsockopt writes at most `len` bytes into a live local.
    let r = unsafe { libc::getsockopt(fd, libc::SOL_SOCKET, libc::SO_ERROR, (&raw mut e).cast(), &mut len) };
    if r == 0 { e } else { -1 }
}

/// `getsockname` / `getpeername` into `sa` (room for a `sockaddr_storage`); 0 on error. The peer
/// address is cached in `_peername` (as 2.2.5; h2o_socket_setpeername overrides it); unlike 2.2.5,
/// a failure is not cached.
///
/// # Safety
/// `s` is live; `sa` is valid for `sizeof(struct sockaddr_storage)` bytes.
pub unsafe fn name(s: *mut Socket, sa: *mut libc::sockaddr, peer: bool) -> libc::socklen_t {
    let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    // SAFETY: per the contract; `_peername` is NULL or a block made by `set_peername`.
    unsafe {
        if peer {
            let cached = (*s).base._peername.cast::<PeerName>();
            if !cached.is_null() {
                let n = (*cached).len;
                std::ptr::copy_nonoverlapping((&raw const (*cached).addr).cast::<u8>(), sa.cast::<u8>(), n as usize);
                return n;
            }
        }
        let r = if peer { libc::getpeername((*s).fd, sa, &mut len) } else { libc::getsockname((*s).fd, sa, &mut len) };
        if r != 0 {
            return 0;
        }
        if peer {
            set_peername(s, sa, len);
        }
        len
    }
}

/// `struct st_h2o_socket_peername_t`: the length, then the address (of that length).
#[repr(C)]
struct PeerName {
    len: libc::socklen_t,
    addr: libc::sockaddr,
}

/// `h2o_socket_setpeername`: caches a copy of `sa` (`len` bytes) as the peer address.
///
/// # Safety
/// `s` is live; `sa` is valid for `len` bytes.
pub unsafe fn set_peername(s: *mut Socket, sa: *const libc::sockaddr, len: libc::socklen_t) {
    // SAFETY: per the contract; the block is malloc'd with room for the header and `len` bytes
    // (at least a `struct sockaddr`, so the struct's own size is covered too).
    unsafe {
        let off = std::mem::offset_of!(PeerName, addr);
        let size = (off + len as usize).max(std::mem::size_of::<PeerName>());
        let p = crate::mem::malloc_or_die(size).cast::<PeerName>();
        (*p).len = len;
        std::ptr::copy_nonoverlapping(sa.cast::<u8>(), (&raw mut (*p).addr).cast::<u8>(), len as usize);
        let old = std::mem::replace(&mut (*s).base._peername, p.cast());
        libc::free(old);
    }
}
