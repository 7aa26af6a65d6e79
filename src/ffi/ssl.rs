//! The TLS surface of 2.2.5 around OpenSSL's `SSL_CTX`: the protocol lists `h2o_alpn_protocols`,
//! `h2o_npn_protocols`, `h2o_http2_alpn_protocols`, `h2o_http2_npn_protocols` (8-byte pointer data
//! objects in writable data, as in Debian's 2.2.5, with 2.2.5's values) and
//! `h2o_ssl_register_alpn_protocols` / `h2o_ssl_register_npn_protocols`, which record the list on
//! the context for the compatibility bridge (`crate::tls::bridge`): when a connection arrives on an
//! accept context whose `ssl_ctx` is set, the engine reads that context's certificate chain, key and
//! this list through the bridge and serves TLS with rustls.
//!
//! Unlike 2.2.5, the register functions do not install OpenSSL's ALPN selection / NPN advertisement
//! callbacks on the `SSL_CTX`: OpenSSL never runs a handshake for this library, so they would never
//! be called. rustls has no NPN: an NPN list becomes the ALPN preference order of a context on
//! which no ALPN list was registered (see the bridge's documentation).
//!
//! Ownership: the lists are static, process-global, never freed. The register functions copy the
//! names they are given (the caller's list may go right after the call); the copy lives until
//! OpenSSL frees that `SSL_CTX`.

#![allow(non_upper_case_globals)]

use std::ffi::{c_char, c_void};

use crate::abi::memory::h2o_iovec_t;
use crate::abi::panic::boundary;
use crate::tls::bridge;

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

/// At most this many names are read from a list (2.2.5's have 3 or 4): a bound on a list whose
/// `{NULL, 0}` end is missing.
const MAX_PROTOCOLS: usize = 64;

/// The names of a `{NULL, 0}`-terminated ALPN list: entries of 1 to 255 bytes (what ALPN can carry;
/// others are skipped), at most [`MAX_PROTOCOLS`] entries read. NULL: no names.
///
/// # Safety
/// `protocols` is NULL or points to such a list, each entry's `base` readable for `len` bytes.
unsafe fn alpn_list(protocols: *const h2o_iovec_t) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    if protocols.is_null() {
        return out;
    }
    for i in 0..MAX_PROTOCOLS {
        // SAFETY: entries up to the terminator are readable (the caller's contract).
        let e = unsafe { &*protocols.add(i) };
        if e.base.is_null() {
            break;
        }
        if (1..=255).contains(&e.len) {
            // SAFETY: `base` is readable for `len` bytes.
            out.push(unsafe { std::slice::from_raw_parts(e.base.cast::<u8>(), e.len) }.to_vec());
        }
    }
    out
}

/// `h2o_ssl_register_alpn_protocols(SSL_CTX *ctx, const h2o_iovec_t *protocols)`: `protocols`
/// (a `{NULL, 0}`-terminated list, such as `h2o_alpn_protocols`) becomes the ALPN preference order
/// of connections accepted with this `ctx`; a client offering none of them gets HTTP/1.1, as in
/// 2.2.5. The list is copied. NULL `ctx`: nothing happens; NULL `protocols`: an empty list.
///
/// # Safety
/// `ctx` is NULL or a live `SSL_CTX *`; `protocols` is NULL or a terminated list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_ssl_register_alpn_protocols(ctx: *mut c_void, protocols: *const h2o_iovec_t) {
    boundary("h2o_ssl_register_alpn_protocols", (), || {
        // SAFETY: the caller's contract, passed on.
        unsafe { bridge::register_alpn(ctx, alpn_list(protocols)) }
    })
}

/// `h2o_ssl_register_npn_protocols(SSL_CTX *ctx, const char *protocols)`: `protocols` in NPN wire
/// form (length byte, name, ...; NUL-terminated, such as `h2o_npn_protocols`) is recorded on `ctx`;
/// rustls has no NPN, so it serves as the ALPN preference order only if no ALPN list is registered
/// on `ctx`. Copied. NULL `ctx`: nothing happens; NULL `protocols`: an empty list.
///
/// # Safety
/// `ctx` is NULL or a live `SSL_CTX *`; `protocols` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_ssl_register_npn_protocols(ctx: *mut c_void, protocols: *const c_char) {
    boundary("h2o_ssl_register_npn_protocols", (), || {
        let names = if protocols.is_null() {
            Vec::new()
        } else {
            // SAFETY: NUL-terminated (the caller's contract).
            bridge::parse_npn_wire(unsafe { std::ffi::CStr::from_ptr(protocols) }.to_bytes())
        };
        // SAFETY: the caller's contract, passed on.
        unsafe { bridge::register_npn(ctx, names) }
    })
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
    fn alpn_lists_are_read_up_to_their_end_skipping_what_alpn_cannot_carry() {
        let long = [b'x'; 256];
        let list = [
            h2o_iovec_t { base: c"h2".as_ptr() as *mut c_char, len: 2 },
            h2o_iovec_t { base: c"".as_ptr() as *mut c_char, len: 0 },
            h2o_iovec_t { base: long.as_ptr() as *mut c_char, len: 256 },
            h2o_iovec_t { base: c"http/1.1".as_ptr() as *mut c_char, len: 8 },
            END,
        ];
        // SAFETY: a terminated list of readable entries; the statics are never written.
        unsafe {
            assert_eq!(alpn_list(list.as_ptr()), vec![b"h2".to_vec(), b"http/1.1".to_vec()]);
            assert_eq!(alpn_list(std::ptr::null()), Vec::<Vec<u8>>::new());
            assert_eq!(alpn_list(h2o_alpn_protocols), alpn_names(h2o_alpn_protocols));
        }
    }

    #[test]
    fn register_on_a_null_context_does_nothing() {
        // SAFETY: NULL contexts are allowed.
        unsafe {
            h2o_ssl_register_alpn_protocols(std::ptr::null_mut(), h2o_alpn_protocols);
            h2o_ssl_register_npn_protocols(std::ptr::null_mut(), h2o_npn_protocols);
            h2o_ssl_register_alpn_protocols(std::ptr::null_mut(), std::ptr::null());
        }
        assert_eq!(bridge::registered_alpn(0), None);
    }
}
