//! URLs of `h2o/url.h` with 2.2.5's semantics, as safe functions over byte slices. The C wrappers
//! (`crate::ffi::url`) copy results into the caller's pool.
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
