//! Golomb-Rice coded sets of sorted keys, as H2O writes them for CASPer's `h2o_casper` cookie
//! ([`super::casper`]) and browsers for the `cache-digest` header ([`super::cache_digests`]):
//! each key is coded as its distance to the previous key plus one (the first key: to zero), the
//! quotient `distance >> remainder_bits` in unary (that many zero bits, then a one bit), then the
//! low `remainder_bits` bits, most significant first. Bits fill bytes from the most significant
//! end; the last byte is padded with zeros (which decode as an unfinished quotient: the end).

#![forbid(unsafe_code)]

/// Bits written most significant first into bytes.
#[derive(Default)]
pub struct BitWriter {
    out: Vec<u8>,
    shift: u32,
}

impl BitWriter {
    pub fn bit(&mut self, bit: bool) {
        if self.shift == 0 {
            self.out.push(0);
            self.shift = 8;
        }
        self.shift -= 1;
        if bit {
            *self.out.last_mut().expect("a byte was pushed") |= 1 << self.shift;
        }
    }

    /// The low `width` bits of `v`, most significant first.
    pub fn bits(&mut self, v: u64, width: u32) {
        for b in (0..width).rev() {
            self.bit(v.wrapping_shr(b) & 1 == 1);
        }
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.out
    }
}

/// The bits of `bytes`, most significant first.
pub fn bits_of(bytes: &[u8]) -> impl Iterator<Item = bool> + '_ {
    bytes.iter().flat_map(|&b| (0..8).rev().map(move |i| b >> i & 1 == 1))
}

/// The next `width` bits as a number; None when the stream ends first.
pub fn read_bits(bits: &mut impl Iterator<Item = bool>, width: u32) -> Option<u64> {
    (0..width).try_fold(0u64, |v, _| Some(v.wrapping_mul(2).wrapping_add(u64::from(bits.next()?))))
}

/// Appends the coding of sorted `keys` to `w`.
pub fn encode(w: &mut BitWriter, remainder_bits: u32, keys: &[u64]) {
    let mut next_min = 0u64;
    for &key in keys {
        let value = key.wrapping_sub(next_min);
        for _ in 0..value.wrapping_shr(remainder_bits) {
            w.bit(false);
        }
        w.bit(true);
        w.bits(value, remainder_bits);
        next_min = key.wrapping_add(1);
    }
}

/// Decodes the keys of the rest of `bits` (a value cut short at the end is dropped); `None` when
/// there are more than `limit`.
pub fn decode(bits: &mut impl Iterator<Item = bool>, remainder_bits: u32, limit: usize) -> Option<Vec<u64>> {
    let mut keys = Vec::new();
    let mut next_min = 0u64;
    'values: loop {
        let mut q = 0u64;
        loop {
            match bits.next() {
                None => break 'values,
                Some(true) => break,
                Some(false) => q = q.wrapping_add(1),
            }
        }
        let Some(r) = read_bits(bits, remainder_bits) else { break };
        if keys.len() == limit {
            return None;
        }
        let value = r.wrapping_add(q.wrapping_shl(remainder_bits)).wrapping_add(next_min);
        keys.push(value);
        next_min = value.wrapping_add(1);
    }
    Some(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(remainder_bits: u32, keys: &[u64]) -> Vec<u8> {
        let mut w = BitWriter::default();
        encode(&mut w, remainder_bits, keys);
        w.into_bytes()
    }

    #[test]
    fn round_trip_and_bits() {
        // deltas 5 and 0 with 2 remainder bits: 0 1 01 | 1 00 -> 0101 100(0) = 0x58
        assert_eq!(enc(2, &[5, 6]), vec![0x58]);
        assert_eq!(decode(&mut bits_of(&[0x58]), 2, 128), Some(vec![5, 6]));
        let keys: Vec<u64> = (0..300).map(|i| i * 37 + 3).collect();
        let e = enc(6, &keys);
        assert_eq!(decode(&mut bits_of(&e), 6, 300).as_deref(), Some(&keys[..]));
        assert_eq!(decode(&mut bits_of(&e), 6, 299), None);
        assert_eq!(decode(&mut bits_of(&[]), 6, 10), Some(vec![]));
    }

    #[test]
    fn a_head_before_the_set() {
        let mut w = BitWriter::default();
        w.bits(0b10110, 5);
        encode(&mut w, 3, &[1, 9]);
        let bytes = w.into_bytes();
        let mut bits = bits_of(&bytes);
        assert_eq!(read_bits(&mut bits, 5), Some(0b10110));
        assert_eq!(decode(&mut bits, 3, usize::MAX), Some(vec![1, 9]));
        assert_eq!(read_bits(&mut bits_of(&[0xff]), 9), None, "the stream ends first");
    }
}
