//! `h2o/memory.h`: the 2.2.5 memory types, `#[repr(C)]` mirrors with their x86_64 layouts checked at
//! compile time. Data only: the functions are in `crate::mem` / `crate::buffer` (engine) and
//! `crate::ffi::memory` (exports).
//!
//! The header's inline functions (`h2o_mem_release_shared`, `h2o_buffer_dispose`, ...) read and free
//! these structs directly in the caller's code, so the layouts here are the contract: a shared entry
//! is a `malloc`ed `{refcnt, dispose, bytes[]}` that the caller's `free()` releases, a buffer's first
//! 36 bytes are its header and its bytes may start at `_buf`, a prototype's `_initial_buf` sits at 24.

#![allow(non_camel_case_types, non_upper_case_globals)]

use std::ffi::{c_char, c_int, c_void};
use std::mem::{offset_of, size_of};

/// `h2o_iovec_t`: a pointer and a length (`struct iovec` compatible).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct h2o_iovec_t {
    pub base: *mut c_char,
    pub len: usize,
}

impl h2o_iovec_t {
    /// `{NULL, 0}`: what `h2o_buffer_reserve` returns on failure.
    pub const EMPTY: h2o_iovec_t = h2o_iovec_t { base: std::ptr::null_mut(), len: 0 };

    /// An iovec over `s` (borrowed: valid as long as `s`; C must not write through it).
    pub fn of(s: &[u8]) -> h2o_iovec_t {
        h2o_iovec_t { base: s.as_ptr().cast_mut().cast(), len: s.len() }
    }
}

/// One chunk held by a recycle allocator: the first word of a free block links to the next.
#[repr(C)]
pub struct st_h2o_mem_recycle_chunk_t {
    pub next: *mut st_h2o_mem_recycle_chunk_t,
}

/// `h2o_mem_recycle_t`: a LIFO of up to `max` free blocks of one size, reused before `malloc`.
#[repr(C)]
#[derive(Debug)]
pub struct h2o_mem_recycle_t {
    pub max: usize,
    pub cnt: usize,
    pub _link: *mut st_h2o_mem_recycle_chunk_t,
}

/// `struct st_h2o_mem_pool_shared_entry_t`: a ref-counted chunk. Allocated with libc `malloc` as
/// `offsetof(bytes) + size` bytes; the caller's inline `h2o_mem_release_shared` calls `dispose` and
/// `free()`s it, so nothing else may be used to allocate it.
#[repr(C)]
pub struct st_h2o_mem_pool_shared_entry_t {
    pub refcnt: usize,
    pub dispose: Option<unsafe extern "C" fn(*mut c_void)>,
    /// The user's bytes start here (C declares `char bytes[1]`).
    pub bytes: [c_char; 0],
}

/// Size of a pool chunk: one 4 KiB malloc block, a 16-byte header, then the payload (16-byte aligned).
pub const POOL_CHUNK_SIZE: usize = 4096;
/// The header of a pool chunk and of a direct allocation.
pub const POOL_CHUNK_HEADER: usize = 16;
/// The payload of a pool chunk.
pub const POOL_CHUNK_PAYLOAD: usize = POOL_CHUNK_SIZE - POOL_CHUNK_HEADER;

/// Opaque to C (it only holds pointers to them): a pool chunk, a direct (large) allocation and a
/// pool's link to a shared entry. Their layouts are ours; `crate::mem::pool` works on them.
#[repr(C, align(16))]
pub struct st_h2o_mem_pool_chunk_t {
    pub next: *mut st_h2o_mem_pool_chunk_t,
    pub _pad: usize,
    pub payload: [u8; POOL_CHUNK_PAYLOAD],
}

/// See [`st_h2o_mem_pool_chunk_t`]; the user's bytes follow the 16-byte header.
#[repr(C, align(16))]
pub struct st_h2o_mem_pool_direct_t {
    pub next: *mut st_h2o_mem_pool_direct_t,
    pub _pad: usize,
}

/// See [`st_h2o_mem_pool_chunk_t`]: one reference a pool holds on a shared entry.
#[repr(C)]
pub struct st_h2o_mem_pool_shared_ref_t {
    pub next: *mut st_h2o_mem_pool_shared_ref_t,
    pub entry: *mut st_h2o_mem_pool_shared_entry_t,
}

const _: () = assert!(size_of::<st_h2o_mem_pool_chunk_t>() == POOL_CHUNK_SIZE);
const _: () = assert!(offset_of!(st_h2o_mem_pool_chunk_t, payload) == POOL_CHUNK_HEADER);
const _: () = assert!(size_of::<st_h2o_mem_pool_direct_t>() == POOL_CHUNK_HEADER);

/// `h2o_mem_pool_t` (32 bytes; embedded in `h2o_req_t` at 576). Caller-allocated; `h2o_mem_init_pool`
/// initializes it, `h2o_mem_clear_pool` frees what it holds (and leaves it ready for reuse).
#[repr(C)]
#[derive(Debug)]
pub struct h2o_mem_pool_t {
    pub chunks: *mut st_h2o_mem_pool_chunk_t,
    pub chunk_offset: usize,
    pub shared_refs: *mut st_h2o_mem_pool_shared_ref_t,
    pub directs: *mut st_h2o_mem_pool_direct_t,
}

/// `h2o_buffer_t` (40 bytes). An allocated buffer is one block: this header, then `capacity` bytes
/// starting at `_buf`; `bytes` points at the first unconsumed byte inside it. A prototype's
/// `_initial_buf` has `bytes == NULL` and `capacity` = the initial capacity.
#[repr(C)]
#[derive(Debug)]
pub struct h2o_buffer_t {
    pub capacity: usize,
    pub size: usize,
    pub bytes: *mut c_char,
    pub _prototype: *mut h2o_buffer_prototype_t,
    pub _fd: c_int,
    pub _buf: [c_char; 1],
}

/// `FILENAME_MAX` of glibc (x86_64).
pub const FILENAME_MAX: usize = 4096;

/// `h2o_buffer_mmap_settings_t` (4104 bytes): buffers whose capacity reaches `threshold` live in a
/// deleted temporary file made from `fn_template` (a `mkstemp` template).
#[repr(C)]
pub struct h2o_buffer_mmap_settings_t {
    pub threshold: usize,
    pub fn_template: [c_char; FILENAME_MAX],
}

/// `h2o_buffer_prototype_t` (72 bytes).
#[repr(C)]
#[derive(Debug)]
pub struct h2o_buffer_prototype_t {
    pub allocator: h2o_mem_recycle_t,
    pub _initial_buf: h2o_buffer_t,
    pub mmap_settings: *mut h2o_buffer_mmap_settings_t,
}

/// `h2o_vector_t` = `H2O_VECTOR(void)`.
#[repr(C)]
#[derive(Debug)]
pub struct h2o_vector_t {
    pub entries: *mut c_void,
    pub size: usize,
    pub capacity: usize,
}

// The 2.2.5 x86_64 layouts (COMPAT.md; measured from Debian's headers).
const _: () = {
    assert!(size_of::<h2o_iovec_t>() == 16);
    assert!(offset_of!(h2o_iovec_t, base) == 0 && offset_of!(h2o_iovec_t, len) == 8);
    assert!(size_of::<h2o_mem_recycle_t>() == 24);
    assert!(offset_of!(h2o_mem_recycle_t, max) == 0);
    assert!(offset_of!(h2o_mem_recycle_t, cnt) == 8);
    assert!(offset_of!(h2o_mem_recycle_t, _link) == 16);
    assert!(offset_of!(st_h2o_mem_pool_shared_entry_t, refcnt) == 0);
    assert!(offset_of!(st_h2o_mem_pool_shared_entry_t, dispose) == 8);
    assert!(offset_of!(st_h2o_mem_pool_shared_entry_t, bytes) == 16);
    assert!(size_of::<h2o_mem_pool_t>() == 32);
    assert!(offset_of!(h2o_mem_pool_t, chunks) == 0);
    assert!(offset_of!(h2o_mem_pool_t, chunk_offset) == 8);
    assert!(offset_of!(h2o_mem_pool_t, shared_refs) == 16);
    assert!(offset_of!(h2o_mem_pool_t, directs) == 24);
    assert!(size_of::<h2o_buffer_t>() == 40);
    assert!(offset_of!(h2o_buffer_t, capacity) == 0);
    assert!(offset_of!(h2o_buffer_t, size) == 8);
    assert!(offset_of!(h2o_buffer_t, bytes) == 16);
    assert!(offset_of!(h2o_buffer_t, _prototype) == 24);
    assert!(offset_of!(h2o_buffer_t, _fd) == 32);
    assert!(offset_of!(h2o_buffer_t, _buf) == 36);
    assert!(size_of::<h2o_buffer_mmap_settings_t>() == 4104);
    assert!(offset_of!(h2o_buffer_mmap_settings_t, threshold) == 0);
    assert!(offset_of!(h2o_buffer_mmap_settings_t, fn_template) == 8);
    assert!(size_of::<h2o_buffer_prototype_t>() == 72);
    assert!(offset_of!(h2o_buffer_prototype_t, allocator) == 0);
    assert!(offset_of!(h2o_buffer_prototype_t, _initial_buf) == 24);
    assert!(offset_of!(h2o_buffer_prototype_t, mmap_settings) == 64);
    assert!(size_of::<h2o_vector_t>() == 24);
    assert!(offset_of!(h2o_vector_t, entries) == 0);
    assert!(offset_of!(h2o_vector_t, size) == 8);
    assert!(offset_of!(h2o_vector_t, capacity) == 16);
};
