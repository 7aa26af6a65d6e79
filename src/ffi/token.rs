//! `h2o/token.h`: `h2o_lookup_token` / `h2o_iovec_is_token`. The exported table `h2o__tokens` /
//! `h2o__num_tokens` is defined in `crate::token` (the engine hands out pointers into it), its type
//! in `crate::abi::token`. Token identity is pointer identity: `h2o_lookup_token("host", 4) ==
//! H2O_TOKEN_HOST` in the caller's program, whatever copy of the array is in use.
//!
//! Ownership: the table is static, process-global and read-only; every `h2o_token_t *` returned
//! points into it and lives forever. Nothing here allocates.

#![allow(non_camel_case_types, non_upper_case_globals)]

use std::ffi::{c_char, c_int};

use crate::abi::memory::h2o_iovec_t;
use crate::abi::panic::boundary;
use crate::abi::token::h2o_token_t;
use crate::token;

/// `h2o_lookup_token`: the token whose name is exactly `name[0..len]` (lower case; no case
/// folding, as 2.2.5), or NULL. `name` may be NULL when `len` is 0. Borrows `name` for the call;
/// the result is a pointer into the static table (never freed).
///
/// # Safety
/// `name` points to `len` readable bytes (or `len` is 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_lookup_token(name: *const c_char, len: usize) -> *const h2o_token_t {
    boundary("h2o_lookup_token", std::ptr::null(), || {
        if name.is_null() || len == 0 {
            return std::ptr::null();
        }
        // SAFETY: the caller's contract: `name` points to `len` readable bytes.
        let s = unsafe { std::slice::from_raw_parts(name.cast::<u8>(), len) };
        token::lookup_ptr(s)
    })
}

/// `h2o_iovec_is_token`: whether `buf` is the `buf` member of an element of `h2o__tokens`
/// (pointer comparison only; `buf` is not dereferenced, so any pointer, NULL included, is fine).
///
/// # Safety
/// None beyond passing a pointer value.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_iovec_is_token(buf: *const h2o_iovec_t) -> c_int {
    boundary("h2o_iovec_is_token", 0, || {
        token::is_token_ptr(buf) as c_int
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::{base, h2o__num_tokens, h2o__tokens, TOKENS};

    #[test]
    fn lookup_returns_the_array_elements() {
        for (i, t) in TOKENS.iter().enumerate() {
            // SAFETY: a valid string.
            let p = unsafe { h2o_lookup_token(t.c_name.as_ptr(), t.name().len()) };
            assert_eq!(p, &raw const h2o__tokens.0[i]);
            // SAFETY: pointer into the static table.
            let e = unsafe { &*p };
            // SAFETY: the entry's name is a 'static string of `len` bytes.
            let n = unsafe { std::slice::from_raw_parts(e.buf.base.cast::<u8>(), e.buf.len) };
            assert_eq!(n, t.name());
            // SAFETY: the name is followed by its NUL.
            assert_eq!(unsafe { *e.buf.base.add(e.buf.len) }, 0);
            assert_eq!(e.flags, t.flags);
            assert_eq!(e.http2_static_table_name_index as u8, t.hpack_index);
            // SAFETY: pointer comparison only.
            assert_eq!(unsafe { h2o_iovec_is_token(&raw const e.buf) }, 1);
        }
        // SAFETY: NULL with length 0, and a valid string.
        unsafe {
            assert!(h2o_lookup_token(std::ptr::null(), 0).is_null());
            assert!(h2o_lookup_token(c"Host".as_ptr(), 4).is_null());
        }
    }

    #[test]
    fn is_token_rejects_other_pointers() {
        let v = h2o_iovec_t::EMPTY;
        let b = base().cast::<u8>();
        // SAFETY: pointer comparisons only; the pointers are never dereferenced.
        unsafe {
            assert_eq!(h2o_iovec_is_token(&v), 0);
            assert_eq!(h2o_iovec_is_token(std::ptr::null()), 0);
            assert_eq!(h2o_iovec_is_token(b.add(8).cast()), 0);
            assert_eq!(h2o_iovec_is_token(b.wrapping_sub(24).cast()), 0);
            assert_eq!(h2o_iovec_is_token(b.wrapping_add(2400).cast()), 0);
            assert_eq!(h2o_iovec_is_token(b.add(99 * 24).cast()), 1);
        }
    }

    #[test]
    fn unused_slots_are_zero() {
        assert_eq!(h2o__num_tokens, 62);
        for e in &h2o__tokens.0[h2o__num_tokens..] {
            assert!(e.buf.base.is_null() && e.buf.len == 0 && e.flags == 0);
            assert_eq!(e.http2_static_table_name_index, 0);
        }
    }
}
