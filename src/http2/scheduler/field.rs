//! RFC 9218 4: the `priority` field value (header, or PRIORITY_UPDATE's Priority Field Value), a
//! Structured Field Dictionary (RFC 8941 3.2, parsed as 4.2).
//!
//! Whole-field rule (RFC 8941 4.2, RFC 9218 4): a value that is not a valid Dictionary is ignored
//! as a whole (the base is returned). Member rule (RFC 9218 4.1/4.2, 5): unknown keys are
//! ignored; `u` must be an Integer 0..=7 and `i` a Boolean, anything else for them is ignored
//! (the base value stays); parameters on members are ignored; a key given twice counts with its
//! last value (Dictionary semantics), even when that one is the invalid one.

/// RFC 9218 4: parses a `priority` header / PRIORITY_UPDATE field value (a structured-field
/// dictionary) into (urgency, incremental), starting from `base`; unknown keys and bad members
/// are ignored as the RFC says.
pub fn parse_priority_field(value: &[u8], base: (u8, bool)) -> (u8, bool) {
    let mut p = Parser { s: value, i: 0 };
    let mut u: Option<Bare> = None;
    let mut inc: Option<Bare> = None;
    if p.dictionary(&mut |key, v| match key {
        b"u" => u = Some(v),
        b"i" => inc = Some(v),
        _ => {}
    })
    .is_none()
    {
        return base;
    }
    let mut out = base;
    if let Some(Bare::Integer(n)) = u
        && (0..=7).contains(&n)
    {
        out.0 = n as u8;
    }
    if let Some(Bare::Boolean(b)) = inc {
        out.1 = b;
    }
    out
}

/// What a member's value is, as far as the priority parameters care.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Bare {
    Integer(i64),
    Boolean(bool),
    /// Decimal, String, Token, Byte Sequence or Inner List.
    Other,
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn skip_sp(&mut self) {
        while self.eat(b' ') {}
    }

    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    /// RFC 8941 4.2 + 4.2.2: the whole field as a Dictionary; `member(key, value)` per member in
    /// order. `None`: not a valid Dictionary.
    fn dictionary(&mut self, member: &mut impl FnMut(&'a [u8], Bare)) -> Option<()> {
        self.skip_sp();
        while self.i < self.s.len() {
            let key = self.key()?;
            let value = if self.eat(b'=') {
                self.item_or_inner_list()?
            } else {
                self.parameters()?;
                Bare::Boolean(true)
            };
            member(key, value);
            self.skip_ows();
            if self.i == self.s.len() {
                return Some(());
            }
            if !self.eat(b',') {
                return None;
            }
            self.skip_ows();
            if self.i == self.s.len() {
                return None; // trailing comma
            }
        }
        // empty (or only spaces): an empty dictionary
        Some(())
    }

    /// 4.2.3.3
    fn key(&mut self) -> Option<&'a [u8]> {
        let start = self.i;
        match self.peek() {
            Some(b'a'..=b'z' | b'*') => self.i += 1,
            _ => return None,
        }
        while matches!(self.peek(), Some(b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.' | b'*')) {
            self.i += 1;
        }
        Some(&self.s[start..self.i])
    }

    /// 4.2.1.1 / 4.2.3
    fn item_or_inner_list(&mut self) -> Option<Bare> {
        if self.eat(b'(') {
            loop {
                self.skip_sp();
                if self.eat(b')') {
                    self.parameters()?;
                    return Some(Bare::Other);
                }
                self.bare_item()?;
                self.parameters()?;
                if !matches!(self.peek(), Some(b' ' | b')')) {
                    return None;
                }
            }
        }
        let v = self.bare_item()?;
        self.parameters()?;
        Some(v)
    }

    /// 4.2.3.2
    fn parameters(&mut self) -> Option<()> {
        while self.eat(b';') {
            self.skip_sp();
            self.key()?;
            if self.eat(b'=') {
                self.bare_item()?;
            }
        }
        Some(())
    }

    /// 4.2.3.1
    fn bare_item(&mut self) -> Option<Bare> {
        match self.peek()? {
            b'-' | b'0'..=b'9' => self.number(),
            b'"' => self.string(),
            b'*' | b'A'..=b'Z' | b'a'..=b'z' => {
                self.i += 1;
                while matches!(self.peek(), Some(c) if is_tchar(c) || c == b':' || c == b'/') {
                    self.i += 1;
                }
                Some(Bare::Other)
            }
            b':' => {
                self.i += 1;
                while matches!(self.peek(), Some(b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' | b'=')) {
                    self.i += 1;
                }
                self.eat(b':').then_some(Bare::Other)
            }
            b'?' => {
                self.i += 1;
                match self.peek() {
                    Some(b'0') => {
                        self.i += 1;
                        Some(Bare::Boolean(false))
                    }
                    Some(b'1') => {
                        self.i += 1;
                        Some(Bare::Boolean(true))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// 4.2.4: Integer (at most 15 digits) or Decimal (at most 12 integer and 3 fraction digits).
    fn number(&mut self) -> Option<Bare> {
        let negative = self.eat(b'-');
        let mut value: i64 = 0;
        let mut int_digits = 0;
        while let Some(c @ b'0'..=b'9') = self.peek() {
            self.i += 1;
            int_digits += 1;
            if int_digits > 15 {
                return None;
            }
            value = value * 10 + i64::from(c - b'0');
        }
        if int_digits == 0 {
            return None;
        }
        if !self.eat(b'.') {
            return Some(Bare::Integer(if negative { -value } else { value }));
        }
        if int_digits > 12 {
            return None;
        }
        let mut frac_digits = 0;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
            frac_digits += 1;
        }
        if !(1..=3).contains(&frac_digits) {
            return None;
        }
        Some(Bare::Other)
    }

    /// 4.2.5
    fn string(&mut self) -> Option<Bare> {
        self.i += 1; // the opening quote
        loop {
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return Some(Bare::Other);
                }
                b'\\' => {
                    self.i += 1;
                    match self.peek()? {
                        b'"' | b'\\' => self.i += 1,
                        _ => return None,
                    }
                }
                0x20..=0x7e => self.i += 1,
                _ => return None,
            }
        }
    }
}

/// RFC 9110 5.6.2 tchar.
fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

#[cfg(test)]
mod tests {
    use super::parse_priority_field as p;

    const BASE: (u8, bool) = (3, false);

    #[test]
    fn urgency_and_incremental() {
        assert_eq!(p(b"u=1, i=?0", (0, true)), (1, false));
        assert_eq!(p(b"i=?1, u=7", (0, false)), (7, true));
        assert_eq!(p(b"i", (0, false)), (0, true)); // bare key = ?1
        assert_eq!(p(b"u=3", (0, true)), (3, true));
        assert_eq!(p(b"u=0", BASE), (0, false));
        assert_eq!(p(b"u=5,i", BASE), (5, true));
        assert_eq!(p(b"i=?0", (3, true)), (3, false));
    }

    #[test]
    fn empty_and_whitespace() {
        assert_eq!(p(b"", BASE), BASE);
        assert_eq!(p(b"   ", BASE), BASE);
        assert_eq!(p(b"  u=2  ", BASE), (2, false));
        assert_eq!(p(b"u=2 ,\ti", BASE), (2, true)); // OWS around the comma
        assert_eq!(p(b"u=2,   i", BASE), (2, true));
        // leading tab is not allowed (only SP is discarded at the start)
        assert_eq!(p(b"\tu=2", BASE), BASE);
        // no space allowed around '='
        assert_eq!(p(b"u =2", BASE), BASE);
        assert_eq!(p(b"u= 2", BASE), BASE);
    }

    #[test]
    fn invalid_values_leave_the_base() {
        assert_eq!(p(b"u=8", BASE), BASE);
        assert_eq!(p(b"u=-1", BASE), BASE);
        assert_eq!(p(b"u=77, i", BASE), (3, true)); // u out of range: ignored, i applies
        assert_eq!(p(b"u=1.5", BASE), BASE);
        assert_eq!(p(b"u=\"1\"", BASE), BASE);
        assert_eq!(p(b"u=?1", BASE), BASE);
        assert_eq!(p(b"u=(1 2)", BASE), BASE);
        assert_eq!(p(b"i=1", BASE), BASE);
        assert_eq!(p(b"i=tok, u=4", BASE), (4, false));
        assert_eq!(p(b"u", BASE), BASE); // u=?1 is a Boolean
    }

    #[test]
    fn malformed_fields_are_ignored_whole() {
        // H2O master's test vector: "?10" is not a Boolean
        assert_eq!(p(b"i=?10, u=77", (0, true)), (0, true));
        assert_eq!(p(b"invalid", (0, true)), (0, true)); // valid (unknown key), nothing applied
        assert_eq!(p(b"u=1,", BASE), BASE); // trailing comma
        assert_eq!(p(b",u=1", BASE), BASE);
        assert_eq!(p(b"u=1,,i", BASE), BASE);
        assert_eq!(p(b"U=1", BASE), BASE); // keys are lowercase
        assert_eq!(p(b"u=1 i", BASE), BASE);
        assert_eq!(p(b"u=1, i=?", BASE), BASE);
        assert_eq!(p(b"u=1, x=\"unterminated", BASE), BASE);
        assert_eq!(p(b"u=1, x=1234567890123456", BASE), BASE); // 16-digit integer
        assert_eq!(p(b"u=1, x=1.2345", BASE), BASE);
        assert_eq!(p(b"u=1, x=@", BASE), BASE);
        assert_eq!(p(&[b'u', b'=', b'1', b',', b' ', 0xff], BASE), BASE);
    }

    #[test]
    fn unknown_keys_parameters_and_other_types() {
        assert_eq!(p(b"foo=bar, u=2", BASE), (2, false));
        assert_eq!(p(b"u=2;foo=1, i;bar", BASE), (2, true));
        assert_eq!(p(b"a=\"x\\\"y\", b=:cHJldGVuZA==:, c=(1 \"two\" tok);p=1, d=-1.5, *e=?0, u=6", BASE), (6, false));
        assert_eq!(p(b"x=(), u=1", BASE), (1, false));
        assert_eq!(p(b"x=( 1  2 ), u=1", BASE), (1, false));
        assert_eq!(p(b"x=tok/en:x, u=1", BASE), (1, false));
    }

    #[test]
    fn last_occurrence_wins() {
        assert_eq!(p(b"u=1, u=2", BASE), (2, false));
        assert_eq!(p(b"u=1, u=9", BASE), BASE); // the last value is the one that counts
        assert_eq!(p(b"i, i=?0", BASE), (3, false));
    }
}
