//! The per-node queue of 2.2.5's scheduler: a ring of 64 FIFO slots with a bitmap relative to the
//! ring's current position, plus a FIFO slot for weight 257. The FIFOs are intrusive lists over
//! the tree's arena (`head`/`tail` here, the links in the nodes).

/// "No node" in the arena links.
pub(super) const NONE: u32 = u32::MAX;

/// The slot index of the weight-257 FIFO.
pub(super) const SLOT_257: u8 = 64;

/// How far (in 1/65536 of a slot) a node of weight `w` goes behind the current position each time
/// it is queued: `63 * 65536 / w` rounded half up, so weight 1 lands 63 slots away and weight 256
/// a quarter of a slot (index `w - 1`). These are exactly the values 2.2.5 uses (checked against
/// Debian's libh2o-evloop 2.2.5: same 256 numbers).
pub(super) const OFFSET_TABLE: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut w = 1u32;
    while w <= 256 {
        t[(w - 1) as usize] = (63 * 65536 + w / 2) / w;
        w += 1;
    }
    t
};

#[derive(Clone, Debug)]
pub(super) struct Drr {
    /// Bit 63 - k: the slot k places after `offset` may hold nodes.
    bits: u64,
    /// The ring's current position (0..64).
    offset: u8,
    pub(super) head: [u32; 65],
    pub(super) tail: [u32; 65],
}

impl Drr {
    pub(super) fn new() -> Self {
        Drr { bits: 0, offset: 0, head: [NONE; 65], tail: [NONE; 65] }
    }

    /// 2.2.5's `queue_is_empty` (may say no for a queue whose marked slots were emptied by
    /// removals).
    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.bits == 0 && self.head[SLOT_257 as usize] == NONE
    }

    /// Marks the slot `k` (0..=63) places after the current position; returns its index.
    #[inline]
    pub(super) fn mark(&mut self, k: u8) -> u8 {
        debug_assert!(k < 64);
        self.bits |= 1u64 << (63 - k);
        (self.offset + k) % 64
    }

    /// Turns the ring to the first marked slot and returns it, `None` if nothing is marked.
    #[inline]
    pub(super) fn advance(&mut self) -> Option<u8> {
        if self.bits == 0 {
            return None;
        }
        let zeroes = self.bits.leading_zeros();
        self.bits <<= zeroes;
        self.offset = ((u32::from(self.offset) + zeroes) % 64) as u8;
        Some(self.offset)
    }

    /// Unmarks the slot at the current position.
    #[inline]
    pub(super) fn clear_front(&mut self) {
        self.bits &= !(1u64 << 63);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_table_ends_and_samples() {
        assert_eq!(OFFSET_TABLE[0], 63 * 65536);
        assert_eq!(OFFSET_TABLE[1], 2_064_384);
        assert_eq!(OFFSET_TABLE[4], 825_754); // 825753.6 rounded
        assert_eq!(OFFSET_TABLE[12], 317_598); // 317597.54 rounded
        assert_eq!(OFFSET_TABLE[15], 258_048);
        assert_eq!(OFFSET_TABLE[255], 16_128);
        assert!(OFFSET_TABLE.windows(2).all(|w| w[0] > w[1]));
    }

    #[test]
    fn ring_turns_to_marked_slots() {
        let mut q = Drr::new();
        assert!(q.is_empty());
        assert_eq!(q.mark(3), 3);
        assert_eq!(q.mark(1), 1);
        assert_eq!(q.advance(), Some(1));
        // the slot 3 is now 2 places after the position
        q.clear_front();
        assert_eq!(q.mark(63), 0); // (1 + 63) % 64
        assert_eq!(q.advance(), Some(3));
        q.clear_front();
        assert_eq!(q.advance(), Some(0));
        q.clear_front();
        assert_eq!(q.advance(), None);
        assert!(q.is_empty());
    }
}
