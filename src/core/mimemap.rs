//! The MIME map's pure parts: the built-in extension table of 2.2.5's `h2o_mimemap_create`, the
//! default attributes of a MIME type, the normalization of a type's name, and the refcounted map
//! itself (2.2.5's shared allocations; opaque to C, exported by `crate::ffi::mimemap`).
//!
//! Ownership: a map and each of its types are shared allocations (`h2o_mem_alloc_shared`, a
//! reference count in front of the bytes). [`create`] / [`clone_map`] return a map with one
//! reference, the caller's; `h2o_mem_release_shared` on the last reference releases the map's
//! references to its types (and frees them at zero). A type pointer returned by a lookup is borrowed
//! from the map: it stays valid while the map holds it, or longer when the caller takes its own
//! reference (`h2o_mem_addref_shared`).
//!
//! A dynamic type ([`define_dynamic`]) owns a pathconf (`data.dynamic.pathconf`, the 120 bytes
//! from offset 8) whose handlers serve files of its extensions; it is disposed of with the type.
//! Its `mimemap` field points to the map the type was defined in without holding a reference
//! (2.2.5 holds one: a cycle never freed); it is cleared when that map is freed while the type
//! lives on (held by a clone or the caller).
//!
//! The table was derived from the behaviour of Debian's libh2o-evloop 2.2.5 (asking its
//! `h2o_mimemap_get_type_by_extension` about candidate extensions); `tests/abi/diff/mimemap_diff.c`
//! checks it against that library.

use std::collections::BTreeMap;
use std::ffi::{c_char, c_int, c_void};
use std::mem::{offset_of, size_of};

use crate::abi::core::{h2o_context_t, h2o_globalconf_t};
use crate::abi::memory::{h2o_iovec_t, st_h2o_mem_pool_shared_entry_t};
use crate::abi::mimemap::{dynamic_pathconf, h2o_mime_attributes_t, h2o_mimemap_type_t, MIMEMAP_TYPE_DYNAMIC};
use crate::abi::panic::boundary;
use crate::mem;

/// The type of anything without a known extension.
pub const DEFAULT_TYPE: &str = "application/octet-stream";

/// (extension, MIME type) pairs defined by a new map, extension in lower case.
pub static BUILTIN_TYPES: &[(&str, &str)] = &[
    ("3gp", "video/3gpp"),
    ("3gpp", "video/3gpp"),
    ("7z", "application/x-7z-compressed"),
    ("ai", "application/postscript"),
    ("apng", "image/apng"),
    ("asf", "video/x-ms-asf"),
    ("asx", "video/x-ms-asf"),
    ("atom", "application/atom+xml"),
    ("avi", "video/x-msvideo"),
    ("bin", "application/octet-stream"),
    ("bmp", "image/x-ms-bmp"),
    ("cco", "application/x-cocoa"),
    ("crt", "application/x-x509-ca-cert"),
    ("css", "text/css"),
    ("csv", "text/csv"),
    ("deb", "application/octet-stream"),
    ("der", "application/x-x509-ca-cert"),
    ("dll", "application/octet-stream"),
    ("dmg", "application/octet-stream"),
    ("doc", "application/msword"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("ear", "application/java-archive"),
    ("eot", "application/vnd.ms-fontobject"),
    ("eps", "application/postscript"),
    ("exe", "application/octet-stream"),
    ("flv", "video/x-flv"),
    ("gif", "image/gif"),
    ("hqx", "application/mac-binhex40"),
    ("htc", "text/x-component"),
    ("htm", "text/html"),
    ("html", "text/html"),
    ("ico", "image/x-icon"),
    ("img", "application/octet-stream"),
    ("iso", "application/octet-stream"),
    ("jad", "text/vnd.sun.j2me.app-descriptor"),
    ("jar", "application/java-archive"),
    ("jardiff", "application/x-java-archive-diff"),
    ("jng", "image/x-jng"),
    ("jnlp", "application/x-java-jnlp-file"),
    ("jpeg", "image/jpeg"),
    ("jpg", "image/jpeg"),
    ("js", "application/javascript"),
    ("json", "application/json"),
    ("jxr", "image/jxr"),
    ("kar", "audio/midi"),
    ("kml", "application/vnd.google-earth.kml+xml"),
    ("kmz", "application/vnd.google-earth.kmz"),
    ("m3u8", "application/vnd.apple.mpegurl"),
    ("m4a", "audio/x-m4a"),
    ("m4v", "video/x-m4v"),
    ("md", "text/markdown"),
    ("mid", "audio/midi"),
    ("midi", "audio/midi"),
    ("mml", "text/mathml"),
    ("mng", "video/x-mng"),
    ("mov", "video/quicktime"),
    ("mp3", "audio/mpeg"),
    ("mp4", "video/mp4"),
    ("mpeg", "video/mpeg"),
    ("mpg", "video/mpeg"),
    ("msi", "application/octet-stream"),
    ("msm", "application/octet-stream"),
    ("msp", "application/octet-stream"),
    ("ogg", "audio/ogg"),
    ("opus", "audio/ogg"),
    ("pdb", "application/x-pilot"),
    ("pdf", "application/pdf"),
    ("pem", "application/x-x509-ca-cert"),
    ("pl", "application/x-perl"),
    ("pm", "application/x-perl"),
    ("png", "image/png"),
    ("ppt", "application/vnd.ms-powerpoint"),
    ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("prc", "application/x-pilot"),
    ("ps", "application/postscript"),
    ("ra", "audio/x-realaudio"),
    ("rar", "application/x-rar-compressed"),
    ("rpm", "application/x-redhat-package-manager"),
    ("rss", "application/rss+xml"),
    ("rtf", "application/rtf"),
    ("run", "application/x-makeself"),
    ("sea", "application/x-sea"),
    ("shtml", "text/html"),
    ("sit", "application/x-stuffit"),
    ("svg", "image/svg+xml"),
    ("svgz", "image/svg+xml"),
    ("swf", "application/x-shockwave-flash"),
    ("tcl", "application/x-tcl"),
    ("tif", "image/tiff"),
    ("tiff", "image/tiff"),
    ("tk", "application/x-tcl"),
    ("ts", "video/mp2t"),
    ("txt", "text/plain"),
    ("war", "application/java-archive"),
    ("wbmp", "image/vnd.wap.wbmp"),
    ("webm", "video/webm"),
    ("webp", "image/webp"),
    ("wml", "text/vnd.wap.wml"),
    ("wmlc", "application/vnd.wap.wmlc"),
    ("wmv", "video/x-ms-wmv"),
    ("woff", "application/font-woff"),
    ("woff2", "font/woff2"),
    ("xhtml", "application/xhtml+xml"),
    ("xls", "application/vnd.ms-excel"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("xml", "text/xml"),
    ("xpi", "application/x-xpinstall"),
    ("xspf", "application/xspf+xml"),
    ("zip", "application/zip"),
];

/// Attributes of a MIME type: (is_compressible, priority_highest).
///
/// Only the part before the first `;` (the type) is looked at, case-sensitively, as 2.2.5 does:
/// compressible are `text/...`, types containing `+xml`, JSON and the script and style types; CSS
/// and the JavaScript / ECMAScript types get the highest priority.
pub fn default_attributes(mime: &[u8]) -> (bool, bool) {
    let ty = match mime.iter().position(|&c| c == b';') {
        Some(i) => &mime[..i],
        None => mime,
    };
    let highest = matches!(
        ty,
        b"text/css" | b"application/ecmascript" | b"application/javascript" | b"text/ecmascript" | b"text/javascript"
    );
    let compressible =
        highest || mime.starts_with(b"text/") || ty.windows(4).any(|w| w == b"+xml") || ty == b"application/json";
    (compressible, highest)
}

/// The stored form of a type's name: lower case up to the first `;`, the parameters as given.
pub fn normalize(mime: &[u8]) -> Vec<u8> {
    let end = mime.iter().position(|&c| c == b';').unwrap_or(mime.len());
    let mut out = mime[..end].to_ascii_lowercase();
    out.extend_from_slice(&mime[end..]);
    out
}

// ---- the refcounted map ------------------------------------------------------------------------------

/// The map (opaque to C), inside its shared allocation. Each value holds one reference to its type.
#[allow(non_camel_case_types)]
pub struct h2o_mimemap_t {
    /// Extension (as defined; looked up in lower case) to type.
    ext: BTreeMap<Vec<u8>, *mut h2o_mimemap_type_t>,
    default_type: *mut h2o_mimemap_type_t,
}

fn entry_of(p: *mut c_void) -> *mut st_h2o_mem_pool_shared_entry_t {
    p.cast::<u8>().wrapping_sub(offset_of!(st_h2o_mem_pool_shared_entry_t, bytes)).cast()
}

/// # Safety
/// `t` is a live shared type.
unsafe fn addref(t: *mut h2o_mimemap_type_t) {
    // SAFETY: a live shared entry (the caller's contract).
    unsafe { (*entry_of(t.cast())).refcnt += 1 };
}

/// # Safety
/// `t` is a live shared type and the caller owns the reference it drops.
unsafe fn release(t: *mut h2o_mimemap_type_t) {
    // SAFETY: per the contract.
    unsafe { mem::pool::release(entry_of(t.cast())) };
}

/// Takes a reference to the map `p` (NULL: nothing), as the configuration does for each host and path.
///
/// # Safety
/// `p` is NULL or a live map.
pub unsafe fn map_addref(p: *mut c_void) {
    if !p.is_null() {
        // SAFETY: a live shared map.
        unsafe { (*entry_of(p)).refcnt += 1 };
    }
}

/// Drops a reference to the map `p` (NULL: nothing); frees it at the last one.
///
/// # Safety
/// `p` is NULL or a live map whose reference the caller owns.
pub unsafe fn map_release(p: *mut c_void) {
    if !p.is_null() {
        // SAFETY: per the contract.
        unsafe { mem::pool::release(entry_of(p)) };
    }
}

/// The default attributes of `mime` (`h2o_mimemap_get_default_attributes`).
pub fn attributes_of(mime: &[u8]) -> h2o_mime_attributes_t {
    let (compressible, highest) = default_attributes(mime);
    h2o_mime_attributes_t { is_compressible: compressible as c_char, priority: highest as c_int }
}

/// A new type (one reference, the caller's): the normalized name follows the struct in the same
/// allocation, NUL-terminated.
fn create_type(mime: &[u8], attr: Option<h2o_mime_attributes_t>) -> *mut h2o_mimemap_type_t {
    let name = normalize(mime);
    let size = size_of::<h2o_mimemap_type_t>() + name.len() + 1;
    // SAFETY: no pool; the block has `size` bytes, aligned as malloc's.
    let t = unsafe { mem::pool::alloc_shared(None, size, None) }.cast::<h2o_mimemap_type_t>();
    // SAFETY: `t` has room for the struct and the name after it.
    unsafe {
        let base = t.cast::<u8>().add(size_of::<h2o_mimemap_type_t>());
        std::ptr::copy_nonoverlapping(name.as_ptr(), base, name.len());
        *base.add(name.len()) = 0;
        t.write(h2o_mimemap_type_t {
            type_: 0,
            mimetype: h2o_iovec_t { base: base.cast(), len: name.len() },
            attr: attr.unwrap_or_else(|| attributes_of(mime)),
            _rest: [0; 96],
        });
    }
    t
}

/// # Safety
/// `t` is a live type.
unsafe fn name_of<'a>(t: *const h2o_mimemap_type_t) -> &'a [u8] {
    // SAFETY: a live type's name is `len` readable bytes.
    unsafe {
        let m = &(*t).mimetype;
        if m.len == 0 { &[] } else { std::slice::from_raw_parts(m.base as *const u8, m.len) }
    }
}

impl h2o_mimemap_t {
    /// The first type of the extension table named exactly `mime` (the default type only counts
    /// when an extension uses it, as in 2.2.5).
    fn find_by_name(&self, mime: &[u8]) -> Option<*mut h2o_mimemap_type_t> {
        // SAFETY: the map holds a reference to each value.
        self.ext.values().copied().find(|&t| unsafe { (*t).type_ == 0 && name_of(t) == mime })
    }

    /// `h2o_mimemap_get_type_by_mimetype`.
    fn by_mimetype(&self, mime: &[u8], exact_match_only: bool) -> Option<*mut h2o_mimemap_type_t> {
        if let Some(t) = self.find_by_name(mime) {
            return Some(t);
        }
        if exact_match_only {
            return None;
        }
        let end = mime.iter().position(|&c| c == b';' || c == b' ')?;
        self.find_by_name(&mime[..end])
    }

    /// An existing type for `mime` with the same attributes (a new reference), or a new one.
    fn obtain(&self, mime: &[u8], attr: Option<h2o_mime_attributes_t>) -> *mut h2o_mimemap_type_t {
        match self.by_mimetype(mime, true) {
            // SAFETY: the map holds a reference to `t`.
            Some(t) if attr.is_none_or(|a| unsafe { (*t).attr } == a) => {
                // SAFETY: live (held by the map).
                unsafe { addref(t) };
                t
            }
            _ => create_type(mime, attr),
        }
    }

    /// Maps `ext` to `t`, taking the caller's reference to `t`.
    fn set(&mut self, ext: &[u8], t: *mut h2o_mimemap_type_t) {
        if let Some(old) = self.ext.insert(ext.to_vec(), t) {
            // SAFETY: the map's reference to the old type.
            unsafe { release(old) };
        }
    }
}

/// The dispose callback of a map's shared allocation: drops the map's references. A dynamic type
/// that outlives the map stops pointing to it.
unsafe extern "C" fn dispose_map(p: *mut c_void) {
    boundary("h2o_mimemap dispose", (), || {
        // SAFETY: `p` holds a map written by `new_map`; it is never used again.
        let map = unsafe { std::ptr::read(p.cast::<h2o_mimemap_t>()) };
        let held = map.ext.values().copied().chain(std::iter::once(map.default_type)).collect::<Vec<_>>();
        for &t in &held {
            // SAFETY: the map's references keep the types alive here.
            unsafe {
                if (*t).type_ == MIMEMAP_TYPE_DYNAMIC {
                    let ours = held.iter().filter(|&&u| u == t).count();
                    let pc = dynamic_pathconf(t);
                    if (*entry_of(t.cast())).refcnt > ours && (*pc).mimemap == p {
                        (*pc).mimemap = std::ptr::null_mut();
                    }
                }
            }
        }
        for t in held {
            // SAFETY: the map's references.
            unsafe { release(t) };
        }
    })
}

fn new_map(map: h2o_mimemap_t) -> *mut h2o_mimemap_t {
    // SAFETY: no pool; room for the map, aligned as malloc's (16 bytes past a 16-aligned block).
    let p = unsafe { mem::pool::alloc_shared(None, size_of::<h2o_mimemap_t>(), Some(dispose_map)) }.cast::<h2o_mimemap_t>();
    // SAFETY: a fresh block of the right size.
    unsafe { p.write(map) };
    p
}


/// `h2o_mimemap_create`: a new map (one reference, the caller's; `h2o_mem_release_shared` frees
/// it): default type `application/octet-stream` and 2.2.5's built-in extensions.
pub fn create() -> *mut h2o_mimemap_t {
    let mut map = h2o_mimemap_t { ext: BTreeMap::new(), default_type: create_type(DEFAULT_TYPE.as_bytes(), None) };
    for (ext, mime) in BUILTIN_TYPES {
        let t = map.obtain(mime.as_bytes(), None);
        map.set(ext.as_bytes(), t);
    }
    new_map(map)
}

/// `h2o_mimemap_clone`: a new map (one reference, the caller's) sharing `src`'s types (each gets a
/// reference).
///
/// # Safety
/// `src` is a live map.
pub unsafe fn clone_map(src: *mut h2o_mimemap_t) -> *mut h2o_mimemap_t {
    // SAFETY: live map (the contract).
    let src = unsafe { &*src };
    for t in src.ext.values().copied().chain(std::iter::once(src.default_type)) {
        // SAFETY: held by `src`.
        unsafe { addref(t) };
    }
    new_map(h2o_mimemap_t { ext: src.ext.clone(), default_type: src.default_type })
}

/// Whether the map has a dynamic type (for an extension, or as its default type).
///
/// # Safety
/// `mimemap` is a live map.
pub unsafe fn has_dynamic_type(mimemap: *mut h2o_mimemap_t) -> bool {
    // SAFETY: a live map (the contract), holding its types.
    let map = unsafe { &*mimemap };
    // SAFETY: as above.
    map.ext.values().copied().chain(std::iter::once(map.default_type)).any(|t| unsafe { (*t).type_ } == MIMEMAP_TYPE_DYNAMIC)
}

/// The dispose callback of a dynamic type: disposes of its pathconf (whose `mimemap` is not a
/// reference, see the module doc).
unsafe extern "C" fn dispose_dynamic_type(p: *mut c_void) {
    boundary("h2o_mimemap dynamic type dispose", (), || {
        // SAFETY: `p` is a dynamic type at its last reference; its pathconf was initialized.
        unsafe {
            let pc = dynamic_pathconf(p.cast());
            (*pc).mimemap = std::ptr::null_mut();
            crate::core::config::dispose_pathconf(pc);
        }
    })
}

/// `h2o_mimemap_define_dynamic`: a new dynamic type (its pathconf initialized for `globalconf`,
/// with `mimemap` as its map, not referenced) for each extension of `exts` (copied, as given).
/// Returns the type, borrowed from the map (NULL when `exts` is empty: the type would have no
/// owner).
///
/// # Safety
/// `mimemap` is a live map; `globalconf` initialized.
pub unsafe fn define_dynamic(mimemap: *mut h2o_mimemap_t, exts: &[&[u8]], globalconf: *mut h2o_globalconf_t) -> *mut h2o_mimemap_type_t {
    // SAFETY: the caller's contract; the new type is zeroed before its pathconf is set up.
    unsafe {
        let t = mem::pool::alloc_shared(None, size_of::<h2o_mimemap_type_t>(), Some(dispose_dynamic_type)).cast::<h2o_mimemap_type_t>();
        std::ptr::write_bytes(t.cast::<u8>(), 0, size_of::<h2o_mimemap_type_t>());
        (*t).type_ = MIMEMAP_TYPE_DYNAMIC;
        let pc = dynamic_pathconf(t);
        crate::core::config::init_pathconf(pc, globalconf, std::ptr::null(), std::ptr::null_mut());
        (*pc).mimemap = mimemap.cast();
        let map = &mut *mimemap;
        for ext in exts {
            addref(t);
            map.set(ext, t);
        }
        release(t);
        if exts.is_empty() { std::ptr::null_mut() } else { t }
    }
}

/// The distinct dynamic types of the map's extensions.
fn dynamic_types(map: &h2o_mimemap_t) -> Vec<*mut h2o_mimemap_type_t> {
    let mut out: Vec<*mut h2o_mimemap_type_t> = Vec::new();
    for &t in map.ext.values() {
        // SAFETY: the map holds its types.
        if unsafe { (*t).type_ } == MIMEMAP_TYPE_DYNAMIC && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// `h2o_mimemap_on_context_init`: `h2o_context_init_pathconf_context` for the pathconf of each
/// dynamic type of the map's extensions (once per pathconf and context).
///
/// # Safety
/// `mimemap` is a live map; `ctx` an initialized context.
pub unsafe fn on_context_init(mimemap: *mut h2o_mimemap_t, ctx: *mut h2o_context_t) {
    // SAFETY: the caller's contract; the types' pathconfs live as long as the map holds them.
    for t in dynamic_types(unsafe { &*mimemap }) {
        // SAFETY: as above.
        unsafe { crate::core::context::init_pathconf_context(ctx, dynamic_pathconf(t)) };
    }
}

/// `h2o_mimemap_on_context_dispose`: `h2o_context_dispose_pathconf_context` for the same
/// pathconfs (each once).
///
/// # Safety
/// As [`on_context_init`].
pub unsafe fn on_context_dispose(mimemap: *mut h2o_mimemap_t, ctx: *mut h2o_context_t) {
    // SAFETY: as on_context_init.
    for t in dynamic_types(unsafe { &*mimemap }) {
        // SAFETY: as above.
        unsafe { crate::core::context::dispose_pathconf_context(ctx, dynamic_pathconf(t)) };
    }
}

impl h2o_mimemap_t {
    /// Replaces the default type by `mime` (an existing type of that name and attributes, else a
    /// new one; attributes `attr`, or the defaults when `None`).
    pub fn set_default_type(&mut self, mime: &[u8], attr: Option<h2o_mime_attributes_t>) {
        let t = self.obtain(mime, attr);
        let old = std::mem::replace(&mut self.default_type, t);
        // SAFETY: the map's reference to the old default.
        unsafe { release(old) };
    }

    /// Maps extension `ext` (copied as given; lookups lower-case theirs) to `mime`, as
    /// [`Self::set_default_type`] obtains it.
    pub fn define_mimetype(&mut self, ext: &[u8], mime: &[u8], attr: Option<h2o_mime_attributes_t>) {
        let t = self.obtain(mime, attr);
        self.set(ext, t);
    }

    /// Removes extension `ext` (exactly as defined), if present.
    pub fn remove_type(&mut self, ext: &[u8]) {
        if let Some(t) = self.ext.remove(ext) {
            // SAFETY: the map's reference.
            unsafe { release(t) };
        }
    }

    /// Removes every extension (the default type stays).
    pub fn clear_types(&mut self) {
        for t in std::mem::take(&mut self.ext).into_values() {
            // SAFETY: the map's references.
            unsafe { release(t) };
        }
    }

    /// The default type (borrowed from the map).
    pub fn default_type(&self) -> *mut h2o_mimemap_type_t {
        self.default_type
    }

    /// The type of extension `ext` (compared in lower case; 1 to 255 bytes), else the default
    /// type; borrowed from the map.
    pub fn type_by_extension(&self, ext: &[u8]) -> *mut h2o_mimemap_type_t {
        if !ext.is_empty() && ext.len() < 256
            && let Some(&t) = self.ext.get(&ext.to_ascii_lowercase())
        {
            return t;
        }
        self.default_type
    }

    /// A type of the map named `mime` exactly; else, unless `exact_match_only`, named as `mime` up
    /// to its first `;` or space. NULL when none; borrowed from the map.
    pub fn type_by_mimetype(&self, mime: &[u8], exact_match_only: bool) -> *mut h2o_mimemap_type_t {
        self.by_mimetype(mime, exact_match_only).unwrap_or(std::ptr::null_mut())
    }
}

/// The bytes of an iovec (`{NULL, 0}` included).
///
/// # Safety
/// `v` has `len` readable bytes.
unsafe fn iov<'a>(v: h2o_iovec_t) -> &'a [u8] {
    // SAFETY: per the contract.
    if v.len == 0 { &[] } else { unsafe { std::slice::from_raw_parts(v.base as *const u8, v.len) } }
}

/// [`h2o_mimemap_t::type_by_extension`] on a map pointer and an iovec.
///
/// # Safety
/// `mimemap` is a live map; `ext` has `len` readable bytes.
pub unsafe fn type_by_extension(mimemap: *mut h2o_mimemap_t, ext: h2o_iovec_t) -> *mut h2o_mimemap_type_t {
    // SAFETY: per the contract.
    unsafe { (*mimemap).type_by_extension(iov(ext)) }
}

/// [`h2o_mimemap_t::type_by_mimetype`] on a map pointer and an iovec.
///
/// # Safety
/// `mimemap` is a live map; `mime` has `len` readable bytes.
pub unsafe fn type_by_mimetype(mimemap: *mut h2o_mimemap_t, mime: h2o_iovec_t, exact_match_only: bool) -> *mut h2o_mimemap_type_t {
    // SAFETY: per the contract.
    unsafe { (*mimemap).type_by_mimetype(iov(mime), exact_match_only) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes() {
        assert_eq!(default_attributes(b"text/css;charset=utf-8"), (true, true));
        assert_eq!(default_attributes(b"text/css x"), (true, false));
        assert_eq!(default_attributes(b"application/json"), (true, false));
        assert_eq!(default_attributes(b"application/JSON"), (false, false));
        assert_eq!(default_attributes(b"application/x;+xml"), (false, false));
        assert_eq!(default_attributes(b"image/svg+xml"), (true, false));
        assert_eq!(default_attributes(b"image/png"), (false, false));
    }

    #[test]
    fn table_is_lower_case_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for (ext, _) in BUILTIN_TYPES {
            assert_eq!(ext.to_ascii_lowercase(), *ext);
            assert!(seen.insert(*ext));
        }
    }

    #[test]
    fn normalizes_the_type_only() {
        assert_eq!(normalize(b"Text/HTML; Charset=UTF-8"), b"text/html; Charset=UTF-8");
    }
}
