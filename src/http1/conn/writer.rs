//! Serializing the response head and framing the body, allocation-free once the connection's
//! buffers have grown: the head goes into a `Vec` the connection reuses, numbers are formatted on
//! the stack.
//!
//! The head is 2.2.5's: the status line (always `HTTP/1.1`), then `Date`, `Connection`,
//! `Content-Length` (when known) and `Server` with their first letters upper-cased (H2O does this
//! for old clients), then the response headers as the handler named them (the original-case name
//! when it gave one), then `transfer-encoding: chunked` when the body is chunked (where 2.2.5's
//! chunked filter put it).

/// What goes into the fixed part of a response head.
pub struct Head<'a> {
    pub status: i32,
    pub reason: &'a [u8],
    /// The RFC 1123 date (29 bytes).
    pub date: &'a [u8],
    /// `keep-alive`, `close` or `upgrade`.
    pub connection: &'a [u8],
    pub content_length: Option<usize>,
    /// The Server value; empty: no Server header.
    pub server: &'a [u8],
    pub chunked: bool,
}

pub use crate::strings::push_decimal;

/// Writes the head into `out` (cleared first): `head`, then `headers` (name, value) in order.
pub fn write_head<'h>(out: &mut Vec<u8>, head: &Head, headers: impl IntoIterator<Item = (&'h [u8], &'h [u8])>) {
    out.clear();
    out.extend_from_slice(b"HTTP/1.1 ");
    if head.status < 0 {
        out.push(b'-');
    }
    push_decimal(out, u64::from(head.status.unsigned_abs()));
    out.push(b' ');
    out.extend_from_slice(head.reason);
    out.extend_from_slice(b"\r\nDate: ");
    out.extend_from_slice(head.date);
    out.extend_from_slice(b"\r\nConnection: ");
    out.extend_from_slice(head.connection);
    out.extend_from_slice(b"\r\n");
    if let Some(n) = head.content_length {
        out.extend_from_slice(b"Content-Length: ");
        push_decimal(out, n as u64);
        out.extend_from_slice(b"\r\n");
    }
    if !head.server.is_empty() {
        out.extend_from_slice(b"Server: ");
        out.extend_from_slice(head.server);
        out.extend_from_slice(b"\r\n");
    }
    for (name, value) in headers {
        out.extend_from_slice(name);
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    if head.chunked {
        out.extend_from_slice(b"transfer-encoding: chunked\r\n");
    }
    out.extend_from_slice(b"\r\n");
}

/// The chunk-size line for a chunk of `n` bytes (`n` in hex, CRLF) in `buf`; returns its length.
pub fn chunk_size_line(buf: &mut [u8; 20], n: usize) -> usize {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digits = ((usize::BITS - n.leading_zeros()).div_ceil(4)).max(1) as usize;
    for i in 0..digits {
        buf[digits - 1 - i] = HEX[(n >> (4 * i)) & 0xf];
    }
    buf[digits] = b'\r';
    buf[digits + 1] = b'\n';
    digits + 2
}

pub use crate::core::request::status_has_body;

#[cfg(test)]
mod tests {
    use super::*;

    fn head(content_length: Option<usize>, chunked: bool, server: &'static [u8]) -> Head<'static> {
        Head {
            status: 200,
            reason: b"OK",
            date: b"Tue, 24 Nov 2026 01:50:15 GMT",
            connection: b"keep-alive",
            content_length,
            server,
            chunked,
        }
    }

    #[test]
    fn head_layout_is_2_2_5s() {
        let mut out = Vec::new();
        write_head(&mut out, &head(Some(6), false, b"h2o-test"), [(&b"content-type"[..], &b"text/plain"[..])]);
        assert_eq!(
            out,
            b"HTTP/1.1 200 OK\r\nDate: Tue, 24 Nov 2026 01:50:15 GMT\r\nConnection: keep-alive\r\nContent-Length: 6\r\n\
              Server: h2o-test\r\ncontent-type: text/plain\r\n\r\n"
        );
        write_head(&mut out, &head(None, true, b""), [(&b"X-Custom"[..], &b"v"[..])]);
        assert_eq!(
            out,
            b"HTTP/1.1 200 OK\r\nDate: Tue, 24 Nov 2026 01:50:15 GMT\r\nConnection: keep-alive\r\nX-Custom: v\r\n\
              transfer-encoding: chunked\r\n\r\n"
        );
    }

    #[test]
    fn numbers() {
        let mut out = Vec::new();
        for n in [0u64, 7, 10, 404, 1 << 40, u64::MAX] {
            out.clear();
            push_decimal(&mut out, n);
            assert_eq!(out, n.to_string().as_bytes());
        }
        let mut buf = [0u8; 20];
        for n in [0usize, 1, 15, 16, 255, 4096, 123456789, usize::MAX] {
            let len = chunk_size_line(&mut buf, n);
            assert_eq!(&buf[..len], format!("{n:x}\r\n").as_bytes());
        }
    }

    #[test]
    fn bodiless_statuses() {
        assert!(status_has_body(200));
        assert!(status_has_body(404));
        assert!(!status_has_body(101));
        assert!(!status_has_body(204));
        assert!(!status_has_body(304));
    }
}
