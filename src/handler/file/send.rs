//! Answering with an opened file: conditional requests, the method check, ranges, the response
//! headers, and the generator that streams the body; the directory listing; the delegation to a
//! dynamic type's handler.

use std::ffi::{c_char, c_int, CString};
use std::rc::Rc;

use super::range::{self, ByteRange};
use super::{cond, method_of, method_not_allowed, send_error, FileHandler, Method, Opened, Tokens, FLAG_NO_ETAG, FLAG_SEND_COMPRESSED, TYPE_DYNAMIC};
use crate::core::headers;
use crate::core::request::{self, bytes};
use crate::abi::memory::h2o_iovec_t;
use crate::abi::mimemap::{h2o_mime_attributes_t, h2o_mimemap_type_t};
use crate::core::mimemap::h2o_mimemap_t;
use crate::abi::request::{h2o_generator_t, h2o_req_t, SEND_STATE_ERROR, SEND_STATE_FINAL, SEND_STATE_IN_PROGRESS};
use crate::handler::filecache::{Entry, Kind};

/// The most a body piece read from a large file holds (2.2.5: 65000 bytes).
const CHUNK: usize = 64 * 1024;

/// A generator with neither proceed nor stop, for responses sent in one `h2o_send`.
static NO_GENERATOR: h2o_generator_t = h2o_generator_t { proceed: None, stop: None };

/// `h2o_filereq_t` (48 bytes): what a dynamic type's handler learns of the file.
#[repr(C)]
struct FileReq {
    script_name: h2o_iovec_t,
    path_info: h2o_iovec_t,
    local_path: h2o_iovec_t,
}
const _: () = assert!(size_of::<FileReq>() == 48);

/// The multipart state of a response with several ranges.
struct Multi {
    ranges: Vec<ByteRange>,
    /// The range being sent, or to be started.
    next: usize,
    /// Whether the head of range `next` has been sent.
    in_range: bool,
    boundary: [u8; 20],
    mime: Vec<u8>,
    size: u64,
}

/// The generator of a file body. It lives in a shared allocation linked to the request's pool, so
/// it (and the file it holds) is released when the request is done, however the response ended
/// (sent, failed, or stopped because the connection went away).
#[repr(C)]
struct Gen {
    super_: h2o_generator_t,
    file: Rc<Entry>,
    off: u64,
    left: u64,
    /// The piece in flight (pread data or assembled multipart bytes), kept until `proceed`.
    buf: Vec<u8>,
    multi: Option<Multi>,
    /// Set when the body is the file decompressed (length unknown beforehand).
    gunzip: Option<Box<super::gunzip::Gunzip>>,
}

unsafe extern "C" fn drop_gen(p: *mut std::ffi::c_void) {
    // SAFETY: `p` is a Gen written by `send_file`; the pool drops it once.
    unsafe { std::ptr::drop_in_place(p.cast::<Gen>()) };
}

unsafe extern "C" fn proceed(g: *mut h2o_generator_t, req: *mut h2o_req_t) {
    crate::abi::panic::boundary("file handler proceed", (), || {
        // SAFETY: `g` is the head of a live Gen (the pool holds it until the request is done).
        unsafe {
            let g_ = &mut *g.cast::<Gen>();
            if g_.gunzip.is_some() {
                proceed_gunzip(g_, req)
            } else if g_.multi.is_some() {
                proceed_multi(g_, req)
            } else {
                proceed_single(g_, req)
            }
        }
    })
}

/// The next piece of a whole file or a single range. `g_` is not touched after `h2o_send`.
///
/// # Safety
/// `g_` is live; `req` is its request.
unsafe fn proceed_single(g_: &mut Gen, req: *mut h2o_req_t) {
    // SAFETY: the caller's contract; the bytes sent stay valid until the next proceed or the end of
    // the request (they belong to the entry the generator holds, or to its buffer).
    unsafe {
        if let Kind::Small(b) = &g_.file.kind {
            let start = g_.off as usize;
            let n = g_.left as usize;
            g_.left = 0;
            if start + n > b.len() {
                return request::send(req, std::ptr::null_mut(), 0, SEND_STATE_ERROR);
            }
            let mut iov = h2o_iovec_t { base: b.as_ptr().add(start).cast::<c_char>().cast_mut(), len: n };
            return request::send(req, &mut iov, 1, SEND_STATE_FINAL);
        }
        let n = (g_.left as usize).min(CHUNK);
        g_.buf.resize(n, 0);
        match g_.file.read_at(g_.off, &mut g_.buf[..n]) {
            Ok(k) if k > 0 => {
                g_.off += k as u64;
                g_.left -= k as u64;
                let state = if g_.left == 0 { SEND_STATE_FINAL } else { SEND_STATE_IN_PROGRESS };
                let mut iov = h2o_iovec_t { base: g_.buf.as_mut_ptr().cast(), len: k };
                request::send(req, &mut iov, 1, state);
            }
            // the file shrank or could not be read: the response cannot be completed
            _ => request::send(req, std::ptr::null_mut(), 0, SEND_STATE_ERROR),
        }
    }
}

/// The next piece of a decompressed body; FINAL once the gzip stream has ended, ERROR when it is
/// damaged or cannot be read (the client then sees the body cut short).
///
/// # Safety
/// As [`proceed_single`].
unsafe fn proceed_gunzip(g_: &mut Gen, req: *mut h2o_req_t) {
    let Some(z) = g_.gunzip.as_mut() else { return };
    match z.produce(CHUNK) {
        Ok(piece) => {
            let mut iov = h2o_iovec_t { base: piece.as_ptr().cast::<c_char>().cast_mut(), len: piece.len() };
            let state = if z.done() { SEND_STATE_FINAL } else { SEND_STATE_IN_PROGRESS };
            // SAFETY: the caller's contract; the piece stays in the decompressor until the next proceed.
            unsafe { request::send(req, &mut iov, 1, state) };
        }
        Err(_) => {
            // SAFETY: the caller's contract.
            unsafe { request::send(req, std::ptr::null_mut(), 0, SEND_STATE_ERROR) };
        }
    }
}

/// The next piece of a `multipart/byteranges` body: part heads and range bytes up to about CHUNK
/// bytes, the closing delimiter after the last range.
///
/// # Safety
/// As [`proceed_single`].
unsafe fn proceed_multi(g_: &mut Gen, req: *mut h2o_req_t) {
    let Gen { file, off, left, buf, multi, .. } = g_;
    let Some(m) = multi.as_mut() else { return };
    buf.clear();
    let mut state = SEND_STATE_IN_PROGRESS;
    loop {
        if !m.in_range {
            if m.next == m.ranges.len() {
                buf.extend_from_slice(&range::closing(&m.boundary));
                state = SEND_STATE_FINAL;
                break;
            }
            let r = m.ranges[m.next];
            buf.extend_from_slice(&range::part_head(m.next, &m.boundary, &m.mime, &r, m.size));
            *off = r.start;
            *left = r.len;
            m.in_range = true;
        }
        let take = (*left as usize).min(CHUNK.saturating_sub(buf.len()));
        if take == 0 {
            break;
        }
        let at = buf.len();
        buf.resize(at + take, 0);
        match file.read_at(*off, &mut buf[at..]) {
            Ok(k) if k > 0 => {
                buf.truncate(at + k);
                *off += k as u64;
                *left -= k as u64;
                if *left == 0 {
                    m.in_range = false;
                    m.next += 1;
                }
            }
            _ => {
                // SAFETY: the caller's contract.
                return unsafe { request::send(req, std::ptr::null_mut(), 0, SEND_STATE_ERROR) };
            }
        }
    }
    let mut iov = h2o_iovec_t { base: buf.as_mut_ptr().cast(), len: buf.len() };
    // SAFETY: the caller's contract; `buf` stays put until the next proceed.
    unsafe { request::send(req, &mut iov, 1, state) };
}

/// An iovec of static bytes.
fn lit(s: &'static [u8]) -> h2o_iovec_t {
    h2o_iovec_t { base: s.as_ptr().cast::<c_char>().cast_mut(), len: s.len() }
}

/// An iovec borrowing `s` (the caller keeps it alive for the response).
fn borrowed(s: &[u8]) -> h2o_iovec_t {
    h2o_iovec_t { base: s.as_ptr().cast::<c_char>().cast_mut(), len: s.len() }
}

/// Adds ETag (unless `FLAG_NO_ETAG`) and Vary (with `FLAG_SEND_COMPRESSED`): the headers a 304
/// carries as well. The ETag value is copied into the pool when `copy`, else borrowed from the
/// entry (which the generator keeps alive).
///
/// # Safety
/// `req` is live.
unsafe fn add_unconditional(req: &mut h2o_req_t, file: &Entry, flags: c_int, tk: &Tokens, copy: bool) {
    // SAFETY: the caller's contract; values outlive the response as described.
    unsafe {
        if flags & FLAG_NO_ETAG == 0 {
            let v = if copy { headers::pool_strdup(&mut req.pool, &file.etag) } else { borrowed(&file.etag) };
            headers::add(&mut req.pool, &mut req.res.headers, tk.etag, std::ptr::null(), v);
        }
        if flags & FLAG_SEND_COMPRESSED != 0 {
            crate::core::headers::set_token(&mut req.pool, &mut req.res.headers, tk.vary.cast(), h2o_iovec_t { base: c"accept-encoding".as_ptr().cast_mut(), len: 15 });
        }
    }
}

/// Answers with `opened` for `rpath`, its type looked up by extension in `mimemap`.
///
/// # Safety
/// `req` is live with no response started; `mimemap` is a live map.
pub(super) unsafe fn serve(req: *mut h2o_req_t, opened: Opened, rpath: &[u8], mimemap: *mut h2o_mimemap_t, flags: c_int, tk: &Tokens) -> c_int {
    let ext = crate::strings::get_filext(rpath).map(|r| &rpath[r]).unwrap_or(&[]);
    // SAFETY: a live map; `ext` is readable for the call.
    let t = unsafe { crate::core::mimemap::type_by_extension(mimemap, borrowed(ext)) };
    // SAFETY: the caller's contract; the type is the map's (alive as long as the handler).
    unsafe { serve_with_type(req, opened, rpath, t, flags, tk) }
}

/// 2.2.5's `serve_with_generator`: validators, then the type (dynamic types are delegated), the
/// method, ranges, and the response.
///
/// # Safety
/// `req` is live with no response started; `mime_type` outlives the response.
pub(super) unsafe fn serve_with_type(req: *mut h2o_req_t, opened: Opened, rpath: &[u8], mime_type: *mut h2o_mimemap_type_t, flags: c_int, tk: &Tokens) -> c_int {
    // SAFETY: the caller's contract throughout.
    unsafe {
        let r = &mut *req;
        let file = &opened.file;
        let not_modified = if let Some(v) = super::find_header(r, tk.if_none_match) {
            cond::none_match(v, &file.etag)
        } else if let Some(v) = super::find_header(r, tk.if_modified_since) {
            cond::parse_rfc1123(v).is_some_and(|since| cond::not_modified_since(&since, &file.last_modified_tm))
        } else {
            false
        };
        if not_modified {
            r.res.status = 304;
            r.res.reason = c"Not Modified".as_ptr();
            add_unconditional(r, file, flags, tk, true);
            request::send_inline(req, std::ptr::null(), 0);
            return 0;
        }
        if (*mime_type).type_ == TYPE_DYNAMIC {
            let pn = r.path_normalized;
            return delegate(req, pn, h2o_iovec_t { base: std::ptr::null_mut(), len: 0 }, rpath, mime_type);
        }
        let method = method_of(bytes(r.method));
        if method == Method::Other {
            return method_not_allowed(req, tk);
        }
        let mime = (*mime_type).mimetype;
        // a decompressed body has no byte positions to serve ranges of: Range is ignored
        let range = if opened.gunzip { None } else { super::find_header(r, tk.range) };
        if let Some(v) = range {
            let Some(ranges) = range::parse(v, file.size) else {
                let cr = headers::pool_strdup(&mut r.pool, format!("bytes */{}", file.size).as_bytes());
                headers::add(&mut r.pool, &mut r.res.headers, tk.content_range, std::ptr::null(), cr);
                return send_error(req, 416, c"Request Range Not Satisfiable", c"requested range not satisfiable", 2);
            };
            let as_is = &raw mut crate::abi::mimemap::h2o_mime_attributes_as_is;
            send_file(req, opened, 206, c"Partial Content".as_ptr(), mime, as_is, method == Method::Get, Some(ranges), flags, tk);
            return 0;
        }
        let attr = &raw mut (*mime_type).attr;
        send_file(req, opened, 200, c"OK".as_ptr(), mime, attr, method == Method::Get, None, flags, tk);
        0
    }
}

/// 2.2.5's `do_send_file`: the status, the headers, and the body (or none for HEAD and empty
/// bodies). `mime` and `reason` outlive the response.
///
/// # Safety
/// `req` is live with no response started.
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn send_file(
    req: *mut h2o_req_t,
    opened: Opened,
    status: c_int,
    reason: *const c_char,
    mime: h2o_iovec_t,
    attr: *mut h2o_mime_attributes_t,
    is_get: bool,
    ranges: Option<Vec<ByteRange>>,
    flags: c_int,
    tk: &Tokens,
) {
    // SAFETY: the caller's contract throughout; header values borrowed from the entry stay valid
    // because the generator (or, for bodyless answers, a pool-linked holder) keeps the entry.
    unsafe {
        let r = &mut *req;
        let Opened { file, encoding, gunzip } = opened;
        let size = file.size;
        let mut off = 0;
        let mut multi = None;
        let n_ranges = ranges.as_ref().map_or(0, Vec::len);
        let length = match ranges {
            None => size,
            Some(rs) if rs.len() == 1 => {
                off = rs[0].start;
                rs[0].len
            }
            Some(rs) => {
                let m = Multi { boundary: range::boundary(), mime: bytes(mime).to_vec(), size, next: 0, in_range: false, ranges: rs };
                let len = range::multipart_len(&m.ranges, &m.boundary, &m.mime, size);
                multi = Some(m);
                len
            }
        };
        r.res.status = status;
        r.res.reason = reason;
        r.res.content_length = if gunzip { usize::MAX } else { length as usize };
        r.res.mime_attr = attr.cast();

        // the generator holds the entry from here on, so the headers may borrow from it
        let g = crate::mem::pool::alloc_shared(Some(&mut r.pool), size_of::<Gen>(), Some(drop_gen)).cast::<Gen>();
        g.write(Gen {
            super_: h2o_generator_t { proceed: Some(proceed), stop: None },
            gunzip: gunzip.then(|| Box::new(super::gunzip::Gunzip::new(file.clone()))),
            file,
            off,
            left: length,
            buf: Vec::new(),
            multi,
        });
        let g_ = &mut *g;
        let file = &*g_.file;

        let ctype = match &g_.multi {
            Some(m) => {
                let mut v = b"multipart/byteranges; boundary=".to_vec();
                v.extend_from_slice(&m.boundary);
                headers::pool_strdup(&mut r.pool, &v)
            }
            None => mime,
        };
        headers::add(&mut r.pool, &mut r.res.headers, tk.content_type, std::ptr::null(), ctype);
        headers::add(&mut r.pool, &mut r.res.headers, tk.last_modified, std::ptr::null(), borrowed(&file.last_modified));
        add_unconditional(r, file, flags, tk, false);
        if let Some(enc) = encoding {
            headers::add(&mut r.pool, &mut r.res.headers, tk.content_encoding, std::ptr::null(), lit(enc));
        }
        if n_ranges == 0 {
            headers::add(&mut r.pool, &mut r.res.headers, tk.accept_ranges, std::ptr::null(), lit(b"bytes"));
        } else if n_ranges == 1 {
            let v = format!("bytes {}-{}/{}", off, off + length - 1, size);
            let v = headers::pool_strdup(&mut r.pool, v.as_bytes());
            headers::add(&mut r.pool, &mut r.res.headers, tk.content_range, std::ptr::null(), v);
        }
        if !is_get || (length == 0 && !gunzip) {
            request::start_response(r, (&raw const NO_GENERATOR).cast_mut());
            request::send(req, std::ptr::null_mut(), 0, SEND_STATE_FINAL);
            return;
        }
        request::start_response(r, g.cast());
        proceed(g.cast(), req);
    }
}

/// The HTML listing of directory `dir` (for GET; HEAD gets the same headers and length).
///
/// # Safety
/// `req` is live with no response started.
pub(super) unsafe fn dir_listing(req: *mut h2o_req_t, dir: &[u8]) -> Result<(), c_int> {
    let path = CString::new(dir).map_err(|_| libc::ENOENT)?;
    let mut names = super::listing::read_names(&path)?;
    // SAFETY: the caller's contract.
    unsafe {
        let r = &mut *req;
        let html = super::listing::html(bytes(r.path_normalized), &mut names);
        let mut body = headers::pool_strdup(&mut r.pool, &html);
        r.res.status = 200;
        r.res.reason = c"OK".as_ptr();
        r.res.content_length = body.len;
        let tk = super::tokens();
        headers::add(&mut r.pool, &mut r.res.headers, tk.content_type, std::ptr::null(), lit(b"text/html; charset=utf-8"));
        request::start_response(r, (&raw const NO_GENERATOR).cast_mut());
        request::send(req, &mut body, 1, SEND_STATE_FINAL);
    }
    Ok(())
}

/// 2.2.5's `try_dynamic_request`, for a path that could not be opened: the first existing
/// non-directory along `rpath` (below the handler's directory) whose extension maps to a dynamic
/// type gets the request, with the rest of the path as PATH_INFO. `None` when there is none, or
/// when its handler declined.
///
/// # Safety
/// `req` is live with no response started.
pub(super) unsafe fn try_dynamic(fh: &FileHandler, req: *mut h2o_req_t, rpath: &[u8]) -> Option<c_int> {
    let mut slash_at = fh.real_path.len();
    loop {
        slash_at += 1 + rpath.get(slash_at + 1..)?.iter().position(|&c| c == b'/')?;
        let p = CString::new(&rpath[..slash_at]).ok()?;
        // SAFETY: all-zero is a valid stat; a NUL-terminated path.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: as above.
        if unsafe { libc::stat(p.as_ptr(), &mut st) } != 0 {
            return None;
        }
        if st.st_mode & libc::S_IFMT != libc::S_IFDIR {
            break;
        }
    }
    let name = &rpath[..slash_at];
    let ext = crate::strings::get_filext(name).map(|r| &name[r]).unwrap_or(&[]);
    // SAFETY: the handler's live map.
    let t = unsafe { crate::core::mimemap::type_by_extension(fh.mimemap, borrowed(ext)) };
    // SAFETY: a type of the map.
    if unsafe { (*t).type_ } != TYPE_DYNAMIC {
        return None;
    }
    // SAFETY: the caller's contract.
    unsafe {
        let pn = (*req).path_normalized;
        let script_len = (fh.conf_path.len() + slash_at - fh.real_path.len()).min(pn.len);
        let script_name = h2o_iovec_t { base: pn.base, len: script_len };
        let path_info = h2o_iovec_t { base: pn.base.add(script_len), len: pn.len - script_len };
        let ret = delegate(req, script_name, path_info, name, t);
        (ret == 0).then_some(0)
    }
}

/// Hands the request to the handler of dynamic type `t` (2.2.5's `delegate_dynamic_request`):
/// `req->filereq` tells it the script name, the path info and the local path; `req->pathconf` is
/// the type's.
///
/// # Safety
/// `req` is live with no response started; `t` is a live dynamic type.
unsafe fn delegate(req: *mut h2o_req_t, script_name: h2o_iovec_t, path_info: h2o_iovec_t, local_path: &[u8], t: *mut h2o_mimemap_type_t) -> c_int {
    // SAFETY: the caller's contract.
    unsafe {
        let pc = super::dynamic_pathconf(t);
        if (*pc).handlers.size == 0 {
            return -1;
        }
        let r = &mut *req;
        let fr = crate::mem::pool::alloc(&mut r.pool, size_of::<FileReq>()).cast::<FileReq>();
        fr.write(FileReq { script_name, path_info, local_path: headers::pool_strdup(&mut r.pool, local_path) });
        // the type's pathconf (and its environment) serves the request from here on
        request::bind_conf(req, r.hostconf, pc);
        (*req).filereq = fr.cast();
        let h = *(*pc).handlers.entries;
        if (*h).on_req.is_null() {
            return -1;
        }
        // SAFETY: a handler's on_req is `int (*)(h2o_handler_t *, h2o_req_t *)`.
        let on_req: unsafe extern "C" fn(*mut crate::abi::core::h2o_handler_t, *mut h2o_req_t) -> c_int = std::mem::transmute((*h).on_req);
        on_req(h, req)
    }
}
