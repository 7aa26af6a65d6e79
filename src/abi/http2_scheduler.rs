//! `h2o/http2_scheduler.h`: the caller-allocated scheduler structs, `#[repr(C)]` mirrors with their
//! 2.2.5 x86_64 layouts checked at compile time (the header's inline helpers read `weight`,
//! `node._parent` and `_all_link` in the caller's code). How this library uses the private fields:
//! `crate::http2::c_scheduler`.

#![allow(non_camel_case_types)]

use std::ffi::{c_int, c_void};
use std::mem::{offset_of, size_of};

use super::evloop::h2o_linklist_t;

/// `h2o_http2_scheduler_queue_node_t` (24 bytes; private).
#[repr(C)]
#[derive(Debug)]
pub struct h2o_http2_scheduler_queue_node_t {
    pub _link: h2o_linklist_t,
    pub _deficit: usize,
}

/// `h2o_http2_scheduler_node_t` (32 bytes): a connection's root, or the `node` of an open
/// reference. `_queue` is opaque to C (`h2o_http2_scheduler_queue_t *`).
#[repr(C)]
#[derive(Debug)]
pub struct h2o_http2_scheduler_node_t {
    pub _parent: *mut h2o_http2_scheduler_node_t,
    pub _all_refs: h2o_linklist_t,
    pub _queue: *mut c_void,
}

/// `h2o_http2_scheduler_openref_t` (96 bytes): a stream's place in the tree.
#[repr(C)]
#[derive(Debug)]
pub struct h2o_http2_scheduler_openref_t {
    pub node: h2o_http2_scheduler_node_t,
    pub weight: u16,
    pub _all_link: h2o_linklist_t,
    pub _active_cnt: usize,
    pub _self_is_active: c_int,
    pub _queue_node: h2o_http2_scheduler_queue_node_t,
}

/// `h2o_http2_scheduler_run_cb`.
pub type h2o_http2_scheduler_run_cb =
    Option<unsafe extern "C" fn(r#ref: *mut h2o_http2_scheduler_openref_t, still_is_active: *mut c_int, cb_arg: *mut c_void) -> c_int>;

const _: () = {
    assert!(size_of::<h2o_http2_scheduler_queue_node_t>() == 24);
    assert!(offset_of!(h2o_http2_scheduler_queue_node_t, _deficit) == 16);
    assert!(size_of::<h2o_http2_scheduler_node_t>() == 32);
    assert!(offset_of!(h2o_http2_scheduler_node_t, _all_refs) == 8);
    assert!(offset_of!(h2o_http2_scheduler_node_t, _queue) == 24);
    assert!(size_of::<h2o_http2_scheduler_openref_t>() == 96);
    assert!(offset_of!(h2o_http2_scheduler_openref_t, weight) == 32);
    assert!(offset_of!(h2o_http2_scheduler_openref_t, _all_link) == 40);
    assert!(offset_of!(h2o_http2_scheduler_openref_t, _active_cnt) == 56);
    assert!(offset_of!(h2o_http2_scheduler_openref_t, _self_is_active) == 64);
    assert!(offset_of!(h2o_http2_scheduler_openref_t, _queue_node) == 72);
};
