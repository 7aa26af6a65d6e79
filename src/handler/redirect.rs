//! The redirect handler (`h2o_redirect_register`): every request of the path is redirected to
//! `prefix` + the part of its path below the path's (query kept), either with a 3xx response or,
//! when `internal`, by processing the request again at that place (GET unless the status is
//! 307/308), as in 2.2.5.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::ptr::null_mut;

use crate::core::config::{create_module, ModuleKind};
use crate::core::request;
use crate::abi::core::{h2o_handler_t, h2o_pathconf_t};
use crate::abi::memory::h2o_iovec_t;
use crate::abi::request::h2o_req_t;

/// `h2o_redirect_handler_t` (private to the library in 2.2.5 too): the module header, then the
/// settings; `prefix` is a malloc'ed NUL-terminated copy, freed by `dispose`.
#[repr(C)]
pub struct RedirectHandler {
    super_: h2o_handler_t,
    internal: c_int,
    status: c_int,
    prefix: *mut c_char,
}

unsafe extern "C" fn on_req(h: *mut h2o_handler_t, req: *mut h2o_req_t) -> c_int {
    // SAFETY: `h` is a RedirectHandler (only `register` installs this callback); `req` is live and
    // bound to the handler's path.
    unsafe {
        let this = &*h.cast::<RedirectHandler>();
        let prefix = CStr::from_ptr(this.prefix);
        let dest = crate::core::request::build_destination(&mut *req, prefix.to_bytes(), true);
        if this.internal == 0 {
            request::send_redirect(req, this.status, c"Redirected".as_ptr(), dest.base, dest.len);
            return 0;
        }
        let url = request::bytes(dest);
        if crate::core::url::parse_relative(url).is_none() {
            let msg = format!("invalid destination:{}", String::from_utf8_lossy(url));
            request::log_error(req, c"lib/handler/redirect.c".as_ptr(), msg.as_bytes());
            request::send_error(req, 503, c"Internal Server Error".as_ptr(), c"internal server error".as_ptr(), 0);
            return 0;
        }
        let method = method_for_status(&mut *req, this.status);
        request::send_redirect_internal(req, method, url, false);
        0
    }
}

/// The method of an internal redirect answering with `status` (as 2.2.5's redirect handler and
/// reproxy filter choose it): 307 and 308 keep the request's method and body; any other status
/// makes it a GET without body (`req.entity` is dropped).
pub fn method_for_status(req: &mut h2o_req_t, status: c_int) -> h2o_iovec_t {
    if matches!(status, 307 | 308) {
        return req.method;
    }
    req.entity = h2o_iovec_t { base: null_mut(), len: 0 };
    h2o_iovec_t { base: c"GET".as_ptr().cast_mut(), len: 3 }
}

unsafe extern "C" fn dispose(h: *mut h2o_handler_t) {
    // SAFETY: `h` is a RedirectHandler whose prefix came from libc::strdup.
    unsafe { libc::free((*h.cast::<RedirectHandler>()).prefix.cast::<c_void>()) }
}

/// `h2o_redirect_register`: adds the handler to the path; `prefix` (NUL-terminated) is copied.
///
/// # Safety
/// `pathconf` is initialized with a live globalconf; `prefix` is a C string.
pub unsafe fn register(pathconf: *mut h2o_pathconf_t, internal: c_int, status: c_int, prefix: *const c_char) -> *mut RedirectHandler {
    // SAFETY: the caller's contract; the module is sized for a RedirectHandler.
    unsafe {
        let h = create_module(pathconf, size_of::<RedirectHandler>(), ModuleKind::Handler).cast::<RedirectHandler>();
        (*h).super_.on_req = on_req as *mut c_void;
        (*h).super_.dispose = Some(dispose);
        (*h).internal = internal;
        (*h).status = status;
        (*h).prefix = libc::strdup(prefix);
        assert!(!(*h).prefix.is_null(), "out of memory");
        h
    }
}
