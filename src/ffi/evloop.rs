//! `h2o/linklist.h`, `h2o/timeout.h`, `h2o/socket/evloop.h` and the sliding counter of
//! `h2o/socket.h`: `#[repr(C)]` mirrors with their 2.2.5 x86_64 layouts (checked at compile time) and
//! the exported functions.
//!
//! The lists are intrusive and C code walks them through the header's inline functions, so the
//! engine (`crate::evloop`) works on these structs in place. Ownership:
//! - `h2o_evloop_t *` is created by `h2o_evloop_create` (a Box of [`crate::evloop::Loop`], whose first
//!   field is the C-visible `h2o_evloop_t`) and owned by the caller until `h2o_evloop_destroy`;
//! - `h2o_timeout_t` and `h2o_timeout_entry_t` are caller-allocated; the library only links them
//!   into lists and never frees them. They must not move while linked.

#![allow(non_camel_case_types)]

use std::mem::{offset_of, size_of};

use super::panic::boundary;
use crate::evloop::{self, timeout};

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

// ---- h2o/socket.h: the sliding counter ------------------------------------------------------------

/// Ends the running period of `counter` at `now`. `counter` is the caller's.
///
/// # Safety
/// `counter` points to a valid `h2o_sliding_counter_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_sliding_counter_stop(counter: *mut h2o_sliding_counter_t, now: u64) {
    boundary("h2o_sliding_counter_stop", (), || {
        // SAFETY: the caller passes a valid counter (the C contract).
        let counter = unsafe { &mut *counter };
        evloop::counter_stop(counter, now);
    })
}

// ---- h2o/socket/evloop.h --------------------------------------------------------------------------

/// Creates a loop. Ownership: the returned pointer is owned by the caller and released by
/// `h2o_evloop_destroy`. Never NULL: dies through `h2o_fatal` when the kernel refuses a poller.
#[unsafe(no_mangle)]
pub extern "C" fn h2o_evloop_create() -> *mut h2o_evloop_t {
    boundary("h2o_evloop_create", std::ptr::null_mut(), evloop::Loop::create)
}

/// Destroys a loop from `h2o_evloop_create` (ownership returns to the library; `loop_` is dangling
/// afterwards). NULL is ignored.
///
/// # Safety
/// `loop_` is NULL or came from `h2o_evloop_create` and was not destroyed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_evloop_destroy(loop_: *mut h2o_evloop_t) {
    boundary("h2o_evloop_destroy", (), || {
        if !loop_.is_null() {
            // SAFETY: the pointer came from h2o_evloop_create (the C contract).
            unsafe { evloop::Loop::destroy(loop_) }
        }
    })
}

/// One iteration of the loop (borrowed). Returns 0, or -1 when polling failed (or on an internal
/// error).
///
/// # Safety
/// `loop_` came from `h2o_evloop_create`; called on the loop's thread, not from inside a callback
/// of the same loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_evloop_run(loop_: *mut h2o_evloop_t, max_wait: i32) -> i32 {
    boundary("h2o_evloop_run", -1, || {
        // SAFETY: the pointer came from h2o_evloop_create (the C contract).
        unsafe { evloop::Loop::run(loop_, max_wait) }
    })
}

// ---- h2o/timeout.h ----------------------------------------------------------------------------------

/// Initializes the caller's `timeout` (borrowed) to `millis` and registers it to `loop_` (borrowed).
///
/// # Safety
/// Both pointers are valid; `timeout` stays in place until `h2o_timeout_dispose`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_timeout_init(loop_: *mut h2o_evloop_t, timeout: *mut h2o_timeout_t, millis: u64) {
    boundary("h2o_timeout_init", (), || {
        // SAFETY: per the contract above.
        unsafe { timeout::init(loop_, timeout, millis) }
    })
}

/// Unregisters `timeout` (borrowed) from `loop_`. Dies if entries are still linked (2.2.5 asserts).
///
/// # Safety
/// Both pointers are valid and `timeout` was initialized with `loop_`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_timeout_dispose(loop_: *mut h2o_evloop_t, timeout: *mut h2o_timeout_t) {
    boundary("h2o_timeout_dispose", (), || {
        // SAFETY: per the contract above.
        unsafe { timeout::dispose(loop_, timeout) }
    })
}

/// Links the caller's `entry` (borrowed; must not be linked) at the tail of `timeout`.
///
/// # Safety
/// All pointers are valid; `entry` stays in place while linked.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_timeout_link(
    loop_: *mut h2o_evloop_t,
    timeout: *mut h2o_timeout_t,
    entry: *mut h2o_timeout_entry_t,
) {
    boundary("h2o_timeout_link", (), || {
        // SAFETY: per the contract above.
        unsafe { timeout::link(loop_, timeout, entry) }
    })
}

/// Unlinks `entry` (borrowed) if it is linked.
///
/// # Safety
/// `entry` is valid (zero-filled or linked).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_timeout_unlink(entry: *mut h2o_timeout_entry_t) {
    boundary("h2o_timeout_unlink", (), || {
        // SAFETY: per the contract above.
        unsafe { timeout::unlink_entry(entry) }
    })
}

/// Fires the entries of `timeout` due at `now` (all borrowed).
///
/// # Safety
/// Both pointers are valid; `timeout` is registered to `loop_`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_timeout_run(loop_: *mut h2o_evloop_t, timeout: *mut h2o_timeout_t, now: u64) {
    boundary("h2o_timeout_run", (), || {
        // SAFETY: per the contract above.
        unsafe { timeout::run(loop_, timeout, now) }
    })
}

/// The earliest deadline on the list of timeouts anchored at `timeouts` (borrowed); `u64::MAX` when
/// none (also on an internal error).
///
/// # Safety
/// `timeouts` is a valid anchor of `h2o_timeout_t::_link` nodes (a loop's `_timeouts`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_timeout_get_wake_at(timeouts: *mut h2o_linklist_t) -> u64 {
    boundary("h2o_timeout_get_wake_at", u64::MAX, || {
        // SAFETY: per the contract above.
        unsafe { timeout::wake_at(timeouts) }
    })
}

/// Backend hook: registers `timeout` to `loop_` (both borrowed).
///
/// # Safety
/// Both pointers are valid; `timeout._link` is not linked.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_timeout__do_init(loop_: *mut h2o_evloop_t, timeout: *mut h2o_timeout_t) {
    boundary("h2o_timeout__do_init", (), || {
        // SAFETY: per the contract above.
        unsafe { timeout::backend_init(loop_, timeout) }
    })
}

/// Backend hook: unregisters `timeout` from its loop (both borrowed).
///
/// # Safety
/// `timeout` is valid and registered.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_timeout__do_dispose(loop_: *mut h2o_evloop_t, timeout: *mut h2o_timeout_t) {
    boundary("h2o_timeout__do_dispose", (), || {
        // SAFETY: per the contract above.
        unsafe { timeout::backend_dispose(loop_, timeout) }
    })
}

/// Backend hook after an entry is linked: nothing to do for this loop (deadlines are found by
/// walking the loop's timeouts before each wait).
#[unsafe(no_mangle)]
pub extern "C" fn h2o_timeout__do_link(
    _loop: *mut h2o_evloop_t,
    _timeout: *mut h2o_timeout_t,
    _entry: *mut h2o_timeout_entry_t,
) {
}

/// Backend hook after each timeout callback: runs the loop's pending socket work.
///
/// # Safety
/// `loop_` came from `h2o_evloop_create`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_timeout__do_post_callback(loop_: *mut h2o_evloop_t) {
    boundary("h2o_timeout__do_post_callback", (), || {
        // SAFETY: per the contract above.
        unsafe { evloop::Loop::post_callback(loop_) }
    })
}
