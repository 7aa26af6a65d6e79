//! Header lists (`h2o_headers_t`) with 2.2.5's semantics:
//! - a name is a token (`&token.buf`, compared by pointer) or a pool copy of a string (compared
//!   byte for byte: no case folding, so callers pass lower-case names as H2O does);
//! - values and non-token names are never copied (they must outlive the list), as in 2.2.5; an
//!   original-case name is copied;
//! - new entries and copies come from the pool given to each call; the list's storage grows in the
//!   pool (capacity 4, then doubling), so nothing here is ever freed individually.

use std::ffi::c_char;

use crate::abi::core::{h2o_header_t, h2o_headers_t};
use crate::abi::memory::{h2o_iovec_t, h2o_mem_pool_t};
use crate::abi::token::h2o_token_t;
use crate::token::h2o__tokens;
use crate::mem;

/// Index of the first entry after `cursor` (-1: from the start) whose name satisfies `is_match`.
pub fn find(headers: &[h2o_header_t], cursor: isize, mut is_match: impl FnMut(&h2o_header_t) -> bool) -> isize {
    let start = if cursor < 0 { 0 } else { cursor as usize + 1 };
    headers
        .get(start..)
        .unwrap_or(&[])
        .iter()
        .position(&mut is_match)
        .map_or(-1, |i| (start + i) as isize)
}

/// The entries of `headers` as a slice.
///
/// # Safety
/// `headers.entries` holds `headers.size` initialized entries (or size is 0).
pub unsafe fn entries(headers: &h2o_headers_t) -> &[h2o_header_t] {
    if headers.size == 0 || headers.entries.is_null() {
        return &[];
    }
    // SAFETY: the caller's contract.
    unsafe { std::slice::from_raw_parts(headers.entries, headers.size) }
}

/// Whether the entry's name is exactly the bytes `name`.
///
/// # Safety
/// The entry's name points to a valid iovec whose bytes are readable.
pub unsafe fn name_is(h: &h2o_header_t, name: &[u8]) -> bool {
    // SAFETY: the caller's contract.
    let n = unsafe { &*h.name };
    // SAFETY: as above; a zero length never dereferences `base`.
    n.len == name.len() && (n.len == 0 || unsafe { std::slice::from_raw_parts(n.base.cast::<u8>(), n.len) } == name)
}

/// The token named exactly `name`, as a pointer into the table in use (the executable's copy
/// when it copy-relocated `h2o__tokens`).
pub fn lookup_token(name: &[u8]) -> Option<*const h2o_token_t> {
    let i = crate::token::lookup(name)?;
    // SAFETY: `i < TOKENS.len() <= MAX_TOKENS`, an element of the exported array.
    Some(unsafe { (&raw const h2o__tokens).cast::<h2o_token_t>().add(i) })
}

/// Copies `s` into `pool` with a NUL after it.
///
/// # Safety
/// `pool` is initialized.
pub unsafe fn pool_strdup(pool: &mut h2o_mem_pool_t, s: &[u8]) -> h2o_iovec_t {
    // SAFETY: the caller's contract; the pool aborts when memory is exhausted.
    let p = unsafe { mem::pool::alloc(pool, s.len() + 1) }.cast::<u8>();
    // SAFETY: `p` has `s.len() + 1` writable bytes, distinct from `s`.
    unsafe {
        copy_bytes(s.as_ptr(), p, s.len());
        *p.add(s.len()) = 0;
    }
    h2o_iovec_t { base: p.cast::<c_char>(), len: s.len() }
}

/// `copy_nonoverlapping(src, dst, n)`, with the lengths of most header names and values (up to
/// 32 bytes) copied inline by two overlapping loads and stores instead of a call to memcpy.
///
/// # Safety
/// As `std::ptr::copy_nonoverlapping`.
#[inline(always)]
unsafe fn copy_bytes(src: *const u8, dst: *mut u8, n: usize) {
    use std::ptr::{read_unaligned as rd, write_unaligned as wr};
    // SAFETY (every block): both ranges hold `n` bytes; each access is within them (the second
    // of each pair ends at byte `n`, overlapping the first when `n` is below twice its size).
    unsafe {
        if n >= 16 {
            if n > 32 {
                std::ptr::copy_nonoverlapping(src, dst, n);
                return;
            }
            let (a, b) = (rd(src.cast::<u128>()), rd(src.add(n - 16).cast::<u128>()));
            wr(dst.cast::<u128>(), a);
            wr(dst.add(n - 16).cast::<u128>(), b);
        } else if n >= 8 {
            let (a, b) = (rd(src.cast::<u64>()), rd(src.add(n - 8).cast::<u64>()));
            wr(dst.cast::<u64>(), a);
            wr(dst.add(n - 8).cast::<u64>(), b);
        } else if n >= 4 {
            let (a, b) = (rd(src.cast::<u32>()), rd(src.add(n - 4).cast::<u32>()));
            wr(dst.cast::<u32>(), a);
            wr(dst.add(n - 4).cast::<u32>(), b);
        } else if n > 0 {
            *dst = *src;
            *dst.add(n / 2) = *src.add(n / 2);
            *dst.add(n - 1) = *src.add(n - 1);
        }
    }
}

/// A pool-allocated `h2o_iovec_t` pointing to `name` (the name of a non-token header). As in
/// 2.2.5 the bytes are borrowed, not copied: they must outlive the list.
///
/// # Safety
/// `pool` is initialized.
pub unsafe fn pool_name(pool: &mut h2o_mem_pool_t, name: *const c_char, len: usize) -> *mut h2o_iovec_t {
    // SAFETY: the caller's contract; pool memory is aligned for any type.
    let slot = unsafe { mem::pool::alloc(pool, size_of::<h2o_iovec_t>()) }.cast::<h2o_iovec_t>();
    // SAFETY: `slot` is fresh, writable and large enough.
    unsafe { slot.write(h2o_iovec_t { base: name.cast_mut(), len }) };
    slot
}

/// Appends `{name, orig_name, value}`; `orig_name`, when not NULL, is copied (as many bytes as the
/// name has). Returns the new entry's index.
///
/// # Safety
/// `pool` is initialized, `headers` is a list in that pool (or empty), `name` points to a valid
/// iovec that outlives the list, `orig_name` is NULL or has `name.len` readable bytes.
pub unsafe fn add(
    pool: &mut h2o_mem_pool_t,
    headers: &mut h2o_headers_t,
    name: *mut h2o_iovec_t,
    orig_name: *const c_char,
    value: h2o_iovec_t,
) -> usize {
    let orig = if orig_name.is_null() {
        std::ptr::null()
    } else {
        // SAFETY: the caller's contract: `orig_name` has `name.len` bytes; `name` is valid.
        unsafe {
            let len = (*name).len;
            pool_strdup(pool, std::slice::from_raw_parts(orig_name.cast::<u8>(), len)).base.cast_const()
        }
    };
    let wanted = headers.size + 1;
    // SAFETY: the list's storage came from this pool (the caller's contract).
    unsafe { mem::vector::expand(Some(pool), headers.as_raw(), size_of::<h2o_header_t>(), wanted) };
    let i = headers.size;
    // SAFETY: capacity > size after expand.
    unsafe { headers.entries.add(i).write(h2o_header_t { name, orig_name: orig, value }) };
    headers.size += 1;
    i
}

/// Removes entry `cursor`, keeping the order of the others; returns `cursor` (as 2.2.5 does, so a
/// search continuing after the returned index skips the entry that moved into its place).
///
/// # Safety
/// `headers` holds `size` initialized entries; `cursor < size` (checked: out of range panics).
pub unsafe fn delete(headers: &mut h2o_headers_t, cursor: isize) -> isize {
    assert!(cursor >= 0 && (cursor as usize) < headers.size, "h2o_delete_header: no entry {cursor}");
    let i = cursor as usize;
    let after = headers.size - i - 1;
    // SAFETY: entries [i + 1, size) move down by one, inside the live entries.
    unsafe { std::ptr::copy(headers.entries.add(i + 1), headers.entries.add(i), after) };
    headers.size -= 1;
    cursor
}

/// The comma-joined value `existing + ", " + added`, in `pool`.
///
/// # Safety
/// `pool` is initialized.
pub unsafe fn join_token_value(pool: &mut h2o_mem_pool_t, existing: &[u8], added: &[u8]) -> h2o_iovec_t {
    let mut v = Vec::with_capacity(existing.len() + 2 + added.len());
    v.extend_from_slice(existing);
    v.extend_from_slice(b", ");
    v.extend_from_slice(added);
    // SAFETY: the caller's contract.
    unsafe { pool_strdup(pool, &v) }
}

/// `h2o_set_header_token`: adds `value` to the comma-separated list of the last `name` entry (a
/// new string in `pool`), unless an entry already lists it (each element lower-cased and compared
/// with `value` as given, as 2.2.5); appends an entry (value borrowed) when there is none.
///
/// # Safety
/// As [`add`]; `value` has `len` readable bytes and outlives the list.
pub unsafe fn set_token(pool: &mut h2o_mem_pool_t, list: &mut h2o_headers_t, name: *mut h2o_iovec_t, value: h2o_iovec_t) {
    // SAFETY: the caller's contract.
    unsafe {
        let b = |v: h2o_iovec_t| if v.len == 0 { &[][..] } else { std::slice::from_raw_parts(v.base.cast::<u8>(), v.len) };
        let wanted = b(value);
        let mut last = None;
        for (i, h) in entries(list).iter().enumerate() {
            if std::ptr::eq(h.name, name) {
                if crate::strings::contains_token(b(h.value), wanted, b',') {
                    return;
                }
                last = Some(i);
            }
        }
        match last {
            Some(i) => {
                let slot = &mut *list.entries.add(i);
                slot.value = join_token_value(pool, b(slot.value), wanted);
            }
            None => {
                add(pool, list, name, std::ptr::null(), value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: *mut h2o_iovec_t) -> h2o_header_t {
        h2o_header_t { name, orig_name: std::ptr::null(), value: h2o_iovec_t::EMPTY }
    }

    #[test]
    fn copy_bytes_copies_every_length_exactly() {
        let src: Vec<u8> = (0..80u8).map(|i| i.wrapping_mul(29) | 1).collect();
        for n in 0..=64 {
            let mut dst = vec![0u8; 80];
            // SAFETY: both buffers hold at least `n` bytes and do not overlap.
            unsafe { copy_bytes(src.as_ptr(), dst.as_mut_ptr(), n) };
            assert_eq!(&dst[..n], &src[..n], "{n}");
            assert!(dst[n..].iter().all(|&b| b == 0), "{n}: wrote past the end");
        }
    }

    #[test]
    fn find_starts_after_the_cursor() {
        let mut a = h2o_iovec_t::EMPTY;
        let mut b = h2o_iovec_t::EMPTY;
        let (pa, pb) = (&raw mut a, &raw mut b);
        let list = [header(pa), header(pb), header(pa)];
        assert_eq!(find(&list, -1, |h| h.name == pa), 0);
        assert_eq!(find(&list, 0, |h| h.name == pa), 2);
        assert_eq!(find(&list, 2, |h| h.name == pa), -1);
        assert_eq!(find(&list, 7, |h| h.name == pa), -1);
        assert_eq!(find(&[], -1, |_| true), -1);
    }

    #[test]
    fn add_find_delete_in_a_pool() {
        let mut pool = mem::pool::EMPTY;
        let mut list = h2o_headers_t::EMPTY;
        let host = lookup_token(b"host").unwrap() as *mut h2o_iovec_t;
        // SAFETY: an initialized pool, names that outlive the list, an orig_name of 4 bytes.
        unsafe {
            let x = pool_name(&mut pool, c"x-a".as_ptr(), 3);
            for i in 0..10 {
                add(&mut pool, &mut list, if i % 2 == 0 { host } else { x }, c"HOST".as_ptr(), h2o_iovec_t::EMPTY);
            }
            assert_eq!(list.size, 10);
            let e = entries(&list);
            assert!(name_is(&e[1], b"x-a") && !name_is(&e[1], b"x-b"));
            assert_eq!(std::ffi::CStr::from_ptr(e[0].orig_name).to_bytes(), b"HOST");
            assert_eq!(find(e, 0, |h| h.name == host), 2);
            assert_eq!(delete(&mut list, 0), 0);
            assert_eq!(list.size, 9);
            assert!(name_is(&entries(&list)[0], b"x-a"));
            let j = join_token_value(&mut pool, b"a", b"b");
            assert_eq!(std::slice::from_raw_parts(j.base.cast::<u8>(), j.len), b"a, b");
            mem::pool::clear(&mut pool);
        }
    }
}
