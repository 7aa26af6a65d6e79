//! `h2o/url.h` (hand-written header): `h2o_url_scheme_t`, `h2o_url_t` (2.2.5 layouts, checked at
//! compile time) and the two exported scheme objects `H2O_URL_SCHEME_HTTP` / `H2O_URL_SCHEME_HTTPS`
//! (24-byte data objects, as in 2.2.5). A request's `scheme` points to one of them and embedders
//! compare by address, so executables built against 2.2.5 may copy-relocate them; the library
//! refers to them through the symbol (its GOT entry), like `h2o__tokens`, so it sees the same copy.
//! The engine sets `req->scheme`, so the objects live here. Data only: the URL functions are
//! `crate::core::url` (engine) and `crate::ffi::url` (exports).

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

/// The static "/" that 2.2.5 returns for an empty or rejected path (never written through).
/// `h2o_url_t` (64 bytes): iovecs into the parsed string (or a pool), `_port` 65535 when absent.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct h2o_url_t {
    pub scheme: *const h2o_url_scheme_t,
    pub authority: h2o_iovec_t,
    pub host: h2o_iovec_t,
    pub path: h2o_iovec_t,
    pub _port: u16,
}

const _: () = {
    assert!(size_of::<h2o_url_t>() == 64);
    assert!(offset_of!(h2o_url_t, authority) == 8);
    assert!(offset_of!(h2o_url_t, host) == 24);
    assert!(offset_of!(h2o_url_t, path) == 40);
    assert!(offset_of!(h2o_url_t, _port) == 56);
};

