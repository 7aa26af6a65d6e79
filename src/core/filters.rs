//! The filters libh2o itself provides, as 2.2.5 has them:
//!
//! - the chunked-encoding filter (`h2o_chunked_register`), which 2.2.5's `h2o_config_init_pathconf`
//!   puts on every path. Here the HTTP/1 layer frames bodies itself (chunked on HTTP/1.1 when the
//!   length is unknown), so this filter does what remains observable of 2.2.5's: where 2.2.5 would
//!   chunk (HTTP/1.1, length unknown, status 200, not HEAD, no Transfer-Encoding yet) it adds the
//!   `transfer-encoding: chunked` response header and an output stream that counts the body bytes
//!   in `bytes_sent` (marking them counted, as 2.2.5's encoder does) and passes them on unchanged.
//!   Registering it twice is harmless: the second one sees the header and steps aside.
//! - the headers filter (`h2o_headers_register`): applies a list of header commands (see
//!   `super::headers_cmd`) to the response headers when the response starts.

use std::ffi::{c_int, c_void};

use crate::abi::core::{h2o_filter_t, h2o_pathconf_t};
use crate::abi::memory::h2o_iovec_t;
use crate::abi::request::{h2o_ostream_t, h2o_req_t, REQ_FLAG_BYTES_COUNTED_BY_OSTREAM};

use super::config::{create_module, ModuleKind};
use super::headers;
use super::headers_cmd::{self, h2o_headers_command_t, CMD_NULL};
use super::request;

/// Whether 2.2.5's chunked encoder would take a response: HTTP/1.1, unknown length, a status with
/// a body that is 200 (2.2.5 closes the connection instead for other statuses), not HEAD, and no
/// Transfer-Encoding set by someone else.
///
/// # Safety
/// `req` is live.
unsafe fn chunked_applies(req: &h2o_req_t) -> bool {
    let status = req.res.status;
    if req.res.content_length != usize::MAX || req.version != 0x101 || status != 200 {
        return false;
    }
    // SAFETY: the request's input method and response headers are valid (the caller's contract).
    unsafe {
        if request::bytes(req.input.method) == b"HEAD" {
            return false;
        }
        let te = headers::lookup_token(b"transfer-encoding").expect("transfer-encoding token");
        !headers::entries(&req.res.headers).iter().any(|h| std::ptr::eq(h.name, te.cast()))
    }
}

/// The chunked filter's stream: counts, then passes on.
unsafe extern "C" fn count_and_pass(ostr: *mut h2o_ostream_t, req: *mut h2o_req_t, bufs: *mut h2o_iovec_t, bufcnt: usize, state: c_int) {
    // SAFETY: the library calls do_send with the stream's live request and `bufcnt` iovecs.
    unsafe {
        for i in 0..bufcnt {
            (*req).bytes_sent += (*bufs.add(i)).len;
        }
        request::ostream_send_next(ostr, req, bufs, bufcnt, state);
    }
}

unsafe extern "C" fn chunked_on_setup_ostream(_self: *mut h2o_filter_t, req: *mut h2o_req_t, slot: *mut *mut h2o_ostream_t) {
    // SAFETY: the library calls on_setup_ostream with a live request and a slot of its chain.
    unsafe {
        let mut slot = slot;
        if chunked_applies(&*req) {
            let r = &mut *req;
            let te = headers::lookup_token(b"transfer-encoding").expect("transfer-encoding token");
            let v = h2o_iovec_t { base: c"chunked".as_ptr().cast_mut(), len: 7 };
            headers::add(&mut r.pool, &mut r.res.headers, te.cast_mut().cast(), std::ptr::null(), v);
            let o = request::add_ostream(req, size_of::<h2o_ostream_t>(), slot);
            (*o).do_send = Some(count_and_pass);
            r.flags |= REQ_FLAG_BYTES_COUNTED_BY_OSTREAM;
            slot = &raw mut (*o).next;
        }
        request::setup_next_ostream(req, slot);
    }
}

/// `h2o_chunked_register`: adds the chunked filter to the path (first in its filters, a config
/// slot taken, as every filter).
///
/// # Safety
/// `pathconf` is initialized with a live globalconf.
pub unsafe fn chunked_register(pathconf: *mut h2o_pathconf_t) {
    // SAFETY: the caller's contract.
    unsafe {
        let f = create_module(pathconf, size_of::<h2o_filter_t>(), ModuleKind::Filter);
        (*f).on_req = chunked_on_setup_ostream as *mut c_void;
    }
}

/// The headers filter: the module header, then the borrowed command list.
#[repr(C)]
struct HeadersFilter {
    super_: h2o_filter_t,
    cmds: *mut h2o_headers_command_t,
}

unsafe extern "C" fn headers_on_setup_ostream(f: *mut h2o_filter_t, req: *mut h2o_req_t, slot: *mut *mut h2o_ostream_t) {
    // SAFETY: `f` is a HeadersFilter (only registered by headers_register); the commands are the
    // embedder's, valid while the filter is; the request is live.
    unsafe {
        let mut cmd = (*f.cast::<HeadersFilter>()).cmds;
        while !cmd.is_null() && (*cmd).cmd != CMD_NULL {
            let r = &mut *req;
            headers_cmd::rewrite(&mut r.pool, &mut r.res.headers, &*cmd);
            cmd = cmd.add(1);
        }
        request::setup_next_ostream(req, slot);
    }
}

/// `h2o_headers_register`: a filter applying `cmds` (terminated by `H2O_HEADERS_CMD_NULL`,
/// borrowed: they must outlive the path) to each response's headers.
///
/// # Safety
/// `pathconf` is initialized with a live globalconf; `cmds` is a terminated list.
pub unsafe fn headers_register(pathconf: *mut h2o_pathconf_t, cmds: *mut h2o_headers_command_t) {
    // SAFETY: the caller's contract; the module has room for the command pointer.
    unsafe {
        let f = create_module(pathconf, size_of::<HeadersFilter>(), ModuleKind::Filter).cast::<HeadersFilter>();
        (*f).super_.on_req = headers_on_setup_ostream as *mut c_void;
        (*f).cmds = cmds;
    }
}
