//! What a parsed request head means for the connection, decided without touching it: how the body
//! is framed (and which shapes are refused: the request-smuggling ones), whether the connection
//! stays open, the absolute-form target, `Expect`, and the `Upgrade` the request asks for.
//!
//! The rules are 2.2.5's where it has them (only `Transfer-Encoding: chunked` is understood; the
//! special headers `Host`, `Content-Length`, `Transfer-Encoding`, `Expect`, `Upgrade` are not put in
//! `req->headers`; `Upgrade` counts only with `Connection: upgrade`). Stricter than 2.2.5, which
//! took the last of these headers it saw: `Content-Length` together with `Transfer-Encoding`, more
//! than one of either, more than one `Host`, and obs-fold continuation lines are refused, so no two
//! parsers can disagree on where this request ends or which host it is for.

use std::ffi::CStr;

use crate::http1::parser::Header;
use crate::strings::contains_token;

/// How the request body is delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// No body.
    None,
    /// `Content-Length` bytes.
    Length(usize),
    /// `Transfer-Encoding: chunked`.
    Chunked,
}

/// Why a head is refused with 400 (the body names the problem).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reject {
    ObsFold,
    DuplicateHost,
    LengthAndChunked,
    DuplicateLength,
    BadLength,
    BadTransferEncoding,
}

impl Reject {
    /// The response body (the reason phrase is "Invalid Request", as 2.2.5's body errors).
    pub fn body(self) -> &'static CStr {
        match self {
            Reject::ObsFold => c"obsolete line folding",
            Reject::DuplicateHost => c"duplicate Host",
            Reject::LengthAndChunked => c"Content-Length and Transfer-Encoding together",
            Reject::DuplicateLength => c"duplicate Content-Length",
            // the next two are 2.2.5's words
            Reject::BadLength => c"broken content-length header",
            Reject::BadTransferEncoding => c"unknown transfer-encoding",
        }
    }
}

/// The headers the HTTP/1 layer acts on itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Special<'b> {
    pub host: Option<&'b [u8]>,
    pub connection: Option<&'b [u8]>,
    pub expect: Option<&'b [u8]>,
    pub upgrade: Option<&'b [u8]>,
    pub content_length: Option<&'b [u8]>,
    pub transfer_encoding: Option<&'b [u8]>,
}

/// Collects the special headers and decides the body's framing.
pub fn inspect<'b>(headers: &[Header<'b>]) -> Result<(Special<'b>, Framing), Reject> {
    let mut s = Special::default();
    for h in headers {
        let Some(name) = h.name else { return Err(Reject::ObsFold) };
        // Only names of these lengths can be special: a cheap filter before comparing.
        let slot = match name.len() {
            4 if name.eq_ignore_ascii_case(b"host") => {
                if s.host.is_some() {
                    return Err(Reject::DuplicateHost); // RFC 9112 3.2: which host would it be?
                }
                &mut s.host
            }
            6 if name.eq_ignore_ascii_case(b"expect") => &mut s.expect,
            7 if name.eq_ignore_ascii_case(b"upgrade") => &mut s.upgrade,
            10 if name.eq_ignore_ascii_case(b"connection") => &mut s.connection,
            14 if name.eq_ignore_ascii_case(b"content-length") => {
                if s.content_length.is_some() {
                    return Err(Reject::DuplicateLength);
                }
                &mut s.content_length
            }
            17 if name.eq_ignore_ascii_case(b"transfer-encoding") => {
                if s.transfer_encoding.is_some() {
                    return Err(Reject::BadTransferEncoding);
                }
                &mut s.transfer_encoding
            }
            _ => continue,
        };
        // Expect, Upgrade, Connection: 2.2.5 keeps the last one.
        *slot = Some(h.value);
    }
    let framing = match (s.content_length, s.transfer_encoding) {
        (Some(_), Some(_)) => return Err(Reject::LengthAndChunked),
        (None, Some(te)) if te.eq_ignore_ascii_case(b"chunked") => Framing::Chunked,
        (None, Some(_)) => return Err(Reject::BadTransferEncoding),
        (Some(cl), None) => Framing::Length(parse_length(cl).ok_or(Reject::BadLength)?),
        (None, None) => Framing::None,
    };
    Ok((s, framing))
}

/// A Content-Length value: 1 to 18 digits, nothing else.
pub fn parse_length(v: &[u8]) -> Option<usize> {
    if v.is_empty() || v.len() > 18 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(v.iter().fold(0usize, |n, &d| n * 10 + (d - b'0') as usize))
}

/// `req->version` for `HTTP/1.<minor>`: 0x100 for 1.0, 0x101 for any later minor (as 2.2.5).
pub fn version(minor: u8) -> i32 {
    0x100 | i32::from(minor != 0)
}

/// Whether the connection may carry another request after this one: HTTP/1.1 unless
/// `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`, and not after a chunked body
/// (RFC 9112 6.1: Transfer-Encoding in HTTP/1.0 makes the framing suspect). (2.2.5 also closed
/// HTTP/1.1 connections whose Connection header lacked "keep-alive", e.g. `Connection: TE`;
/// RFC 9112 does not, nor does this.)
pub fn persistent(version: i32, s: &Special) -> bool {
    if version < 0x101 && s.transfer_encoding.is_some() {
        return false;
    }
    match s.connection {
        Some(v) if contains_token(v, b"close", b',') => false,
        Some(v) if version < 0x101 => contains_token(v, b"keep-alive", b','),
        None if version < 0x101 => false,
        _ => true,
    }
}

/// The protocol the request asks to switch to: the Upgrade value, when Connection lists "upgrade".
pub fn upgrade<'b>(s: &Special<'b>) -> Option<&'b [u8]> {
    match (s.upgrade, s.connection) {
        (Some(u), Some(c)) if contains_token(c, b"upgrade", b',') => Some(u),
        _ => None,
    }
}

/// Whether an upgrade value asks for HTTP/2 over cleartext (`h2c`, or the drafts `h2c-14`, `h2c-16`
/// 2.2.5 also took).
pub fn is_h2c(upgrade: &[u8]) -> bool {
    upgrade.eq_ignore_ascii_case(b"h2c") || upgrade == b"h2c-14" || upgrade == b"h2c-16"
}

/// An absolute-form target (`http://authority/path?query`, RFC 9112 3.2.2): the authority and
/// what follows it (empty when the URL ends after the authority). Other targets: None.
pub fn absolute_form(target: &[u8]) -> Option<(&[u8], &[u8])> {
    let rest = [&b"http://"[..], b"https://"]
        .iter()
        .find(|s| target.len() > s.len() && target[..s.len()].eq_ignore_ascii_case(s))
        .map(|s| &target[s.len()..])?;
    let end = rest.iter().position(|&b| b == b'/' || b == b'?').unwrap_or(rest.len());
    if end == 0 {
        return None;
    }
    Some((&rest[..end], &rest[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h<'a>(name: &'a str, value: &'a str) -> Header<'a> {
        Header { name: Some(name.as_bytes()), value: value.as_bytes() }
    }

    #[test]
    fn framing() {
        assert_eq!(inspect(&[h("Host", "a")]).unwrap().1, Framing::None);
        assert_eq!(inspect(&[h("content-length", "12")]).unwrap().1, Framing::Length(12));
        assert_eq!(inspect(&[h("Content-Length", "0")]).unwrap().1, Framing::Length(0));
        assert_eq!(inspect(&[h("Transfer-Encoding", "Chunked")]).unwrap().1, Framing::Chunked);
    }

    #[test]
    fn smuggling_shapes_are_refused() {
        let r = |hs: &[Header]| inspect(hs).unwrap_err();
        assert_eq!(r(&[h("Content-Length", "3"), h("Transfer-Encoding", "chunked")]), Reject::LengthAndChunked);
        assert_eq!(r(&[h("Transfer-Encoding", "chunked"), h("Content-Length", "3")]), Reject::LengthAndChunked);
        assert_eq!(r(&[h("Content-Length", "3"), h("Content-Length", "3")]), Reject::DuplicateLength);
        assert_eq!(r(&[h("Content-Length", "3, 3")]), Reject::BadLength);
        assert_eq!(r(&[h("Content-Length", "+3")]), Reject::BadLength);
        assert_eq!(r(&[h("Content-Length", "")]), Reject::BadLength);
        assert_eq!(r(&[h("Content-Length", "9999999999999999999")]), Reject::BadLength);
        assert_eq!(r(&[h("Transfer-Encoding", "gzip, chunked")]), Reject::BadTransferEncoding);
        assert_eq!(r(&[h("Transfer-Encoding", "chunked, identity")]), Reject::BadTransferEncoding);
        assert_eq!(r(&[h("Transfer-Encoding", "gzip"), h("Transfer-Encoding", "chunked")]), Reject::BadTransferEncoding);
        assert_eq!(r(&[h("X-A", "1"), Header { name: None, value: b" folded" }]), Reject::ObsFold);
    }

    #[test]
    fn special_headers_keep_the_last_value() {
        assert_eq!(inspect(&[h("Host", "a"), h("HOST", "b")]).unwrap_err(), Reject::DuplicateHost);
        let (s, _) = inspect(&[h("Host", "a"), h("Expect", "x"), h("Expect", "100-continue"), h("Upgrade", "h2c")]).unwrap();
        assert_eq!(s.host, Some(&b"a"[..]));
        assert_eq!(s.expect, Some(&b"100-continue"[..]));
        assert_eq!(upgrade(&s), None, "Upgrade without Connection: upgrade");
        let (s, _) = inspect(&[h("Upgrade", "websocket"), h("Connection", "keep-alive, Upgrade")]).unwrap();
        assert_eq!(upgrade(&s), Some(&b"websocket"[..]));
    }

    #[test]
    fn persistence() {
        let conn = |v: Option<&'static str>| Special { connection: v.map(str::as_bytes), ..Special::default() };
        assert!(persistent(0x101, &conn(None)));
        assert!(persistent(0x101, &conn(Some("keep-alive"))));
        assert!(persistent(0x101, &conn(Some("TE"))));
        assert!(!persistent(0x101, &conn(Some("Close"))));
        assert!(!persistent(0x101, &conn(Some("upgrade, close"))));
        assert!(!persistent(0x100, &conn(None)));
        assert!(persistent(0x100, &conn(Some("Keep-Alive"))));
        assert!(!persistent(0x100, &conn(Some("keep-alive, close"))));
        let chunked_1_0 = Special { transfer_encoding: Some(b"chunked"), ..conn(Some("keep-alive")) };
        assert!(!persistent(0x100, &chunked_1_0));
        assert!(persistent(0x101, &chunked_1_0));
        assert_eq!(version(0), 0x100);
        assert_eq!(version(1), 0x101);
        assert_eq!(version(9), 0x101);
    }

    #[test]
    fn absolute_form_targets() {
        assert_eq!(absolute_form(b"http://a.example/x?y"), Some((&b"a.example"[..], &b"/x?y"[..])));
        assert_eq!(absolute_form(b"HTTPS://a:8443"), Some((&b"a:8443"[..], &b""[..])));
        assert_eq!(absolute_form(b"http://a?q"), Some((&b"a"[..], &b"?q"[..])));
        assert_eq!(absolute_form(b"http:///x"), None);
        assert_eq!(absolute_form(b"/x"), None);
        assert_eq!(absolute_form(b"http://"), None);
    }

    #[test]
    fn h2c_values() {
        assert!(is_h2c(b"h2c"));
        assert!(is_h2c(b"H2C"));
        assert!(is_h2c(b"h2c-14"));
        assert!(!is_h2c(b"h2"));
        assert!(!is_h2c(b"h2c, websocket"));
    }
}
