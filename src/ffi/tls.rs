//! TLS exports: 2.2.5's socket getters (`h2o_socket_get_ssl_*`, `h2o_socket_log_ssl_*`,
//! `h2o_socket_ssl_get_selected_protocol`, `h2o_socket_ssl_handshake`) and the native API of
//! `include/h2o/rs_tls.h` (`h2o_rs_tls_*`), over `crate::tls` and the socket layer's TLS
//! (`crate::evloop::socket::tls`).
//!
//! Ownership: strings the getters return are static or borrowed from the socket's session (valid
//! until the socket is closed); the `h2o_socket_log_ssl_*` texts are allocated from the pool given
//! (malloc'd when it is NULL: the caller frees them). A `h2o_rs_tls_config_t` is the caller's from
//! `h2o_rs_tls_config_new_from_pem` until `h2o_rs_tls_config_free`; connections already accepted
//! keep what they need, so freeing it while they run is safe, but no accept context may hold it then.

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_int, c_void, CStr};
use std::ptr::null_mut;
use std::sync::Arc;

use crate::abi::request::h2o_accept_ctx_t;
use crate::abi::memory::{h2o_iovec_t, h2o_mem_pool_t};
use crate::abi::panic::boundary;
use crate::abi::socket::{h2o_socket_cb, h2o_socket_t};
use crate::evloop::socket::tls as sock_tls;
use crate::tls::config::{self, Spec};
use crate::tls::Handle;

const NONE: h2o_iovec_t = h2o_iovec_t { base: null_mut(), len: 0 };

/// `bytes` as text from `pool` (malloc'd when NULL).
///
/// # Safety
/// `pool` is NULL or a live pool.
unsafe fn alloc_text(pool: *mut h2o_mem_pool_t, bytes: &[u8]) -> h2o_iovec_t {
    // SAFETY: per the contract; the malloc'd block has room for the bytes and a NUL.
    unsafe {
        if pool.is_null() {
            let p = crate::mem::malloc_or_die(bytes.len() + 1).cast::<u8>();
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
            *p.add(bytes.len()) = 0;
            h2o_iovec_t { base: p.cast(), len: bytes.len() }
        } else {
            crate::core::headers::pool_strdup(&mut *pool, bytes)
        }
    }
}

// ---- 2.2.5's getters ----------------------------------------------------------------------------------

/// The TLS version ("TLSv1.3", "TLSv1.2": OpenSSL's names, static); NULL for a plain socket.
///
/// # Safety
/// `s` is a live socket.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_get_ssl_protocol_version(s: *mut h2o_socket_t) -> *const c_char {
    boundary("h2o_socket_get_ssl_protocol_version", std::ptr::null(), || {
        // SAFETY: per the contract.
        unsafe { sock_tls::session_of(s) }.and_then(|t| t.protocol_version()).map_or(std::ptr::null(), CStr::as_ptr)
    })
}

/// 1 when the TLS session was resumed (ticket or session id), 0 when not, -1 for a plain socket
/// (or a handshake not finished).
///
/// # Safety
/// `s` is a live socket.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_get_ssl_session_reused(s: *mut h2o_socket_t) -> c_int {
    boundary("h2o_socket_get_ssl_session_reused", -1, || {
        // SAFETY: per the contract.
        unsafe { sock_tls::session_of(s) }.and_then(|t| t.session_reused()).map_or(-1, c_int::from)
    })
}

/// The cipher suite by OpenSSL's name, as 2.2.5 returns it ("TLS_AES_256_GCM_SHA384",
/// "ECDHE-RSA-AES128-GCM-SHA256", ...; static); NULL for a plain socket.
///
/// # Safety
/// `s` is a live socket.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_get_ssl_cipher(s: *mut h2o_socket_t) -> *const c_char {
    boundary("h2o_socket_get_ssl_cipher", std::ptr::null(), || {
        // SAFETY: per the contract.
        unsafe { sock_tls::session_of(s) }.and_then(|t| t.cipher()).map_or(std::ptr::null(), |(n, _)| n.as_ptr())
    })
}

/// The cipher's key length in bits (128 or 256); 0 for a plain socket.
///
/// # Safety
/// `s` is a live socket.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_get_ssl_cipher_bits(s: *mut h2o_socket_t) -> c_int {
    boundary("h2o_socket_get_ssl_cipher_bits", 0, || {
        // SAFETY: per the contract.
        unsafe { sock_tls::session_of(s) }.and_then(|t| t.cipher()).map_or(0, |(_, b)| b as c_int)
    })
}

/// The TLS session id: always {NULL, 0}. rustls does not expose the id of a session (2.2.5
/// returns OpenSSL's); the access log's `%{ssl.session-id}x` therefore prints "-".
///
/// # Safety
/// `s` is a live socket.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_get_ssl_session_id(s: *mut h2o_socket_t) -> h2o_iovec_t {
    boundary("h2o_socket_get_ssl_session_id", NONE, || {
        let _ = s;
        NONE
    })
}

/// The cipher bits as decimal text (allocated from `pool`, or malloc'd when `pool` is NULL: the
/// caller frees it); {NULL, 0} for a plain socket.
///
/// # Safety
/// `s` is a live socket; `pool` is NULL or a live pool.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_log_ssl_cipher_bits(s: *mut h2o_socket_t, pool: *mut h2o_mem_pool_t) -> h2o_iovec_t {
    boundary("h2o_socket_log_ssl_cipher_bits", NONE, || {
        // SAFETY: per the contract.
        unsafe {
            match sock_tls::session_of(s).and_then(|t| t.cipher()) {
                Some((_, bits)) => alloc_text(pool, bits.to_string().as_bytes()),
                None => NONE,
            }
        }
    })
}

/// The session id, base64-encoded, for the access log: {NULL, 0} (see
/// `h2o_socket_get_ssl_session_id`).
///
/// # Safety
/// `s` is a live socket; `pool` is NULL or a live pool.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_log_ssl_session_id(s: *mut h2o_socket_t, pool: *mut h2o_mem_pool_t) -> h2o_iovec_t {
    boundary("h2o_socket_log_ssl_session_id", NONE, || {
        let _ = (s, pool);
        NONE
    })
}

/// The protocol ALPN selected ("h2", "http/1.1"; borrowed from the socket's session until it is
/// closed); {NULL, 0} when none was (a plain socket, or a client that offered nothing we speak).
///
/// # Safety
/// `s` is a live socket.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_ssl_get_selected_protocol(s: *mut h2o_socket_t) -> h2o_iovec_t {
    boundary("h2o_socket_ssl_get_selected_protocol", NONE, || {
        // SAFETY: per the contract.
        match unsafe { sock_tls::session_of(s) }.and_then(|t| t.alpn()) {
            Some(p) => h2o_iovec_t { base: p.as_ptr().cast_mut().cast(), len: p.len() },
            None => NONE,
        }
    })
}

/// `h2o_socket_ssl_handshake(sock, ssl_ctx, server_name, cb)`: makes `sock` a TLS socket and runs
/// the server-side handshake; `cb(sock, NULL)` from the loop once established, `cb(sock, err)`
/// when it failed (the caller then closes the socket). `ssl_ctx` is a `h2o_rs_tls_config_t *`
/// or an OpenSSL `SSL_CTX *` (read through the bridge). Client mode (`server_name` not NULL) is
/// not supported: the handshake fails (logged).
///
/// # Safety
/// `sock` is a live, open, plain socket of this library that is not reading; `ssl_ctx` as above.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_socket_ssl_handshake(sock: *mut h2o_socket_t, ssl_ctx: *mut c_void, server_name: *const c_char, cb: h2o_socket_cb) {
    boundary("h2o_socket_ssl_handshake", (), || {
        let config = if !server_name.is_null() {
            eprintln!("libh2o-rs: h2o_socket_ssl_handshake: client-side TLS is not supported");
            None
        } else {
            // SAFETY: per the contract.
            match unsafe { crate::tls::resolve(ssl_ctx) } {
                (Ok(c), _) => Some(c),
                (Err(e), fresh) => {
                    if fresh {
                        eprintln!("libh2o-rs: h2o_socket_ssl_handshake: {e}");
                    }
                    None
                }
            }
        };
        // SAFETY: per the contract.
        unsafe { sock_tls::handshake(sock.cast(), config, cb) }
    })
}

// ---- the native API (include/h2o/rs_tls.h) ---------------------------------------------------------------

/// Copies `msg` into the caller's buffer (NUL-terminated, truncated to fit).
///
/// # Safety
/// `buf` is NULL or writable for `len` bytes.
unsafe fn set_error(buf: *mut c_char, len: usize, msg: &str) {
    if buf.is_null() || len == 0 {
        return;
    }
    let n = msg.len().min(len - 1);
    // SAFETY: per the contract; n + 1 <= len.
    unsafe {
        std::ptr::copy_nonoverlapping(msg.as_ptr(), buf.cast::<u8>(), n);
        *buf.add(n) = 0;
    }
}

/// A C string argument.
///
/// # Safety
/// `p` is NULL or NUL-terminated.
unsafe fn arg<'a>(p: *const c_char, what: &str) -> Result<&'a str, String> {
    if p.is_null() {
        return Err(format!("{what} is NULL"));
    }
    // SAFETY: per the contract.
    unsafe { CStr::from_ptr(p) }.to_str().map_err(|_| format!("{what} is not UTF-8"))
}

/// `h2o_rs_tls_config_new_from_pem(cert_chain_file, key_file, errbuf, errbuf_len)`: a TLS config
/// with the certificate chain (PEM, leaf first) and its private key (PEM: PKCS#8, PKCS#1 or SEC1)
/// as the default certificate, ALPN {"h2", "http/1.1"}, TLS 1.3 and 1.2, tickets and a session
/// cache. The caller owns it (`h2o_rs_tls_config_free`). NULL on error, with the reason in
/// `errbuf` (NUL-terminated, truncated to `errbuf_len`; `errbuf` may be NULL).
///
/// # Safety
/// The paths are NUL-terminated; `errbuf` is NULL or writable for `errbuf_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_rs_tls_config_new_from_pem(
    cert_chain_file: *const c_char,
    key_file: *const c_char,
    errbuf: *mut c_char,
    errbuf_len: usize,
) -> *mut c_void {
    boundary("h2o_rs_tls_config_new_from_pem", null_mut(), || {
        // SAFETY: per the contract.
        let r = unsafe { arg(cert_chain_file, "cert_chain_file").and_then(|c| Ok((c, arg(key_file, "key_file")?))) }
            .and_then(|(c, k)| config::load_pem(c, k))
            .and_then(|key| {
                let h = Handle::new(Spec::new(key));
                h.config()?; // fails now rather than at the first connection
                Ok(h)
            });
        match r {
            Ok(h) => {
                let h = Arc::new(h);
                let p = Arc::into_raw(h.clone()).cast_mut().cast::<c_void>();
                crate::tls::register(p as usize, h);
                p
            }
            Err(e) => {
                // SAFETY: per the contract.
                unsafe { set_error(errbuf, errbuf_len, &e) };
                null_mut()
            }
        }
    })
}

/// `h2o_rs_tls_config_add_sni(config, server_name, cert_chain_file, key_file, errbuf, errbuf_len)`:
/// serves this certificate to clients asking for `server_name` by SNI (case-insensitive; a name
/// "*.example.com" matches one label); others get the default. 0 on success, -1 with the reason
/// in `errbuf`. Connections accepted afterwards see it. Borrows everything for the call only.
///
/// # Safety
/// `config` came from `h2o_rs_tls_config_new_from_pem` and was not freed; strings as above.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_rs_tls_config_add_sni(
    config: *mut c_void,
    server_name: *const c_char,
    cert_chain_file: *const c_char,
    key_file: *const c_char,
    errbuf: *mut c_char,
    errbuf_len: usize,
) -> c_int {
    boundary("h2o_rs_tls_config_add_sni", -1, || {
        let r = (|| {
            let h = crate::tls::handle(config as usize).ok_or("not a h2o_rs_tls_config_t")?;
            // SAFETY: per the contract.
            let (name, c, k) = unsafe { (arg(server_name, "server_name")?, arg(cert_chain_file, "cert_chain_file")?, arg(key_file, "key_file")?) };
            let key = config::load_pem(c, k)?;
            h.update(|s| s.add_sni(name, key));
            Ok::<(), String>(())
        })();
        match r {
            Ok(()) => 0,
            Err(e) => {
                // SAFETY: per the contract.
                unsafe { set_error(errbuf, errbuf_len, &e) };
                -1
            }
        }
    })
}

/// `h2o_rs_tls_config_set_alpn(config, protocols)`: the protocols ALPN selects from, in order of
/// preference: a list ending with {NULL, 0}, such as `h2o_alpn_protocols` or
/// `h2o_http2_alpn_protocols` (copied); NULL or an empty list: no ALPN (every connection is
/// HTTP/1.1). A client offering none of them still connects, with HTTP/1.1. 0, or -1 when
/// `config` is not a config.
///
/// # Safety
/// `config` as above; `protocols` NULL or a terminated list of readable iovecs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_rs_tls_config_set_alpn(config: *mut c_void, protocols: *const h2o_iovec_t) -> c_int {
    boundary("h2o_rs_tls_config_set_alpn", -1, || {
        let Some(h) = crate::tls::handle(config as usize) else { return -1 };
        let mut list = Vec::new();
        // SAFETY: per the contract.
        unsafe {
            let mut p = protocols;
            while !p.is_null() && !(*p).base.is_null() {
                list.push(std::slice::from_raw_parts((*p).base.cast::<u8>(), (*p).len).to_vec());
                p = p.add(1);
            }
        }
        h.update(|s| s.alpn = list);
        0
    })
}

/// `h2o_rs_tls_accept_ctx_set(accept_ctx, config)`: makes `accept_ctx` a TLS listener with
/// `config` (stored in `accept_ctx->ssl_ctx`; borrowed: keep the config alive while the accept
/// context is used). NULL `config` makes it plain again.
///
/// # Safety
/// `accept_ctx` is a writable accept context; `config` NULL or a live config.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_rs_tls_accept_ctx_set(accept_ctx: *mut h2o_accept_ctx_t, config: *mut c_void) {
    boundary("h2o_rs_tls_accept_ctx_set", (), || {
        // SAFETY: per the contract.
        unsafe { (*accept_ctx).ssl_ctx = config.cast() }
    })
}

/// `h2o_rs_tls_config_free(config)`: frees a config (NULL: nothing). Connections already accepted
/// keep their own references.
///
/// # Safety
/// `config` is NULL or a config not freed before, held by no accept context still in use.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_rs_tls_config_free(config: *mut c_void) {
    boundary("h2o_rs_tls_config_free", (), || {
        if !config.is_null() && crate::tls::unregister(config as usize) {
            // SAFETY: registered pointers came from Arc::into_raw in new_from_pem.
            drop(unsafe { Arc::from_raw(config.cast_const().cast::<Handle>()) });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tls/certs/");

    fn c(s: &str) -> std::ffi::CString {
        std::ffi::CString::new(s).unwrap()
    }

    #[test]
    fn native_config_lifecycle_and_errors() {
        let mut err = [0 as c_char; 128];
        let (crt, key) = (c(&format!("{DIR}localhost.crt")), c(&format!("{DIR}localhost.key")));
        let missing = c(&format!("{DIR}no-such.crt"));
        // SAFETY: valid C strings and buffer.
        unsafe {
            let p = h2o_rs_tls_config_new_from_pem(missing.as_ptr(), key.as_ptr(), err.as_mut_ptr(), err.len());
            assert!(p.is_null());
            let msg = CStr::from_ptr(err.as_ptr()).to_str().unwrap();
            assert!(msg.contains("no-such.crt"), "{msg}");
            // a key that does not belong to the certificate's kind still loads; a certificate as key does not
            let p = h2o_rs_tls_config_new_from_pem(crt.as_ptr(), crt.as_ptr(), err.as_mut_ptr(), 8);
            assert!(p.is_null());
            assert_eq!(CStr::from_ptr(err.as_ptr()).to_bytes().len(), 7, "truncated to the buffer");

            let p = h2o_rs_tls_config_new_from_pem(crt.as_ptr(), key.as_ptr(), err.as_mut_ptr(), err.len());
            assert!(!p.is_null());
            let (octr, okey) = (c(&format!("{DIR}other.crt")), c(&format!("{DIR}other.key")));
            assert_eq!(h2o_rs_tls_config_add_sni(p, c"other.test".as_ptr(), octr.as_ptr(), okey.as_ptr(), err.as_mut_ptr(), err.len()), 0);
            assert_eq!(h2o_rs_tls_config_add_sni(p, c"x".as_ptr(), missing.as_ptr(), okey.as_ptr(), err.as_mut_ptr(), err.len()), -1);
            let list = [h2o_iovec_t { base: c"http/1.1".as_ptr().cast_mut(), len: 8 }, NONE];
            assert_eq!(h2o_rs_tls_config_set_alpn(p, list.as_ptr()), 0);
            let (cfg, _) = crate::tls::resolve(p);
            assert_eq!(cfg.unwrap().alpn(), &[b"http/1.1".to_vec()]);
            let mut actx: h2o_accept_ctx_t = std::mem::zeroed();
            h2o_rs_tls_accept_ctx_set(&mut actx, p);
            assert_eq!(actx.ssl_ctx.cast::<c_void>(), p);
            h2o_rs_tls_config_free(p);
            assert!(crate::tls::handle(p as usize).is_none());
            // not ours: handed to the bridge (the placeholder refuses)
            let bogus = std::ptr::dangling_mut::<c_void>();
            assert_eq!(h2o_rs_tls_config_set_alpn(bogus, list.as_ptr()), -1);
            h2o_rs_tls_config_free(std::ptr::null_mut());
        }
    }
}
