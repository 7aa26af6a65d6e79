//! TLS on a loop socket: `h2o_socket_t.ssl` points to a boxed [`TlsIo`] (so `sock->ssl != NULL`
//! means TLS, as in 2.2.5, and export / import carry it along). Reads take ciphertext from the
//! descriptor, hand it to the session ([`crate::tls::session`]) and deliver the plaintext into
//! `sock->input`; writes encrypt the caller's bytes at once (rustls reads them from the caller's
//! iovecs and keeps the records), and the writer sends those records with `sendmsg` straight from
//! rustls' buffers (under the latency-optimized budget, as plain bytes are); the write callback
//! runs once all of it is in the kernel. HTTP/1 and HTTP/2 above see a plain socket.
//!
//! Handshake (`h2o_socket_ssl_handshake`, as 2.2.5): the socket reads with an internal callback
//! until the session is established (the handshake callback gets NULL) or fails (it gets
//! `h2o_socket_error_ssl_decode`, or the read error). Its timeout is the caller's (the accept path
//! uses the context's `handshake_timeout`).
//!
//! Record sizes: 16 KiB records, or records of `_latency_optimization.suggested_tls_payload_size`
//! bytes (the MSS less the TLS overhead) while the socket is in latency-optimized mode; chosen
//! per write (see `crate::tls::session::Session::encrypt`).

use std::ffi::{c_char, c_void};
use std::ptr::null_mut;
use std::sync::Arc;

use crate::abi::socket::{errors, h2o_socket_cb, h2o_socket_t};
use crate::buffer;
use crate::tls::config::TlsConfig;
use crate::tls::session::{Session, MAX_RECORD_PAYLOAD};

use super::{errno, read_start, read_stop, rearm, write_budget, Socket, READ_PASS_LIMIT};

/// The TLS state of a socket.
pub struct TlsIo {
    pub session: Session,
    /// Set while `h2o_socket_ssl_handshake` runs.
    handshake_cb: h2o_socket_cb,
}

/// The TLS state of `s`, if it is a TLS socket.
///
/// # Safety
/// `s` is a live socket; the reference is not held across a callback or a close.
pub unsafe fn tls_of<'a>(s: *mut Socket) -> Option<&'a mut TlsIo> {
    // SAFETY: `ssl` is NULL or a Box<TlsIo> made by `handshake` (every TLS socket of this library).
    unsafe { (*s).base.ssl.cast::<TlsIo>().as_mut() }
}

/// The TLS session of a socket C hands us.
///
/// # Safety
/// `s` is a live socket of this library.
pub unsafe fn session_of<'a>(s: *mut h2o_socket_t) -> Option<&'a Session> {
    // SAFETY: per the contract.
    unsafe { tls_of(s.cast()).map(|t| &t.session) }
}

/// `h2o_socket_ssl_handshake` (server side): makes `s` a TLS socket with `config` (None: fails) and runs the
/// handshake; `cb` is called from the loop with NULL once the connection is established, with an
/// error when it failed (the socket is then the caller's to close).
///
/// # Safety
/// `s` is a live, open, plain socket that is not reading.
pub unsafe fn handshake(s: *mut Socket, config: Option<Arc<TlsConfig>>, cb: h2o_socket_cb) {
    // SAFETY: per the contract.
    unsafe {
        assert!((*s).base.ssl.is_null(), "h2o_socket_ssl_handshake: the socket already has TLS");
        // Without a config the handshake fails on the loop's next pass (the callback never runs
        // from inside this call).
        let session = match config {
            Some(c) => Session::new(c),
            None => {
                (*(*s).lp).sockets.next.push(s);
                Session::failed()
            }
        };
        let io = Box::new(TlsIo { session, handshake_cb: cb });
        (*s).base.ssl = Box::into_raw(io).cast::<c_void>();
        // Bytes already read (none from accept) are ciphertext.
        let input = (*s).base.input;
        if !input.is_null() && (*input).size != 0 {
            let raw = std::slice::from_raw_parts((*input).bytes.cast::<u8>(), (*input).size).to_vec();
            buffer::consume(&mut (*s).base.input, raw.len());
            let failed = tls_of(s).is_some_and(|t| t.session.feed(&raw).is_err());
            let _ = drain_plaintext(s); // an allocation failure shows as a failed read later
            if failed || tls_of(s).is_some_and(|t| t.session.is_established()) {
                (*(*s).lp).sockets.next.push(s);
            }
        }
        read_start(s, Some(on_handshake_read));
    }
}

/// The read callback while the handshake runs.
unsafe extern "C" fn on_handshake_read(sock: *mut h2o_socket_t, err: *const c_char) {
    // SAFETY: called by the loop for a live TLS socket.
    unsafe {
        let s = sock.cast::<Socket>();
        let Some(t) = tls_of(s) else { return };
        let err = if !err.is_null() {
            err
        } else if t.session.has_failed() {
            crate::abi::socket::h2o_socket_error_ssl_decode
        } else if t.session.take_handshake_done() {
            std::ptr::null()
        } else {
            return; // more handshake to come
        };
        let cb = t.handshake_cb.take();
        read_stop(s);
        if let Some(cb) = cb {
            cb(sock, err);
        }
    }
}

/// Moves the session's decrypted bytes into `input`; how many.
///
/// # Safety
/// `s` is a live TLS socket.
unsafe fn drain_plaintext(s: *mut Socket) -> Result<usize, *const c_char> {
    // SAFETY: per the contract; `room` is the reserved tail of the socket's buffer.
    unsafe {
        let mut total = 0;
        loop {
            let room = buffer::reserve(&mut (*s).base.input, 4096);
            if room.base.is_null() {
                return Err(errors::out_of_memory());
            }
            let dst = std::slice::from_raw_parts_mut(room.base.cast::<u8>(), room.len);
            let Some(t) = tls_of(s) else { return Ok(total) };
            let n = t.session.take_plaintext(dst);
            if n == 0 {
                return Ok(total);
            }
            (*(*s).base.input).size += n;
            total += n;
        }
    }
}

/// One read pass of a TLS socket: ciphertext until `EAGAIN`, end of stream or the pass limit;
/// answers (handshake flights, alerts) go out; the read callback runs when plaintext arrived, on
/// an error or the end of the stream, and during the handshake after any progress.
///
/// # Safety
/// `s` is a live, open TLS socket with a read callback.
pub(super) unsafe fn read_pass(s: *mut Socket) {
    // SAFETY: per the contract; no reference into the socket is held across the callback.
    unsafe {
        if wants_pass(s) {
            // the handshake finished (or failed) on bytes buffered before it started
            if let Some(cb) = (*s).base._cb_read {
                cb(&raw mut (*s).base, std::ptr::null());
            }
            return;
        }
        // Not zeroed: read(2) fills the start, and only that is looked at.
        let mut raw = std::mem::MaybeUninit::<[u8; MAX_RECORD_PAYLOAD + 512]>::uninit();
        let cap = MAX_RECORD_PAYLOAD + 512;
        let mut got = 0usize;
        let mut plain = 0usize;
        let mut err: *const c_char = std::ptr::null();
        loop {
            let r = libc::read((*s).fd, raw.as_mut_ptr().cast::<c_void>(), cap);
            if r > 0 {
                let n = r as usize;
                (*s).base.bytes_read += n;
                got += n;
                // SAFETY: read(2) initialised the first n bytes.
                let bytes = std::slice::from_raw_parts(raw.as_ptr().cast::<u8>(), n);
                let failed = tls_of(s).is_none_or(|t| t.session.feed(bytes).is_err());
                match drain_plaintext(s) {
                    Ok(k) => plain += k,
                    Err(e) => {
                        err = e;
                        break;
                    }
                }
                if failed {
                    err = crate::abi::socket::h2o_socket_error_ssl_decode;
                    break;
                }
                if got >= READ_PASS_LIMIT {
                    (*(*s).lp).sockets.next.push(s);
                    break;
                }
                if n < cap && !(*s).read_hup {
                    (*s).read_ready = false;
                    break;
                }
            } else if r == 0 {
                (*s).read_ready = false;
                err = errors::closed();
                break;
            } else {
                match errno() {
                    libc::EINTR => continue,
                    libc::EAGAIN => (*s).read_ready = false,
                    _ => err = errors::io(),
                }
                break;
            }
        }
        if err.is_null() && tls_of(s).is_some_and(|t| t.session.has_failed()) {
            err = crate::abi::socket::h2o_socket_error_ssl_decode;
        }
        if err.is_null() && tls_of(s).is_some_and(|t| t.session.peer_closed()) {
            err = errors::closed();
        }
        // What the session has to say (the handshake's answer, tickets, an alert) goes out now,
        // with what is left of a write in progress; when that finished the write, its callback
        // runs in this pass (the socket is queued again) rather than at the next readiness event,
        // which may be an RTT away.
        flush(s);
        if (*s).write_done.is_some() {
            super::enqueue(s);
        }
        let handshaking = tls_of(s).is_some_and(|t| t.handshake_cb.is_some());
        if !err.is_null() && plain != 0 {
            // the plaintext first; the error on the next pass
            (*s).read_ready = true;
            (*(*s).lp).sockets.next.push(s);
            err = std::ptr::null();
        }
        if err.is_null() && plain == 0 && !(handshaking && got != 0) {
            return;
        }
        if let Some(cb) = (*s).base._cb_read {
            cb(&raw mut (*s).base, err);
        }
    }
}

/// The plaintext record size for the next write: the latency-optimized payload size in that
/// mode, else full records.
///
/// # Safety
/// `s` is a live socket.
unsafe fn record_payload(s: *mut Socket) -> usize {
    // SAFETY: per the contract.
    unsafe {
        let b = &(*s).base;
        if crate::evloop::latency::in_mode(b) && b._lo_suggested_tls_payload_size != 0 { usize::from(b._lo_suggested_tls_payload_size) } else { MAX_RECORD_PAYLOAD }
    }
}

/// The bytes a TLS record adds to its plaintext on `s` (0 for a plain socket): what the
/// latency-optimized sizes leave room for, so that a record fills one packet.
///
/// # Safety
/// `s` is a live socket.
pub(super) unsafe fn record_overhead(s: *mut Socket) -> usize {
    // SAFETY: per the contract.
    unsafe { tls_of(s).map_or(0, |t| t.session.record_overhead()) }
}

/// The ciphertext budget of a writable event from the plaintext one (`write_budget`, sized in
/// records of `payload` bytes): as many whole records, each `overhead` bytes longer, so that the
/// records of the write leave in this event rather than their last bytes waiting for the next.
fn ciphertext_budget(plain: usize, payload: usize, overhead: usize) -> usize {
    if plain == usize::MAX || payload == 0 {
        return plain;
    }
    plain.div_ceil(payload).saturating_mul(payload + overhead)
}

/// Encrypts the caller's bytes of a write (`h2o_socket_write` on a TLS socket); false when the
/// session cannot (failed): the write then completes with an I/O error.
///
/// # Safety
/// `s` is a live TLS socket; `list`'s iovecs are readable.
pub(super) unsafe fn encrypt(s: *mut Socket, list: &[crate::abi::memory::h2o_iovec_t]) -> bool {
    // SAFETY: per the contract.
    unsafe {
        let size = record_payload(s);
        let Some(t) = tls_of(s) else { return false };
        // One call, so that small iovecs (an HTTP/2 frame header and its payload) share records.
        let slices: Vec<&[u8]> =
            list.iter().filter(|b| b.len != 0).map(|b| std::slice::from_raw_parts(b.base.cast::<u8>(), b.len)).collect();
        t.session.encrypt(&slices, size).is_ok()
    }
}

/// The socket's descriptor as the session's ciphertext writer: `sendmsg` of the slices it is
/// given, at most `budget` bytes in all; counts what went out.
struct FdWriter {
    fd: i32,
    flags: i32,
    budget: usize,
    written: usize,
}

impl std::io::Write for FdWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_vectored(&[std::io::IoSlice::new(buf)])
    }

    fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
        if self.budget == 0 {
            return Err(std::io::ErrorKind::WouldBlock.into());
        }
        let mut iov = [libc::iovec { iov_base: null_mut(), iov_len: 0 }; 64];
        let mut n = 0;
        let mut room = self.budget;
        for b in bufs.iter().filter(|b| !b.is_empty()).take(iov.len()) {
            let len = b.len().min(room);
            iov[n] = libc::iovec { iov_base: b.as_ptr() as *mut c_void, iov_len: len };
            n += 1;
            room -= len;
            if room == 0 {
                break;
            }
        }
        if n == 0 {
            return Ok(0);
        }
        // SAFETY: an all-zero msghdr is valid; it points to `iov`'s first `n` entries, each
        // naming a live slice of `bufs`, for the duration of the call.
        let r = unsafe {
            let mut msg: libc::msghdr = std::mem::zeroed();
            msg.msg_iov = iov.as_mut_ptr();
            msg.msg_iovlen = n;
            loop {
                let r = libc::sendmsg(self.fd, &msg, libc::MSG_NOSIGNAL | self.flags);
                if r >= 0 || errno() != libc::EINTR {
                    break r;
                }
            }
        };
        if r < 0 {
            return Err(std::io::Error::from_raw_os_error(errno()));
        }
        let r = r as usize;
        self.written += r;
        if self.budget != usize::MAX {
            self.budget -= r.min(self.budget);
        }
        Ok(r)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Sends the session's pending ciphertext: all of it, or (during a write in latency-optimized
/// mode) at most the budget of this writable event. Ends the current write when all is sent.
///
/// # Safety
/// `s` is a live, open TLS socket.
pub(super) unsafe fn flush(s: *mut Socket) {
    // SAFETY: per the contract; the session is borrowed only for the send calls.
    unsafe {
        let writing = (*s).base._cb_write.is_some() && (*s).write_done.is_none();
        let budget = if writing {
            let plain = write_budget(s);
            ciphertext_budget(plain, record_payload(s), record_overhead(s))
        } else {
            usize::MAX
        };
        let Some(t) = tls_of(s) else { return };
        let mut w = FdWriter { fd: (*s).fd, flags: 0, budget, written: 0 };
        let r = t.session.write_to(&mut w);
        (*s).base.bytes_written += w.written;
        match r {
            Ok(()) => {
                if writing {
                    (*s).write_done = Some(std::ptr::null());
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                (*s).write_ready = false;
                if w.budget == 0 {
                    // The budget of this event is spent: ask for the next one.
                    rearm(s);
                }
            }
            Err(_) => {
                t.session.discard_out();
                if writing {
                    (*s).write_done = Some(errors::io());
                }
            }
        }
    }
}

/// Whether ciphertext waits to be sent.
///
/// # Safety
/// `s` is a live socket.
pub(super) unsafe fn has_output(s: *mut Socket) -> bool {
    // SAFETY: per the contract.
    unsafe { tls_of(s).is_some_and(|t| t.session.has_output()) }
}

/// Frees the TLS state of a socket being closed; with `notify`, a close_notify alert is sent
/// first (best effort, one non-blocking send).
///
/// # Safety
/// `s` is a live socket whose descriptor is still open.
pub(super) unsafe fn dispose(s: *mut Socket, notify: bool) {
    // SAFETY: per the contract; `ssl` is NULL or our Box.
    unsafe {
        let p = std::mem::replace(&mut (*s).base.ssl, null_mut()).cast::<TlsIo>();
        if p.is_null() {
            return;
        }
        let mut io = Box::from_raw(p);
        if notify && io.session.is_established() {
            io.session.close_notify();
            let mut w = FdWriter { fd: (*s).fd, flags: libc::MSG_DONTWAIT, budget: usize::MAX, written: 0 };
            let _ = io.session.write_to(&mut w);
        }
    }
}

/// Frees the TLS state an unused export carries.
///
/// # Safety
/// `ssl` is NULL or the `ssl` of an export made by this library.
pub(super) unsafe fn dispose_exported(ssl: *mut c_void) {
    if !ssl.is_null() {
        // SAFETY: per the contract.
        drop(unsafe { Box::from_raw(ssl.cast::<TlsIo>()) });
    }
}

/// After a handshake that completed inside [`handshake`] (bytes were already buffered): the
/// pending pass reports it.
///
/// # Safety
/// `s` is a live socket.
pub(super) unsafe fn wants_pass(s: *mut Socket) -> bool {
    // SAFETY: per the contract.
    unsafe { tls_of(s).is_some_and(|t| t.handshake_cb.is_some() && (t.session.has_failed() || t.session.is_established())) }
}

#[cfg(test)]
mod tests {
    use super::ciphertext_budget;

    #[test]
    fn the_ciphertext_budget_covers_whole_records() {
        // 8 records of 1426 bytes (MSS 1448, TLS 1.3): 8 packets of 1448
        assert_eq!(ciphertext_budget(8 * 1426, 1426, 22), 8 * 1448);
        // a partial record counts whole
        assert_eq!(ciphertext_budget(8 * 1426 + 1, 1426, 22), 9 * 1448);
        assert_eq!(ciphertext_budget(usize::MAX, 1426, 22), usize::MAX);
        assert_eq!(ciphertext_budget(5000, 0, 22), 5000);
        assert_eq!(ciphertext_budget(usize::MAX - 1, 1, 22), usize::MAX);
    }
}
