//! The TLS surface of 2.2.5 that embedders link before TLS exists in libh2o-rs: the protocol lists
//! `h2o_alpn_protocols`, `h2o_npn_protocols`, `h2o_http2_alpn_protocols`, `h2o_http2_npn_protocols`
//! (8-byte pointer data objects in writable data, as in Debian's 2.2.5, with 2.2.5's values) and
//! `h2o_ssl_register_alpn_protocols` / `h2o_ssl_register_npn_protocols`.
//!
//! The library does not link OpenSSL (TLS comes in its own issue). Until then the two register
//! functions leave the `SSL_CTX` untouched and say so on stderr, once per process; `h2o_accept`
//! refuses connections of an accept context whose `ssl_ctx` is set (logged, socket closed; see
//! `http1::conn::accept_at`), so a program that configures a TLS listener keeps serving plain HTTP on
//! its other listeners instead of crashing or answering TLS clients in clear text.
//!
//! Ownership: the lists are static, process-global, never freed; the register functions borrow
//! nothing beyond the call.

#![allow(non_upper_case_globals)]

use std::ffi::{c_char, c_void};
use std::sync::Once;

use crate::abi::memory::h2o_iovec_t;
use crate::abi::panic::boundary;

/// A NULL-terminated list of protocol names (`{NULL, 0}` ends it), the shape 2.2.5's ALPN lists have.
#[repr(transparent)]
pub struct ProtocolList<const N: usize>([h2o_iovec_t; N]);

// SAFETY: the entries point to 'static literals and the arrays are never written.
unsafe impl<const N: usize> Sync for ProtocolList<N> {}

const fn proto(name: &'static std::ffi::CStr) -> h2o_iovec_t {
    h2o_iovec_t { base: name.as_ptr() as *mut c_char, len: name.count_bytes() }
}

const END: h2o_iovec_t = h2o_iovec_t { base: std::ptr::null_mut(), len: 0 };

/// HTTP/2 identifiers as 2.2.5 advertises them: the final "h2" and the drafts 16 and 14.
static HTTP2_ALPN: ProtocolList<4> = ProtocolList([proto(c"h2"), proto(c"h2-16"), proto(c"h2-14"), END]);
/// The same followed by HTTP/1.1.
static ALPN: ProtocolList<5> =
    ProtocolList([proto(c"h2"), proto(c"h2-16"), proto(c"h2-14"), proto(c"http/1.1"), END]);

/// `const h2o_iovec_t *h2o_http2_alpn_protocols`: {"h2", "h2-16", "h2-14", {NULL}}.
#[unsafe(no_mangle)]
pub static mut h2o_http2_alpn_protocols: *const h2o_iovec_t = HTTP2_ALPN.0.as_ptr();

/// `const h2o_iovec_t *h2o_alpn_protocols`: {"h2", "h2-16", "h2-14", "http/1.1", {NULL}}.
#[unsafe(no_mangle)]
pub static mut h2o_alpn_protocols: *const h2o_iovec_t = ALPN.0.as_ptr();

/// `const char *h2o_http2_npn_protocols`: the same names in NPN wire form (a length byte before
/// each name), NUL-terminated.
#[unsafe(no_mangle)]
pub static mut h2o_http2_npn_protocols: *const c_char = c"\x02h2\x05h2-16\x05h2-14".as_ptr();

/// `const char *h2o_npn_protocols`: as `h2o_http2_npn_protocols`, then "http/1.1".
#[unsafe(no_mangle)]
pub static mut h2o_npn_protocols: *const c_char = c"\x02h2\x05h2-16\x05h2-14\x08http/1.1".as_ptr();

static TLS_NOTICE: Once = Once::new();

/// Says once per process that TLS setup calls are ignored for now.
fn tls_not_provided(func: &str) {
    TLS_NOTICE.call_once(|| {
        eprintln!(
            "libh2o-rs: {func}: TLS is not provided yet; the SSL_CTX is left unchanged and h2o_accept \
             closes connections of an accept context with ssl_ctx set (plain HTTP listeners keep working)"
        );
    });
}

/// `h2o_ssl_register_alpn_protocols(SSL_CTX *ctx, const h2o_iovec_t *protocols)`. In 2.2.5 it
/// installs an ALPN selection callback choosing from `protocols`. Here: nothing is stored (the
/// context is never touched, so no callback can outlive anything) and a notice is logged once.
///
/// # Safety
/// None needed: neither pointer is dereferenced.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_ssl_register_alpn_protocols(ctx: *mut c_void, protocols: *const h2o_iovec_t) {
    let _ = (ctx, protocols);
    boundary("h2o_ssl_register_alpn_protocols", (), || tls_not_provided("h2o_ssl_register_alpn_protocols"))
}

/// `h2o_ssl_register_npn_protocols(SSL_CTX *ctx, const char *protocols)`. In 2.2.5 it installs an
/// NPN advertisement callback returning `protocols`. Here, as for ALPN: nothing is stored and a
/// notice is logged once.
///
/// # Safety
/// None needed: neither pointer is dereferenced.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_ssl_register_npn_protocols(ctx: *mut c_void, protocols: *const c_char) {
    let _ = (ctx, protocols);
    boundary("h2o_ssl_register_npn_protocols", (), || tls_not_provided("h2o_ssl_register_npn_protocols"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names of a NULL-terminated ALPN list.
    fn alpn_names(list: *const h2o_iovec_t) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        // SAFETY: `list` is one of the static lists above, terminated by {NULL, 0}.
        unsafe {
            let mut p = list;
            while !(*p).base.is_null() {
                out.push(std::slice::from_raw_parts((*p).base.cast::<u8>(), (*p).len).to_vec());
                p = p.add(1);
            }
        }
        out
    }

    /// The names of an NPN wire-form string (length byte, name, ...; NUL-terminated).
    fn npn_names(s: *const c_char) -> Vec<Vec<u8>> {
        // SAFETY: a static NUL-terminated literal.
        let bytes = unsafe { std::ffi::CStr::from_ptr(s) }.to_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let n = bytes[i] as usize;
            out.push(bytes[i + 1..i + 1 + n].to_vec());
            i += 1 + n;
        }
        assert_eq!(i, bytes.len(), "a length byte runs past the end");
        out
    }

    #[test]
    fn lists_hold_2_2_5_values_and_agree_with_each_other() {
        let h2: Vec<Vec<u8>> = [&b"h2"[..], b"h2-16", b"h2-14"].iter().map(|s| s.to_vec()).collect();
        let mut all = h2.clone();
        all.push(b"http/1.1".to_vec());
        // SAFETY: reads of statics nothing writes during the test.
        unsafe {
            assert_eq!(alpn_names(h2o_http2_alpn_protocols), h2);
            assert_eq!(alpn_names(h2o_alpn_protocols), all);
            assert_eq!(npn_names(h2o_http2_npn_protocols), h2);
            assert_eq!(npn_names(h2o_npn_protocols), all);
        }
    }

    #[test]
    fn register_functions_touch_nothing() {
        // A bogus context pointer must not be dereferenced.
        let bogus = std::ptr::dangling_mut::<c_void>();
        // SAFETY: the functions never dereference their arguments.
        unsafe {
            h2o_ssl_register_alpn_protocols(bogus, h2o_http2_alpn_protocols);
            h2o_ssl_register_npn_protocols(bogus, h2o_http2_npn_protocols);
            h2o_ssl_register_alpn_protocols(std::ptr::null_mut(), std::ptr::null());
        }
        assert!(TLS_NOTICE.is_completed());
    }
}
