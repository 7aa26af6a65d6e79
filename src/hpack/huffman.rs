//! The HPACK Huffman code (RFC 7541 Appendix B), both ways.
//!
//! Encoding packs codes into a 64-bit accumulator and writes whole bytes. Decoding reads the
//! input into a left-aligned 64-bit bit buffer and resolves up to two symbols per lookup in a
//! 4096-entry table indexed by the next 12 bits: every code of 12 bits or fewer (all the
//! characters headers normally contain) is in it, and when the first symbol leaves room for a
//! second whole one, that one too (on the hpack-test-case values: 1.57 symbols per lookup). The
//! few longer codes (all starting with at least ten 1 bits) are resolved with the canonical-code
//! limits per length. A refill loads up to eight bytes at once (the last ones too, by reading
//! the input's last eight bytes); while 48 bits are there, four lookups follow without further
//! checks and store their output with one write; the last bits are decoded with the end-of-data
//! and padding checks. The tables are built at compile time.
#![forbid(unsafe_code)]

/// `(code, length in bits)` for each symbol 0..=255 and EOS (256), as listed in Appendix B.
const CODES: [(u32, u8); 257] = [
    (0x1ff8, 13), (0x7fffd8, 23), (0xfffffe2, 28), (0xfffffe3, 28),
    (0xfffffe4, 28), (0xfffffe5, 28), (0xfffffe6, 28), (0xfffffe7, 28),
    (0xfffffe8, 28), (0xffffea, 24), (0x3ffffffc, 30), (0xfffffe9, 28),
    (0xfffffea, 28), (0x3ffffffd, 30), (0xfffffeb, 28), (0xfffffec, 28),
    (0xfffffed, 28), (0xfffffee, 28), (0xfffffef, 28), (0xffffff0, 28),
    (0xffffff1, 28), (0xffffff2, 28), (0x3ffffffe, 30), (0xffffff3, 28),
    (0xffffff4, 28), (0xffffff5, 28), (0xffffff6, 28), (0xffffff7, 28),
    (0xffffff8, 28), (0xffffff9, 28), (0xffffffa, 28), (0xffffffb, 28),
    (0x14, 6), (0x3f8, 10), (0x3f9, 10), (0xffa, 12),
    (0x1ff9, 13), (0x15, 6), (0xf8, 8), (0x7fa, 11),
    (0x3fa, 10), (0x3fb, 10), (0xf9, 8), (0x7fb, 11),
    (0xfa, 8), (0x16, 6), (0x17, 6), (0x18, 6),
    (0x0, 5), (0x1, 5), (0x2, 5), (0x19, 6),
    (0x1a, 6), (0x1b, 6), (0x1c, 6), (0x1d, 6),
    (0x1e, 6), (0x1f, 6), (0x5c, 7), (0xfb, 8),
    (0x7ffc, 15), (0x20, 6), (0xffb, 12), (0x3fc, 10),
    (0x1ffa, 13), (0x21, 6), (0x5d, 7), (0x5e, 7),
    (0x5f, 7), (0x60, 7), (0x61, 7), (0x62, 7),
    (0x63, 7), (0x64, 7), (0x65, 7), (0x66, 7),
    (0x67, 7), (0x68, 7), (0x69, 7), (0x6a, 7),
    (0x6b, 7), (0x6c, 7), (0x6d, 7), (0x6e, 7),
    (0x6f, 7), (0x70, 7), (0x71, 7), (0x72, 7),
    (0xfc, 8), (0x73, 7), (0xfd, 8), (0x1ffb, 13),
    (0x7fff0, 19), (0x1ffc, 13), (0x3ffc, 14), (0x22, 6),
    (0x7ffd, 15), (0x3, 5), (0x23, 6), (0x4, 5),
    (0x24, 6), (0x5, 5), (0x25, 6), (0x26, 6),
    (0x27, 6), (0x6, 5), (0x74, 7), (0x75, 7),
    (0x28, 6), (0x29, 6), (0x2a, 6), (0x7, 5),
    (0x2b, 6), (0x76, 7), (0x2c, 6), (0x8, 5),
    (0x9, 5), (0x2d, 6), (0x77, 7), (0x78, 7),
    (0x79, 7), (0x7a, 7), (0x7b, 7), (0x7ffe, 15),
    (0x7fc, 11), (0x3ffd, 14), (0x1ffd, 13), (0xffffffc, 28),
    (0xfffe6, 20), (0x3fffd2, 22), (0xfffe7, 20), (0xfffe8, 20),
    (0x3fffd3, 22), (0x3fffd4, 22), (0x3fffd5, 22), (0x7fffd9, 23),
    (0x3fffd6, 22), (0x7fffda, 23), (0x7fffdb, 23), (0x7fffdc, 23),
    (0x7fffdd, 23), (0x7fffde, 23), (0xffffeb, 24), (0x7fffdf, 23),
    (0xffffec, 24), (0xffffed, 24), (0x3fffd7, 22), (0x7fffe0, 23),
    (0xffffee, 24), (0x7fffe1, 23), (0x7fffe2, 23), (0x7fffe3, 23),
    (0x7fffe4, 23), (0x1fffdc, 21), (0x3fffd8, 22), (0x7fffe5, 23),
    (0x3fffd9, 22), (0x7fffe6, 23), (0x7fffe7, 23), (0xffffef, 24),
    (0x3fffda, 22), (0x1fffdd, 21), (0xfffe9, 20), (0x3fffdb, 22),
    (0x3fffdc, 22), (0x7fffe8, 23), (0x7fffe9, 23), (0x1fffde, 21),
    (0x7fffea, 23), (0x3fffdd, 22), (0x3fffde, 22), (0xfffff0, 24),
    (0x1fffdf, 21), (0x3fffdf, 22), (0x7fffeb, 23), (0x7fffec, 23),
    (0x1fffe0, 21), (0x1fffe1, 21), (0x3fffe0, 22), (0x1fffe2, 21),
    (0x7fffed, 23), (0x3fffe1, 22), (0x7fffee, 23), (0x7fffef, 23),
    (0xfffea, 20), (0x3fffe2, 22), (0x3fffe3, 22), (0x3fffe4, 22),
    (0x7ffff0, 23), (0x3fffe5, 22), (0x3fffe6, 22), (0x7ffff1, 23),
    (0x3ffffe0, 26), (0x3ffffe1, 26), (0xfffeb, 20), (0x7fff1, 19),
    (0x3fffe7, 22), (0x7ffff2, 23), (0x3fffe8, 22), (0x1ffffec, 25),
    (0x3ffffe2, 26), (0x3ffffe3, 26), (0x3ffffe4, 26), (0x7ffffde, 27),
    (0x7ffffdf, 27), (0x3ffffe5, 26), (0xfffff1, 24), (0x1ffffed, 25),
    (0x7fff2, 19), (0x1fffe3, 21), (0x3ffffe6, 26), (0x7ffffe0, 27),
    (0x7ffffe1, 27), (0x3ffffe7, 26), (0x7ffffe2, 27), (0xfffff2, 24),
    (0x1fffe4, 21), (0x1fffe5, 21), (0x3ffffe8, 26), (0x3ffffe9, 26),
    (0xffffffd, 28), (0x7ffffe3, 27), (0x7ffffe4, 27), (0x7ffffe5, 27),
    (0xfffec, 20), (0xfffff3, 24), (0xfffed, 20), (0x1fffe6, 21),
    (0x3fffe9, 22), (0x1fffe7, 21), (0x1fffe8, 21), (0x7ffff3, 23),
    (0x3fffea, 22), (0x3fffeb, 22), (0x1ffffee, 25), (0x1ffffef, 25),
    (0xfffff4, 24), (0xfffff5, 24), (0x3ffffea, 26), (0x7ffff4, 23),
    (0x3ffffeb, 26), (0x7ffffe6, 27), (0x3ffffec, 26), (0x3ffffed, 26),
    (0x7ffffe7, 27), (0x7ffffe8, 27), (0x7ffffe9, 27), (0x7ffffea, 27),
    (0x7ffffeb, 27), (0xffffffe, 28), (0x7ffffec, 27), (0x7ffffed, 27),
    (0x7ffffee, 27), (0x7ffffef, 27), (0x7fffff0, 27), (0x3ffffee, 26),
    (0x3fffffff, 30),
];

/// The end-of-string symbol; never valid in decoded data.
const EOS: u16 = 256;

/// Bits resolved by one lookup in [`PAIRS`] (4096 entries of 4 bytes: 16 KiB).
const PRIMARY_BITS: u32 = 12;

/// Longest code (EOS) in bits.
const MAX_LEN: u32 = 30;

/// Entry of [`PRIMARY`]: symbol in the low 9 bits, code length above them. A length of 0 marks
/// the prefix of a longer code.
const fn primary_table() -> [u16; 1 << PRIMARY_BITS] {
    let mut t = [0u16; 1 << PRIMARY_BITS];
    let mut sym = 0;
    while sym < CODES.len() {
        let (code, len) = CODES[sym];
        let len = len as u32;
        if len <= PRIMARY_BITS {
            let first = (code << (PRIMARY_BITS - len)) as usize;
            let count = 1usize << (PRIMARY_BITS - len);
            let mut i = 0;
            while i < count {
                assert!(t[first + i] == 0, "the code is not prefix-free");
                t[first + i] = sym as u16 | ((len as u16) << 9);
                i += 1;
            }
        }
        sym += 1;
    }
    t
}

/// Only used to build [`PAIRS`].
const PRIMARY: [u16; 1 << PRIMARY_BITS] = primary_table();

/// Entry of [`PAIRS`]: the first symbol (bits 0-7), the second (8-15), the first's length
/// (16-19), the length of both (20-23) and how many symbols are whole within the
/// [`PRIMARY_BITS`] (24-25: 0 for the prefix of a longer code, 1 or 2).
const fn pair_table() -> [u32; 1 << PRIMARY_BITS] {
    let mut t = [0u32; 1 << PRIMARY_BITS];
    let mut i = 0;
    while i < t.len() {
        let e1 = PRIMARY[i];
        let len1 = (e1 >> 9) as u32;
        if len1 != 0 {
            let sym1 = (e1 & 0x1ff) as u32;
            let rest = (i << len1) & ((1 << PRIMARY_BITS) - 1);
            let e2 = PRIMARY[rest];
            let len2 = (e2 >> 9) as u32;
            t[i] = if len2 != 0 && len2 <= PRIMARY_BITS - len1 {
                sym1 | ((e2 & 0x1ff) as u32) << 8 | len1 << 16 | (len1 + len2) << 20 | 2 << 24
            } else {
                sym1 | len1 << 16 | len1 << 20 | 1 << 24
            };
        }
        i += 1;
    }
    t
}

static PAIRS: [u32; 1 << PRIMARY_BITS] = pair_table();

/// For the canonical decoding of long codes: per length (the index), where that length's codes
/// end (left-aligned in 32 bits), its first code, and where its symbols start in `by_code`. The
/// code is canonical (checked here at compile time): codes of one length are consecutive and in
/// symbol order, and each length's codes follow the shorter ones.
struct Canonical {
    /// Left-aligned (32-bit) end (exclusive) of the codes of each length.
    limit: [u64; MAX_LEN as usize + 1],
    /// Code value of the first code of each length (not aligned).
    first: [u32; MAX_LEN as usize + 1],
    /// Index in `by_code` of the first symbol of each length.
    offset: [u16; MAX_LEN as usize + 1],
    /// Symbols ordered by code.
    by_code: [u16; 257],
}

const fn canonical() -> Canonical {
    let mut count = [0u32; MAX_LEN as usize + 1];
    let mut s = 0;
    while s < CODES.len() {
        count[CODES[s].1 as usize] += 1;
        s += 1;
    }
    let mut c = Canonical {
        limit: [0; MAX_LEN as usize + 1],
        first: [0; MAX_LEN as usize + 1],
        offset: [0; MAX_LEN as usize + 1],
        by_code: [0; 257],
    };
    let mut code: u32 = 0;
    let mut off: u16 = 0;
    let mut len = 1;
    while len <= MAX_LEN as usize {
        c.first[len] = code;
        c.offset[len] = off;
        // Symbols of this length in increasing order: their codes must be consecutive.
        let mut s = 0;
        let mut k = 0;
        while s < CODES.len() {
            if CODES[s].1 as usize == len {
                assert!(CODES[s].0 == code + k, "the code is not canonical");
                c.by_code[off as usize + k as usize] = s as u16;
                k += 1;
            }
            s += 1;
        }
        code += count[len];
        off += count[len] as u16;
        c.limit[len] = (code as u64) << (32 - len);
        code <<= 1;
        len += 1;
    }
    c
}

static CANONICAL: Canonical = canonical();

/// Code length in bits of each byte (for [`encoded_len`]).
const fn byte_lengths() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = CODES[i].1;
        i += 1;
    }
    t
}

static LENGTHS: [u8; 256] = byte_lengths();

/// Length in bytes of the Huffman encoding of `s`.
pub fn encoded_len(s: &[u8]) -> usize {
    let bits: usize = s.iter().map(|&b| LENGTHS[b as usize] as usize).sum();
    bits.div_ceil(8)
}

/// Appends the Huffman encoding of `s` (padded with the EOS prefix) to `out`.
pub fn encode(s: &[u8], out: &mut Vec<u8>) {
    encode_with_len(s, encoded_len(s), out);
}

/// [`encode`] when the caller already knows `len`, the value of `encoded_len(s)`.
pub(crate) fn encode_with_len(s: &[u8], len: usize, out: &mut Vec<u8>) {
    out.reserve(len + 4);
    let end = out.len() + len;
    let (acc, nbits) = encode_words(s, out, usize::MAX);
    finish(acc, nbits, out);
    debug_assert_eq!(out.len(), end);
}

/// Appends the Huffman encoding of `s` to `out` only if it is strictly shorter than `s`: returns
/// its length then (`out` grown by it), else `None` with `out` unchanged. One pass over `s`,
/// which stops as soon as the encoding is known not to be shorter (no [`encoded_len`] first).
pub fn encode_if_shorter(s: &[u8], out: &mut Vec<u8>) -> Option<usize> {
    let start = out.len();
    out.reserve(s.len() + 4);
    // Whole 32-bit words written while the encoding is shorter than `s`.
    let (acc, nbits) = encode_words(s, out, start + s.len());
    let n = out.len() - start + (nbits as usize).div_ceil(8);
    if n >= s.len() {
        out.truncate(start);
        return None;
    }
    finish(acc, nbits, out);
    Some(n)
}

/// The loop of the encoder: appends the codes of `s` to `out` in whole big-endian 32-bit words
/// and returns the pending bits (`acc`'s low `nbits`, fewer than 32). Stops early, with
/// whatever it has, once `out` reaches `stop` bytes.
#[inline(always)]
fn encode_words(s: &[u8], out: &mut Vec<u8>, stop: usize) -> (u64, u32) {
    // `acc` holds `nbits` pending bits in its low end; at most 31 + 30 < 64 before a flush.
    let mut acc: u64 = 0;
    let mut nbits: u32 = 0;
    for &b in s {
        let (code, len) = CODES[b as usize];
        acc = (acc << len) | code as u64;
        nbits += len as u32;
        if nbits >= 32 {
            nbits -= 32;
            out.extend_from_slice(&((acc >> nbits) as u32).to_be_bytes());
            if out.len() >= stop {
                break;
            }
        }
    }
    (acc, nbits)
}

/// Appends the last `nbits` (< 32) bits of `acc`, padded with ones (the EOS prefix) to a byte.
#[inline(always)]
fn finish(acc: u64, nbits: u32, out: &mut Vec<u8>) {
    if nbits == 0 {
        return;
    }
    let bytes = nbits.div_ceil(8);
    let pad = bytes * 8 - nbits;
    // Left-aligned in 32 bits, the padding ones right behind them.
    let word = (((acc << pad) | ((1u64 << pad) - 1)) as u32) << (32 - bytes * 8);
    // Four bytes and back (a fixed-size copy, no call to memcpy for a variable length).
    let end = out.len() + bytes as usize;
    out.extend_from_slice(&word.to_be_bytes());
    out.truncate(end);
}

/// Appends the decoding of `src` to `out`; `Err(())` on an EOS symbol or bad padding (longer than
/// 7 bits or not a prefix of EOS, i.e. not all ones). On error `out` may hold a partial result.
#[allow(clippy::result_unit_err)]
pub fn decode(src: &[u8], out: &mut Vec<u8>) -> Result<(), ()> {
    let start = out.len();
    out.resize(start + decode_capacity(src.len()), 0);
    let r = decode_into(src, &mut out[start..]);
    let (Ok(n) | Err(n)) = r;
    out.truncate(start + n);
    r.map(|_| ()).map_err(|_| ())
}

/// The room [`decode_to_slice`] needs to decode `n` bytes: every code is at least 5 bits, so
/// the output is at most 8/5 of the input, plus one byte a lookup may store beyond its symbol.
#[inline]
pub fn decode_capacity(n: usize) -> usize {
    n * 8 / 5 + 2
}

/// [`decode`] into `dst`, which must hold at least [`decode_capacity`]`(src.len())` bytes (with
/// less it may fail); returns the decoded length. Lets a caller keep one buffer at its size
/// instead of resizing (and zeroing) a `Vec` for each string.
#[allow(clippy::result_unit_err)]
#[inline]
pub fn decode_to_slice(src: &[u8], dst: &mut [u8]) -> Result<usize, ()> {
    decode_into(src, dst).map_err(|_| ())
}

/// Decodes `src` into `dst` (long enough: see [`decode`]); the number of bytes written, as the
/// error too.
#[inline]
fn decode_into(src: &[u8], dst: &mut [u8]) -> Result<usize, usize> {
    // Left-aligned bit buffer: the next bit to decode is bit 63 of `acc`; `nbits` are valid and
    // the bits below them are zero or the input's following bits.
    let mut acc: u64 = 0;
    let mut nbits: u32 = 0;
    let mut pos = 0;
    let mut w = 0;
    loop {
        // Refill with whole bytes up to at least 56 valid bits, or all the input there is.
        if pos < src.len() {
            let word = if let Some(word) = src.get(pos..pos + 8) {
                u64::from_be_bytes(word.try_into().unwrap())
            } else if src.len() >= 8 {
                // The last eight bytes, moved up so that the byte at `pos` comes first.
                let last = u64::from_be_bytes(src[src.len() - 8..].try_into().unwrap());
                last << ((pos + 8 - src.len()) * 8)
            } else {
                let mut t = [0u8; 8];
                t[..src.len() - pos].copy_from_slice(&src[pos..]);
                u64::from_be_bytes(t)
            };
            acc |= word >> nbits;
            let take = (((63 - nbits) / 8) as usize).min(src.len() - pos);
            pos += take;
            nbits += take as u32 * 8;
        }
        if nbits < 4 * PRIMARY_BITS {
            // The input is exhausted (a refill leaves at least 56 bits otherwise).
            break;
        }
        // Four lookups of at most 12 bits each make at most eight bytes, gathered in a register
        // and stored at once (there is room: see `decode`; bytes past the count are overwritten
        // next time). A long code (up to 30 bits) waits for a refill when fewer bits are left,
        // and is followed by one.
        if w + 8 > dst.len() {
            return Err(w);
        }
        let mut bytes: u64 = 0;
        let mut k = 0;
        for _ in 0..4 {
            // Here k <= 6: at most three lookups of two symbols came before.
            let e = PAIRS[(acc >> (64 - PRIMARY_BITS)) as usize];
            if e >> 24 == 0 {
                if nbits < MAX_LEN {
                    break;
                }
                let (sym, len) = decode_long(acc);
                if sym == EOS {
                    return Err(w);
                }
                bytes |= (sym as u64) << (k * 8);
                k += 1;
                acc <<= len;
                nbits -= len;
                break;
            }
            let both = (e >> 20) & 0xf;
            bytes |= ((e & 0xffff) as u64) << (k * 8);
            k += e >> 24;
            acc <<= both;
            nbits -= both;
        }
        dst[w..w + 8].copy_from_slice(&bytes.to_le_bytes());
        w += k as usize;
    }
    // The last bits (fewer than 48, all of them in `acc`), with the end-of-data checks.
    while nbits > 0 {
        let e = PAIRS[(acc >> (64 - PRIMARY_BITS)) as usize];
        let both = (e >> 20) & 0xf;
        if e >> 24 != 0 && both <= nbits {
            if w + 1 >= dst.len() {
                return Err(w);
            }
            dst[w] = e as u8;
            dst[w + 1] = (e >> 8) as u8;
            w += (e >> 24) as usize;
            acc <<= both;
            nbits -= both;
            continue;
        }
        let (sym, len) = if e >> 24 != 0 {
            // Only the first symbol is there.
            (e as u16 & 0xff, (e >> 16) & 0xf)
        } else {
            decode_long(acc)
        };
        if len > nbits {
            // What is left must be padding: a prefix of EOS (all ones) of at most 7 bits.
            let ok = nbits <= 7 && (acc >> (64 - nbits)) == (1u64 << nbits) - 1;
            return if ok { Ok(w) } else { Err(w) };
        }
        if sym == EOS || w >= dst.len() {
            return Err(w);
        }
        dst[w] = sym as u8;
        w += 1;
        acc <<= len;
        nbits -= len;
    }
    Ok(w)
}

/// Resolves a code longer than [`PRIMARY_BITS`] at the top of `acc` (beyond the valid bits the
/// buffer is zero-filled, which at worst yields a length longer than the bits available).
#[cold]
fn decode_long(acc: u64) -> (u16, u32) {
    let window = acc >> 32;
    let c = &CANONICAL;
    let mut len = PRIMARY_BITS as usize + 1;
    while len <= MAX_LEN as usize {
        if window < c.limit[len] {
            let code = (window >> (32 - len)) as u32;
            let sym = c.by_code[c.offset[len] as usize + (code - c.first[len]) as usize];
            return (sym, len as u32);
        }
        len += 1;
    }
    // Not reached: limit[30] is 2^32, above every window.
    (EOS, MAX_LEN)
}
