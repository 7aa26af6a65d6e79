//! `h2o.h` MIME maps (hand-written header): `h2o_mimemap_t` and its types, as in 2.2.5.
//!
//! Ownership: a map and each of its types are shared allocations (`h2o_mem_alloc_shared`, a
//! reference count in front of the bytes). `h2o_mimemap_create` / `_clone` return a map with one
//! reference, the caller's; `h2o_mem_release_shared` on the last reference releases the map's
//! references to its types (and frees them at zero). A type pointer returned by a lookup is borrowed
//! from the map: it stays valid while the map holds it, or longer when the caller takes its own
//! reference (`h2o_mem_addref_shared`). The `const char *` arguments are copied.
//!
//! A dynamic type (`h2o_mimemap_define_dynamic`) owns a pathconf (`data.dynamic.pathconf`, the
//! 120 bytes from offset 8) whose handlers serve files of its extensions; it is disposed of with
//! the type. Its `mimemap` field points to the map the type was defined in without holding a
//! reference (2.2.5 holds one: a cycle never freed); it is cleared when that map is freed while the
//! type lives on (held by a clone or the caller).

#![allow(non_camel_case_types, non_upper_case_globals)]

use std::collections::BTreeMap;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::mem::{offset_of, size_of};

use super::core::{h2o_context_t, h2o_globalconf_t, h2o_pathconf_t};
use super::memory::{h2o_iovec_t, st_h2o_mem_pool_shared_entry_t};
use super::panic::boundary;
use crate::core::mimemap as core_mimemap;
use crate::mem;

/// `h2o_mime_attributes_t` (8 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct h2o_mime_attributes_t {
    pub is_compressible: c_char,
    /// `H2O_MIME_ATTRIBUTE_PRIORITY_NORMAL` (0) or `_HIGHEST` (1).
    pub priority: c_int,
}

/// `h2o_mimemap_type_t` (128 bytes): the MIMETYPE member of the union; for a dynamic type the
/// union (from offset 8) is the pathconf instead (see [`dynamic_pathconf`]).
#[repr(C)]
pub struct h2o_mimemap_type_t {
    /// `H2O_MIMEMAP_TYPE_MIMETYPE` (0) or `_DYNAMIC` (1).
    pub type_: c_int,
    pub mimetype: h2o_iovec_t,
    pub attr: h2o_mime_attributes_t,
    _rest: [u8; 96],
}

/// `H2O_MIMEMAP_TYPE_DYNAMIC`.
const TYPE_DYNAMIC: c_int = 1;

/// The pathconf of a dynamic type (`type->data.dynamic.pathconf`).
fn dynamic_pathconf(t: *mut h2o_mimemap_type_t) -> *mut h2o_pathconf_t {
    t.cast::<u8>().wrapping_add(offset_of!(h2o_mimemap_type_t, mimetype)).cast()
}

const _: () = {
    assert!(offset_of!(h2o_mimemap_type_t, mimetype) + size_of::<h2o_pathconf_t>() == size_of::<h2o_mimemap_type_t>());
    assert!(size_of::<h2o_mime_attributes_t>() == 8);
    assert!(size_of::<h2o_mimemap_type_t>() == 128);
    assert!(offset_of!(h2o_mimemap_type_t, mimetype) == 8);
    assert!(offset_of!(h2o_mimemap_type_t, attr) == 24);
};

/// `h2o_mime_attributes_t h2o_mime_attributes_as_is`: all zero (a writable data object, as in
/// 2.2.5).
#[unsafe(no_mangle)]
pub static mut h2o_mime_attributes_as_is: h2o_mime_attributes_t = h2o_mime_attributes_t { is_compressible: 0, priority: 0 };

/// The map (opaque to C), inside its shared allocation. Each value holds one reference to its type.
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
pub(crate) unsafe fn map_addref(p: *mut c_void) {
    if !p.is_null() {
        // SAFETY: a live shared map.
        unsafe { (*entry_of(p)).refcnt += 1 };
    }
}

/// Drops a reference to the map `p` (NULL: nothing); frees it at the last one.
///
/// # Safety
/// `p` is NULL or a live map whose reference the caller owns.
pub(crate) unsafe fn map_release(p: *mut c_void) {
    if !p.is_null() {
        // SAFETY: per the contract.
        unsafe { mem::pool::release(entry_of(p)) };
    }
}

fn attributes_of(mime: &[u8]) -> h2o_mime_attributes_t {
    let (compressible, highest) = core_mimemap::default_attributes(mime);
    h2o_mime_attributes_t { is_compressible: compressible as c_char, priority: highest as c_int }
}

/// A new type (one reference, the caller's): the normalized name follows the struct in the same
/// allocation, NUL-terminated.
fn create_type(mime: &[u8], attr: Option<h2o_mime_attributes_t>) -> *mut h2o_mimemap_type_t {
    let name = core_mimemap::normalize(mime);
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
                if (*t).type_ == TYPE_DYNAMIC {
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

/// # Safety
/// `s` is a NUL-terminated string.
unsafe fn cstr<'a>(s: *const c_char) -> &'a [u8] {
    // SAFETY: per the contract.
    unsafe { CStr::from_ptr(s) }.to_bytes()
}

/// A new map (one reference, the caller's; `h2o_mem_release_shared` frees it): default type
/// `application/octet-stream` and 2.2.5's built-in extensions.
#[unsafe(no_mangle)]
pub extern "C" fn h2o_mimemap_create() -> *mut h2o_mimemap_t {
    boundary("h2o_mimemap_create", std::ptr::null_mut(), || {
        let mut map = h2o_mimemap_t { ext: BTreeMap::new(), default_type: create_type(core_mimemap::DEFAULT_TYPE.as_bytes(), None) };
        for (ext, mime) in core_mimemap::BUILTIN_TYPES {
            let t = map.obtain(mime.as_bytes(), None);
            map.set(ext.as_bytes(), t);
        }
        new_map(map)
    })
}

/// A new map (one reference, the caller's) sharing `src`'s types (each gets a reference).
///
/// # Safety
/// `src` is a live map.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mimemap_clone(src: *mut h2o_mimemap_t) -> *mut h2o_mimemap_t {
    boundary("h2o_mimemap_clone", std::ptr::null_mut(), || {
        // SAFETY: live map (the contract).
        let src = unsafe { &*src };
        for t in src.ext.values().copied().chain(std::iter::once(src.default_type)) {
            // SAFETY: held by `src`.
            unsafe { addref(t) };
        }
        new_map(h2o_mimemap_t { ext: src.ext.clone(), default_type: src.default_type })
    })
}

/// Whether the map has a dynamic type (for an extension, or as its default type).
///
/// # Safety
/// `mimemap` is a live map.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mimemap_has_dynamic_type(mimemap: *mut h2o_mimemap_t) -> c_int {
    boundary("h2o_mimemap_has_dynamic_type", 0, || {
        // SAFETY: a live map (the contract), holding its types.
        let map = unsafe { &*mimemap };
        // SAFETY: as above.
        map.ext.values().copied().chain(std::iter::once(map.default_type)).any(|t| unsafe { (*t).type_ } == TYPE_DYNAMIC) as c_int
    })
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
/// with `mimemap` as its map, not referenced) for each extension of the NULL-terminated `exts`
/// (copied, as given). Returns the type, borrowed from the map (NULL when `exts` is empty: the
/// type would have no owner; 2.2.5 returns a freed pointer then).
///
/// # Safety
/// `mimemap` is a live map; `exts` a NULL-terminated array of NUL-terminated strings; `globalconf`
/// initialized.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mimemap_define_dynamic(
    mimemap: *mut h2o_mimemap_t,
    exts: *const *const c_char,
    globalconf: *mut h2o_globalconf_t,
) -> *mut h2o_mimemap_type_t {
    boundary("h2o_mimemap_define_dynamic", std::ptr::null_mut(), || {
        assert!(!mimemap.is_null() && !exts.is_null() && !globalconf.is_null(), "NULL argument");
        // SAFETY: the caller's contract; the new type is zeroed before its pathconf is set up.
        unsafe {
            let t = mem::pool::alloc_shared(None, size_of::<h2o_mimemap_type_t>(), Some(dispose_dynamic_type)).cast::<h2o_mimemap_type_t>();
            std::ptr::write_bytes(t.cast::<u8>(), 0, size_of::<h2o_mimemap_type_t>());
            (*t).type_ = TYPE_DYNAMIC;
            let pc = dynamic_pathconf(t);
            crate::core::config::init_pathconf(pc, globalconf, std::ptr::null(), std::ptr::null_mut());
            (*pc).mimemap = mimemap.cast();
            let map = &mut *mimemap;
            let mut i = 0;
            while !(*exts.add(i)).is_null() {
                addref(t);
                map.set(cstr(*exts.add(i)), t);
                i += 1;
            }
            let kept = i != 0;
            release(t);
            if kept { t } else { std::ptr::null_mut() }
        }
    })
}

/// The distinct dynamic types of the map's extensions.
fn dynamic_types(map: &h2o_mimemap_t) -> Vec<*mut h2o_mimemap_type_t> {
    let mut out: Vec<*mut h2o_mimemap_type_t> = Vec::new();
    for &t in map.ext.values() {
        // SAFETY: the map holds its types.
        if unsafe { (*t).type_ } == TYPE_DYNAMIC && !out.contains(&t) {
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
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mimemap_on_context_init(mimemap: *mut h2o_mimemap_t, ctx: *mut h2o_context_t) {
    boundary("h2o_mimemap_on_context_init", (), || {
        assert!(!mimemap.is_null() && !ctx.is_null(), "NULL argument");
        // SAFETY: the caller's contract; the types' pathconfs live as long as the map holds them.
        for t in dynamic_types(unsafe { &*mimemap }) {
            // SAFETY: as above.
            unsafe { crate::core::context::init_pathconf_context(ctx, dynamic_pathconf(t)) };
        }
    })
}

/// `h2o_mimemap_on_context_dispose`: `h2o_context_dispose_pathconf_context` for the same
/// pathconfs (each once).
///
/// # Safety
/// As `h2o_mimemap_on_context_init`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mimemap_on_context_dispose(mimemap: *mut h2o_mimemap_t, ctx: *mut h2o_context_t) {
    boundary("h2o_mimemap_on_context_dispose", (), || {
        assert!(!mimemap.is_null() && !ctx.is_null(), "NULL argument");
        // SAFETY: as h2o_mimemap_on_context_init.
        for t in dynamic_types(unsafe { &*mimemap }) {
            // SAFETY: as above.
            unsafe { crate::core::context::dispose_pathconf_context(ctx, dynamic_pathconf(t)) };
        }
    })
}

/// Replaces the default type by `mime` (an existing type of that name and attributes, else a new
/// one; attributes from `attr`, copied, or the defaults when NULL).
///
/// # Safety
/// `mimemap` is a live map; `mime` a NUL-terminated string; `attr` NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mimemap_set_default_type(mimemap: *mut h2o_mimemap_t, mime: *const c_char, attr: *const h2o_mime_attributes_t) {
    boundary("h2o_mimemap_set_default_type", (), || {
        // SAFETY: per the contract.
        let (map, mime, attr) = unsafe { (&mut *mimemap, cstr(mime), attr.as_ref().copied()) };
        let t = map.obtain(mime, attr);
        let old = std::mem::replace(&mut map.default_type, t);
        // SAFETY: the map's reference to the old default.
        unsafe { release(old) };
    })
}

/// Maps extension `ext` (copied as given; lookups lower-case theirs) to `mime`, as
/// `h2o_mimemap_set_default_type` obtains it.
///
/// # Safety
/// `mimemap` is a live map; `ext` and `mime` NUL-terminated strings; `attr` NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mimemap_define_mimetype(
    mimemap: *mut h2o_mimemap_t,
    ext: *const c_char,
    mime: *const c_char,
    attr: *const h2o_mime_attributes_t,
) {
    boundary("h2o_mimemap_define_mimetype", (), || {
        // SAFETY: per the contract.
        let (map, ext, mime, attr) = unsafe { (&mut *mimemap, cstr(ext), cstr(mime), attr.as_ref().copied()) };
        let t = map.obtain(mime, attr);
        map.set(ext, t);
    })
}

/// Removes extension `ext` (exactly as defined), if present.
///
/// # Safety
/// `mimemap` is a live map; `ext` a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mimemap_remove_type(mimemap: *mut h2o_mimemap_t, ext: *const c_char) {
    boundary("h2o_mimemap_remove_type", (), || {
        // SAFETY: per the contract.
        let (map, ext) = unsafe { (&mut *mimemap, cstr(ext)) };
        if let Some(t) = map.ext.remove(ext) {
            // SAFETY: the map's reference.
            unsafe { release(t) };
        }
    })
}

/// Removes every extension (the default type stays).
///
/// # Safety
/// `mimemap` is a live map.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mimemap_clear_types(mimemap: *mut h2o_mimemap_t) {
    boundary("h2o_mimemap_clear_types", (), || {
        // SAFETY: per the contract.
        let map = unsafe { &mut *mimemap };
        for t in std::mem::take(&mut map.ext).into_values() {
            // SAFETY: the map's references.
            unsafe { release(t) };
        }
    })
}

/// The default type (borrowed from the map).
///
/// # Safety
/// `mimemap` is a live map.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mimemap_get_default_type(mimemap: *mut h2o_mimemap_t) -> *mut h2o_mimemap_type_t {
    boundary("h2o_mimemap_get_default_type", std::ptr::null_mut(), || {
        // SAFETY: per the contract.
        unsafe { (*mimemap).default_type }
    })
}

/// The type of extension `ext` (compared in lower case; 1 to 255 bytes), else the default type;
/// borrowed from the map.
///
/// # Safety
/// `mimemap` is a live map; `ext` has `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mimemap_get_type_by_extension(mimemap: *mut h2o_mimemap_t, ext: h2o_iovec_t) -> *mut h2o_mimemap_type_t {
    boundary("h2o_mimemap_get_type_by_extension", std::ptr::null_mut(), || {
        // SAFETY: per the contract.
        let map = unsafe { &*mimemap };
        if ext.len > 0 && ext.len < 256 {
            // SAFETY: `len` readable bytes.
            let key = unsafe { std::slice::from_raw_parts(ext.base as *const u8, ext.len) }.to_ascii_lowercase();
            if let Some(&t) = map.ext.get(&key) {
                return t;
            }
        }
        map.default_type
    })
}

/// A type of the map named `mime` exactly; else, unless `exact_match_only`, named as `mime` up to
/// its first `;` or space. NULL when none; borrowed from the map.
///
/// # Safety
/// `mimemap` is a live map; `mime` has `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mimemap_get_type_by_mimetype(
    mimemap: *mut h2o_mimemap_t,
    mime: h2o_iovec_t,
    exact_match_only: c_int,
) -> *mut h2o_mimemap_type_t {
    boundary("h2o_mimemap_get_type_by_mimetype", std::ptr::null_mut(), || {
        // SAFETY: per the contract.
        let (map, mime) = unsafe {
            (&*mimemap, if mime.len == 0 { &[][..] } else { std::slice::from_raw_parts(mime.base as *const u8, mime.len) })
        };
        map.by_mimetype(mime, exact_match_only != 0).unwrap_or(std::ptr::null_mut())
    })
}

/// Writes the default attributes of `mime` to `attr`.
///
/// # Safety
/// `mime` is a NUL-terminated string; `attr` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mimemap_get_default_attributes(mime: *const c_char, attr: *mut h2o_mime_attributes_t) {
    boundary("h2o_mimemap_get_default_attributes", (), || {
        // SAFETY: per the contract.
        unsafe { attr.write(attributes_of(cstr(mime))) };
    })
}
