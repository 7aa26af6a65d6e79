//! `h2o/linklist.h`, `h2o/timeout.h`, `h2o/socket/evloop.h` and the sliding counter of
//! `h2o/socket.h`: the exported functions over the types of `crate::abi::evloop` (the engine is
//! `crate::evloop`, which works on those structs in place). Ownership:
//! - `h2o_evloop_t *` is created by `h2o_evloop_create` (a Box of [`crate::evloop::Loop`], whose first
//!   field is the C-visible `h2o_evloop_t`) and owned by the caller until `h2o_evloop_destroy`;
//! - `h2o_timeout_t` and `h2o_timeout_entry_t` are caller-allocated; the library only links them
//!   into lists and never frees them. They must not move while linked.

#![allow(non_camel_case_types)]

use crate::abi::evloop::*;

use crate::abi::panic::boundary;
use crate::evloop::{self, timeout};


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
