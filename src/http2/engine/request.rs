//! Request head validation (RFC 9113 8.2 and 8.3) while the HPACK decoder emits fields.

use super::{RequestHead, AUTHORITY, METHOD, PATH, SCHEME};
use crate::http2::scheduler::parse_priority_field;

/// Why a request (or trailer) field section is malformed: a stream error of type PROTOCOL_ERROR.
pub(super) type Malformed = &'static str;

const HAVE_METHOD: u8 = 1;
const HAVE_SCHEME: u8 = 2;
const HAVE_AUTHORITY: u8 = 4;
const HAVE_PATH: u8 = 8;

/// RFC 9113 8.2.1: a field name has no character in 0x00-0x20, 'A'-'Z', 0x7f-0xff, and no colon
/// (the leading colon of a pseudo-header is stripped before this check).
#[inline]
fn valid_name(name: &[u8]) -> bool {
    // Folded without early exit so that it vectorizes (names are short and almost always fine).
    !name.is_empty() && name.iter().fold(true, |ok, &c| ok & (c > 0x20) & (c < 0x7f) & !c.is_ascii_uppercase() & (c != b':'))
}

/// RFC 9113 8.2.1: a field value has no NUL, CR or LF, and no leading or trailing SP / HTAB.
#[inline]
fn valid_value(value: &[u8]) -> bool {
    if let (Some(&first), Some(&last)) = (value.first(), value.last())
        && (first == b' ' || first == b'\t' || last == b' ' || last == b'\t')
    {
        return false;
    }
    // Eight bytes at a time: a word with no byte below 0x0e has none of NUL / CR / LF; only a
    // word with one (HTAB, or a bad byte) is looked at byte by byte.
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let bad = |w: &[u8]| w.iter().any(|&c| c == 0 || c == b'\r' || c == b'\n');
    let mut words = value.chunks_exact(8);
    for w in &mut words {
        let x = u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
        // "has a byte below 0x0e" (exact for every byte value)
        if x.wrapping_sub(ONES * 0x0e) & !x & HIGH != 0 && bad(w) {
            return false;
        }
    }
    !bad(words.remainder())
}

/// RFC 9113 8.2.2: fields that only make sense for one HTTP/1.1 connection.
#[inline]
fn connection_specific(name: &[u8]) -> bool {
    matches!(name, b"connection" | b"keep-alive" | b"proxy-connection" | b"transfer-encoding" | b"upgrade")
}

/// Builds a [`RequestHead`] from the decoded fields, checking each as it comes.
pub(super) struct RequestBuilder {
    pub head: RequestHead,
    have: u8,
    regular_seen: bool,
    /// RFC 9218 `priority` field(s), folded in order.
    pub priority: Option<(u8, bool)>,
}

impl RequestBuilder {
    /// A builder filling `head` (emptied first; a recycled one keeps its buffers).
    pub fn new(mut head: RequestHead) -> Self {
        head.clear();
        if head.fields.capacity() == 0 {
            // Room for a browser's usual dozen fields and their strings without regrowing.
            head.fields.reserve(16);
            head.buf.reserve(512);
        }
        RequestBuilder { head, have: 0, regular_seen: false, priority: None }
    }

    /// One field of the request head, in order.
    pub fn field(&mut self, name: &[u8], value: &[u8]) -> Result<(), Malformed> {
        if !valid_value(value) {
            return Err("invalid field value");
        }
        if let Some(pseudo) = name.strip_prefix(b":") {
            if self.regular_seen {
                return Err("pseudo-header after a regular field");
            }
            let (bit, slot) = match pseudo {
                b"method" => (HAVE_METHOD, METHOD),
                b"scheme" => (HAVE_SCHEME, SCHEME),
                b"authority" => (HAVE_AUTHORITY, AUTHORITY),
                b"path" => (HAVE_PATH, PATH),
                _ => return Err("unknown or response pseudo-header"),
            };
            if self.have & bit != 0 {
                return Err("duplicated pseudo-header");
            }
            self.have |= bit;
            self.head.set_pseudo(slot, value);
            return Ok(());
        }
        self.regular_seen = true;
        if !valid_name(name) {
            return Err("invalid field name");
        }
        if connection_specific(name) {
            return Err("connection-specific field");
        }
        match name {
            b"te" if !value.eq_ignore_ascii_case(b"trailers") => return Err("TE other than trailers"),
            b"content-length" => {
                // 1 to 19 digits, nothing else (h2o_strtosize's rule)
                let n = crate::strings::strtosize(value).ok_or("invalid content-length")? as u64;
                if self.head.content_length.is_some_and(|old| old != n) {
                    return Err("conflicting content-length");
                }
                self.head.content_length = Some(n);
            }
            b"priority" => {
                self.priority = Some(parse_priority_field(value, self.priority.unwrap_or((3, false))));
            }
            _ => {}
        }
        self.head.push_field(name, value);
        Ok(())
    }

    /// The checks on the whole section (RFC 9113 8.3.1, 8.5).
    pub fn finish(&self) -> Result<(), Malformed> {
        if self.have & HAVE_METHOD == 0 {
            return Err(":method missing");
        }
        if self.head.method() == b"CONNECT" {
            if self.have & (HAVE_SCHEME | HAVE_PATH) != 0 {
                return Err(":scheme or :path in CONNECT");
            }
            if self.have & HAVE_AUTHORITY == 0 {
                return Err(":authority missing in CONNECT");
            }
            return Ok(());
        }
        if self.have & HAVE_SCHEME == 0 {
            return Err(":scheme missing");
        }
        if self.have & HAVE_PATH == 0 || self.head.path().is_empty() {
            return Err(":path missing or empty");
        }
        Ok(())
    }
}

/// A trailer field: the same name / value rules, no pseudo-headers, no connection-specific
/// fields (the fields themselves are dropped).
pub(super) fn trailer_field(name: &[u8], value: &[u8]) -> Result<(), Malformed> {
    if !valid_value(value) {
        return Err("invalid field value");
    }
    if name.first() == Some(&b':') {
        return Err("pseudo-header in trailers");
    }
    if !valid_name(name) {
        return Err("invalid field name");
    }
    if connection_specific(name) {
        return Err("connection-specific field");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::valid_value;

    /// The word-at-a-time check agrees with the byte-by-byte definition, whatever the position
    /// of a bad or borderline byte.
    #[test]
    fn values_checked_by_words_as_by_bytes() {
        let plain = |v: &[u8]| {
            let blank = |c: &u8| *c == b' ' || *c == b'\t';
            !(v.first().is_some_and(blank) || v.last().is_some_and(blank) || v.iter().any(|&c| c == 0 || c == b'\r' || c == b'\n'))
        };
        for len in 0..40 {
            for pos in 0..len {
                for special in [0u8, b'\r', b'\n', b'\t', 0x0d - 1, 0x0e, 0x0b, 0x80, 0xff, b' ', 0x8d, 0x8a] {
                    let mut v = vec![b'a'; len];
                    v[pos] = special;
                    assert_eq!(valid_value(&v), plain(&v), "{v:?}");
                    v.iter_mut().skip(pos + 1).for_each(|c| *c = 0x81);
                    assert_eq!(valid_value(&v), plain(&v), "{v:?}");
                }
            }
        }
    }
}
