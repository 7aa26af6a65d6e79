//! `h2o/http1.h`: `h2o_http1_upgrade` (the HTTP/1 connection is `crate::http1::conn`; the other
//! names of the header, `H2O_HTTP1_CALLBACKS` and `h2o_http1_accept`, are with `h2o_accept` in
//! `super::request`).
//!
//! Ownership: the upgraded socket passes to the caller's callback, which must close it.

use std::ffi::c_void;

use crate::abi::memory::h2o_iovec_t;
use crate::abi::panic::boundary;
use crate::abi::request::h2o_req_t;
use crate::http1::conn::UpgradeCb;

/// `h2o_http1_upgrade`: sends the response head of `req` (`req->res.status`, usually 101, its
/// reason and headers, with `Connection: upgrade`) and then `inbufs`; once written, the HTTP/1
/// connection ends (its request is logged) and `on_complete(user_data, sock, reqsize)` receives the
/// socket, whose input still begins with the `reqsize` bytes of the request. On a write error the
/// socket is closed and `on_complete` receives NULL. A request that is not served by this
/// library's HTTP/1 layer, or whose response has started, is refused (logged; `on_complete` gets
/// NULL).
///
/// # Safety
/// `req` is a live request; `inbufs` has `inbufcnt` iovecs whose bytes stay valid until
/// `on_complete` is called.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http1_upgrade(
    req: *mut h2o_req_t,
    inbufs: *mut h2o_iovec_t,
    inbufcnt: usize,
    on_complete: UpgradeCb,
    user_data: *mut c_void,
) {
    boundary("h2o_http1_upgrade", (), || {
        assert!(!req.is_null(), "req is NULL");
        assert!(inbufcnt == 0 || !inbufs.is_null(), "inbufs is NULL");
        // SAFETY: the caller's contract.
        unsafe { crate::http1::conn::upgrade(req, inbufs, inbufcnt, on_complete, user_data) }
    })
}
