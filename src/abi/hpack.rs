//! 2.2.5's HPACK types (`h2o/http2_internal.h` there, `h2o/hpack.h` here): the header table a
//! caller embeds (56 bytes, 2.2.5's x86_64 layout, checked below) and the flag bits of
//! `h2o_hpack_parse_headers`' pseudo-header map. Data only: the codec is `crate::hpack`, the
//! exports (and what `entries` points to in this library) are `crate::ffi::hpack`.

#![allow(non_camel_case_types)]

use std::ffi::c_void;
use std::mem::{offset_of, size_of};

/// `h2o_hpack_header_table_t`. The caller allocates it zeroed and sets `hpack_capacity` (and, for
/// a decoder, `hpack_max_capacity`); `h2o_hpack_dispose_header_table` frees what the library hung
/// off it. In 2.2.5 `entries` is a ring of entries; in this library it is opaque (the codec's
/// state), and `entry_capacity` / `entry_start_index` stay 0.
#[repr(C)]
pub struct h2o_hpack_header_table_t {
    pub entries: *mut c_void,
    pub num_entries: usize,
    pub entry_capacity: usize,
    pub entry_start_index: usize,
    /// Sum of the entries' sizes (name + value + 32 each).
    pub hpack_size: usize,
    /// The table's current maximum (SETTINGS_HEADER_TABLE_SIZE and size updates).
    pub hpack_capacity: usize,
    /// The most a size update may set (our SETTINGS_HEADER_TABLE_SIZE, for a decoder).
    pub hpack_max_capacity: usize,
}

const _: () = {
    assert!(size_of::<h2o_hpack_header_table_t>() == 56);
    assert!(offset_of!(h2o_hpack_header_table_t, num_entries) == 8);
    assert!(offset_of!(h2o_hpack_header_table_t, entry_capacity) == 16);
    assert!(offset_of!(h2o_hpack_header_table_t, entry_start_index) == 24);
    assert!(offset_of!(h2o_hpack_header_table_t, hpack_size) == 32);
    assert!(offset_of!(h2o_hpack_header_table_t, hpack_capacity) == 40);
    assert!(offset_of!(h2o_hpack_header_table_t, hpack_max_capacity) == 48);
};

/// `H2O_HPACK_PARSE_HEADERS_*_EXISTS`: bits of `*pseudo_header_exists_map`.
pub const PARSE_HEADERS_METHOD_EXISTS: i32 = 1;
pub const PARSE_HEADERS_SCHEME_EXISTS: i32 = 2;
pub const PARSE_HEADERS_PATH_EXISTS: i32 = 4;
pub const PARSE_HEADERS_AUTHORITY_EXISTS: i32 = 8;

/// `H2O_HTTP2_ERROR_*` values `h2o_hpack_parse_headers` returns (`h2o.h`).
pub const HTTP2_ERROR_PROTOCOL: i32 = -1;
pub const HTTP2_ERROR_COMPRESSION: i32 = -9;
pub const HTTP2_ERROR_INVALID_HEADER_CHAR: i32 = -254;
