//! Placeholder of the OpenSSL `SSL_CTX` bridge (the `tls-bridge` branch replaces this file).
//!
//! The contract the engine uses: [`from_ssl_ctx`] reads the certificate chain (DER, leaf first),
//! the private key (DER PKCS#8) and the ALPN list registered by `h2o_ssl_register_alpn_protocols`
//! out of an OpenSSL `SSL_CTX *`. Until the bridge is built it always fails, and an accept context
//! holding an OpenSSL `SSL_CTX` has its connections closed with that message logged.

/// What the bridge reads out of an `SSL_CTX`.
pub struct Bridged {
    /// DER certificates, leaf first.
    pub chain: Vec<Vec<u8>>,
    /// DER PKCS#8 private key.
    pub key_pkcs8: Vec<u8>,
    /// The list registered with `h2o_ssl_register_alpn_protocols` on that context; None if never registered.
    pub alpn: Option<Vec<Vec<u8>>>,
}

/// Reads an OpenSSL `SSL_CTX *`.
///
/// # Safety
/// `ssl_ctx` is a live OpenSSL `SSL_CTX *` (the placeholder does not dereference it).
pub unsafe fn from_ssl_ctx(ssl_ctx: *mut core::ffi::c_void) -> Result<Bridged, String> {
    let _ = ssl_ctx;
    Err("OpenSSL bridge not built".to_string())
}
