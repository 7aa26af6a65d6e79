//! `/.well-known/h2/state` (2.2.5's `h2o_http2_debug_state_register`): a handler answering with
//! the connection's state as JSON (`Connection::debug_state_json`), through the connection's
//! `get_debug_state` callback. Connections without one (HTTP/1) are not answered here: the
//! request goes on to the next handler (404 when none), as in 2.2.5.

use std::ffi::{c_int, c_void};

use super::c::*;
use super::stream;
use crate::core::config::{create_module, register_path, ModuleKind};
use crate::core::{headers, request};
use crate::mem;

/// The handler: the module header, then whether the HPACK tables are included.
#[repr(C)]
struct Handler {
    super_: h2o_handler_t,
    hpack_enabled: c_int,
}

/// `conn->callbacks->get_debug_state` of our HTTP/2 connections: the state, allocated from the
/// request's pool.
///
/// # Safety
/// `req` is a request of one of our HTTP/2 connections.
pub(super) unsafe extern "C" fn get_debug_state(req: *mut h2o_req_t, hpack_enabled: c_int) -> *mut h2o_http2_debug_state_t {
    // SAFETY: the caller's contract; the result lives in the request's pool.
    unsafe {
        let conn = stream::conn_of(stream::of_req(req));
        let json = (*conn).engine.debug_state_json(hpack_enabled != 0);
        let (flow_in, flow_out) = (*conn).engine.conn_windows();
        let pool = &mut (*req).pool;
        let st = mem::pool::alloc(pool, size_of::<h2o_http2_debug_state_t>()).cast::<h2o_http2_debug_state_t>();
        let entry = mem::pool::alloc(pool, size_of::<h2o_iovec_t>()).cast::<h2o_iovec_t>();
        entry.write(headers::pool_strdup(pool, json.as_bytes()));
        st.write(h2o_http2_debug_state_t {
            json: Vector { entries: entry, size: 1, capacity: 1 },
            conn_flow_in: flow_in as isize,
            conn_flow_out: flow_out as isize,
        });
        st
    }
}

/// Answers with nothing more to send.
static GENERATOR: h2o_generator_t = h2o_generator_t { proceed: None, stop: None };

unsafe extern "C" fn on_req(h: *mut h2o_handler_t, req: *mut h2o_req_t) -> c_int {
    // SAFETY: `h` is our Handler; `req` is live; its connection's callbacks are valid.
    unsafe {
        let cb = (*(*req).conn).callbacks;
        if cb.is_null() || (*cb).get_debug_state.is_null() {
            return -1;
        }
        // SAFETY: `get_debug_state` is `h2o_http2_debug_state_t *(*)(h2o_req_t *, int)`.
        let get: unsafe extern "C" fn(*mut h2o_req_t, c_int) -> *mut h2o_http2_debug_state_t = std::mem::transmute((*cb).get_debug_state);
        let st = get(req, (*h.cast::<Handler>()).hpack_enabled);
        if st.is_null() {
            return -1;
        }
        let r = &mut *req;
        r.res.status = 200;
        let add = |r: &mut h2o_req_t, name: &[u8], value: &[u8]| {
            let v = headers::pool_strdup(&mut r.pool, value);
            let n = match headers::lookup_token(name) {
                Some(t) => t.cast_mut().cast::<h2o_iovec_t>(),
                None => {
                    let copy = headers::pool_strdup(&mut r.pool, name);
                    headers::pool_name(&mut r.pool, copy.base, copy.len)
                }
            };
            headers::add(&mut r.pool, &mut r.res.headers, n, std::ptr::null(), v);
        };
        add(r, b"content-type", b"application/json; charset=utf-8");
        add(r, b"cache-control", b"no-cache, no-store");
        add(r, b"conn-flow-in", (*st).conn_flow_in.to_string().as_bytes());
        add(r, b"conn-flow-out", (*st).conn_flow_out.to_string().as_bytes());
        request::start_response(req, (&raw const GENERATOR).cast_mut());
        let head = request::bytes(r.input.method) == b"HEAD";
        request::send(req, (*st).json.entries, if head { 0 } else { (*st).json.size }, SEND_STATE_FINAL);
        0
    }
}

/// `h2o_http2_debug_state_register`: the handler on the path `/.well-known/h2/state` of
/// `hostconf` (with the HPACK tables when `hpack_enabled`).
///
/// # Safety
/// `hostconf` is a live host of an initialized globalconf.
pub unsafe fn register(hostconf: *mut h2o_hostconf_t, hpack_enabled: c_int) {
    // SAFETY: the caller's contract; the module is zeroed and large enough for a Handler.
    unsafe {
        let pathconf = register_path(hostconf, c"/.well-known/h2/state".as_ptr());
        let h = create_module(pathconf, size_of::<Handler>(), ModuleKind::Handler).cast::<Handler>();
        (*h).super_.on_req = on_req as *mut c_void;
        (*h).hpack_enabled = hpack_enabled;
    }
}
