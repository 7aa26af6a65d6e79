//! The state machine against a rustls client, in memory.

use std::io::Read;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme};

use super::*;
use crate::tls::config::{load_pem, Spec, TlsConfig};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tls/certs/");

fn cert(name: &str) -> Arc<rustls::sign::CertifiedKey> {
    load_pem(&format!("{DIR}{name}.crt"), &format!("{DIR}{name}.key")).unwrap()
}

fn server_config() -> Arc<TlsConfig> {
    let mut spec = Spec::new(cert("localhost"));
    spec.add_sni("other.test", cert("other"));
    TlsConfig::build(&spec).unwrap()
}

/// Accepts any certificate (the tests check which one came, not who signed it).
#[derive(Debug)]
struct AnyCert;

impl ServerCertVerifier for AnyCert {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(&self, _: &[u8], _: &CertificateDer<'_>, _: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }
    fn verify_tls13_signature(&self, _: &[u8], _: &CertificateDer<'_>, _: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        client_provider().signature_verification_algorithms.supported_schemes()
    }
}

/// The client side's provider: ring's, as the server's (deprecated in 0.23.48 for lacking
/// post-quantum key exchange; see crate::tls::config).
#[allow(deprecated)]
fn client_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

fn client_config(alpn: &[&[u8]], tls12_only: bool) -> Arc<ClientConfig> {
    let provider = Arc::new(client_provider());
    let b = ClientConfig::builder_with_provider(provider);
    let b = if tls12_only { b.with_protocol_versions(&[&rustls::version::TLS12]) } else { b.with_safe_default_protocol_versions() };
    let mut c = b.unwrap().dangerous().with_custom_certificate_verifier(Arc::new(AnyCert)).with_no_client_auth();
    c.alpn_protocols = alpn.iter().map(|a| a.to_vec()).collect();
    Arc::new(c)
}

/// Moves bytes both ways until neither side has anything to say.
fn pump(server: &mut Session, client: &mut ClientConnection) -> Result<(), TlsError> {
    for _ in 0..20 {
        let mut to_server = Vec::new();
        while client.wants_write() {
            client.write_tls(&mut to_server).unwrap();
        }
        server.feed(&to_server)?;
        let mut out = Vec::new();
        server.write_to(&mut out).unwrap();
        let mut rd = &out[..];
        while !rd.is_empty() {
            client.read_tls(&mut rd).unwrap();
            client.process_new_packets().expect("client accepts what the server sent");
        }
        if to_server.is_empty() && out.is_empty() {
            return Ok(());
        }
    }
    panic!("the handshake did not settle");
}

fn connect(cfg: &Arc<TlsConfig>, client_cfg: Arc<ClientConfig>, name: &str) -> (Session, ClientConnection) {
    let mut s = Session::new(cfg.clone());
    let mut c = ClientConnection::new(client_cfg, ServerName::try_from(name.to_string()).unwrap()).unwrap();
    pump(&mut s, &mut c).unwrap();
    assert!(s.is_established() && !c.is_handshaking());
    (s, c)
}

#[test]
fn tls13_handshake_alpn_h2_and_data_both_ways() {
    let cfg = server_config();
    let (mut s, mut c) = connect(&cfg, client_config(&[b"h2", b"http/1.1"], false), "localhost");
    assert!(s.take_handshake_done());
    assert!(!s.take_handshake_done(), "reported once");
    assert_eq!(s.alpn(), Some(&b"h2"[..]));
    assert_eq!(s.protocol_version(), Some(c"TLSv1.3"));
    let (name, bits) = s.cipher().unwrap();
    let name = name.to_str().unwrap();
    assert!(name.starts_with("TLS_") && (bits == 128 || bits == 256), "{name} {bits}");
    assert_eq!(s.session_reused(), Some(false));
    use std::io::{Read, Write};
    c.writer().write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    pump(&mut s, &mut c).unwrap();
    let mut buf = [0u8; 64];
    let n = s.take_plaintext(&mut buf);
    assert_eq!(&buf[..n], b"GET / HTTP/1.1\r\n\r\n");
    assert_eq!(s.take_plaintext(&mut buf), 0);
    s.encrypt(&[b"HTTP/1.1 200 OK\r\n\r\n"], MAX_RECORD_PAYLOAD).unwrap();
    pump(&mut s, &mut c).unwrap();
    let mut got = Vec::new();
    let _ = c.reader().read_to_end(&mut got);
    assert_eq!(got, b"HTTP/1.1 200 OK\r\n\r\n");
}

#[test]
fn tls12_handshake_and_openssl_cipher_name() {
    let cfg = server_config();
    let (s, _c) = connect(&cfg, client_config(&[b"http/1.1"], true), "localhost");
    assert_eq!(s.protocol_version(), Some(c"TLSv1.2"));
    assert_eq!(s.alpn(), Some(&b"http/1.1"[..]));
    let (name, _) = s.cipher().unwrap();
    assert!(name.to_str().unwrap().starts_with("ECDHE-ECDSA-"), "{name:?}");
}

#[test]
fn no_alpn_or_unknown_alpn_falls_back_without_alert() {
    let cfg = server_config();
    let (s, c) = connect(&cfg, client_config(&[], false), "localhost");
    assert_eq!(s.alpn(), None);
    assert_eq!(c.alpn_protocol(), None);
    let (s, _) = connect(&cfg, client_config(&[b"foo"], false), "localhost");
    assert_eq!(s.alpn(), None, "no application protocol, but the handshake completed");
}

#[test]
fn sni_picks_the_certificate() {
    let cfg = server_config();
    for (name, cn) in [("other.test", "other"), ("localhost", "localhost"), ("unknown.test", "localhost")] {
        let (_s, c) = connect(&cfg, client_config(&[], false), name);
        let leaf = &c.peer_certificates().unwrap()[0];
        let want = cert(cn).cert[0].clone();
        assert_eq!(leaf.as_ref(), want.as_ref(), "{name}");
    }
}

#[test]
fn resumption_with_tickets_tls13_and_tls12() {
    let cfg = server_config();
    for tls12 in [false, true] {
        let ccfg = client_config(&[], tls12);
        let (s, _c) = connect(&cfg, ccfg.clone(), "localhost");
        assert_eq!(s.session_reused(), Some(false));
        let (s, _c) = connect(&cfg, ccfg, "localhost");
        assert_eq!(s.session_reused(), Some(true), "tls12 {tls12}");
    }
}

#[test]
fn records_are_no_larger_than_asked() {
    let cfg = server_config();
    let (mut s, _c) = connect(&cfg, client_config(&[], false), "localhost");
    let data = vec![b'x'; 10_000];
    for (payload, records) in [(1000usize, 10usize), (MAX_RECORD_PAYLOAD, 1), (100_000, 1)] {
        s.encrypt(&[&data], payload).unwrap();
        let lens = record_lengths(&mut s);
        assert_eq!(lens.len(), records, "payload {payload}: {lens:?}");
        assert!(lens.iter().all(|&n| n <= payload.min(MAX_RECORD_PAYLOAD) + 256));
    }
}

/// The TLS records `s` has queued (5-byte header with the length in bytes 3..5), written out.
fn record_lengths(s: &mut Session) -> Vec<usize> {
    let mut buf = Vec::new();
    s.write_to(&mut buf).unwrap();
    assert!(!s.has_output());
    let mut out = &buf[..];
    let mut lens = Vec::new();
    while out.len() >= 5 {
        let n = u16::from_be_bytes([out[3], out[4]]) as usize;
        lens.push(n);
        out = &out[5 + n..];
    }
    assert!(out.is_empty(), "whole records");
    lens
}

#[test]
fn slices_share_records_and_arrive_in_order() {
    let cfg = server_config();
    let (mut s, mut c) = connect(&cfg, client_config(&[], false), "localhost");
    let parts: Vec<Vec<u8>> = (0..5u8).map(|i| vec![b'a' + i; 3000]).collect();
    let slices: Vec<&[u8]> = [&b"head"[..]].into_iter().chain(parts.iter().map(|p| &p[..])).collect();
    let want: Vec<u8> = slices.concat();
    // Full records: a 4-byte head and five 3000-byte parts make one record; latency-sized records
    // of 4000 bytes span slice boundaries: 15004 bytes in 4 records.
    for (payload, records) in [(MAX_RECORD_PAYLOAD, 1), (4000, 4)] {
        s.encrypt(&slices, payload).unwrap();
        let mut buf = Vec::new();
        s.write_to(&mut buf).unwrap();
        let mut scan = &buf[..];
        let mut n_records = 0;
        while scan.len() >= 5 {
            let n = u16::from_be_bytes([scan[3], scan[4]]) as usize;
            n_records += 1;
            scan = &scan[5 + n..];
        }
        assert_eq!(n_records, records, "payload {payload}");
        assert_eq!(client_reads(&mut c, &buf), want, "payload {payload}");
    }
}

/// A writer that takes at most `max` bytes per call and fails with WouldBlock every other call.
struct Choppy {
    got: Vec<u8>,
    max: usize,
    calls: usize,
}

impl std::io::Write for Choppy {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.calls += 1;
        if self.calls % 2 == 0 {
            return Err(std::io::ErrorKind::WouldBlock.into());
        }
        let n = b.len().min(self.max);
        self.got.extend_from_slice(&b[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn short_writes_lose_nothing() {
    let cfg = server_config();
    let (mut s, mut c) = connect(&cfg, client_config(&[], false), "localhost");
    let data = vec![7u8; 50_000];
    s.encrypt(&[&data], MAX_RECORD_PAYLOAD).unwrap();
    s.close_notify();
    let mut w = Choppy { got: Vec::new(), max: 1000, calls: 0 };
    let mut tries = 0;
    while let Err(e) = s.write_to(&mut w) {
        assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
        tries += 1;
        assert!(tries < 1000);
    }
    assert!(!s.has_output());
    assert_eq!(client_reads(&mut c, &w.got), data, "every byte, in order");
}

/// What the client decrypts out of `tls` (read as it comes: its plaintext buffer is bounded).
fn client_reads(c: &mut ClientConnection, mut tls: &[u8]) -> Vec<u8> {
    let mut got = Vec::new();
    while !tls.is_empty() {
        c.read_tls(&mut tls).unwrap();
        c.process_new_packets().unwrap();
        let _ = c.reader().read_to_end(&mut got);
    }
    got
}

#[test]
fn garbage_instead_of_client_hello_fails() {
    let cfg = server_config();
    let mut s = Session::new(cfg.clone());
    assert!(s.feed(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").is_err());
    assert!(s.has_failed());
    assert!(s.feed(b"more").is_err(), "a failed session stays failed");
    let mut s = Session::new(cfg);
    assert!(s.feed(&[0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5]).is_err(), "a handshake record that is no ClientHello");
    assert!(s.has_failed());
}

#[test]
fn truncated_client_hello_waits() {
    let cfg = server_config();
    let mut c = ClientConnection::new(client_config(&[], false), ServerName::try_from("localhost").unwrap()).unwrap();
    let mut hello = Vec::new();
    while c.wants_write() {
        c.write_tls(&mut hello).unwrap();
    }
    let mut s = Session::new(cfg);
    s.feed(&hello[..hello.len() / 2]).unwrap();
    assert!(!s.is_established() && !s.has_failed() && !s.has_output());
    s.feed(&hello[hello.len() / 2..]).unwrap();
    assert!(s.has_output(), "the ServerHello is ready");
}

#[test]
fn corrupted_record_after_handshake_fails() {
    let cfg = server_config();
    let (mut s, mut c) = connect(&cfg, client_config(&[], false), "localhost");
    use std::io::Write;
    c.writer().write_all(b"hello").unwrap();
    let mut rec = Vec::new();
    while c.wants_write() {
        c.write_tls(&mut rec).unwrap();
    }
    let last = rec.len() - 1;
    rec[last] ^= 1;
    assert!(s.feed(&rec).is_err());
    assert!(s.has_failed());
}

#[test]
fn close_notify_is_seen() {
    let cfg = server_config();
    let (mut s, mut c) = connect(&cfg, client_config(&[], false), "localhost");
    c.send_close_notify();
    pump(&mut s, &mut c).unwrap();
    assert!(s.peer_closed());
}

#[test]
fn many_records_fed_at_once_all_come_out() {
    // rustls refuses ciphertext while its plaintext buffer (16 KiB) is full: the session must
    // empty it between records, or a fast client's upload fails.
    let cfg = server_config();
    let (mut s, mut c) = connect(&cfg, client_config(&[], false), "localhost");
    use std::io::Write;
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    c.set_buffer_limit(None);
    c.writer().write_all(&data).unwrap();
    let mut wire = Vec::new();
    while c.wants_write() {
        c.write_tls(&mut wire).unwrap();
    }
    s.feed(&wire).unwrap();
    let mut got = vec![0u8; data.len() + 10];
    let n = s.take_plaintext(&mut got);
    assert_eq!(&got[..n], &data[..]);
}

#[test]
fn records_of_mss_less_the_overhead_fill_packets_exactly() {
    // what the latency-optimized writer relies on: plaintext records of `mss - record_overhead()`
    // bytes come out as ciphertext records of exactly `mss` bytes, for TLS 1.3 and TLS 1.2
    let cfg = server_config();
    for tls12 in [false, true] {
        let (mut s, _c) = connect(&cfg, client_config(&[], tls12), "localhost");
        let overhead = s.record_overhead();
        if tls12 {
            assert!(overhead == 29 || overhead == 21, "TLS 1.2 AES-GCM or ChaCha20: {overhead}");
        } else {
            assert_eq!(overhead, 22);
        }
        let mss = 1448;
        s.encrypt(&[&vec![b'x'; 7 * (mss - overhead)]], mss - overhead).unwrap();
        let lens = record_lengths(&mut s);
        assert_eq!(lens, vec![mss - 5; 7], "tls12 {tls12}: every record is one packet");
    }
    assert_eq!(Session::failed().record_overhead(), 32);
}
