//! The log-format compiler (`h2o_logconf_compile`): turns an Apache-style format string into a
//! list of elements, each a directive followed by the literal text up to the next directive, with
//! 2.2.5's directive set, its error messages and its JSON "magic quote" marks.
//!
//! A format is compiled once and then only read, so a [`LogConf`] is shared freely between threads.

use std::ffi::CString;

use crate::strings::lcstris;

/// `H2O_LOGCONF_ESCAPE_APACHE`: bytes outside printable ASCII (and `"`, `}`, `~`) become `\xNN`.
pub const ESCAPE_APACHE: i32 = 0;
/// `H2O_LOGCONF_ESCAPE_JSON`: `"` and `\` get a backslash, other unprintable bytes `\u00NN`.
pub const ESCAPE_JSON: i32 = 1;

/// 2.2.5's default (Apache "combined") format, used when the caller gives none.
pub const DEFAULT_FORMAT: &[u8] = b"%h %l %u %t \"%r\" %s %b \"%{Referer}i\" \"%{User-agent}i\"";

/// How values are escaped, and what stands for a missing one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escape {
    /// Missing values are `-`.
    Apache,
    /// Missing values are `null` (and the quotes around a quoted `null` are dropped).
    Json,
}

/// The span a `%{...}x` timing directive measures (the `h2o_time_compute_*` helpers of h2o.h).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    /// connection accepted -> request began (`connect-time`)
    Connect,
    /// request began -> headers done (or body began) (`request-header-time`)
    Header,
    /// body began -> request processed (`request-body-time`)
    Body,
    /// request began -> request processed (`request-total-time`)
    RequestTotal,
    /// request processed -> response started (`process-time`)
    Process,
    /// response started -> response ended (`response-time`)
    Response,
    /// request began -> response ended (`duration`)
    Duration,
}

/// What one element writes before its literal suffix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// nothing (the literal text before the first directive)
    Empty,
    /// `%A`
    LocalAddr,
    /// `%b`
    BytesSent,
    /// `%H`
    Protocol,
    /// `%h`
    RemoteAddr,
    /// `%l` (always missing)
    Logname,
    /// `%m`
    Method,
    /// `%p`, `%{local}p`
    LocalPort,
    /// `%{remote}p`
    RemotePort,
    /// `%{name}e` (and `%e`: the empty name); written as is, not escaped (as 2.2.5)
    EnvVar(Vec<u8>),
    /// `%q`
    Query,
    /// `%r`
    RequestLine,
    /// `%s`
    Status,
    /// `%t`
    Timestamp,
    /// `%{format}t`: strftime of the local time
    Strftime(CString),
    /// `%{sec}t`
    Sec,
    /// `%{msec}t`
    Msec,
    /// `%{usec}t`
    Usec,
    /// `%{msec_frac}t`
    MsecFrac,
    /// `%{usec_frac}t`
    UsecFrac,
    /// `%U`
    UrlPath,
    /// `%u` (the REMOTE_USER variable)
    RemoteUser,
    /// `%V`
    Authority,
    /// `%v`
    HostConf,
    /// `%{name}i` for a token name (index into the token table)
    InHeaderToken(usize),
    /// `%{name}i` for another name (lower case)
    InHeaderString(Vec<u8>),
    /// `%{name}o` for a token name
    OutHeaderToken(usize),
    /// `%{name}o` for another name (lower case)
    OutHeaderString(Vec<u8>),
    /// `%{set-cookie}o`: every value, joined with ", "
    OutHeaderTokenConcatenated(usize),
    /// an unknown `%{name}x` (always missing)
    ExtendedVar,
    /// `%{connection-id}x`
    ConnectionId,
    /// a `%{...-time}x` or `%{duration}x`
    Timing(Span),
    /// `%{error}x`
    Error,
    /// `%{ssl.*}x`, `%{http1.*}x`, `%{http2.*}x`: slot of `h2o_conn_callbacks_t.log_`
    ProtocolSpecific(usize),
}

/// One directive and the literal text after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    pub kind: Kind,
    pub suffix: Vec<u8>,
    /// JSON only: the value sits between quotes that a missing value (`null`) drops.
    pub magically_quoted_json: bool,
    /// `%<s`, `%<{name}o`: the response before output filters rewrote it.
    pub original_response: bool,
}

/// A compiled format (`h2o_logconf_t`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogConf {
    pub elements: Vec<Element>,
    pub escape: Escape,
}

/// The `%{name}x` names 2.2.5 knows, with what each writes. Matched case-insensitively.
const EXTENSIONS: &[(&[u8], Kind)] = &[
    (b"connection-id", Kind::ConnectionId),
    (b"connect-time", Kind::Timing(Span::Connect)),
    (b"request-total-time", Kind::Timing(Span::RequestTotal)),
    (b"request-header-time", Kind::Timing(Span::Header)),
    (b"request-body-time", Kind::Timing(Span::Body)),
    (b"process-time", Kind::Timing(Span::Process)),
    (b"response-time", Kind::Timing(Span::Response)),
    (b"duration", Kind::Timing(Span::Duration)),
    (b"error", Kind::Error),
    // the slots of h2o_conn_callbacks_t.log_: ssl (0..5), http1 (5), http2 (6..14)
    (b"ssl.protocol-version", Kind::ProtocolSpecific(0)),
    (b"ssl.session-reused", Kind::ProtocolSpecific(1)),
    (b"ssl.cipher", Kind::ProtocolSpecific(2)),
    (b"ssl.cipher-bits", Kind::ProtocolSpecific(3)),
    (b"ssl.session-id", Kind::ProtocolSpecific(4)),
    (b"http1.request-index", Kind::ProtocolSpecific(5)),
    (b"http2.stream-id", Kind::ProtocolSpecific(6)),
    (b"http2.priority.received", Kind::ProtocolSpecific(7)),
    (b"http2.priority.received.exclusive", Kind::ProtocolSpecific(8)),
    (b"http2.priority.received.parent", Kind::ProtocolSpecific(9)),
    (b"http2.priority.received.weight", Kind::ProtocolSpecific(10)),
    (b"http2.priority.actual", Kind::ProtocolSpecific(11)),
    (b"http2.priority.actual.parent", Kind::ProtocolSpecific(12)),
    (b"http2.priority.actual.weight", Kind::ProtocolSpecific(13)),
];

/// Number of protocol-specific slots (`h2o_conn_callbacks_t.log_.callbacks`).
pub const PROTOCOL_SPECIFIC_SLOTS: usize = 14;

const PREFIX: &str = "failed to compile log format: ";

/// Compiles `fmt` (the bytes of a C string: no NUL inside) for escape mode `escape`
/// ([`ESCAPE_APACHE`] or [`ESCAPE_JSON`]). On error, the message 2.2.5 writes to its errbuf (without
/// the NUL; an unknown escape mode, which 2.2.5 only notices when it logs, is refused here).
pub fn compile(fmt: &[u8], escape: i32) -> Result<LogConf, Vec<u8>> {
    let escape = match escape {
        ESCAPE_APACHE => Escape::Apache,
        ESCAPE_JSON => Escape::Json,
        _ => return Err(format!("{PREFIX}unknown escape mode {escape}").into_bytes()),
    };
    // C string semantics: reading past the end gives NUL.
    let at = |i: usize| fmt.get(i).copied().unwrap_or(0);
    let mut elements: Vec<Element> = Vec::new();
    let push = |elements: &mut Vec<Element>, kind: Kind, original_response: bool| {
        elements.push(Element { kind, suffix: Vec::new(), magically_quoted_json: false, original_response });
    };
    let mut i = 0;
    while i < fmt.len() {
        if fmt[i] == b'%' && at(i + 1) == b'%' {
            i += 1; // the second '%' is literal text
        } else if fmt[i] == b'%' {
            i += 1;
            // any run of '<' (the original response) and '>' (the final one): the last one counts
            let mut original = false;
            loop {
                match at(i) {
                    b'<' => original = true,
                    b'>' => original = false,
                    _ => break,
                }
                i += 1;
            }
            if at(i) == b'{' {
                i += 1;
                let Some(close) = fmt[i..].iter().position(|&c| c == b'}').map(|p| i + p) else {
                    return Err(unterminated(&fmt[i..]));
                };
                let name = &fmt[i..close];
                match at(close + 1) {
                    m @ (b'i' | b'o') => {
                        let lower = name.to_ascii_lowercase();
                        let kind = match crate::token::lookup(&lower) {
                            Some(t) if m == b'o' && crate::token::TOKENS[t].name() == b"set-cookie" => {
                                Kind::OutHeaderTokenConcatenated(t)
                            }
                            Some(t) if m == b'i' => Kind::InHeaderToken(t),
                            Some(t) => Kind::OutHeaderToken(t),
                            None if m == b'i' => Kind::InHeaderString(lower),
                            None => Kind::OutHeaderString(lower),
                        };
                        push(&mut elements, kind, original);
                    }
                    b'p' => {
                        let kind = match name {
                            b"local" => Kind::LocalPort,
                            b"remote" => Kind::RemotePort,
                            _ => return Err(format!("{PREFIX}unknown specifier for %{{...}}p").into_bytes()),
                        };
                        push(&mut elements, kind, false);
                    }
                    b'e' => push(&mut elements, Kind::EnvVar(name.to_vec()), false),
                    b't' => {
                        let kind = match name {
                            b"sec" => Kind::Sec,
                            b"msec" => Kind::Msec,
                            b"usec" => Kind::Usec,
                            b"msec_frac" => Kind::MsecFrac,
                            b"usec_frac" => Kind::UsecFrac,
                            // no NUL inside: `name` is part of a C string
                            _ => Kind::Strftime(CString::new(name).map_err(|_| b"failed to compile log format: NUL in format".to_vec())?),
                        };
                        push(&mut elements, kind, false);
                    }
                    b'x' => {
                        let kind = EXTENSIONS
                            .iter()
                            .find(|(n, _)| lcstris(name, n))
                            .map_or(Kind::ExtendedVar, |(_, k)| k.clone());
                        push(&mut elements, kind, false);
                    }
                    _ => {
                        return Err(format!("{PREFIX}header name is not followed by either `i`, `o`, `x`, `e`").into_bytes());
                    }
                }
                i = close + 2;
                continue;
            }
            let c = at(i);
            i += 1;
            let kind = match c {
                b'A' => Kind::LocalAddr,
                b'b' => Kind::BytesSent,
                b'H' => Kind::Protocol,
                b'h' => Kind::RemoteAddr,
                b'l' => Kind::Logname,
                b'm' => Kind::Method,
                b'p' => Kind::LocalPort,
                b'e' => Kind::EnvVar(Vec::new()),
                b'q' => Kind::Query,
                b'r' => Kind::RequestLine,
                b's' => Kind::Status,
                b't' => Kind::Timestamp,
                b'U' => Kind::UrlPath,
                b'u' => Kind::RemoteUser,
                b'V' => Kind::Authority,
                b'v' => Kind::HostConf,
                _ => {
                    let mut msg = format!("{PREFIX}unknown escape sequence: %").into_bytes();
                    if c != 0 {
                        msg.push(c); // as printf's %c; a NUL ends the C string there
                    }
                    return Err(msg);
                }
            };
            push(&mut elements, kind, original);
            continue;
        }
        if elements.is_empty() {
            push(&mut elements, Kind::Empty, false);
        }
        elements.last_mut().expect("an element exists").suffix.push(fmt[i]);
        i += 1;
    }
    if elements.is_empty() {
        push(&mut elements, Kind::Empty, false);
    }
    elements.last_mut().expect("an element exists").suffix.push(b'\n');
    if escape == Escape::Json {
        mark_magic_quotes(&mut elements);
    }
    Ok(LogConf { elements, escape })
}

/// 2.2.5's message for a `%{` without `}`: the rest of the format as printf's `"%16s"` (padded on
/// the left to 16 characters, never cut).
fn unterminated(rest: &[u8]) -> Vec<u8> {
    let mut msg = format!("{PREFIX}unterminated header name starting at: \"").into_bytes();
    msg.resize(msg.len() + 16usize.saturating_sub(rest.len()), b' ');
    msg.extend_from_slice(rest);
    msg.push(b'"');
    msg
}

/// Marks the elements whose value directly follows an opening quote of the literal text and is
/// directly followed by the matching closing quote (`"%{referer}i"`): when such a value is missing,
/// JSON gets a bare `null` instead of `"null"`. Quotes are `"` or `'`; a quote preceded by an odd
/// number of backslashes does not close.
fn mark_magic_quotes(elements: &mut [Element]) {
    let mut quote = 0u8; // the open quote, or 0 outside quotes
    let mut just_in = false; // the previous suffix ended with an opening quote
    for e in elements.iter_mut() {
        e.magically_quoted_json = just_in && e.suffix.first().is_some_and(|&c| c == quote);
        just_in = false;
        for i in 0..e.suffix.len() {
            just_in = false;
            let c = e.suffix[i];
            if quote != 0 {
                if c == quote {
                    let backslashes = e.suffix[..i].iter().rev().take_while(|&&b| b == b'\\').count();
                    if backslashes % 2 == 0 {
                        quote = 0;
                    }
                }
            } else if c == b'"' || c == b'\'' {
                quote = c;
                just_in = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(fmt: &str) -> Vec<(Kind, String)> {
        compile(fmt.as_bytes(), ESCAPE_APACHE)
            .unwrap()
            .elements
            .into_iter()
            .map(|e| (e.kind, String::from_utf8(e.suffix).unwrap()))
            .collect()
    }

    fn err(fmt: &str) -> String {
        String::from_utf8(compile(fmt.as_bytes(), ESCAPE_APACHE).unwrap_err()).unwrap()
    }

    #[test]
    fn literal_text_and_percent_signs_become_suffixes() {
        assert_eq!(kinds(""), vec![(Kind::Empty, "\n".into())]);
        assert_eq!(kinds("a%%b"), vec![(Kind::Empty, "a%b\n".into())]);
        assert_eq!(kinds("x %s y"), vec![(Kind::Empty, "x ".into()), (Kind::Status, " y\n".into())]);
        assert_eq!(kinds("%b%b"), vec![(Kind::BytesSent, "".into()), (Kind::BytesSent, "\n".into())]);
    }

    #[test]
    fn the_default_format_compiles_to_the_combined_log_elements() {
        let token = |n: &[u8]| crate::token::lookup(n).unwrap();
        let k: Vec<Kind> = compile(DEFAULT_FORMAT, ESCAPE_APACHE).unwrap().elements.into_iter().map(|e| e.kind).collect();
        assert_eq!(
            k,
            vec![
                Kind::RemoteAddr,
                Kind::Logname,
                Kind::RemoteUser,
                Kind::Timestamp,
                Kind::RequestLine,
                Kind::Status,
                Kind::BytesSent,
                Kind::InHeaderToken(token(b"referer")),
                Kind::InHeaderToken(token(b"user-agent")),
            ]
        );
    }

    #[test]
    fn braces_select_headers_ports_times_env_and_extensions() {
        let set_cookie = crate::token::lookup(b"set-cookie").unwrap();
        let ct = crate::token::lookup(b"content-type").unwrap();
        assert_eq!(kinds("%{Set-Cookie}o")[0].0, Kind::OutHeaderTokenConcatenated(set_cookie));
        assert_eq!(kinds("%{set-cookie}i")[0].0, Kind::InHeaderToken(set_cookie));
        assert_eq!(kinds("%{Content-Type}o")[0].0, Kind::OutHeaderToken(ct));
        assert_eq!(kinds("%{X-Foo}i")[0].0, Kind::InHeaderString(b"x-foo".to_vec()));
        assert_eq!(kinds("%{X-Foo}o")[0].0, Kind::OutHeaderString(b"x-foo".to_vec()));
        assert_eq!(kinds("%{local}p%{remote}p")[1].0, Kind::RemotePort);
        assert_eq!(kinds("%{FOO}e")[0].0, Kind::EnvVar(b"FOO".to_vec()));
        assert_eq!(kinds("%e")[0].0, Kind::EnvVar(Vec::new()));
        assert_eq!(kinds("%{usec_frac}t")[0].0, Kind::UsecFrac);
        assert_eq!(kinds("%{SEC}t")[0].0, Kind::Strftime(CString::new("SEC").unwrap()));
        assert_eq!(kinds("%{begin:sec}t")[0].0, Kind::Strftime(CString::new("begin:sec").unwrap()));
        assert_eq!(kinds("%{Duration}x")[0].0, Kind::Timing(Span::Duration));
        assert_eq!(kinds("%{total-time}x")[0].0, Kind::ExtendedVar);
        assert_eq!(kinds("%{SSL.Cipher}x")[0].0, Kind::ProtocolSpecific(2));
        assert_eq!(kinds("%{http2.priority.actual.weight}x")[0].0, Kind::ProtocolSpecific(13));
        assert_eq!(kinds("%{a}ib"), vec![(Kind::InHeaderString(b"a".to_vec()), "b\n".into())]);
    }

    #[test]
    fn angle_brackets_pick_the_original_response_last_one_wins() {
        let c = compile(b"%<s %>s %<><s %<{x}o %<{sec}t", ESCAPE_APACHE).unwrap();
        let orig: Vec<bool> = c.elements.iter().map(|e| e.original_response).collect();
        assert_eq!(orig, vec![true, false, true, true, false]);
    }

    #[test]
    fn bad_formats_get_2_2_5_messages() {
        assert_eq!(err("%Z"), "failed to compile log format: unknown escape sequence: %Z");
        assert_eq!(err("abc%"), "failed to compile log format: unknown escape sequence: %");
        assert_eq!(err("%{x"), "failed to compile log format: unterminated header name starting at: \"               x\"");
        assert_eq!(
            err("%{0123456789abcdefXYZ"),
            "failed to compile log format: unterminated header name starting at: \"0123456789abcdefXYZ\""
        );
        assert_eq!(err("%{foo}p"), "failed to compile log format: unknown specifier for %{...}p");
        assert_eq!(err("%{foo}"), "failed to compile log format: header name is not followed by either `i`, `o`, `x`, `e`");
        assert_eq!(err("%{foo}z"), "failed to compile log format: header name is not followed by either `i`, `o`, `x`, `e`");
        assert!(compile(b"%s", 7).is_err());
    }

    #[test]
    fn json_marks_values_quoted_alone() {
        let c = compile(br#"{"a":"%s","b":%s,"c":"x%s","d":'%s',"e":"\"%s"}"#, ESCAPE_JSON).unwrap();
        let marks: Vec<bool> = c.elements.iter().map(|e| e.magically_quoted_json).collect();
        assert_eq!(marks, vec![false, true, false, false, true, false]);
        let apache = compile(br#""%s""#, ESCAPE_APACHE).unwrap();
        assert!(apache.elements.iter().all(|e| !e.magically_quoted_json));
    }
}
