//! The recycle allocator (`h2o_mem_recycle_t`): a LIFO of up to `max` free blocks of one size,
//! linked through their first word, handed out again before asking `malloc`.

use std::ffi::c_void;

use crate::abi::memory::{h2o_mem_recycle_t, st_h2o_mem_recycle_chunk_t};

/// A block of `size` bytes: the last recycled one, or a new malloc block (dies when out of memory).
/// Every block in `allocator` must have `size` bytes (the caller's contract, as in libh2o).
pub fn alloc(allocator: &mut h2o_mem_recycle_t, size: usize) -> *mut c_void {
    let head = allocator._link;
    if allocator.cnt == 0 || head.is_null() {
        return super::malloc_or_die(size.max(size_of::<st_h2o_mem_recycle_chunk_t>()));
    }
    // SAFETY: `head` is a block this allocator linked in `free`; its first word is the next link.
    allocator._link = unsafe { (*head).next };
    allocator.cnt -= 1;
    head.cast()
}

/// Keeps `p` for reuse, or frees it when the allocator is full.
///
/// # Safety
/// `p` is a live malloc block of the allocator's size (at least one pointer), not used afterwards.
pub unsafe fn free(allocator: &mut h2o_mem_recycle_t, p: *mut c_void) {
    if p.is_null() {
        return;
    }
    if allocator.cnt >= allocator.max {
        // SAFETY: `p` is a live malloc block given up by the caller.
        unsafe { libc::free(p) };
        return;
    }
    let chunk = p.cast::<st_h2o_mem_recycle_chunk_t>();
    // SAFETY: the block is at least one pointer in size and ours now.
    unsafe { chunk.write(st_h2o_mem_recycle_chunk_t { next: allocator._link }) };
    allocator._link = chunk;
    allocator.cnt += 1;
}

/// Frees every block the allocator holds.
pub fn drain(allocator: &mut h2o_mem_recycle_t) {
    while allocator.cnt != 0 && !allocator._link.is_null() {
        let p = alloc(allocator, 0);
        // SAFETY: a block we just took out of the allocator.
        unsafe { libc::free(p) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_up_to_max_in_lifo_order() {
        let mut a = h2o_mem_recycle_t { max: 2, cnt: 0, _link: std::ptr::null_mut() };
        let (p, q, r) = (alloc(&mut a, 64), alloc(&mut a, 64), alloc(&mut a, 64));
        // SAFETY: blocks from `alloc`, given back once each.
        unsafe {
            free(&mut a, p);
            free(&mut a, q);
            free(&mut a, r); // full: freed
        }
        assert_eq!(a.cnt, 2);
        assert_eq!(alloc(&mut a, 64), q);
        assert_eq!(alloc(&mut a, 64), p);
        assert_eq!(a.cnt, 0);
        // SAFETY: ours.
        unsafe {
            free(&mut a, p);
            free(&mut a, q);
        }
        drain(&mut a);
        assert_eq!(a.cnt, 0);
        assert!(a._link.is_null());
    }
}
