//! Validators of a file response: the ETag and Last-Modified values 2.2.5 sends, and the
//! conditional request headers If-None-Match and If-Modified-Since.
//!
//! As in 2.2.5: the ETag is `"<mtime as 8+ hex digits>-<size in hex>"`; If-None-Match, when
//! present, decides alone (If-Modified-Since is then ignored); If-Modified-Since must be an exact
//! RFC 1123 date (29 bytes, `GMT`) and means "not modified" unless it is earlier than the file's
//! modification time (compared field by field, to the second).
//!
//! Better than 2.2.5 (which compared the whole header byte for byte with its ETag): If-None-Match is
//! read as RFC 7232 asks, a list of entity tags compared weakly (`W/"x"` matches `"x"`), or `*`.

use crate::core::time::Tm;
pub use crate::core::time::parse_rfc1123;

/// `"%08x-%zx"` of the modification time (truncated to 32 bits, as 2.2.5's `(unsigned)` cast) and
/// the size, quoted.
pub fn etag(mtime: i64, size: u64) -> Vec<u8> {
    format!("\"{:08x}-{:x}\"", mtime as u32, size).into_bytes()
}

/// The UTC broken-down time of `t` (seconds since the epoch), and its RFC 1123 string.
pub fn last_modified(t: i64) -> (Tm, [u8; 29]) {
    // SAFETY: all-zero is a valid tm; valid pointers.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let tt = t as libc::time_t;
    // SAFETY: valid pointers; gmtime_r only writes `tm`.
    unsafe { libc::gmtime_r(&tt, &mut tm) };
    let s = crate::core::time::rfc1123(&tm);
    let mut out = [b' '; 29];
    let n = s.len().min(29);
    out[..n].copy_from_slice(&s.as_bytes()[..n]);
    ([tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec], out)
}

/// Whether an If-None-Match value matches the entity tag `etag` (a quoted strong tag): `*`, or
/// any element of the comma-separated list equal to it when the `W/` prefixes are ignored.
pub fn none_match(value: &[u8], etag: &[u8]) -> bool {
    let opaque = |t: &[u8]| -> Vec<u8> { t.strip_prefix(b"W/").unwrap_or(t).to_vec() };
    let want = opaque(etag);
    let mut rest = value;
    loop {
        let start = rest.iter().position(|&c| !matches!(c, b' ' | b'\t' | b',')).unwrap_or(rest.len());
        rest = &rest[start..];
        if rest.is_empty() {
            return false;
        }
        if rest[0] == b'*' {
            return true;
        }
        // one entity tag: an optional W/, then a quoted string (no escapes in entity tags)
        let body = rest.strip_prefix(b"W/").unwrap_or(rest);
        let taglen = if body.first() == Some(&b'"') {
            body[1..].iter().position(|&c| c == b'"').map(|q| q + 2).unwrap_or(body.len())
        } else {
            body.iter().position(|&c| c == b',').unwrap_or(body.len())
        };
        let used = rest.len() - body.len() + taglen;
        if opaque(&rest[..used]) == want {
            return true;
        }
        rest = &rest[used..];
    }
}

/// Whether the file (modified at `mtime`) counts as not modified since `since` (2.2.5: unless
/// `since` is earlier).
pub fn not_modified_since(since: &Tm, mtime: &Tm) -> bool {
    since >= mtime
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_format_is_2_2_5s() {
        // seen from Debian's 2.2.5 for a 100-byte file modified at 2020-01-02 03:04:05 UTC
        assert_eq!(etag(1577934245, 100), b"\"5e0d5da5-64\"");
        assert_eq!(etag(5, 0), b"\"00000005-0\"");
    }

    #[test]
    fn last_modified_strings() {
        let (tm, s) = last_modified(1577934245);
        assert_eq!(&s, b"Thu, 02 Jan 2020 03:04:05 GMT");
        assert_eq!(tm, [120, 0, 2, 3, 4, 5]);
        assert_eq!(parse_rfc1123(&s), Some(tm));
    }


    #[test]
    fn if_modified_since_comparison() {
        let m = [120, 0, 2, 3, 4, 5];
        assert!(not_modified_since(&[120, 0, 2, 3, 4, 5], &m));
        assert!(not_modified_since(&[121, 0, 1, 0, 0, 0], &m));
        assert!(!not_modified_since(&[120, 0, 2, 3, 4, 4], &m));
    }

    #[test]
    fn if_none_match_lists() {
        let e = b"\"5e0d5da5-64\"";
        assert!(none_match(b"\"5e0d5da5-64\"", e));
        assert!(none_match(b"W/\"5e0d5da5-64\"", e));
        assert!(none_match(b"\"x\", \"5e0d5da5-64\"", e));
        assert!(none_match(b"\"x\",W/\"5e0d5da5-64\" ", e));
        assert!(none_match(b"*", e));
        assert!(!none_match(b"\"5e0d5da5-65\"", e));
        assert!(!none_match(b"", e));
        assert!(!none_match(b"5e0d5da5-64", e));
        assert!(!none_match(b"\"5e0d5da5-64", e));
    }
}
