//! `h2o/cache_digests.h` (hand-written header): 2.2.5's `h2o_cache_digests_*` over
//! `crate::http2::cache_digests`.
//!
//! Ownership: `h2o_cache_digests_load_header` allocates the object the first time (when
//! `*digests` is NULL) and the caller frees it with `h2o_cache_digests_destroy`. The object is a
//! 2.2.5-layout `h2o_cache_digests_t` followed by the engine's digests; its vectors' `entries`
//! point at those (opaque `h2o_cache_digests_frame_t`s: C reads `size` and `fresh.complete` only),
//! and are valid until the next load or the destroy. Not thread-safe: one connection's object.

use std::ffi::{c_char, c_int};
use std::ptr::null_mut;

use crate::abi::cache_digests::h2o_cache_digests_t;
use crate::abi::core::Vector;
use crate::abi::panic::boundary;
use crate::http2::cache_digests::{Digests, Frame, State};

/// The allocation behind an `h2o_cache_digests_t *`: the C view first, so the pointers are equal.
#[repr(C)]
struct Owned {
    c: h2o_cache_digests_t,
    digests: Digests,
}

impl Owned {
    /// Points the C view at the engine's digests.
    fn sync(&mut self) {
        fn view(frames: &mut [Frame]) -> Vector<std::ffi::c_void> {
            Vector { entries: frames.as_mut_ptr().cast(), size: frames.len(), capacity: frames.len() }
        }
        self.c.fresh.url_only = view(&mut self.digests.url_only);
        self.c.fresh.url_and_etag = view(&mut self.digests.url_and_etag);
        self.c.fresh.complete = c_int::from(self.digests.complete);
    }
}

/// # Safety
/// `p` is NULL or a pointer this module returned and not destroyed.
unsafe fn owned<'a>(p: *mut h2o_cache_digests_t) -> Option<&'a mut Owned> {
    // SAFETY: per the contract, an `Owned` (whose first field `p` points to).
    unsafe { p.cast::<Owned>().as_mut() }
}

/// # Safety
/// `s` is NULL (read as empty) or readable for `len` bytes.
unsafe fn bytes<'a>(s: *const c_char, len: usize) -> &'a [u8] {
    if s.is_null() || len == 0 {
        return &[];
    }
    // SAFETY: per the contract.
    unsafe { std::slice::from_raw_parts(s.cast::<u8>(), len) }
}

/// Frees `digests` (made by [`h2o_cache_digests_load_header`]); NULL is ignored.
///
/// # Safety
/// `digests` is NULL or a live object of this library, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_cache_digests_destroy(digests: *mut h2o_cache_digests_t) {
    boundary("h2o_cache_digests_destroy", (), || {
        if !digests.is_null() {
            // SAFETY: per the contract, a Box<Owned> of ours.
            drop(unsafe { Box::from_raw(digests.cast::<Owned>()) });
        }
    })
}

/// Takes in a `cache-digest` header value (`len` bytes): `*digests` gains the fresh digests the
/// value carries (see the engine module for the syntax and flags). As 2.2.5, the object is made
/// when `*digests` is NULL and a digest is stored, and a `reset` frees it (`*digests` becomes NULL
/// unless a later digest of the value is stored).
///
/// # Safety
/// `digests` is writable and holds NULL or a live object of this library; `value` is readable for
/// `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_cache_digests_load_header(digests: *mut *mut h2o_cache_digests_t, value: *const c_char, len: usize) {
    boundary("h2o_cache_digests_load_header", (), || {
        if digests.is_null() {
            return;
        }
        // SAFETY: per the contract.
        let (slot, value) = unsafe { (&mut *digests, bytes(value, len)) };
        // SAFETY: per the contract.
        let mut loaded = match unsafe { owned(*slot) } {
            Some(o) => std::mem::take(&mut o.digests),
            None => Digests::default(),
        };
        loaded.load_header(value);
        // As 2.2.5: the object exists while it holds a digest (made when one is stored, freed by
        // a `reset`, which sets *digests to NULL).
        let holds = !loaded.url_only.is_empty() || !loaded.url_and_etag.is_empty();
        // SAFETY: per the contract.
        match (unsafe { owned(*slot) }, holds) {
            (Some(o), true) => {
                o.digests = loaded;
                o.sync();
            }
            (Some(_), false) => {
                // SAFETY: ours (above), not used after this.
                drop(unsafe { Box::from_raw((*slot).cast::<Owned>()) });
                *slot = null_mut();
            }
            (None, true) => {
                let mut o = Box::new(Owned {
                    c: h2o_cache_digests_t {
                        fresh: crate::abi::cache_digests::h2o_cache_digests_fresh_t {
                            url_only: Vector::EMPTY,
                            url_and_etag: Vector::EMPTY,
                            complete: 0,
                        },
                    },
                    digests: loaded,
                });
                o.sync();
                *slot = Box::into_raw(o).cast::<h2o_cache_digests_t>();
            }
            (None, false) => {}
        }
    })
}

/// Whether a fresh digest holds `url` (`url_len` bytes): FRESH, else NOT_CACHED when the digests
/// are complete, else UNKNOWN.
///
/// # Safety
/// `digests` is a live object of this library (NULL: UNKNOWN); `url` readable for `url_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_cache_digests_lookup_by_url(digests: *mut h2o_cache_digests_t, url: *const c_char, url_len: usize) -> State {
    boundary("h2o_cache_digests_lookup_by_url", State::Unknown, || {
        // SAFETY: per the contract.
        match unsafe { owned(digests) } {
            Some(o) => o.digests.lookup_by_url(unsafe { bytes(url, url_len) }),
            None => State::Unknown,
        }
    })
}

/// As [`h2o_cache_digests_lookup_by_url`], in the digests sent with `validators` (URL and ETag).
///
/// # Safety
/// As [`h2o_cache_digests_lookup_by_url`]; `etag` readable for `etag_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_cache_digests_lookup_by_url_and_etag(
    digests: *mut h2o_cache_digests_t,
    url: *const c_char,
    url_len: usize,
    etag: *const c_char,
    etag_len: usize,
) -> State {
    boundary("h2o_cache_digests_lookup_by_url_and_etag", State::Unknown, || {
        // SAFETY: per the contract.
        match unsafe { owned(digests) } {
            Some(o) => o.digests.lookup_by_url_and_etag(unsafe { bytes(url, url_len) }, unsafe { bytes(etag, etag_len) }),
            None => State::Unknown,
        }
    })
}
