//! `h2o_vector__expand`: growth of `H2O_VECTOR`s (capacity 4, then doubling), in a pool or malloc'ed.

use crate::abi::memory::{h2o_mem_pool_t, h2o_vector_t};

/// The capacity a vector of `capacity` grows to so that it holds `wanted` elements.
pub fn grown_capacity(capacity: usize, wanted: usize) -> usize {
    let mut c = if capacity == 0 { 4 } else { capacity };
    while c < wanted {
        c = c.checked_mul(2).unwrap_or_else(|| super::fatal("no memory"));
    }
    c
}

/// Grows `vector` to hold at least `new_capacity` elements of `element_size` bytes; a vector already
/// that large is left alone. Pool vectors get new pool storage with the entries copied; others are
/// `realloc`ed.
///
/// # Safety
/// `vector.entries` holds `vector.size` elements and came from `pool` (or malloc when `pool` is None).
pub unsafe fn expand(pool: Option<&mut h2o_mem_pool_t>, vector: &mut h2o_vector_t, element_size: usize, new_capacity: usize) {
    if vector.capacity >= new_capacity {
        return;
    }
    let capacity = grown_capacity(vector.capacity, new_capacity);
    let bytes = capacity.checked_mul(element_size).unwrap_or_else(|| super::fatal("no memory"));
    vector.entries = match pool {
        Some(pool) => {
            // SAFETY: `pool` is initialized (the caller's contract).
            let fresh = unsafe { super::pool::alloc(pool, bytes) };
            let used = vector.size * element_size;
            if used != 0 {
                // SAFETY: the old entries hold `used` bytes; the new block is larger and distinct.
                unsafe { std::ptr::copy_nonoverlapping(vector.entries.cast::<u8>(), fresh.cast::<u8>(), used) };
            }
            fresh
        }
        // SAFETY: the entries are NULL or a live malloc block, replaced right away.
        None => unsafe { super::realloc_or_die(vector.entries, bytes) },
    };
    vector.capacity = capacity;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_steps() {
        assert_eq!(grown_capacity(0, 1), 4);
        assert_eq!(grown_capacity(0, 5), 8);
        assert_eq!(grown_capacity(4, 5), 8);
        assert_eq!(grown_capacity(16, 100), 128);
    }

    #[test]
    fn malloc_and_pool_vectors_keep_their_entries() {
        let mut v = h2o_vector_t { entries: std::ptr::null_mut(), size: 0, capacity: 0 };
        let mut pool = crate::mem::pool::EMPTY;
        for with_pool in [false, true] {
            for i in 0..100u64 {
                // SAFETY: the vector's entries came from the same allocator as used here.
                unsafe {
                    let wanted = v.size + 1;
                    expand(if with_pool { Some(&mut pool) } else { None }, &mut v, 8, wanted);
                    v.entries.cast::<u64>().add(v.size).write(i);
                }
                v.size += 1;
            }
            // SAFETY: 100 u64 written above.
            let got = unsafe { std::slice::from_raw_parts(v.entries.cast::<u64>(), 100) };
            assert!(got.iter().copied().eq(0..100));
            assert_eq!(v.capacity, 128);
            if !with_pool {
                // SAFETY: malloc'ed by expand.
                unsafe { libc::free(v.entries) };
            }
            v = h2o_vector_t { entries: std::ptr::null_mut(), size: 0, capacity: 0 };
        }
        // SAFETY: initialized pool.
        unsafe { crate::mem::pool::clear(&mut pool) };
    }
}
