//! `h2o.h` log formats and the access log (hand-written header): `h2o_logconf_compile` /
//! `_dispose`, `h2o_log_request`, `h2o_access_log_open_log` / `_open_handle` / `_register`, and
//! `h2o_stringify_protocol_version`, as in 2.2.5. The engine is `crate::handler::access_log`.
//!
//! Ownership:
//! - `h2o_logconf_compile` returns a format the caller owns and frees with `h2o_logconf_dispose`.
//! - `h2o_log_request` writes into the caller's buffer when the line fits; otherwise it returns a
//!   new `malloc`ed buffer the caller `free()`s (compare the result with `buf`).
//! - `h2o_access_log_open_handle` returns a shared allocation (one reference, the caller's;
//!   `h2o_mem_release_shared` drops it). Each logger registered with it takes a reference, dropped
//!   when the configuration disposes of the logger; the last one closes the descriptor and frees
//!   the format.
//! - `h2o_access_log_open_log` returns a descriptor the caller owns.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::mem::offset_of;
use std::ptr::null_mut;

use crate::abi::core::{h2o_logger_t, h2o_pathconf_t};
use crate::abi::memory::st_h2o_mem_pool_shared_entry_t;
use crate::abi::panic::boundary;
use crate::abi::request::h2o_req_t;
use crate::handler::access_log::{self as engine, logconf, render, FileHandle, LogConf};
use crate::mem;

/// Room 2.2.5's callers give the error buffer (`char errbuf[256]`); longer messages are cut there.
const ERRBUF_SIZE: usize = 256;

/// Copies `msg` (cut to fit) and a NUL into `errbuf`, if there is one.
///
/// # Safety
/// `errbuf` is NULL or has room for [`ERRBUF_SIZE`] bytes.
unsafe fn set_error(errbuf: *mut c_char, msg: &[u8]) {
    if errbuf.is_null() {
        return;
    }
    let n = msg.len().min(ERRBUF_SIZE - 1);
    // SAFETY: the caller's contract; `n + 1 <= ERRBUF_SIZE`.
    unsafe {
        std::ptr::copy_nonoverlapping(msg.as_ptr().cast::<c_char>(), errbuf, n);
        *errbuf.add(n) = 0;
    }
}

/// `h2o_logconf_compile`: compiles the log format `fmt` (NULL: 2.2.5's default, the Apache
/// combined format) for escape mode `escape` (`H2O_LOGCONF_ESCAPE_APACHE` or `_JSON`). Returns the
/// caller's format (free it with `h2o_logconf_dispose`), or NULL with 2.2.5's message in `errbuf`
/// (NUL-terminated, at most 256 bytes with the NUL).
///
/// # Safety
/// `fmt` is NULL or a C string; `errbuf` is NULL or has room for 256 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_logconf_compile(fmt: *const c_char, escape: c_int, errbuf: *mut c_char) -> *mut LogConf {
    boundary("h2o_logconf_compile", null_mut(), || {
        let fmt = if fmt.is_null() {
            logconf::DEFAULT_FORMAT
        } else {
            // SAFETY: a C string, per the contract.
            unsafe { CStr::from_ptr(fmt) }.to_bytes()
        };
        match logconf::compile(fmt, escape) {
            Ok(conf) => Box::into_raw(Box::new(conf)),
            Err(msg) => {
                // SAFETY: per the contract.
                unsafe { set_error(errbuf, &msg) };
                null_mut()
            }
        }
    })
}

/// `h2o_logconf_dispose`: frees a format from `h2o_logconf_compile` (NULL: nothing).
///
/// # Safety
/// `logconf` is NULL or a live format, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_logconf_dispose(logconf: *mut LogConf) {
    boundary("h2o_logconf_dispose", (), || {
        if !logconf.is_null() {
            // SAFETY: made by Box::into_raw in h2o_logconf_compile; the caller gives it up.
            drop(unsafe { Box::from_raw(logconf) });
        }
    })
}

/// `h2o_log_request`: the log line of `req` (ending in a newline, not NUL-terminated). `*len` is
/// the room in `buf` on entry and the line's length on return. The line is in `buf` when it fits;
/// otherwise in a new `malloc`ed buffer, returned, which the caller `free()`s. NULL when an
/// argument is NULL.
///
/// # Safety
/// `logconf` is a live format; `req` a live request (see h2o.h); `buf` has room for `*len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_log_request(logconf: *mut LogConf, req: *mut h2o_req_t, len: *mut usize, buf: *mut c_char) -> *mut c_char {
    boundary("h2o_log_request", null_mut(), || {
        if logconf.is_null() || req.is_null() || len.is_null() {
            return null_mut();
        }
        let mut line = Vec::with_capacity(256);
        // SAFETY: the caller's contract.
        unsafe { render::render(&*logconf, req, &mut line) };
        // SAFETY: `len` is valid (checked non-NULL; the caller's contract).
        let room = unsafe { *len };
        let dst = if !buf.is_null() && line.len() <= room {
            buf
        } else {
            // libc malloc: the caller free()s it, as 2.2.5's callers do.
            mem::malloc_or_die(line.len().max(1)).cast::<c_char>()
        };
        // SAFETY: `dst` has room for the line (the caller's buffer or a fresh block).
        unsafe {
            std::ptr::copy_nonoverlapping(line.as_ptr().cast::<c_char>(), dst, line.len());
            *len = line.len();
        }
        dst
    })
}

/// `h2o_access_log_open_log`: opens a log destination and returns its descriptor (the caller's),
/// or -1 after printing 2.2.5's message on stderr. `path` is a file (appended to, created with mode
/// 0644) or `|command` (run with `/bin/sh -c`; the descriptor is a pipe into its stdin).
///
/// # Safety
/// `path` is NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_access_log_open_log(path: *const c_char) -> c_int {
    boundary("h2o_access_log_open_log", -1, || {
        if path.is_null() {
            eprintln!("failed to open log file: no path");
            return -1;
        }
        // SAFETY: a C string, per the contract.
        match engine::open_log(unsafe { CStr::from_ptr(path) }.to_bytes()) {
            Ok(fd) => fd,
            Err(msg) => {
                eprintln!("{msg}");
                -1
            }
        }
    })
}

/// Frees what a file handle holds when its last reference goes.
unsafe extern "C" fn dispose_handle(p: *mut c_void) {
    boundary("h2o_access_log_filehandle_t dispose", (), || {
        // SAFETY: `p` is the FileHandle of a shared allocation made by h2o_access_log_open_handle.
        unsafe {
            let fh = &mut *p.cast::<FileHandle>();
            drop(Box::from_raw(fh.logconf));
            libc::close(fh.fd);
        }
    })
}

/// `h2o_access_log_open_handle`: compiles `fmt` (NULL: the Apache combined format) and opens `path`
/// as `h2o_access_log_open_log` does. Returns a shared handle with one reference, the caller's, or
/// NULL after printing the error on stderr.
///
/// # Safety
/// `path` and `fmt` are NULL or C strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_access_log_open_handle(path: *const c_char, fmt: *const c_char, escape: c_int) -> *mut FileHandle {
    boundary("h2o_access_log_open_handle", null_mut(), || {
        let fmt = if fmt.is_null() {
            logconf::DEFAULT_FORMAT
        } else {
            // SAFETY: a C string, per the contract.
            unsafe { CStr::from_ptr(fmt) }.to_bytes()
        };
        let conf = match logconf::compile(fmt, escape) {
            Ok(c) => c,
            Err(msg) => {
                eprintln!("{}", String::from_utf8_lossy(&msg));
                return null_mut();
            }
        };
        // SAFETY: per the contract.
        let fd = unsafe { h2o_access_log_open_log(path) };
        if fd == -1 {
            return null_mut();
        }
        // SAFETY: no pool; a block of the struct's size, aligned as malloc's.
        let fh = unsafe { mem::pool::alloc_shared(None, size_of::<FileHandle>(), Some(dispose_handle)) }.cast::<FileHandle>();
        // SAFETY: a fresh block of the right size.
        unsafe { fh.write(FileHandle { logconf: Box::into_raw(Box::new(conf)), fd }) };
        fh
    })
}

/// The logger `h2o_access_log_register` creates: 2.2.5's logger head and the handle it writes to.
#[repr(C)]
struct AccessLogger {
    super_: h2o_logger_t,
    fh: *mut FileHandle,
}

fn entry_of(fh: *mut FileHandle) -> *mut st_h2o_mem_pool_shared_entry_t {
    fh.cast::<u8>().wrapping_sub(offset_of!(st_h2o_mem_pool_shared_entry_t, bytes)).cast()
}

/// The logger's `log_access`: writes the request's line.
unsafe extern "C" fn log_access(logger: *mut h2o_logger_t, req: *mut h2o_req_t) {
    boundary("access log", (), || {
        // SAFETY: the logger was made by h2o_access_log_register and holds a reference to its handle;
        // the server calls this with a live request.
        unsafe { engine::log_access(&*(*logger.cast::<AccessLogger>()).fh, req) }
    })
}

/// The logger's `dispose`: drops its reference to the handle.
unsafe extern "C" fn dispose_logger(logger: *mut h2o_logger_t) {
    boundary("access log dispose", (), || {
        // SAFETY: as log_access; the configuration disposes of each logger once.
        unsafe { mem::pool::release(entry_of((*logger.cast::<AccessLogger>()).fh)) };
    })
}

/// `h2o_access_log_register`: adds a logger to `pathconf` that writes each request's line to `fh`
/// (one `write` per line). The logger takes its own reference to `fh` (the caller keeps its own)
/// and belongs to the pathconf. NULL (and a message on stderr) when an argument is NULL.
///
/// # Safety
/// `pathconf` is an initialized pathconf of a live globalconf; `fh` came from
/// `h2o_access_log_open_handle` and is alive.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_access_log_register(pathconf: *mut h2o_pathconf_t, fh: *mut FileHandle) -> *mut h2o_logger_t {
    boundary("h2o_access_log_register", null_mut(), || {
        if pathconf.is_null() || fh.is_null() {
            eprintln!("h2o_access_log_register: NULL {}", if fh.is_null() { "handle" } else { "pathconf" });
            return null_mut();
        }
        // SAFETY: the caller's contract; the size covers AccessLogger.
        let logger = unsafe { super::core::h2o_create_logger(pathconf, size_of::<AccessLogger>()) };
        if logger.is_null() {
            return null_mut();
        }
        // SAFETY: a zeroed block of AccessLogger's size; `fh` is a live shared allocation.
        unsafe {
            let l = &mut *logger.cast::<AccessLogger>();
            l.super_.dispose = Some(dispose_logger);
            l.super_.on_req = log_access as *mut c_void; // slot 32 of a logger is log_access
            l.fh = fh;
            (*entry_of(fh)).refcnt += 1;
        }
        logger
    })
}

/// `h2o_stringify_protocol_version`: "HTTP/1.x" (x the version's low byte) for versions below
/// 0x200, else "HTTP/2", NUL-terminated into `dst` (room for 9 bytes); returns the length.
///
/// # Safety
/// `dst` has room for 9 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_stringify_protocol_version(dst: *mut c_char, version: c_int) -> usize {
    boundary("h2o_stringify_protocol_version", 0, || {
        let mut s = Vec::with_capacity(9);
        render::protocol_version(&mut s, version);
        // SAFETY: at most 8 bytes and the NUL, per the contract.
        unsafe {
            std::ptr::copy_nonoverlapping(s.as_ptr().cast::<c_char>(), dst, s.len());
            *dst.add(s.len()) = 0;
        }
        s.len()
    })
}
