//! `h2o.h` MIME maps: `h2o_mime_attributes_t` and `h2o_mimemap_type_t` (2.2.5 layouts, checked at
//! compile time) and the `h2o_mime_attributes_as_is` data object (the engine points responses at
//! it). The map itself is opaque to C and lives in `crate::core::mimemap`; the exports are
//! `crate::ffi::mimemap`.

#![allow(non_camel_case_types, non_upper_case_globals)]

use std::ffi::{c_char, c_int};
use std::mem::{offset_of, size_of};

use super::core::h2o_pathconf_t;
use super::memory::h2o_iovec_t;

/// `h2o_mime_attributes_t` (8 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct h2o_mime_attributes_t {
    pub is_compressible: c_char,
    /// `H2O_MIME_ATTRIBUTE_PRIORITY_NORMAL` (0) or `_HIGHEST` (1).
    pub priority: c_int,
}

/// `h2o_mimemap_type_t` (128 bytes): the MIMETYPE member of the union; for a dynamic type the
/// union (from offset 8) is the pathconf instead (see [`dynamic_pathconf`]).
#[repr(C)]
pub struct h2o_mimemap_type_t {
    /// `H2O_MIMEMAP_TYPE_MIMETYPE` (0) or `_DYNAMIC` (1).
    pub type_: c_int,
    pub mimetype: h2o_iovec_t,
    pub attr: h2o_mime_attributes_t,
    pub _rest: [u8; 96],
}

/// `H2O_MIMEMAP_TYPE_MIMETYPE`.
pub const MIMEMAP_TYPE_MIMETYPE: c_int = 0;
/// `H2O_MIMEMAP_TYPE_DYNAMIC`.
pub const MIMEMAP_TYPE_DYNAMIC: c_int = 1;

/// The pathconf of a dynamic type (`type->data.dynamic.pathconf`): the union from offset 8.
pub fn dynamic_pathconf(t: *mut h2o_mimemap_type_t) -> *mut h2o_pathconf_t {
    t.cast::<u8>().wrapping_add(offset_of!(h2o_mimemap_type_t, mimetype)).cast()
}

const _: () = {
    assert!(offset_of!(h2o_mimemap_type_t, mimetype) + size_of::<h2o_pathconf_t>() == size_of::<h2o_mimemap_type_t>());
    assert!(size_of::<h2o_mime_attributes_t>() == 8);
    assert!(size_of::<h2o_mimemap_type_t>() == 128);
    assert!(offset_of!(h2o_mimemap_type_t, mimetype) == 8);
    assert!(offset_of!(h2o_mimemap_type_t, attr) == 24);
};

/// `h2o_mime_attributes_t h2o_mime_attributes_as_is`: all zero (a writable data object, as in
/// 2.2.5).
#[unsafe(no_mangle)]
pub static mut h2o_mime_attributes_as_is: h2o_mime_attributes_t = h2o_mime_attributes_t { is_compressible: 0, priority: 0 };

