//! One server-side TLS connection as a sans-IO state machine over rustls: ciphertext in
//! ([`Session::feed`]), plaintext out ([`Session::take_plaintext`]), plaintext in
//! ([`Session::encrypt`]), ciphertext out ([`Session::write_to`]).
//! The socket layer (`crate::evloop::socket`) moves the bytes between these and the descriptor.
//!
//! Copies: the ciphertext of [`Session::encrypt`] stays in rustls' own record buffers until
//! [`Session::write_to`] hands those buffers to the writer (the socket layer's is one `sendmsg`
//! of them), and the caller's slices go to rustls as they are; so the plaintext is copied once,
//! into the record rustls encrypts in place. Handshake messages and alerts are collected in a
//! buffer of the session's (`out`), which is always older than what rustls holds and is written
//! first.
//!
//! ```text
//!   Accepting (rustls Acceptor: wait for the whole ClientHello)
//!      │ ClientHello: the client's ALPN list decides the config (with our ALPN list when the
//!      │ lists overlap, without any ALPN otherwise: no `no_application_protocol` alert, HTTP/1.1)
//!      ▼
//!   Handshaking (ServerConnection) ──► Established ──► (peer's close_notify / error) Closed
//!   any state ──(garbage, bad record, alert)──► Failed (the alert, if any, is in `out`)
//! ```
//!
//! Record sizing: rustls fragments each `write` call on its own (it never joins two calls into one
//! record, but does join the slices of one call), so [`Session::encrypt`] hands it the plaintext
//! in groups of at most `record_payload` bytes: small records in latency-optimized mode, 16 KiB
//! otherwise (rustls' own maximum; then all slices go in one call).

#![forbid(unsafe_code)]

use std::ffi::CStr;
use std::io::{self, BufRead, IoSlice, Write};
use std::sync::Arc;

use rustls::server::{Acceptor, ServerConnection};
use rustls::{CipherSuite, HandshakeKind, ProtocolVersion};

use super::config::TlsConfig;

/// The largest TLS plaintext record (RFC 8446 5.1).
pub(crate) const MAX_RECORD_PAYLOAD: usize = 16384;

/// Why a session failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsError {
    /// The peer sent something that is not TLS or broke the protocol (the alert went out).
    Protocol(String),
    /// The handshake could not complete with our configuration (no common cipher or version...).
    Handshake(String),
}

impl std::fmt::Display for TlsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TlsError::Protocol(m) | TlsError::Handshake(m) => f.write_str(m),
        }
    }
}

enum State {
    Accepting(Box<Acceptor>),
    Conn(Box<ServerConnection>),
    Failed,
}

/// One TLS server session.
pub struct Session {
    config: Option<Arc<TlsConfig>>,
    state: State,
    /// Decrypted bytes not taken yet, from `plain_pos` on (moved out of rustls after each record
    /// batch: rustls refuses more ciphertext while its own plaintext buffer is full).
    plain: Vec<u8>,
    plain_pos: usize,
    /// Handshake messages and alerts to send, from `out_pos` on (sent before rustls' buffers).
    out: Vec<u8>,
    out_pos: usize,
    /// The peer sent close_notify (a clean end of the stream).
    peer_closed: bool,
    /// Whether the handshake-complete transition has been reported by [`Session::take_handshake_done`].
    reported_done: bool,
}

impl Session {
    pub fn new(config: Arc<TlsConfig>) -> Session {
        Session::starting(Some(config), State::Accepting(Box::default()))
    }

    /// A session that has already failed (no usable configuration).
    pub fn failed() -> Session {
        Session::starting(None, State::Failed)
    }

    fn starting(config: Option<Arc<TlsConfig>>, state: State) -> Session {
        Session {
            config,
            state,
            plain: Vec::new(),
            plain_pos: 0,
            out: Vec::new(),
            out_pos: 0,
            peer_closed: false,
            reported_done: false,
        }
    }

    /// Hands the session ciphertext read from the peer; handshake messages and alerts it answers
    /// with are appended to [`Session::out`]; decrypted bytes wait for [`Session::take_plaintext`].
    pub fn feed(&mut self, mut raw: &[u8]) -> Result<(), TlsError> {
        while !raw.is_empty() {
            match &mut self.state {
                State::Failed => return Err(TlsError::Protocol("the TLS session has failed".into())),
                State::Accepting(acc) => {
                    if acc.read_tls(&mut raw).is_err() {
                        return self.fail(TlsError::Protocol("cannot buffer the ClientHello".into()));
                    }
                    match acc.accept() {
                        Ok(None) => {}
                        Ok(Some(accepted)) => {
                            let Some(config) = self.config.clone() else {
                                return self.fail(TlsError::Handshake("no TLS configuration".into()));
                            };
                            let overlap = accepted
                                .client_hello()
                                .alpn()
                                .is_some_and(|mut offered| offered.any(|p| config.alpn().iter().any(|a| a == p)));
                            let cfg = config.server_config(overlap);
                            match accepted.into_connection(cfg) {
                                Ok(mut conn) => {
                                    conn.set_buffer_limit(None);
                                    self.state = State::Conn(Box::new(conn));
                                    self.process()?;
                                }
                                Err((e, mut alert)) => {
                                    let _ = alert.write_all(&mut self.out);
                                    return self.fail(TlsError::Handshake(e.to_string()));
                                }
                            }
                        }
                        Err((e, mut alert)) => {
                            let _ = alert.write_all(&mut self.out);
                            return self.fail(TlsError::Protocol(e.to_string()));
                        }
                    }
                }
                State::Conn(conn) => {
                    if conn.read_tls(&mut raw).is_err() {
                        return self.fail(TlsError::Protocol("cannot buffer a TLS record".into()));
                    }
                    self.process()?;
                }
            }
        }
        Ok(())
    }

    /// Processes what the connection has buffered; collects its output.
    fn process(&mut self) -> Result<(), TlsError> {
        let State::Conn(conn) = &mut self.state else { return Ok(()) };
        let r = conn.process_new_packets();
        loop {
            let mut rd = conn.reader();
            let k = match rd.fill_buf() {
                Ok(b) if !b.is_empty() => {
                    self.plain.extend_from_slice(b);
                    b.len()
                }
                _ => break,
            };
            rd.consume(k);
        }
        // The answer to whatever was processed (handshake flight, tickets) stays in rustls until
        // write_to; the alert of an error is moved out of it below, as the connection goes.
        match r {
            Ok(io) => {
                if io.peer_has_closed() {
                    self.peer_closed = true;
                }
                Ok(())
            }
            Err(e) => {
                while conn.wants_write() && conn.write_tls(&mut self.out).is_ok_and(|n| n != 0) {}
                let handshaking = conn.is_handshaking();
                let err = if handshaking { TlsError::Handshake(e.to_string()) } else { TlsError::Protocol(e.to_string()) };
                self.fail(err)
            }
        }
    }

    fn fail(&mut self, e: TlsError) -> Result<(), TlsError> {
        self.state = State::Failed;
        Err(e)
    }

    /// Copies decrypted bytes into `dst`; how many (0: none waiting).
    pub fn take_plaintext(&mut self, dst: &mut [u8]) -> usize {
        let avail = &self.plain[self.plain_pos..];
        let n = avail.len().min(dst.len());
        dst[..n].copy_from_slice(&avail[..n]);
        self.plain_pos += n;
        if self.plain_pos == self.plain.len() {
            self.plain.clear();
            self.plain_pos = 0;
        }
        n
    }

    /// Encrypts `data` (the slices in order, as one stream) in records of at most `record_payload`
    /// bytes; the records wait in rustls until [`Session::write_to`].
    pub fn encrypt(&mut self, data: &[&[u8]], record_payload: usize) -> Result<(), TlsError> {
        let State::Conn(conn) = &mut self.state else { return Err(TlsError::Protocol("no TLS connection".into())) };
        let size = record_payload.clamp(1, MAX_RECORD_PAYLOAD);
        let mut group: Vec<IoSlice<'_>> = Vec::with_capacity(data.len().min(64));
        let mut room = size;
        for &d in data {
            let mut rest = d;
            while !rest.is_empty() {
                let k = if size == MAX_RECORD_PAYLOAD { rest.len() } else { rest.len().min(room) };
                group.push(IoSlice::new(&rest[..k]));
                rest = &rest[k..];
                if size != MAX_RECORD_PAYLOAD {
                    room -= k;
                    if room == 0 {
                        write_plaintext(conn, &group)?;
                        group.clear();
                        room = size;
                    }
                }
            }
        }
        write_plaintext(conn, &group)
    }

    /// Writes the pending ciphertext to `w` (the collected handshake bytes first, then rustls'
    /// records, each as one `write_vectored`) until all is written or `w` fails: `Ok` when nothing
    /// is left, else `w`'s error (`WouldBlock`: call again later; what was written is gone).
    pub fn write_to(&mut self, w: &mut impl Write) -> io::Result<()> {
        while self.out_pos < self.out.len() {
            match w.write(&self.out[self.out_pos..])? {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                n => self.consumed_out(n),
            }
        }
        if let State::Conn(conn) = &mut self.state {
            while conn.wants_write() {
                if conn.write_tls(w)? == 0 {
                    return Err(io::ErrorKind::WriteZero.into());
                }
            }
        }
        Ok(())
    }

    /// Whether ciphertext waits to be written.
    pub fn has_output(&self) -> bool {
        self.out_pos < self.out.len() || matches!(&self.state, State::Conn(c) if c.wants_write())
    }

    /// Queues a close_notify alert (after the records already queued; sent by [`Session::write_to`]).
    pub fn close_notify(&mut self) {
        if let State::Conn(conn) = &mut self.state {
            conn.send_close_notify();
        }
    }

    /// `n` bytes of `out` were sent.
    fn consumed_out(&mut self, n: usize) {
        self.out_pos += n;
        if self.out_pos >= self.out.len() {
            self.out.clear();
            self.out_pos = 0;
        } else if self.out_pos > 64 * 1024 && self.out_pos * 2 > self.out.len() {
            self.out.drain(..self.out_pos);
            self.out_pos = 0;
        }
    }

    /// Drops the unsent ciphertext (the peer is gone).
    pub fn discard_out(&mut self) {
        self.out.clear();
        self.out_pos = 0;
        if let State::Conn(conn) = &mut self.state {
            while conn.wants_write() && conn.write_tls(&mut io::sink()).is_ok_and(|n| n != 0) {}
        }
    }

    pub fn has_failed(&self) -> bool {
        matches!(self.state, State::Failed)
    }

    pub fn is_established(&self) -> bool {
        matches!(&self.state, State::Conn(c) if !c.is_handshaking())
    }

    /// True once, when the handshake has completed.
    pub fn take_handshake_done(&mut self) -> bool {
        if !self.reported_done && self.is_established() {
            self.reported_done = true;
            return true;
        }
        false
    }

    /// The peer sent close_notify.
    pub fn peer_closed(&self) -> bool {
        self.peer_closed
    }

    fn conn(&self) -> Option<&ServerConnection> {
        match &self.state {
            State::Conn(c) => Some(c),
            _ => None,
        }
    }

    /// The protocol chosen by ALPN.
    pub fn alpn(&self) -> Option<&[u8]> {
        self.conn().and_then(|c| c.alpn_protocol())
    }

    /// The SNI name the client sent.
    pub fn server_name(&self) -> Option<&str> {
        self.conn().and_then(|c| c.server_name())
    }

    /// OpenSSL's name of the version ("TLSv1.3", "TLSv1.2"), as 2.2.5 logs it.
    pub fn protocol_version(&self) -> Option<&'static CStr> {
        Some(match self.conn()?.protocol_version()? {
            ProtocolVersion::TLSv1_3 => c"TLSv1.3",
            ProtocolVersion::TLSv1_2 => c"TLSv1.2",
            ProtocolVersion::TLSv1_1 => c"TLSv1.1",
            ProtocolVersion::TLSv1_0 => c"TLSv1",
            _ => c"unknown",
        })
    }

    /// The cipher suite (OpenSSL's name and its strength in bits).
    pub fn cipher(&self) -> Option<(&'static CStr, u32)> {
        let suite = self.conn()?.negotiated_cipher_suite()?.suite();
        Some(openssl_cipher(suite))
    }

    /// The bytes a record adds to its plaintext with the negotiated suite (header, explicit
    /// nonce, content type, tag), so that a record of `mss - overhead` plaintext bytes fills one
    /// packet exactly: TLS 1.3 5 + 1 + 16; TLS 1.2 AES-GCM 5 + 8 + 16, ChaCha20-Poly1305 5 + 16.
    /// Before the handshake (or for a suite not listed) 32, a bound that fits every AEAD suite.
    pub fn record_overhead(&self) -> usize {
        let Some(c) = self.conn() else { return 32 };
        match (c.protocol_version(), c.negotiated_cipher_suite().map(|s| s.suite())) {
            (Some(ProtocolVersion::TLSv1_3), Some(_)) => 5 + 1 + 16,
            (
                Some(ProtocolVersion::TLSv1_2),
                Some(
                    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
                    | CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
                    | CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
                    | CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                ),
            ) => 5 + 8 + 16,
            (
                Some(ProtocolVersion::TLSv1_2),
                Some(CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 | CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256),
            ) => 5 + 16,
            _ => 32,
        }
    }

    /// Whether the session was resumed (None before the handshake is done).
    pub fn session_reused(&self) -> Option<bool> {
        let c = self.conn()?;
        if c.is_handshaking() {
            return None;
        }
        Some(c.handshake_kind()? == HandshakeKind::Resumed)
    }
}

/// OpenSSL's name of a suite and its key length in bits (what `SSL_CIPHER_get_name` /
/// `SSL_CIPHER_get_bits` return, so access logs read as with 2.2.5).
pub fn openssl_cipher(s: CipherSuite) -> (&'static CStr, u32) {
    match s {
        CipherSuite::TLS13_AES_128_GCM_SHA256 => (c"TLS_AES_128_GCM_SHA256", 128),
        CipherSuite::TLS13_AES_256_GCM_SHA384 => (c"TLS_AES_256_GCM_SHA384", 256),
        CipherSuite::TLS13_CHACHA20_POLY1305_SHA256 => (c"TLS_CHACHA20_POLY1305_SHA256", 256),
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 => (c"ECDHE-ECDSA-AES128-GCM-SHA256", 128),
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 => (c"ECDHE-ECDSA-AES256-GCM-SHA384", 256),
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 => (c"ECDHE-ECDSA-CHACHA20-POLY1305", 256),
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 => (c"ECDHE-RSA-AES128-GCM-SHA256", 128),
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 => (c"ECDHE-RSA-AES256-GCM-SHA384", 256),
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 => (c"ECDHE-RSA-CHACHA20-POLY1305", 256),
        _ => (c"unknown", 0),
    }
}

#[cfg(test)]
mod tests;

/// Hands rustls one group of plaintext slices (one record, or several of 16 KiB).
fn write_plaintext(conn: &mut ServerConnection, group: &[IoSlice<'_>]) -> Result<(), TlsError> {
    let total: usize = group.iter().map(|g| g.len()).sum();
    if total == 0 {
        return Ok(());
    }
    // With no buffer limit (set at the handshake's end) rustls takes all of it.
    match conn.writer().write_vectored(group) {
        Ok(n) if n == total => Ok(()),
        _ => Err(TlsError::Protocol("cannot encrypt".into())),
    }
}
