//! `h2o/url.h` (hand-written header): `h2o_url_scheme_t` and the two exported scheme objects
//! `H2O_URL_SCHEME_HTTP` / `H2O_URL_SCHEME_HTTPS` (24-byte data objects, as in 2.2.5). A request's
//! `scheme` points to one of them and embedders compare by address, so executables built against
//! 2.2.5 may copy-relocate them; the library refers to them through the symbol (its GOT entry),
//! like `h2o__tokens`, so it sees the same copy.
//!
//! Ownership: static, process-global, read-only. The URL functions of url.h come later.

#![allow(non_camel_case_types, non_upper_case_globals)]

use std::ffi::c_char;
use std::mem::{offset_of, size_of};

use super::memory::h2o_iovec_t;

/// `h2o_url_scheme_t` (24 bytes): the name and the default port.
#[repr(C)]
#[derive(Debug)]
pub struct h2o_url_scheme_t {
    pub name: h2o_iovec_t,
    pub default_port: u16,
}

const _: () = {
    assert!(size_of::<h2o_url_scheme_t>() == 24);
    assert!(offset_of!(h2o_url_scheme_t, default_port) == 16);
};

// SAFETY: never written after static initialization; the pointer is to a 'static literal.
unsafe impl Sync for h2o_url_scheme_t {}

const fn scheme(name: &'static std::ffi::CStr, default_port: u16) -> h2o_url_scheme_t {
    h2o_url_scheme_t { name: h2o_iovec_t { base: name.as_ptr() as *mut c_char, len: name.count_bytes() }, default_port }
}

/// `const h2o_url_scheme_t H2O_URL_SCHEME_HTTP`: {"http", 80}.
#[unsafe(no_mangle)]
pub static H2O_URL_SCHEME_HTTP: h2o_url_scheme_t = scheme(c"http", 80);

/// `const h2o_url_scheme_t H2O_URL_SCHEME_HTTPS`: {"https", 443}.
#[unsafe(no_mangle)]
pub static H2O_URL_SCHEME_HTTPS: h2o_url_scheme_t = scheme(c"https", 443);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        for (s, name, port) in [(&H2O_URL_SCHEME_HTTP, &b"http"[..], 80), (&H2O_URL_SCHEME_HTTPS, b"https", 443)] {
            // SAFETY: a 'static literal of `len` bytes followed by its NUL.
            let n = unsafe { std::slice::from_raw_parts(s.name.base.cast::<u8>(), s.name.len + 1) };
            assert_eq!(&n[..s.name.len], name);
            assert_eq!(n[s.name.len], 0);
            assert_eq!(s.default_port, port);
        }
    }
}
