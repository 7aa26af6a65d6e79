//! The characters a decoded field may hold (RFC 9110 5.1 and 5.5), as the 2.2.5 exports check
//! them: a name is a `token` of lower-case letters (an upper-case letter is refused outright,
//! RFC 9113 8.2.1; any other character outside `tchar` is reported but tolerated), a value is
//! visible characters, SP, HTAB and obs-text (other control characters are reported). Pseudo-header
//! names (starting with `:`) are not checked here.

/// What [`check_name`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameCheck {
    /// Only lower-case `tchar`s.
    Valid,
    /// A character outside `tchar` (but no upper-case letter).
    Invalid,
    /// An upper-case letter.
    UpperCase,
}

/// `tchar` of RFC 9110 5.6.2 without the upper-case letters.
const fn name_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_digit()
            || b.is_ascii_lowercase()
            || matches!(b, b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~');
        c += 1;
    }
    t
}

/// Field value octets: HTAB, SP, VCHAR, obs-text.
const fn value_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = c == 0x09 || (c >= 0x20 && c != 0x7f);
        c += 1;
    }
    t
}

static NAME_OK: [bool; 256] = name_table();
static VALUE_OK: [bool; 256] = value_table();

/// Checks a (non-pseudo) field name.
#[inline]
pub fn check_name(name: &[u8]) -> NameCheck {
    if name.iter().all(|&b| NAME_OK[b as usize]) {
        return NameCheck::Valid;
    }
    if name.iter().any(u8::is_ascii_uppercase) { NameCheck::UpperCase } else { NameCheck::Invalid }
}

/// Whether every octet of a field value is allowed. Eight bytes at a time: a word with no byte
/// below 0x20 and none equal to 0x7f is valid as a whole; only a word with one (HTAB, or an
/// invalid byte) is looked at byte by byte. The tail is one more word: the last eight bytes
/// (overlapping the words before) or, for a value under eight bytes, its bytes padded with a
/// valid one.
#[inline]
pub fn value_is_valid(value: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let bytewise = |w: &[u8]| w.iter().all(|&b| VALUE_OK[b as usize]);
    // "has a byte below 0x20" or "has a byte equal to 0x7f" (exact for every byte value)
    let suspect = |x: u64| {
        let below = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        let y = x ^ (ONES * 0x7f);
        let del = y.wrapping_sub(ONES) & !y & HIGH;
        (below | del) != 0
    };
    let n = value.len();
    if n < 8 {
        if n == 0 {
            return true;
        }
        return !suspect(padded_word(value)) || bytewise(value);
    }
    let word = |at: usize| u64::from_le_bytes(value[at..at + 8].try_into().unwrap_or([0; 8]));
    let mut at = 0;
    while at + 8 <= n {
        if suspect(word(at)) && !bytewise(&value[at..at + 8]) {
            return false;
        }
        at += 8;
    }
    at == n || !suspect(word(n - 8)) || bytewise(&value[at..])
}

/// The 1 to 7 bytes of `s` in a little-endian word (from at most two overlapping loads), the
/// bytes above them set to `'A'`.
#[inline(always)]
fn padded_word(s: &[u8]) -> u64 {
    let n = s.len();
    debug_assert!((1..8).contains(&n));
    let w = if n >= 4 {
        let lo = u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as u64;
        let hi = u32::from_le_bytes([s[n - 4], s[n - 3], s[n - 2], s[n - 1]]) as u64;
        lo | hi << ((n - 4) * 8)
    } else {
        s[0] as u64 | (s[n / 2] as u64) << (n / 2 * 8) | (s[n - 1] as u64) << ((n - 1) * 8)
    };
    w | (0x4141_4141_4141_4141u64 << (n * 8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(check_name(b"content-type"), NameCheck::Valid);
        assert_eq!(check_name(b"x-a!#$%&'*+-.^_`|~09"), NameCheck::Valid);
        assert_eq!(check_name(b""), NameCheck::Valid);
        assert_eq!(check_name(b"Host"), NameCheck::UpperCase);
        assert_eq!(check_name(b"a b"), NameCheck::Invalid);
        assert_eq!(check_name(b"a:b"), NameCheck::Invalid);
        // an upper-case letter wins over an earlier invalid character
        assert_eq!(check_name(b"a bZ"), NameCheck::UpperCase);
        for b in [b'"', b'(', b')', b',', b'/', b';', b'<', b'=', b'>', b'?', b'@', b'[', b'\\', b']', b'{', b'}', 0x7f, 0x80, 0] {
            assert_eq!(check_name(&[b'x', b]), NameCheck::Invalid, "{b:#x}");
        }
    }

    #[test]
    fn values() {
        assert!(value_is_valid(b"text/html; q=0.9\t\x80\xff"));
        assert!(value_is_valid(b""));
        for b in (0u8..0x20).filter(|&b| b != 9).chain([0x7f]) {
            assert!(!value_is_valid(&[b'a', b]), "{b:#x}");
        }
        // every byte value at every position of words and of the tail agrees with the table
        for len in [1usize, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 23] {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut v = vec![b'x'; len];
                    v[at] = b;
                    assert_eq!(value_is_valid(&v), VALUE_OK[b as usize], "len {len} at {at} byte {b:#x}");
                }
            }
        }
    }
}
