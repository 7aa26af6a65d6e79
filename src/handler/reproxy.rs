//! The reproxy filter (`h2o_reproxy_register`): a response carrying `X-Reproxy-URL` is not sent;
//! instead the request is redirected internally to that URL (on the next loop iteration), and what
//! that URL answers becomes the response, as in 2.2.5.
//!
//! 2.2.5 hands URLs on hosts it does not serve to its reverse proxy. This library has no proxy
//! (Tier 3 of COMPAT.md): such URLs get 502 "Gateway Error" and a line on stderr (see
//! `core::request::reprocess_request`). URLs on the connection's own hosts work fully.

use std::ffi::c_void;

use crate::core::config::{create_module, ModuleKind};
use crate::core::headers;
use crate::core::request;
use crate::abi::core::{h2o_filter_t, h2o_pathconf_t};
use crate::abi::memory::h2o_iovec_t;
use crate::abi::request::{h2o_ostream_t, h2o_req_t};

/// Swallows what the original response's generator sends: that response is replaced.
unsafe extern "C" fn discard(_o: *mut h2o_ostream_t, _req: *mut h2o_req_t, _bufs: *mut h2o_iovec_t, _n: usize, _state: i32) {}

unsafe extern "C" fn on_setup_ostream(_f: *mut h2o_filter_t, req: *mut h2o_req_t, slot: *mut *mut h2o_ostream_t) {
    // SAFETY: called by start_response for a live request; `slot` is its ostream slot.
    unsafe {
        let r = &mut *req;
        let token = headers::lookup_token(b"x-reproxy-url").expect("x-reproxy-url token");
        let at = headers::find(headers::entries(&r.res.headers), -1, |h| std::ptr::eq(h.name.cast_const().cast(), token));
        if at == -1 {
            return request::setup_next_ostream(req, slot);
        }
        let dest = headers::entries(&r.res.headers)[at as usize].value;
        headers::delete(&mut r.res.headers, at);
        let status = r.res.status;
        let method = super::redirect::method_for_status(r, status);
        request::send_redirect_internal(req, method, request::bytes(dest), false);
        let o = request::add_ostream(req, size_of::<h2o_ostream_t>(), slot);
        (*o).do_send = Some(discard);
    }
}

/// `h2o_reproxy_register`: adds the reproxy filter to the path.
///
/// # Safety
/// `pathconf` is initialized with a live globalconf.
pub unsafe fn register(pathconf: *mut h2o_pathconf_t) {
    // SAFETY: the caller's contract.
    unsafe {
        let f = create_module(pathconf, size_of::<h2o_filter_t>(), ModuleKind::Filter);
        (*f).on_req = on_setup_ostream as *mut c_void;
    }
}
