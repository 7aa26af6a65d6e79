//! The static table (RFC 7541 Appendix A) and the dynamic table (RFC 7541 2.3.2, 4).
//!
//! The dynamic table keeps its entries' bytes in one buffer of twice the table's maximum size,
//! used as a ring: an entry that does not fit before the end of the buffer goes to its start.
//! Live bytes never exceed the maximum size (each entry also counts 32 bytes of overhead), so
//! that always fits, every entry stays contiguous (lookups hand out plain slices) and inserting
//! allocates nothing once the buffer exists. An encoder's table also keeps two hash chains per
//! entry (by name and by name + value) so that finding a match costs a few comparisons
//! whatever the number of entries.
#![forbid(unsafe_code)]

use std::collections::VecDeque;

/// RFC 7541 4.1: the size of an entry is its name's and value's lengths plus 32.
pub const ENTRY_OVERHEAD: usize = 32;

/// Number of entries in the static table; dynamic indexes start after it.
pub const STATIC_LEN: usize = 61;

/// The static table; index `i` (1-based, as on the wire) is `STATIC[i - 1]`.
pub static STATIC: [(&[u8], &[u8]); STATIC_LEN] = [
    (b":authority", b""),
    (b":method", b"GET"),
    (b":method", b"POST"),
    (b":path", b"/"),
    (b":path", b"/index.html"),
    (b":scheme", b"http"),
    (b":scheme", b"https"),
    (b":status", b"200"),
    (b":status", b"204"),
    (b":status", b"206"),
    (b":status", b"304"),
    (b":status", b"400"),
    (b":status", b"404"),
    (b":status", b"500"),
    (b"accept-charset", b""),
    (b"accept-encoding", b"gzip, deflate"),
    (b"accept-language", b""),
    (b"accept-ranges", b""),
    (b"accept", b""),
    (b"access-control-allow-origin", b""),
    (b"age", b""),
    (b"allow", b""),
    (b"authorization", b""),
    (b"cache-control", b""),
    (b"content-disposition", b""),
    (b"content-encoding", b""),
    (b"content-language", b""),
    (b"content-length", b""),
    (b"content-location", b""),
    (b"content-range", b""),
    (b"content-type", b""),
    (b"cookie", b""),
    (b"date", b""),
    (b"etag", b""),
    (b"expect", b""),
    (b"expires", b""),
    (b"from", b""),
    (b"host", b""),
    (b"if-match", b""),
    (b"if-modified-since", b""),
    (b"if-none-match", b""),
    (b"if-range", b""),
    (b"if-unmodified-since", b""),
    (b"last-modified", b""),
    (b"link", b""),
    (b"location", b""),
    (b"max-forwards", b""),
    (b"proxy-authenticate", b""),
    (b"proxy-authorization", b""),
    (b"range", b""),
    (b"referer", b""),
    (b"refresh", b""),
    (b"retry-after", b""),
    (b"server", b""),
    (b"set-cookie", b""),
    (b"strict-transport-security", b""),
    (b"transfer-encoding", b""),
    (b"user-agent", b""),
    (b"vary", b""),
    (b"via", b""),
    (b"www-authenticate", b""),
];

/// The static entry with wire index `index` (1..=61).
#[inline]
pub fn static_entry(index: usize) -> Option<(&'static [u8], &'static [u8])> {
    index.checked_sub(1).and_then(|i| STATIC.get(i)).copied()
}

/// What the static table holds for a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaticMatch {
    /// Neither the name nor the pair.
    None,
    /// The first index with this name (its value differs).
    Name(usize),
    /// The index of this exact name and value.
    Full(usize),
}

const NAME_SLOTS: usize = 128;

/// Bucket of a name in [`STATIC_NAMES`] (names are never empty there).
const fn name_slot(n: &[u8]) -> usize {
    let l = n.len();
    ((l * 0x9e) ^ (n[0] as usize * 7) ^ (n[l - 1] as usize * 0x3b) ^ (n[l / 2] as usize * 0x11))
        & (NAME_SLOTS - 1)
}

/// `a == b` at compile time.
pub(crate) const fn const_same(a: &[u8], b: &[u8]) -> bool {
    same(a, b)
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Open addressing (linear probing) from a name to the first static index with that name;
/// 0 marks an empty slot.
const fn static_names() -> [u8; NAME_SLOTS] {
    let mut t = [0u8; NAME_SLOTS];
    let mut i = 0;
    while i < STATIC_LEN {
        let name = STATIC[i].0;
        // Only the first entry of each name (entries with one name are consecutive).
        if i == 0 || !same(STATIC[i - 1].0, name) {
            let mut s = name_slot(name);
            while t[s] != 0 {
                s = (s + 1) & (NAME_SLOTS - 1);
            }
            t[s] = (i + 1) as u8;
        }
        i += 1;
    }
    t
}

static STATIC_NAMES: [u8; NAME_SLOTS] = static_names();

/// The first static index whose name is `name`.
#[inline]
pub fn static_name_index(name: &[u8]) -> Option<usize> {
    if name.is_empty() {
        return None;
    }
    let mut s = name_slot(name);
    loop {
        let idx = STATIC_NAMES[s] as usize;
        if idx == 0 {
            return None;
        }
        if STATIC[idx - 1].0 == name {
            return Some(idx);
        }
        s = (s + 1) & (NAME_SLOTS - 1);
    }
}

/// Looks `name` / `value` up in the static table.
pub fn static_find(name: &[u8], value: &[u8]) -> StaticMatch {
    let Some(first) = static_name_index(name) else {
        return StaticMatch::None;
    };
    match static_value_index(first, name, value) {
        Some(i) => StaticMatch::Full(i),
        None => StaticMatch::Name(first),
    }
}

/// For each static index `i` (at `i - 1`), the last index with the same name (entries with one
/// name are consecutive).
const fn name_run_ends() -> [u8; STATIC_LEN] {
    let mut t = [0u8; STATIC_LEN];
    let mut i = STATIC_LEN;
    while i > 0 {
        i -= 1;
        t[i] = if i + 1 < STATIC_LEN && same(STATIC[i].0, STATIC[i + 1].0) { t[i + 1] } else { (i + 1) as u8 };
    }
    t
}

static NAME_RUN_ENDS: [u8; STATIC_LEN] = name_run_ends();

/// The index of `name` / `value` among the static entries from `first`, which must be the first
/// static index with `name` (as [`static_name_index`] gives): the names are not compared again.
#[inline]
pub fn static_value_index(first: usize, name: &[u8], value: &[u8]) -> Option<usize> {
    debug_assert!(STATIC[first - 1].0 == name);
    (first..=NAME_RUN_ENDS[first - 1] as usize).find(|&i| STATIC[i - 1].1 == value)
}

/// One entry's place in the buffer, and its links in the encoder's hash chains.
#[derive(Debug, Clone, Copy)]
struct Slot {
    off: usize,
    name_len: usize,
    value_len: usize,
    /// Hash of the name and of name + value (0 when the table keeps no index).
    hash_name: u32,
    hash_pair: u32,
    /// Id + 1 of the next older entry in the same bucket (0: none).
    next_name: u64,
    next_pair: u64,
    /// The decoder's caller's note on the entry ([`DynamicTable::set_newest_tag`]; 0: none).
    tag: u32,
}

const BUCKETS: usize = 256;

/// The ring's first size (half the ring of the default 4096-byte table: growing copies the live
/// entries).
const FIRST_RING: usize = 4096;

/// Room for this many entries in the slot ring when the first is added.
const FIRST_SLOTS: usize = 32;

/// Heads (id + 1 of the newest entry, 0: none) of the encoder's hash chains.
#[derive(Debug)]
struct Index {
    name: [u64; BUCKETS],
    pair: [u64; BUCKETS],
}

/// A match for a field in the dynamic table: indexes are 0 for the newest entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DynamicMatch {
    /// The newest entry with this name and value.
    pub full: Option<usize>,
    /// The newest entry with this name (set when `full` is not).
    pub name: Option<usize>,
}

/// A table entry's name and value.
pub type Field<'a> = (&'a [u8], &'a [u8]);

/// The dynamic table of one decoder or encoder.
#[derive(Debug)]
pub struct DynamicTable {
    /// Entry bytes (name then value), in a ring of `cap` bytes: `cap` is 0 or at least twice
    /// `max_size`. The vector's length is how much of the ring was ever written (it is filled
    /// as entries come, never zeroed first); live entries and `head` are within it.
    buf: Vec<u8>,
    cap: usize,
    /// Oldest entry at the front.
    slots: VecDeque<Slot>,
    /// Where the next entry goes in `buf` if it fits there.
    head: usize,
    /// RFC size of the entries.
    size: usize,
    max_size: usize,
    /// Id of the oldest entry (ids count insertions; the newest is `first_id + slots.len() - 1`).
    first_id: u64,
    index: Option<Box<Index>>,
}

impl DynamicTable {
    /// An empty table for a decoder.
    pub fn new(max_size: usize) -> Self {
        DynamicTable {
            buf: Vec::new(),
            cap: 0,
            slots: VecDeque::new(),
            head: 0,
            size: 0,
            max_size,
            first_id: 0,
            index: None,
        }
    }

    /// An empty table that also supports [`DynamicTable::find`] (for an encoder).
    pub fn with_index(max_size: usize) -> Self {
        let mut t = Self::new(max_size);
        t.index = Some(Box::new(Index { name: [0; BUCKETS], pair: [0; BUCKETS] }));
        t
    }

    /// Empties the table for a new connection with maximum size `max_size`, keeping its storage
    /// (the ring, the slot ring and the encoder's index: no allocation and no zeroing). The ids
    /// go on from the old ones, so every link left in the index points below `first_id` and is
    /// read as "no entry", exactly as links to evicted entries are.
    pub fn renew(&mut self, max_size: usize) {
        self.first_id += self.slots.len() as u64;
        self.slots.clear();
        self.head = 0;
        self.size = 0;
        self.max_size = max_size;
    }

    /// Number of entries.
    #[inline]
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether the table has no entry.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Size of the entries by the RFC's accounting.
    #[inline]
    pub fn size(&self) -> usize {
        self.size
    }

    /// The current maximum size.
    #[inline]
    pub fn max_size(&self) -> usize {
        self.max_size
    }

    #[inline]
    fn slot_bytes(&self, s: &Slot) -> (&[u8], &[u8]) {
        let name_end = s.off + s.name_len;
        (&self.buf[s.off..name_end], &self.buf[name_end..name_end + s.value_len])
    }

    /// Entry `i`, 0 being the newest (wire index `62 + i`).
    #[inline]
    pub fn get(&self, i: usize) -> Option<(&[u8], &[u8])> {
        let n = self.slots.len();
        if i >= n {
            return None;
        }
        Some(self.slot_bytes(&self.slots[n - 1 - i]))
    }

    /// Entry `i` (0 being the newest) with its tag: [`DynamicTable::get`] and
    /// [`DynamicTable::tag`] in one lookup.
    #[inline]
    pub fn get_tagged(&self, i: usize) -> Option<(Field<'_>, u32)> {
        let n = self.slots.len();
        if i >= n {
            return None;
        }
        let s = &self.slots[n - 1 - i];
        Some((self.slot_bytes(s), s.tag))
    }

    /// The tag of entry `i` (0 being the newest), 0 when it has none or does not exist.
    #[inline]
    pub fn tag(&self, i: usize) -> u32 {
        let n = self.slots.len();
        if i >= n { 0 } else { self.slots[n - 1 - i].tag }
    }

    /// Sets the tag of the newest entry (if any): a note a decoder's caller keeps on the entry
    /// (what it learnt of the field), handed back with each field taken from the entry.
    #[inline]
    pub fn set_newest_tag(&mut self, tag: u32) {
        if let Some(s) = self.slots.back_mut() {
            s.tag = tag;
        }
    }

    /// The entries, newest first.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> + '_ {
        self.slots.iter().rev().map(|s| self.slot_bytes(s))
    }

    fn evict_oldest(&mut self) {
        if let Some(s) = self.slots.pop_front() {
            self.size -= s.name_len + s.value_len + ENTRY_OVERHEAD;
            self.first_id += 1;
        }
        if self.slots.is_empty() {
            self.head = 0;
        }
    }

    fn evict_to(&mut self, target: usize) {
        while self.size > target {
            self.evict_oldest();
        }
    }

    /// Changes the maximum size (a size update), evicting the oldest entries to fit.
    pub fn set_max_size(&mut self, max_size: usize) {
        self.evict_to(max_size);
        self.max_size = max_size;
    }

    /// Copies the live entries to the start of a new ring of `capacity` bytes.
    fn relayout(&mut self, capacity: usize) {
        let mut buf = Vec::with_capacity(capacity);
        for s in self.slots.iter_mut() {
            let n = s.name_len + s.value_len;
            let at = buf.len();
            buf.extend_from_slice(&self.buf[s.off..s.off + n]);
            s.off = at;
        }
        self.head = buf.len();
        self.buf = buf;
        self.cap = capacity;
    }

    /// Writes `bytes` at `off` (at most the written length of the ring), extending what was
    /// written if it goes past it.
    #[inline]
    fn put(&mut self, off: usize, bytes: &[u8]) {
        let written = self.buf.len();
        if off + bytes.len() <= written {
            self.buf[off..off + bytes.len()].copy_from_slice(bytes);
        } else {
            let (old, new) = bytes.split_at(written - off);
            self.buf[off..].copy_from_slice(old);
            self.buf.extend_from_slice(new);
        }
    }

    /// Where an entry of `n` bytes goes, if it fits without overwriting a live entry.
    fn place(&self, n: usize) -> Option<usize> {
        let Some(oldest) = self.slots.front() else {
            return (n <= self.cap).then_some(0);
        };
        let tail = oldest.off;
        if self.head >= tail {
            if self.head + n <= self.cap {
                Some(self.head)
            } else {
                (n <= tail).then_some(0)
            }
        } else {
            (self.head + n <= tail).then_some(self.head)
        }
    }

    /// Adds an entry as the newest, evicting as needed (RFC 7541 4.4: an entry larger than the
    /// maximum size empties the table and is not added). `name` and `value` must not point
    /// into this table.
    pub fn insert(&mut self, name: &[u8], value: &[u8]) {
        let hash = if self.index.is_some() { FieldHash::of(name, value) } else { FieldHash(0, 0) };
        self.insert_hashed(name, value, hash);
    }

    /// [`DynamicTable::insert`] with the field's hash already computed.
    pub fn insert_hashed(&mut self, name: &[u8], value: &[u8], hash: FieldHash) {
        let size = name.len() + value.len() + ENTRY_OVERHEAD;
        if size > self.max_size {
            self.evict_to(0);
            return;
        }
        self.evict_to(self.max_size - size);
        let n = name.len() + value.len();
        // The ring grows on demand (doubling, from FIRST_RING bytes; allocated, not zeroed: it
        // is only written as entries come) up to twice the maximum size; with live bytes <=
        // max_size - n in a ring of 2 * max_size there is always room, so compacting (a
        // relayout at the same capacity) is only a safety net.
        let off = match self.place(n) {
            Some(off) => off,
            None => {
                let live = self.size - self.slots.len() * ENTRY_OVERHEAD;
                let full = 2 * self.max_size;
                let grown = if self.cap < full { (self.cap * 2).max(FIRST_RING).min(full) } else { self.cap };
                self.relayout(grown.max(live + n));
                self.head
            }
        };
        self.put(off, name);
        self.put(off + name.len(), value);
        self.head = off + n;
        let id = self.first_id + self.slots.len() as u64;
        let mut slot = Slot {
            off,
            name_len: name.len(),
            value_len: value.len(),
            hash_name: 0,
            hash_pair: 0,
            next_name: 0,
            next_pair: 0,
            tag: 0,
        };
        if let Some(index) = self.index.as_mut() {
            let FieldHash(hn, hp) = hash;
            slot.hash_name = hn;
            slot.hash_pair = hp;
            let bn = hn as usize % BUCKETS;
            let bp = hp as usize % BUCKETS;
            slot.next_name = index.name[bn];
            slot.next_pair = index.pair[bp];
            index.name[bn] = id + 1;
            index.pair[bp] = id + 1;
        }
        if self.slots.capacity() == 0 {
            self.slots.reserve(FIRST_SLOTS);
        }
        self.slots.push_back(slot);
        self.size += size;
    }

    /// The newest entries matching `name` + `value` and `name` (tables made with
    /// [`DynamicTable::with_index`] only; others find nothing).
    pub fn find(&self, name: &[u8], value: &[u8]) -> DynamicMatch {
        self.find_hashed(name, value, FieldHash::of(name, value))
    }

    /// [`DynamicTable::find`] with the field's hash already computed.
    #[inline]
    pub fn find_hashed(&self, name: &[u8], value: &[u8], hash: FieldHash) -> DynamicMatch {
        let mut m = DynamicMatch::default();
        let Some(index) = self.index.as_ref() else {
            return m;
        };
        if self.slots.is_empty() {
            return m;
        }
        let newest = self.first_id + self.slots.len() as u64 - 1;
        let FieldHash(hn, hp) = hash;
        let mut link = index.pair[hp as usize % BUCKETS];
        while link > self.first_id {
            let id = link - 1;
            let s = &self.slots[(id - self.first_id) as usize];
            if s.hash_pair == hp && {
                let (n, v) = self.slot_bytes(s);
                same_bytes(v, value) && same_bytes(n, name)
            } {
                m.full = Some((newest - id) as usize);
                return m;
            }
            link = s.next_pair;
        }
        let mut link = index.name[hn as usize % BUCKETS];
        while link > self.first_id {
            let id = link - 1;
            let s = &self.slots[(id - self.first_id) as usize];
            if s.hash_name == hn && same_bytes(self.slot_bytes(s).0, name) {
                m.name = Some((newest - id) as usize);
                return m;
            }
            link = s.next_name;
        }
        m
    }
}

/// Hashes of a field's name and of its name + value, for the encoder's lookups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldHash(u32, u32);

impl FieldHash {
    /// Hashes `name` and `name` + `value` (a multiply-rotate hash over 8-byte words).
    pub fn of(name: &[u8], value: &[u8]) -> Self {
        let hn = hash_bytes(0x243f_6a88_85a3_08d3, name);
        let hp = hash_bytes(hn ^ (name.len() as u64).rotate_left(32), value);
        FieldHash(fold(hn), fold(hp))
    }
}

#[inline]
fn fold(h: u64) -> u32 {
    ((h >> 32) ^ h) as u32
}

#[inline]
fn hash_bytes(mut h: u64, s: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let n = s.len();
    let mut at = 0;
    while at + 8 <= n {
        h = (h.rotate_left(23) ^ u64::from_le_bytes(s[at..at + 8].try_into().unwrap())).wrapping_mul(K);
        at += 8;
    }
    if at < n {
        h = (h.rotate_left(23) ^ short_word(&s[at..]) ^ (n - at) as u64).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

/// The little-endian value of the 1 to 8 bytes of `s`, from at most two overlapping loads (no
/// copy into a buffer, which would be a call to memcpy for a variable length).
#[inline(always)]
fn short_word(s: &[u8]) -> u64 {
    let n = s.len();
    debug_assert!((1..=8).contains(&n));
    if n >= 4 {
        let lo = u32::from_le_bytes(s[..4].try_into().unwrap()) as u64;
        let hi = u32::from_le_bytes(s[n - 4..].try_into().unwrap()) as u64;
        // The bytes both loads hold land on the same bits.
        lo | hi << ((n - 4) * 8)
    } else {
        s[0] as u64 | (s[n / 2] as u64) << (n / 2 * 8) | (s[n - 1] as u64) << ((n - 1) * 8)
    }
}

/// `a == b`, by words and inline: the strings compared are short (names and values of header
/// fields), for which a call to memcmp costs more than the comparison.
#[inline(always)]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        // Two overlapping compares of four bytes, or (below four) the first, middle and last.
        let half = |s: &[u8], at: usize| u32::from_le_bytes(s[at..at + 4].try_into().unwrap());
        return if n >= 4 {
            half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4)
        } else {
            n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1])
        };
    }
    let word = |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap());
    let mut at = 0;
    while at + 8 < n {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    // The last eight bytes (overlapping the words compared above).
    word(a, n - 8) == word(b, n - 8)
}

#[cfg(test)]
mod word_tests {
    use super::*;

    #[test]
    fn short_word_is_the_little_endian_value() {
        let s: Vec<u8> = (1..=8).map(|i| i * 0x11).collect();
        for n in 1..=8 {
            let mut b = [0u8; 8];
            b[..n].copy_from_slice(&s[..n]);
            assert_eq!(short_word(&s[..n]), u64::from_le_bytes(b), "{n}");
        }
    }

    #[test]
    fn same_bytes_is_equality() {
        let a: Vec<u8> = (0..40u8).map(|i| i.wrapping_mul(37)).collect();
        for n in 0..=a.len() {
            assert!(same_bytes(&a[..n], &a[..n].to_vec()));
            for i in 0..n {
                let mut b = a[..n].to_vec();
                b[i] ^= 0x20;
                assert!(!same_bytes(&a[..n], &b), "{n} {i}");
            }
            if n > 0 {
                assert!(!same_bytes(&a[..n], &a[..n - 1]));
            }
        }
    }

    #[test]
    fn hashes_depend_on_every_byte_and_the_split() {
        let base = FieldHash::of(b"content-type", b"text/html; charset=utf-8");
        assert_eq!(base, FieldHash::of(b"content-type", b"text/html; charset=utf-8"));
        assert_ne!(base, FieldHash::of(b"content-type", b"text/html; charset=utf-9"));
        assert_ne!(base.1, FieldHash::of(b"content-typ", b"etext/html; charset=utf-8").1);
        assert_ne!(FieldHash::of(b"a", b"").0, FieldHash::of(b"a\0", b"").0);
    }
}
