//! Cache digests a client sends in the `cache-digest` request header (the Golomb-coded sets of
//! draft-kazuho-h2-cache-digest, as cache-digest.js builds them in a service worker and 2.2.5
//! reads them), so that the server does not push what the client already holds.
//!
//! The header is a comma-separated list of digests, each a base64url string followed by
//! `;`-separated flags (case-insensitive): `reset` (forget the digests received so far),
//! `complete` (the client's digests cover its whole cache: a URL in none of them is not cached),
//! `validators` (the keys hash the URL followed by its ETag), `stale` (a digest of stale entries:
//! skipped, as by 2.2.5, which keeps only fresh ones); a digest with a flag of any other name is
//! skipped too (2.2.5). A digest decodes to a bit stream: 5 bits `N`, 5 bits `P`, then the keys
//! Golomb-Rice coded with `P` remainder bits ([`super::golomb`]). A key is the first 8 bytes of
//! the SHA-256 of the URL (with the ETag appended for `validators`) read big-endian and shifted
//! right to keep `N + P` bits.
//!
//! 2.2.5's behaviours kept on purpose (`tests/abi/diff/cache_digests_diff.c` compares them with
//! Debian's library): a digest whose base64url does not decode, or that is shorter than its
//! 10-bit head, or that holds a key of more than `N + P` bits, is ignored (its `complete` flag
//! too); a value cut short at the end is dropped;
//! `complete` is the flag of the last digest stored (a later digest without it clears it) and
//! counts for both kinds of lookup; keys are searched with a binary search in the order they were decoded (a stream whose values
//! wrap past 2^64 is not sorted, and the search then sees what 2.2.5's `bsearch` sees).

#![forbid(unsafe_code)]

use ring::digest::{digest, SHA256};

use super::golomb;
use crate::strings::{decode_base64url, decoded_base64url_len, lcstris, next_token};

/// The answer of a lookup (2.2.5's `h2o_cache_digests_state_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub enum State {
    /// No digest says anything about the URL.
    Unknown = 0,
    /// The digests are complete and the URL is in none of them.
    NotCached = 1,
    /// A fresh digest holds the URL.
    Fresh = 2,
    /// A stale digest holds the URL (never returned: stale digests are not kept).
    Stale = 3,
}

/// One decoded digest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    /// `N + P`: how many bits of the hash a key keeps.
    pub capacity_bits: u32,
    /// The keys, in the order they were decoded (ascending unless the values wrapped).
    pub keys: Vec<u64>,
}

/// The digests a connection has received.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Digests {
    /// Fresh digests of URLs.
    pub url_only: Vec<Frame>,
    /// Fresh digests of URLs with their ETags.
    pub url_and_etag: Vec<Frame>,
    /// The `complete` flag of the last digest stored (2.2.5 assigns it per digest, it does not
    /// accumulate).
    pub complete: bool,
}

impl Digests {
    /// Takes in one `cache-digest` header value.
    pub fn load_header(&mut self, value: &[u8]) {
        let mut from = 0;
        while let Some(t) = next_token(value, from, b';', false) {
            from = t.rest;
            let gcs = &value[t.token_start..t.token_start + t.token_len];
            let (mut reset, mut complete, mut validators, mut skip) = (false, false, false, false);
            while let Some(a) = next_token(value, from, b';', false) {
                from = a.rest;
                let attr = &value[a.token_start..a.token_start + a.token_len];
                if attr == b"," {
                    break;
                }
                if lcstris(attr, b"reset") {
                    reset = true;
                } else if lcstris(attr, b"complete") {
                    complete = true;
                } else if lcstris(attr, b"validators") {
                    validators = true;
                } else {
                    // `stale`, and as 2.2.5 any flag it does not know: the digest is skipped
                    skip = true;
                }
            }
            if reset {
                *self = Digests::default();
            }
            if skip {
                continue;
            }
            if let Some(frame) = decode(gcs) {
                if validators { &mut self.url_and_etag } else { &mut self.url_only }.push(frame);
                self.complete = complete;
            }
        }
    }

    /// Whether a fresh digest of URLs holds `url`.
    pub fn lookup_by_url(&self, url: &[u8]) -> State {
        lookup(&self.url_only, hash(url, b""), self.complete)
    }

    /// Whether a fresh digest of URLs with their ETags holds `url` with `etag`.
    pub fn lookup_by_url_and_etag(&self, url: &[u8], etag: &[u8]) -> State {
        lookup(&self.url_and_etag, hash(url, etag), self.complete)
    }
}

/// The first 8 bytes of SHA-256(url || etag), big-endian.
fn hash(url: &[u8], etag: &[u8]) -> u64 {
    let d = if etag.is_empty() {
        digest(&SHA256, url)
    } else {
        let mut both = Vec::with_capacity(url.len() + etag.len());
        both.extend_from_slice(url);
        both.extend_from_slice(etag);
        digest(&SHA256, &both)
    };
    let mut first = [0u8; 8];
    first.copy_from_slice(&d.as_ref()[..8]);
    u64::from_be_bytes(first)
}

fn lookup(frames: &[Frame], hash: u64, complete: bool) -> State {
    for f in frames {
        // 2.2.5 shifts by 64 - capacity_bits; x86-64 takes a shift count modulo 64, so
        // capacity_bits 0 keeps the whole hash.
        let key = hash >> ((64 - f.capacity_bits) & 63);
        if search(&f.keys, key) {
            return State::Fresh;
        }
    }
    if complete { State::NotCached } else { State::Unknown }
}

/// glibc's `bsearch` (halving `[lo, hi)` at `(lo + hi) / 2`) over keys as decoded.
fn search(keys: &[u64], key: u64) -> bool {
    let (mut lo, mut hi) = (0, keys.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        match key.cmp(&keys[mid]) {
            std::cmp::Ordering::Less => hi = mid,
            std::cmp::Ordering::Greater => lo = mid + 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// Decodes one base64url digest; None when it is not base64url, shorter than its head, or holds a
/// key of more than `N + P` bits.
pub fn decode(gcs: &[u8]) -> Option<Frame> {
    let mut bin = vec![0u8; decoded_base64url_len(gcs.len())];
    decode_base64url(gcs, &mut bin)?;
    let mut bits = golomb::bits_of(&bin);
    let n = golomb::read_bits(&mut bits, 5)? as u32;
    let p = golomb::read_bits(&mut bits, 5)? as u32;
    let capacity_bits = n + p;
    let keys = golomb::decode(&mut bits, p, usize::MAX)?;
    // as 2.2.5: a key that does not fit the digest's N + P bits spoils the whole digest
    if keys.iter().any(|&k| k >> capacity_bits != 0) {
        return None;
    }
    Some(Frame { capacity_bits, keys })
}

/// Encodes `keys` (sorted, unique, each below 2^(n+p)) as a digest: the inverse of [`decode`], for
/// tests and for servers that build digests.
pub fn encode(n: u32, p: u32, keys: &[u64]) -> Vec<u8> {
    let mut w = golomb::BitWriter::default();
    w.bits(u64::from(n), 5);
    w.bits(u64::from(p), 5);
    golomb::encode(&mut w, p, keys);
    w.into_bytes()
}

/// The key of `url` (with `etag`, empty for none) in a digest of `capacity_bits` bits.
pub fn key_of(url: &[u8], etag: &[u8], capacity_bits: u32) -> u64 {
    hash(url, etag) >> ((64 - capacity_bits) & 63)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strings::{base64_encode, base64_encoded_len};

    fn b64(bytes: &[u8]) -> String {
        let mut out = vec![0u8; base64_encoded_len(bytes.len(), true)];
        let n = base64_encode(bytes, true, &mut out);
        String::from_utf8(out[..n].to_vec()).unwrap()
    }

    fn digest_of(urls: &[&str], etags: Option<&[&str]>, n: u32, p: u32) -> String {
        let mut keys: Vec<u64> = urls
            .iter()
            .enumerate()
            .map(|(i, u)| key_of(u.as_bytes(), etags.map_or(b"", |e| e[i].as_bytes()), n + p))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        b64(&encode(n, p, &keys))
    }

    #[test]
    fn known_digest_as_debian_reads_it() {
        // Three URLs, N 2, P 7: the value Debian's 2.2.5 answered FRESH for each URL.
        let urls = ["https://example.com/a.css", "https://example.com/b.js", "https://example.com/c.png"];
        assert_eq!(digest_of(&urls, None, 2, 7), "EfpNm7A");
        let mut d = Digests::default();
        d.load_header(b"EfpNm7A");
        for u in urls {
            assert_eq!(d.lookup_by_url(u.as_bytes()), State::Fresh, "{u}");
        }
        assert_eq!(d.lookup_by_url(b"https://example.com/x"), State::Unknown);
        d.load_header(b"EfpNm7A; complete");
        assert_eq!(d.lookup_by_url(b"https://example.com/x"), State::NotCached);
        assert_eq!(d.url_only.len(), 2);
    }

    #[test]
    fn flags_validators_stale_reset() {
        let urls = ["/a", "/b"];
        let tags = ["\"1\"", "\"2\""];
        let plain = digest_of(&urls, None, 1, 8);
        let with = digest_of(&urls, Some(&tags), 1, 8);
        let mut d = Digests::default();
        d.load_header(format!("{with}; VALIDATORS, {plain};stale").as_bytes());
        assert_eq!(d.url_and_etag.len(), 1);
        assert!(d.url_only.is_empty(), "stale digests are not kept");
        assert_eq!(d.lookup_by_url_and_etag(b"/a", b"\"1\""), State::Fresh);
        assert_eq!(d.lookup_by_url_and_etag(b"/a", b"\"2\""), State::Unknown);
        assert_eq!(d.lookup_by_url(b"/a"), State::Unknown);
        d.load_header(format!("{plain}; reset; complete").as_bytes());
        assert!(d.url_and_etag.is_empty(), "reset forgets what came before");
        assert_eq!(d.lookup_by_url(b"/b"), State::Fresh);
        assert_eq!(d.lookup_by_url(b"/c"), State::NotCached);
        assert_eq!(d.lookup_by_url_and_etag(b"/c", b"\"1\""), State::NotCached);
        // as 2.2.5: each stored digest sets `complete` to its own flag (the last one decides)
        d.load_header(format!("{plain}; complete, {with}; validators").as_bytes());
        assert!(!d.complete);
        assert_eq!(d.lookup_by_url(b"/c"), State::Unknown);
    }

    #[test]
    fn bad_digests_are_ignored() {
        let mut d = Digests::default();
        d.load_header(b"not*base64, A, ; complete, AeEA; complete; other");
        assert_eq!(d, Digests::default());
        // a head with no values: a digest with no keys (complete counts)
        d.load_header(b"AAA; complete");
        assert_eq!(d.url_only, vec![Frame { capacity_bits: 0, keys: vec![] }]);
        assert!(d.complete);
    }

    #[test]
    fn round_trip_many() {
        let urls: Vec<String> = (0..500).map(|i| format!("https://h/{i}.js")).collect();
        let refs: Vec<&str> = urls.iter().map(String::as_str).collect();
        let g = digest_of(&refs, None, 9, 7);
        let mut d = Digests::default();
        d.load_header(g.as_bytes());
        assert!(refs.iter().all(|u| d.lookup_by_url(u.as_bytes()) == State::Fresh));
        let misses = (0..2000).filter(|i| d.lookup_by_url(format!("https://h/x{i}").as_bytes()) == State::Fresh).count();
        assert!(misses < 60, "false positives {misses} of 2000 at P 7 (about 1/128 expected)");
    }
}
