//! URLs of `h2o/url.h` with 2.2.5's semantics, as safe functions over byte slices, and the path
//! normalization into a pool that requests use. The C wrappers (`crate::ffi::url`) copy results
//! into the caller's pool.
//!
//! Path normalization (`h2o_url_normalize_path`, what fills `req->path_normalized`):
//! - the path ends at the first `?` (its offset is the query position);
//! - a path that starts with `/` and contains neither `%` nor `/.` (before the `?`; a `%` as the
//!   very last byte does not count) is used as is;
//! - otherwise it is rebuilt in one pass: a leading `/` is added when missing, every `%XY` with two
//!   hex digits is decoded (any byte, `%2F` included, which then acts as a separator), and each
//!   segment `.` or `..` is removed when the `/` after it, or the end, is reached (`..` also removes
//!   the segment before it, never going above the root). Repeated slashes are kept.
//! - for the rebuilt form, `indexes[i]` is the offset in the input just after the input bytes that
//!   produced output byte `i` (the "norm_indexes" of `h2o_req_t`).

/// What `normalize_path` decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NormalizedPath {
    /// An empty input: the path is the literal `/` (2.2.5 returns a static string, no indexes).
    Empty,
    /// The input needs no change: the path is its first `len` bytes (up to the `?`).
    AsIs { len: usize },
    /// A new path, with the input offset of each of its bytes (see the module notes).
    Rebuilt { path: Vec<u8>, indexes: Vec<usize> },
    /// Rebuilding left a `..` segment (2.2.5 logs it and uses `/`; its index array is still
    /// allocated, so `indexes` is what it would hold).
    Rejected { rebuilt: Vec<u8>, indexes: Vec<usize> },
}

/// The result of `normalize_path`: the path and the offset of the `?` in the input, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalization {
    pub path: NormalizedPath,
    pub query_at: Option<usize>,
}

impl Normalization {
    /// The normalized path's bytes (`input` must be the slice that was normalized).
    pub fn bytes<'a>(&'a self, input: &'a [u8]) -> &'a [u8] {
        match &self.path {
            NormalizedPath::Empty | NormalizedPath::Rejected { .. } => b"/",
            NormalizedPath::AsIs { len } => &input[..*len],
            NormalizedPath::Rebuilt { path, .. } => path,
        }
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Normalizes a request path as 2.2.5 does (see the module notes).
pub fn normalize_path(input: &[u8]) -> Normalization {
    if input.is_empty() {
        return Normalization { path: NormalizedPath::Empty, query_at: None };
    }
    if input[0] == b'/' {
        // The fast scan: stop at '?', give up on '%' or "/." seen before it. The last byte is
        // only checked for '?'.
        let mut needs_rebuild = false;
        let mut query_at = None;
        for (i, &c) in input.iter().enumerate() {
            if i + 1 < input.len() && (c == b'%' || (c == b'/' && input[i + 1] == b'.')) {
                needs_rebuild = true;
                break;
            }
            if c == b'?' {
                query_at = Some(i);
                break;
            }
        }
        if !needs_rebuild {
            let len = query_at.unwrap_or(input.len());
            return Normalization { path: NormalizedPath::AsIs { len }, query_at };
        }
    }
    rebuild(input)
}

/// Bytes to remove from the end of `out` when its last segment (after the `/` at `seg_start`) is
/// `.` (the dot) or `..` (the dots and the segment before, keeping its `/`; nothing above the root).
fn special_segment_rewind(out: &[u8], seg_start: usize) -> usize {
    let end = out.len();
    match &out[seg_start + 1..] {
        b"." => 1,
        b".." => {
            let mut keep = end - 2; // "/.." -> "/"
            if keep > 1 {
                // drop the previous segment and its trailing '/', up to the '/' before it
                keep -= 1;
                while out[keep - 1] != b'/' {
                    keep -= 1;
                }
            }
            end - keep
        }
        _ => 0,
    }
}

fn rebuild(input: &[u8]) -> Normalization {
    let query_at = input.iter().position(|&c| c == b'?');
    let src = &input[..query_at.unwrap_or(input.len())];
    let mut out = Vec::with_capacity(src.len() + 1);
    let mut indexes = Vec::with_capacity(src.len() + 1);
    let mut pos = usize::from(src.first() == Some(&b'/'));
    out.push(b'/');
    indexes.push(pos);
    let mut seg_start = 0;
    while pos < src.len() {
        let decoded = match (src[pos], src.get(pos + 1).copied().and_then(hex_value), src.get(pos + 2).copied().and_then(hex_value)) {
            (b'%', Some(hi), Some(lo)) => {
                pos += 3;
                (hi << 4) | lo
            }
            (c, _, _) => {
                pos += 1;
                c
            }
        };
        if decoded == b'/' {
            let rewind = special_segment_rewind(&out, seg_start);
            if rewind > 0 {
                out.truncate(out.len() - rewind);
                indexes.truncate(out.len());
                seg_start = out.len() - 1;
                continue;
            }
            seg_start = out.len();
        }
        out.push(decoded);
        indexes.push(pos);
    }
    let rewind = special_segment_rewind(&out, seg_start);
    out.truncate(out.len() - rewind);
    indexes.truncate(out.len());

    let climbs = out.windows(4).any(|w| w == b"/../") || out.ends_with(b"/..");
    let path = if out.first() != Some(&b'/') || climbs {
        NormalizedPath::Rejected { rebuilt: out, indexes }
    } else {
        NormalizedPath::Rebuilt { path: out, indexes }
    };
    Normalization { path, query_at }
}

use std::ops::Range;

use crate::strings;
use crate::abi::memory::{h2o_iovec_t, h2o_mem_pool_t};
use crate::mem;
use std::ffi::c_char;

/// What `parse_hostport` found (2.2.5's `h2o_url_parse_hostport`): the host (inside `[...]` for an
/// IPv6 literal, set as soon as it is delimited even if the rest fails), the port (65535 when absent
/// or invalid) and, on success, where the authority ends (the start of the path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    pub host: Option<Range<usize>>,
    pub port: u16,
    pub end: Option<usize>,
}

/// Parses `host[:port]` or `[v6]:port` at the start of `s`, up to the first `/`. Fails on an empty
/// host, an unclosed `[`, or a port that is not a decimal number below 65535.
pub fn parse_hostport(s: &[u8]) -> HostPort {
    let mut r = HostPort { host: None, port: 65535, end: None };
    if s.is_empty() {
        return r;
    }
    let mut pos = if s[0] == b'[' {
        let Some(close) = s[1..].iter().position(|&c| c == b']') else { return r };
        r.host = Some(1..1 + close);
        close + 2
    } else {
        let stop = s.iter().position(|&c| c == b'/' || c == b':').unwrap_or(s.len());
        r.host = Some(0..stop);
        stop
    };
    if r.host.as_ref().is_some_and(|h| h.is_empty()) {
        return r;
    }
    if s.get(pos) == Some(&b':') {
        pos += 1;
        let stop = s[pos..].iter().position(|&c| c == b'/').map_or(s.len(), |i| pos + i);
        match strings::strtosize(&s[pos..stop]) {
            Some(p) if p < 65535 => r.port = p as u16,
            _ => return r,
        }
        pos = stop;
    }
    r.end = Some(pos);
    r
}

/// The two schemes 2.2.5 knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

/// A URL path: a range of the parsed string, or the literal `/` (no path after the authority).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlPath {
    Root,
    In(Range<usize>),
}

/// A parsed URL as ranges of the input (2.2.5's `h2o_url_t`). `authority` and `host` are `None`
/// for a relative reference without `//`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedUrl {
    pub scheme: Option<Scheme>,
    pub authority: Option<Range<usize>>,
    pub host: Option<Range<usize>>,
    pub port: u16,
    pub path: UrlPath,
}

fn parse_scheme(s: &[u8]) -> Option<(Scheme, usize)> {
    if s.starts_with(b"http:") {
        Some((Scheme::Http, 5))
    } else if s.starts_with(b"https:") {
        Some((Scheme::Https, 6))
    } else {
        None
    }
}

/// The authority at `start` and the path after it (which must start with `/` if present).
fn parse_authority_and_path(s: &[u8], start: usize, scheme: Option<Scheme>) -> Option<ParsedUrl> {
    let hp = parse_hostport(&s[start..]);
    let end = start + hp.end?;
    let path = if end == s.len() {
        UrlPath::Root
    } else if s[end] == b'/' {
        UrlPath::In(end..s.len())
    } else {
        return None;
    };
    let host = hp.host.map(|h| start + h.start..start + h.end);
    Some(ParsedUrl { scheme, authority: Some(start..end), host, port: hp.port, path })
}

/// `h2o_url_parse`: an absolute `http://` or `https://` URL (the scheme is case-sensitive).
pub fn parse(s: &[u8]) -> Option<ParsedUrl> {
    let (scheme, at) = parse_scheme(s)?;
    if !s[at..].starts_with(b"//") {
        return None;
    }
    parse_authority_and_path(s, at + 2, Some(scheme))
}

/// `h2o_url_parse_relative`: an optional scheme, then `//authority[/path]` or just a path (any
/// bytes, possibly empty, kept as is).
pub fn parse_relative(s: &[u8]) -> Option<ParsedUrl> {
    let (scheme, at) = match parse_scheme(s) {
        Some((scheme, at)) => (Some(scheme), at),
        None => (None, 0),
    };
    if s[at..].starts_with(b"//") {
        return parse_authority_and_path(s, at + 2, scheme);
    }
    Some(ParsedUrl { scheme, authority: None, host: None, port: 65535, path: UrlPath::In(at..s.len()) })
}

/// `h2o_url_resolve_path`: how much of `base` to keep (through its last `/`, after going up one
/// level per leading `../` of `relative`) and where the rest of `relative` starts (after its
/// leading `./` and `../`). An absolute `relative` keeps nothing of `base`.
pub fn resolve_path(base: &[u8], relative: &[u8]) -> (usize, usize) {
    if relative.first() == Some(&b'/') {
        return (0, 0);
    }
    // the last '/' of base (2.2.5 requires one; stop at 0 otherwise)
    let up = |from: usize| base[..from].iter().rposition(|&c| c == b'/').unwrap_or(0);
    let mut keep = up(base.len());
    let mut off = 0;
    while off < relative.len() && relative[off] == b'.' {
        let rest = &relative[off..];
        if rest == b".." || rest.starts_with(b"../") {
            if keep != 0 {
                keep = up(keep);
            }
            off += if rest.len() == 2 { 2 } else { 3 };
        } else if rest.len() == 1 {
            off += 1;
        } else if rest[1] == b'/' {
            off += 2;
        } else {
            break;
        }
    }
    (keep + 1, off)
}

/// The `unix:` prefix of a host naming a Unix socket.
pub const UNIX_PREFIX: &[u8] = b"unix:";

/// Why `unix_socket_path` refused a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SunError {
    NotUnixSocket,
    TooLong,
}

/// `h2o_url_host_to_sun`: the socket path of a `unix:` host. 2.2.5 accepts hosts of 7 to 114 bytes
/// (it computes the limit as `len - 7 < 108`, so `unix:` and `unix:x` are "too long"); a host of
/// 114 bytes would write past `sun_path` there, so it is refused here too.
pub fn unix_socket_path(host: &[u8], sun_path_size: usize) -> Result<&[u8], SunError> {
    if !host.starts_with(UNIX_PREFIX) {
        return Err(SunError::NotUnixSocket);
    }
    match host.len().wrapping_sub(7) {
        n if n >= sun_path_size => Err(SunError::TooLong),
        _ if host.len() - UNIX_PREFIX.len() > sun_path_size => Err(SunError::TooLong),
        _ => Ok(&host[UNIX_PREFIX.len()..]),
    }
}

// ---- results in a memory pool (the C view) --------------------------------------------------------

static ROOT: &[u8; 2] = b"/\0";

/// The static "/" (NUL-terminated) the normalized path of an empty or rejected path points to.
pub fn root_iovec() -> h2o_iovec_t {
    h2o_iovec_t { base: ROOT.as_ptr() as *mut c_char, len: 1 }
}

/// Copies `bytes` into `n.max(bytes.len())` bytes of `pool`.
///
/// # Safety
/// `pool` is initialized.
pub(crate) unsafe fn pool_copy<T: Copy>(pool: *mut h2o_mem_pool_t, bytes: &[T], n: usize) -> *mut T {
    // SAFETY: the caller's pool; the allocation holds n.max(len) elements of T (pool memory is
    // 16-byte aligned), and nothing else refers to it yet.
    unsafe {
        let p = mem::pool::alloc(&mut *pool, n.max(bytes.len()).max(1) * size_of::<T>()).cast::<T>();
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
        p
    }
}

/// `h2o_url_normalize_path` over a pool (the HTTP/1 and HTTP/2 request paths): normalizes
/// `path` (see `crate::core::url`), returning the normalized path, the offset of the `?` (or
/// `usize::MAX`) and the index array (NULL when the path is used as is).
///
/// Ownership: the result is a view into `path` when it needs no change, the static "/" for an
/// empty or rejected path, else a new string from `pool` (not NUL-terminated, as 2.2.5); the index
/// array (`path.len() + 1` entries allocated, the first `result.len` meaningful) is from `pool` too.
///
/// # Safety
/// `pool` is initialized; `path` stays valid as long as the result is used.
pub unsafe fn normalize_path_in_pool(pool: *mut h2o_mem_pool_t, path: &[u8]) -> (h2o_iovec_t, usize, *mut usize) {
    let n = normalize_path(path);
    let query_at = n.query_at.unwrap_or(usize::MAX);
    let src_len = n.query_at.unwrap_or(path.len());
    match &n.path {
        NormalizedPath::Empty => (root_iovec(), query_at, std::ptr::null_mut()),
        NormalizedPath::AsIs { len } => {
            (h2o_iovec_t { base: path.as_ptr() as *mut c_char, len: *len }, query_at, std::ptr::null_mut())
        }
        NormalizedPath::Rebuilt { path: out, indexes } => {
            // SAFETY: the caller's pool.
            let (base, idx) = unsafe { (pool_copy(pool, out, src_len + 1), pool_copy(pool, indexes, src_len + 1)) };
            (h2o_iovec_t { base: base.cast(), len: out.len() }, query_at, idx)
        }
        NormalizedPath::Rejected { rebuilt, indexes } => {
            eprintln!(
                "libh2o-rs: path normalization left a \"..\" segment, using \"/\": `{}` => `{}`",
                String::from_utf8_lossy(path),
                String::from_utf8_lossy(rebuilt)
            );
            // SAFETY: the caller's pool.
            let idx = unsafe { pool_copy(pool, indexes, src_len + 1) };
            (root_iovec(), query_at, idx)
        }
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> (String, Option<usize>) {
        let n = normalize_path(s.as_bytes());
        (String::from_utf8_lossy(n.bytes(s.as_bytes())).into_owned(), n.query_at)
    }

    #[test]
    fn unchanged_paths_are_views() {
        assert_eq!(normalize_path(b"/abc/def"), Normalization { path: NormalizedPath::AsIs { len: 8 }, query_at: None });
        assert_eq!(normalize_path(b"/a?b/./%41"), Normalization { path: NormalizedPath::AsIs { len: 2 }, query_at: Some(2) });
        assert_eq!(normalize_path(b"/a%"), Normalization { path: NormalizedPath::AsIs { len: 3 }, query_at: None });
        assert_eq!(normalize_path(b""), Normalization { path: NormalizedPath::Empty, query_at: None });
    }

    #[test]
    fn rebuilt_paths() {
        assert_eq!(norm("/a/./b"), ("/a/b".into(), None));
        assert_eq!(norm("/a/../b"), ("/b".into(), None));
        assert_eq!(norm("/../../x"), ("/x".into(), None));
        assert_eq!(norm("/a/b/.."), ("/a/".into(), None));
        assert_eq!(norm("/a/b/."), ("/a/b/".into(), None));
        assert_eq!(norm("/%41%2f..%2Fc?q=%41"), ("/c".into(), Some(13)));
        assert_eq!(norm("abc"), ("/abc".into(), None));
        assert_eq!(norm("?x"), ("/".into(), Some(0)));
        assert_eq!(norm("/.hidden"), ("/.hidden".into(), None));
        assert_eq!(norm("//.."), ("/".into(), None));
        assert_eq!(norm("/%zz"), ("/%zz".into(), None));
    }

    #[test]
    fn hostport() {
        assert_eq!(parse_hostport(b"example.com:8080/x"), HostPort { host: Some(0..11), port: 8080, end: Some(16) });
        assert_eq!(parse_hostport(b"[::1]/"), HostPort { host: Some(1..4), port: 65535, end: Some(5) });
        assert_eq!(parse_hostport(b":80").end, None);
        assert_eq!(parse_hostport(b"a:65535").end, None);
        assert_eq!(parse_hostport(b"[::1").host, None);
    }

    #[test]
    fn urls() {
        let u = parse(b"https://h:1/p?q").unwrap();
        assert_eq!((u.scheme, u.authority, u.host, u.port, u.path), (Some(Scheme::Https), Some(8..11), Some(8..9), 1, UrlPath::In(11..15)));
        assert_eq!(parse(b"http://h").unwrap().path, UrlPath::Root);
        assert!(parse(b"ftp://h/").is_none());
        assert_eq!(parse(b"http://h?x").unwrap().host, Some(7..10));
        assert!(parse(b"http://h:x/").is_none());
        let r = parse_relative(b"../a").unwrap();
        assert_eq!((r.scheme, r.authority, r.path), (None, None, UrlPath::In(0..4)));
        assert_eq!(resolve_path(b"/a/b/c", b"../d"), (3, 3));
        assert_eq!(resolve_path(b"/a/b/c", b"/d"), (0, 0));
        assert_eq!(resolve_path(b"/a", b"../../.x"), (1, 6));
    }

    #[test]
    fn sun() {
        assert_eq!(unix_socket_path(b"unix:/tmp/s", 108), Ok(&b"/tmp/s"[..]));
        assert_eq!(unix_socket_path(b"unix:x", 108), Err(SunError::TooLong));
        assert_eq!(unix_socket_path(b"tcp:x", 108), Err(SunError::NotUnixSocket));
    }

    #[test]
    fn indexes_point_after_each_source_byte() {
        match normalize_path(b"/%41b/./c").path {
            NormalizedPath::Rebuilt { path, indexes } => {
                assert_eq!(path, b"/Ab/c");
                assert_eq!(indexes, vec![1, 4, 5, 6, 9]);
            }
            other => panic!("{other:?}"),
        }
    }
}
