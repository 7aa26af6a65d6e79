//! `h2o/http2_scheduler.h`: 2.2.5's priority scheduler exports, over
//! [`crate::http2::c_scheduler`] (which says how the caller-allocated structs are used).
//!
//! Ownership: the root and the references are the caller's; `h2o_http2_scheduler_init` allocates
//! the tree behind the root, `h2o_http2_scheduler_dispose` frees it.

use std::ffi::{c_int, c_void};

use crate::abi::http2_scheduler::{h2o_http2_scheduler_node_t, h2o_http2_scheduler_openref_t, h2o_http2_scheduler_run_cb};
use crate::abi::panic::boundary;
use crate::http2::c_scheduler;

/// Makes `root` an empty tree.
///
/// # Safety
/// `root` is valid for writes and stays where it is until disposed of.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_scheduler_init(root: *mut h2o_http2_scheduler_node_t) {
    boundary("h2o_http2_scheduler_init", (), || {
        // SAFETY: per the contract.
        unsafe { c_scheduler::init(root) }
    })
}

/// Frees the tree of `root` (close its references first).
///
/// # Safety
/// `root` was set up by `h2o_http2_scheduler_init` (or is zeroed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_scheduler_dispose(root: *mut h2o_http2_scheduler_node_t) {
    boundary("h2o_http2_scheduler_dispose", (), || {
        // SAFETY: per the contract.
        unsafe { c_scheduler::dispose(root) }
    })
}

/// Opens `ref` below `parent` with `weight`; `exclusive`: the parent's other children move below it.
///
/// # Safety
/// `ref` is valid for writes, not open, and stays where it is while open; `parent` is a root set up
/// by `h2o_http2_scheduler_init` or the `node` of an open reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_scheduler_open(
    r#ref: *mut h2o_http2_scheduler_openref_t,
    parent: *mut h2o_http2_scheduler_node_t,
    weight: u16,
    exclusive: c_int,
) {
    boundary("h2o_http2_scheduler_open", (), || {
        // SAFETY: per the contract.
        unsafe { c_scheduler::open(r#ref, parent, weight, exclusive != 0) }
    })
}

/// Closes `ref`: its children move to its parent, sharing its weight.
///
/// # Safety
/// `ref` is zeroed, closed or open in a tree that has not been disposed of.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_scheduler_close(r#ref: *mut h2o_http2_scheduler_openref_t) {
    boundary("h2o_http2_scheduler_close", (), || {
        // SAFETY: per the contract.
        unsafe { c_scheduler::close(r#ref) }
    })
}

/// Moves `ref` below `new_parent` with `weight` (RFC 7540 5.3.3).
///
/// # Safety
/// As `h2o_http2_scheduler_close` for `ref`; `new_parent` as the parent of `h2o_http2_scheduler_open`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_scheduler_rebind(
    r#ref: *mut h2o_http2_scheduler_openref_t,
    new_parent: *mut h2o_http2_scheduler_node_t,
    weight: u16,
    exclusive: c_int,
) {
    boundary("h2o_http2_scheduler_rebind", (), || {
        // SAFETY: per the contract.
        unsafe { c_scheduler::rebind(r#ref, new_parent, weight, exclusive != 0) }
    })
}

/// Marks `ref` active.
///
/// # Safety
/// As `h2o_http2_scheduler_close`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_scheduler_activate(r#ref: *mut h2o_http2_scheduler_openref_t) {
    boundary("h2o_http2_scheduler_activate", (), || {
        // SAFETY: per the contract.
        unsafe { c_scheduler::activate(r#ref) }
    })
}

/// Calls `cb` for the active references in the tree's order until none is active (0) or `cb`
/// returns non-zero (that value). A NULL `cb` does nothing (0).
///
/// # Safety
/// `root` as for `h2o_http2_scheduler_dispose`; `cb` may call the scheduler functions on this tree
/// except `h2o_http2_scheduler_dispose`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_scheduler_run(
    root: *mut h2o_http2_scheduler_node_t,
    cb: h2o_http2_scheduler_run_cb,
    cb_arg: *mut c_void,
) -> c_int {
    boundary("h2o_http2_scheduler_run", 0, || match cb {
        // SAFETY: per the contract.
        Some(cb) => unsafe { c_scheduler::run(root, cb, cb_arg) },
        None => 0,
    })
}

/// Non-zero when a reference of the tree may be active (2.2.5's answer).
///
/// # Safety
/// As `h2o_http2_scheduler_dispose`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_http2_scheduler_is_active(root: *mut h2o_http2_scheduler_node_t) -> c_int {
    boundary("h2o_http2_scheduler_is_active", 0, || {
        // SAFETY: per the contract.
        c_int::from(unsafe { c_scheduler::is_active(root) })
    })
}
