//! Writes one access-log line (`h2o_log_request`) for a compiled format, byte for byte as 2.2.5
//! does: the same escaping, the same `-` / `null` for missing values, the same number formats
//! (including 2.2.5's way of printing a negative duration's fraction).
//!
//! Where 2.2.5 would crash (no connection, no host configuration, no timestamp string, an
//! error-log entry without a module), the line gets the missing-value mark or nothing instead; a
//! strftime format whose output is empty writes nothing (2.2.5 loops forever on it).

use std::ffi::{c_char, c_void};
use std::ptr::null_mut;

use super::logconf::{Element, Escape, Kind, LogConf, Span, PROTOCOL_SPECIFIC_SLOTS};
use crate::core::headers::entries;
use crate::core::request::bytes;
use crate::abi::core::{h2o_header_t, h2o_headers_t, Vector};
use crate::abi::memory::h2o_iovec_t;
use crate::abi::request::{h2o_conn_t, h2o_req_t};
use crate::abi::token::h2o_token_t;
use crate::token::h2o__tokens;

const HEX: &[u8; 16] = b"0123456789abcdef";
/// `NI_MAXHOST`: room `h2o_socket_getnumerichost` needs.
const NI_MAXHOST: usize = 1025;
/// Longest strftime output tried before giving up (2.2.5 keeps doubling forever).
const STRFTIME_MAX: usize = 64 * 1024;

/// Appends `s` escaped for an Apache-style log: bytes from space to `|` except `"` as they are,
/// every other byte (so also `}`, `~`, DEL and non-ASCII) as `\xNN`.
pub fn escape_apache(out: &mut Vec<u8>, s: &[u8]) {
    for &b in s {
        if (b' '..0x7d).contains(&b) && b != b'"' {
            out.push(b);
        } else {
            out.extend_from_slice(&[b'\\', b'x', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]]);
        }
    }
}

/// Appends `s` escaped for a JSON string: `"` and `\` get a backslash, bytes from space to `}` are
/// kept, every other byte (so also `~`, DEL and each byte of a UTF-8 sequence) is `\u00NN`.
pub fn escape_json(out: &mut Vec<u8>, s: &[u8]) {
    for &b in s {
        if (b' '..0x7e).contains(&b) {
            if b == b'"' || b == b'\\' {
                out.push(b'\\');
            }
            out.push(b);
        } else {
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]]);
        }
    }
}

/// "HTTP/1.x" for versions below 0x200 (x the low byte, as 2.2.5: one character), else "HTTP/2".
pub fn protocol_version(out: &mut Vec<u8>, version: i32) {
    if version < 0x200 {
        out.extend_from_slice(b"HTTP/1.");
        out.push(b'0'.wrapping_add(version as u8));
    } else {
        out.extend_from_slice(b"HTTP/2");
    }
}

/// A duration in microseconds as 2.2.5 prints it: whole seconds (32-bit), then, unless zero, a
/// dot and six digits of the remainder. For a negative duration 2.2.5's digits are `'0' + r % 10`
/// with a negative `r`, which gives characters below `'0'`; kept byte for byte.
pub fn duration(out: &mut Vec<u8>, usec: i64) {
    let sec = (usec / 1_000_000) as i32;
    let mut rest = usec - i64::from(sec) * 1_000_000;
    out.extend_from_slice(sec.to_string().as_bytes());
    if rest != 0 {
        out.push(b'.');
        let mut digits = [0u8; 6];
        for d in digits.iter_mut().rev() {
            *d = (i64::from(b'0') + rest % 10) as u8;
            rest /= 10;
        }
        out.extend_from_slice(&digits);
    }
}

fn is_null(tv: &libc::timeval) -> bool {
    tv.tv_sec == 0
}

fn usec_between(from: &libc::timeval, until: &libc::timeval) -> i64 {
    (until.tv_sec - from.tv_sec) * 1_000_000 + (until.tv_usec - from.tv_usec)
}

/// The span's length in microseconds, or None when one of its ends is unset (the
/// `h2o_time_compute_*` helpers of h2o.h).
fn span(req: &h2o_req_t, conn_at: Option<&libc::timeval>, which: Span) -> Option<i64> {
    let [begin, body, res_start, res_end] = &req.timestamps;
    let processed = &req.processed_at.at;
    let body_or_processed = if is_null(body) { processed } else { body };
    let (from, until) = match which {
        Span::Connect => (conn_at?, begin),
        Span::Header => (begin, body_or_processed),
        Span::Body => (body_or_processed, processed),
        Span::RequestTotal => (begin, processed),
        Span::Process => (processed, res_start),
        Span::Response => (res_start, res_end),
        Span::Duration => (begin, res_end),
    };
    (!is_null(from) && !is_null(until)).then(|| usec_between(from, until))
}

/// The pointer header lists use as the name of token `index`.
fn token_name(index: usize) -> *const h2o_iovec_t {
    // SAFETY: `index` came from `token::lookup`, below the table's length.
    unsafe { (&raw const h2o__tokens).cast::<h2o_token_t>().add(index).cast::<h2o_iovec_t>() }
}

/// The values of the headers named by `matches`: the first, or every one when `all`.
///
/// # Safety
/// `headers` is a valid list whose names and values are readable.
unsafe fn header_values(headers: &h2o_headers_t, all: bool, matches: impl Fn(&h2o_header_t) -> bool) -> Vec<&[u8]> {
    // SAFETY: the caller's contract.
    let list = unsafe { entries(headers) };
    let found = list.iter().filter(|h| matches(h));
    // SAFETY: values of a valid list.
    found.take(if all { usize::MAX } else { 1 }).map(|h| unsafe { bytes(h.value) }).collect()
}

/// The value of request variable `name` (`h2o_req_getenv`).
///
/// # Safety
/// `env` is a valid list of name, value, name, value, ... iovecs.
unsafe fn getenv<'a>(env: &'a Vector<h2o_iovec_t>, name: &[u8]) -> Option<&'a [u8]> {
    if env.size == 0 || env.entries.is_null() {
        return None;
    }
    // SAFETY: the caller's contract.
    let list = unsafe { std::slice::from_raw_parts(env.entries, env.size) };
    // SAFETY: as above.
    list.chunks_exact(2).find(|kv| unsafe { bytes(kv[0]) } == name).map(|kv| unsafe { bytes(kv[1]) })
}

/// The numeric address (`port` false) or the port of the connection's local or peer end, or None.
///
/// # Safety
/// `conn` is NULL or a live connection whose callbacks are valid.
unsafe fn address(conn: *mut h2o_conn_t, local: bool, port: bool, out: &mut Vec<u8>) -> bool {
    // SAFETY: the caller's contract.
    let Some(cb) = (unsafe { conn.as_ref().and_then(|c| c.callbacks.as_ref()) }).and_then(|cb| if local { cb.get_sockname } else { cb.get_peername })
    else {
        return false;
    };
    // SAFETY: sockaddr_storage is plain data; the callback fills it.
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let sa = (&raw mut ss).cast::<libc::sockaddr>();
    // SAFETY: a live connection and room for any address.
    let len = unsafe { cb(conn, sa) };
    if len == 0 {
        return false;
    }
    if port {
        // SAFETY: an address the callback filled.
        let p = unsafe { crate::evloop::addr::port(sa) };
        if p == -1 {
            return false;
        }
        out.extend_from_slice((p as u16).to_string().as_bytes());
        return true;
    }
    let mut host = [0 as c_char; NI_MAXHOST];
    // SAFETY: `len` bytes of address; `host` has NI_MAXHOST bytes.
    let n = unsafe { crate::evloop::addr::numeric_host(sa, len, host.as_mut_ptr()) };
    if n == usize::MAX {
        return false;
    }
    out.extend(host[..n.min(NI_MAXHOST)].iter().map(|&c| c as u8));
    true
}

/// The local time of `sec`, computed once per line.
fn local_time(cache: &mut Option<libc::tm>, sec: libc::time_t) -> libc::tm {
    *cache.get_or_insert_with(|| {
        // SAFETY: tm is plain data; localtime_r fills it (or leaves it zero on failure).
        let mut tm: libc::tm = unsafe { std::mem::zeroed() };
        // SAFETY: valid pointers.
        unsafe { libc::localtime_r(&sec, &mut tm) };
        tm
    })
}

/// strftime of `fmt` into `out`; nothing when the output is empty or absurdly long.
fn strftime(out: &mut Vec<u8>, fmt: &std::ffi::CStr, tm: &libc::tm) {
    let mut size = 128;
    while size <= STRFTIME_MAX {
        let start = out.len();
        out.resize(start + size, 0);
        // SAFETY: `size` writable bytes at `start`; a NUL-terminated format; a filled tm.
        let n = unsafe { libc::strftime(out.as_mut_ptr().add(start).cast(), size, fmt.as_ptr(), tm) };
        out.truncate(start + n);
        if n != 0 {
            return;
        }
        size *= 2;
    }
}

/// An escaping function: appends its second argument, escaped, to the first.
type Escaper = fn(&mut Vec<u8>, &[u8]);

/// Appends the line for `req` (ending in the format's newline) to `out`.
///
/// # Safety
/// `req` is a live request as h2o.h describes it: its iovecs, header lists, env and error logs are
/// readable; `conn` is NULL or live with valid callbacks; `hostconf` and `processed_at.str` are
/// NULL or valid. The connection's protocol-specific log callbacks are called with `req`.
pub unsafe fn render(conf: &LogConf, req: *mut h2o_req_t, out: &mut Vec<u8>) {
    let (escape, null): (Escaper, &[u8]) = match conf.escape {
        Escape::Apache => (escape_apache, b"-"),
        Escape::Json => (escape_json, b"null"),
    };
    let mut tm = None;
    for e in &conf.elements {
        // SAFETY: the caller's contract.
        let written = unsafe { element(e, req, out, escape, null, &mut tm) };
        if written {
            out.extend_from_slice(&e.suffix);
        } else if e.magically_quoted_json && out.last().is_some() {
            // `"` + null + `"`: drop both quotes (the previous suffix ended with the opening one)
            out.pop();
            out.extend_from_slice(null);
            out.extend_from_slice(&e.suffix[1..]);
        } else {
            out.extend_from_slice(null);
            out.extend_from_slice(&e.suffix);
        }
    }
}

/// Writes one element's value; false when it is missing (the caller writes the null mark and drops
/// magic quotes). An unknown address or port writes the mark itself, without that, as 2.2.5 does.
///
/// # Safety
/// As [`render`].
unsafe fn element(
    e: &Element,
    req: *mut h2o_req_t,
    out: &mut Vec<u8>,
    escape: Escaper,
    null: &[u8],
    tm: &mut Option<libc::tm>,
) -> bool {
    if let Kind::ProtocolSpecific(slot) = e.kind {
        // Called without any reference into `req` alive: the callback gets the request itself.
        // SAFETY: the caller's contract.
        let cb = unsafe { (*req).conn.as_ref().and_then(|c| c.callbacks.as_ref()) }.map_or(null_mut::<c_void>().cast_const(), |cb| {
            cb.log_[slot.min(PROTOCOL_SPECIFIC_SLOTS - 1)]
        });
        if cb.is_null() {
            return false;
        }
        // SAFETY: a non-NULL slot of log_ is `h2o_iovec_t (*)(h2o_req_t *)`.
        let f: unsafe extern "C" fn(*mut h2o_req_t) -> h2o_iovec_t = unsafe { std::mem::transmute(cb) };
        // SAFETY: a live request, as the callback expects.
        let v = unsafe { f(req) };
        if v.base.is_null() {
            return false;
        }
        // SAFETY: the callback returns readable bytes; written as is (as 2.2.5).
        out.extend_from_slice(unsafe { bytes(v) });
        return true;
    }
    // SAFETY: the caller's contract; no callback into C below except the address callbacks, which
    // take the connection, not the request.
    let r = unsafe { &*req };
    let conn = r.conn;
    let at = &r.processed_at.at;
    // SAFETY: the caller's contract (iovecs of a live request).
    let input = |v: h2o_iovec_t| unsafe { bytes(v) };
    match &e.kind {
        Kind::Empty => {}
        Kind::LocalAddr | Kind::RemoteAddr | Kind::LocalPort | Kind::RemotePort => {
            let local = matches!(e.kind, Kind::LocalAddr | Kind::LocalPort);
            let port = matches!(e.kind, Kind::LocalPort | Kind::RemotePort);
            // SAFETY: the caller's contract on `conn`.
            if !unsafe { address(conn, local, port, out) } {
                // 2.2.5 writes the mark itself here, so JSON keeps the quotes around it
                out.extend_from_slice(null);
            }
        }
        Kind::BytesSent => out.extend_from_slice((r.bytes_sent as u64).to_string().as_bytes()),
        Kind::Protocol => protocol_version(out, r.version),
        Kind::Logname | Kind::ExtendedVar => return false,
        Kind::Method => escape(out, input(r.input.method)),
        Kind::EnvVar(name) => {
            // SAFETY: the request's env list.
            let Some(v) = (unsafe { getenv(&r.env, name) }) else { return false };
            out.extend_from_slice(v); // not escaped, as 2.2.5
        }
        Kind::Query => {
            let path = input(r.input.path);
            if r.input.query_at != usize::MAX {
                escape(out, path.get(r.input.query_at..).unwrap_or(&[]));
            }
        }
        Kind::RequestLine => {
            escape(out, input(r.input.method));
            out.push(b' ');
            escape(out, input(r.input.path));
            out.push(b' ');
            protocol_version(out, r.version);
        }
        Kind::Status => {
            let s = if e.original_response { r.res.original_status } else { r.res.status };
            out.extend_from_slice(s.to_string().as_bytes());
        }
        Kind::Timestamp => {
            if is_null(at) {
                return false;
            }
            out.push(b'[');
            // SAFETY: NULL or the request's timestamp strings.
            match unsafe { r.processed_at.str_.as_ref() } {
                Some(s) => out.extend_from_slice(&s.log[..26]),
                None => out.extend_from_slice(crate::core::time::log_time(&local_time(tm, at.tv_sec)).as_bytes()),
            }
            out.push(b']');
        }
        Kind::Strftime(fmt) => {
            if is_null(at) {
                return false;
            }
            strftime(out, fmt, &local_time(tm, at.tv_sec));
        }
        Kind::Sec | Kind::Msec | Kind::Usec | Kind::MsecFrac | Kind::UsecFrac => {
            if is_null(at) {
                return false;
            }
            // the C casts of 2.2.5: 32-bit seconds, unsigned 64-bit sums, unsigned fractions
            let (sec, usec) = (at.tv_sec as u64, at.tv_usec as u64);
            let s = match e.kind {
                Kind::Sec => (at.tv_sec as u32).to_string(),
                Kind::Msec => sec.wrapping_mul(1000).wrapping_add(usec / 1000).to_string(),
                Kind::Usec => sec.wrapping_mul(1_000_000).wrapping_add(usec).to_string(),
                Kind::MsecFrac => format!("{:03}", (at.tv_usec / 1000) as u32),
                _ => format!("{:06}", at.tv_usec as u32),
            };
            out.extend_from_slice(s.as_bytes());
        }
        Kind::UrlPath => {
            let path = input(r.input.path);
            escape(out, if r.input.query_at == usize::MAX { path } else { &path[..r.input.query_at.min(path.len())] });
        }
        Kind::RemoteUser => {
            // SAFETY: the request's env list.
            let Some(v) = (unsafe { getenv(&r.env, b"REMOTE_USER") }) else { return false };
            escape(out, v);
        }
        Kind::Authority => escape(out, input(r.input.authority)),
        Kind::HostConf => {
            // SAFETY: NULL or the request's host configuration.
            let Some(h) = (unsafe { r.hostconf.as_ref() }) else { return false };
            escape(out, input(h.authority.hostport));
        }
        Kind::InHeaderToken(_)
        | Kind::InHeaderString(_)
        | Kind::OutHeaderToken(_)
        | Kind::OutHeaderString(_)
        | Kind::OutHeaderTokenConcatenated(_) => {
            let (list, all) = match e.kind {
                Kind::InHeaderToken(_) | Kind::InHeaderString(_) => (&r.headers, false),
                _ => (
                    if e.original_response { &r.res.original_headers } else { &r.res.headers },
                    matches!(e.kind, Kind::OutHeaderTokenConcatenated(_)),
                ),
            };
            // SAFETY: the request's header lists (names valid for the string comparison).
            let values = unsafe {
                match &e.kind {
                    Kind::InHeaderToken(t) | Kind::OutHeaderToken(t) | Kind::OutHeaderTokenConcatenated(t) => {
                        let name = token_name(*t);
                        header_values(list, all, |h| h.name.cast_const() == name)
                    }
                    Kind::InHeaderString(n) | Kind::OutHeaderString(n) => {
                        header_values(list, all, |h| crate::core::headers::name_is(h, n))
                    }
                    _ => unreachable!("a header kind"),
                }
            };
            if values.is_empty() {
                return false;
            }
            for (i, v) in values.into_iter().enumerate() {
                if i != 0 {
                    out.extend_from_slice(b", ");
                }
                escape(out, v);
            }
        }
        Kind::ConnectionId => {
            // SAFETY: NULL or a live connection.
            let Some(c) = (unsafe { conn.as_ref() }) else { return false };
            out.extend_from_slice(c.id.to_string().as_bytes());
        }
        Kind::Timing(which) => {
            // SAFETY: NULL or a live connection.
            let conn_at = unsafe { conn.as_ref() }.map(|c| &c.connected_at);
            let Some(usec) = span(r, conn_at, *which) else { return false };
            duration(out, usec);
        }
        Kind::Error => {
            if r.error_logs.size != 0 && !r.error_logs.entries.is_null() {
                // SAFETY: the request's error-log list: module (C string), message iovec.
                let logs = unsafe { std::slice::from_raw_parts(r.error_logs.entries, r.error_logs.size) };
                for &[module, base, len] in logs {
                    out.push(b'[');
                    if module != 0 {
                        // SAFETY: a NUL-terminated module name.
                        out.extend_from_slice(unsafe { std::ffi::CStr::from_ptr(module as *const c_char) }.to_bytes());
                    }
                    out.extend_from_slice(b"] ");
                    escape(out, input(h2o_iovec_t { base: base as *mut c_char, len }));
                }
            }
        }
        Kind::ProtocolSpecific(_) => unreachable!("handled above"),
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::core::h2o_timestamp_string_t;
    use crate::abi::request::h2o_conn_callbacks_t;
    use crate::handler::access_log::logconf::{compile, ESCAPE_APACHE, ESCAPE_JSON};

    fn iov(s: &'static [u8]) -> h2o_iovec_t {
        h2o_iovec_t { base: s.as_ptr().cast_mut().cast(), len: s.len() }
    }

    fn tv(sec: i64, usec: i64) -> libc::timeval {
        libc::timeval { tv_sec: sec, tv_usec: usec }
    }

    unsafe extern "C" fn peer(_: *mut h2o_conn_t, sa: *mut libc::sockaddr) -> libc::socklen_t {
        // SAFETY: the caller gives room for any address.
        unsafe {
            let s = sa.cast::<libc::sockaddr_in>();
            *s = std::mem::zeroed();
            (*s).sin_family = libc::AF_INET as libc::sa_family_t;
            (*s).sin_port = 8080u16.to_be();
            (*s).sin_addr.s_addr = u32::from_be_bytes([192, 0, 2, 7]).to_be();
        }
        size_of::<libc::sockaddr_in>() as libc::socklen_t
    }
    unsafe extern "C" fn nowhere(_: *mut h2o_conn_t, _: *mut libc::sockaddr) -> libc::socklen_t {
        0
    }
    unsafe extern "C" fn stream_id(_: *mut h2o_req_t) -> h2o_iovec_t {
        iov(b"7\"")
    }

    struct Fixture {
        req: Box<h2o_req_t>,
        _conn: Box<h2o_conn_t>,
        _cb: Box<h2o_conn_callbacks_t>,
        _headers: Vec<h2o_header_t>,
        _res_headers: Vec<h2o_header_t>,
        _env: Vec<h2o_iovec_t>,
        _ts: Box<h2o_timestamp_string_t>,
    }

    fn token(name: &[u8]) -> *mut h2o_iovec_t {
        token_name(crate::token::lookup(name).unwrap()).cast_mut()
    }

    fn fixture() -> Fixture {
        // SAFETY: the mirrors are plain data for which all-zero is a valid (empty) value.
        let mut req: Box<h2o_req_t> = Box::new(unsafe { std::mem::zeroed() });
        let mut cb: Box<h2o_conn_callbacks_t> = Box::new(unsafe { std::mem::zeroed() });
        cb.get_peername = Some(peer);
        cb.get_sockname = Some(nowhere);
        cb.log_[6] = stream_id as *const c_void;
        let mut conn: Box<h2o_conn_t> = Box::new(unsafe { std::mem::zeroed() });
        conn.callbacks = &*cb;
        conn.id = 42;
        conn.connected_at = tv(1000, 900_000);
        let xname: &'static mut h2o_iovec_t = Box::leak(Box::new(iov(b"x-foo")));
        let mut headers = vec![
            h2o_header_t { name: token(b"user-agent"), orig_name: std::ptr::null(), value: iov(b"curl/8 \"q\" \xe2\x9c\x93") },
            h2o_header_t { name: xname, orig_name: std::ptr::null(), value: iov(b"a~}b") },
        ];
        let mut res_headers = vec![
            h2o_header_t { name: token(b"set-cookie"), orig_name: std::ptr::null(), value: iov(b"a=1") },
            h2o_header_t { name: token(b"content-type"), orig_name: std::ptr::null(), value: iov(b"text/html") },
            h2o_header_t { name: token(b"set-cookie"), orig_name: std::ptr::null(), value: iov(b"b=2") },
        ];
        let mut env = vec![iov(b"REMOTE_USER"), iov(b"bob\\"), iov(b"RAW"), iov(b"\"\x01")];
        let mut ts: Box<h2o_timestamp_string_t> = Box::new(unsafe { std::mem::zeroed() });
        ts.log[..26].copy_from_slice(b"01/Jan/2020:00:00:00 +0000");
        req.conn = &mut *conn;
        req.input.method = iov(b"GET");
        req.input.path = iov(b"/p\x7fth?q=1");
        req.input.query_at = 5;
        req.input.authority = iov(b"example.com");
        req.version = 0x101;
        req.res.status = 200;
        req.res.original_status = 404;
        req.bytes_sent = 1234;
        req.headers = Vector { entries: headers.as_mut_ptr(), size: headers.len(), capacity: headers.len() };
        req.res.headers = Vector { entries: res_headers.as_mut_ptr(), size: res_headers.len(), capacity: res_headers.len() };
        req.env = Vector { entries: env.as_mut_ptr(), size: env.len(), capacity: env.len() };
        req.processed_at.at = tv(1001, 500_000);
        req.processed_at.str_ = &mut *ts;
        req.timestamps = [tv(1001, 0), tv(0, 0), tv(1001, 750_000), tv(1003, 750_000)];
        Fixture { req, _conn: conn, _cb: cb, _headers: headers, _res_headers: res_headers, _env: env, _ts: ts }
    }

    fn line(fmt: &str, escape: i32, f: &mut Fixture) -> String {
        let conf = compile(fmt.as_bytes(), escape).unwrap();
        let mut out = Vec::new();
        // SAFETY: the fixture is a complete request.
        unsafe { render(&conf, &mut *f.req, &mut out) };
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn request_fields_are_escaped_per_mode() {
        let mut f = fixture();
        assert_eq!(line("%m %U %q %H %V %r", ESCAPE_APACHE, &mut f), "GET /p\\x7fth ?q=1 HTTP/1.1 example.com GET /p\\x7fth?q=1 HTTP/1.1\n");
        assert_eq!(line("%{user-agent}i|%{x-foo}i", ESCAPE_APACHE, &mut f), "curl/8 \\x22q\\x22 \\xe2\\x9c\\x93|a\\x7e\\x7db\n");
        assert_eq!(line("%{user-agent}i|%{x-foo}i", ESCAPE_JSON, &mut f), "curl/8 \\\"q\\\" \\u00e2\\u009c\\u0093|a\\u007e}b\n");
        assert_eq!(line("%u %{RAW}e", ESCAPE_APACHE, &mut f), "bob\\ \"\x01\n");
        assert_eq!(line("%u", ESCAPE_JSON, &mut f), "bob\\\\\n");
    }

    #[test]
    fn headers_statuses_and_missing_values() {
        let mut f = fixture();
        assert_eq!(line("%{set-cookie}o|%{content-type}o|%{x-none}o|%{referer}i", ESCAPE_APACHE, &mut f), "a=1, b=2|text/html|-|-\n");
        assert_eq!(line("%s %>s %<s %b %l %{nope}x %{connection-id}x", ESCAPE_APACHE, &mut f), "200 200 404 1234 - - 42\n");
        assert_eq!(line("%<{content-type}o", ESCAPE_APACHE, &mut f), "-\n");
        assert_eq!(line("%h:%{remote}p %A %p", ESCAPE_APACHE, &mut f), "192.0.2.7:8080 - -\n");
        assert_eq!(line("%{http2.stream-id}x %{ssl.cipher}x", ESCAPE_APACHE, &mut f), "7\" -\n");
        f.req.conn = std::ptr::null_mut();
        f.req.hostconf = std::ptr::null_mut();
        assert_eq!(line("%h %p %v %{connection-id}x %{ssl.cipher}x %{connect-time}x", ESCAPE_APACHE, &mut f), "- - - - - -\n");
    }

    #[test]
    fn json_drops_the_quotes_around_a_missing_value() {
        let mut f = fixture();
        assert_eq!(
            line(r#"{"ref":"%{referer}i","ua":"%{user-agent}i","l":%l,"x":"a%l"}"#, ESCAPE_JSON, &mut f),
            "{\"ref\":null,\"ua\":\"curl/8 \\\"q\\\" \\u00e2\\u009c\\u0093\",\"l\":null,\"x\":\"anull\"}\n"
        );
    }

    #[test]
    fn times_and_durations_print_as_2_2_5() {
        let mut f = fixture();
        assert_eq!(line("%t %{sec}t %{msec}t %{usec}t %{msec_frac}t %{usec_frac}t", ESCAPE_APACHE, &mut f),
                   "[01/Jan/2020:00:00:00 +0000] 1001 1001500 1001500000 500 500000\n");
        assert_eq!(
            line("%{connect-time}x %{request-header-time}x %{request-body-time}x %{request-total-time}x %{process-time}x %{response-time}x %{duration}x", ESCAPE_APACHE, &mut f),
            "0.100000 0.500000 0 0.500000 0.250000 2 2.750000\n"
        );
        f.req.timestamps[1] = tv(1001, 200_000);
        assert_eq!(line("%{request-header-time}x %{request-body-time}x", ESCAPE_APACHE, &mut f), "0.200000 0.300000\n");
        f.req.timestamps[3] = tv(0, 0);
        assert_eq!(line("%{response-time}x %{duration}x", ESCAPE_JSON, &mut f), "null null\n");
        f.req.processed_at.at = tv(0, 0);
        assert_eq!(line("%t %{sec}t %{%Y}t", ESCAPE_APACHE, &mut f), "- - -\n");
    }

    #[test]
    fn negative_durations_keep_2_2_5_digits() {
        let mut out = Vec::new();
        duration(&mut out, -1_500_000);
        assert_eq!(out, b"-1.+00000");
        out.clear();
        duration(&mut out, -250);
        assert_eq!(out, b"0.000.+0");
        out.clear();
        duration(&mut out, 2_000_001);
        assert_eq!(out, b"2.000001");
    }

    #[test]
    fn error_logs_are_listed_and_strftime_uses_local_time() {
        let mut f = fixture();
        let mut logs = [[c"file".as_ptr() as usize, b"no \"x\"".as_ptr() as usize, 6], [0, b"y".as_ptr() as usize, 1]];
        f.req.error_logs = Vector { entries: logs.as_mut_ptr(), size: 2, capacity: 2 };
        assert_eq!(line("%{error}x", ESCAPE_APACHE, &mut f), "[file] no \\x22x\\x22[] y\n");
        f.req.error_logs = Vector::EMPTY;
        assert_eq!(line("<%{error}x>", ESCAPE_APACHE, &mut f), "<>\n");
        assert_eq!(line("%{}t|%{literal}t", ESCAPE_APACHE, &mut f), "|literal\n");
    }
}
