//! The memory pool (`h2o_mem_pool_t`): bump allocation in 4 KiB chunks (recycled per thread), large
//! requests as separate malloc blocks, and links to ref-counted shared chunks, all released at once
//! by `clear`.
//!
//! State in the C struct (its fields are opaque to C code):
//! - `chunks`: the chunk being filled, linked to the older ones;
//! - `chunk_offset`: bytes used in that chunk (`CHUNK_PAYLOAD` when there is none);
//! - `shared_refs`: one node per reference the pool holds on a shared chunk (the nodes live in the pool);
//! - `directs`: the large blocks.

use std::cell::UnsafeCell;
use std::ffi::c_void;

use super::recycle;
use crate::abi::memory::{h2o_mem_pool_t, h2o_mem_recycle_t, st_h2o_mem_pool_shared_entry_t};

pub use crate::abi::memory::{POOL_CHUNK_PAYLOAD as CHUNK_PAYLOAD, POOL_CHUNK_SIZE as CHUNK_SIZE};
use crate::abi::memory::POOL_CHUNK_HEADER as HEADER;
use crate::abi::memory::{
    st_h2o_mem_pool_chunk_t as PoolChunk, st_h2o_mem_pool_direct_t as PoolDirect, st_h2o_mem_pool_shared_ref_t as PoolSharedRef,
};
/// Requests of this size or more get their own block instead of a quarter or more of a chunk.
pub const DIRECT_THRESHOLD: usize = CHUNK_PAYLOAD / 4;
/// How many free chunks each thread keeps for reuse.
const RECYCLED_CHUNKS: usize = 16;

/// An initialized, empty pool.
pub const EMPTY: h2o_mem_pool_t = h2o_mem_pool_t {
    chunks: std::ptr::null_mut(),
    chunk_offset: CHUNK_PAYLOAD,
    shared_refs: std::ptr::null_mut(),
    directs: std::ptr::null_mut(),
};

/// Where an allocation of `size` bytes goes, given `used` bytes of the current chunk.
#[derive(Debug, PartialEq, Eq)]
pub enum Placement {
    /// A block of its own.
    Direct,
    /// In the current chunk at `at`; the chunk then has `used` bytes in use.
    Current { at: usize, used: usize },
    /// At the start of a new chunk, which then has `used` bytes in use.
    NewChunk { used: usize },
}

/// Decides where `size` bytes go (sizes are rounded up to 16 so every result stays 16-aligned).
pub fn place(used: usize, size: usize) -> Placement {
    if size >= DIRECT_THRESHOLD {
        return Placement::Direct;
    }
    let rounded = (size + 15) & !15;
    if CHUNK_PAYLOAD - used.min(CHUNK_PAYLOAD) >= rounded {
        Placement::Current { at: used, used: used + rounded }
    } else {
        Placement::NewChunk { used: rounded }
    }
}

/// The calling thread's free chunks; freed when the thread ends.
struct ChunkRecycler(UnsafeCell<h2o_mem_recycle_t>);

impl Drop for ChunkRecycler {
    fn drop(&mut self) {
        recycle::drain(self.0.get_mut());
    }
}

thread_local! {
    static CHUNKS: ChunkRecycler = const {
        ChunkRecycler(UnsafeCell::new(h2o_mem_recycle_t { max: RECYCLED_CHUNKS, cnt: 0, _link: std::ptr::null_mut() }))
    };
}

fn new_chunk() -> *mut PoolChunk {
    CHUNKS
        // SAFETY: the recycler is only touched by this thread and never re-entered (alloc does not
        // call back into the pool).
        .try_with(|r| recycle::alloc(unsafe { &mut *r.0.get() }, CHUNK_SIZE))
        .unwrap_or_else(|_| super::malloc_or_die(CHUNK_SIZE))
        .cast()
}

/// # Safety
/// `chunk` is a chunk block no longer used.
unsafe fn retire_chunk(chunk: *mut PoolChunk) {
    let p = chunk.cast::<c_void>();
    // SAFETY: as in new_chunk; the block is CHUNK_SIZE bytes as the recycler expects.
    let kept = CHUNKS.try_with(|r| unsafe { recycle::free(&mut *r.0.get(), p) });
    if kept.is_err() {
        // SAFETY: thread teardown: no recycler any more, the block is ours to free.
        unsafe { libc::free(p) };
    }
}

/// Allocates `size` bytes owned by `pool` (16-byte aligned).
///
/// # Safety
/// `pool` is initialized (`EMPTY` or used only through this module).
pub unsafe fn alloc(pool: &mut h2o_mem_pool_t, size: usize) -> *mut c_void {
    match place(pool.chunk_offset, size) {
        Placement::Direct => {
            let total = size.checked_add(HEADER).unwrap_or_else(|| super::fatal("no memory"));
            let direct = super::malloc_or_die(total).cast::<PoolDirect>();
            // SAFETY: a new block of at least HEADER bytes.
            unsafe { direct.write(PoolDirect { next: pool.directs, _pad: 0 }) };
            pool.directs = direct;
            // SAFETY: the user's bytes start right after the header, inside the block.
            unsafe { direct.cast::<u8>().add(HEADER).cast() }
        }
        Placement::Current { at, used } => {
            pool.chunk_offset = used;
            // SAFETY: `at + size <= CHUNK_PAYLOAD` by `place`, and `chunks` is the current chunk
            // (Current is only chosen when `used < CHUNK_PAYLOAD`, i.e. after a chunk exists).
            unsafe { (&raw mut (*pool.chunks).payload).cast::<u8>().add(at).cast() }
        }
        Placement::NewChunk { used } => {
            let chunk = new_chunk();
            // SAFETY: a CHUNK_SIZE block; only the link is initialized (the payload is handed out raw).
            unsafe { (&raw mut (*chunk).next).write(pool.chunks) };
            pool.chunks = chunk;
            pool.chunk_offset = used;
            // SAFETY: inside the new chunk.
            unsafe { (&raw mut (*chunk).payload).cast() }
        }
    }
}

/// The entry that holds the shared bytes at `p`.
fn entry_of(p: *mut c_void) -> *mut st_h2o_mem_pool_shared_entry_t {
    p.cast::<u8>().wrapping_sub(std::mem::offset_of!(st_h2o_mem_pool_shared_entry_t, bytes)).cast()
}

/// # Safety
/// `pool` is initialized; `entry` is a live shared entry whose one reference the pool takes.
unsafe fn link(pool: &mut h2o_mem_pool_t, entry: *mut st_h2o_mem_pool_shared_entry_t) {
    // SAFETY: pool initialized; the node is pool memory, aligned for PoolSharedRef.
    let node = unsafe { alloc(pool, size_of::<PoolSharedRef>()) }.cast::<PoolSharedRef>();
    // SAFETY: a fresh block of the right size.
    unsafe { node.write(PoolSharedRef { next: pool.shared_refs, entry }) };
    pool.shared_refs = node;
}

/// A shared chunk of `size` bytes with one reference (owned by `pool` when given).
///
/// # Safety
/// `pool` is None or initialized.
pub unsafe fn alloc_shared(
    pool: Option<&mut h2o_mem_pool_t>,
    size: usize,
    dispose: Option<unsafe extern "C" fn(*mut c_void)>,
) -> *mut c_void {
    let header = std::mem::offset_of!(st_h2o_mem_pool_shared_entry_t, bytes);
    let total = size.checked_add(header).unwrap_or_else(|| super::fatal("no memory"));
    // libc malloc: the caller's inline h2o_mem_release_shared free()s it.
    let entry = super::malloc_or_die(total).cast::<st_h2o_mem_pool_shared_entry_t>();
    // SAFETY: a new block with room for the header.
    unsafe { entry.write(st_h2o_mem_pool_shared_entry_t { refcnt: 1, dispose, bytes: [] }) };
    if let Some(pool) = pool {
        // SAFETY: pool initialized; the entry's one reference goes to the pool.
        unsafe { link(pool, entry) };
    }
    // SAFETY: the bytes follow the header inside the block.
    unsafe { (&raw mut (*entry).bytes).cast() }
}

/// Adds a reference to the shared chunk at `p`, owned by `pool`.
///
/// # Safety
/// `pool` is initialized; `p` is the bytes of a live shared entry.
pub unsafe fn link_shared(pool: &mut h2o_mem_pool_t, p: *mut c_void) {
    let entry = entry_of(p);
    // SAFETY: `p` belongs to a live entry.
    unsafe {
        assert!((*entry).refcnt != 0, "h2o_mem_link_shared on a released chunk");
        (*entry).refcnt += 1;
        link(pool, entry);
    }
}

/// Drops one reference of a shared entry; disposes of it and frees it at zero. Returns whether it
/// was freed (the inline `h2o_mem_release_shared` of the header does the same in C).
///
/// # Safety
/// `entry` is a live shared entry and the caller owns the reference it drops.
pub unsafe fn release(entry: *mut st_h2o_mem_pool_shared_entry_t) -> bool {
    // SAFETY: live entry.
    unsafe {
        (*entry).refcnt -= 1;
        if (*entry).refcnt != 0 {
            return false;
        }
        if let Some(dispose) = (*entry).dispose {
            dispose((&raw mut (*entry).bytes).cast());
        }
        libc::free(entry.cast());
    }
    true
}

/// Releases everything `pool` owns; the pool is `EMPTY` afterwards.
///
/// # Safety
/// `pool` is initialized and nothing allocated from it is used afterwards.
pub unsafe fn clear(pool: &mut h2o_mem_pool_t) {
    // Shared references first: their nodes live in the chunks. Taken off the pool before the dispose
    // callbacks run, so a callback that uses the pool sees a consistent one.
    let mut node = std::mem::replace(&mut pool.shared_refs, std::ptr::null_mut());
    while !node.is_null() {
        // SAFETY: nodes were written by `link` and their chunks are still allocated.
        let PoolSharedRef { next, entry } = unsafe { node.read() };
        // SAFETY: the pool owned this reference.
        unsafe { release(entry) };
        node = next;
    }
    let mut direct = std::mem::replace(&mut pool.directs, std::ptr::null_mut());
    while !direct.is_null() {
        // SAFETY: a block written by `alloc`.
        let next = unsafe { (*direct).next };
        // SAFETY: a malloc block no longer used.
        unsafe { libc::free(direct.cast()) };
        direct = next;
    }
    let mut chunk = std::mem::replace(&mut pool.chunks, std::ptr::null_mut());
    while !chunk.is_null() {
        // SAFETY: a chunk written by `alloc`.
        let next = unsafe { (*chunk).next };
        // SAFETY: no longer used.
        unsafe { retire_chunk(chunk) };
        chunk = next;
    }
    pool.chunk_offset = CHUNK_PAYLOAD;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn placement() {
        assert_eq!(place(CHUNK_PAYLOAD, 1), Placement::NewChunk { used: 16 });
        assert_eq!(place(16, 17), Placement::Current { at: 16, used: 48 });
        assert_eq!(place(CHUNK_PAYLOAD - 16, 16), Placement::Current { at: CHUNK_PAYLOAD - 16, used: CHUNK_PAYLOAD });
        assert_eq!(place(CHUNK_PAYLOAD - 16, 17), Placement::NewChunk { used: 32 });
        assert_eq!(place(0, DIRECT_THRESHOLD), Placement::Direct);
        assert_eq!(place(0, 0), Placement::Current { at: 0, used: 0 });
    }

    #[test]
    fn allocations_are_aligned_distinct_and_writable() {
        let mut pool = EMPTY;
        let mut blocks = Vec::new();
        for size in [0usize, 1, 15, 16, 17, 100, 1000, 1019, 1020, 5000, 3] {
            for _ in 0..20 {
                // SAFETY: initialized pool.
                let p = unsafe { alloc(&mut pool, size) }.cast::<u8>();
                assert_eq!(p as usize % 16, 0);
                // SAFETY: `size` bytes were allocated.
                unsafe { std::ptr::write_bytes(p, size as u8, size) };
                blocks.push((p, size));
            }
        }
        for &(p, size) in &blocks {
            // SAFETY: still owned by the pool.
            let s = unsafe { std::slice::from_raw_parts(p, size) };
            assert!(s.iter().all(|&b| b == size as u8));
        }
        // SAFETY: initialized; the blocks are not used afterwards.
        unsafe { clear(&mut pool) };
        assert!(pool.chunks.is_null() && pool.directs.is_null() && pool.shared_refs.is_null());
        // the pool is reusable
        // SAFETY: cleared pool = initialized.
        unsafe {
            alloc(&mut pool, 10);
            clear(&mut pool);
        }
    }

    static DISPOSED: AtomicUsize = AtomicUsize::new(0);
    unsafe extern "C" fn count_dispose(p: *mut c_void) {
        // SAFETY: the test's shared chunks hold one u32.
        assert_eq!(unsafe { *p.cast::<u32>() }, 0xfeed);
        DISPOSED.fetch_add(1, Ordering::SeqCst);
    }

    #[test]
    fn shared_chunks_live_until_the_last_reference() {
        let mut a = EMPTY;
        let mut b = EMPTY;
        // SAFETY: initialized pools; the chunk is used only while referenced.
        unsafe {
            let p = alloc_shared(Some(&mut a), 4, Some(count_dispose));
            p.cast::<u32>().write(0xfeed);
            link_shared(&mut b, p);
            link_shared(&mut b, p);
            assert_eq!((*entry_of(p)).refcnt, 3);
            clear(&mut a);
            assert_eq!(DISPOSED.load(Ordering::SeqCst), 0);
            clear(&mut b);
            assert_eq!(DISPOSED.load(Ordering::SeqCst), 1);
            // an orphan chunk is the caller's
            let q = alloc_shared(None, 4, None);
            assert!(release(entry_of(q)));
        }
    }
}
