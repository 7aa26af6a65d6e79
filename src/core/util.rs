//! Small helpers of 2.2.5's `lib/core/util.c`, as safe functions: the PROXY protocol header line, the compressions an Accept-Encoding allows and a request's
//! destination URL under another prefix.

use crate::strings;

/// `H2O_COMPRESSIBLE_GZIP` / `_BROTLI`.
pub const COMPRESSIBLE_GZIP: i32 = 1;
pub const COMPRESSIBLE_BROTLI: i32 = 2;

/// The two ends of a connection for its PROXY line: numeric hosts and ports, `v6` for IPv6.
pub struct ProxyAddrs<'a> {
    pub v6: bool,
    pub peer: &'a [u8],
    pub peer_port: u16,
    pub local: &'a [u8],
    pub local_port: u16,
}

/// The PROXY protocol v1 line for a connection, or "PROXY UNKNOWN\r\n" when either end is
/// unknown or not IPv4/IPv6.
pub fn proxy_header(addrs: Option<ProxyAddrs>) -> Vec<u8> {
    match addrs {
        Some(ProxyAddrs { v6, peer, peer_port, local, local_port }) => {
            let mut out = if v6 { b"PROXY TCP6 ".to_vec() } else { b"PROXY TCP4 ".to_vec() };
            out.extend_from_slice(peer);
            out.push(b' ');
            out.extend_from_slice(local);
            out.extend_from_slice(format!(" {peer_port} {local_port}\r\n").as_bytes());
            out
        }
        None => b"PROXY UNKNOWN\r\n".to_vec(),
    }
}

/// The `H2O_COMPRESSIBLE_*` bits the Accept-Encoding values allow: "gzip" and "br" tokens
/// (compared case-insensitively; q-values are not looked at, as 2.2.5).
pub fn compressible_types<'a>(accept_encoding_values: impl IntoIterator<Item = &'a [u8]>) -> i32 {
    let mut bits = 0;
    for v in accept_encoding_values {
        let mut from = 0;
        while let Some(t) = strings::next_token(v, from, b',', false) {
            let token = &v[t.token_start..t.token_start + t.token_len];
            if strings::lcstris(token, b"gzip") {
                bits |= COMPRESSIBLE_GZIP;
            } else if strings::lcstris(token, b"br") {
                bits |= COMPRESSIBLE_BROTLI;
            }
            from = t.rest;
        }
    }
    bits
}

/// What `h2o_build_destination` concatenates, for a request at `path` (with `query_at`), normalized
/// as `path_normalized` (with `norm_indexes`), served by a path configured as `conf_path`: the
/// prefix (its trailing '/' adjusted to the configured path's), then the rest of the request path
/// after the configured path, either normalized and URI-escaped with the query, or as received.
pub struct Destination<'a> {
    pub prefix: &'a [u8],
    pub conf_path: &'a [u8],
    pub path: &'a [u8],
    pub query_at: Option<usize>,
    pub path_normalized: &'a [u8],
    pub norm_indexes: Option<&'a [usize]>,
}

impl Destination<'_> {
    /// The destination (2.2.5's rules; an empty prefix or configured path counts as not ending
    /// with '/').
    pub fn build(&self, use_path_normalized: bool) -> Vec<u8> {
        let conf_slash = self.conf_path.last() == Some(&b'/');
        let prefix_slash = self.prefix.last() == Some(&b'/');
        let mut out = self.prefix.to_vec();
        if conf_slash != prefix_slash {
            if conf_slash {
                out.push(b'/');
            } else if self.path_normalized.len() != self.conf_path.len() {
                out.pop();
            }
        }
        let conf_len = self.conf_path.len();
        if use_path_normalized {
            let rest = self.path_normalized.get(conf_len..).unwrap_or(&[]);
            let mut escaped = vec![0u8; rest.len() * 3];
            let n = strings::uri_escape(rest, b"/@:", &mut escaped);
            out.extend_from_slice(&escaped[..n]);
            if let Some(q) = self.query_at {
                out.extend_from_slice(self.path.get(q..).unwrap_or(&[]));
            }
        } else if self.path.len() > 1 {
            let mut next = match self.norm_indexes {
                Some(idx) if conf_len > 1 => idx.get(conf_len - 1).copied().unwrap_or(conf_len),
                _ => conf_len,
            };
            if self.path.first() != Some(&b'/') && next == 1 {
                next = 0;
            }
            out.extend_from_slice(self.path.get(next..).unwrap_or(&[]));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_lines() {
        let v4 = ProxyAddrs { v6: false, peer: b"1.2.3.4", peer_port: 5, local: b"6.7.8.9", local_port: 80 };
        assert_eq!(proxy_header(Some(v4)), b"PROXY TCP4 1.2.3.4 6.7.8.9 5 80\r\n");
        let v6 = ProxyAddrs { v6: true, peer: b"::1", peer_port: 1, local: b"::2", local_port: 2 };
        assert_eq!(proxy_header(Some(v6)), b"PROXY TCP6 ::1 ::2 1 2\r\n");
        assert_eq!(proxy_header(None), b"PROXY UNKNOWN\r\n");
    }

    #[test]
    fn accept_encodings() {
        assert_eq!(compressible_types([&b"gzip, deflate"[..]]), COMPRESSIBLE_GZIP);
        assert_eq!(compressible_types([&b"BR"[..], b"x"]), COMPRESSIBLE_BROTLI);
        // a token with parameters is not the bare name (2.2.5 splits on ',' only)
        assert_eq!(compressible_types([&b"br;q=1"[..]]), 0);
        assert_eq!(compressible_types([&b"identity"[..]]), 0);
        assert_eq!(compressible_types([&b"gzip"[..], b"br"]), 3);
    }

    #[test]
    fn destinations() {
        let d = |prefix: &'static [u8], conf: &'static [u8], path: &'static [u8], norm: &'static [u8], q: Option<usize>| Destination {
            prefix,
            conf_path: conf,
            path,
            query_at: q,
            path_normalized: norm,
            norm_indexes: None,
        };
        assert_eq!(d(b"http://up", b"/app", b"/app/x?y", b"/app/x", Some(6)).build(true), b"http://up/x?y");
        assert_eq!(d(b"http://up/", b"/app", b"/app/x", b"/app/x", None).build(true), b"http://up/x");
        assert_eq!(d(b"http://up/", b"/app", b"/app", b"/app", None).build(true), b"http://up/");
        assert_eq!(d(b"http://up", b"/app/", b"/app/x", b"/app/x", None).build(true), b"http://up/x");
        assert_eq!(d(b"http://up", b"/app", b"/app/a b", b"/app/a b", None).build(true), b"http://up/a%20b");
        assert_eq!(d(b"http://up", b"/app", b"/app/%7e?q", b"/app/~", Some(10)).build(false), b"http://up/%7e?q");
    }
}
