//! `h2o.h` file handler exports (hand-written header): `h2o_file_register`,
//! `h2o_file_register_file`, `h2o_file_send`, `h2o_file_get_mimemap` and the data object
//! `h2o_file_default_index_files`. The engine is `crate::handler::file`.
//!
//! Ownership: the handlers belong to their pathconf (freed by `h2o_config_dispose`); each copies
//! the strings it is given and holds its own reference to the MIME map (or type) it is given, so
//! the caller may drop its reference right after registering.

#![allow(non_upper_case_globals)]

use std::ffi::{c_char, c_int, CStr};
use std::ptr::null_mut;

use crate::abi::core::{h2o_handler_t, h2o_pathconf_t};
use crate::abi::memory::h2o_iovec_t;
use crate::abi::mimemap::h2o_mimemap_type_t;
use crate::core::mimemap::h2o_mimemap_t;
use crate::abi::panic::boundary;
use crate::abi::request::h2o_req_t;
use crate::handler::file;

/// A NULL-terminated list of C strings in static storage.
#[repr(transparent)]
pub struct StaticList<const N: usize>([*const c_char; N]);
// SAFETY: pointers to static string literals, never written.
unsafe impl<const N: usize> Sync for StaticList<N> {}

static DEFAULT_INDEX_FILES: StaticList<4> =
    StaticList([file::DEFAULT_INDEX_FILES[0].as_ptr(), file::DEFAULT_INDEX_FILES[1].as_ptr(), file::DEFAULT_INDEX_FILES[2].as_ptr(), std::ptr::null()]);

/// `const char **h2o_file_default_index_files`: "index.html", "index.htm", "index.txt", NULL
/// (an 8-byte writable data object, as in 2.2.5; `h2o_file_register` with NULL index files uses
/// this list whatever the variable is set to, as 2.2.5 does).
#[unsafe(no_mangle)]
pub static mut h2o_file_default_index_files: *const *const c_char = (&raw const DEFAULT_INDEX_FILES).cast();

/// `h2o_file_register`: serves the directory `real_path` on `pathconf`. `index_files` (NULL: the
/// default list) and `real_path` are copied; `mimemap` (NULL: a new default map) gets a reference
/// of the handler's. The handler is freed with the pathconf.
///
/// # Safety
/// `pathconf` comes from `h2o_config_register_path` (or `h2o_config_init_pathconf`);
/// `real_path` is NUL-terminated; `index_files` is NULL or a NULL-terminated list of
/// NUL-terminated strings; `mimemap` is NULL or a live map.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_file_register(
    pathconf: *mut h2o_pathconf_t,
    real_path: *const c_char,
    index_files: *const *const c_char,
    mimemap: *mut h2o_mimemap_t,
    flags: c_int,
) -> *mut file::FileHandler {
    boundary("h2o_file_register", null_mut(), || {
        assert!(!pathconf.is_null() && !real_path.is_null(), "NULL argument");
        // SAFETY: the caller's contract.
        unsafe { file::register(pathconf, real_path, index_files, mimemap, flags) }
    })
}

/// `h2o_file_register_file`: serves the one file `real_path` (copied) as `mime_type` (the handler
/// takes a reference of its own) for every request of `pathconf`.
///
/// # Safety
/// As `h2o_file_register`; `mime_type` is a live type (from a MIME map).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_file_register_file(
    pathconf: *mut h2o_pathconf_t,
    real_path: *const c_char,
    mime_type: *mut h2o_mimemap_type_t,
    flags: c_int,
) -> *mut h2o_handler_t {
    boundary("h2o_file_register_file", null_mut(), || {
        assert!(!pathconf.is_null() && !real_path.is_null() && !mime_type.is_null(), "NULL argument");
        // SAFETY: the caller's contract.
        unsafe { file::register_file(pathconf, real_path, mime_type, flags) }
    })
}

/// `h2o_file_get_mimemap`: the handler's map (borrowed: valid while the handler lives).
///
/// # Safety
/// `handler` was returned by `h2o_file_register`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_file_get_mimemap(handler: *mut file::FileHandler) -> *mut h2o_mimemap_t {
    boundary("h2o_file_get_mimemap", null_mut(), || {
        assert!(!handler.is_null(), "handler is NULL");
        // SAFETY: the caller's contract.
        unsafe { (*handler).mimemap }
    })
}

/// `h2o_file_send`: answers `req` with the file at `path` (status and `reason`, which must outlive
/// the response; `mime_type` is copied), with Last-Modified, ETag (unless H2O_FILE_FLAG_NO_ETAG) and
/// Accept-Ranges; no conditional or range handling. Returns 0, or -1 (nothing sent) when the file
/// cannot be opened or is a directory.
///
/// # Safety
/// `req` is a live request with no response started; `reason` and `path` are NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_file_send(req: *mut h2o_req_t, status: c_int, reason: *const c_char, path: *const c_char, mime_type: h2o_iovec_t, flags: c_int) -> c_int {
    boundary("h2o_file_send", -1, || {
        assert!(!req.is_null() && !reason.is_null() && !path.is_null(), "NULL argument");
        // SAFETY: the caller's contract.
        unsafe { file::file_send(req, status, reason, CStr::from_ptr(path), mime_type, flags) }
    })
}
