//! The state machine against a rustls client, in memory.

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
        rustls::crypto::ring::default_provider().signature_verification_algorithms.supported_schemes()
    }
}

fn client_config(alpn: &[&[u8]], tls12_only: bool) -> Arc<ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
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
        let out = server.out().to_vec();
        server.consumed_out(out.len());
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
    s.encrypt(b"HTTP/1.1 200 OK\r\n\r\n", MAX_RECORD_PAYLOAD).unwrap();
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
        s.encrypt(&data, payload).unwrap();
        // TLS records: 5-byte header with the length in bytes 3..5.
        let mut out = s.out();
        let mut lens = Vec::new();
        while out.len() >= 5 {
            let n = u16::from_be_bytes([out[3], out[4]]) as usize;
            lens.push(n);
            out = &out[5 + n..];
        }
        assert_eq!(lens.len(), records, "payload {payload}: {lens:?}");
        assert!(lens.iter().all(|&n| n <= payload.min(MAX_RECORD_PAYLOAD) + 256));
        let n = s.out().len();
        s.consumed_out(n);
    }
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
    assert!(!s.is_established() && !s.has_failed() && s.out().is_empty());
    s.feed(&hello[hello.len() / 2..]).unwrap();
    assert!(!s.out().is_empty(), "the ServerHello is ready");
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
