//! `h2o/url.h` (hand-written header): `h2o_url_scheme_t` and the two exported scheme objects
//! `H2O_URL_SCHEME_HTTP` / `H2O_URL_SCHEME_HTTPS` (24-byte data objects, as in 2.2.5). A request's
//! `scheme` points to one of them and embedders compare by address, so executables built against
//! 2.2.5 may copy-relocate them; the library refers to them through the symbol (its GOT entry),
//! like `h2o__tokens`, so it sees the same copy.
//!
//! Ownership: the scheme objects are static, process-global, read-only. The URL functions follow
//! 2.2.5: results that are views point into the caller's input; new strings come from the caller's
//! pool (`h2o_mem_clear_pool` frees them).

#![allow(non_camel_case_types, non_upper_case_globals)]

use std::ffi::c_char;
use std::mem::{offset_of, size_of};

use super::memory::{h2o_iovec_t, h2o_mem_pool_t};
use super::panic::boundary;
use crate::core::url::{normalize_path, NormalizedPath};
use crate::mem;

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
static ROOT: &[u8; 2] = b"/\0";

fn root_iovec() -> h2o_iovec_t {
    h2o_iovec_t { base: ROOT.as_ptr() as *mut c_char, len: 1 }
}

/// Copies `bytes` into `n.max(bytes.len())` bytes of `pool`.
///
/// # Safety
/// `pool` is initialized.
unsafe fn pool_copy<T: Copy>(pool: *mut h2o_mem_pool_t, bytes: &[T], n: usize) -> *mut T {
    // SAFETY: the caller's pool; the allocation holds n.max(len) elements of T (pool memory is
    // 16-byte aligned), and nothing else refers to it yet.
    unsafe {
        let p = mem::pool::alloc(&mut *pool, n.max(bytes.len()).max(1) * size_of::<T>()).cast::<T>();
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
        p
    }
}

/// `h2o_url_normalize_path` for Rust callers (the HTTP/1 and HTTP/2 request paths): normalizes
/// `path` (see `crate::core::url`), returning the normalized path, the offset of the `?` (or
/// `usize::MAX`) and the index array (NULL when the path is used as is).
///
/// Ownership: the result is a view into `path` when it needs no change, the static "/" for an
/// empty or rejected path, else a new string from `pool` (not NUL-terminated, as 2.2.5); the index
/// array (`path.len() + 1` entries allocated, the first `result.len` meaningful) is from `pool` too.
///
/// # Safety
/// `pool` is initialized; `path` stays valid as long as the result is used.
pub unsafe fn normalize_path_in_pool(pool: *mut h2o_mem_pool_t, path: &[u8]) -> (h2o_iovec_t, usize, *mut usize) {
    let n = normalize_path(path);
    let query_at = n.query_at.unwrap_or(usize::MAX);
    let src_len = n.query_at.unwrap_or(path.len());
    match &n.path {
        NormalizedPath::Empty => (root_iovec(), query_at, std::ptr::null_mut()),
        NormalizedPath::AsIs { len } => {
            (h2o_iovec_t { base: path.as_ptr() as *mut c_char, len: *len }, query_at, std::ptr::null_mut())
        }
        NormalizedPath::Rebuilt { path: out, indexes } => {
            // SAFETY: the caller's pool.
            let (base, idx) = unsafe { (pool_copy(pool, out, src_len + 1), pool_copy(pool, indexes, src_len + 1)) };
            (h2o_iovec_t { base: base.cast(), len: out.len() }, query_at, idx)
        }
        NormalizedPath::Rejected { rebuilt, indexes } => {
            eprintln!(
                "libh2o-rs: path normalization left a \"..\" segment, using \"/\": `{}` => `{}`",
                String::from_utf8_lossy(path),
                String::from_utf8_lossy(rebuilt)
            );
            // SAFETY: the caller's pool.
            let idx = unsafe { pool_copy(pool, indexes, src_len + 1) };
            (root_iovec(), query_at, idx)
        }
    }
}

/// Removes `.` and `..` segments and decodes `%xx` in the request path `path` (`len` bytes) as
/// 2.2.5 does, stopping at the first `?`, whose offset goes to `*query_at` (SIZE_MAX if none).
/// `*norm_indexes` gets NULL when the path is returned as is, else an array from `pool` mapping
/// each byte of the result to the input offset just after its source bytes.
///
/// Ownership: the result points into `path` when nothing needed to change (the caller keeps `path`
/// alive), is a static "/" for an empty path, or a new string from `pool` (freed with the pool).
///
/// # Safety
/// `pool` is initialized; `path` readable for `len` bytes; `query_at` and `norm_indexes` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_url_normalize_path(
    pool: *mut h2o_mem_pool_t,
    path: *const c_char,
    len: usize,
    query_at: *mut usize,
    norm_indexes: *mut *mut usize,
) -> h2o_iovec_t {
    boundary("h2o_url_normalize_path", root_iovec(), || {
        // SAFETY: the caller's contract (a NULL path is read as empty).
        let input = if path.is_null() || len == 0 { &[][..] } else { unsafe { std::slice::from_raw_parts(path.cast::<u8>(), len) } };
        // SAFETY: the caller's pool; the input outlives the call.
        let (ret, q, idx) = unsafe { normalize_path_in_pool(pool, input) };
        // SAFETY: both outputs are writable (caller).
        unsafe {
            *query_at = q;
            *norm_indexes = idx;
        }
        ret
    })
}

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
