//! A TLS listener's configuration: certificates (a default and one per SNI host name), the ALPN
//! list, and the rustls `ServerConfig`s built from them.
//!
//! Two `ServerConfig`s are built, sharing one certificate resolver, ticketer and session cache:
//! one with our ALPN list and one with none. [`crate::tls::session`] picks per connection from the
//! client's ALPN offer, so a client that offers nothing we speak gets HTTP/1.1 instead of rustls'
//! `no_application_protocol` alert (H2O's behaviour).
//!
//! Resumption: a session cache of [`SESSION_CACHE_SIZE`] entries (TLS 1.2 session ids) and
//! tickets from rustls' `Ticketer` (ring's ChaCha20-Poly1305 keys, rotated every 6 hours, the
//! previous key still accepted). 0-RTT is off (`max_early_data_size` 0, rustls' default: no replay
//! protection here). TLS 1.3 and 1.2 with rustls' safe default suites.

#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert, ServerConfig, ServerSessionMemoryCache};
use rustls::sign::CertifiedKey;

/// TLS 1.2 sessions remembered by id (per listener configuration).
pub(crate) const SESSION_CACHE_SIZE: usize = 4096;

/// The ALPN list when none is set: HTTP/2, then HTTP/1.1.
pub fn default_alpn() -> Vec<Vec<u8>> {
    vec![b"h2".to_vec(), b"http/1.1".to_vec()]
}

fn provider() -> Arc<CryptoProvider> {
    // rustls 0.23.48 deprecates ring's provider for lacking post-quantum key exchange
    // (X25519MLKEM768); kept on purpose (build time, see Cargo.toml).
    #[allow(deprecated)]
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A certificate chain (PEM file) and its key (PEM file: PKCS#8, PKCS#1 or SEC1).
pub fn load_pem(chain_file: &str, key_file: &str) -> Result<Arc<CertifiedKey>, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(chain_file)
        .map_err(|e| format!("{chain_file}: {e}"))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{chain_file}: {e}"))?;
    if certs.is_empty() {
        return Err(format!("{chain_file}: no certificate"));
    }
    let key = PrivateKeyDer::from_pem_file(key_file).map_err(|e| format!("{key_file}: {e}"))?;
    certified(certs, key)
}

/// A chain of DER certificates (leaf first) and a DER PKCS#8 key (what the OpenSSL bridge gives).
pub fn from_der(chain: Vec<Vec<u8>>, key_pkcs8: Vec<u8>) -> Result<Arc<CertifiedKey>, String> {
    if chain.is_empty() {
        return Err("no certificate".into());
    }
    let certs = chain.into_iter().map(CertificateDer::from).collect();
    certified(certs, PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pkcs8)))
}

fn certified(certs: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static>) -> Result<Arc<CertifiedKey>, String> {
    let ck = CertifiedKey::from_der(certs, key, &provider()).map_err(|e| format!("certificate and key: {e}"))?;
    Ok(Arc::new(ck))
}

/// Chooses the certificate by the SNI name (exact, then `*.` one label up), else the default.
struct Resolver {
    default: Arc<CertifiedKey>,
    by_name: HashMap<String, Arc<CertifiedKey>>,
}

impl fmt::Debug for Resolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolver").field("names", &self.by_name.keys().collect::<Vec<_>>()).finish()
    }
}

impl Resolver {
    fn pick(&self, name: Option<&str>) -> Arc<CertifiedKey> {
        if let Some(name) = name {
            let name = name.to_ascii_lowercase();
            if let Some(c) = self.by_name.get(&name) {
                return c.clone();
            }
            if let Some((_, parent)) = name.split_once('.')
                && let Some(c) = self.by_name.get(&format!("*.{parent}"))
            {
                return c.clone();
            }
        }
        self.default.clone()
    }
}

impl ResolvesServerCert for Resolver {
    fn resolve(&self, client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.pick(client_hello.server_name()))
    }
}

/// What a configuration is made of before it is built.
#[derive(Clone)]
pub struct Spec {
    pub default: Arc<CertifiedKey>,
    pub sni: HashMap<String, Arc<CertifiedKey>>,
    pub alpn: Vec<Vec<u8>>,
}

impl Spec {
    pub fn new(default: Arc<CertifiedKey>) -> Spec {
        Spec { default, sni: HashMap::new(), alpn: default_alpn() }
    }

    pub fn add_sni(&mut self, name: &str, key: Arc<CertifiedKey>) {
        self.sni.insert(name.to_ascii_lowercase(), key);
    }
}

/// A built configuration, shared by the connections of the listeners using it.
pub struct TlsConfig {
    with_alpn: Arc<ServerConfig>,
    without_alpn: Arc<ServerConfig>,
    alpn: Vec<Vec<u8>>,
}

impl TlsConfig {
    pub fn build(spec: &Spec) -> Result<Arc<TlsConfig>, String> {
        let resolver = Arc::new(Resolver { default: spec.default.clone(), by_name: spec.sni.clone() });
        let mut cfg = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_cert_resolver(resolver);
        cfg.session_storage = ServerSessionMemoryCache::new(SESSION_CACHE_SIZE);
        cfg.ticketer = rustls::crypto::ring::Ticketer::new().map_err(|e| e.to_string())?;
        cfg.max_early_data_size = 0;
        cfg.send_half_rtt_data = false;
        cfg.ignore_client_order = true;
        let without_alpn = Arc::new(cfg.clone());
        cfg.alpn_protocols = spec.alpn.clone();
        Ok(Arc::new(TlsConfig { with_alpn: Arc::new(cfg), without_alpn, alpn: spec.alpn.clone() }))
    }

    /// The ALPN list we select from (in our order of preference).
    pub fn alpn(&self) -> &[Vec<u8>] {
        &self.alpn
    }

    /// The rustls config for a client whose ALPN offer overlaps ours (true) or not (false).
    pub fn server_config(&self, alpn_overlap: bool) -> Arc<ServerConfig> {
        if alpn_overlap { self.with_alpn.clone() } else { self.without_alpn.clone() }
    }
}
