//! `h2o/linklist.h`, `h2o/timeout.h`, `h2o/socket/evloop.h` and the sliding counter of
//! `h2o/socket.h`: `#[repr(C)]` mirrors with their 2.2.5 x86_64 layouts (checked at compile time).
//! The lists are intrusive and C code walks them through the header's inline functions, so the
//! engine (`crate::evloop`) works on these structs in place. Data only; the exports are
//! `crate::ffi::evloop`.

#![allow(non_camel_case_types, non_upper_case_globals)]

use std::mem::{offset_of, size_of};

/// `h2o_linklist_t`: an anchor (circular) or a node (`next == NULL` when unlinked).
#[repr(C)]
#[derive(Debug)]
pub struct h2o_linklist_t {
    pub next: *mut h2o_linklist_t,
    pub prev: *mut h2o_linklist_t,
}

/// `h2o_sliding_counter_t`: mean of the last 8 measured periods.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct h2o_sliding_counter_t {
    pub average: u64,
    pub prev_sum: u64,
    pub prev_slots: [u64; 8],
    pub prev_index: usize,
    pub cur_start_at: u64,
}

/// `h2o_evloop_t` as C sees it (152 bytes); the engine's state follows it in [`evloop::Loop`].
#[repr(C)]
#[derive(Debug)]
pub struct h2o_evloop_t {
    pub _pending_as_client: *mut std::ffi::c_void,
    pub _pending_as_server: *mut std::ffi::c_void,
    pub _statechanged_head: *mut std::ffi::c_void,
    pub _statechanged_tail_ref: *mut *mut std::ffi::c_void,
    pub _now: u64,
    pub _timeouts: h2o_linklist_t,
    pub exec_time_counter: h2o_sliding_counter_t,
}

pub type h2o_timeout_cb = Option<unsafe extern "C" fn(*mut h2o_timeout_entry_t)>;

/// `h2o_timeout_entry_t` (32 bytes).
#[repr(C)]
#[derive(Debug)]
pub struct h2o_timeout_entry_t {
    pub registered_at: u64,
    pub cb: h2o_timeout_cb,
    pub _link: h2o_linklist_t,
}

/// `struct st_h2o_timeout_backend_properties_t` of the evloop backend: one unused byte.
#[repr(C)]
#[derive(Debug)]
pub struct st_h2o_timeout_backend_properties_t {
    pub _dummy: std::ffi::c_char,
}

/// `h2o_timeout_t` (48 bytes).
#[repr(C)]
#[derive(Debug)]
pub struct h2o_timeout_t {
    pub timeout: u64,
    pub _link: h2o_linklist_t,
    pub _entries: h2o_linklist_t,
    pub _backend: st_h2o_timeout_backend_properties_t,
}

// The 2.2.5 x86_64 layouts (tests/abi/layouts.txt checks the C side).
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(size_of::<h2o_linklist_t>() == 16 && offset_of!(h2o_linklist_t, prev) == 8);
    assert!(size_of::<h2o_sliding_counter_t>() == 96);
    assert!(offset_of!(h2o_sliding_counter_t, prev_index) == 80);
    assert!(offset_of!(h2o_sliding_counter_t, cur_start_at) == 88);
    assert!(size_of::<h2o_evloop_t>() == 152);
    assert!(offset_of!(h2o_evloop_t, _now) == 32);
    assert!(offset_of!(h2o_evloop_t, _timeouts) == 40);
    assert!(offset_of!(h2o_evloop_t, exec_time_counter) == 56);
    assert!(size_of::<h2o_timeout_entry_t>() == 32);
    assert!(offset_of!(h2o_timeout_entry_t, cb) == 8 && offset_of!(h2o_timeout_entry_t, _link) == 16);
    assert!(size_of::<h2o_timeout_t>() == 48);
    assert!(offset_of!(h2o_timeout_t, _link) == 8 && offset_of!(h2o_timeout_t, _entries) == 24);
    assert!(offset_of!(h2o_timeout_t, _backend) == 40);
};
