//! x86_64 SIMD scanners: 16-byte (SSE4.2-class), 32-byte (AVX2) and 64-byte (AVX-512BW).
//!
//! Each scanner classifies a whole vector of bytes at once and returns the first index of the
//! class with a trailing-zero count on the compare mask. Byte classes:
//! - control/DEL classes use unsigned compares (`min(v, k) == v` means `v <= k`);
//! - `tchar` uses two 16-entry nibble tables with `pshufb`: `lo[c & 15] & hi[c >> 4]` is non-zero
//!   exactly for the `tchar` bytes (bit `h` of `lo[l]` says whether byte `h<<4 | l` is a tchar).
//!
//! Reads never leave the slice: full-width loads only where `pos + W <= len`; the last partial vector
//! is a load that ends exactly at `len` (overlapping bytes already checked are masked off), or, for
//! AVX-512, a masked load whose masked-off lanes are not accessed. Buffers shorter than one vector
//! fall back to the scalar code.
//!
//! These types are private to this module: their methods are only sound when inlined into the
//! `#[target_feature]` entry points at the bottom, which the dispatcher calls only after checking
//! the CPU (see `SimdLevel::is_supported`).

use core::arch::x86_64::*;

use super::scan::{Scalar, Scan, TCHAR};

// `Scalar` is named by `scan_with_vectors!` for buffers shorter than one vector.
const _: fn(&[u8], usize) -> usize = <Scalar as Scan>::non_tchar;

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

macro_rules! scan_with_vectors {
    // $w: vector width in bytes; $m: mask type; $mask: closure-like macro giving the class mask of
    // the vector loaded from a pointer.
    ($buf:ident, $pos:ident, $w:expr, $mask:ident) => {{
        let len = $buf.len();
        let ptr = $buf.as_ptr();
        let mut pos = $pos;
        while pos + $w <= len {
            // SAFETY: pos + W <= len, so the W bytes read are inside the slice.
            let m = unsafe { $mask(ptr.add(pos)) };
            if m != 0 {
                return pos + m.trailing_zeros() as usize;
            }
            pos += $w;
        }
        if pos == len {
            return len;
        }
        if len < $w {
            return <Scalar as Scan>::$mask(&$buf, pos);
        }
        // Last partial vector: load the W bytes that end at `len`, drop lanes before `pos`.
        let start = len - $w;
        // SAFETY: start + W == len, inside the slice.
        let m = unsafe { $mask(ptr.add(start)) } >> (pos - start);
        if m != 0 { pos + m.trailing_zeros() as usize } else { len }
    }};
}

// ---------------------------------------------------------------------------------------------
// 16 bytes

pub(super) struct Sse42;

#[inline(always)]
unsafe fn sse_load(p: *const u8) -> __m128i {
    // SAFETY: the caller guarantees 16 readable bytes at p; loadu has no alignment requirement.
    unsafe { _mm_loadu_si128(p.cast()) }
}

#[allow(non_snake_case)]
mod sse_masks {
    use super::*;
    #[inline(always)]
    pub(super) unsafe fn non_tchar(p: *const u8) -> u32 {
        // SAFETY: caller: 16 readable bytes; SSSE3 present (checked by the dispatcher).
        unsafe {
            let v = sse_load(p);
            let lo_t = _mm_loadu_si128(TCHAR_LO.as_ptr().cast());
            let hi_t = _mm_loadu_si128(TCHAR_HI.as_ptr().cast());
            let nib = _mm_set1_epi8(0x0f);
            let lo = _mm_shuffle_epi8(lo_t, _mm_and_si128(v, nib));
            let hi = _mm_shuffle_epi8(hi_t, _mm_and_si128(_mm_srli_epi16(v, 4), nib));
            let is_t = _mm_and_si128(lo, hi);
            _mm_movemask_epi8(_mm_cmpeq_epi8(is_t, _mm_setzero_si128())) as u32
        }
    }
    #[inline(always)]
    pub(super) unsafe fn path_end(p: *const u8) -> u32 {
        // SAFETY: caller: 16 readable bytes.
        unsafe {
            let v = sse_load(p);
            let le20 = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x20)), v);
            let del = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f));
            _mm_movemask_epi8(_mm_or_si128(le20, del)) as u32
        }
    }
    #[inline(always)]
    pub(super) unsafe fn value_end(p: *const u8) -> u32 {
        // SAFETY: caller: 16 readable bytes.
        unsafe {
            let v = sse_load(p);
            let lt20 = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
            let tab = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\t' as i8));
            let del = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f));
            _mm_movemask_epi8(_mm_or_si128(_mm_andnot_si128(tab, lt20), del)) as u32
        }
    }
    #[inline(always)]
    pub(super) unsafe fn eol_char(p: *const u8) -> u32 {
        // SAFETY: caller: 16 readable bytes.
        unsafe {
            let v = sse_load(p);
            let cr = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\r' as i8));
            let lf = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8));
            _mm_movemask_epi8(_mm_or_si128(cr, lf)) as u32
        }
    }
}

macro_rules! impl_scan {
    ($ty:ident, $w:expr, $masks:ident) => {
        impl Scan for $ty {
            #[inline(always)]
            fn non_tchar(buf: &[u8], pos: usize) -> usize {
                use $masks::non_tchar;
                scan_with_vectors!(buf, pos, $w, non_tchar)
            }
            #[inline(always)]
            fn path_end(buf: &[u8], pos: usize) -> usize {
                use $masks::path_end;
                scan_with_vectors!(buf, pos, $w, path_end)
            }
            #[inline(always)]
            fn value_end(buf: &[u8], pos: usize) -> usize {
                use $masks::value_end;
                scan_with_vectors!(buf, pos, $w, value_end)
            }
            #[inline(always)]
            fn eol_char(buf: &[u8], pos: usize) -> usize {
                use $masks::eol_char;
                scan_with_vectors!(buf, pos, $w, eol_char)
            }
        }
    };
}

impl_scan!(Sse42, 16, sse_masks);

// ---------------------------------------------------------------------------------------------
// 32 bytes

pub(super) struct Avx2;

#[inline(always)]
unsafe fn avx_load(p: *const u8) -> __m256i {
    // SAFETY: the caller guarantees 32 readable bytes at p.
    unsafe { _mm256_loadu_si256(p.cast()) }
}

mod avx2_masks {
    use super::*;
    #[inline(always)]
    unsafe fn table(t: &[u8; 16]) -> __m256i {
        // SAFETY: reads 16 bytes of a 16-byte array.
        unsafe { _mm256_broadcastsi128_si256(_mm_loadu_si128(t.as_ptr().cast())) }
    }
    #[inline(always)]
    pub(super) unsafe fn non_tchar(p: *const u8) -> u32 {
        // SAFETY: caller: 32 readable bytes; AVX2 present (checked by the dispatcher).
        unsafe {
            let v = avx_load(p);
            let nib = _mm256_set1_epi8(0x0f);
            let lo = _mm256_shuffle_epi8(table(&TCHAR_LO), _mm256_and_si256(v, nib));
            let hi = _mm256_shuffle_epi8(table(&TCHAR_HI), _mm256_and_si256(_mm256_srli_epi16(v, 4), nib));
            let is_t = _mm256_and_si256(lo, hi);
            _mm256_movemask_epi8(_mm256_cmpeq_epi8(is_t, _mm256_setzero_si256())) as u32
        }
    }
    #[inline(always)]
    pub(super) unsafe fn path_end(p: *const u8) -> u32 {
        // SAFETY: caller: 32 readable bytes.
        unsafe {
            let v = avx_load(p);
            let le20 = _mm256_cmpeq_epi8(_mm256_min_epu8(v, _mm256_set1_epi8(0x20)), v);
            let del = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(0x7f));
            _mm256_movemask_epi8(_mm256_or_si256(le20, del)) as u32
        }
    }
    #[inline(always)]
    pub(super) unsafe fn value_end(p: *const u8) -> u32 {
        // SAFETY: caller: 32 readable bytes.
        unsafe {
            let v = avx_load(p);
            let lt20 = _mm256_cmpeq_epi8(_mm256_min_epu8(v, _mm256_set1_epi8(0x1f)), v);
            let tab = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\t' as i8));
            let del = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(0x7f));
            _mm256_movemask_epi8(_mm256_or_si256(_mm256_andnot_si256(tab, lt20), del)) as u32
        }
    }
    #[inline(always)]
    pub(super) unsafe fn eol_char(p: *const u8) -> u32 {
        // SAFETY: caller: 32 readable bytes.
        unsafe {
            let v = avx_load(p);
            let cr = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\r' as i8));
            let lf = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\n' as i8));
            _mm256_movemask_epi8(_mm256_or_si256(cr, lf)) as u32
        }
    }
}

impl_scan!(Avx2, 32, avx2_masks);

// ---------------------------------------------------------------------------------------------
// 64 bytes, masked loads

pub(super) struct Avx512;

mod avx512_masks {
    use super::*;

    /// Loads the bytes of `buf[pos..]` that fit in 64 lanes; lanes past the end are zero and are
    /// never read (AVX-512 masked loads suppress faults on masked-off lanes). Returns the vector
    /// and the mask of valid lanes.
    #[inline(always)]
    pub(super) unsafe fn load(buf: &[u8], pos: usize) -> (__m512i, u64) {
        let n = buf.len() - pos;
        let valid = if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
        // SAFETY: only lanes in `valid` are read, and those are inside the slice.
        let v = unsafe { _mm512_maskz_loadu_epi8(valid, buf.as_ptr().add(pos).cast()) };
        (v, valid)
    }
    #[inline(always)]
    pub(super) unsafe fn non_tchar(v: __m512i) -> u64 {
        // SAFETY: AVX-512BW present (checked by the dispatcher).
        unsafe {
            let t_lo = _mm512_broadcast_i32x4(_mm_loadu_si128(TCHAR_LO.as_ptr().cast()));
            let t_hi = _mm512_broadcast_i32x4(_mm_loadu_si128(TCHAR_HI.as_ptr().cast()));
            let nib = _mm512_set1_epi8(0x0f);
            let lo = _mm512_shuffle_epi8(t_lo, _mm512_and_si512(v, nib));
            let hi = _mm512_shuffle_epi8(t_hi, _mm512_and_si512(_mm512_srli_epi16(v, 4), nib));
            _mm512_testn_epi8_mask(lo, hi)
        }
    }
    #[inline(always)]
    pub(super) unsafe fn path_end(v: __m512i) -> u64 {
        // SAFETY: AVX-512BW present.
        unsafe { _mm512_cmple_epu8_mask(v, _mm512_set1_epi8(0x20)) | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(0x7f)) }
    }
    #[inline(always)]
    pub(super) unsafe fn value_end(v: __m512i) -> u64 {
        // SAFETY: AVX-512BW present.
        unsafe {
            let lt20 = _mm512_cmplt_epu8_mask(v, _mm512_set1_epi8(0x20));
            let tab = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'\t' as i8));
            (lt20 & !tab) | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(0x7f))
        }
    }
    #[inline(always)]
    pub(super) unsafe fn eol_char(v: __m512i) -> u64 {
        // SAFETY: AVX-512BW present.
        unsafe {
            _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'\r' as i8)) | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'\n' as i8))
        }
    }
}

macro_rules! scan_masked {
    ($buf:ident, $pos:ident, $f:ident) => {{
        let mut pos = $pos;
        while pos < $buf.len() {
            // SAFETY: masked load within the slice; AVX-512BW checked by the dispatcher.
            let m = unsafe {
                let (v, valid) = avx512_masks::load($buf, pos);
                avx512_masks::$f(v) & valid
            };
            if m != 0 {
                return pos + m.trailing_zeros() as usize;
            }
            pos += 64;
        }
        $buf.len()
    }};
}

impl Scan for Avx512 {
    #[inline(always)]
    fn non_tchar(buf: &[u8], pos: usize) -> usize {
        scan_masked!(buf, pos, non_tchar)
    }
    #[inline(always)]
    fn path_end(buf: &[u8], pos: usize) -> usize {
        scan_masked!(buf, pos, path_end)
    }
    #[inline(always)]
    fn value_end(buf: &[u8], pos: usize) -> usize {
        scan_masked!(buf, pos, value_end)
    }
    #[inline(always)]
    fn eol_char(buf: &[u8], pos: usize) -> usize {
        scan_masked!(buf, pos, eol_char)
    }
}

// ---------------------------------------------------------------------------------------------
// Entry points: the whole parser, compiled once per level with that level's CPU features, so the
// scanners above inline into it.

macro_rules! entry_points {
    ($features:literal, $scan:ty, $req:ident, $resp:ident, $hdrs:ident, $scan_fns:ident) => {
        #[target_feature(enable = $features)]
        pub(super) fn $req<'b, H: super::HeaderSlot<'b>>(
            buf: &'b [u8],
            last_len: usize,
            out: &mut super::RequestLine<'b>,
            headers: &mut [H],
            num_headers: &mut usize,
        ) -> Result<usize, super::Stop> {
            super::parse_request_core::<$scan, H>(buf, last_len, out, headers, num_headers)
        }

        #[target_feature(enable = $features)]
        pub(super) fn $resp<'b, H: super::HeaderSlot<'b>>(
            buf: &'b [u8],
            last_len: usize,
            out: &mut super::StatusLine<'b>,
            headers: &mut [H],
            num_headers: &mut usize,
        ) -> Result<usize, super::Stop> {
            super::parse_response_core::<$scan, H>(buf, last_len, out, headers, num_headers)
        }

        #[target_feature(enable = $features)]
        pub(super) fn $hdrs<'b, H: super::HeaderSlot<'b>>(
            buf: &'b [u8],
            last_len: usize,
            headers: &mut [H],
            num_headers: &mut usize,
        ) -> Result<usize, super::Stop> {
            super::parse_headers_core::<$scan, H>(buf, last_len, headers, num_headers)
        }

        /// The raw scanners of this level, for the tests that compare levels.
        #[cfg(test)]
        #[target_feature(enable = $features)]
        pub(super) fn $scan_fns(which: u8, buf: &[u8], pos: usize) -> usize {
            match which {
                0 => <$scan>::non_tchar(buf, pos),
                1 => <$scan>::path_end(buf, pos),
                2 => <$scan>::value_end(buf, pos),
                _ => <$scan>::eol_char(buf, pos),
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
