//! TLS with rustls (ring provider; see Cargo.toml for why).
//!
//! - [`config`]: certificates, SNI, ALPN and the rustls `ServerConfig`s (safe Rust).
//! - [`session`]: one server connection as a sans-IO state machine (safe Rust); the socket layer
//!   (`crate::evloop::socket`) feeds it ciphertext and plaintext.
//! - [`bridge`]: reads the certificate chain, key and ALPN list out of an OpenSSL `SSL_CTX *`
//!   (2.2.5 embedders put one in `h2o_accept_ctx_t.ssl_ctx`); the only part that touches libssl.
//! - this module: the registry that tells what `h2o_accept_ctx_t.ssl_ctx` points to. The native
//!   API (`include/h2o/rs_tls.h`, `crate::ffi::tls`) stores a pointer to a [`Handle`] there; the
//!   registry knows those pointers, and anything else is taken for an OpenSSL `SSL_CTX`, read once
//!   by the bridge and cached per pointer; the bridge tells when OpenSSL frees such a context
//!   (`bridge::add_free_hook`), and its entry is dropped then, so a new `SSL_CTX` made at a freed
//!   one's address is read afresh.

pub mod bridge;
pub mod config;
pub mod log;
pub mod session;

use std::collections::HashMap;
use std::ffi::c_void;
use std::sync::{Arc, Mutex, OnceLock};

use config::{Spec, TlsConfig};

/// A configuration made through the native API: its parts, and the built config (rebuilt after a
/// change; connections keep the one they started with).
pub struct Handle {
    spec: Mutex<Spec>,
    built: Mutex<Option<Arc<TlsConfig>>>,
}

impl Handle {
    pub fn new(spec: Spec) -> Handle {
        Handle { spec: Mutex::new(spec), built: Mutex::new(None) }
    }

    /// Changes the parts; the next connection gets a config built from them.
    pub fn update(&self, f: impl FnOnce(&mut Spec)) {
        f(&mut self.spec.lock().unwrap_or_else(|e| e.into_inner()));
        *self.built.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The built config (building it when needed).
    pub fn config(&self) -> Result<Arc<TlsConfig>, String> {
        let mut built = self.built.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = &*built {
            return Ok(c.clone());
        }
        let spec = self.spec.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let c = TlsConfig::build(&spec)?;
        *built = Some(c.clone());
        Ok(c)
    }
}

type Registry = Mutex<HashMap<usize, Arc<Handle>>>;
type BridgeCache = Mutex<HashMap<usize, Result<Arc<TlsConfig>, String>>>;

fn ours() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(Default::default)
}

fn bridged() -> &'static BridgeCache {
    static R: OnceLock<BridgeCache> = OnceLock::new();
    R.get_or_init(|| {
        bridge::add_free_hook(forget_bridged);
        Default::default()
    })
}

/// Run by the bridge from `SSL_CTX_free`: what was built from the freed context is dropped
/// (connections that hold its config keep it).
fn forget_bridged(addr: usize) {
    bridged().lock().unwrap_or_else(|e| e.into_inner()).remove(&addr);
}

/// Registers a native handle under its address (what goes into `accept_ctx.ssl_ctx`).
pub fn register(addr: usize, h: Arc<Handle>) {
    ours().lock().unwrap_or_else(|e| e.into_inner()).insert(addr, h);
}

/// Forgets a native handle; true if it was registered.
pub fn unregister(addr: usize) -> bool {
    ours().lock().unwrap_or_else(|e| e.into_inner()).remove(&addr).is_some()
}

/// The registered handle at `addr`.
pub fn handle(addr: usize) -> Option<Arc<Handle>> {
    ours().lock().unwrap_or_else(|e| e.into_inner()).get(&addr).cloned()
}

/// The config for what `accept_ctx.ssl_ctx` holds: a native handle, or an OpenSSL `SSL_CTX`
/// read through the bridge (once per pointer; a failure is remembered too, so it is logged once).
/// The bool is true when this call produced a new error (log it).
///
/// # Safety
/// `ssl_ctx` is a handle of the native API or a live OpenSSL `SSL_CTX *`.
pub unsafe fn resolve(ssl_ctx: *mut c_void) -> (Result<Arc<TlsConfig>, String>, bool) {
    let addr = ssl_ctx as usize;
    if let Some(h) = handle(addr) {
        let r = h.config();
        let fresh = r.is_err();
        return (r, fresh);
    }
    let mut cache = bridged().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(r) = cache.get(&addr) {
        return (r.clone(), false);
    }
    // SAFETY: not one of ours, so (per the contract) a live OpenSSL SSL_CTX.
    let r = unsafe { bridge::from_ssl_ctx(ssl_ctx) }.and_then(|b| {
        let key = config::from_der(b.chain, b.key_pkcs8)?;
        let mut spec = Spec::new(key);
        // 2.2.5 negotiates ALPN only on a context registered with h2o_ssl_register_alpn_protocols.
        spec.alpn = b.alpn.unwrap_or_default();
        TlsConfig::build(&spec)
    });
    let r = r.map_err(|e| format!("SSL_CTX {ssl_ctx:p}: {e}"));
    cache.insert(addr, r.clone());
    (r, true)
}
