//! `h2o/token.h`: `h2o_token_t`, the exported token table `h2o__tokens` / `h2o__num_tokens`, and
//! `h2o_lookup_token` / `h2o_iovec_is_token`.
//!
//! The table is an exported data object of exactly 2.2.5's size (100 entries of 24 bytes):
//! executables built against 2.2.5 use `H2O_TOKEN_HOST` (= `h2o__tokens + 30`) directly, so their
//! linker copy-relocates the array into the executable, and every reference the library makes to
//! it (through the GOT, as for any exported data of a shared object) then sees that copy. Token
//! identity is therefore pointer identity: `h2o_lookup_token("host", 4) == H2O_TOKEN_HOST` in the
//! caller's program, whatever copy is in use.
//!
//! Ownership: the table is static, process-global and read-only; every `h2o_token_t *` returned
//! points into it and lives forever. Nothing here allocates.

#![allow(non_camel_case_types, non_upper_case_globals)]

use std::ffi::{c_char, c_int};
use std::mem::{offset_of, size_of};

use super::memory::h2o_iovec_t;
use super::panic::boundary;
use crate::token::{self, MAX_TOKENS, TOKENS};

/// `h2o_token_t` (2.2.5 x86_64 layout): a name (`buf`, so that a token is also an `h2o_iovec_t`),
/// the HPACK static-table index of the name (0: none), and one byte of single-bit flags (the C
/// header declares them as bit-fields; see [`crate::token::flag`] for the bit of each).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct h2o_token_t {
    pub buf: h2o_iovec_t,
    pub http2_static_table_name_index: c_char,
    pub flags: u8,
}

const _: () = {
    assert!(size_of::<h2o_token_t>() == 24);
    assert!(offset_of!(h2o_token_t, buf) == 0);
    assert!(offset_of!(h2o_token_t, http2_static_table_name_index) == 16);
    assert!(offset_of!(h2o_token_t, flags) == 17);
};

/// The exported array. `#[repr(transparent)]` keeps the array's layout (2400 bytes, the size of the
/// ELF symbol, which copy relocations depend on).
#[repr(transparent)]
pub struct TokenTable(pub [h2o_token_t; MAX_TOKENS]);

// SAFETY: the table is never written by this library after its static initialization, and the
// only raw pointers in it point at `'static` string literals; sharing it between threads is sound.
unsafe impl Sync for TokenTable {}

const _: () = assert!(size_of::<TokenTable>() == 2400);

const fn table() -> TokenTable {
    let empty = h2o_token_t { buf: h2o_iovec_t::EMPTY, http2_static_table_name_index: 0, flags: 0 };
    let mut a = [empty; MAX_TOKENS];
    let mut i = 0;
    while i < TOKENS.len() {
        let t = &TOKENS[i];
        a[i] = h2o_token_t {
            buf: h2o_iovec_t { base: t.c_name.as_ptr() as *mut c_char, len: t.name().len() },
            http2_static_table_name_index: t.hpack_index as c_char,
            flags: t.flags,
        };
        i += 1;
    }
    TokenTable(a)
}

/// `h2o_token_t h2o__tokens[H2O_MAX_TOKENS]`: every token at its 2.2.5 index (`H2O_TOKEN_*`), then
/// zeroed slots. Read-only (writing to it is undefined behaviour).
#[unsafe(no_mangle)]
pub static h2o__tokens: TokenTable = table();

/// `size_t h2o__num_tokens`: the number of used slots of `h2o__tokens`.
#[unsafe(no_mangle)]
pub static h2o__num_tokens: usize = TOKENS.len();

/// The address of element 0 of the array in use (the executable's copy when it copy-relocated it).
#[inline]
fn base() -> *const h2o_token_t {
    (&raw const h2o__tokens).cast::<h2o_token_t>()
}

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
        match token::lookup(s) {
            // SAFETY: `i < TOKENS.len() <= MAX_TOKENS`, an element of the array.
            Some(i) => unsafe { base().add(i) },
            None => std::ptr::null(),
        }
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
        let start = base() as usize;
        let p = buf as usize;
        let inside = p >= start && p - start < MAX_TOKENS * size_of::<h2o_token_t>();
        (inside && (p - start) % size_of::<h2o_token_t>() == 0) as c_int
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
