//! `h2o/url.h` (hand-written header): the URL functions over the types and scheme objects of
//! `crate::abi::url`; the engine is `crate::core::url`.
//!
//! Ownership: the scheme objects are static, process-global, read-only. The URL functions follow
//! 2.2.5: results that are views point into the caller's input; new strings come from the caller's
//! pool (`h2o_mem_clear_pool` frees them).

#![allow(non_camel_case_types, non_upper_case_globals)]

use std::ffi::{c_char, c_int};

use crate::abi::memory::{h2o_iovec_t, h2o_mem_pool_t};
use crate::abi::panic::boundary;
use crate::abi::url::*;
use crate::core::url::{self as core_url, normalize_path_in_pool, root_iovec, ParsedUrl, Scheme, SunError, UrlPath};
use crate::mem;

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

/// A wrapper making a C string pointer a `Sync` static.
#[repr(transparent)]
pub struct CStrPtr(pub *const c_char);
// SAFETY: the pointer is to a 'static literal and the object is never written by this library.
unsafe impl Sync for CStrPtr {}

/// `const char *h2o_url_host_to_sun_err_is_not_unix_socket` (8-byte data object): the error
/// `h2o_url_host_to_sun` returns for a host without `unix:`; callers compare by pointer.
#[unsafe(no_mangle)]
pub static h2o_url_host_to_sun_err_is_not_unix_socket: CStrPtr =
    CStrPtr(c"supplied name does not look like an unix-domain socket".as_ptr());

const SUN_TOO_LONG: &std::ffi::CStr = c"unix-domain socket path is too long";

const NULL_IOVEC: h2o_iovec_t = h2o_iovec_t { base: std::ptr::null_mut(), len: 0 };

/// # Safety
/// `s` readable for `len` bytes (a C string when `len` is SIZE_MAX and `strlen_ok`), or NULL.
unsafe fn input<'a>(s: *const c_char, len: usize, strlen_ok: bool) -> &'a [u8] {
    if s.is_null() {
        return &[];
    }
    // SAFETY: the caller's contract.
    let len = if len == usize::MAX && strlen_ok { unsafe { libc::strlen(s) } } else { len };
    // SAFETY: the caller's contract (a non-NULL pointer is fine for 0 bytes, and keeps its address).
    unsafe { std::slice::from_raw_parts(s.cast(), len) }
}

fn sub(base: &[u8], r: std::ops::Range<usize>) -> h2o_iovec_t {
    h2o_iovec_t { base: base[r.start..].as_ptr() as *mut c_char, len: r.len() }
}

fn scheme_ptr(s: Scheme) -> *const h2o_url_scheme_t {
    match s {
        Scheme::Http => &H2O_URL_SCHEME_HTTP,
        Scheme::Https => &H2O_URL_SCHEME_HTTPS,
    }
}

/// Fills `out` from a parse of `s` (iovecs into `s`; a missing path is the static "/").
fn store(s: &[u8], p: &ParsedUrl, out: &mut h2o_url_t) {
    out.scheme = p.scheme.map_or(std::ptr::null(), scheme_ptr);
    out.authority = p.authority.clone().map_or(NULL_IOVEC, |r| sub(s, r));
    out.host = p.host.clone().map_or(NULL_IOVEC, |r| sub(s, r));
    out._port = p.port;
    out.path = match &p.path {
        UrlPath::Root => root_iovec(),
        UrlPath::In(r) => sub(s, r.clone()),
    };
}

/// Parses an absolute `http://` / `https://` URL of `url_len` bytes (`strlen(url)` if SIZE_MAX)
/// into `*result`. Returns 0, or -1 (then `*result` is unspecified).
///
/// Ownership: the iovecs of `*result` point into `url` (or to a static "/"); nothing is allocated.
///
/// # Safety
/// `url` readable for `url_len` bytes (a C string if SIZE_MAX); `result` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_url_parse(url: *const c_char, url_len: usize, result: *mut h2o_url_t) -> c_int {
    boundary("h2o_url_parse", -1, || {
        // SAFETY: the caller's contract.
        let s = unsafe { input(url, url_len, true) };
        match core_url::parse(s) {
            // SAFETY: `result` is writable (caller).
            Some(p) => unsafe {
                store(s, &p, &mut *result);
                0
            },
            None => -1,
        }
    })
}

/// Parses a URL reference (absolute, `//authority...`, or a path) into `*result`; for a bare path
/// the scheme, authority and host are NULL and `_port` 65535. Returns 0, or -1.
///
/// Ownership: as `h2o_url_parse`.
///
/// # Safety
/// As `h2o_url_parse`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_url_parse_relative(url: *const c_char, url_len: usize, result: *mut h2o_url_t) -> c_int {
    boundary("h2o_url_parse_relative", -1, || {
        // SAFETY: the caller's contract.
        let s = unsafe { input(url, url_len, true) };
        match core_url::parse_relative(s) {
            // SAFETY: `result` is writable (caller).
            Some(p) => unsafe {
                store(s, &p, &mut *result);
                0
            },
            None => -1,
        }
    })
}

/// Parses `host[:port]` (or `[v6][:port]`) at `s`; returns the end of it (the start of the path)
/// or NULL. `*port` becomes the port or 65535; `*host` points into `s` once the host is delimited.
///
/// Ownership: nothing allocated; the results point into `s`.
///
/// # Safety
/// `s` readable for `len` bytes; `host` and `port` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_url_parse_hostport(s: *const c_char, len: usize, host: *mut h2o_iovec_t, port: *mut u16) -> *const c_char {
    boundary("h2o_url_parse_hostport", std::ptr::null(), || {
        // SAFETY: the caller's contract.
        let b = unsafe { input(s, len, false) };
        let r = core_url::parse_hostport(b);
        // SAFETY: the outputs are writable (caller); `end` is within `s`.
        unsafe {
            *port = r.port;
            if let Some(h) = r.host {
                *host = sub(b, h);
            }
            r.end.map_or(std::ptr::null(), |e| s.add(e))
        }
    })
}

/// Resolves `*relative` against `*base` (RFC 3986 style, as 2.2.5: leading `./` and `../` of the
/// relative path consumed) into `*dest`, and returns the whole URL as a string; with `relative`
/// NULL, `*dest` is `*base` rebuilt (stringify).
///
/// Ownership: the returned string (NUL-terminated) is from `pool`; `*dest`'s iovecs point into it.
///
/// # Safety
/// `pool` initialized; `base` a valid URL whose path is not empty and starts with `/`; `relative`
/// NULL or a URL from `h2o_url_parse_relative`; `dest` writable (it may be `base`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_url_resolve(
    pool: *mut h2o_mem_pool_t,
    base: *const h2o_url_t,
    relative: *const h2o_url_t,
    dest: *mut h2o_url_t,
) -> h2o_iovec_t {
    boundary("h2o_url_resolve", NULL_IOVEC, || {
        // SAFETY: the caller's contract: valid URLs whose iovecs are readable.
        unsafe {
            let b = *base;
            let mut d = b;
            let mut rel_part: &[u8] = &[];
            let mut base_part = input(b.path.base, b.path.len, false);
            if let Some(r) = relative.as_ref() {
                if !r.scheme.is_null() {
                    d.scheme = r.scheme;
                }
                if !r.authority.base.is_null() {
                    d.authority = r.authority;
                    d.host = r.host;
                    d._port = r._port;
                }
                if !r.path.base.is_null() {
                    let rel = input(r.path.base, r.path.len, false);
                    let (keep, off) = core_url::resolve_path(base_part, rel);
                    base_part = &base_part[..keep.min(base_part.len())];
                    rel_part = &rel[off..];
                }
            }
            let name = input((*d.scheme).name.base, (*d.scheme).name.len, false);
            let authority = input(d.authority.base, d.authority.len, false);
            let parts: [&[u8]; 5] = [name, b"://", authority, base_part, rel_part];
            let total: usize = parts.iter().map(|p| p.len()).sum();
            let out = mem::pool::alloc(&mut *pool, total + 1).cast::<u8>();
            let mut at = 0;
            for p in parts {
                std::ptr::copy_nonoverlapping(p.as_ptr(), out.add(at), p.len());
                at += p.len();
            }
            *out.add(total) = 0;
            let auth_at = out.add(name.len() + 3);
            d.authority.base = auth_at.cast();
            d.host.base = auth_at.add(usize::from(!authority.is_empty() && authority[0] == b'[')).cast();
            d.path = h2o_iovec_t { base: auth_at.add(authority.len()).cast(), len: total - name.len() - 3 - authority.len() };
            *dest = d;
            h2o_iovec_t { base: out.cast(), len: total }
        }
    })
}

/// Resolves the path `*relative` against the path `*base` in place: `base->len` becomes the length
/// of `base` to keep and `*relative` the rest of it to append (the result is their concatenation).
///
/// Ownership: nothing allocated; both stay views of the caller's strings.
///
/// # Safety
/// Both iovecs readable; `base` contains a `/` (2.2.5 reads before it otherwise; here it keeps 1).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_url_resolve_path(base: *mut h2o_iovec_t, relative: *mut h2o_iovec_t) {
    boundary("h2o_url_resolve_path", (), || {
        // SAFETY: the caller's contract.
        unsafe {
            let b = input((*base).base, (*base).len, false);
            let r = input((*relative).base, (*relative).len, false);
            let (keep, off) = core_url::resolve_path(b, r);
            (*base).len = keep;
            if !(*relative).base.is_null() {
                (*relative).base = (*relative).base.add(off);
            }
            (*relative).len -= off;
        }
    })
}

/// Copies `*src` into `*dest` with NUL-terminated copies of its authority, host and path.
///
/// Ownership: the copies are from `pool` (malloc if `pool` is NULL: the caller frees them).
///
/// # Safety
/// `pool` NULL or initialized; `src` a valid URL; `dest` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_url_copy(pool: *mut h2o_mem_pool_t, dest: *mut h2o_url_t, src: *const h2o_url_t) {
    boundary("h2o_url_copy", (), || {
        // SAFETY: the caller's contract.
        unsafe {
            let s = *src;
            let d = h2o_url_t {
                scheme: s.scheme,
                authority: super::string::h2o_strdup(pool, s.authority.base, s.authority.len),
                host: super::string::h2o_strdup(pool, s.host.base, s.host.len),
                path: super::string::h2o_strdup(pool, s.path.base, s.path.len),
                _port: s._port,
            };
            *dest = d;
        }
    })
}

/// Fills `*sa` (zeroed, AF_UNIX) from a `unix:/path` host; returns NULL, or an error string:
/// `h2o_url_host_to_sun_err_is_not_unix_socket`'s value, or a "too long" message.
///
/// Ownership: the error strings are static.
///
/// # Safety
/// `host` readable; `sa` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_url_host_to_sun(host: h2o_iovec_t, sa: *mut libc::sockaddr_un) -> *const c_char {
    boundary("h2o_url_host_to_sun", SUN_TOO_LONG.as_ptr(), || {
        // SAFETY: the caller's contract.
        let h = unsafe { input(host.base, host.len, false) };
        // SAFETY: `sa` is writable (caller).
        let sa = unsafe { &mut *sa };
        match core_url::unix_socket_path(h, sa.sun_path.len()) {
            Ok(path) => {
                // SAFETY: all-zero is a valid sockaddr_un.
                *sa = unsafe { std::mem::zeroed() };
                sa.sun_family = libc::AF_UNIX as libc::sa_family_t;
                for (d, &c) in sa.sun_path.iter_mut().zip(path) {
                    *d = c as c_char;
                }
                std::ptr::null()
            }
            // SAFETY: reading our own static.
            Err(SunError::NotUnixSocket) => unsafe { std::ptr::read_volatile(&h2o_url_host_to_sun_err_is_not_unix_socket.0) },
            Err(SunError::TooLong) => SUN_TOO_LONG.as_ptr(),
        }
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
