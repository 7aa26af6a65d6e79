//! `h2o.h` MIME maps (hand-written header): the exported `h2o_mimemap_*` functions over the map
//! of `crate::core::mimemap` (types in `crate::abi::mimemap`). Ownership as documented there: maps
//! and types are shared allocations; `h2o_mimemap_create` / `_clone` return the caller's reference;
//! lookups return types borrowed from the map. The `const char *` arguments are copied.

use std::ffi::{c_char, c_int, CStr};

use crate::abi::core::{h2o_context_t, h2o_globalconf_t};
use crate::abi::memory::h2o_iovec_t;
use crate::abi::mimemap::{h2o_mime_attributes_t, h2o_mimemap_type_t};
use crate::abi::panic::boundary;
use crate::core::mimemap::{self as engine, h2o_mimemap_t};

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
        engine::create()
    })
}

/// A new map (one reference, the caller's) sharing `src`'s types (each gets a reference).
///
/// # Safety
/// `src` is a live map.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mimemap_clone(src: *mut h2o_mimemap_t) -> *mut h2o_mimemap_t {
    boundary("h2o_mimemap_clone", std::ptr::null_mut(), || {
        // SAFETY: the caller's contract.
        unsafe { engine::clone_map(src) }
    })
}

/// Whether the map has a dynamic type (for an extension, or as its default type).
///
/// # Safety
/// `mimemap` is a live map.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_mimemap_has_dynamic_type(mimemap: *mut h2o_mimemap_t) -> c_int {
    boundary("h2o_mimemap_has_dynamic_type", 0, || {
        // SAFETY: the caller's contract.
        unsafe { engine::has_dynamic_type(mimemap) as c_int }
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
        // SAFETY: the caller's contract: a NULL-terminated array of NUL-terminated strings.
        unsafe {
            let mut list = Vec::new();
            while !(*exts.add(list.len())).is_null() {
                list.push(cstr(*exts.add(list.len())));
            }
            engine::define_dynamic(mimemap, &list, globalconf)
        }
    })
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
        // SAFETY: the caller's contract.
        unsafe { engine::on_context_init(mimemap, ctx) }
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
        // SAFETY: the caller's contract.
        unsafe { engine::on_context_dispose(mimemap, ctx) }
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
        map.set_default_type(mime, attr)
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
        map.define_mimetype(ext, mime, attr)
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
        map.remove_type(ext)
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
        unsafe { (*mimemap).clear_types() }
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
        unsafe { (*mimemap).default_type() }
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
        unsafe { engine::type_by_extension(mimemap, ext) }
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
        unsafe { engine::type_by_mimetype(mimemap, mime, exact_match_only != 0) }
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
        unsafe { attr.write(engine::attributes_of(cstr(mime))) };
    })
}
