//! `Link` response headers and server push (2.2.5's `h2o_extract_push_path_from_link_header`):
//! which paths a `Link: <url>; rel=preload` value asks to push, and the value with the links marked
//! `x-http2-push-only` removed. Pure and safe; the C glue (`ffi::core`) copies the results into the
//! request's pool.
//!
//! The value is a list of `<url>; attr[=value]; ...` elements separated by `,`; scanning stops at the
//! first element that does not start with `<...>`. An element is pushed when it has `rel=preload`
//! (case-insensitive) and no `nopush`; its URL is resolved against the request (see
//! [`push_path`]) and dropped when it names another scheme or authority.
#![forbid(unsafe_code)]

use std::borrow::Cow;
use std::ops::Range;

use crate::core::url::{self, Scheme, UrlPath};
use crate::strings::{lcstris, next_token};

/// What [`scan`] found in one `Link` value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LinkScan {
    /// The URLs (without the brackets) of the elements to push, in order.
    pub push_urls: Vec<Range<usize>>,
    /// The value without its `x-http2-push-only` elements; `None` when it has none (the value is
    /// kept as is).
    pub filtered: Option<Vec<u8>>,
}

fn push_filtered(filtered: &mut Vec<u8>, part: &[u8]) {
    if !filtered.is_empty() {
        filtered.extend_from_slice(b", ");
    }
    filtered.extend_from_slice(part);
}

/// Scans a `Link` header value as 2.2.5 does (see the module's doc).
pub fn scan(value: &[u8]) -> LinkScan {
    let mut out = LinkScan::default();
    let mut from = 0;
    // the token the loop stopped at (2.2.5's `token`): where the kept rest of the value starts
    let mut stopped_at: Option<usize>;
    loop {
        let Some(t) = next_token(value, from, b';', false) else {
            stopped_at = None;
            break;
        };
        from = t.rest;
        let tok = &value[t.token_start..t.token_start + t.token_len];
        if !(tok.len() >= 2 && tok[0] == b'<' && tok[tok.len() - 1] == b'>') {
            stopped_at = Some(t.token_start);
            break;
        }
        let url_start = t.token_start;
        let (mut preload, mut nopush, mut push_only) = (false, false, false);
        loop {
            let Some(a) = next_token(value, from, b';', true) else {
                stopped_at = None;
                break;
            };
            from = a.rest;
            stopped_at = Some(a.token_start);
            let name = &value[a.token_start..a.token_start + a.token_len];
            if name == b"," {
                break;
            }
            if lcstris(name, b"rel") {
                if let Some(Some((vs, vl))) = a.value
                    && lcstris(&value[vs..vs + vl], b"preload")
                {
                    preload = true;
                }
            } else if lcstris(name, b"nopush") {
                nopush = true;
            } else if lcstris(name, b"x-http2-push-only") {
                push_only = true;
            }
        }
        if preload && !nopush {
            out.push_urls.push(url_start + 1..url_start + tok.len() - 1);
        }
        if push_only {
            if out.filtered.is_none() {
                let mut f = Vec::with_capacity(value.len() * 2);
                if let Some(comma) = value[..url_start].iter().rposition(|&c| c == b',') {
                    push_filtered(&mut f, &value[..comma]);
                }
                out.filtered = Some(f);
            }
        } else if let Some(f) = out.filtered.as_mut() {
            push_filtered(f, &value[url_start..stopped_at.unwrap_or(value.len())]);
        }
        if stopped_at.is_none() {
            break;
        }
    }
    if let (Some(f), Some(at)) = (out.filtered.as_mut(), stopped_at) {
        push_filtered(f, &value[at..]);
    }
    out
}

/// The absolute path to push for the link URL `link` of a request, or `None` (unparsable, or
/// another scheme or authority). `S` identifies schemes (C: the scheme object's address):
/// `scheme_of` maps a scheme written in the URL to it. The request's `input_scheme` and
/// `input_authority` are what the client asked for; `base` (when the response was delegated) the
/// scheme and authority the link is relative to instead; `base_path` the request's normalized path
/// (starts with `/`). As 2.2.5, the authorities are compared by lower-casing the request's only.
pub fn push_path<'a, S: Copy + PartialEq>(
    link: &'a [u8],
    base_path: &[u8],
    input_scheme: S,
    input_authority: &[u8],
    base: Option<(S, &'a [u8])>,
    scheme_of: impl Fn(Scheme) -> S,
) -> Option<Cow<'a, [u8]>> {
    let parsed = url::parse_relative(link)?;
    if base.is_none() && parsed.scheme.is_none() && parsed.authority.is_none() && link.first() == Some(&b'/') {
        return Some(Cow::Borrowed(link));
    }
    let (base_scheme, base_authority) = base.unwrap_or((input_scheme, input_authority));
    let scheme = parsed.scheme.map_or(base_scheme, scheme_of);
    let authority = parsed.authority.clone().map_or(base_authority, |r| &link[r]);
    let rel: &[u8] = match &parsed.path {
        UrlPath::Root => b"/",
        UrlPath::In(r) => &link[r.clone()],
    };
    let (keep, off) = url::resolve_path(base_path, rel);
    let mut path = base_path[..keep.min(base_path.len())].to_vec();
    path.extend_from_slice(&rel[off..]);
    if scheme != input_scheme || !lcstris(input_authority, authority) {
        return None;
    }
    Some(Cow::Owned(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(v: &str) -> Vec<&str> {
        scan(v.as_bytes()).push_urls.into_iter().map(|r| &v[r]).collect()
    }

    #[test]
    fn preload_and_nopush() {
        assert_eq!(urls("</a.css>; rel=preload"), ["/a.css"]);
        assert_eq!(urls("</a.css>; rel=preload, </b.js>; rel=preload; nopush, </c.js>; REL=PreLoad"), ["/a.css", "/c.js"]);
        assert_eq!(urls("</a.css>; rel=stylesheet"), Vec::<&str>::new());
        assert_eq!(urls("</a.css>; rel"), Vec::<&str>::new());
        assert_eq!(urls("x, </a.css>; rel=preload"), Vec::<&str>::new(), "stops at the first non-<url> element");
        assert_eq!(scan(b"</a.css>; rel=preload").filtered, None);
    }

    #[test]
    fn push_only_is_filtered_out() {
        let f = |v: &str| String::from_utf8(scan(v.as_bytes()).filtered.unwrap()).unwrap();
        assert_eq!(f("</a>; rel=preload; x-http2-push-only"), "");
        assert_eq!(f("</a>; rel=preload, </b>; rel=preload; x-http2-push-only, </c>; rel=preload"), "</a>; rel=preload, </c>; rel=preload");
        assert_eq!(urls("</a>; rel=preload; x-http2-push-only"), ["/a"]);
    }

    #[test]
    fn resolution_and_authority() {
        let p = |link: &str, base: Option<(u8, &'static [u8])>| {
            push_path(link.as_bytes(), b"/dir/page.html", 1u8, b"example.com", base, |s| if s == Scheme::Http { 1 } else { 2 })
                .map(|c| String::from_utf8(c.into_owned()).unwrap())
        };
        assert_eq!(p("/a.css", None).as_deref(), Some("/a.css"));
        assert_eq!(p("a.css", None).as_deref(), Some("/dir/a.css"));
        assert_eq!(p("../a.css", None).as_deref(), Some("/a.css"));
        assert_eq!(p("http://example.com/x", None).as_deref(), Some("/x"));
        assert_eq!(p("//example.com/x", None).as_deref(), Some("/x"));
        assert_eq!(p("https://example.com/x", None), None, "another scheme");
        assert_eq!(p("http://other.com/x", None), None, "another authority");
        assert_eq!(p("/a.css", Some((1, b"example.com"))).as_deref(), Some("/a.css"));
        assert_eq!(p("/a.css", Some((1, b"other.com"))), None);
        assert_eq!(p("http://EXAMPLE.com/x", None), None, "2.2.5 lower-cases only the request's authority");
        // ... so a request authority in upper case refuses even relative links (as 2.2.5)
        assert_eq!(push_path(b"a.css", b"/", 1u8, b"Example.com", None, |_| 1), None);
    }
}
