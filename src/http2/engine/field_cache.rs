//! The HPACK representations of response fields that repeat on a connection (`server`,
//! `content-type`, `date` within its second, ...), remembered so that the next response copies
//! them instead of searching the static and dynamic tables again.
//!
//! A representation stays correct as long as what it refers to does not move:
//! - one that refers to the static table only (an indexed static entry, or a literal without
//!   indexing with a static or literal name) is valid forever;
//! - one that refers to the dynamic table (an index counted from its newest entry) is valid until
//!   the next insertion or eviction: each insertion (a literal with incremental indexing in our
//!   output) and each change of the table's maximum starts a new epoch;
//! - a literal with incremental indexing is never reused (it inserts; the next encoding of the
//!   same field is an index, which is what gets remembered).
//!
//! Skipping the encoder for a remembered field leaves its table as the encoder would have: a
//! field that does not insert does not change it.

use crate::hpack::table::same_bytes;
use crate::hpack::{Encoder, Indexing};

/// The static table's size (RFC 7541 Appendix A).
const STATIC_LEN: u64 = 61;
/// At most this many fields remembered (one per name; a response has a handful).
const MAX_ENTRIES: usize = 16;
/// Validity of a representation that never goes stale.
const FOREVER: u32 = u32::MAX;

struct Entry {
    /// The name followed by the value.
    field: Vec<u8>,
    name_len: usize,
    /// The representation, valid while the epoch is `epoch` (or forever).
    bytes: Vec<u8>,
    epoch: u32,
}

#[derive(Default)]
pub(super) struct FieldCache {
    entries: Vec<Entry>,
    /// Entries of an earlier connection, emptied, reused before allocating new ones.
    free: Vec<Entry>,
    /// Bumped whenever the encoder's dynamic table changes.
    epoch: u32,
    /// The entry replaced next when the cache is full.
    victim: usize,
    #[cfg(test)]
    hits: usize,
}

/// RFC 7541 5.1: the integer with a `prefix_bits`-bit prefix at the start of `b`.
fn prefix_int(b: &[u8], prefix_bits: u8) -> u64 {
    let max = (1u64 << prefix_bits) - 1;
    let mut v = u64::from(b[0]) & max;
    if v < max {
        return v;
    }
    let mut shift = 0;
    for &c in &b[1..] {
        v += u64::from(c & 0x7f) << shift;
        shift += 7;
        if c & 0x80 == 0 || shift > 56 {
            break;
        }
    }
    v
}

impl FieldCache {
    /// Forgets everything (a new connection, with a new encoder), keeping the entries' buffers.
    pub fn renew(&mut self) {
        self.free.append(&mut self.entries);
        self.epoch = 0;
        self.victim = 0;
    }

    /// The encoder's table maximum changed (entries may be evicted, and which fields get
    /// indexed depends on it): forget everything.
    pub fn max_changed(&mut self) {
        self.entries.clear();
        self.inserted();
    }

    /// The encoder inserted an entry: the dynamic references remembered so far are stale.
    fn inserted(&mut self) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == FOREVER {
            // Never confuse an epoch with "forever": drop the dynamic references instead.
            self.epoch = 0;
            self.entries.retain(|e| e.epoch == FOREVER);
        }
    }

    /// `:status` (the static table's codes take one byte; other codes go through the encoder as
    /// a field, which may insert).
    pub fn encode_status(&mut self, encoder: &mut Encoder, out: &mut Vec<u8>, status: u16) {
        let start = out.len();
        encoder.encode_status(out, status);
        if out.get(start).is_some_and(|&b| b & 0xc0 == 0x40) {
            self.inserted();
        }
    }

    /// Appends the representation of `name: value` (as `encoder.encode_field(.., Auto)` would
    /// produce or an equivalent one) to `out`.
    pub fn encode(&mut self, encoder: &mut Encoder, out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
        // Inline word compares (`same_bytes`): the names and values are short, and a call to
        // memcmp per entry looked at cost more than the comparison.
        let found = self.entries.iter().position(|e| e.name_len == name.len() && same_bytes(&e.field[..e.name_len], name));
        if let Some(i) = found {
            let e = &self.entries[i];
            if (e.epoch == FOREVER || e.epoch == self.epoch) && same_bytes(&e.field[e.name_len..], value) {
                out.extend_from_slice(&e.bytes);
                #[cfg(test)]
                {
                    self.hits += 1;
                }
                return;
            }
        }
        let start = out.len();
        encoder.encode_field(out, name, value, Indexing::Auto);
        let repr = &out[start..];
        let Some(&first) = repr.first() else { return };
        let validity = if first & 0x80 != 0 {
            if prefix_int(repr, 7) <= STATIC_LEN { FOREVER } else { self.epoch }
        } else if first & 0x40 != 0 {
            // Inserted: every dynamic index moved.
            self.inserted();
            return;
        } else {
            // A literal without indexing (never indexed is not asked for here).
            let i = prefix_int(repr, 4);
            if i <= STATIC_LEN { FOREVER } else { self.epoch }
        };
        let i = match found {
            Some(i) => i,
            None if self.entries.len() < MAX_ENTRIES => {
                let spare = self.free.pop();
                self.entries.push(spare.unwrap_or(Entry { field: Vec::new(), name_len: 0, bytes: Vec::new(), epoch: 0 }));
                self.entries.len() - 1
            }
            None => {
                self.victim = (self.victim + 1) % MAX_ENTRIES;
                self.victim
            }
        };
        let e = &mut self.entries[i];
        e.field.clear();
        e.field.extend_from_slice(name);
        e.field.extend_from_slice(value);
        e.name_len = name.len();
        e.bytes.clear();
        e.bytes.extend_from_slice(&out[start..]);
        e.epoch = validity;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hpack::Decoder;

    fn decode(d: &mut Decoder, block: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut got = Vec::new();
        d.decode(block, &mut |n, v, _| {
            got.push((n.to_vec(), v.to_vec()));
            Ok::<(), ()>(())
        })
        .expect("valid block")
        .expect("no emit error");
        got
    }

    /// Blocks encoded through the cache decode to the fields given, the encoder's table stays
    /// the same as without the cache, and repeated fields are served from the cache.
    #[test]
    fn cached_blocks_decode_like_uncached_ones() {
        let mut rng = 0x1234_5678_9abc_def0u64;
        let mut next = move |n: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % n
        };
        let names: [&[u8]; 6] = [b"server", b"date", b"content-type", b"content-length", b"x-custom", b"cache-control"];
        let (mut cached, mut plain) = (Encoder::with_max_table_size(256), Encoder::with_max_table_size(256));
        let mut decoder = Decoder::new(4096, 1 << 20);
        let mut cache = FieldCache::default();
        for round in 0..2000 {
            if round % 500 == 499 {
                let size = [0, 64, 256, 128][(round / 500) % 4];
                cached.set_max_table_size(size);
                plain.set_max_table_size(size);
                cache.max_changed();
            }
            let mut fields = Vec::new();
            for _ in 0..1 + next(6) {
                let name = names[next(names.len() as u64) as usize];
                let value = format!("v{}", next(if name == b"x-custom" { 40 } else { 3 }));
                fields.push((name, value));
            }
            let (mut a, mut b) = (Vec::new(), Vec::new());
            cached.begin_block(&mut a);
            plain.begin_block(&mut b);
            let status = [200, 201, 404, 299][next(4) as usize];
            cache.encode_status(&mut cached, &mut a, status);
            plain.encode_status(&mut b, status);
            for (n, v) in &fields {
                cache.encode(&mut cached, &mut a, n, v.as_bytes());
                plain.encode_field(&mut b, n, v.as_bytes(), Indexing::Auto);
            }
            let got = decode(&mut decoder, &a);
            let mut want = vec![(b":status".to_vec(), status.to_string().into_bytes())];
            want.extend(fields.iter().map(|(n, v)| (n.to_vec(), v.as_bytes().to_vec())));
            assert_eq!(got, want, "round {round}");
            assert_eq!(a, b, "round {round}: the cache changes no representation");
            assert!(cached.entries().eq(plain.entries()), "round {round}: tables differ");
        }
        assert!(cache.hits > 500, "{} hits", cache.hits);
        assert!(cache.entries.len() <= MAX_ENTRIES);
    }

    #[test]
    fn prefix_ints() {
        assert_eq!(prefix_int(&[0x82], 7), 2);
        assert_eq!(prefix_int(&[0xff, 0x00], 7), 127);
        assert_eq!(prefix_int(&[0x0f, 0x0d], 4), 28);
        assert_eq!(prefix_int(&[0x1f, 0x9a, 0x0a], 5), 1337);
    }
}
