//! The HTTP/1.x message-head parser: picohttpparser's behaviour, SIMD-accelerated.
//!
//! Every function here gives the same answer as current upstream picohttpparser for every input:
//! the same return (bytes consumed, `Invalid`, or `Partial`), the same fields, including what is
//! filled in before an error is found (the C API in `crate::ffi::picohttpparser` passes those on).
//! Rules worth knowing, all upstream's:
//! - an empty line before the request line is skipped; several spaces may separate the parts of
//!   the request line and of the status line;
//! - the method and header names must be RFC 9110 tokens; the request target may hold any byte but
//!   controls, SP and DEL; only `HTTP/1.<digit>` is accepted as version;
//! - lines may end with CRLF or a bare LF; header values have leading and trailing SP/HTAB removed,
//!   and may hold HTAB and bytes >= 0x80; an obs-fold continuation line is returned as a header with
//!   no name whose value keeps its leading whitespace;
//! - more headers than the caller has room for is an error (`Invalid`);
//! - `last_len` (the length of the buffer on the previous, partial call) makes the parser first
//!   look for the empty line that ends the head, starting 3 bytes before the new data, and answer
//!   `Partial` at once when there is none (slowloris defence).
//!
//! The one difference: upstream reads before the buffer's end when `last_len > len + 3`; here the
//! search starts at `min(last_len - 3, len)` and so never leaves the buffer.

mod chunked;
pub(crate) mod scan;
#[cfg(target_arch = "x86_64")]
mod x86;

pub use chunked::{Chunked, ChunkedDecoder};
pub use scan::{set_simd_level, simd_level, SimdLevel};
use scan::{Scalar, Scan, TCHAR};

/// Why parsing stopped short of a complete message head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// More bytes are needed (picohttpparser's -2).
    Partial,
    /// The bytes cannot be a valid message head (picohttpparser's -1).
    Invalid,
}

/// The input is not a valid HTTP/1.x message head (or chunked body).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Invalid;

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("invalid HTTP/1.x message")
    }
}
impl std::error::Error for Invalid {}

/// A complete parse, or the need for more bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status<T> {
    Complete(T),
    Partial,
}

/// One header line. `name` is `None` for an obs-fold continuation line (a line that starts with
/// SP or HTAB), whose `value` then keeps its leading whitespace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Header<'b> {
    pub name: Option<&'b [u8]>,
    pub value: &'b [u8],
}

/// Where the parser stores a header. Implemented by [`Header`] and, in the C API, directly by the
/// caller's `struct phr_header` array, so no second pass converts the results.
pub(crate) trait HeaderSlot<'b> {
    fn set_name(&mut self, name: &'b [u8]);
    fn set_no_name(&mut self);
    fn set_value(&mut self, value: &'b [u8]);
}

impl<'b> HeaderSlot<'b> for Header<'b> {
    #[inline(always)]
    fn set_name(&mut self, name: &'b [u8]) {
        self.name = Some(name);
    }
    #[inline(always)]
    fn set_no_name(&mut self) {
        self.name = None;
    }
    #[inline(always)]
    fn set_value(&mut self, value: &'b [u8]) {
        self.value = value;
    }
}

/// The request line as far as it was parsed (fields stay `None`/-1 until reached).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RequestLine<'b> {
    pub method: Option<&'b [u8]>,
    pub path: Option<&'b [u8]>,
    pub minor_version: i32,
}

impl RequestLine<'_> {
    pub(crate) const EMPTY: Self = RequestLine { method: None, path: None, minor_version: -1 };
}

/// The status line as far as it was parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StatusLine<'b> {
    pub minor_version: i32,
    pub status: i32,
    pub reason: Option<&'b [u8]>,
}

impl StatusLine<'_> {
    pub(crate) const EMPTY: Self = StatusLine { minor_version: -1, status: 0, reason: None };
}

// ---------------------------------------------------------------------------------------------
// The parser proper, generic over the scanner. `#[inline(always)]` throughout so that each
// `#[target_feature]` entry point gets one fully inlined copy.

#[inline(always)]
fn byte(buf: &[u8], i: usize) -> Result<u8, Stop> {
    buf.get(i).copied().ok_or(Stop::Partial)
}

/// Consumes the LF of a CRLF whose CR is at `i - 1`; returns the index after the LF.
#[inline(always)]
fn expect_lf(buf: &[u8], i: usize) -> Result<usize, Stop> {
    if byte(buf, i)? == b'\n' { Ok(i + 1) } else { Err(Stop::Invalid) }
}

/// Looks for the end of the head (two line ends in a row) from 3 bytes before the new data.
#[inline(always)]
fn is_complete<'b, S: Scan<'b>>(s: &mut S, buf: &[u8], last_len: usize) -> Result<(), Stop> {
    let mut i = if last_len < 3 { 0 } else { (last_len - 3).min(buf.len()) };
    let mut line_ends = 0;
    loop {
        let j = s.eol_char(i);
        if j != i {
            line_ends = 0;
        }
        i = j;
        if byte(buf, i)? == b'\r' {
            i = expect_lf(buf, i + 1)?;
        } else {
            i += 1;
        }
        line_ends += 1;
        if line_ends == 2 {
            return Ok(());
        }
    }
}

/// A token (method, header name) from `pos` up to `stop`; returns the index of `stop`.
#[inline(always)]
fn token<'b, S: Scan<'b>>(s: &mut S, buf: &[u8], pos: usize, stop: u8) -> Result<usize, Stop> {
    let end = s.non_tchar(pos);
    match byte(buf, end)? {
        c if c == stop => Ok(end),
        _ => Err(Stop::Invalid),
    }
}

/// A line's remainder from `pos`; returns (end of the content, index after the line end).
#[inline(always)]
fn to_eol<'b, S: Scan<'b>>(s: &mut S, buf: &[u8], pos: usize) -> Result<(usize, usize), Stop> {
    line_end_at(buf, s.value_end(pos))
}

/// Checks that the byte at `end` (the first of the line-end class) ends a line; returns (`end`,
/// index after the line end).
#[inline(always)]
fn line_end_at(buf: &[u8], end: usize) -> Result<(usize, usize), Stop> {
    match byte(buf, end)? {
        b'\r' => Ok((end, expect_lf(buf, end + 1)?)),
        b'\n' => Ok((end, end + 1)),
        _ => Err(Stop::Invalid),
    }
}

/// Skips a run of SP that must be followed by more input: "do { ++i; } while (buf[i] == ' ')".
#[inline(always)]
fn skip_spaces_after(buf: &[u8], mut i: usize) -> Result<usize, Stop> {
    loop {
        i += 1;
        if byte(buf, i)? != b' ' {
            return Ok(i);
        }
    }
}

/// `HTTP/1.<digit>`; needs 9 bytes so that the byte after the version can be looked at.
#[inline(always)]
fn http_version(buf: &[u8], pos: usize, minor_version: &mut i32) -> Result<usize, Stop> {
    if buf.len() - pos < 9 {
        return Err(Stop::Partial);
    }
    if &buf[pos..pos + 7] != b"HTTP/1." {
        return Err(Stop::Invalid);
    }
    let d = buf[pos + 7];
    if !d.is_ascii_digit() {
        return Err(Stop::Invalid);
    }
    *minor_version = (d - b'0') as i32;
    Ok(pos + 8)
}

#[inline(always)]
fn headers_from<'b, S: Scan<'b>, H: HeaderSlot<'b>>(
    s: &mut S,
    buf: &'b [u8],
    mut pos: usize,
    headers: &mut [H],
    num_headers: &mut usize,
) -> Result<usize, Stop> {
    loop {
        let c = byte(buf, pos)?;
        if c == b'\r' {
            return expect_lf(buf, pos + 1);
        } else if c == b'\n' {
            return Ok(pos + 1);
        }
        let Some(slot) = headers.get_mut(*num_headers) else {
            return Err(Stop::Invalid);
        };
        // The line's end is searched from the line's start, not from the value's: a name (tchars),
        // the colon and the whitespace after it hold no byte of the line-end class, so the answer is
        // the same whenever the name is valid, and the search does not wait for the name's.
        let line_end = s.value_end(pos);
        let mut value_start = pos;
        if *num_headers != 0 && (c == b' ' || c == b'\t') {
            slot.set_no_name();
        } else {
            // Whitespace before the colon is not dropped: it makes the name invalid (not a token).
            let colon = token(s, buf, pos, b':')?;
            slot.set_name(&buf[pos..colon]);
            if colon == pos {
                return Err(Stop::Invalid);
            }
            value_start = colon + 1;
            loop {
                let c = byte(buf, value_start)?;
                if c != b' ' && c != b'\t' {
                    break;
                }
                value_start += 1;
            }
        }
        let (mut end, next) = line_end_at(buf, line_end)?;
        while end > value_start && matches!(buf[end - 1], b' ' | b'\t') {
            end -= 1;
        }
        slot.set_value(&buf[value_start..end]);
        pos = next;
        *num_headers += 1;
    }
}

#[inline(always)]
pub(crate) fn parse_request_core<'b, S: Scan<'b>, H: HeaderSlot<'b>>(
    buf: &'b [u8],
    last_len: usize,
    out: &mut RequestLine<'b>,
    headers: &mut [H],
    num_headers: &mut usize,
) -> Result<usize, Stop> {
    let s = &mut S::new(buf);
    if last_len != 0 {
        is_complete(s, buf, last_len)?;
    }
    // An empty line before the request line is skipped (some clients send CRLF after a body).
    let mut pos = match byte(buf, 0)? {
        b'\r' => expect_lf(buf, 1)?,
        b'\n' => 1,
        _ => 0,
    };
    let method_end = token(s, buf, pos, b' ')?;
    let method = &buf[pos..method_end];
    out.method = Some(method);
    let path_start = skip_spaces_after(buf, method_end)?;
    let path_end = s.path_end(path_start);
    if byte(buf, path_end)? != b' ' {
        return Err(Stop::Invalid);
    }
    out.path = Some(&buf[path_start..path_end]);
    pos = skip_spaces_after(buf, path_end)?;
    if method.is_empty() || path_end == path_start {
        return Err(Stop::Invalid);
    }
    pos = http_version(buf, pos, &mut out.minor_version)?;
    pos = match buf[pos] {
        b'\r' => expect_lf(buf, pos + 1)?,
        b'\n' => pos + 1,
        _ => return Err(Stop::Invalid),
    };
    headers_from(s, buf, pos, headers, num_headers)
}

#[inline(always)]
pub(crate) fn parse_response_core<'b, S: Scan<'b>, H: HeaderSlot<'b>>(
    buf: &'b [u8],
    last_len: usize,
    out: &mut StatusLine<'b>,
    headers: &mut [H],
    num_headers: &mut usize,
) -> Result<usize, Stop> {
    let s = &mut S::new(buf);
    if last_len != 0 {
        is_complete(s, buf, last_len)?;
    }
    let mut pos = http_version(buf, 0, &mut out.minor_version)?;
    if buf[pos] != b' ' {
        return Err(Stop::Invalid);
    }
    pos = skip_spaces_after(buf, pos)?;
    // Three digits and one more byte are needed before the status code is looked at.
    if buf.len() - pos < 4 {
        return Err(Stop::Partial);
    }
    let digit = |i: usize| if buf[i].is_ascii_digit() { Ok((buf[i] - b'0') as i32) } else { Err(Stop::Invalid) };
    out.status = 100 * digit(pos)?;
    out.status += 10 * digit(pos + 1)?;
    out.status += digit(pos + 2)?;
    pos += 3;
    let (end, next) = to_eol(s, buf, pos)?;
    out.reason = Some(&buf[pos..end]);
    if end != pos {
        // The reason phrase must be separated from the code by SP, which is then dropped.
        if buf[pos] != b' ' {
            return Err(Stop::Invalid);
        }
        while buf[pos] == b' ' {
            pos += 1;
        }
        out.reason = Some(&buf[pos.min(end)..end]);
    }
    headers_from(s, buf, next, headers, num_headers)
}

#[inline(always)]
pub(crate) fn parse_headers_core<'b, S: Scan<'b>, H: HeaderSlot<'b>>(
    buf: &'b [u8],
    last_len: usize,
    headers: &mut [H],
    num_headers: &mut usize,
) -> Result<usize, Stop> {
    let s = &mut S::new(buf);
    if last_len != 0 {
        is_complete(s, buf, last_len)?;
    }
    headers_from(s, buf, 0, headers, num_headers)
}

// ---------------------------------------------------------------------------------------------
// Dispatch to the compiled instance of the chosen level.

macro_rules! dispatch {
    ($level:expr, $core:ident, $x86:ident { $sse:ident, $avx2:ident, $avx512:ident }, ($($arg:expr),*)) => {{
        match $level {
            // SAFETY (all three): the level is only chosen when `SimdLevel::is_supported` saw the
            // CPU features that the entry point is compiled with.
            #[cfg(target_arch = "x86_64")]
            SimdLevel::Avx512 => unsafe { x86::$avx512($($arg),*) },
            #[cfg(target_arch = "x86_64")]
            SimdLevel::Avx2 => unsafe { x86::$avx2($($arg),*) },
            #[cfg(target_arch = "x86_64")]
            SimdLevel::Sse42 => unsafe { x86::$sse($($arg),*) },
            _ => $core::<Scalar<'b>, _>($($arg),*),
        }
    }};
}

/// A level the CPU can run: `level` itself, or `Scalar` when this CPU lacks it.
#[inline]
fn usable(level: SimdLevel) -> SimdLevel {
    if level.is_supported() { level } else { SimdLevel::Scalar }
}

/// The level for a parse: the process's level (always supported), or a caller's checked one.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Level {
    Process,
    Given(SimdLevel),
}

impl Level {
    #[inline(always)]
    fn get(self) -> SimdLevel {
        match self {
            Level::Process => simd_level(),
            Level::Given(l) => usable(l),
        }
    }
}

#[inline(always)]
pub(crate) fn request_raw<'b, H: HeaderSlot<'b>>(
    level: Level,
    buf: &'b [u8],
    last_len: usize,
    out: &mut RequestLine<'b>,
    headers: &mut [H],
    num_headers: &mut usize,
) -> Result<usize, Stop> {
    dispatch!(level.get(), parse_request_core, x86 { request_sse42, request_avx2, request_avx512 }, (buf, last_len, out, headers, num_headers))
}

#[inline(always)]
pub(crate) fn response_raw<'b, H: HeaderSlot<'b>>(
    level: Level,
    buf: &'b [u8],
    last_len: usize,
    out: &mut StatusLine<'b>,
    headers: &mut [H],
    num_headers: &mut usize,
) -> Result<usize, Stop> {
    dispatch!(level.get(), parse_response_core, x86 { response_sse42, response_avx2, response_avx512 }, (buf, last_len, out, headers, num_headers))
}

#[inline(always)]
pub(crate) fn headers_raw<'b, H: HeaderSlot<'b>>(
    level: Level,
    buf: &'b [u8],
    last_len: usize,
    headers: &mut [H],
    num_headers: &mut usize,
) -> Result<usize, Stop> {
    dispatch!(level.get(), parse_headers_core, x86 { headers_sse42, headers_avx2, headers_avx512 }, (buf, last_len, headers, num_headers))
}

// ---------------------------------------------------------------------------------------------
// The safe Rust API.

/// A parsed request head. Header `i` is in the caller's `headers[i]` for `i < num_headers`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request<'b> {
    pub method: &'b [u8],
    pub path: &'b [u8],
    /// The `x` of `HTTP/1.x` (one digit).
    pub minor_version: u8,
    pub num_headers: usize,
    /// Length of the head, including the empty line that ends it.
    pub head_len: usize,
}

/// A parsed response head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Response<'b> {
    pub minor_version: u8,
    pub status: u16,
    /// The reason phrase, as sent (without the SP before it).
    pub reason: &'b [u8],
    pub num_headers: usize,
    pub head_len: usize,
}

/// A parsed header block (as after a request line, or chunked trailers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Headers {
    pub num_headers: usize,
    pub head_len: usize,
}

fn finish<T>(r: Result<usize, Stop>, f: impl FnOnce(usize) -> T) -> Result<Status<T>, Invalid> {
    match r {
        Ok(n) => Ok(Status::Complete(f(n))),
        Err(Stop::Partial) => Ok(Status::Partial),
        Err(Stop::Invalid) => Err(Invalid),
    }
}

/// Parses a request head at the start of `buf`, with the process's SIMD level.
/// `headers.len()` is the most headers accepted; `last_len` as in picohttpparser (0 on the first try).
pub fn parse_request<'b>(buf: &'b [u8], headers: &mut [Header<'b>], last_len: usize) -> Result<Status<Request<'b>>, Invalid> {
    request_at(Level::Process, buf, headers, last_len)
}

/// [`parse_request`] with a given SIMD level (a level this CPU lacks runs the scalar code).
pub fn parse_request_with<'b>(
    level: SimdLevel,
    buf: &'b [u8],
    headers: &mut [Header<'b>],
    last_len: usize,
) -> Result<Status<Request<'b>>, Invalid> {
    request_at(Level::Given(level), buf, headers, last_len)
}

#[inline(always)]
fn request_at<'b>(level: Level, buf: &'b [u8], headers: &mut [Header<'b>], last_len: usize) -> Result<Status<Request<'b>>, Invalid> {
    let mut line = RequestLine::EMPTY;
    let mut n = 0;
    let r = request_raw(level, buf, last_len, &mut line, headers, &mut n);
    finish(r, |head_len| Request {
        method: line.method.unwrap_or_default(),
        path: line.path.unwrap_or_default(),
        minor_version: line.minor_version as u8,
        num_headers: n,
        head_len,
    })
}

/// Parses a response head at the start of `buf`.
pub fn parse_response<'b>(buf: &'b [u8], headers: &mut [Header<'b>], last_len: usize) -> Result<Status<Response<'b>>, Invalid> {
    response_at(Level::Process, buf, headers, last_len)
}

/// [`parse_response`] with a given SIMD level.
pub fn parse_response_with<'b>(
    level: SimdLevel,
    buf: &'b [u8],
    headers: &mut [Header<'b>],
    last_len: usize,
) -> Result<Status<Response<'b>>, Invalid> {
    response_at(Level::Given(level), buf, headers, last_len)
}

#[inline(always)]
fn response_at<'b>(level: Level, buf: &'b [u8], headers: &mut [Header<'b>], last_len: usize) -> Result<Status<Response<'b>>, Invalid> {
    let mut line = StatusLine::EMPTY;
    let mut n = 0;
    let r = response_raw(level, buf, last_len, &mut line, headers, &mut n);
    finish(r, |head_len| Response {
        minor_version: line.minor_version as u8,
        status: line.status as u16,
        reason: line.reason.unwrap_or_default(),
        num_headers: n,
        head_len,
    })
}

/// Parses a block of header lines ended by an empty line.
pub fn parse_headers<'b>(buf: &'b [u8], headers: &mut [Header<'b>], last_len: usize) -> Result<Status<Headers>, Invalid> {
    headers_at(Level::Process, buf, headers, last_len)
}

/// [`parse_headers`] with a given SIMD level.
pub fn parse_headers_with<'b>(
    level: SimdLevel,
    buf: &'b [u8],
    headers: &mut [Header<'b>],
    last_len: usize,
) -> Result<Status<Headers>, Invalid> {
    headers_at(Level::Given(level), buf, headers, last_len)
}

#[inline(always)]
fn headers_at<'b>(level: Level, buf: &'b [u8], headers: &mut [Header<'b>], last_len: usize) -> Result<Status<Headers>, Invalid> {
    let mut n = 0;
    let r = headers_raw(level, buf, last_len, headers, &mut n);
    finish(r, |head_len| Headers { num_headers: n, head_len })
}

/// Whether `b` may appear in a method or header name.
pub fn is_token_byte(b: u8) -> bool {
    TCHAR[b as usize]
}

#[cfg(test)]
mod tests;
