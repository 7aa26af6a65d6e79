//! CASPer (cache-aware server push): the fingerprint of what a client has been pushed, kept in the
//! `h2o_casper` cookie as a Golomb-coded set, as 2.2.5 builds it (so a cookie set by either library
//! is read the same by the other; `tests/abi/diff/casper_diff.c` checks that against Debian's).
//!
//! The set holds keys, one per path: the first four bytes of the path's SHA-1 read as a
//! native-endian `u32`, masked to `capacity_bits` bits. The keys are kept sorted and unique. The
//! cookie value is `h2o_casper=` + base64url (unpadded) of the Golomb-Rice coding of the sorted
//! keys' deltas (each key minus the previous key plus one; the first minus zero): for each delta
//! `q = delta >> remainder_bits` zero bits, a one bit, then the low `remainder_bits` bits of the
//! delta, most significant first; bits fill bytes from the most significant end, the last byte
//! padded with zeros. The attributes `; Path=/; Expires=Tue, 01 Jan 2030 00:00:00 GMT; Secure`
//! follow.
//!
//! 2.2.5's behaviours kept on purpose (a differential test compares them):
//! - [`Casper::consume_cookie`] merges the cookie's keys but does not drop the cached cookie
//!   string: [`Casper::cookie`] keeps returning the string built before until a
//!   [`Casper::lookup`] adds a key;
//! - a cookie's keys are taken as decoded (not masked), and a cookie holding more keys than
//!   `max(128, 2^capacity_bits)` is ignored whole; a value cut short at the end is dropped.
#![forbid(unsafe_code)]

use super::golomb;
use crate::strings;

/// The cookie's name and `=`.
pub const COOKIE_PREFIX: &[u8] = b"h2o_casper=";
/// What follows the value in `Set-Cookie`.
pub const COOKIE_ATTRIBUTES: &[u8] = b"; Path=/; Expires=Tue, 01 Jan 2030 00:00:00 GMT; Secure";

/// One connection's fingerprint.
#[derive(Debug, Clone)]
pub struct Casper {
    keys: Vec<u64>,
    capacity_bits: u32,
    remainder_bits: u32,
    cookie_cache: Option<Box<[u8]>>,
}

impl Casper {
    /// An empty set. `capacity_bits` below 32 and `remainder_bits` below 64 (2.2.5 shifts by them:
    /// larger values are undefined there; here they wrap as x86's shifts do).
    pub fn new(capacity_bits: u32, remainder_bits: u32) -> Self {
        Casper { keys: Vec::new(), capacity_bits, remainder_bits, cookie_cache: None }
    }

    /// How many keys the set holds.
    pub fn num_entries(&self) -> usize {
        self.keys.len()
    }

    /// The keys, sorted.
    pub fn keys(&self) -> &[u64] {
        &self.keys
    }

    /// The key of `path`.
    pub fn key_of(&self, path: &[u8]) -> u64 {
        let digest = sha1(path);
        let key = u32::from_ne_bytes([digest[0], digest[1], digest[2], digest[3]]);
        (key & 1u32.wrapping_shl(self.capacity_bits).wrapping_sub(1)) as u64
    }

    /// Whether `path`'s key is in the set; when it is not and `set`, adds it (and drops the cached
    /// cookie string).
    pub fn lookup(&mut self, path: &[u8], set: bool) -> bool {
        let key = self.key_of(path);
        let i = self.keys.partition_point(|&k| k < key);
        if self.keys.get(i) == Some(&key) {
            return true;
        }
        if set {
            self.cookie_cache = None;
            self.keys.insert(i, key);
        }
        false
    }

    /// Merges the keys of one cookie (`name=value`, the name `h2o_casper`); other cookies, bad
    /// base64url and oversized sets are ignored.
    pub fn consume_cookie(&mut self, cookie: &[u8]) {
        if cookie.len() <= COOKIE_PREFIX.len() || !cookie.starts_with(COOKIE_PREFIX) {
            return;
        }
        let encoded = &cookie[COOKIE_PREFIX.len()..];
        let mut binary = vec![0u8; strings::decoded_base64url_len(encoded.len())];
        if strings::decode_base64url(encoded, &mut binary).is_none() {
            return;
        }
        // 2.2.5 decodes into 128 slots, doubling while the set does not fit, and gives up once the
        // slots reach 2^capacity_bits
        let limit = 1usize.checked_shl(self.capacity_bits).unwrap_or(usize::MAX).max(128);
        let Some(keys) = golomb::decode(&mut golomb::bits_of(&binary), self.remainder_bits, limit) else {
            return;
        };
        if keys.is_empty() {
            return;
        }
        if self.keys.is_empty() {
            self.keys = keys;
            return;
        }
        let orig = std::mem::take(&mut self.keys);
        let mut merged = Vec::with_capacity(orig.len() + keys.len());
        let (mut a, mut b) = (0, 0);
        while a < orig.len() && b < keys.len() {
            if orig[a] < keys[b] {
                merged.push(orig[a]);
                a += 1;
            } else if orig[a] > keys[b] {
                merged.push(keys[b]);
                b += 1;
            } else {
                merged.push(orig[a]);
                a += 1;
                b += 1;
            }
        }
        merged.extend_from_slice(&orig[a..]);
        merged.extend_from_slice(&keys[b..]);
        self.keys = merged;
    }

    /// The `Set-Cookie` value for the set (cached until a key is added); `None` when it is empty.
    pub fn cookie(&mut self) -> Option<&[u8]> {
        if self.cookie_cache.is_none() {
            if self.keys.is_empty() {
                return None;
            }
            let binary = golomb_encode(self.remainder_bits, &self.keys);
            let mut out = Vec::with_capacity(COOKIE_PREFIX.len() + COOKIE_ATTRIBUTES.len() + binary.len() * 4 / 3 + 4);
            out.extend_from_slice(COOKIE_PREFIX);
            let start = out.len();
            out.resize(start + strings::base64_encoded_len(binary.len(), true), 0);
            let n = strings::base64_encode(&binary, true, &mut out[start..]);
            out.truncate(start + n);
            out.extend_from_slice(COOKIE_ATTRIBUTES);
            self.cookie_cache = Some(out.into_boxed_slice());
        }
        self.cookie_cache.as_deref()
    }
}

/// The Golomb-Rice coding of sorted `keys` (see [`golomb`]), as the cookie carries it.
fn golomb_encode(remainder_bits: u32, keys: &[u64]) -> Vec<u8> {
    let mut w = golomb::BitWriter::default();
    golomb::encode(&mut w, remainder_bits, keys);
    w.into_bytes()
}

/// SHA-1 (FIPS 180-4) of `data`.
pub fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0];
    let bit_len = (data.len() as u64).wrapping_mul(8);
    let mut tail = Vec::with_capacity(128);
    let full = data.len() / 64 * 64;
    tail.extend_from_slice(&data[full..]);
    tail.push(0x80);
    while tail.len() % 64 != 56 {
        tail.push(0);
    }
    tail.extend_from_slice(&bit_len.to_be_bytes());
    for block in data[..full].chunks_exact(64).chain(tail.chunks_exact(64)) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, &wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a.rotate_left(5).wrapping_add(f).wrapping_add(e).wrapping_add(k).wrapping_add(wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, x) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn sha1_known_answers() {
        assert_eq!(hex(&sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(hex(&sha1(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            hex(&sha1(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        assert_eq!(hex(&sha1(&[b'a'; 1_000_000])), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
        // lengths around the padding boundary
        assert_eq!(hex(&sha1(&[b'a'; 55])), "c1c8bbdc22796e28c0e15163d20899b65621d65a");
        assert_eq!(hex(&sha1(&[b'a'; 56])), "c2db330f6083854c99d4b5bfb6e8f29f201be699");
        assert_eq!(hex(&sha1(&[b'a'; 64])), "0098ba824b5c16427bd7a1122a5a442a25ec644d");
    }

    #[test]
    fn lookup_sets_and_cookie_round_trips() {
        let mut c = Casper::new(13, 6);
        assert!(c.cookie().is_none());
        assert!(!c.lookup(b"/style.css", false));
        assert_eq!(c.num_entries(), 0);
        assert!(!c.lookup(b"/style.css", true));
        assert!(c.lookup(b"/style.css", true));
        assert!(!c.lookup(b"/app.js", true));
        assert_eq!(c.num_entries(), 2);
        assert!(c.keys().windows(2).all(|w| w[0] < w[1]));
        assert!(c.keys().iter().all(|&k| k < 1 << 13));
        let cookie = c.cookie().unwrap().to_vec();
        assert!(cookie.starts_with(COOKIE_PREFIX) && cookie.ends_with(COOKIE_ATTRIBUTES));
        let pair = &cookie[..cookie.len() - COOKIE_ATTRIBUTES.len()];
        let mut d = Casper::new(13, 6);
        d.consume_cookie(pair);
        assert_eq!(d.keys(), c.keys());
        assert!(d.lookup(b"/app.js", false) && d.lookup(b"/style.css", false));
        assert!(!d.lookup(b"/other.js", false));
        // merging keeps the keys sorted and unique
        let mut e = Casper::new(13, 6);
        e.lookup(b"/app.js", true);
        e.lookup(b"/third.png", true);
        e.consume_cookie(pair);
        assert_eq!(e.num_entries(), 3);
        assert!(e.keys().windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn consume_ignores_other_cookies_and_keeps_the_cache() {
        let mut c = Casper::new(13, 6);
        c.consume_cookie(b"h2o_casper=");
        c.consume_cookie(b"other=AAAA");
        c.consume_cookie(b"h2o_casper=A");
        c.consume_cookie(b"h2o_casper=!!!!");
        assert_eq!(c.num_entries(), 0);
        c.lookup(b"/a", true);
        let before = c.cookie().unwrap().to_vec();
        let mut other = Casper::new(13, 6);
        other.lookup(b"/b", true);
        let cookie = other.cookie().unwrap().to_vec();
        c.consume_cookie(&cookie[..cookie.len() - COOKIE_ATTRIBUTES.len()]);
        assert_eq!(c.num_entries(), 2);
        assert_eq!(c.cookie().unwrap(), &before[..], "2.2.5 keeps the cookie built before");
    }

    #[test]
    fn oversized_cookie_is_ignored() {
        let keys: Vec<u64> = (0..129).collect();
        let enc = golomb_encode(6, &keys);
        let mut b64 = vec![0u8; strings::base64_encoded_len(enc.len(), true)];
        let n = strings::base64_encode(&enc, true, &mut b64);
        let cookie = [COOKIE_PREFIX, &b64[..n]].concat();
        let mut small = Casper::new(5, 6);
        small.consume_cookie(&cookie);
        assert_eq!(small.num_entries(), 0);
        let mut big = Casper::new(8, 6);
        big.consume_cookie(&cookie);
        assert_eq!(big.num_entries(), 129);
    }
}
