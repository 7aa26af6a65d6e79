//! `Range: bytes=...` as 2.2.5's file handler reads it, and the `multipart/byteranges` framing of a
//! response with several ranges.
//!
//! 2.2.5's rules, kept: the value must start with `bytes=` (case-sensitive); ranges are separated by
//! commas with optional spaces/tabs; `a-b` is clamped to the file (`b` past the end means the end),
//! `a-` runs to the end, `-n` is the last `n` bytes (all of them when `n` is larger); a range that
//! starts at or after the end, `a-b` with `b < a`, and `-0` are dropped; a syntax error anywhere
//! rejects the whole header. Ranges are kept in request order, overlaps included. Unlike 2.2.5, an
//! empty file satisfies no range (2.2.5 answered `-n` on it with `bytes 0--1/0`).

/// One satisfiable range: `len` bytes from `start` (`len >= 1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ByteRange {
    pub start: u64,
    pub len: u64,
}

impl ByteRange {
    /// The last byte's offset.
    pub fn end(&self) -> u64 {
        self.start + self.len - 1
    }
}

/// The satisfiable ranges of `value` for a file of `size` bytes, in request order; `None` when the
/// header is malformed or no range is satisfiable (the caller answers 416).
pub fn parse(value: &[u8], size: u64) -> Option<Vec<ByteRange>> {
    let rest = value.strip_prefix(b"bytes=")?;
    let mut p = 0;
    let end = rest.len();
    if p == end {
        return None;
    }
    let mut out = Vec::new();
    let mut needs_comma = false;
    // Skips spaces and tabs; as in 2.2.5, whitespace that runs to the end of the value is an error.
    let skip_ws = |p: &mut usize| -> Option<()> {
        while *p < end && matches!(rest[*p], b' ' | b'\t') {
            *p += 1;
            if *p == end {
                return None;
            }
        }
        Some(())
    };
    loop {
        // commas (and the whitespace after each) before the next range
        while p < end && rest[p] == b',' {
            needs_comma = false;
            p += 1;
            skip_ws(&mut p)?;
        }
        if p == end {
            break;
        }
        if needs_comma {
            return None;
        }
        let range = if let Some((first, used)) = crate::strings::strtosizefwd(&rest[p..]) {
            p += used;
            if p == end || rest[p] != b'-' {
                return None;
            }
            p += 1;
            let last = crate::strings::strtosizefwd(&rest[p..]).map(|(v, used)| {
                p += used;
                v as u64
            });
            let first = first as u64;
            match last {
                _ if first >= size => None,
                Some(last) => {
                    let last = last.min(size - 1);
                    (first <= last).then(|| ByteRange { start: first, len: last - first + 1 })
                }
                None => Some(ByteRange { start: first, len: size - first }),
            }
        } else if rest[p] == b'-' {
            p += 1;
            let (n, used) = crate::strings::strtosizefwd(&rest[p..])?;
            p += used;
            let n = (n as u64).min(size);
            (n != 0).then(|| ByteRange { start: size - n, len: n })
        } else {
            return None;
        };
        if let Some(r) = range {
            out.push(r);
        }
        if p != end {
            skip_ws(&mut p)?;
        }
        needs_comma = true;
        if p >= end {
            break;
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The head of part `index` of a `multipart/byteranges` body: a CRLF before every part but the
/// first, the boundary line, Content-Type and Content-Range, and the empty line.
pub fn part_head(index: usize, boundary: &[u8], mime: &[u8], r: &ByteRange, size: u64) -> Vec<u8> {
    let mut h = Vec::with_capacity(96 + boundary.len() + mime.len());
    if index != 0 {
        h.extend_from_slice(b"\r\n");
    }
    h.extend_from_slice(b"--");
    h.extend_from_slice(boundary);
    h.extend_from_slice(b"\r\nContent-Type: ");
    h.extend_from_slice(mime);
    h.extend_from_slice(format!("\r\nContent-Range: bytes {}-{}/{}\r\n\r\n", r.start, r.end(), size).as_bytes());
    h
}

/// The closing delimiter of a `multipart/byteranges` body.
pub fn closing(boundary: &[u8]) -> Vec<u8> {
    let mut c = Vec::with_capacity(boundary.len() + 8);
    c.extend_from_slice(b"\r\n--");
    c.extend_from_slice(boundary);
    c.extend_from_slice(b"--\r\n");
    c
}

/// The exact length of the `multipart/byteranges` body for `ranges`.
pub fn multipart_len(ranges: &[ByteRange], boundary: &[u8], mime: &[u8], size: u64) -> u64 {
    let heads: u64 = ranges.iter().enumerate().map(|(i, r)| part_head(i, boundary, mime, r, size).len() as u64 + r.len).sum();
    heads + closing(boundary).len() as u64
}

/// A boundary of 20 letters and digits, as 2.2.5 makes them (from a per-thread generator seeded
/// once from the clock and the thread's stack address; it needs to be unpredictable enough not to
/// occur in the file, not secret).
pub fn boundary() -> [u8; 20] {
    const ALNUM: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    thread_local! {
        static STATE: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }
    STATE.with(|s| {
        let mut x = s.get();
        if x == 0 {
            let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
            // SAFETY: a valid out-pointer.
            unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) };
            let local = 0u8;
            x = (ts.tv_sec as u64).wrapping_mul(1_000_000_007) ^ (ts.tv_nsec as u64) ^ ((&raw const local) as u64).rotate_left(32) | 1;
        }
        let mut out = [0u8; 20];
        for b in &mut out {
            // xorshift64*
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            *b = ALNUM[(x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 58) as usize % 62];
        }
        s.set(x);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(start: u64, len: u64) -> ByteRange {
        ByteRange { start, len }
    }

    #[test]
    fn single_ranges() {
        assert_eq!(parse(b"bytes=0-9", 100), Some(vec![r(0, 10)]));
        assert_eq!(parse(b"bytes=95-", 100), Some(vec![r(95, 5)]));
        assert_eq!(parse(b"bytes=-5", 100), Some(vec![r(95, 5)]));
        assert_eq!(parse(b"bytes=-500", 100), Some(vec![r(0, 100)]));
        assert_eq!(parse(b"bytes=0-200", 100), Some(vec![r(0, 100)]));
        assert_eq!(parse(b"bytes=99-99", 100), Some(vec![r(99, 1)]));
    }

    #[test]
    fn unsatisfiable_or_malformed() {
        for v in [&b"bytes=200-300"[..], b"bytes=5-2", b"bytes=-0", b"items=0-9", b"bytes=", b"Bytes=0-1", b"bytes=x", b"bytes=0", b"bytes=1-2 3-4", b"bytes=0-1, "] {
            assert_eq!(parse(v, 100), None, "{}", String::from_utf8_lossy(v));
        }
        assert_eq!(parse(b"bytes=-5", 0), None);
        assert_eq!(parse(b"bytes=0-", 0), None);
    }

    #[test]
    fn several_ranges() {
        assert_eq!(parse(b"bytes=0-0,5-9,-3", 100), Some(vec![r(0, 1), r(5, 5), r(97, 3)]));
        assert_eq!(parse(b"bytes=0-9, 20-29", 100), Some(vec![r(0, 10), r(20, 10)]));
        // unsatisfiable ranges are dropped, the rest kept
        assert_eq!(parse(b"bytes=0-9,200-300", 100), Some(vec![r(0, 10)]));
        // empty list elements are allowed
        assert_eq!(parse(b"bytes=,0-1,,2-3", 100), Some(vec![r(0, 2), r(2, 2)]));
        assert_eq!(parse(b"bytes=0-1\t,\t2-3", 100), Some(vec![r(0, 2), r(2, 2)]));
        assert_eq!(parse(b"bytes=0-1,", 100), Some(vec![r(0, 2)]));
    }

    #[test]
    fn multipart_length_is_exact() {
        let ranges = [r(0, 1), r(5, 5), r(97, 3)];
        let b = b"tzxlYvKWrO72tK0LK0e1";
        let mut body = Vec::new();
        for (i, x) in ranges.iter().enumerate() {
            body.extend(part_head(i, b, b"text/plain", x, 100));
            body.extend(std::iter::repeat_n(b'x', x.len as usize));
        }
        body.extend(closing(b));
        // the length Debian's 2.2.5 sends for this request on a 100-byte text/plain file
        assert_eq!(body.len(), 289);
        assert_eq!(multipart_len(&ranges, b, b"text/plain", 100), 289);
        assert!(body.starts_with(b"--tzxlYvKWrO72tK0LK0e1\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-0/100\r\n\r\nx\r\n--"));
    }

    #[test]
    fn boundaries_are_alphanumeric_and_vary() {
        let a = boundary();
        let b = boundary();
        assert!(a.iter().all(u8::is_ascii_alphanumeric));
        assert_ne!(a, b);
    }
}
