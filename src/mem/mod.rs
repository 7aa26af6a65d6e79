//! Memory primitives of `h2o/memory.h`: the fatal hook, the recycle allocator, the memory pool with
//! its ref-counted shared chunks, vector growth, and small helpers (secure memset, hex dump,
//! NULL-terminated lists).
//!
//! The C structs of `crate::abi::memory` are the state; this module works on them. Memory that C
//! code frees or reads directly (shared entries, pool chunks, vector entries) comes from libc
//! `malloc`/`realloc`, never from Rust's allocator. The raw-memory steps are few and each carries a
//! `SAFETY:` note; decisions (sizes, growth, formatting) are plain safe functions, tested below.

use std::ffi::c_void;

pub mod pool;
pub mod recycle;
pub mod vector;

/// Prints `fatal:<msg>` on stderr and aborts, as libh2o's `h2o__fatal` does.
#[cold]
pub fn fatal(msg: &str) -> ! {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "fatal:{msg}");
    let _ = err.flush();
    std::process::abort()
}

/// `malloc(size)`, dying (as libh2o's `h2o_mem_alloc`) when memory is exhausted. Never returns NULL;
/// a zero size still returns a unique block.
pub fn malloc_or_die(size: usize) -> *mut c_void {
    // SAFETY: malloc has no preconditions.
    let p = unsafe { libc::malloc(size.max(1)) };
    if p.is_null() {
        fatal("no memory");
    }
    p
}

/// `realloc(p, size)`, dying when memory is exhausted.
///
/// # Safety
/// `p` is NULL or a live libc-allocated block, not used afterwards unless the result is `p`.
pub unsafe fn realloc_or_die(p: *mut c_void, size: usize) -> *mut c_void {
    // SAFETY: per the function's contract.
    let q = unsafe { libc::realloc(p, size.max(1)) };
    if q.is_null() {
        fatal("no memory");
    }
    q
}

/// Writes `len` bytes of `c` at `b` with volatile stores (never optimized away).
///
/// # Safety
/// `b` points to `len` writable bytes.
pub unsafe fn set_volatile(b: *mut u8, c: u8, len: usize) {
    for i in 0..len {
        // SAFETY: `i < len`, inside the caller's range.
        unsafe { b.add(i).write_volatile(c) };
    }
}

/// The text of `h2o_dump_memory`: per 16 bytes, `%08zx` offset, ` %02x` per byte (three spaces for
/// missing ones on the last line), a space, then the bytes as ASCII with non-printables as `.`.
pub fn hexdump(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len().div_ceil(16) * 76);
    for (line, chunk) in bytes.chunks(16).enumerate() {
        let _ = write!(out, "{:08x}", line * 16);
        for i in 0..16 {
            match chunk.get(i) {
                Some(b) => {
                    let _ = write!(out, " {b:02x}");
                }
                None => out.push_str("   "),
            }
        }
        out.push(' ');
        out.extend(chunk.iter().map(|&b| if (0x20..0x7f).contains(&b) { b as char } else { '.' }));
        out.push('\n');
    }
    out
}

/// Appends `element` to the malloc'ed NULL-terminated array `*list` (NULL = empty).
///
/// # Safety
/// `*list` is NULL or a live malloc'ed array of pointers ending with NULL.
pub unsafe fn append_to_null_terminated_list(list: &mut *mut *mut c_void, element: *mut c_void) {
    let mut count = 0usize;
    if !list.is_null() {
        // SAFETY: the array is NULL-terminated, so every index up to the NULL is inside it.
        while !unsafe { *(*list).add(count) }.is_null() {
            count += 1;
        }
    }
    let bytes = (count + 2)
        .checked_mul(size_of::<*mut c_void>())
        .unwrap_or_else(|| fatal("no memory"));
    // SAFETY: `*list` is NULL or a live malloc'ed block, replaced by the result right away.
    let grown = unsafe { realloc_or_die((*list).cast(), bytes) }.cast::<*mut c_void>();
    // SAFETY: the new block holds count + 2 pointers.
    unsafe {
        grown.add(count).write(element);
        grown.add(count + 1).write(std::ptr::null_mut());
    }
    *list = grown;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hexdump_lines() {
        assert_eq!(hexdump(b""), "");
        assert_eq!(
            hexdump(b"0123456789abcdefA\n"),
            "00000000 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 0123456789abcdef\n\
             00000010 41 0a                                           A.\n"
        );
    }

    #[test]
    fn null_terminated_list() {
        let mut list: *mut *mut c_void = std::ptr::null_mut();
        let (a, b) = (1usize as *mut c_void, 2usize as *mut c_void);
        // SAFETY: starts NULL, then holds what the function allocated.
        unsafe {
            append_to_null_terminated_list(&mut list, a);
            append_to_null_terminated_list(&mut list, b);
            assert_eq!(*list, a);
            assert_eq!(*list.add(1), b);
            assert!((*list.add(2)).is_null());
            libc::free(list.cast());
        }
    }

    #[test]
    fn volatile_set() {
        let mut v = [1u8; 9];
        // SAFETY: 9 writable bytes.
        unsafe { set_volatile(v.as_mut_ptr(), 0, 9) };
        assert_eq!(v, [0; 9]);
    }
}
