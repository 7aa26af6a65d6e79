//! `h2o/cache_digests.h` (hand-written header): the digests object a connection keeps, with 2.2.5's
//! x86_64 layout (56 bytes). Data only: the engine is `crate::http2::cache_digests`, the exports
//! `crate::ffi::cache_digests`.

#![allow(non_camel_case_types)]

use std::ffi::{c_int, c_void};
use std::mem::{offset_of, size_of};

use super::core::Vector;

/// `h2o_cache_digests_frame_t`: opaque to C (2.2.5 defines it in its .c file).
pub type h2o_cache_digests_frame_t = c_void;

/// `h2o_cache_digests_t.fresh`.
#[repr(C)]
pub struct h2o_cache_digests_fresh_t {
    pub url_only: Vector<h2o_cache_digests_frame_t>,
    pub url_and_etag: Vector<h2o_cache_digests_frame_t>,
    pub complete: c_int,
}

/// `h2o_cache_digests_t`.
#[repr(C)]
pub struct h2o_cache_digests_t {
    pub fresh: h2o_cache_digests_fresh_t,
}

const _: () = assert!(size_of::<h2o_cache_digests_t>() == 56);
const _: () = assert!(offset_of!(h2o_cache_digests_t, fresh) == 0);
const _: () = assert!(offset_of!(h2o_cache_digests_fresh_t, url_and_etag) == 24);
const _: () = assert!(offset_of!(h2o_cache_digests_fresh_t, complete) == 48);
