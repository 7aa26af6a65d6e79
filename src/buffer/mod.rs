//! `h2o_buffer_t`: a growable byte buffer whose storage moves into a deleted temporary file once its
//! capacity reaches the prototype's mmap threshold.
//!
//! A buffer is one block: the 36-byte header of `h2o_buffer_t`, then `capacity` bytes from `_buf`.
//! `bytes` points at the first unconsumed byte, `size` bytes are data. An empty buffer is the
//! prototype's `_initial_buf` (`bytes == NULL`); the first reserve allocates.
//!
//! Storage, by capacity:
//! - the prototype's initial capacity: a block from the prototype's recycle allocator;
//! - larger, below the threshold: a malloc block, grown with `realloc` (which moves big blocks by
//!   remapping pages, not copying);
//! - at or above the threshold (see `mmap`): a shared mapping of a temporary file that is unlinked
//!   right after `mkstemp`; growing extends the file (`posix_fallocate`, or `ftruncate` where that
//!   says EINVAL) and `mremap`s the mapping, so the bytes are never copied again. Dispose is
//!   `munmap` + `close`.
//!
//! Failure of the mmap path (template directory not writable, ENOSPC, mapping refused) returns
//! `{NULL, 0}` from reserve, leaves the buffer and its contents as they were, and is counted in
//! [`mmap_failures`]; a message goes to stderr as in libh2o. A failed `malloc` dies, as in libh2o.

use std::ffi::c_char;
use std::mem::offset_of;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::abi::memory::{h2o_buffer_prototype_t, h2o_buffer_t, h2o_iovec_t};
use crate::mem::{self, recycle};

mod mmap;

/// Bytes before `_buf` in every buffer block.
pub const HEADER: usize = offset_of!(h2o_buffer_t, _buf);

static MMAP_FAILURES: AtomicU64 = AtomicU64::new(0);

/// How many times the mmap path failed in this process.
pub fn mmap_failures() -> u64 {
    MMAP_FAILURES.load(Ordering::Relaxed)
}

/// What reserve has to do with an allocated buffer.
#[derive(Debug, PartialEq, Eq)]
pub enum Plan {
    /// There is room after the data already.
    Fits,
    /// Move the data to the start of the block: it then fits, using at most half the capacity.
    Compact,
    /// Grow to `capacity` (doubling until `min_guarantee` fits after the data).
    Grow { capacity: usize },
}

/// Decides reserve's step for a buffer of `capacity` with `size` bytes of data starting `consumed`
/// bytes into the block, asked for `min_guarantee` free bytes.
pub fn plan(capacity: usize, size: usize, consumed: usize, min_guarantee: usize) -> Plan {
    let free_at_end = capacity - size - consumed;
    if min_guarantee <= free_at_end {
        return Plan::Fits;
    }
    match size.checked_add(min_guarantee).and_then(|n| n.checked_mul(2)) {
        Some(n) if n <= capacity => return Plan::Compact,
        _ => {}
    }
    let mut new_capacity = capacity.max(1);
    loop {
        // at least one doubling (an in-place compaction would leave more than half in use)
        new_capacity = new_capacity.checked_mul(2).unwrap_or_else(|| mem::fatal("no memory"));
        if new_capacity - size >= min_guarantee {
            break;
        }
    }
    Plan::Grow { capacity: new_capacity }
}

fn free_space(buf: *mut h2o_buffer_t) -> h2o_iovec_t {
    // SAFETY: `buf` is an allocated buffer: `bytes + size` and `_buf + capacity` are inside its block.
    unsafe {
        let base = (*buf).bytes.add((*buf).size);
        let end = (&raw mut (*buf)._buf).cast::<c_char>().add((*buf).capacity);
        h2o_iovec_t { base, len: end.offset_from(base) as usize }
    }
}

/// Writes a fresh header at `block` (data starting at `_buf`).
///
/// # Safety
/// `block` has room for the header.
unsafe fn init_header(block: *mut h2o_buffer_t, capacity: usize, size: usize, proto: *mut h2o_buffer_prototype_t, fd: i32) {
    // SAFETY: per the contract; fields written in place (the block is uninitialized).
    unsafe {
        (&raw mut (*block).capacity).write(capacity);
        (&raw mut (*block).size).write(size);
        (&raw mut (*block).bytes).write((&raw mut (*block)._buf).cast());
        (&raw mut (*block)._prototype).write(proto);
        (&raw mut (*block)._fd).write(fd);
    }
}

fn threshold(proto: *mut h2o_buffer_prototype_t) -> Option<usize> {
    // SAFETY: a buffer's prototype is valid for the buffer's life (the caller's contract); its
    // mmap settings are NULL or valid.
    unsafe { (*proto).mmap_settings.as_ref().map(|s| s.threshold) }
}

/// `h2o_buffer_reserve`.
///
/// The common case, an allocated buffer with room after its data, is inlined into the caller (the
/// exported function and the engine's readers); everything else is [`reserve_slow`]. Streaming use
/// (append a little, consume most, repeat) takes the fast path on almost every call.
///
/// # Safety
/// `*inbuf` is a prototype's `_initial_buf` or a buffer allocated by this module.
#[inline(always)]
pub unsafe fn reserve(inbuf: &mut *mut h2o_buffer_t, min_guarantee: usize) -> h2o_iovec_t {
    let buf = *inbuf;
    // SAFETY: valid per the contract; for an allocated buffer (`bytes` not NULL) `bytes + size` and
    // `_buf + capacity` are inside its block.
    unsafe {
        let bytes = (*buf).bytes;
        if !bytes.is_null() {
            let end = (&raw mut (*buf)._buf).cast::<c_char>().add((*buf).capacity);
            let base = bytes.add((*buf).size);
            let free = end.offset_from(base) as usize;
            if free >= min_guarantee {
                return h2o_iovec_t { base, len: free };
            }
        }
        reserve_slow(inbuf, min_guarantee)
    }
}

/// [`reserve`] when the buffer is empty or has too little room at its end.
///
/// # Safety
/// As [`reserve`].
#[inline(never)]
unsafe fn reserve_slow(inbuf: &mut *mut h2o_buffer_t, min_guarantee: usize) -> h2o_iovec_t {
    let buf = *inbuf;
    // SAFETY: valid per the contract.
    if unsafe { (*buf).bytes.is_null() } {
        // SAFETY: an empty buffer is the `_initial_buf` of its prototype.
        return unsafe { first_allocation(inbuf, min_guarantee) };
    }
    // SAFETY: an allocated buffer.
    let (capacity, size, consumed, proto, fd) = unsafe {
        let b = &*buf;
        (b.capacity, b.size, b.bytes.offset_from((&raw const b._buf).cast::<c_char>()) as usize, b._prototype, b._fd)
    };
    match plan(capacity, size, consumed, min_guarantee) {
        Plan::Fits => {}
        Plan::Compact => {
            // SAFETY: the data and its destination are inside the block (memmove semantics).
            unsafe {
                let start = (&raw mut (*buf)._buf).cast::<c_char>();
                std::ptr::copy(start.add(consumed), start, size);
                (*buf).bytes = start;
            }
        }
        Plan::Grow { capacity: new_capacity } => {
            let grown = if fd != -1 {
                // SAFETY: an mmap'ed buffer.
                unsafe { mmap::grow(buf, new_capacity) }
            } else if threshold(proto).is_some_and(|t| t <= new_capacity) {
                // SAFETY: an allocated malloc buffer, copied into the new mapping.
                let moved = unsafe { mmap::create(proto, new_capacity, buf) };
                if moved.is_some() {
                    // SAFETY: the data lives in the mapping now; the old block is not used again.
                    unsafe { free(buf) };
                }
                moved
            } else {
                // SAFETY: an allocated malloc buffer.
                Some(unsafe { grow_malloc(buf, new_capacity) })
            };
            match grown {
                Some(b) => *inbuf = b,
                None => {
                    MMAP_FAILURES.fetch_add(1, Ordering::Relaxed);
                    return h2o_iovec_t::EMPTY;
                }
            }
        }
    }
    free_space(*inbuf)
}

/// # Safety
/// `*inbuf` is a prototype's `_initial_buf`.
unsafe fn first_allocation(inbuf: &mut *mut h2o_buffer_t, min_guarantee: usize) -> h2o_iovec_t {
    let initial = *inbuf;
    let proto = initial.cast::<u8>().wrapping_sub(offset_of!(h2o_buffer_prototype_t, _initial_buf)).cast::<h2o_buffer_prototype_t>();
    // SAFETY: the prototype is valid.
    let initial_capacity = unsafe { (*initial).capacity };
    let capacity = min_guarantee.max(initial_capacity);
    let block = if threshold(proto).is_some_and(|t| t <= capacity) {
        // SAFETY: a valid prototype; nothing to copy.
        match unsafe { mmap::create(proto, capacity, std::ptr::null_mut()) } {
            Some(b) => b,
            None => {
                MMAP_FAILURES.fetch_add(1, Ordering::Relaxed);
                return h2o_iovec_t::EMPTY;
            }
        }
    } else {
        let bytes = capacity.checked_add(HEADER).unwrap_or_else(|| mem::fatal("no memory"));
        let b = if capacity == initial_capacity {
            // SAFETY: the prototype is valid; its allocator holds blocks of exactly this size.
            recycle::alloc(unsafe { &mut (*proto).allocator }, bytes)
        } else {
            mem::malloc_or_die(bytes)
        }
        .cast::<h2o_buffer_t>();
        // SAFETY: the block has room for the header.
        unsafe { init_header(b, capacity, 0, proto, -1) };
        b
    };
    *inbuf = block;
    free_space(block)
}

/// Grows a malloc buffer in place with `realloc` (data moved to the start first).
///
/// # Safety
/// `buf` is an allocated, non-mmap buffer; it is invalid afterwards (use the result).
unsafe fn grow_malloc(buf: *mut h2o_buffer_t, new_capacity: usize) -> *mut h2o_buffer_t {
    // SAFETY: an allocated buffer (its block is a libc malloc block, recycled ones included).
    unsafe {
        let start = (&raw mut (*buf)._buf).cast::<c_char>();
        if (*buf).bytes != start {
            std::ptr::copy((*buf).bytes, start, (*buf).size);
        }
        let bytes = new_capacity.checked_add(HEADER).unwrap_or_else(|| mem::fatal("no memory"));
        let grown = mem::realloc_or_die(buf.cast(), bytes).cast::<h2o_buffer_t>();
        (*grown).capacity = new_capacity;
        (*grown).bytes = (&raw mut (*grown)._buf).cast();
        grown
    }
}

/// `h2o_buffer__do_free`: releases an allocated buffer's storage.
///
/// # Safety
/// `buf` is an allocated buffer, not used afterwards.
pub unsafe fn free(buf: *mut h2o_buffer_t) {
    // SAFETY: an allocated buffer and its valid prototype.
    unsafe {
        let (capacity, fd, proto) = ((*buf).capacity, (*buf)._fd, (*buf)._prototype);
        if fd != -1 {
            mmap::unmap(buf, capacity, fd);
        } else if capacity == (*proto)._initial_buf.capacity {
            recycle::free(&mut (*proto).allocator, buf.cast());
        } else {
            libc::free(buf.cast());
        }
    }
}

/// `h2o_buffer_consume`.
///
/// # Safety
/// `*inbuf` is valid and `delta <= size`.
pub unsafe fn consume(inbuf: &mut *mut h2o_buffer_t, delta: usize) {
    if delta == 0 {
        return;
    }
    let buf = *inbuf;
    // SAFETY: allocated (consuming from an empty buffer is a caller bug caught by the assert).
    unsafe {
        assert!(!(*buf).bytes.is_null(), "h2o_buffer_consume on an empty buffer");
        assert!(delta <= (*buf).size, "h2o_buffer_consume past the data");
        if delta == (*buf).size {
            *inbuf = &raw mut (*(*buf)._prototype)._initial_buf;
            free(buf);
        } else {
            (*buf).size -= delta;
            (*buf).bytes = (*buf).bytes.add(delta);
        }
    }
}

/// `h2o_buffer_dispose`: frees the buffer (if allocated) and sets `*inbuf` to NULL.
///
/// # Safety
/// `*inbuf` is valid.
pub unsafe fn dispose(inbuf: &mut *mut h2o_buffer_t) {
    let buf = std::mem::replace(inbuf, std::ptr::null_mut());
    // SAFETY: valid per the contract.
    if !buf.is_null() && unsafe { !(*buf).bytes.is_null() } {
        // SAFETY: allocated.
        unsafe { free(buf) };
    }
}

#[cfg(test)]
mod tests;

unsafe extern "C" {
    /// capi/tls.c: the address of the calling thread's `h2o_socket_buffer_prototype` (a `__thread`
    /// object of 2.2.5, which stable Rust cannot define; `crate::ffi::memory` declares it for export).
    fn h2o_rs__socket_buffer_prototype() -> *mut h2o_buffer_prototype_t;
}

/// The calling thread's `h2o_socket_buffer_prototype`.
pub fn socket_prototype() -> *mut h2o_buffer_prototype_t {
    // SAFETY: a plain C function without preconditions (capi/tls.c).
    unsafe { h2o_rs__socket_buffer_prototype() }
}
