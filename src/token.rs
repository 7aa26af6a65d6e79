//! Header-name tokens: the fixed set of well-known (lower-case) header names that libh2o 2.2.5
//! interns, each with its HPACK static-table index and a few flags.
//!
//! The list below is interoperability data: programs built against 2.2.5 refer to tokens by their
//! index (`H2O_TOKEN_HOST` is element 30 of the exported array), and the flags drive behaviour
//! (hop-by-hop headers, what HTTP/2 rejects, ...). Names, order, indices and flags are 2.2.5's;
//! `tests/abi` compares every entry with Debian's library at test time.
//!
//! The C view of this table, the exported `h2o__tokens` array (an `abi::token::TokenTable`), is
//! built from [`TOKENS`] here: token identity is pointer identity into it, and the engine hands out
//! those pointers (header names), so the data object lives in this module.
//!
//! The table is an exported data object of exactly 2.2.5's size (100 entries of 24 bytes):
//! executables built against 2.2.5 use `H2O_TOKEN_HOST` (= `h2o__tokens + 30`) directly, so their
//! linker copy-relocates the array into the executable, and every reference the library makes to
//! it (through the GOT, as for any exported data of a shared object) then sees that copy.

pub use crate::abi::token::MAX_TOKENS;

/// Flag bits, as laid out in the flags byte of 2.2.5's `h2o_token_t` (x86_64 bit-field order).
pub mod flag {
    /// `proxy_should_drop_for_req`: a hop-by-hop header a proxy does not forward upstream.
    pub const DROP_REQ: u8 = 1 << 0;
    /// `proxy_should_drop_for_res`: a header a proxy does not forward downstream.
    pub const DROP_RES: u8 = 1 << 1;
    /// `is_init_header_special`: the HTTP/1 request parser handles it itself.
    pub const INIT_SPECIAL: u8 = 1 << 2;
    /// `http2_should_reject`: a connection-specific header HTTP/2 forbids.
    pub const H2_REJECT: u8 = 1 << 3;
    /// `copy_for_push_request`: copied from the request into a pushed request.
    pub const PUSH_COPY: u8 = 1 << 4;
    /// `dont_compress`: never added to the HPACK dynamic table.
    pub const NO_COMPRESS: u8 = 1 << 5;
}

/// One token: its name (NUL-terminated, as C code may print `token->buf.base` with `%s`), the
/// index of the first HPACK static-table entry (RFC 7541, appendix A) with this name (0: none),
/// and its [`flag`] bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub c_name: &'static CStr,
    pub hpack_index: u8,
    pub flags: u8,
}

impl Token {
    /// The name without its NUL.
    pub const fn name(&self) -> &'static [u8] {
        self.c_name.to_bytes()
    }
}

const fn t(c_name: &'static CStr, hpack_index: u8, flags: u8) -> Token {
    Token { c_name, hpack_index, flags }
}

use std::ffi::CStr;

use flag::*;
use std::ffi::c_char;
use std::mem::size_of;

use crate::abi::memory::h2o_iovec_t;
use crate::abi::token::{h2o_token_t, TokenTable};

const fn table() -> TokenTable {
    let empty = h2o_token_t { buf: h2o_iovec_t::EMPTY, http2_static_table_name_index: 0, flags: 0 };
    let mut a = [empty; MAX_TOKENS];
    let mut i = 0;
    while i < TOKENS.len() {
        let t = &TOKENS[i];
        a[i] = h2o_token_t {
            buf: h2o_iovec_t { base: t.c_name.as_ptr() as *mut c_char, len: t.name().len() },
            http2_static_table_name_index: t.hpack_index as c_char,
            flags: t.flags,
        };
        i += 1;
    }
    TokenTable(a)
}

/// `h2o_token_t h2o__tokens[H2O_MAX_TOKENS]`: every token at its 2.2.5 index (`H2O_TOKEN_*`), then
/// zeroed slots. Read-only (writing to it is undefined behaviour).
#[unsafe(no_mangle)]
pub static h2o__tokens: TokenTable = table();

/// `size_t h2o__num_tokens`: the number of used slots of `h2o__tokens`.
#[unsafe(no_mangle)]
pub static h2o__num_tokens: usize = TOKENS.len();

/// The address of element 0 of the array in use (the executable's copy when it copy-relocated it).
#[inline]
pub fn base() -> *const h2o_token_t {
    (&raw const h2o__tokens).cast::<h2o_token_t>()
}


/// The element of the array in use for the token named exactly `name`, or NULL.
pub fn lookup_ptr(name: &[u8]) -> *const h2o_token_t {
    match lookup(name) {
        // SAFETY: `i < TOKENS.len() <= MAX_TOKENS`, an element of the array.
        Some(i) => unsafe { base().add(i) },
        None => std::ptr::null(),
    }
}

/// Whether `buf` is the `buf` member of an element of the array in use (pointer comparison only;
/// `buf` is not dereferenced, so any pointer, NULL included, is fine).
pub fn is_token_ptr(buf: *const h2o_iovec_t) -> bool {
    let start = base() as usize;
    let p = buf as usize;
    let inside = p >= start && p - start < MAX_TOKENS * size_of::<h2o_token_t>();
    inside && (p - start).is_multiple_of(size_of::<h2o_token_t>())
}

/// Every token of 2.2.5, at its 2.2.5 index (the `H2O_TOKEN_*` macros of `h2o/token.h`).
pub const TOKENS: [Token; 62] = [
    t(c":authority", 1, 0),
    t(c":method", 2, 0),
    t(c":path", 4, 0),
    t(c":scheme", 6, 0),
    t(c":status", 8, 0),
    t(c"accept", 19, PUSH_COPY),
    t(c"accept-charset", 15, PUSH_COPY),
    t(c"accept-encoding", 16, PUSH_COPY),
    t(c"accept-language", 17, PUSH_COPY),
    t(c"accept-ranges", 18, 0),
    t(c"access-control-allow-origin", 20, 0),
    t(c"age", 21, 0),
    t(c"allow", 22, 0),
    t(c"authorization", 23, 0),
    t(c"cache-control", 24, 0),
    t(c"cache-digest", 0, 0),
    t(c"connection", 0, DROP_REQ | DROP_RES | H2_REJECT),
    t(c"content-disposition", 25, 0),
    t(c"content-encoding", 26, 0),
    t(c"content-language", 27, 0),
    t(c"content-length", 28, INIT_SPECIAL),
    t(c"content-location", 29, 0),
    t(c"content-range", 30, 0),
    t(c"content-type", 31, 0),
    t(c"cookie", 32, NO_COMPRESS),
    t(c"date", 33, DROP_RES),
    t(c"etag", 34, 0),
    t(c"expect", 35, INIT_SPECIAL),
    t(c"expires", 36, 0),
    t(c"from", 37, 0),
    t(c"host", 38, INIT_SPECIAL | H2_REJECT),
    t(c"http2-settings", 0, DROP_REQ | H2_REJECT),
    t(c"if-match", 39, 0),
    t(c"if-modified-since", 40, 0),
    t(c"if-none-match", 41, 0),
    t(c"if-range", 42, 0),
    t(c"if-unmodified-since", 43, 0),
    t(c"keep-alive", 0, DROP_REQ | DROP_RES),
    t(c"last-modified", 44, 0),
    t(c"link", 45, 0),
    t(c"location", 46, 0),
    t(c"max-forwards", 47, 0),
    t(c"proxy-authenticate", 48, DROP_REQ),
    t(c"proxy-authorization", 49, DROP_REQ),
    t(c"range", 50, 0),
    t(c"referer", 51, 0),
    t(c"refresh", 52, 0),
    t(c"retry-after", 53, 0),
    t(c"server", 54, 0),
    t(c"set-cookie", 55, NO_COMPRESS),
    t(c"strict-transport-security", 56, 0),
    t(c"te", 0, DROP_REQ | H2_REJECT),
    t(c"transfer-encoding", 57, DROP_REQ | DROP_RES | INIT_SPECIAL | H2_REJECT),
    t(c"upgrade", 0, DROP_REQ | DROP_RES | INIT_SPECIAL | H2_REJECT),
    t(c"user-agent", 58, PUSH_COPY),
    t(c"vary", 59, 0),
    t(c"via", 60, 0),
    t(c"www-authenticate", 61, 0),
    t(c"x-compress-hint", 0, 0),
    t(c"x-forwarded-for", 0, 0),
    t(c"x-reproxy-url", 0, 0),
    t(c"x-traffic", 0, 0),
];

const _: () = assert!(TOKENS.len() <= MAX_TOKENS && TOKENS.len() < u8::MAX as usize);

// --- lookup ------------------------------------------------------------------------------------
//
// Names are bucketed by length at compile time; a bucket lists its token indices (at most
// `BUCKET` of them). A lookup indexes the bucket by length, then checks the last byte (which
// tells most names of one length apart) before comparing the whole name.

const LONGEST: usize = longest();
const BUCKET: usize = 8;
const NONE: u8 = u8::MAX;

const fn longest() -> usize {
    let mut m = 0;
    let mut i = 0;
    while i < TOKENS.len() {
        if TOKENS[i].name().len() > m {
            m = TOKENS[i].name().len();
        }
        i += 1;
    }
    m
}

static BY_LEN: [[u8; BUCKET]; LONGEST + 1] = by_len();

const fn by_len() -> [[u8; BUCKET]; LONGEST + 1] {
    let mut b = [[NONE; BUCKET]; LONGEST + 1];
    let mut i = 0;
    while i < TOKENS.len() {
        let n = TOKENS[i].name().len();
        let mut j = 0;
        while b[n][j] != NONE {
            j += 1;
            assert!(j < BUCKET, "more than BUCKET names of one length: raise BUCKET");
        }
        b[n][j] = i as u8;
        i += 1;
    }
    b
}

/// The index in [`TOKENS`] of `name`, at compile time (for constants: panics if it is none).
pub const fn index_of(name: &[u8]) -> usize {
    let mut i = 0;
    while i < TOKENS.len() {
        let n = TOKENS[i].name();
        if n.len() == name.len() {
            let mut k = 0;
            while k < n.len() && n[k] == name[k] {
                k += 1;
            }
            if k == n.len() {
                return i;
            }
        }
        i += 1;
    }
    panic!("not a token")
}

/// The index in [`TOKENS`] of the token named exactly `name` (lower case, as 2.2.5: no case
/// folding), or `None`.
#[inline]
pub fn lookup(name: &[u8]) -> Option<usize> {
    let bucket = BY_LEN.get(name.len())?;
    let last = *name.last()?;
    for &i in bucket {
        if i == NONE {
            break;
        }
        let cand = TOKENS[i as usize].name();
        if cand[cand.len() - 1] == last && cand == name {
            return Some(i as usize);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_found_at_its_index() {
        for (i, t) in TOKENS.iter().enumerate() {
            assert_eq!(lookup(t.name()), Some(i), "{:?}", t.c_name);
        }
    }

    #[test]
    fn names_are_unique_lower_case_and_sorted_after_the_pseudo_headers() {
        for (i, t) in TOKENS.iter().enumerate() {
            let n = t.name();
            assert!(!n.is_empty());
            assert!(n.iter().all(|c| !c.is_ascii_uppercase()), "{:?}", t.c_name);
            assert_eq!(n.starts_with(b":"), i < 5, "{:?}", t.c_name);
            if i > 5 {
                assert!(TOKENS[i - 1].name() < n, "{:?} after {:?}", t.c_name, TOKENS[i - 1].c_name);
            }
        }
    }

    #[test]
    fn unknown_and_near_misses_are_not_tokens() {
        for n in [
            &b""[..],
            b"Host",
            b"HOST",
            b"hos",
            b"hostx",
            b"host ",
            b" host",
            b"x-traffiC",
            b"content-lengtH",
            b"contentlength",
            b"content_length",
            b"x",
            b":",
            b":path\0",
            b"access-control-allow-origins",
            &[b'a'; 300],
        ] {
            assert_eq!(lookup(n), None, "{:?}", String::from_utf8_lossy(n));
        }
    }

    #[test]
    fn every_one_byte_change_misses_unless_it_names_another_token() {
        for t in TOKENS.iter() {
            let mut n = t.name().to_vec();
            for p in 0..n.len() {
                let orig = n[p];
                for c in 0..=255u8 {
                    n[p] = c;
                    let want = TOKENS.iter().position(|u| u.name() == &n[..]);
                    assert_eq!(lookup(&n), want);
                }
                n[p] = orig;
            }
        }
    }

    #[test]
    fn hpack_indices_name_the_static_table() {
        // RFC 7541 appendix A: the pseudo-headers' first entries, and the contiguous range 15..=61
        let pseudo = [(":authority", 1), (":method", 2), (":path", 4), (":scheme", 6), (":status", 8)];
        for (n, i) in pseudo {
            assert_eq!(TOKENS[lookup(n.as_bytes()).unwrap()].hpack_index, i);
        }
        let mut seen: Vec<u8> = TOKENS.iter().map(|t| t.hpack_index).filter(|&i| i >= 15).collect();
        seen.sort();
        assert_eq!(seen, (15..=61).collect::<Vec<u8>>());
    }
}
