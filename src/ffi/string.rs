//! `h2o/string_.h`: the string helpers of libh2o 2.2.5, over `crate::strings`.
//!
//! Ownership, as in 2.2.5: a function that returns a new string allocates it from `pool` (freed by
//! `h2o_mem_clear_pool`), or with malloc when `pool` is NULL (the caller frees it with `free()`);
//! `h2o_strdup_shared` returns a shared allocation (`h2o_mem_release_shared`). Functions that return
//! a view (`h2o_get_filext`, `h2o_str_stripws`, `h2o_next_token`, and `h2o_htmlescape` when nothing
//! needs escaping) point into the caller's input. Allocation failure ends the process through
//! `h2o__fatal`, as in 2.2.5. Results are NUL-terminated where 2.2.5's are (not counted in `len`).

use std::ffi::{c_char, c_int, c_void};

use super::memory::{h2o__fatal, h2o_mem_alloc_pool, h2o_mem_alloc_shared};
use crate::abi::memory::{h2o_iovec_t, h2o_mem_pool_t};
use crate::abi::panic::boundary;
use crate::strings;

const NULL_IOVEC: h2o_iovec_t = h2o_iovec_t { base: std::ptr::null_mut(), len: 0 };

/// `n` bytes from `pool`, or from malloc when `pool` is NULL. Never returns NULL.
///
/// # Safety
/// `pool` is NULL or an initialized pool.
unsafe fn alloc(pool: *mut h2o_mem_pool_t, n: usize) -> *mut u8 {
    if !pool.is_null() {
        // SAFETY: pool is initialized (caller); the pool aborts on allocation failure.
        return unsafe { h2o_mem_alloc_pool(pool, n) }.cast();
    }
    // SAFETY: plain malloc; the caller owns the result.
    let p = unsafe { libc::malloc(n.max(1)) }.cast::<u8>();
    if p.is_null() {
        // SAFETY: a NUL-terminated message.
        unsafe { h2o__fatal(c"no memory".as_ptr()) };
    }
    p
}

/// An allocation of `out_len + 1` bytes filled by `fill`, NUL-terminated after `out_len`.
///
/// # Safety
/// As `alloc`.
unsafe fn new_string(pool: *mut h2o_mem_pool_t, out_len: usize, fill: impl FnOnce(&mut [u8])) -> h2o_iovec_t {
    // SAFETY: `alloc` returns out_len + 1 writable bytes that nothing else refers to yet.
    let out = unsafe { std::slice::from_raw_parts_mut(alloc(pool, out_len + 1), out_len + 1) };
    fill(&mut out[..out_len]);
    out[out_len] = 0;
    h2o_iovec_t { base: out.as_mut_ptr().cast(), len: out_len }
}

/// The caller's bytes; `len == SIZE_MAX` means "NUL-terminated, use strlen" where 2.2.5 says so.
///
/// # Safety
/// `s` readable for `len` bytes (or a C string when `len == SIZE_MAX` and `strlen_ok`).
unsafe fn bytes<'a>(s: *const c_char, len: usize, strlen_ok: bool) -> &'a [u8] {
    if s.is_null() {
        return &[];
    }
    let len = if len == usize::MAX && strlen_ok {
        // SAFETY: the caller passes a C string in this case.
        unsafe { libc::strlen(s) }
    } else {
        len
    };
    // SAFETY: the caller guarantees `len` readable bytes.
    unsafe { std::slice::from_raw_parts(s.cast(), len) }
}

fn view(base: &[u8], r: std::ops::Range<usize>) -> h2o_iovec_t {
    h2o_iovec_t { base: base[r.clone()].as_ptr().cast_mut().cast(), len: r.len() }
}

/// Copies `len` bytes of `s` (`strlen(s)` if `len` is SIZE_MAX) into a new NUL-terminated string from
/// `pool` (malloc if `pool` is NULL: the caller frees it).
///
/// # Safety
/// `pool` NULL or initialized; `s` readable for `len` bytes (a C string if `len` is SIZE_MAX).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_strdup(pool: *mut h2o_mem_pool_t, s: *const c_char, len: usize) -> h2o_iovec_t {
    boundary("h2o_strdup", NULL_IOVEC, || {
        // SAFETY: the caller's contract.
        unsafe {
            let src = bytes(s, len, true);
            new_string(pool, src.len(), |out| out.copy_from_slice(src))
        }
    })
}

/// As `h2o_strdup`, in a shared allocation (`h2o_mem_alloc_shared`): linked to `pool` when it is not
/// NULL, else owned by the caller (`h2o_mem_release_shared`).
///
/// # Safety
/// As `h2o_strdup`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_strdup_shared(pool: *mut h2o_mem_pool_t, s: *const c_char, len: usize) -> h2o_iovec_t {
    boundary("h2o_strdup_shared", NULL_IOVEC, || {
        // SAFETY: the caller's contract; the shared allocation has len + 1 writable bytes.
        unsafe {
            let src = bytes(s, len, true);
            let p = h2o_mem_alloc_shared(pool, src.len() + 1, None).cast::<u8>();
            let out = std::slice::from_raw_parts_mut(p, src.len() + 1);
            out[..src.len()].copy_from_slice(src);
            out[src.len()] = 0;
            h2o_iovec_t { base: p.cast(), len: src.len() }
        }
    })
}

/// As `h2o_strdup`, appending `/` unless the string is empty or already ends with one.
///
/// # Safety
/// As `h2o_strdup`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_strdup_slashed(pool: *mut h2o_mem_pool_t, s: *const c_char, len: usize) -> h2o_iovec_t {
    boundary("h2o_strdup_slashed", NULL_IOVEC, || {
        // SAFETY: the caller's contract.
        unsafe {
            let src = bytes(s, len, true);
            let slash = !src.is_empty() && src.last() != Some(&b'/');
            new_string(pool, src.len() + slash as usize, |out| {
                out[..src.len()].copy_from_slice(src);
                if slash {
                    out[src.len()] = b'/';
                }
            })
        }
    })
}

/// Whether `target` lower-cased equals `test`, both `test_len` bytes (the core of `h2o_lcstris`).
///
/// # Safety
/// Both readable for `test_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o__lcstris_core(target: *const c_char, test: *const c_char, test_len: usize) -> c_int {
    boundary("h2o__lcstris_core", 0, || {
        // SAFETY: the caller's contract.
        unsafe { strings::lcstris(bytes(target, test_len, false), bytes(test, test_len, false)) as c_int }
    })
}

/// The decimal number that is all of `s[0..len]`, or SIZE_MAX if it is not one.
///
/// # Safety
/// `s` readable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_strtosize(s: *const c_char, len: usize) -> usize {
    boundary("h2o_strtosize", usize::MAX, || {
        // SAFETY: the caller's contract.
        strings::strtosize(unsafe { bytes(s, len, false) }).unwrap_or(usize::MAX)
    })
}

/// The decimal number at the start of `*s` (SIZE_MAX if none); on success `*s` moves past it.
///
/// # Safety
/// `s` valid; `*s` readable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_strtosizefwd(s: *mut *mut c_char, len: usize) -> usize {
    boundary("h2o_strtosizefwd", usize::MAX, || {
        if s.is_null() {
            return usize::MAX;
        }
        // SAFETY: the caller's contract.
        match strings::strtosizefwd(unsafe { bytes(*s, len, false) }) {
            Some((v, n)) => {
                // SAFETY: n <= len: the new position is inside (or at the end of) the caller's bytes.
                unsafe { *s = (*s).add(n) };
                v
            }
            None => usize::MAX,
        }
    })
}

/// Decodes base64url (standard base64 accepted too, no padding) into a new string from `pool`
/// (malloc if NULL); `{NULL, 0}` if the input is not valid.
///
/// # Safety
/// `pool` NULL or initialized; `src` readable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_decode_base64url(pool: *mut h2o_mem_pool_t, src: *const c_char, len: usize) -> h2o_iovec_t {
    boundary("h2o_decode_base64url", NULL_IOVEC, || {
        // SAFETY: the caller's contract.
        let src = unsafe { bytes(src, len, false) };
        let n = strings::decoded_base64url_len(src.len());
        let mut ok = true;
        // SAFETY: pool NULL or initialized (caller).
        let out = unsafe { new_string(pool, n, |out| ok = strings::decode_base64url(src, out).is_some()) };
        if ok {
            return out;
        }
        if pool.is_null() {
            // SAFETY: allocated with malloc just above, not handed out.
            unsafe { libc::free(out.base.cast()) };
        }
        NULL_IOVEC
    })
}

/// Writes the base64 (or base64url, unpadded, when `url_encoded`) form of `src[0..len]` and a NUL to
/// `dst`, which must hold `h2o_base64_encode_capacity(len)` bytes; returns the length without NUL.
///
/// # Safety
/// `src` readable for `len` bytes; `dst` writable for `h2o_base64_encode_capacity(len)` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_base64_encode(dst: *mut c_char, src: *const c_void, len: usize, url_encoded: c_int) -> usize {
    boundary("h2o_base64_encode", 0, || {
        let url = url_encoded != 0;
        let n = strings::base64_encoded_len(len, url);
        // SAFETY: the caller's contract (capacity (len + 2) / 3 * 4 + 1 >= n + 1).
        let (src, out) = unsafe { (bytes(src.cast(), len, false), std::slice::from_raw_parts_mut(dst.cast::<u8>(), n + 1)) };
        let written = strings::base64_encode(src, url, &mut out[..n]);
        out[written] = 0;
        written
    })
}

/// Decodes `src_len` hex digits into `dst` (`src_len / 2` bytes); 0 on success, -1 if `src_len` is
/// odd or a byte is not a hex digit.
///
/// # Safety
/// `src` readable for `src_len` bytes; `dst` writable for `src_len / 2` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_hex_decode(dst: *mut c_void, src: *const c_char, src_len: usize) -> c_int {
    boundary("h2o_hex_decode", -1, || {
        // SAFETY: the caller's contract.
        let (src, out) = unsafe { (bytes(src, src_len, false), std::slice::from_raw_parts_mut(dst.cast::<u8>(), src_len / 2)) };
        if strings::hex_decode(src, out).is_some() { 0 } else { -1 }
    })
}

/// Writes `src[0..src_len]` as lower-case hex and a NUL to `dst` (`2 * src_len + 1` bytes).
///
/// # Safety
/// `src` readable for `src_len` bytes; `dst` writable for `2 * src_len + 1` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_hex_encode(dst: *mut c_char, src: *const c_void, src_len: usize) {
    boundary("h2o_hex_encode", (), || {
        // SAFETY: the caller's contract.
        let (src, out) = unsafe { (bytes(src.cast(), src_len, false), std::slice::from_raw_parts_mut(dst.cast::<u8>(), 2 * src_len + 1)) };
        strings::hex_encode(src, &mut out[..2 * src_len]);
        out[2 * src_len] = 0;
    })
}

/// Percent-escapes `s[0..l]` as RFC 3986 asks for a path segment, keeping the bytes of
/// `preserve_chars` (a C string, or NULL); a new string from `pool` (malloc if NULL).
///
/// # Safety
/// `pool` NULL or initialized; `s` readable for `l` bytes; `preserve_chars` NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_uri_escape(pool: *mut h2o_mem_pool_t, s: *const c_char, l: usize, preserve_chars: *const c_char) -> h2o_iovec_t {
    boundary("h2o_uri_escape", NULL_IOVEC, || {
        // SAFETY: the caller's contract.
        let (src, keep) = unsafe { (bytes(s, l, false), bytes(preserve_chars, usize::MAX, true)) };
        let cap = src.len() * 3;
        // SAFETY: as new_string; only `written` bytes are reported, the NUL goes after them.
        unsafe {
            let mut out = new_string(pool, cap, |_| {});
            let buf = std::slice::from_raw_parts_mut(out.base.cast::<u8>(), cap + 1);
            let written = strings::uri_escape(src, keep, &mut buf[..cap]);
            buf[written] = 0;
            out.len = written;
            out
        }
    })
}

/// The extension of the last segment of `path` (after its last `.`), pointing into `path`, or
/// `{NULL, 0}`.
///
/// # Safety
/// `path` readable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_get_filext(path: *const c_char, len: usize) -> h2o_iovec_t {
    boundary("h2o_get_filext", NULL_IOVEC, || {
        // SAFETY: the caller's contract.
        let p = unsafe { bytes(path, len, false) };
        strings::get_filext(p).map_or(NULL_IOVEC, |r| view(p, r))
    })
}

/// `s[0..len]` without surrounding SP, HTAB, CR, LF (a view into `s`).
///
/// # Safety
/// `s` readable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_str_stripws(s: *const c_char, len: usize) -> h2o_iovec_t {
    boundary("h2o_str_stripws", NULL_IOVEC, || {
        // SAFETY: the caller's contract.
        let b = unsafe { bytes(s, len, false) };
        if b.is_empty() {
            return h2o_iovec_t { base: s.cast_mut(), len: 0 };
        }
        view(b, strings::str_stripws(b))
    })
}

/// The offset of `needle` in `haysack`, or SIZE_MAX.
///
/// # Safety
/// Both readable for their lengths.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_strstr(haysack: *const c_char, haysack_len: usize, needle: *const c_char, needle_len: usize) -> usize {
    boundary("h2o_strstr", usize::MAX, || {
        // SAFETY: the caller's contract.
        let (h, n) = unsafe { (bytes(haysack, haysack_len, false), bytes(needle, needle_len, false)) };
        strings::strstr(h, n).unwrap_or(usize::MAX)
    })
}

/// The next token of the list `*iter` (see the header); advances `*iter`. Returns NULL at the end.
///
/// # Safety
/// `iter` and `element_len` valid; `iter->base` readable for `iter->len` bytes; `value` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_next_token(
    iter: *mut h2o_iovec_t,
    separator: c_int,
    element_len: *mut usize,
    value: *mut h2o_iovec_t,
) -> *const c_char {
    boundary("h2o_next_token", std::ptr::null(), || {
        if iter.is_null() || element_len.is_null() {
            return std::ptr::null();
        }
        // SAFETY: the caller's contract.
        let (it, s) = unsafe { (&mut *iter, bytes((*iter).base, (*iter).len, false)) };
        let Some(t) = strings::next_token(s, 0, separator as u8, !value.is_null()) else {
            return std::ptr::null();
        };
        let base = it.base;
        // SAFETY: every offset is <= len, inside the caller's bytes.
        unsafe {
            *it = h2o_iovec_t { base: base.add(t.rest), len: s.len() - t.rest };
            *element_len = t.token_len;
            if !value.is_null() {
                *value = match t.value {
                    None => NULL_IOVEC,
                    Some(None) => h2o_iovec_t { base: c"".as_ptr().cast_mut(), len: 0 },
                    Some(Some((start, len))) => h2o_iovec_t { base: base.add(start), len },
                };
            }
            base.add(t.token_start)
        }
    })
}

/// Whether the `separator`-separated list `haysack` holds the token `needle` (lower-case),
/// case-insensitively.
///
/// # Safety
/// Both readable for their lengths.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_contains_token(
    haysack: *const c_char,
    haysack_len: usize,
    needle: *const c_char,
    needle_len: usize,
    separator: c_int,
) -> c_int {
    boundary("h2o_contains_token", 0, || {
        // SAFETY: the caller's contract.
        let (h, n) = unsafe { (bytes(haysack, haysack_len, false), bytes(needle, needle_len, false)) };
        strings::contains_token(h, n, separator as u8) as c_int
    })
}

/// HTML-escapes `src[0..len]` (`"&'<>`) into a new string from `pool` (malloc if NULL); when nothing
/// needs escaping, returns `src` itself.
///
/// # Safety
/// `pool` NULL or initialized; `src` readable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_htmlescape(pool: *mut h2o_mem_pool_t, src: *const c_char, len: usize) -> h2o_iovec_t {
    boundary("h2o_htmlescape", NULL_IOVEC, || {
        // SAFETY: the caller's contract.
        let s = unsafe { bytes(src, len, false) };
        let n = strings::htmlescaped_len(s);
        if n == s.len() {
            return h2o_iovec_t { base: src.cast_mut(), len };
        }
        // SAFETY: pool NULL or initialized.
        unsafe { new_string(pool, n, |out| strings::htmlescape(s, out)) }
    })
}

/// Concatenates `list[0..count]` into a new NUL-terminated string from `pool` (malloc if NULL).
///
/// # Safety
/// `pool` NULL or initialized; `list` readable for `count` entries, each readable for its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_concat_list(pool: *mut h2o_mem_pool_t, list: *mut h2o_iovec_t, count: usize) -> h2o_iovec_t {
    boundary("h2o_concat_list", NULL_IOVEC, || {
        // SAFETY: the caller's contract.
        let parts: Vec<&[u8]> = unsafe {
            let list = if count == 0 { &[][..] } else { std::slice::from_raw_parts(list, count) };
            list.iter().map(|v| bytes(v.base, v.len, false)).collect()
        };
        let total = parts.iter().map(|p| p.len()).sum();
        // SAFETY: pool NULL or initialized.
        unsafe {
            new_string(pool, total, |out| {
                let mut o = 0;
                for p in &parts {
                    out[o..o + p.len()].copy_from_slice(p);
                    o += p.len();
                }
            })
        }
    })
}

/// Writes to `buf` line `lineno` of `src` (up to 76 bytes) and a caret line under `column`, NUL
/// terminated (at most 120 bytes); 0 on success, -1 if the position does not exist.
///
/// # Safety
/// `src` readable for `src_len` bytes; `buf` writable for 120 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_str_at_position(buf: *mut c_char, src: *const c_char, src_len: usize, lineno: c_int, column: c_int) -> c_int {
    boundary("h2o_str_at_position", -1, || {
        // SAFETY: the caller's contract.
        let s = unsafe { bytes(src, src_len, false) };
        match strings::str_at_position(s, lineno, column) {
            None => -1,
            Some(text) => {
                // SAFETY: text is at most 76 + 1 + 39 + 2 bytes; buf holds the documented 120.
                unsafe {
                    std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), text.len());
                    *buf.add(text.len()) = 0;
                }
                0
            }
        }
    })
}
