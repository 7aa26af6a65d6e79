//! x86_64 SIMD scanners: 16-byte (SSE4.2-class), 32-byte (AVX2) and 64-byte (AVX-512BW) vectors.
//!
//! All three work on 64-byte blocks of the buffer. The first question about a class in a block
//! classifies the whole block into a 64-bit mask (bit `i` set when byte `block + i` is in the class);
//! the following questions about that block (the next header's name, the next value...) are a shift
//! and a trailing-zero count on the kept mask. A request head of ~700 bytes is classified in about a
//! dozen vector passes per class, instead of one pass per field.
//!
//! Byte classes:
//! - control/DEL classes use unsigned compares (`min(v, k) == v` means `v <= k`);
//! - `tchar` uses two 16-entry nibble tables with `pshufb`: `lo[c & 15] & hi[c >> 4]` is non-zero
//!   exactly for the `tchar` bytes (bit `h` of `lo[l]` says whether byte `h<<4 | l` is a tchar).
//!
//! Reads never leave the slice: a full block is read only where `block + 64 <= len`; the last,
//! partial block is read as the 64 bytes that end at `len` (then shifted into place), or, when the
//! whole buffer is shorter than 64 bytes, from a zero-padded copy; AVX-512 uses a masked load, whose
//! masked-off lanes are not accessed. Bits for bytes at or past `len` are always cleared.
//!
//! The vector types are private to this module: their methods are only sound when inlined into the
//! `#[target_feature]` entry points at the bottom, which the dispatcher calls only after checking
//! the CPU (see `SimdLevel::is_supported`).

use core::arch::x86_64::*;
use core::marker::PhantomData;

use super::scan::{Scan, TCHAR};

/// `lo[l]` has bit `h` set when byte `h<<4 | l` is a tchar (only `h < 8` can be).
const fn nibble_table_lo() -> [u8; 16] {
    let mut t = [0u8; 16];
    let mut c = 0;
    while c < 128 {
        if TCHAR[c] {
            t[c & 15] |= 1 << (c >> 4);
        }
        c += 1;
    }
    t
}
const TCHAR_LO: [u8; 16] = nibble_table_lo();
const TCHAR_HI: [u8; 16] = [1, 2, 4, 8, 16, 32, 64, 128, 0, 0, 0, 0, 0, 0, 0, 0];

/// Class numbers (the const parameter of [`Vectors::mask`]).
const NON_TCHAR: usize = 0;
const PATH_END: usize = 1;
const VALUE_END: usize = 2;
const EOL_CHAR: usize = 3;

/// Classifies 64 bytes into a bit mask per class.
trait Vectors {
    /// Mask of the 64 bytes at `p`.
    ///
    /// # Safety
    /// 64 bytes readable at `p`; the CPU has the vector unit (the dispatcher checked).
    unsafe fn mask<const C: usize>(p: *const u8) -> u64;

    /// Mask of the 16 bytes at `p` (the narrowest vector every level has).
    ///
    /// # Safety
    /// 16 bytes readable at `p`; the CPU has the vector unit.
    unsafe fn mask16<const C: usize>(p: *const u8) -> u64;

    /// Mask of `buf[blk..]`, which is shorter than 64 bytes; bits past the end are clear.
    ///
    /// # Safety
    /// The CPU has the vector unit.
    #[inline(always)]
    unsafe fn mask_tail<const C: usize>(buf: &[u8], blk: usize) -> u64 {
        let len = buf.len();
        let n = len - blk;
        let p = buf.as_ptr();
        if len >= 64 {
            let start = len - 64;
            // SAFETY: start + 64 == len, inside the slice. Shifting right by (blk - start) moves byte
            // `blk` to bit 0 and fills the bits past `len` with zeros.
            return unsafe { Self::mask::<C>(p.add(start)) >> (blk - start) };
        }
        // A short buffer (one partial block, blk == 0): 16-byte loads, the last one ending at
        // `len` and overlapping the one before (the overlapping bytes get the same bits again).
        if n >= 16 {
            let mut m = 0u64;
            let mut i = 0;
            while i + 16 <= n {
                // SAFETY: blk + i + 16 <= len.
                m |= unsafe { Self::mask16::<C>(p.add(blk + i)) } << i;
                i += 16;
            }
            if i < n {
                // SAFETY: blk + n - 16 + 16 == len, and n >= 16.
                m |= unsafe { Self::mask16::<C>(p.add(blk + n - 16)) } << (n - 16);
            }
            return m;
        }
        let mut tmp = [0u8; 16];
        tmp[..n].copy_from_slice(&buf[blk..]);
        // SAFETY: tmp is 16 bytes.
        let m = unsafe { Self::mask16::<C>(tmp.as_ptr()) };
        m & ((1u64 << n) - 1)
    }
}

/// A scanner that keeps, per class, the mask of the last block it classified.
struct Blocks<'b, V> {
    buf: &'b [u8],
    base: [usize; 4],
    mask: [u64; 4],
    _v: PhantomData<V>,
}

/// `base` before the first block is classified: `pos - NO_BLOCK` is >= 64 for every index.
const NO_BLOCK: usize = usize::MAX / 2;

impl<V: Vectors> Blocks<'_, V> {
    /// The common case, a hit in the block already classified, is a subtraction, a shift and a
    /// trailing-zero count. (Bits at or past `len` are never set, so a hit is inside the buffer.)
    #[inline(always)]
    fn find<const C: usize>(&mut self, pos: usize) -> usize {
        let off = pos.wrapping_sub(self.base[C]);
        if off < 64 {
            let m = self.mask[C] >> off;
            if m != 0 {
                return pos + m.trailing_zeros() as usize;
            }
        }
        self.find_in_next_blocks::<C>(pos)
    }

    #[inline(always)]
    fn find_in_next_blocks<const C: usize>(&mut self, mut pos: usize) -> usize {
        let len = self.buf.len();
        loop {
            if pos >= len {
                return len;
            }
            let blk = pos & !63;
            if self.base[C] != blk {
                self.classify::<C>(blk);
            }
            let m = self.mask[C] >> (pos - blk);
            if m != 0 {
                return pos + m.trailing_zeros() as usize;
            }
            pos = blk + 64;
        }
    }

    /// Classifies the block at `blk` (< len) for class `C`.
    #[inline(always)]
    fn classify<const C: usize>(&mut self, blk: usize) {
        let len = self.buf.len();
        self.base[C] = blk;
        self.mask[C] = if blk + 64 <= len {
            // SAFETY: blk + 64 <= len: the block is inside the slice. CPU support: module doc.
            unsafe { V::mask::<C>(self.buf.as_ptr().add(blk)) }
        } else {
            // SAFETY: CPU support: module doc; mask_tail reads only inside the slice.
            unsafe { V::mask_tail::<C>(self.buf, blk) }
        };
    }
}

impl<'b, V: Vectors> Scan<'b> for Blocks<'b, V> {
    #[inline(always)]
    fn new(buf: &'b [u8]) -> Self {
        let mut s = Blocks { buf, base: [NO_BLOCK; 4], mask: [0; 4], _v: PhantomData };
        // Every head starts with questions about its first block (method, target, first header):
        // answer them up front, in parallel, instead of one after the other as they come.
        if !buf.is_empty() {
            s.classify::<NON_TCHAR>(0);
            s.classify::<PATH_END>(0);
            s.classify::<VALUE_END>(0);
        }
        s
    }
    #[inline(always)]
    fn non_tchar(&mut self, pos: usize) -> usize {
        self.find::<NON_TCHAR>(pos)
    }
    #[inline(always)]
    fn path_end(&mut self, pos: usize) -> usize {
        self.find::<PATH_END>(pos)
    }
    #[inline(always)]
    fn value_end(&mut self, pos: usize) -> usize {
        self.find::<VALUE_END>(pos)
    }
    #[inline(always)]
    fn eol_char(&mut self, pos: usize) -> usize {
        self.find::<EOL_CHAR>(pos)
    }
}

// ---------------------------------------------------------------------------------------------
// 16 bytes

struct Sse42;

impl Vectors for Sse42 {
    #[inline(always)]
    unsafe fn mask16<const C: usize>(p: *const u8) -> u64 {
        // SAFETY: the caller guarantees 16 readable bytes at p and SSE4.2/SSSE3 (module doc).
        unsafe {
            let v = _mm_loadu_si128(p.cast());
            let m = match C {
                NON_TCHAR => {
                    let nib = _mm_set1_epi8(0x0f);
                    let lo = _mm_shuffle_epi8(_mm_loadu_si128(TCHAR_LO.as_ptr().cast()), _mm_and_si128(v, nib));
                    let hi = _mm_shuffle_epi8(_mm_loadu_si128(TCHAR_HI.as_ptr().cast()), _mm_and_si128(_mm_srli_epi16(v, 4), nib));
                    _mm_cmpeq_epi8(_mm_and_si128(lo, hi), _mm_setzero_si128())
                }
                PATH_END => {
                    let le20 = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x20)), v);
                    _mm_or_si128(le20, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)))
                }
                VALUE_END => {
                    let lt20 = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
                    let tab = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\t' as i8));
                    _mm_or_si128(_mm_andnot_si128(tab, lt20), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)))
                }
                _ => _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\r' as i8)), _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8))),
            };
            _mm_movemask_epi8(m) as u16 as u64
        }
    }

    #[inline(always)]
    unsafe fn mask<const C: usize>(p: *const u8) -> u64 {
        // SAFETY: the caller guarantees 64 readable bytes at p.
        unsafe {
            Self::mask16::<C>(p)
                | Self::mask16::<C>(p.add(16)) << 16
                | Self::mask16::<C>(p.add(32)) << 32
                | Self::mask16::<C>(p.add(48)) << 48
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 32 bytes

struct Avx2;

impl Avx2 {
    #[inline(always)]
    unsafe fn mask32<const C: usize>(p: *const u8) -> u64 {
        // SAFETY: the caller guarantees 32 readable bytes at p and AVX2 (module doc).
        unsafe {
            let v = _mm256_loadu_si256(p.cast());
            let m = match C {
                NON_TCHAR => {
                    let nib = _mm256_set1_epi8(0x0f);
                    let t_lo = _mm256_broadcastsi128_si256(_mm_loadu_si128(TCHAR_LO.as_ptr().cast()));
                    let t_hi = _mm256_broadcastsi128_si256(_mm_loadu_si128(TCHAR_HI.as_ptr().cast()));
                    let lo = _mm256_shuffle_epi8(t_lo, _mm256_and_si256(v, nib));
                    let hi = _mm256_shuffle_epi8(t_hi, _mm256_and_si256(_mm256_srli_epi16(v, 4), nib));
                    _mm256_cmpeq_epi8(_mm256_and_si256(lo, hi), _mm256_setzero_si256())
                }
                PATH_END => {
                    let le20 = _mm256_cmpeq_epi8(_mm256_min_epu8(v, _mm256_set1_epi8(0x20)), v);
                    _mm256_or_si256(le20, _mm256_cmpeq_epi8(v, _mm256_set1_epi8(0x7f)))
                }
                VALUE_END => {
                    let lt20 = _mm256_cmpeq_epi8(_mm256_min_epu8(v, _mm256_set1_epi8(0x1f)), v);
                    let tab = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\t' as i8));
                    _mm256_or_si256(_mm256_andnot_si256(tab, lt20), _mm256_cmpeq_epi8(v, _mm256_set1_epi8(0x7f)))
                }
                _ => _mm256_or_si256(
                    _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\r' as i8)),
                    _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\n' as i8)),
                ),
            };
            _mm256_movemask_epi8(m) as u32 as u64
        }
    }
}

impl Vectors for Avx2 {
    #[inline(always)]
    unsafe fn mask16<const C: usize>(p: *const u8) -> u64 {
        // SAFETY: the caller guarantees 16 readable bytes; AVX2 CPUs have SSE4.2/SSSE3.
        unsafe { Sse42::mask16::<C>(p) }
    }

    #[inline(always)]
    unsafe fn mask<const C: usize>(p: *const u8) -> u64 {
        // SAFETY: the caller guarantees 64 readable bytes at p.
        unsafe { Self::mask32::<C>(p) | Self::mask32::<C>(p.add(32)) << 32 }
    }
}

// ---------------------------------------------------------------------------------------------
// 64 bytes, masked loads

struct Avx512;

impl Avx512 {
    #[inline(always)]
    unsafe fn classify<const C: usize>(v: __m512i) -> u64 {
        // SAFETY: AVX-512BW present (module doc).
        unsafe {
            match C {
                NON_TCHAR => {
                    let t_lo = _mm512_broadcast_i32x4(_mm_loadu_si128(TCHAR_LO.as_ptr().cast()));
                    let t_hi = _mm512_broadcast_i32x4(_mm_loadu_si128(TCHAR_HI.as_ptr().cast()));
                    let nib = _mm512_set1_epi8(0x0f);
                    let lo = _mm512_shuffle_epi8(t_lo, _mm512_and_si512(v, nib));
                    let hi = _mm512_shuffle_epi8(t_hi, _mm512_and_si512(_mm512_srli_epi16(v, 4), nib));
                    _mm512_testn_epi8_mask(lo, hi)
                }
                PATH_END => _mm512_cmple_epu8_mask(v, _mm512_set1_epi8(0x20)) | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(0x7f)),
                VALUE_END => {
                    let lt20 = _mm512_cmplt_epu8_mask(v, _mm512_set1_epi8(0x20));
                    let tab = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'\t' as i8));
                    (lt20 & !tab) | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(0x7f))
                }
                _ => _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'\r' as i8)) | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'\n' as i8)),
            }
        }
    }
}

impl Vectors for Avx512 {
    #[inline(always)]
    unsafe fn mask16<const C: usize>(p: *const u8) -> u64 {
        // SAFETY: the caller guarantees 16 readable bytes; AVX-512 CPUs have SSE4.2/SSSE3.
        unsafe { Sse42::mask16::<C>(p) }
    }

    #[inline(always)]
    unsafe fn mask<const C: usize>(p: *const u8) -> u64 {
        // SAFETY: the caller guarantees 64 readable bytes at p and AVX-512BW.
        unsafe { Self::classify::<C>(_mm512_loadu_si512(p.cast())) }
    }

    #[inline(always)]
    unsafe fn mask_tail<const C: usize>(buf: &[u8], blk: usize) -> u64 {
        let valid = (1u64 << (buf.len() - blk)) - 1;
        // SAFETY: only the lanes in `valid` are read, and they are inside the slice (masked-off
        // lanes of a masked load are not accessed and cannot fault).
        unsafe { Self::classify::<C>(_mm512_maskz_loadu_epi8(valid, buf.as_ptr().add(blk).cast())) & valid }
    }
}

// ---------------------------------------------------------------------------------------------
// Entry points: the whole parser, compiled once per level with that level's CPU features, so the
// scanners above inline into it.

macro_rules! entry_points {
    ($features:literal, $vec:ty, $req:ident, $resp:ident, $hdrs:ident, $scan_fns:ident) => {
        #[target_feature(enable = $features)]
        pub(super) fn $req<'b, H: super::HeaderSlot<'b>>(
            buf: &'b [u8],
            last_len: usize,
            out: &mut super::RequestLine<'b>,
            headers: &mut [H],
            num_headers: &mut usize,
        ) -> Result<usize, super::Stop> {
            super::parse_request_core::<Blocks<'b, $vec>, H>(buf, last_len, out, headers, num_headers)
        }

        #[target_feature(enable = $features)]
        pub(super) fn $resp<'b, H: super::HeaderSlot<'b>>(
            buf: &'b [u8],
            last_len: usize,
            out: &mut super::StatusLine<'b>,
            headers: &mut [H],
            num_headers: &mut usize,
        ) -> Result<usize, super::Stop> {
            super::parse_response_core::<Blocks<'b, $vec>, H>(buf, last_len, out, headers, num_headers)
        }

        #[target_feature(enable = $features)]
        pub(super) fn $hdrs<'b, H: super::HeaderSlot<'b>>(
            buf: &'b [u8],
            last_len: usize,
            headers: &mut [H],
            num_headers: &mut usize,
        ) -> Result<usize, super::Stop> {
            super::parse_headers_core::<Blocks<'b, $vec>, H>(buf, last_len, headers, num_headers)
        }

        /// The raw scanners of this level, for the tests that compare levels.
        #[cfg(test)]
        #[target_feature(enable = $features)]
        pub(super) fn $scan_fns(which: u8, buf: &[u8], pos: usize) -> usize {
            let mut s = <Blocks<'_, $vec> as Scan>::new(buf);
            match which {
                0 => s.non_tchar(pos),
                1 => s.path_end(pos),
                2 => s.value_end(pos),
                _ => s.eol_char(pos),
            }
        }
    };
}

entry_points!("sse2,ssse3,sse4.1,sse4.2,popcnt", Sse42, request_sse42, response_sse42, headers_sse42, scan_sse42);
entry_points!("avx2,bmi1,bmi2,lzcnt,popcnt", Avx2, request_avx2, response_avx2, headers_avx2, scan_avx2);
entry_points!(
    "avx512f,avx512bw,avx512vl,avx2,bmi1,bmi2,lzcnt,popcnt",
    Avx512,
    request_avx512,
    response_avx512,
    headers_avx512,
    scan_avx512
);
