//! Byte-class scanners behind the parser, and the choice of SIMD level.
//!
//! The parser only ever asks four questions of the bytes in front of it ("where is the next byte of
//! class X?"). Each SIMD level answers them with a different width; the answers are identical, which
//! the tests (and the differential fuzz target) check. `Scalar` is the portable reference: a table
//! for tokens and SWAR (8 bytes in a `u64`) for the other classes.

use std::sync::atomic::{AtomicU8, Ordering};

/// The questions the parser asks, of one buffer. Every method returns the index of the first byte at
/// or after `pos` that belongs to the class, or `buf.len()` when there is none (`pos` may be past
/// the end: the answer is then `buf.len()`). No method reads outside the buffer.
///
/// Scanners are values, not just functions, so that a SIMD scanner can classify a 64-byte block once
/// and answer the following questions about that block from the bit masks it kept.
pub(crate) trait Scan<'b> {
    fn new(buf: &'b [u8]) -> Self;
    /// First byte that is not an RFC 9110 `tchar` (method and header-name end).
    fn non_tchar(&mut self, pos: usize) -> usize;
    /// First byte `<= 0x20` or `== 0x7f` (request-target end: SP, or a control byte).
    fn path_end(&mut self, pos: usize) -> usize;
    /// First control byte other than HTAB, or DEL (header value / reason phrase end).
    fn value_end(&mut self, pos: usize) -> usize;
    /// First CR or LF (the `last_len` completeness check).
    fn eol_char(&mut self, pos: usize) -> usize;
}

/// `tchar` as RFC 9110 5.6.2 defines it: `!#$%&'*+-.^_`|~`, digits and letters.
pub(crate) static TCHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0usize;
    while c < 128 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric()
            || matches!(b, b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~');
        c += 1;
    }
    t
};

#[inline(always)]
pub(crate) fn is_path_end(b: u8) -> bool {
    b <= 0x20 || b == 0x7f
}

#[inline(always)]
pub(crate) fn is_value_end(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

#[inline(always)]
pub(crate) fn is_eol_char(b: u8) -> bool {
    b == b'\r' || b == b'\n'
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// High bit set in (at least) the lowest byte of `w` that is zero; bytes above a zero byte may be
/// flagged falsely, so only the lowest flag is meaningful.
#[inline(always)]
const fn zero_bytes(w: u64) -> u64 {
    w.wrapping_sub(LO) & !w & HI
}

/// High bit set in (at least) the lowest byte of `w` that is `< n` (as an unsigned byte, `n <= 128`).
#[inline(always)]
const fn bytes_below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(LO * n as u64) & !w & HI
}

#[inline(always)]
fn load_u64(buf: &[u8], i: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&buf[i..i + 8]);
    u64::from_le_bytes(a)
}

/// Runs `hit` 8 bytes at a time with SWAR, finishing the word (and the tail) byte by byte.
#[inline(always)]
fn swar_find(buf: &[u8], mut pos: usize, word_may_hit: impl Fn(u64) -> bool, hit: impl Fn(u8) -> bool) -> usize {
    while pos + 8 <= buf.len() {
        if word_may_hit(load_u64(buf, pos)) {
            break;
        }
        pos += 8;
    }
    while pos < buf.len() {
        if hit(buf[pos]) {
            return pos;
        }
        pos += 1;
    }
    buf.len()
}

/// The portable reference implementation: a table for tokens, SWAR for the other classes.
pub(crate) struct Scalar<'b>(&'b [u8]);

impl<'b> Scan<'b> for Scalar<'b> {
    #[inline(always)]
    fn new(buf: &'b [u8]) -> Self {
        Scalar(buf)
    }
    #[inline(always)]
    fn non_tchar(&mut self, pos: usize) -> usize {
        scalar_non_tchar(self.0, pos)
    }
    #[inline(always)]
    fn path_end(&mut self, pos: usize) -> usize {
        scalar_path_end(self.0, pos)
    }
    #[inline(always)]
    fn value_end(&mut self, pos: usize) -> usize {
        scalar_value_end(self.0, pos)
    }
    #[inline(always)]
    fn eol_char(&mut self, pos: usize) -> usize {
        scalar_eol_char(self.0, pos)
    }
}

#[inline(always)]
pub(crate) fn scalar_non_tchar(buf: &[u8], mut pos: usize) -> usize {
    while pos + 4 <= buf.len() {
        if !TCHAR[buf[pos] as usize] {
            return pos;
        }
        if !TCHAR[buf[pos + 1] as usize] {
            return pos + 1;
        }
        if !TCHAR[buf[pos + 2] as usize] {
            return pos + 2;
        }
        if !TCHAR[buf[pos + 3] as usize] {
            return pos + 3;
        }
        pos += 4;
    }
    while pos < buf.len() && TCHAR[buf[pos] as usize] {
        pos += 1;
    }
    pos.min(buf.len())
}

#[inline(always)]
pub(crate) fn scalar_path_end(buf: &[u8], pos: usize) -> usize {
    swar_find(buf, pos, |w| bytes_below(w, 0x21) | zero_bytes(w ^ (LO * 0x7f)) != 0, is_path_end)
}

#[inline(always)]
pub(crate) fn scalar_value_end(buf: &[u8], pos: usize) -> usize {
    // HTAB is inside "below 0x20", so a word with a tab is finished byte by byte.
    swar_find(buf, pos, |w| bytes_below(w, 0x20) | zero_bytes(w ^ (LO * 0x7f)) != 0, is_value_end)
}

#[inline(always)]
pub(crate) fn scalar_eol_char(buf: &[u8], pos: usize) -> usize {
    swar_find(buf, pos, |w| zero_bytes(w ^ (LO * b'\r' as u64)) | zero_bytes(w ^ (LO * b'\n' as u64)) != 0, is_eol_char)
}

/// The SIMD code paths. Which one runs is chosen once per process (see [`simd_level`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum SimdLevel {
    /// Portable code: table lookups and SWAR.
    Scalar = 1,
    /// 16-byte vectors (SSE4.2-class CPUs: SSE2 compares, SSSE3 `pshufb` class lookup).
    Sse42 = 2,
    /// 32-byte vectors (AVX2).
    Avx2 = 3,
    /// 64-byte vectors with masked loads (AVX-512BW).
    Avx512 = 4,
}

impl SimdLevel {
    /// All levels, slowest first.
    pub const ALL: [SimdLevel; 4] = [SimdLevel::Scalar, SimdLevel::Sse42, SimdLevel::Avx2, SimdLevel::Avx512];

    /// The name used by the `H2O_RS_SIMD` environment variable.
    pub fn name(self) -> &'static str {
        match self {
            SimdLevel::Scalar => "scalar",
            SimdLevel::Sse42 => "sse42",
            SimdLevel::Avx2 => "avx2",
            SimdLevel::Avx512 => "avx512",
        }
    }

    /// Parses a name as accepted by `H2O_RS_SIMD`.
    pub fn from_name(s: &str) -> Option<SimdLevel> {
        SimdLevel::ALL.into_iter().find(|l| l.name().eq_ignore_ascii_case(s))
    }

    #[inline(always)]
    fn from_u8(v: u8) -> Option<SimdLevel> {
        match v {
            1 => Some(SimdLevel::Scalar),
            2 => Some(SimdLevel::Sse42),
            3 => Some(SimdLevel::Avx2),
            4 => Some(SimdLevel::Avx512),
            _ => None,
        }
    }

    /// Whether this CPU can run the level.
    pub fn is_supported(self) -> bool {
        match self {
            SimdLevel::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            SimdLevel::Sse42 => std::is_x86_feature_detected!("sse4.2") && std::is_x86_feature_detected!("ssse3"),
            #[cfg(target_arch = "x86_64")]
            SimdLevel::Avx2 => std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("bmi1"),
            #[cfg(target_arch = "x86_64")]
            SimdLevel::Avx512 => {
                std::is_x86_feature_detected!("avx512f")
                    && std::is_x86_feature_detected!("avx512bw")
                    && std::is_x86_feature_detected!("avx512vl")
                    && std::is_x86_feature_detected!("avx2")
                    && std::is_x86_feature_detected!("bmi1")
                    && std::is_x86_feature_detected!("bmi2")
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// The levels this CPU supports, slowest first.
    pub fn supported() -> Vec<SimdLevel> {
        SimdLevel::ALL.into_iter().filter(|l| l.is_supported()).collect()
    }
}

/// The level chosen when `H2O_RS_SIMD` does not say otherwise: the widest the CPU supports.
/// AVX-512 measured fastest where it exists (BENCHMARKS.md); on CPUs that lower their clock for
/// 512-bit work, `H2O_RS_SIMD=avx2` keeps the parser on 256-bit vectors.
fn default_level() -> SimdLevel {
    for l in [SimdLevel::Avx512, SimdLevel::Avx2, SimdLevel::Sse42] {
        if l.is_supported() {
            return l;
        }
    }
    SimdLevel::Scalar
}

static LEVEL: AtomicU8 = AtomicU8::new(0);

/// The SIMD level the parser uses in this process, decided on first use: `H2O_RS_SIMD`
/// (`scalar`, `sse42`, `avx2`, `avx512`) if set and supported by the CPU, else the best default.
/// An unsupported or unknown value falls back to the default (never to an illegal instruction).
#[inline]
pub fn simd_level() -> SimdLevel {
    match SimdLevel::from_u8(LEVEL.load(Ordering::Relaxed)) {
        Some(l) => l,
        None => detect_level(),
    }
}

#[cold]
fn detect_level() -> SimdLevel {
    let wanted = std::env::var("H2O_RS_SIMD").ok().and_then(|v| SimdLevel::from_name(v.trim()));
    let level = match wanted {
        Some(l) if l.is_supported() => l,
        _ => default_level(),
    };
    LEVEL.store(level as u8, Ordering::Relaxed);
    level
}

/// Forces the level for the rest of the process (tests and benchmarks). Returns false, and changes
/// nothing, when the CPU does not support `level`.
pub fn set_simd_level(level: SimdLevel) -> bool {
    if !level.is_supported() {
        return false;
    }
    LEVEL.store(level as u8, Ordering::Relaxed);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(buf: &[u8], pos: usize, f: impl Fn(u8) -> bool) -> usize {
        buf[pos..].iter().position(|&b| f(b)).map_or(buf.len(), |i| pos + i)
    }

    #[test]
    fn tchar_table_matches_rfc() {
        let tchars: Vec<u8> = (0u8..=255).filter(|&b| TCHAR[b as usize]).collect();
        let mut expect: Vec<u8> = b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".to_vec();
        expect.sort();
        assert_eq!(tchars, expect);
    }

    #[test]
    fn scalar_scanners_match_bytewise_reference_for_every_byte_at_every_offset() {
        for b in 0u8..=255 {
            for len in 0..40 {
                for at in 0..len {
                    let mut buf = vec![b'a'; len];
                    buf[at] = b;
                    for pos in 0..=len {
                        let mut s = Scalar::new(&buf);
                        assert_eq!(s.non_tchar(pos), reference(&buf, pos, |c| !TCHAR[c as usize]));
                        assert_eq!(s.path_end(pos), reference(&buf, pos, is_path_end));
                        assert_eq!(s.value_end(pos), reference(&buf, pos, is_value_end));
                        assert_eq!(s.eol_char(pos), reference(&buf, pos, is_eol_char));
                    }
                }
            }
        }
    }

    #[test]
    fn level_names_round_trip() {
        for l in SimdLevel::ALL {
            assert_eq!(SimdLevel::from_name(l.name()), Some(l));
        }
        assert_eq!(SimdLevel::from_name("neon"), None);
        assert!(SimdLevel::Scalar.is_supported());
    }
}
