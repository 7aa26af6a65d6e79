//! The access log's `%{ssl.*}x` values (slots 0-4 of `h2o_conn_callbacks_t.log_`, installed by
//! the HTTP/1 and HTTP/2 connections): the request's socket's TLS session, as text from the
//! request's pool; {NULL, 0} (logged "-") for a plain connection. `ssl.session-id` is always
//! "-": rustls does not expose session ids.

use std::ffi::c_void;
use std::ptr::null_mut;

use crate::abi::memory::h2o_iovec_t;
use crate::abi::request::h2o_req_t;
use crate::tls::session::Session;

const NONE: h2o_iovec_t = h2o_iovec_t { base: null_mut(), len: 0 };

/// The TLS session of the request's connection.
///
/// # Safety
/// `req` is a live request whose connection's `get_socket` returns NULL or a live socket of ours.
unsafe fn session<'a>(req: *mut h2o_req_t) -> Option<&'a Session> {
    // SAFETY: per the contract.
    unsafe {
        let conn = (*req).conn;
        let get = (*(*conn).callbacks).get_socket?;
        let sock = get(conn);
        if sock.is_null() {
            return None;
        }
        crate::evloop::socket::tls::session_of(sock)
    }
}

/// # Safety
/// As [`session`].
unsafe fn text(req: *mut h2o_req_t, f: impl FnOnce(&Session) -> Option<Vec<u8>>) -> h2o_iovec_t {
    // SAFETY: per the contract.
    unsafe {
        match session(req).and_then(f) {
            Some(v) => crate::core::headers::pool_strdup(&mut (*req).pool, &v),
            None => NONE,
        }
    }
}

unsafe extern "C" fn protocol_version(req: *mut h2o_req_t) -> h2o_iovec_t {
    // SAFETY: installed only on our connections.
    unsafe { text(req, |s| s.protocol_version().map(|v| v.to_bytes().to_vec())) }
}

unsafe extern "C" fn session_reused(req: *mut h2o_req_t) -> h2o_iovec_t {
    // SAFETY: as above.
    unsafe { text(req, |s| s.session_reused().map(|r| if r { b"1".to_vec() } else { b"0".to_vec() })) }
}

unsafe extern "C" fn cipher(req: *mut h2o_req_t) -> h2o_iovec_t {
    // SAFETY: as above.
    unsafe { text(req, |s| s.cipher().map(|(n, _)| n.to_bytes().to_vec())) }
}

unsafe extern "C" fn cipher_bits(req: *mut h2o_req_t) -> h2o_iovec_t {
    // SAFETY: as above.
    unsafe { text(req, |s| s.cipher().map(|(_, b)| b.to_string().into_bytes())) }
}

unsafe extern "C" fn session_id(req: *mut h2o_req_t) -> h2o_iovec_t {
    let _ = req;
    NONE
}

/// Fills slots 0-4 of a `log_` table.
pub const fn install(l: &mut [*const c_void; 14]) {
    l[0] = protocol_version as *const c_void;
    l[1] = session_reused as *const c_void;
    l[2] = cipher as *const c_void;
    l[3] = cipher_bits as *const c_void;
    l[4] = session_id as *const c_void;
}
