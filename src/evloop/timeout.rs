//! The 2.2.5 timeout semantics on the caller's intrusive lists (`h2o/timeout.h`).
//!
//! A loop's `_timeouts` anchors its `h2o_timeout_t`s (by `_link`); each timeout's `_entries`
//! anchors its linked entries (by `_link`) in link order, which is deadline order since all share
//! one duration. An entry is due once `now >= registered_at + timeout`.
//!
//! Every function works on raw pointers into memory the C caller owns, because C code changes the
//! same lists through the header's inline functions between our calls, and callbacks run from
//! [`run`] may link and unlink entries (or the entry being fired) at any time. Nothing here keeps a
//! reference across a callback.

use std::ptr::null_mut;

use crate::abi::evloop::{h2o_evloop_t, h2o_linklist_t, h2o_timeout_entry_t, h2o_timeout_t};

// ---- h2o_linklist_t (the same operations as the header's inline functions) ------------------------

/// Makes `anchor` an empty circular list.
///
/// # Safety
/// `anchor` is valid for writes.
pub unsafe fn init_anchor(anchor: *mut h2o_linklist_t) {
    // SAFETY: per the contract.
    unsafe {
        (*anchor).next = anchor;
        (*anchor).prev = anchor;
    }
}

/// # Safety
/// `anchor` is an initialized anchor.
pub unsafe fn is_empty(anchor: *const h2o_linklist_t) -> bool {
    // SAFETY: per the contract.
    unsafe { (*anchor).next.cast_const() == anchor }
}

/// # Safety
/// `node` is valid (zero-filled or linked).
pub unsafe fn is_linked(node: *const h2o_linklist_t) -> bool {
    // SAFETY: per the contract.
    unsafe { !(*node).next.is_null() }
}

/// Links `node` just before `pos`.
///
/// # Safety
/// `pos` is on a list (or its anchor); `node` is valid and not linked.
pub unsafe fn insert(pos: *mut h2o_linklist_t, node: *mut h2o_linklist_t) {
    // SAFETY: per the contract: all four nodes are live list members.
    unsafe {
        assert!(!is_linked(node), "linking a list node that is already linked");
        let before = (*pos).prev;
        (*node).next = pos;
        (*node).prev = before;
        (*before).next = node;
        (*pos).prev = node;
    }
}

/// Takes `node` off its list; its links become NULL.
///
/// # Safety
/// `node` is linked.
pub unsafe fn unlink(node: *mut h2o_linklist_t) {
    // SAFETY: per the contract: its neighbours are live list members.
    unsafe {
        let (next, prev) = ((*node).next, (*node).prev);
        (*next).prev = prev;
        (*prev).next = next;
        (*node).next = null_mut();
        (*node).prev = null_mut();
    }
}

/// The structs linked on the list at `anchor` through their field at byte offset `link_at` (a
/// snapshot, first to last: the caller may unlink and free them while going through it).
///
/// # Safety
/// `anchor` is an initialized anchor whose nodes are each the field at `link_at` of a `T`.
pub unsafe fn snapshot<T>(anchor: *mut h2o_linklist_t, link_at: usize) -> Vec<*mut T> {
    let mut out = Vec::new();
    // SAFETY: per the contract.
    unsafe {
        let mut n = (*anchor).next;
        while !n.is_null() && n != anchor {
            out.push(n.wrapping_byte_sub(link_at).cast::<T>());
            n = (*n).next;
        }
    }
    out
}

/// The entry whose `_link` is `node`.
fn entry_of(node: *mut h2o_linklist_t) -> *mut h2o_timeout_entry_t {
    node.wrapping_byte_sub(std::mem::offset_of!(h2o_timeout_entry_t, _link)).cast()
}

/// The timeout whose `_link` is `node`.
fn timeout_of(node: *mut h2o_linklist_t) -> *mut h2o_timeout_t {
    node.wrapping_byte_sub(std::mem::offset_of!(h2o_timeout_t, _link)).cast()
}

// ---- the timeout API ------------------------------------------------------------------------------

/// `h2o_timeout_init`: sets the duration, empties the entries and registers the timeout.
///
/// # Safety
/// `lp` is a live loop; `t` is valid for writes and stays in place until `dispose`.
pub unsafe fn init(lp: *mut h2o_evloop_t, t: *mut h2o_timeout_t, millis: u64) {
    // SAFETY: per the contract.
    unsafe {
        (*t).timeout = millis;
        (*t)._link = h2o_linklist_t { next: null_mut(), prev: null_mut() };
        (*t)._backend._dummy = 0;
        init_anchor(&raw mut (*t)._entries);
        backend_init(lp, t);
    }
}

/// `h2o_timeout__do_init`: appends the timeout to the loop's list.
///
/// # Safety
/// `lp` is a live loop; `t._link` is not linked.
pub unsafe fn backend_init(lp: *mut h2o_evloop_t, t: *mut h2o_timeout_t) {
    // SAFETY: per the contract.
    unsafe { insert(&raw mut (*lp)._timeouts, &raw mut (*t)._link) }
}

/// `h2o_timeout_dispose`: the timeout must have no entries (2.2.5 asserts; so do we).
///
/// # Safety
/// `t` was initialized on `lp`.
pub unsafe fn dispose(lp: *mut h2o_evloop_t, t: *mut h2o_timeout_t) {
    // SAFETY: per the contract.
    unsafe {
        assert!(is_empty(&raw const (*t)._entries), "h2o_timeout_dispose: entries are still linked");
        backend_dispose(lp, t);
    }
}

/// `h2o_timeout__do_dispose`: takes the timeout off its loop's list (if it is on one).
///
/// # Safety
/// `t` is valid.
pub unsafe fn backend_dispose(_lp: *mut h2o_evloop_t, t: *mut h2o_timeout_t) {
    // SAFETY: per the contract.
    unsafe {
        if is_linked(&raw const (*t)._link) {
            unlink(&raw mut (*t)._link);
        }
    }
}

/// `h2o_timeout_link`: appends the entry, stamped with the loop's clock.
///
/// # Safety
/// All valid; `e` is not linked and stays in place while linked.
pub unsafe fn link(lp: *mut h2o_evloop_t, t: *mut h2o_timeout_t, e: *mut h2o_timeout_entry_t) {
    // SAFETY: per the contract.
    unsafe {
        insert(&raw mut (*t)._entries, &raw mut (*e)._link);
        (*e).registered_at = (*lp)._now;
    }
}

/// `h2o_timeout_unlink`: unlinks the entry if linked.
///
/// # Safety
/// `e` is valid.
pub unsafe fn unlink_entry(e: *mut h2o_timeout_entry_t) {
    // SAFETY: per the contract.
    unsafe {
        if is_linked(&raw const (*e)._link) {
            unlink(&raw mut (*e)._link);
            (*e).registered_at = 0;
        }
    }
}

/// The entry's deadline (saturating).
///
/// # Safety
/// Both valid.
unsafe fn deadline(t: *const h2o_timeout_t, e: *const h2o_timeout_entry_t) -> u64 {
    // SAFETY: per the contract.
    unsafe { (*e).registered_at.saturating_add((*t).timeout) }
}

/// `h2o_timeout_get_wake_at`: the earliest deadline of the first entry of each timeout.
///
/// # Safety
/// `timeouts` anchors a list of live `h2o_timeout_t::_link` nodes.
pub unsafe fn wake_at(timeouts: *mut h2o_linklist_t) -> u64 {
    let mut best = u64::MAX;
    // SAFETY: per the contract, every node is a live timeout with an initialized entry list.
    unsafe {
        let mut node = (*timeouts).next;
        while node != timeouts {
            let t = timeout_of(node);
            let entries = &raw mut (*t)._entries;
            if !is_empty(entries) {
                best = best.min(deadline(t, entry_of((*entries).next)));
            }
            node = (*node).next;
        }
    }
    best
}

/// `h2o_timeout_run`: fires the entries of `t` that are due at `now`, in link order.
///
/// The due prefix is moved to a local list first, so an entry a callback links again (to this or
/// any timeout) waits for the next iteration even when the duration is 0: a zero timeout relinked
/// from its callback cannot spin the loop. Callbacks may unlink entries still waiting on the local
/// list (they are still "linked", as `h2o_timeout_is_linked` says).
///
/// # Safety
/// `lp` is a live loop; `t` is a live timeout.
pub unsafe fn run(lp: *mut h2o_evloop_t, t: *mut h2o_timeout_t, now: u64) {
    let mut due = h2o_linklist_t { next: null_mut(), prev: null_mut() };
    let due_anchor = &raw mut due;
    // SAFETY: per the contract; `due` lives on this frame until every node has left it (the loop
    // below runs until it is empty and no callback can hold on to it: nodes are moved off it
    // before their callback runs, and unlinking a node leaves the list consistent).
    unsafe {
        init_anchor(due_anchor);
        let entries = &raw mut (*t)._entries;
        while !is_empty(entries) {
            let node = (*entries).next;
            if deadline(t, entry_of(node)) > now {
                break;
            }
            unlink(node);
            insert(due_anchor, node);
        }
        while !is_empty(due_anchor) {
            let node = (*due_anchor).next;
            let e = entry_of(node);
            unlink(node);
            (*e).registered_at = 0;
            if let Some(cb) = (*e).cb {
                cb(e);
            }
            super::Loop::post_callback(lp);
        }
    }
}

/// Runs every timeout of the loop at the loop's clock (what `h2o_evloop_run` does last).
///
/// # Safety
/// `lp` is a live loop.
pub unsafe fn run_all(lp: *mut h2o_evloop_t) {
    // SAFETY: per the contract. The walk re-reads `next` after each timeout's callbacks; a callback
    // that disposes the timeout being run ends this iteration's walk (its `next` is NULL then),
    // and the rest run on the next iteration.
    unsafe {
        let anchor = &raw mut (*lp)._timeouts;
        let now = (*lp)._now;
        let mut node = (*anchor).next;
        while node != anchor && !node.is_null() {
            run(lp, timeout_of(node), now);
            node = (*node).next;
        }
    }
}
