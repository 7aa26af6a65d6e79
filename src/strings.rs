//! The string helpers of libh2o 2.2.5's `h2o/string_.h`, as safe Rust over byte slices.
//!
//! The C API in `crate::ffi::string` allocates the results (from a memory pool or with malloc, as
//! 2.2.5 does) and calls these. Behaviour is 2.2.5's, checked against Debian's library by
//! `tests/abi` and by the unit tests below.

/// Parses a non-negative decimal number that fills all of `s` (no sign, no spaces). `None` for an
/// empty string, any other byte, 20 digits or more, or a value that does not fit below `usize::MAX`.
pub fn strtosize(s: &[u8]) -> Option<usize> {
    if s.is_empty() || s.len() >= 20 || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v = s.iter().fold(0u64, |v, &d| v * 10 + (d - b'0') as u64);
    if v >= usize::MAX as u64 { None } else { Some(v as usize) }
}

/// Parses the number at the start of `s` (a digit, then digits up to the first other byte).
/// Returns the value and the number of bytes it took; `None` if `s` does not start with a digit,
/// the number goes on past its 20th digit, or the value does not fit below `usize::MAX` (digits
/// accumulate with wrapping arithmetic, as in 2.2.5, which also reads one byte past `len` when the
/// number ends there; this does not).
pub fn strtosizefwd(s: &[u8]) -> Option<(usize, usize)> {
    let first = *s.first()?;
    if !first.is_ascii_digit() {
        return None;
    }
    let mut v = (first - b'0') as u64;
    let mut digits = 1;
    let mut p = 1;
    while let Some(&c) = s.get(p) {
        if !c.is_ascii_digit() {
            break;
        }
        v = v.wrapping_mul(10).wrapping_add((c - b'0') as u64);
        p += 1;
        digits += 1;
        if p == s.len() {
            break;
        }
        if digits == 20 {
            return None;
        }
    }
    if v >= usize::MAX as u64 { None } else { Some((v as usize, p)) }
}

fn base64_value(c: u8) -> Option<u32> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        // the URL-safe alphabet, and (as curl sends it) the standard one
        b'-' | b'+' => 62,
        b'_' | b'/' => 63,
        _ => return None,
    } as u32)
}

/// Length of the decoded form of `len` base64url bytes (what `decode_base64url` writes).
pub fn decoded_base64url_len(len: usize) -> usize {
    len * 3 / 4
}

/// Decodes base64url (or standard base64, without padding) into `out`, which must hold
/// `decoded_base64url_len(src.len())` bytes. `None` for a byte outside the alphabets (`=` too) or a
/// length of 4n+1.
pub fn decode_base64url(src: &[u8], out: &mut [u8]) -> Option<()> {
    if src.len() % 4 == 1 {
        return None;
    }
    let mut o = 0;
    for quad in src.chunks(4) {
        let mut v = 0u32;
        for i in 0..4 {
            v = (v << 6) | quad.get(i).map_or(Some(0), |&c| base64_value(c))?;
        }
        let n = quad.len() - 1;
        out[o..o + n].copy_from_slice(&v.to_be_bytes()[1..1 + n]);
        o += n;
    }
    Some(())
}

/// Length of the base64 encoding of `len` bytes, without padding for the URL-safe form.
pub fn base64_encoded_len(len: usize, url: bool) -> usize {
    if url { (len * 8).div_ceil(6) } else { len.div_ceil(3) * 4 }
}

/// Encodes `src` into `out` (`base64_encoded_len` bytes): standard base64 with `=` padding, or
/// base64url without padding. Returns the length written.
pub fn base64_encode(src: &[u8], url: bool, out: &mut [u8]) -> usize {
    let map: &[u8; 64] = if url {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let mut o = 0;
    for chunk in src.chunks(3) {
        let mut b = [0u8; 3];
        b[..chunk.len()].copy_from_slice(chunk);
        let v = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        let emit = chunk.len() + 1;
        for i in 0..4 {
            if i < emit {
                out[o] = map[(v >> (18 - 6 * i) & 63) as usize];
                o += 1;
            } else if !url {
                out[o] = b'=';
                o += 1;
            }
        }
    }
    o
}

fn hex_value(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|v| v as u8)
}

/// Decodes `src` (an even number of hex digits, either case) into `out` (`src.len() / 2` bytes).
/// On a bad digit, `out` holds the bytes decoded before it.
pub fn hex_decode(src: &[u8], out: &mut [u8]) -> Option<()> {
    if !src.len().is_multiple_of(2) {
        return None;
    }
    for (pair, o) in src.chunks(2).zip(out.iter_mut()) {
        *o = hex_value(pair[0])? << 4 | hex_value(pair[1])?;
    }
    Some(())
}

/// Encodes `src` as lower-case hex into `out` (`2 * src.len()` bytes).
pub fn hex_encode(src: &[u8], out: &mut [u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (b, o) in src.iter().zip(out.chunks_mut(2)) {
        o[0] = DIGITS[(b >> 4) as usize];
        o[1] = DIGITS[(b & 15) as usize];
    }
}

/// Whether RFC 3986 lets `c` stand unescaped in a path segment (unreserved or sub-delims).
fn uri_keeps(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=".contains(&c)
}

/// Percent-escapes `s` into `out` (at most `3 * s.len()` bytes) as RFC 3986 asks for a path
/// segment, leaving the bytes of `preserve` (other than NUL) as they are. Returns the length.
pub fn uri_escape(s: &[u8], preserve: &[u8], out: &mut [u8]) -> usize {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut o = 0;
    for &c in s {
        if uri_keeps(c) || (c != 0 && preserve.contains(&c)) {
            out[o] = c;
            o += 1;
        } else {
            out[o..o + 3].copy_from_slice(&[b'%', DIGITS[(c >> 4) as usize], DIGITS[(c & 15) as usize]]);
            o += 3;
        }
    }
    o
}

/// The extension of the last path segment: the bytes after its last `.` (a `.` at index 0 of
/// `path` does not count). `None` when there is none.
pub fn get_filext(path: &[u8]) -> Option<std::ops::Range<usize>> {
    for i in (1..path.len()).rev() {
        match path[i] {
            b'.' => return Some(i + 1..path.len()),
            b'/' => return None,
            _ => {}
        }
    }
    None
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// `s` without leading and trailing SP, HTAB, CR and LF.
pub fn str_stripws(s: &[u8]) -> std::ops::Range<usize> {
    let start = s.iter().position(|&c| !is_ws(c)).unwrap_or(s.len());
    let end = s.iter().rposition(|&c| !is_ws(c)).map_or(start, |i| i + 1);
    start..end
}

/// The offset of the first `needle` in `haystack`; an empty needle is found at 0.
pub fn strstr(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return (haystack.len() >= needle.len()).then_some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// ASCII lower-case of `c`.
pub fn tolower(c: u8) -> u8 {
    c.to_ascii_lowercase()
}

/// Whether `target`, lower-cased, equals `test` (which is expected to be lower-case already).
pub fn lcstris(target: &[u8], test: &[u8]) -> bool {
    target.len() == test.len() && target.iter().zip(test).all(|(&a, &b)| tolower(a) == b)
}

/// One step of 2.2.5's `h2o_next_token` over a list such as `a, b;q=0.5, c` (see the C header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NextToken {
    /// Where the token is and how long, in the iterated string.
    pub token_start: usize,
    pub token_len: usize,
    /// The remaining input starts here.
    pub rest: usize,
    /// With `want_value`: the token's `=value` (`Some(None)` for `token=` without a value, given to
    /// C as the empty string), or `None` when the token has no `=`.
    pub value: Option<Option<(usize, usize)>>,
}

/// Finds the next token of `s[from..]`: leading SP/HTAB skipped; the token ends at `separator`, at a
/// `,` (a lone `,` is returned as a token of its own), at `=` when `want_value` (then the value is
/// the next token), or at the end; trailing whitespace is not part of it. `None` at the end.
pub fn next_token(s: &[u8], from: usize, separator: u8, want_value: bool) -> Option<NextToken> {
    let end = s.len();
    let mut cur = from;
    while cur < end && matches!(s[cur], b' ' | b'\t') {
        cur += 1;
    }
    if cur == end {
        return None;
    }
    let token_start = cur;
    let mut token_end = cur;
    loop {
        if cur == end {
            break;
        }
        let c = s[cur];
        if c == separator {
            cur += 1;
            break;
        }
        if c == b',' {
            if token_start == cur {
                cur += 1;
                token_end = cur;
            }
            break;
        }
        if want_value && c == b'=' {
            cur += 1;
            let token_len = token_end - token_start;
            return Some(match next_token(s, cur, separator, false) {
                None => NextToken { token_start, token_len, rest: cur, value: Some(None) },
                Some(v) if &s[v.token_start..v.token_start + v.token_len] == b"," => {
                    // `a=,b`: the comma belongs to the list, not to the value
                    NextToken { token_start, token_len, rest: v.rest - 1, value: Some(None) }
                }
                Some(v) => NextToken { token_start, token_len, rest: v.rest, value: Some(Some((v.token_start, v.token_len))) },
            });
        }
        if c != b' ' && c != b'\t' {
            token_end = cur + 1;
        }
        cur += 1;
    }
    Some(NextToken { token_start, token_len: token_end - token_start, rest: cur, value: None })
}

/// Whether the `separator`-separated list `haystack` has `needle` as one of its tokens,
/// compared case-insensitively (`needle` lower-case).
pub fn contains_token(haystack: &[u8], needle: &[u8], separator: u8) -> bool {
    let mut from = 0;
    while let Some(t) = next_token(haystack, from, separator, false) {
        if lcstris(&haystack[t.token_start..t.token_start + t.token_len], needle) {
            return true;
        }
        from = t.rest;
    }
    false
}

fn html_entity(c: u8) -> Option<&'static [u8]> {
    Some(match c {
        b'"' => b"&quot;",
        b'&' => b"&amp;",
        b'\'' => b"&#39;",
        b'<' => b"&lt;",
        b'>' => b"&gt;",
        _ => return None,
    })
}

/// Length of the HTML-escaped form of `s`; equal to `s.len()` when nothing needs escaping.
pub fn htmlescaped_len(s: &[u8]) -> usize {
    s.iter().map(|&c| html_entity(c).map_or(1, <[u8]>::len)).sum()
}

/// HTML-escapes `s` into `out` (`htmlescaped_len(s)` bytes).
pub fn htmlescape(s: &[u8], out: &mut [u8]) {
    let mut o = 0;
    for &c in s {
        match html_entity(c) {
            Some(e) => {
                out[o..o + e.len()].copy_from_slice(e);
                o += e.len();
            }
            None => {
                out[o] = c;
                o += 1;
            }
        }
    }
}

/// The two lines `h2o_str_at_position` writes: up to 76 bytes of line `lineno` of `src` (scrolled
/// right when `column` > 40), then a caret under `column`. `None` when the line does not exist or
/// `lineno`/`column` are not positive. The C function writes these bytes and a NUL.
pub fn str_at_position(src: &[u8], lineno: i32, column: i32) -> Option<Vec<u8>> {
    if lineno <= 0 || column <= 0 {
        return None;
    }
    let mut pos = 0;
    for _ in 1..lineno {
        let nl = src[pos..].iter().position(|&c| c == b'\n')?;
        pos += nl + 1;
    }
    let mut column = column;
    while column > 40 {
        if pos < src.len() {
            pos += 1;
        }
        column -= 1;
    }
    let line: Vec<u8> = src[pos..].iter().take(76).take_while(|&&c| c != b'\n').copied().collect();
    let shown = line.len() as i32 + 1;
    if shown < column {
        column = shown;
    }
    let mut out = line;
    out.push(b'\n');
    out.extend(std::iter::repeat_n(b' ', (column - 1) as usize));
    out.extend_from_slice(b"^\n");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(strtosize(b"0"), Some(0));
        assert_eq!(strtosize(b"1234"), Some(1234));
        assert_eq!(strtosize(b""), None);
        assert_eq!(strtosize(b"12a"), None);
        assert_eq!(strtosize(b" 1"), None);
        assert_eq!(strtosize(b"9999999999999999999"), Some(9999999999999999999));
        assert_eq!(strtosize(b"18446744073709551615"), None);
        assert_eq!(strtosizefwd(b"123abc"), Some((123, 3)));
        assert_eq!(strtosizefwd(b"x1"), None);
        assert_eq!(strtosizefwd(b"7"), Some((7, 1)));
    }

    #[test]
    fn base64_round_trips() {
        for len in 0..20 {
            let src: Vec<u8> = (0..len as u8).map(|i| i.wrapping_mul(37).wrapping_add(250)).collect();
            for url in [false, true] {
                let mut enc = vec![0; base64_encoded_len(len, url)];
                assert_eq!(base64_encode(&src, url, &mut enc), enc.len());
                let unpadded: Vec<u8> = enc.iter().copied().filter(|&c| c != b'=').collect();
                let mut dec = vec![0; decoded_base64url_len(unpadded.len())];
                decode_base64url(&unpadded, &mut dec).unwrap();
                assert_eq!(dec, src);
            }
        }
        let mut out = [0u8; 8];
        assert_eq!(base64_encode(b"hi", false, &mut out), 4);
        assert_eq!(&out[..4], b"aGk=");
        assert!(decode_base64url(b"a", &mut [0u8; 0]).is_none());
        assert!(decode_base64url(b"aGk=", &mut [0u8; 3]).is_none());
    }

    #[test]
    fn hex() {
        let mut out = [0u8; 4];
        hex_encode(b"\x01\xab", &mut out);
        assert_eq!(&out, b"01ab");
        let mut dec = [0u8; 2];
        assert!(hex_decode(b"01AB", &mut dec).is_some());
        assert_eq!(dec, [1, 0xab]);
        assert!(hex_decode(b"0", &mut dec).is_none());
        assert!(hex_decode(b"0g", &mut dec).is_none());
    }

    #[test]
    fn escapes() {
        let mut out = [0u8; 64];
        let n = uri_escape(b"a b/c?", b"/", &mut out);
        assert_eq!(&out[..n], b"a%20b/c%3F");
        let s = b"<a href='x'>&</a>";
        let mut out = vec![0; htmlescaped_len(s)];
        htmlescape(s, &mut out);
        assert_eq!(out, b"&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
    }

    #[test]
    fn paths_and_whitespace() {
        assert_eq!(get_filext(b"/a/b.html"), Some(5..9));
        assert_eq!(get_filext(b"/a.d/b"), None);
        assert_eq!(get_filext(b".htaccess"), None);
        assert_eq!(get_filext(b"/x."), Some(3..3));
        assert_eq!(str_stripws(b" \t a b \r\n"), 3..6);
        assert_eq!(str_stripws(b"   "), 3..3);
        assert_eq!(strstr(b"hello", b"llo"), Some(2));
        assert_eq!(strstr(b"hello", b""), Some(0));
        assert_eq!(strstr(b"he", b"hello"), None);
    }

    #[test]
    fn tokens() {
        let s = b"gzip, deflate ,br;q=1";
        let t: Vec<&[u8]> = std::iter::successors(next_token(s, 0, b',', false), |t| next_token(s, t.rest, b',', false))
            .map(|t| &s[t.token_start..t.token_start + t.token_len])
            .collect();
        assert_eq!(t, vec![&b"gzip"[..], b"deflate", b"br;q=1"]);
        assert!(contains_token(b"Keep-Alive, Upgrade", b"upgrade", b','));
        assert!(!contains_token(b"Keep-Alive, Upgrade", b"close", b','));
        let v = next_token(b"q=0.5;x", 0, b';', true).unwrap();
        assert_eq!((v.token_start, v.token_len, v.value), (0, 1, Some(Some((2, 3)))));
    }

    #[test]
    fn position() {
        assert_eq!(str_at_position(b"ab\ncdef\n", 2, 3).unwrap(), b"cdef\n  ^\n");
        assert_eq!(str_at_position(b"ab", 2, 1), None);
        assert_eq!(str_at_position(b"ab", 1, 9).unwrap(), b"ab\n  ^\n");
    }
}

/// Appends the decimal digits of `n` to `out` (what `write!` does, without the formatting
/// machinery: response heads and content-length values are written on every response).
pub fn push_decimal(out: &mut Vec<u8>, n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut v = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}
