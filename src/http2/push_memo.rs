//! The URLs a connection has pushed (2.2.5's `push_memo`): a client keeps what a server pushed on
//! a connection for as long as the connection lives, so a second push of the same
//! scheme + authority + path on that connection would only be cancelled by the client (or sent
//! twice). The first push of a URL records it; later ones are not made at all — whichever client
//! stream, handler call or `Link` header asks, and also when the first push was cancelled (as
//! 2.2.5, which records the URL before opening the stream).
//!
//! A URL is remembered by a 64-bit keyed hash (the key random per process, so a client cannot aim
//! collisions at a path; a collision only costs a push). At most [`CAPACITY`] URLs are kept per
//! connection (a few hundred KiB at most); once that many were pushed, the connection pushes
//! nothing more, so a long-lived connection's memory stays bounded (2.2.5's memo has no bound) and
//! no URL is ever pushed twice on it (a handler and the response's `Link` header often ask for
//! the same path for one response).

#![forbid(unsafe_code)]

use std::collections::HashSet;
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::OnceLock;

/// The most URLs one connection remembers.
pub const CAPACITY: usize = 16384;

/// One connection's memo.
#[derive(Default)]
pub struct Memo {
    seen: HashSet<u64, IdentityHash>,
}

impl Memo {
    /// The URL's key when it may be pushed: `None` when it was pushed on this connection already,
    /// or [`CAPACITY`] URLs were. Give the key to [`Memo::record`] once the push is made.
    pub fn unpushed(&self, scheme: &[u8], authority: &[u8], path: &[u8]) -> Option<UrlKey> {
        if self.seen.len() >= CAPACITY {
            return None;
        }
        let key = url_key(scheme, authority, path);
        (!self.seen.contains(&key)).then_some(UrlKey(key))
    }

    /// Records a URL being pushed.
    pub fn record(&mut self, key: UrlKey) {
        self.seen.insert(key.0);
    }

    /// URLs remembered.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.seen.len()
    }

    /// [`Memo::unpushed`], then [`Memo::record`] (as `conn::push` uses them, around the reservation).
    #[cfg(test)]
    fn first_push(&mut self, scheme: &[u8], authority: &[u8], path: &[u8]) -> bool {
        self.unpushed(scheme, authority, path).map(|k| self.record(k)).is_some()
    }
}

/// A URL as the memo keeps it (from [`Memo::unpushed`]).
#[derive(Clone, Copy)]
pub struct UrlKey(u64);

fn url_key(scheme: &[u8], authority: &[u8], path: &[u8]) -> u64 {
    static KEYS: OnceLock<RandomState> = OnceLock::new();
    let mut h = KEYS.get_or_init(RandomState::new).build_hasher();
    // Lengths first: ("ab", "c") and ("a", "bc") are different URLs.
    h.write_usize(scheme.len());
    h.write_usize(authority.len());
    h.write(scheme);
    h.write(authority);
    h.write(path);
    h.finish()
}

/// The keys are hashes already: the set uses them as they are.
#[derive(Default, Clone, Copy)]
struct IdentityHash;

impl BuildHasher for IdentityHash {
    type Hasher = Identity;
    fn build_hasher(&self) -> Identity {
        Identity(0)
    }
}

#[derive(Default)]
struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_pushed_once_per_connection() {
        let mut m = Memo::default();
        assert!(m.first_push(b"https", b"example.com", b"/style.css"));
        assert!(!m.first_push(b"https", b"example.com", b"/style.css"));
        assert!(m.first_push(b"https", b"example.com", b"/app.js"));
        assert!(m.first_push(b"http", b"example.com", b"/style.css"), "another scheme is another URL");
        assert!(m.first_push(b"https", b"example.org", b"/style.css"), "another authority is another URL");
        assert!(m.first_push(b"https", b"example.com", b"/style.css?v=2"));
        assert_eq!(m.len(), 5);
        // a fresh connection pushes again
        assert!(Memo::default().first_push(b"https", b"example.com", b"/style.css"));
    }

    #[test]
    fn fields_do_not_run_together() {
        let mut m = Memo::default();
        assert!(m.first_push(b"https", b"a.b", b"/c"));
        assert!(m.first_push(b"https", b"a.b/", b"c"));
        assert!(m.first_push(b"http", b"sa.b", b"/c"));
    }

    #[test]
    fn bounded_past_capacity() {
        let mut m = Memo::default();
        for i in 0..CAPACITY {
            assert!(m.first_push(b"https", b"h", format!("/{i}").as_bytes()));
        }
        assert_eq!(m.len(), CAPACITY);
        assert!(!m.first_push(b"https", b"h", b"/0"), "the first URLs are still remembered");
        assert!(!m.first_push(b"https", b"h", b"/new"), "full: nothing more is pushed");
        assert!(!m.first_push(b"https", b"h", b"/new"), "... and so never twice");
        assert_eq!(m.len(), CAPACITY);
    }
}
