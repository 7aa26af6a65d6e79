//! `h2o/token.h`: `h2o_token_t` and the type of the exported token table (2.2.5 layouts, checked
//! at compile time). Data only: the table itself (`h2o__tokens`, built from the token list) is in
//! `crate::token`, the exports `crate::ffi::token`.

#![allow(non_camel_case_types, non_upper_case_globals)]

use std::ffi::c_char;
use std::mem::{offset_of, size_of};

use super::memory::h2o_iovec_t;

/// Number of slots of the exported array in 2.2.5 (`H2O_MAX_TOKENS`); unused slots are zero.
pub const MAX_TOKENS: usize = 100;

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

