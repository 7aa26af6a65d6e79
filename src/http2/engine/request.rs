//! Request head validation (RFC 9113 8.2 and 8.3) while the HPACK decoder emits fields.

use super::{RequestHead, AUTHORITY, METHOD, PATH, SCHEME};
use crate::hpack::{FieldFlags, NameFrom};
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

/// The tags [`RequestBuilder::field_tagged`] keeps on the decoder's dynamic table entries
/// ([`crate::hpack::Decoder::decode_tagged`]): what the checks found about the entry's name (and
/// value), so that a field taking its name from the entry (most of a request head, from the
/// second request on) is not checked and matched again. Set:
const TAG_SET: u32 = 1 << 31;
/// The entry's value passed [`valid_value`].
const TAG_VALUE_OK: u32 = 1 << 30;
/// Low byte: the name's class: `1 + slot` for the pseudo-headers (`METHOD`..`PATH`), or
/// [`CLASS_PLAIN`]: a valid regular name with no meaning to the checks (not te, content-length,
/// priority, nor connection-specific). Other names get no tag and are checked every time.
const CLASS_PLAIN: u32 = 8;
// `pseudo` takes `1 << slot` as the slot's HAVE_ bit.
const _: () = assert!(
    HAVE_METHOD == 1 << METHOD && HAVE_SCHEME == 1 << SCHEME && HAVE_AUTHORITY == 1 << AUTHORITY && HAVE_PATH == 1 << PATH
);

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
    #[cfg(test)]
    pub fn field(&mut self, name: &[u8], value: &[u8]) -> Result<(), Malformed> {
        self.field_tagged(name, value, FieldFlags::default()).map(drop)
    }

    /// A pseudo-header's value (checked) into `slot`.
    #[inline]
    fn pseudo(&mut self, slot: usize, value: &[u8]) -> Result<u32, Malformed> {
        if self.regular_seen {
            return Err("pseudo-header after a regular field");
        }
        let bit = 1 << slot;
        if self.have & bit != 0 {
            return Err("duplicated pseudo-header");
        }
        self.have |= bit;
        self.head.set_pseudo(slot, value);
        Ok(TAG_SET | TAG_VALUE_OK | (1 + slot as u32))
    }

    /// One field of the request head, in order, as the HPACK decoder hands it over; returns the
    /// tag for the field's dynamic table entry if the decoder adds one (see [`TAG_SET`]).
    #[inline]
    pub fn field_tagged(&mut self, name: &[u8], value: &[u8], flags: FieldFlags) -> Result<u32, Malformed> {
        if let NameFrom::Dynamic(tag) = flags.name_from
            && tag & TAG_SET != 0
        {
            // The name was checked when its entry was added; the value too if it is the entry's.
            let value_known = flags.value_indexed && tag & TAG_VALUE_OK != 0;
            if !(value_known || valid_value(value)) {
                return Err("invalid field value");
            }
            let class = tag & 0xff;
            if class == CLASS_PLAIN {
                self.regular_seen = true;
                self.head.push_field(name, value);
                return Ok(tag | TAG_VALUE_OK);
            }
            return self.pseudo(class as usize - 1, value);
        }
        if !valid_value(value) {
            return Err("invalid field value");
        }
        if let Some(pseudo) = name.strip_prefix(b":") {
            let slot = match pseudo {
                b"method" => METHOD,
                b"scheme" => SCHEME,
                b"authority" => AUTHORITY,
                b"path" => PATH,
                _ => return Err("unknown or response pseudo-header"),
            };
            return self.pseudo(slot, value);
        }
        self.regular_seen = true;
        if !valid_name(name) {
            return Err("invalid field name");
        }
        if connection_specific(name) {
            return Err("connection-specific field");
        }
        match name {
            b"te" => {
                if !value.eq_ignore_ascii_case(b"trailers") {
                    return Err("TE other than trailers");
                }
            }
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
            _ => {
                self.head.push_field(name, value);
                return Ok(TAG_SET | TAG_VALUE_OK | CLASS_PLAIN);
            }
        }
        self.head.push_field(name, value);
        Ok(0)
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
    use super::{valid_value, RequestBuilder};
    use crate::hpack::{Decoder, Encoder, Indexing};
    use crate::http2::engine::RequestHead;

    /// Requests decoded with the tags (names and values from dynamic entries not checked again)
    /// are accepted or refused exactly as when every field is checked, with the same head:
    /// repeated names with bad values, pseudo-headers repeated or after regular fields through
    /// dynamic entries, special names (content-length, te) coming back from the table.
    #[test]
    fn tagged_fields_are_checked_as_untagged_ones() {
        let f = |l: &[(&str, &str)]| -> Vec<(Vec<u8>, Vec<u8>)> { l.iter().map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec())).collect() };
        let base = [(":method", "GET"), (":scheme", "https"), (":authority", "example.com"), (":path", "/a")];
        let mut requests = Vec::new();
        for extra in [
            vec![("user-agent", "ua/1"), ("x-a", "1"), ("content-length", "0"), ("te", "trailers")],
            vec![("user-agent", "ua/1"), ("x-a", "2\r"), ("te", "trailers")],
            vec![("user-agent", "ua/1"), ("x-a", " 3")],
            vec![("user-agent", "ua/1"), ("x-a", "1"), ("content-length", "0"), ("content-length", "1")],
            vec![("user-agent", "ua/1"), (":authority", "example.com")],
            vec![("te", "gzip")],
            vec![("x-a", "1"), ("user-agent", "ua/2"), ("priority", "u=1")],
        ] {
            let mut l: Vec<(&str, &str)> = base.to_vec();
            l.extend(extra);
            requests.push(f(&l));
        }
        // pseudo-headers twice, through a dynamic entry
        requests.push(f(&[(":method", "GET"), (":scheme", "https"), (":authority", "example.com"), (":authority", "example.com"), (":path", "/")]));
        requests.push(f(&base));
        let (mut enc, mut dec) = (Encoder::new(), Decoder::new(4096, 1 << 20));
        for (i, r) in requests.iter().cycle().take(3 * requests.len()).enumerate() {
            let fields: Vec<(Vec<u8>, Vec<u8>)> =
                r.iter().map(|(n, v)| (n.clone(), String::from_utf8(v.clone()).unwrap().replace("\\r", "\r").into_bytes())).collect();
            let mut block = Vec::new();
            enc.begin_block(&mut block);
            for (n, v) in &fields {
                enc.encode_field(&mut block, n, v, Indexing::Auto);
            }
            let mut tagged = RequestBuilder::new(RequestHead::default());
            let got = dec.decode_tagged(&block, &mut |n, v, fl| tagged.field_tagged(n, v, fl)).unwrap();
            let mut plain = RequestBuilder::new(RequestHead::default());
            let want = fields.iter().try_for_each(|(n, v)| plain.field(n, v));
            assert_eq!(got.map(drop), want, "request {i}");
            if want.is_ok() {
                assert_eq!(tagged.finish(), plain.finish(), "request {i}");
                assert_eq!(tagged.head.pseudo, plain.head.pseudo);
                assert!(tagged.head.fields().eq(plain.head.fields()), "request {i}");
                assert_eq!(tagged.head.content_length, plain.head.content_length);
                assert_eq!(tagged.priority, plain.priority);
            }
        }
    }

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
