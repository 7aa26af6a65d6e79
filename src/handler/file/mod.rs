//! The file handler of 2.2.5 (`h2o_file_register`, `h2o_file_register_file`, `h2o_file_send`):
//! static files from a directory, with MIME types from a map, index files, redirects for
//! directories, an optional HTML listing, validators (ETag, Last-Modified, 304), ranges (206, 416,
//! `multipart/byteranges`), HEAD, and precompressed `.br` / `.gz` variants.
//!
//! The request path (`req->path_normalized`, already free of `.` and `..` segments) minus the
//! handler's path is appended to its directory; a missing file declines (the next handler, or 404),
//! a file that cannot be opened otherwise is 403 (503 when out of descriptors), a directory without
//! the trailing slash is redirected (301, query kept), a directory with one is served by its first
//! index file that exists, or listed with `H2O_FILE_FLAG_DIR_LISTING`, or declined. Methods other
//! than GET and HEAD get 405 with `Allow: GET, HEAD`, except on dynamic types of the map, which are
//! delegated to the type's handler as 2.2.5 does. With `H2O_FILE_FLAG_GUNZIP`, a missing file whose
//! `.gz` exists is sent decompressed ([`gunzip`], chunked) to clients that did not get the `.gz`.
//!
//! Files come from the context's [`crate::handler::filecache`]: small files are served from memory
//! (no system call), larger ones read with `pread` in 64 KiB pieces as the connection takes them.
//!
//! Deliberate differences from 2.2.5: If-None-Match is a list compared weakly (see [`cond`]); a
//! path with a NUL byte (`%00`) declines (2.2.5 cut the path there); FIFOs and devices are 403;
//! an empty file satisfies no range; a file that shrinks while it is sent ends the response with an
//! error (2.2.5 could loop); the listing answers HEAD with the length GET would have; the redirect to
//! an index directory says "Moved Permanently" (2.2.5: "Moved Permantently"); a file decompressed
//! for `H2O_FILE_FLAG_GUNZIP` ignores Range (2.2.5 answered 206 with the compressed file's
//! Content-Range and no body).

pub mod cond;
pub mod listing;
pub mod gunzip;
pub mod range;
mod send;

use std::ffi::{c_char, c_int, CStr, CString};
use std::ptr::null_mut;
use std::rc::Rc;

use crate::core::headers;
use crate::core::request::{self, bytes};
use crate::abi::core::{h2o_context_t, h2o_handler_t, h2o_pathconf_t};
use crate::abi::memory::h2o_iovec_t;
use crate::abi::mimemap::h2o_mimemap_type_t;
use crate::core::mimemap::h2o_mimemap_t;
use crate::abi::request::h2o_req_t;
use crate::handler::filecache::{self, Entry};

pub const FLAG_NO_ETAG: c_int = 0x1;
pub const FLAG_DIR_LISTING: c_int = 0x2;
pub const FLAG_SEND_COMPRESSED: c_int = 0x4;
pub const FLAG_GUNZIP: c_int = 0x8;

/// `H2O_MIMEMAP_TYPE_DYNAMIC`.
const TYPE_DYNAMIC: c_int = 1;

/// The index files used when `h2o_file_register` gets NULL (2.2.5's list).
pub const DEFAULT_INDEX_FILES: [&CStr; 3] = [c"index.html", c"index.htm", c"index.txt"];

/// The directory handler (`h2o_file_handler_t`, opaque to C): the module header first, as every
/// handler. Lives in the block `h2o_create_handler` allocated; `dispose` drops the Rust fields.
#[repr(C)]
pub struct FileHandler {
    pub super_: h2o_handler_t,
    /// The pathconf's path with a '/' at the end.
    conf_path: Vec<u8>,
    /// The directory with a '/' at the end.
    real_path: Vec<u8>,
    /// One reference, the handler's.
    pub mimemap: *mut h2o_mimemap_t,
    flags: c_int,
    index_files: Vec<Vec<u8>>,
}

/// The single-file handler of `h2o_file_register_file`.
#[repr(C)]
pub struct SpecificHandler {
    pub super_: h2o_handler_t,
    real_path: CString,
    /// One reference, the handler's.
    mime_type: *mut h2o_mimemap_type_t,
    flags: c_int,
}

fn slashed(s: &[u8]) -> Vec<u8> {
    let mut v = s.to_vec();
    if v.last() != Some(&b'/') {
        v.push(b'/');
    }
    v
}

/// `h2o_file_register`.
///
/// # Safety
/// `pathconf` was initialized by the configuration API; `real_path` is NUL-terminated;
/// `index_files` is NULL or a NULL-terminated list of NUL-terminated strings; `mimemap` is NULL or
/// a live map.
pub unsafe fn register(
    pathconf: *mut h2o_pathconf_t,
    real_path: *const c_char,
    index_files: *const *const c_char,
    mimemap: *mut h2o_mimemap_t,
    flags: c_int,
) -> *mut FileHandler {
    // SAFETY: the caller's contract throughout.
    unsafe {
        let mut idx = Vec::new();
        if index_files.is_null() {
            idx.extend(DEFAULT_INDEX_FILES.iter().map(|s| s.to_bytes().to_vec()));
        } else {
            let mut i = 0;
            while !(*index_files.add(i)).is_null() {
                idx.push(CStr::from_ptr(*index_files.add(i)).to_bytes().to_vec());
                i += 1;
            }
        }
        let map = if mimemap.is_null() {
            crate::core::mimemap::create()
        } else {
            crate::core::mimemap::map_addref(mimemap.cast());
            mimemap
        };
        let h = crate::core::config::create_module(pathconf, size_of::<FileHandler>(), crate::core::config::ModuleKind::Handler)
            .cast::<FileHandler>();
        let slot = (*h).super_._config_slot;
        h.write(FileHandler {
            super_: h2o_handler_t {
                _config_slot: slot,
                on_context_init: on_context_init as *mut _,
                on_context_dispose: on_context_dispose as *mut _,
                dispose: Some(dispose_file_handler),
                on_req: on_req as *mut _,
            },
            conf_path: slashed(bytes((*pathconf).path)),
            real_path: slashed(CStr::from_ptr(real_path).to_bytes()),
            mimemap: map,
            flags,
            index_files: idx,
        });
        h
    }
}

/// The map's dynamic types get their pathconf contexts with the handler's (2.2.5).
unsafe extern "C" fn on_context_init(h: *mut h2o_handler_t, ctx: *mut h2o_context_t) {
    // SAFETY: `h` is a FileHandler, whose map is live while it lives; `ctx` is being initialized.
    unsafe { crate::core::mimemap::on_context_init((*h.cast::<FileHandler>()).mimemap, ctx) }
}

unsafe extern "C" fn on_context_dispose(h: *mut h2o_handler_t, ctx: *mut h2o_context_t) {
    // SAFETY: as on_context_init.
    unsafe { crate::core::mimemap::on_context_dispose((*h.cast::<FileHandler>()).mimemap, ctx) }
}

unsafe extern "C" fn dispose_file_handler(h: *mut h2o_handler_t) {
    crate::abi::panic::boundary("h2o_file_handler dispose", (), || {
        // SAFETY: `h` is a FileHandler written by `register`, disposed of once (then freed by the
        // configuration).
        unsafe {
            let fh = h.cast::<FileHandler>();
            crate::core::mimemap::map_release((*fh).mimemap.cast());
            std::ptr::drop_in_place(&raw mut (*fh).conf_path);
            std::ptr::drop_in_place(&raw mut (*fh).real_path);
            std::ptr::drop_in_place(&raw mut (*fh).index_files);
        }
    })
}

/// `h2o_file_register_file`.
///
/// # Safety
/// As [`register`]; `mime_type` is a live type of a map.
pub unsafe fn register_file(pathconf: *mut h2o_pathconf_t, real_path: *const c_char, mime_type: *mut h2o_mimemap_type_t, flags: c_int) -> *mut h2o_handler_t {
    // SAFETY: the caller's contract throughout.
    unsafe {
        let h = crate::core::config::create_module(pathconf, size_of::<SpecificHandler>(), crate::core::config::ModuleKind::Handler)
            .cast::<SpecificHandler>();
        let slot = (*h).super_._config_slot;
        crate::core::mimemap::map_addref(mime_type.cast());
        h.write(SpecificHandler {
            super_: h2o_handler_t {
                _config_slot: slot,
                on_context_init: specific_on_context_init as *mut _,
                on_context_dispose: specific_on_context_dispose as *mut _,
                dispose: Some(dispose_specific_handler),
                on_req: specific_on_req as *mut _,
            },
            real_path: CStr::from_ptr(real_path).to_owned(),
            mime_type,
            flags,
        });
        h.cast()
    }
}

unsafe extern "C" fn dispose_specific_handler(h: *mut h2o_handler_t) {
    crate::abi::panic::boundary("h2o_file_register_file dispose", (), || {
        // SAFETY: a SpecificHandler written by `register_file`, disposed of once.
        unsafe {
            let sh = h.cast::<SpecificHandler>();
            crate::core::mimemap::map_release((*sh).mime_type.cast());
            std::ptr::drop_in_place(&raw mut (*sh).real_path);
        }
    })
}

/// The pathconf of a dynamic type (`type->data.dynamic.pathconf`, right after the `type` field).
///
/// # Safety
/// `t` is a live type whose `type_` is DYNAMIC.
unsafe fn dynamic_pathconf(t: *mut h2o_mimemap_type_t) -> *mut h2o_pathconf_t {
    // SAFETY: the 2.2.5 layout: the union starts at offset 8 and its dynamic member is the pathconf.
    unsafe { t.cast::<u8>().add(8).cast() }
}

unsafe extern "C" fn specific_on_context_init(h: *mut h2o_handler_t, ctx: *mut h2o_context_t) {
    crate::abi::panic::boundary("h2o_file_register_file on_context_init", (), || {
        // SAFETY: a SpecificHandler; its type is live while the handler holds it.
        unsafe {
            let t = (*h.cast::<SpecificHandler>()).mime_type;
            if (*t).type_ == TYPE_DYNAMIC {
                crate::core::context::init_pathconf_context(ctx, dynamic_pathconf(t));
            }
        }
    })
}

unsafe extern "C" fn specific_on_context_dispose(h: *mut h2o_handler_t, ctx: *mut h2o_context_t) {
    crate::abi::panic::boundary("h2o_file_register_file on_context_dispose", (), || {
        // SAFETY: as specific_on_context_init.
        unsafe {
            let t = (*h.cast::<SpecificHandler>()).mime_type;
            if (*t).type_ == TYPE_DYNAMIC {
                crate::core::context::dispose_pathconf_context(ctx, dynamic_pathconf(t));
            }
        }
    })
}

/// The tokens the handler reads and writes, as pointers into the table in use.
pub(crate) struct Tokens {
    pub accept_encoding: *mut h2o_iovec_t,
    pub accept_ranges: *mut h2o_iovec_t,
    pub allow: *mut h2o_iovec_t,
    pub content_encoding: *mut h2o_iovec_t,
    pub content_range: *mut h2o_iovec_t,
    pub content_type: *mut h2o_iovec_t,
    pub etag: *mut h2o_iovec_t,
    pub if_modified_since: *mut h2o_iovec_t,
    pub if_none_match: *mut h2o_iovec_t,
    pub last_modified: *mut h2o_iovec_t,
    pub range: *mut h2o_iovec_t,
    pub vary: *mut h2o_iovec_t,
}

// SAFETY: pointers to the static token table, never written through.
unsafe impl Sync for Tokens {}
// SAFETY: as above.
unsafe impl Send for Tokens {}

/// The tokens, looked up once per process.
pub(crate) fn tokens() -> &'static Tokens {
    static TOKENS: std::sync::OnceLock<Tokens> = std::sync::OnceLock::new();
    TOKENS.get_or_init(lookup_tokens)
}

fn lookup_tokens() -> Tokens {
    let t = |n: &[u8]| headers::lookup_token(n).expect("a 2.2.5 token").cast::<h2o_iovec_t>().cast_mut();
    Tokens {
        accept_encoding: t(b"accept-encoding"),
        accept_ranges: t(b"accept-ranges"),
        allow: t(b"allow"),
        content_encoding: t(b"content-encoding"),
        content_range: t(b"content-range"),
        content_type: t(b"content-type"),
        etag: t(b"etag"),
        if_modified_since: t(b"if-modified-since"),
        if_none_match: t(b"if-none-match"),
        last_modified: t(b"last-modified"),
        range: t(b"range"),
        vary: t(b"vary"),
    }
}

/// The value of the first request header named by token `name`.
///
/// # Safety
/// `req` is a live request.
unsafe fn find_header<'a>(req: &h2o_req_t, name: *mut h2o_iovec_t) -> Option<&'a [u8]> {
    // SAFETY: the request's header list and values are valid while it lives.
    unsafe { headers::entries(&req.headers).iter().find(|h| std::ptr::eq(h.name, name)).map(|h| bytes(h.value)) }
}

/// `h2o_get_compressible_types` of 2.2.5: bit 0 gzip, bit 1 br, from the Accept-Encoding tokens
/// (a token with parameters, such as `gzip;q=0`, does not count).
///
/// # Safety
/// `req` is a live request.
pub unsafe fn compressible_types(req: &h2o_req_t, accept_encoding: *mut h2o_iovec_t) -> c_int {
    let mut types = 0;
    // SAFETY: as find_header.
    for h in unsafe { headers::entries(&req.headers) } {
        if !std::ptr::eq(h.name, accept_encoding) {
            continue;
        }
        // SAFETY: a valid value.
        let v = unsafe { bytes(h.value) };
        let mut from = 0;
        while let Some(t) = crate::strings::next_token(v, from, b',', false) {
            let tok = &v[t.token_start..t.token_start + t.token_len];
            if crate::strings::lcstris(tok, b"gzip") {
                types |= 1;
            } else if crate::strings::lcstris(tok, b"br") {
                types |= 2;
            }
            from = t.rest;
        }
    }
    types
}

/// An opened file with the Content-Encoding of the variant chosen.
pub(crate) struct Opened {
    pub file: Rc<Entry>,
    pub encoding: Option<&'static [u8]>,
    /// The file is the `.gz` of a missing one, to be decompressed while sent (`FLAG_GUNZIP`).
    pub gunzip: bool,
}

/// Opens `path` through the context's cache, or (with `FLAG_SEND_COMPRESSED`, HTTP/1.1 and up) its
/// `.br` / `.gz` variant when the client accepts that encoding and the variant is a regular file,
/// or (with `FLAG_GUNZIP`, HTTP/1.1 and up) its `.gz` to decompress when `path` does not exist.
///
/// # Safety
/// `req` is a live request of an initialized context.
unsafe fn open_file(req: &h2o_req_t, path: &[u8], flags: c_int, tk: &Tokens) -> Result<Opened, c_int> {
    // SAFETY: the caller's contract.
    let ctx = unsafe { (*req.conn).ctx };
    // SAFETY: as above; the cache is used within this call only.
    let (cache, second) = unsafe { (filecache::of(ctx), filecache::second(ctx)) };
    let cpath = |suffix: &[u8]| -> Option<CString> {
        let mut v = Vec::with_capacity(path.len() + suffix.len() + 1);
        v.extend_from_slice(path);
        v.extend_from_slice(suffix);
        CString::new(v).ok()
    };
    if flags & FLAG_SEND_COMPRESSED != 0 && req.version >= 0x101 {
        // SAFETY: as above.
        let types = unsafe { compressible_types(req, tk.accept_encoding) };
        for (bit, ext, enc) in [(2, &b".br"[..], &b"br"[..]), (1, b".gz", b"gzip")] {
            if types & bit == 0 {
                continue;
            }
            if let Some(Ok(file)) = cpath(ext).map(|p| cache.open(second, &p))
                && !file.is_dir()
            {
                return Ok(Opened { file, encoding: Some(enc), gunzip: false });
            }
        }
    }
    let p = cpath(b"").ok_or(libc::ENOENT)?;
    match cache.open(second, &p) {
        Ok(file) => Ok(Opened { file, encoding: None, gunzip: false }),
        // 2.2.5's H2O_FILE_FLAG_GUNZIP: a missing file whose .gz exists is sent decompressed
        Err(e) if e == libc::ENOENT && flags & FLAG_GUNZIP != 0 && req.version >= 0x101 => {
            match cpath(b".gz").map(|p| cache.open(second, &p)) {
                Some(Ok(file)) if !file.is_dir() => Ok(Opened { file, encoding: None, gunzip: true }),
                _ => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// Whether `rest` (the part of a normalized path under the handler) could leave the directory: a
/// `..` segment. `path_normalized` never has one; checked anyway, so that a protocol layer or an
/// embedder handing over an unnormalized path cannot make the handler escape.
fn escapes(rest: &[u8]) -> bool {
    rest.split(|&c| c == b'/').any(|seg| seg == b"..")
}

/// `uri_escape(s, preserving '/')` followed by the request's query (from `?`), for a redirect.
///
/// # Safety
/// `req` is live.
unsafe fn redirect_location(req: &h2o_req_t, parts: &[&[u8]]) -> Vec<u8> {
    let joined: Vec<u8> = parts.concat();
    let mut out = vec![0u8; joined.len() * 3];
    let n = crate::strings::uri_escape(&joined, b"/", &mut out);
    out.truncate(n);
    if req.query_at != usize::MAX {
        // SAFETY: `query_at` is an offset into `path`.
        out.extend_from_slice(unsafe { &bytes(req.path)[req.query_at..] });
    }
    out
}

/// # Safety
/// `req` is live with no response started.
unsafe fn redirect(req: *mut h2o_req_t, reason: &'static CStr, location: &[u8]) -> c_int {
    // SAFETY: the caller's contract; the URL is copied.
    unsafe { request::send_redirect(req, 301, reason.as_ptr(), location.as_ptr().cast(), location.len()) };
    0
}

/// Sends an error response (counted in the context as `h2o_send_error_XXX` does).
///
/// # Safety
/// `req` is live with no response started.
pub(crate) unsafe fn send_error(req: *mut h2o_req_t, status: c_int, reason: &'static CStr, body: &'static CStr, flags: c_int) -> c_int {
    // SAFETY: the caller's contract.
    unsafe {
        request::count_error(&mut *(*(*req).conn).ctx, status);
        request::send_error(req, status, reason.as_ptr(), body.as_ptr(), flags);
    }
    0
}

/// 403, or 503 when out of descriptors.
///
/// # Safety
/// As [`send_error`].
unsafe fn send_open_error(req: *mut h2o_req_t, err: c_int) -> c_int {
    // SAFETY: the caller's contract.
    unsafe {
        if err == libc::ENFILE || err == libc::EMFILE {
            send_error(req, 503, c"Service Unavailable", c"please try again later", 0)
        } else {
            send_error(req, 403, c"Access Forbidden", c"access forbidden", 0)
        }
    }
}

/// The request method as the handler sorts it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Head,
    Other,
}

pub(crate) fn method_of(m: &[u8]) -> Method {
    match m {
        b"GET" => Method::Get,
        b"HEAD" => Method::Head,
        _ => Method::Other,
    }
}

/// # Safety
/// As [`send_error`].
unsafe fn method_not_allowed(req: *mut h2o_req_t, tk: &Tokens) -> c_int {
    // SAFETY: the caller's contract; the value is static.
    unsafe {
        let r = &mut *req;
        headers::add(&mut r.pool, &mut r.res.headers, tk.allow, std::ptr::null(), h2o_iovec_t { base: c"GET, HEAD".as_ptr().cast_mut(), len: 9 });
        send_error(req, 405, c"Method Not Allowed", c"method not allowed", 2)
    }
}

/// `on_req` of the directory handler.
unsafe extern "C" fn on_req(h: *mut h2o_handler_t, req: *mut h2o_req_t) -> c_int {
    crate::abi::panic::boundary("h2o_file_register on_req", -1, || {
        // SAFETY: `h` is a FileHandler; `req` a live request of the handler's pathconf.
        unsafe { serve_dir(&*h.cast::<FileHandler>(), req) }
    })
}

/// # Safety
/// `req` is live with no response started.
unsafe fn serve_dir(fh: &FileHandler, req: *mut h2o_req_t) -> c_int {
    // SAFETY: the caller's contract throughout.
    unsafe {
        let r = &*req;
        let tk = tokens();
        let pn = bytes(r.path_normalized);
        if pn.len() < fh.conf_path.len() {
            let loc = redirect_location(r, &[&fh.conf_path]);
            return redirect(req, c"Moved Permanently", &loc);
        }
        let rest = &pn[fh.conf_path.len()..];
        if escapes(rest) || rest.contains(&0) {
            return -1;
        }
        let mut rpath = Vec::with_capacity(fh.real_path.len() + rest.len() + 16);
        rpath.extend_from_slice(&fh.real_path);
        rpath.extend_from_slice(rest);
        let err;
        if rpath.last() == Some(&b'/') {
            let base = rpath.len();
            let mut last_err = libc::ENOENT;
            for idx in &fh.index_files {
                rpath.truncate(base);
                rpath.extend_from_slice(idx);
                match open_file(r, &rpath, fh.flags, tk) {
                    Ok(o) if o.file.is_dir() => {
                        // as Apache: "dir/" whose index.html is a directory goes to "dir/index.html/"
                        let loc = redirect_location(r, &[pn, idx, b"/"]);
                        return redirect(req, c"Moved Permanently", &loc);
                    }
                    Ok(o) => return send::serve(req, o, &rpath, fh.mimemap, fh.flags, tk),
                    Err(e) if e == libc::ENOENT => continue,
                    Err(e) => {
                        last_err = e;
                        break;
                    }
                }
            }
            rpath.truncate(base);
            if last_err == libc::ENOENT && fh.flags & FLAG_DIR_LISTING != 0 {
                let method = method_of(bytes(r.method));
                if method == Method::Other {
                    return method_not_allowed(req, tk);
                }
                match send::dir_listing(req, &rpath) {
                    Ok(()) => return 0,
                    Err(e) => last_err = e,
                }
            }
            err = last_err;
        } else {
            match open_file(r, &rpath, fh.flags, tk) {
                Ok(o) if o.file.is_dir() => {
                    let loc = redirect_location(r, &[pn, b"/"]);
                    return redirect(req, c"Moved Permanently", &loc);
                }
                Ok(o) => return send::serve(req, o, &rpath, fh.mimemap, fh.flags, tk),
                Err(e) => err = e,
            }
        }
        if err == libc::ENFILE || err == libc::EMFILE {
            return send_open_error(req, err);
        }
        if crate::core::mimemap::has_dynamic_type(fh.mimemap)
            && let Some(ret) = send::try_dynamic(fh, req, &rpath)
        {
            return ret;
        }
        if err == libc::ENOENT || err == libc::ENOTDIR {
            return -1;
        }
        send_open_error(req, err)
    }
}

/// `on_req` of the single-file handler.
unsafe extern "C" fn specific_on_req(h: *mut h2o_handler_t, req: *mut h2o_req_t) -> c_int {
    crate::abi::panic::boundary("h2o_file_register_file on_req", -1, || {
        // SAFETY: `h` is a SpecificHandler; `req` is live.
        unsafe {
            let sh = &*h.cast::<SpecificHandler>();
            let tk = tokens();
            let path = sh.real_path.to_bytes();
            match open_file(&*req, path, sh.flags, tk) {
                Ok(o) if o.file.is_dir() => send_error(req, 403, c"Access Forbidden", c"access forbidden", 0),
                Ok(o) => send::serve_with_type(req, o, path, sh.mime_type, sh.flags, tk),
                Err(e) if e == libc::ENOENT => -1,
                Err(e) => send_open_error(req, e),
            }
        }
    })
}

/// `h2o_file_send`: `path` as the whole response with `status`, `reason` (borrowed until the
/// response ends) and `mime_type` (copied); -1 when it cannot be opened or is a directory.
///
/// # Safety
/// `req` is live with no response started; `path` is NUL-terminated.
pub unsafe fn file_send(req: *mut h2o_req_t, status: c_int, reason: *const c_char, path: &CStr, mime_type: h2o_iovec_t, flags: c_int) -> c_int {
    // SAFETY: the caller's contract.
    unsafe {
        let tk = tokens();
        match open_file(&*req, path.to_bytes(), flags, tk) {
            Ok(o) if !o.file.is_dir() => {
                let r = &mut *req;
                let mime = headers::pool_strdup(&mut r.pool, bytes(mime_type));
                send::send_file(req, o, status, reason, mime, null_mut(), true, None, flags, tk);
                0
            }
            _ => -1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_segments() {
        assert!(escapes(b"../x"));
        assert!(escapes(b"a/../x"));
        assert!(escapes(b"a/.."));
        assert!(escapes(b".."));
        assert!(!escapes(b"a/..b/x"));
        assert!(!escapes(b"...x"));
        assert!(!escapes(b""));
    }

    #[test]
    fn trailing_slash() {
        assert_eq!(slashed(b"/a"), b"/a/");
        assert_eq!(slashed(b"/a/"), b"/a/");
        assert_eq!(slashed(b""), b"/");
    }
}
