//! `h2o/memory.h`: the exported functions and data objects over the types of `crate::abi::memory`
//! (the engine is `crate::mem` and `crate::buffer`).
//!
//! Ownership (per function below):
//! - pool memory (`h2o_mem_alloc_pool`) is owned by the pool and freed by `h2o_mem_clear_pool`;
//! - a shared chunk is owned by its reference count; each pool link holds one reference;
//! - a buffer (`h2o_buffer_t *`) is owned by the variable the caller passes as `h2o_buffer_t **`;
//!   reserve and consume may replace it (the old pointer is then invalid);
//! - data objects (`h2o_socket_buffer_mmap_settings`, `h2o_mem__set_secure`) are process-global and
//!   may be modified by the embedder before use, as in libh2o.
//!
//! Failure: libh2o dies (`h2o_fatal`) when malloc fails; so does this library. The mmap path of
//! `h2o_buffer_reserve` never dies: it returns `{NULL, 0}` and leaves the buffer as it was (see
//! `crate::buffer`).

#![allow(non_camel_case_types, non_upper_case_globals)]

use crate::abi::memory::*;
use std::ffi::{c_char, c_int, c_void};

use crate::abi::panic::boundary;
use crate::{buffer, mem};


// ---------------------------------------------------------------------------------------------
// h2o__fatal, h2o_mem__set_secure
// ---------------------------------------------------------------------------------------------

/// `h2o__fatal(msg)`: prints `fatal:<msg>` on stderr and aborts (the `h2o_fatal()` macro passes
/// `"file:line:msg"`). Borrows `msg` (a NUL-terminated string, NULL tolerated); never returns.
///
/// # Safety
/// `msg` is NULL or a valid NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o__fatal(msg: *const c_char) -> ! {
    let text = if msg.is_null() {
        std::borrow::Cow::Borrowed("(null)")
    } else {
        // SAFETY: the caller passes a NUL-terminated string.
        unsafe { std::ffi::CStr::from_ptr(msg) }.to_string_lossy()
    };
    mem::fatal(&text)
}

/// The `memset` behind the inline `h2o_mem_set_secure`: a call through this exported, writable
/// function pointer cannot be proven dead, so the compiler cannot drop the clearing of a secret.
unsafe extern "C" fn set_secure(b: *mut c_void, c: c_int, len: usize) -> *mut c_void {
    if len != 0 {
        // SAFETY: the caller passes `len` writable bytes at `b` (memset's contract); volatile writes
        // are never elided.
        unsafe { mem::set_volatile(b.cast::<u8>(), c as u8, len) };
    }
    b
}

/// `h2o_mem__set_secure`: a data object (a function pointer), as in 2.2.5.
#[unsafe(no_mangle)]
pub static mut h2o_mem__set_secure: unsafe extern "C" fn(*mut c_void, c_int, usize) -> *mut c_void = set_secure;

// ---------------------------------------------------------------------------------------------
// recycle allocator
// ---------------------------------------------------------------------------------------------

/// Returns a block of `sz` bytes: the most recently recycled one when the allocator holds any
/// (all of its blocks must be of `sz` bytes, the caller's contract as in libh2o), else a new
/// `malloc` block. Dies when memory is exhausted. The caller owns the block; give it back with
/// `h2o_mem_free_recycle` (or `free`).
///
/// # Safety
/// `allocator` points to a valid recycle allocator.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mem_alloc_recycle(allocator: *mut h2o_mem_recycle_t, sz: usize) -> *mut c_void {
    boundary("h2o_mem_alloc_recycle", std::ptr::null_mut(), || {
        // SAFETY: the caller passes a valid allocator.
        mem::recycle::alloc(unsafe { &mut *allocator }, sz)
    })
}

/// Takes ownership of `p` (a `malloc` block of the allocator's size): keeps it for reuse, or frees it
/// when the allocator already holds `max` blocks.
///
/// # Safety
/// `allocator` is valid; `p` is a `malloc` block at least one pointer in size, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mem_free_recycle(allocator: *mut h2o_mem_recycle_t, p: *mut c_void) {
    boundary("h2o_mem_free_recycle", (), || {
        // SAFETY: the caller passes a valid allocator and gives up `p`.
        unsafe { mem::recycle::free(&mut *allocator, p) }
    })
}

// ---------------------------------------------------------------------------------------------
// memory pool
// ---------------------------------------------------------------------------------------------

/// Initializes a caller-allocated pool (allocates nothing).
///
/// # Safety
/// `pool` points to writable memory for an `h2o_mem_pool_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mem_init_pool(pool: *mut h2o_mem_pool_t) {
    boundary("h2o_mem_init_pool", (), || {
        // SAFETY: writable per the contract; the old contents are not read.
        unsafe { pool.write(mem::pool::EMPTY) }
    })
}

/// Frees everything the pool owns: drops one reference of each linked shared chunk (disposing of
/// those that reach zero), frees large allocations, recycles the chunks. The pool stays initialized.
///
/// # Safety
/// `pool` was initialized with `h2o_mem_init_pool`; nothing allocated from it is used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mem_clear_pool(pool: *mut h2o_mem_pool_t) {
    boundary("h2o_mem_clear_pool", (), || {
        // SAFETY: the caller passes an initialized pool.
        unsafe { mem::pool::clear(&mut *pool) }
    })
}

/// Returns `sz` bytes (16-byte aligned) owned by the pool, valid until the pool is cleared. Dies
/// when memory is exhausted.
///
/// # Safety
/// `pool` was initialized with `h2o_mem_init_pool`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mem_alloc_pool(pool: *mut h2o_mem_pool_t, sz: usize) -> *mut c_void {
    boundary("h2o_mem_alloc_pool", std::ptr::null_mut(), || {
        // SAFETY: the caller passes an initialized pool.
        unsafe { mem::pool::alloc(&mut *pool, sz) }
    })
}

/// Allocates a ref-counted chunk of `sz` bytes with reference count 1 and the optional `dispose`
/// callback (called with the chunk before it is freed). When `pool` is not NULL, that one reference
/// is owned by the pool (dropped by `h2o_mem_clear_pool`); otherwise the caller owns it. Dies when
/// memory is exhausted.
///
/// # Safety
/// `pool` is NULL or initialized.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mem_alloc_shared(
    pool: *mut h2o_mem_pool_t,
    sz: usize,
    dispose: Option<unsafe extern "C" fn(*mut c_void)>,
) -> *mut c_void {
    boundary("h2o_mem_alloc_shared", std::ptr::null_mut(), || {
        // SAFETY: `pool` is NULL or initialized, per the contract.
        unsafe { mem::pool::alloc_shared(pool.as_mut(), sz, dispose) }
    })
}

/// Adds a reference to the shared chunk `p` and gives it to `pool` (dropped when the pool is
/// cleared). A chunk may be linked to one pool more than once.
///
/// # Safety
/// `pool` is initialized; `p` was returned by `h2o_mem_alloc_shared` and is alive.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mem_link_shared(pool: *mut h2o_mem_pool_t, p: *mut c_void) {
    boundary("h2o_mem_link_shared", (), || {
        // SAFETY: per the contract.
        unsafe { mem::pool::link_shared(&mut *pool, p) }
    })
}

// ---------------------------------------------------------------------------------------------
// vector, swap, dump, NULL-terminated list
// ---------------------------------------------------------------------------------------------

/// Grows `vector` to a capacity of at least `new_capacity` elements of `element_size` bytes (4, then
/// doubling). With a pool the new storage comes from the pool (the old stays there); without, the
/// entries are `realloc`ed (owned by the vector's user, who `free`s them). Dies when memory is
/// exhausted.
///
/// # Safety
/// `vector` is valid and its `entries` came from `pool` (or from malloc when `pool` is NULL);
/// `pool` is NULL or initialized.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_vector__expand(
    pool: *mut h2o_mem_pool_t,
    vector: *mut h2o_vector_t,
    element_size: usize,
    new_capacity: usize,
) {
    boundary("h2o_vector__expand", (), || {
        // SAFETY: per the contract.
        unsafe { mem::vector::expand(pool.as_mut(), &mut *vector, element_size, new_capacity) }
    })
}

/// Swaps `len` bytes between `x` and `y` (which must not overlap). Allocates nothing.
///
/// # Safety
/// `x` and `y` each point to `len` writable bytes; the ranges do not overlap.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mem_swap(x: *mut c_void, y: *mut c_void, len: usize) {
    boundary("h2o_mem_swap", (), || {
        if len == 0 || x == y {
            return;
        }
        // SAFETY: per the contract: two valid, non-overlapping ranges of `len` bytes.
        let (a, b) = unsafe {
            (
                std::slice::from_raw_parts_mut(x.cast::<u8>(), len),
                std::slice::from_raw_parts_mut(y.cast::<u8>(), len),
            )
        };
        a.swap_with_slice(b);
    })
}

/// Writes a hex dump of `len` bytes at `buf` to the stdio stream `fp`: per 16 bytes an 8-digit hex
/// offset, the bytes in hex, then the printable ones (others as `.`). Borrows both.
///
/// # Safety
/// `fp` is an open stdio stream; `buf` points to `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_dump_memory(fp: *mut libc::FILE, buf: *const c_char, len: usize) {
    boundary("h2o_dump_memory", (), || {
        let bytes: &[u8] = if len == 0 {
            &[]
        } else {
            // SAFETY: `len` readable bytes at `buf`, per the contract.
            unsafe { std::slice::from_raw_parts(buf.cast::<u8>(), len) }
        };
        let text = mem::hexdump(bytes);
        // SAFETY: `fp` is an open stream; the text is written as bytes, with its length.
        unsafe { libc::fwrite(text.as_ptr().cast(), 1, text.len(), fp) };
    })
}

/// Appends `element` to the NULL-terminated array `*list` (NULL means empty), `realloc`ing it; the
/// caller owns the array (free it with `free`), not the elements. Dies when memory is exhausted.
///
/// # Safety
/// `list` is valid; `*list` is NULL or a malloc'ed NULL-terminated array of pointers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_append_to_null_terminated_list(list: *mut *mut *mut c_void, element: *mut c_void) {
    boundary("h2o_append_to_null_terminated_list", (), || {
        // SAFETY: per the contract.
        unsafe { mem::append_to_null_terminated_list(&mut *list, element) }
    })
}

// ---------------------------------------------------------------------------------------------
// buffers
// ---------------------------------------------------------------------------------------------

/// Frees an allocated buffer (not a prototype's `_initial_buf`): a buffer of the prototype's initial
/// capacity goes back to the prototype's recycle allocator, an mmap'ed one is unmapped and its file
/// closed, others are `free`d. Called by the inline `h2o_buffer_dispose`.
///
/// # Safety
/// `buffer` is an allocated buffer (`bytes != NULL`) not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_buffer__do_free(buffer: *mut h2o_buffer_t) {
    boundary("h2o_buffer__do_free", (), || {
        // SAFETY: per the contract.
        unsafe { buffer::free(buffer) }
    })
}

/// Makes room for at least `min_guarantee` bytes after the data and returns that free space
/// (`{bytes + size, capacity-left}`); write into it and add what was written to `(*inbuf)->size`.
/// `*inbuf` may be replaced (the old pointer is then invalid); a prototype's `_initial_buf` turns
/// into an allocated buffer. Dies when malloc fails. When the buffer lives (or would move) in a
/// temporary file and creating, sizing or mapping it fails, returns `{NULL, 0}`, leaves `*inbuf` and
/// its contents as they were, and counts the failure (see `h2o_rs_buffer_mmap_failures`).
///
/// # Safety
/// `inbuf` points to a buffer pointer set by `h2o_buffer_init` or a previous reserve/consume.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_buffer_reserve(inbuf: *mut *mut h2o_buffer_t, min_guarantee: usize) -> h2o_iovec_t {
    boundary("h2o_buffer_reserve", h2o_iovec_t::EMPTY, || {
        // SAFETY: per the contract.
        unsafe { buffer::reserve(&mut *inbuf, min_guarantee) }
    })
}

/// Drops the first `delta` bytes of the data. Consuming everything frees the buffer and points
/// `*inbuf` back at the prototype's `_initial_buf`.
///
/// # Safety
/// `inbuf` points to a valid buffer pointer; `delta <= (*inbuf)->size`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_buffer_consume(inbuf: *mut *mut h2o_buffer_t, delta: usize) {
    boundary("h2o_buffer_consume", (), || {
        // SAFETY: per the contract.
        unsafe { buffer::consume(&mut *inbuf, delta) }
    })
}

/// The dispose callback of `h2o_buffer_link_to_pool`'s shared slot: `p` holds an `h2o_buffer_t *`,
/// which is disposed of.
///
/// # Safety
/// `p` points to a valid `h2o_buffer_t *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_buffer__dispose_linked(p: *mut c_void) {
    boundary("h2o_buffer__dispose_linked", (), || {
        // SAFETY: per the contract.
        unsafe { buffer::dispose(&mut *p.cast::<*mut h2o_buffer_t>()) }
    })
}

/// How many times the mmap path of `h2o_buffer_reserve` failed (temporary file not created, not
/// sized, not mapped) in this process. An extension of libh2o-rs (`h2o/memory.h`).
#[unsafe(no_mangle)]
pub extern "C" fn h2o_rs_buffer_mmap_failures() -> u64 {
    buffer::mmap_failures()
}

/// The socket layer's mmap settings: threshold 32 MiB, template `/tmp/h2o.b.XXXXXX` (2.2.5's
/// defaults). Process-global; an embedder may change it before creating sockets.
#[unsafe(no_mangle)]
pub static mut h2o_socket_buffer_mmap_settings: h2o_buffer_mmap_settings_t = h2o_buffer_mmap_settings_t {
    threshold: 32 * 1024 * 1024,
    fn_template: template(b"/tmp/h2o.b.XXXXXX"),
};

const fn template(s: &[u8]) -> [c_char; FILENAME_MAX] {
    let mut out = [0 as c_char; FILENAME_MAX];
    let mut i = 0;
    while i < s.len() {
        out[i] = s[i] as c_char;
        i += 1;
    }
    out
}

// `h2o_socket_buffer_prototype` is thread-local in 2.2.5 (`__thread`), which stable Rust cannot
// define or export; capi/tls.c defines it (built by build.rs). Declaring it in a `kind = "static"`
// block from a public module is what makes rustc list it in the cdylib's export list. It is never
// accessed through this declaration (Rust would use a non-TLS access); Rust code gets the calling
// thread's instance from `socket_buffer_prototype()`.
#[link(name = "h2o_rs_tls", kind = "static")]
unsafe extern "C" {
    /// Declared for export only: do not access (see above).
    pub static mut h2o_socket_buffer_prototype: [u8; 72];
}
