//! `h2o/http2_casper.h`: 2.2.5's CASPer exports, over [`crate::http2::casper`].
//!
//! Ownership: `h2o_http2_casper_create` allocates the object, `h2o_http2_casper_destroy` frees it
//! (and the cookie string `h2o_http2_casper_get_cookie` returned, which the object owns).

use std::ffi::{c_char, c_int, c_uint};

use crate::abi::memory::h2o_iovec_t;
use crate::abi::panic::boundary;
use crate::http2::casper::Casper;

#[allow(non_camel_case_types)]
/// The C type: opaque to C (`typedef struct st_h2o_http2_casper_t h2o_http2_casper_t`).
pub type h2o_http2_casper_t = Casper;

/// The caller's bytes (`NULL` is empty).
///
/// # Safety
/// `s` readable for `len` bytes or NULL.
unsafe fn bytes<'a>(s: *const c_char, len: usize) -> &'a [u8] {
    if s.is_null() || len == 0 {
        return &[];
    }
    // SAFETY: per the contract.
    unsafe { std::slice::from_raw_parts(s.cast(), len) }
}

/// Creates an empty set: keys of `capacity_bits` bits (below 32), Golomb remainders of
/// `remainder_bits` bits (below 64; connections use 6). The caller frees it with
/// `h2o_http2_casper_destroy`.
#[unsafe(no_mangle)]
pub extern "C" fn h2o_http2_casper_create(capacity_bits: c_uint, remainder_bits: c_uint) -> *mut h2o_http2_casper_t {
    boundary("h2o_http2_casper_create", std::ptr::null_mut(), || {
        Box::into_raw(Box::new(Casper::new(capacity_bits, remainder_bits)))
    })
}

/// Frees `casper` and its cookie string (NULL is ignored).
///
/// # Safety
/// `casper` came from `h2o_http2_casper_create` and is not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_casper_destroy(casper: *mut h2o_http2_casper_t) {
    boundary("h2o_http2_casper_destroy", (), || {
        if !casper.is_null() {
            // SAFETY: per the contract, ours from Box::into_raw.
            drop(unsafe { Box::from_raw(casper) });
        }
    })
}

/// The number of keys in the set (0 for NULL).
///
/// # Safety
/// `casper` came from `h2o_http2_casper_create` (or is NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_casper_num_entries(casper: *mut h2o_http2_casper_t) -> usize {
    boundary("h2o_http2_casper_num_entries", 0, || {
        // SAFETY: per the contract.
        unsafe { casper.as_ref() }.map_or(0, Casper::num_entries)
    })
}

/// 1 when the key of `path[0..path_len]` is in the set; otherwise 0, and with `set` non-zero the
/// key is added (which drops the cookie string returned before).
///
/// # Safety
/// `casper` came from `h2o_http2_casper_create`; `path` readable for `path_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_casper_lookup(casper: *mut h2o_http2_casper_t, path: *const c_char, path_len: usize, set: c_int) -> c_int {
    boundary("h2o_http2_casper_lookup", 0, || {
        // SAFETY: per the contract.
        let (Some(c), path) = (unsafe { casper.as_mut() }, unsafe { bytes(path, path_len) }) else {
            return 0;
        };
        c.lookup(path, set != 0) as c_int
    })
}

/// Merges the keys of one cookie (`h2o_casper=VALUE`; anything else is ignored). As in 2.2.5 the
/// cookie string returned before stays the one `h2o_http2_casper_get_cookie` returns.
///
/// # Safety
/// `casper` came from `h2o_http2_casper_create`; `cookie` readable for `cookie_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_casper_consume_cookie(casper: *mut h2o_http2_casper_t, cookie: *const c_char, cookie_len: usize) {
    boundary("h2o_http2_casper_consume_cookie", (), || {
        // SAFETY: per the contract.
        if let Some(c) = unsafe { casper.as_mut() } {
            c.consume_cookie(unsafe { bytes(cookie, cookie_len) });
        }
    })
}

/// The `Set-Cookie` value for the set, `{NULL, 0}` when it is empty. The string is the object's:
/// valid until the next `h2o_http2_casper_lookup` that adds a key, or `h2o_http2_casper_destroy`.
///
/// # Safety
/// `casper` came from `h2o_http2_casper_create`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_casper_get_cookie(casper: *mut h2o_http2_casper_t) -> h2o_iovec_t {
    boundary("h2o_http2_casper_get_cookie", h2o_iovec_t::EMPTY, || {
        // SAFETY: per the contract.
        unsafe { casper.as_mut() }.and_then(Casper::cookie).map_or(h2o_iovec_t::EMPTY, h2o_iovec_t::of)
    })
}
