//! 2.2.5's scheduler API (`h2o/http2_scheduler.h`) over [`super::scheduler::Tree`].
//!
//! The C structs are the caller's (one root per connection, one open reference per stream; they
//! must not move while in use) and the header's inline helpers read `weight`, `node._parent` and
//! `_all_link` in the caller's code, so after every operation the structs are brought in step with
//! the tree, which makes every decision (2.2.5's algorithm, see the scheduler's module doc).
//!
//! # What the fields hold
//! - The root: `_parent` NULL, `_all_refs` its children, `_queue` a boxed [`Bound`] (the tree, and
//!   per [`NodeId`] the reference holding it), made by [`init`] and freed by [`dispose`].
//! - An open reference: `weight`, `node._parent`, `_all_link` (linked into its parent's
//!   `node._all_refs`) and `node._all_refs` (its children) as 2.2.5 keeps them, the lists in the
//!   tree's child order, which is 2.2.5's; `node._queue` the same [`Bound`] as its root's (so any
//!   node finds its tree in O(1)); `_queue_node._deficit` its [`NodeId`]; `_self_is_active` whether
//!   it is itself active; `_active_cnt` and `_queue_node._link` zero.
//! - A closed reference: `_all_link` unlinked (NULL), `_queue_node._deficit` [`CLOSED`], `weight`
//!   and `node._parent` left as they were (as 2.2.5 leaves them).
//!
//! Opening (not exclusive) and closing a reference without children relink O(1) nodes; the other
//! changes rebuild the lists of the parents whose children changed from [`Tree::children`]
//! (O(their children)), as 2.2.5's own moves cost.
//!
//! # Where 2.2.5 asserts or corrupts its lists
//! Closing, rebinding or activating a reference that is not open, or rebinding one below itself,
//! does nothing; a parent that is a closed reference (or belongs to another tree) is taken as the
//! root of the reference's tree; the run callback may close, rebind or deactivate the reference it
//! was given ([`Tree::end_turn`]). A weight outside 1..=257 is clamped.
//!
//! # Safety contract (every function here)
//! The pointers are valid and aligned for the C types, a root was set up by [`init`] (or is
//! zeroed: then operations on it do nothing), and references are zeroed or were opened by [`open`]
//! on a tree that has not been disposed of. Nothing else accesses these structs concurrently (2.2.5's
//! scheduler is single-threaded, as a connection is). The run callback must not dispose of the root
//! it is running.

use std::ffi::{c_int, c_void};
use std::ptr::null_mut;

use super::scheduler::{NodeId, Tree};
use crate::abi::evloop::h2o_linklist_t;
use crate::abi::http2_scheduler::{h2o_http2_scheduler_node_t, h2o_http2_scheduler_openref_t};

type Node = h2o_http2_scheduler_node_t;
type OpenRef = h2o_http2_scheduler_openref_t;

/// `_queue_node._deficit` of a reference that is not open.
pub const CLOSED: usize = usize::MAX;

/// The state behind a root's `_queue`.
pub struct Bound {
    tree: Tree,
    root: *mut Node,
    /// The reference of each open node, indexed by `NodeId`; NULL for the root and free ids.
    refs: Vec<*mut OpenRef>,
}

impl Bound {
    fn node_ptr(&self, id: NodeId) -> *mut Node {
        if id == Tree::ROOT { self.root } else { self.refs[id.0 as usize].cast() }
    }

    /// Rebuilds the children list of `parent` from the tree, and each child's `_parent` and
    /// `weight`.
    ///
    /// # Safety
    /// The module's contract; `parent` is open (or the root).
    unsafe fn relist(&self, parent: NodeId) {
        let pnode = self.node_ptr(parent);
        // SAFETY: `pnode` is the root or an open reference's node (the module's contract); the
        // children are open references, distinct from it; nothing else accesses them meanwhile.
        unsafe {
            let anchor = &raw mut (*pnode)._all_refs;
            let mut prev = anchor;
            for c in self.tree.children(parent) {
                let r = self.refs[c.0 as usize];
                let link = &raw mut (*r)._all_link;
                (*prev).next = link;
                (*link).prev = prev;
                prev = link;
                (*r).node._parent = pnode;
                (*r).weight = self.tree.weight(c);
            }
            (*prev).next = anchor;
            (*anchor).prev = prev;
        }
    }

    /// Links `id` (just opened as the last child of `parent`) at the tail of the parent's list.
    ///
    /// # Safety
    /// As [`Bound::relist`]; `id`'s `_all_link` is not linked.
    unsafe fn append(&self, parent: NodeId, id: NodeId) {
        let pnode = self.node_ptr(parent);
        let r = self.refs[id.0 as usize];
        // SAFETY: as in `relist`: live, distinct structs of this tree.
        unsafe {
            let anchor = &raw mut (*pnode)._all_refs;
            let link = &raw mut (*r)._all_link;
            let last = (*anchor).prev;
            (*link).prev = last;
            (*link).next = anchor;
            (*last).next = link;
            (*anchor).prev = link;
            (*r).node._parent = pnode;
            (*r).weight = self.tree.weight(id);
        }
    }
}

/// Makes `anchor` an empty list.
///
/// # Safety
/// `anchor` is valid for writes.
unsafe fn init_anchor(anchor: *mut h2o_linklist_t) {
    // SAFETY: per the contract.
    unsafe {
        (*anchor).next = anchor;
        (*anchor).prev = anchor;
    }
}

/// The tree of a node (NULL for a zeroed root or reference).
///
/// # Safety
/// The module's contract.
unsafe fn bound_of(node: *mut Node) -> *mut Bound {
    // SAFETY: `node` is valid (the contract); `_queue` is NULL or our Bound.
    unsafe { (*node)._queue.cast() }
}

/// The node a parent pointer names in `b`'s tree: the root, or an open reference of it.
///
/// # Safety
/// The module's contract.
unsafe fn parent_id(b: &Bound, node: *mut Node) -> NodeId {
    // SAFETY: `node` is valid; when its `_parent` is set it is the `node` of a reference, the
    // first field of the `#[repr(C)]` OpenRef (offset 0), so the cast reaches the whole struct.
    unsafe {
        if (*node)._parent.is_null() {
            return Tree::ROOT;
        }
        let id = (*node.cast::<OpenRef>())._queue_node._deficit;
        let same_tree = bound_of(node) == (&raw const *b).cast_mut();
        match b.refs.get(id) {
            Some(&r) if same_tree && r == node.cast::<OpenRef>() => NodeId(id as u32),
            _ => Tree::ROOT,
        }
    }
}

/// The tree and id of an open reference.
///
/// # Safety
/// The module's contract.
unsafe fn open_ref(r: *mut OpenRef) -> Option<(*mut Bound, NodeId)> {
    // SAFETY: `r` is valid; its Bound, when set, is alive (the contract).
    unsafe {
        let b = bound_of(&raw mut (*r).node);
        let id = (*r)._queue_node._deficit;
        if b.is_null() || (*r)._all_link.next.is_null() {
            return None;
        }
        let refs = &(*b).refs;
        (refs.get(id) == Some(&r)).then_some((b, NodeId(id as u32)))
    }
}

/// `h2o_http2_scheduler_init`.
///
/// # Safety
/// The module's contract.
pub unsafe fn init(root: *mut Node) {
    let b = Box::into_raw(Box::new(Bound { tree: Tree::new(), root, refs: vec![null_mut()] }));
    // SAFETY: `root` is valid for writes.
    unsafe {
        (*root)._parent = null_mut();
        init_anchor(&raw mut (*root)._all_refs);
        (*root)._queue = b.cast::<c_void>();
    }
}

/// `h2o_http2_scheduler_dispose`.
///
/// # Safety
/// The module's contract; the tree's references are not used afterwards (close them first).
pub unsafe fn dispose(root: *mut Node) {
    // SAFETY: `_queue` is NULL or the Bound `init` boxed, not freed yet.
    unsafe {
        let b = bound_of(root);
        if !b.is_null() {
            drop(Box::from_raw(b));
            (*root)._queue = null_mut();
        }
    }
}

/// `h2o_http2_scheduler_open`.
///
/// # Safety
/// The module's contract; `r` is not open.
pub unsafe fn open(r: *mut OpenRef, parent: *mut Node, weight: u16, exclusive: bool) {
    // SAFETY: `r` and `parent` are valid (the contract); the Bound is alive and not otherwise
    // borrowed (single-threaded, and no callback runs during this function).
    unsafe {
        let bp = bound_of(parent);
        (*r).node._parent = null_mut();
        init_anchor(&raw mut (*r).node._all_refs);
        (*r).node._queue = bp.cast::<c_void>();
        (*r).weight = weight;
        (*r)._all_link = h2o_linklist_t { next: null_mut(), prev: null_mut() };
        (*r)._active_cnt = 0;
        (*r)._self_is_active = 0;
        (*r)._queue_node._link = h2o_linklist_t { next: null_mut(), prev: null_mut() };
        (*r)._queue_node._deficit = CLOSED;
        if bp.is_null() {
            return;
        }
        let b = &mut *bp;
        let pid = parent_id(b, parent);
        let id = b.tree.open(pid, weight, exclusive);
        let i = id.0 as usize;
        if b.refs.len() <= i {
            b.refs.resize(i + 1, null_mut());
        }
        b.refs[i] = r;
        (*r)._queue_node._deficit = i;
        if exclusive {
            b.relist(pid);
            b.relist(id);
        } else {
            b.append(pid, id);
        }
    }
}

/// `h2o_http2_scheduler_close`.
///
/// # Safety
/// The module's contract.
pub unsafe fn close(r: *mut OpenRef) {
    // SAFETY: as in `open`.
    unsafe {
        let Some((bp, id)) = open_ref(r) else { return };
        let b = &mut *bp;
        let parent = b.tree.parent(id);
        let had_children = b.tree.children(id).next().is_some();
        b.tree.close(id);
        if had_children {
            b.relist(parent);
        } else {
            let link = &raw mut (*r)._all_link;
            (*(*link).prev).next = (*link).next;
            (*(*link).next).prev = (*link).prev;
        }
        (*r)._all_link = h2o_linklist_t { next: null_mut(), prev: null_mut() };
        init_anchor(&raw mut (*r).node._all_refs);
        (*r)._self_is_active = 0;
        (*r)._queue_node._deficit = CLOSED;
        b.refs[id.0 as usize] = null_mut();
    }
}

/// `h2o_http2_scheduler_rebind`.
///
/// # Safety
/// The module's contract.
pub unsafe fn rebind(r: *mut OpenRef, new_parent: *mut Node, weight: u16, exclusive: bool) {
    // SAFETY: as in `open`.
    unsafe {
        let Some((bp, id)) = open_ref(r) else { return };
        let b = &mut *bp;
        let np = parent_id(b, new_parent);
        if np == id {
            return;
        }
        // the parents whose children may change: ours, the new one, the new one's (when it is our
        // descendant it moves up first), and we ourselves when exclusive
        let touched = [b.tree.parent(id), np, b.tree.parent(np), if exclusive { id } else { np }];
        b.tree.rebind(id, np, weight, exclusive);
        for (i, &p) in touched.iter().enumerate() {
            if !touched[..i].contains(&p) {
                b.relist(p);
            }
        }
    }
}

/// `h2o_http2_scheduler_activate`.
///
/// # Safety
/// The module's contract.
pub unsafe fn activate(r: *mut OpenRef) {
    // SAFETY: as in `open`.
    unsafe {
        let Some((bp, id)) = open_ref(r) else { return };
        (*bp).tree.activate(id);
        (*r)._self_is_active = 1;
    }
}

/// `h2o_http2_scheduler_is_active`: 2.2.5's answer (the root's queue may hold something).
///
/// # Safety
/// The module's contract.
pub unsafe fn is_active(root: *mut Node) -> bool {
    // SAFETY: as in `open`.
    unsafe {
        let bp = bound_of(root);
        !bp.is_null() && (*bp).tree.queue_maybe_nonempty(Tree::ROOT)
    }
}

/// The run callback of `h2o_http2_scheduler_run`.
pub type RunCb = unsafe extern "C" fn(*mut OpenRef, *mut c_int, *mut c_void) -> c_int;

/// `h2o_http2_scheduler_run`: [`Tree::next`], the callback, [`Tree::end_turn`], until nothing is
/// active (0) or the callback returns non-zero (that value).
///
/// # Safety
/// The module's contract; `cb` may call the functions of this module on the same tree (but not
/// [`dispose`] it), with `cb_arg` as its own argument.
pub unsafe fn run(root: *mut Node, cb: RunCb, cb_arg: *mut c_void) -> c_int {
    // SAFETY: `bp` is alive for the whole run (the callback does not dispose of it). Each
    // `&mut *bp` below ends before the callback runs, so the callback's own calls into this
    // module (which borrow the Bound again) never overlap with one of ours.
    unsafe {
        let bp = bound_of(root);
        if bp.is_null() {
            return 0;
        }
        loop {
            let (id, r) = {
                let b = &mut *bp;
                let Some(id) = b.tree.next() else { return 0 };
                (id, b.refs[id.0 as usize])
            };
            let mut still_is_active: c_int = 0;
            let bail_out = cb(r, &mut still_is_active, cb_arg);
            {
                let b = &mut *bp;
                b.tree.end_turn(id, still_is_active != 0);
                if b.refs.get(id.0 as usize) == Some(&r) {
                    (*r)._self_is_active = c_int::from(b.tree.is_active(id));
                }
            }
            if bail_out != 0 {
                return bail_out;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A root and `n` references, zeroed, at fixed addresses.
    struct World {
        root: Box<Node>,
        refs: Vec<OpenRef>,
    }

    fn zeroed<T>() -> T {
        // SAFETY: the C structs are plain data for which all-zero is the "not set up" state.
        unsafe { std::mem::zeroed() }
    }

    impl World {
        fn new(n: usize) -> World {
            let mut w = World { root: Box::new(zeroed()), refs: (0..n).map(|_| zeroed()).collect() };
            // SAFETY: a zeroed root, valid for writes.
            unsafe { init(&raw mut *w.root) };
            w
        }
        fn r(&mut self, i: usize) -> *mut OpenRef {
            &raw mut self.refs[i]
        }
        fn node(&mut self, i: Option<usize>) -> *mut Node {
            match i {
                None => &raw mut *self.root,
                Some(i) => &raw mut self.refs[i].node,
            }
        }
        /// The children of a node as indices, walking `_all_refs`; checks the back links.
        fn children(&mut self, i: Option<usize>) -> Vec<usize> {
            let base = self.refs.as_ptr() as usize;
            let n = self.node(i);
            let mut out = Vec::new();
            // SAFETY: the lists link live structs of this world (what the test checks).
            unsafe {
                let anchor = &raw mut (*n)._all_refs;
                let mut l = (*anchor).next;
                while l != anchor {
                    assert_eq!((*(*l).next).prev, l, "back link");
                    let r = l.byte_sub(std::mem::offset_of!(OpenRef, _all_link)) as usize;
                    out.push((r - base) / size_of::<OpenRef>());
                    assert_eq!((*(r as *mut OpenRef)).node._parent, n, "parent of a child");
                    l = (*l).next;
                }
            }
            out
        }
    }

    impl Drop for World {
        fn drop(&mut self) {
            // SAFETY: set up by `init`.
            unsafe { dispose(&raw mut *self.root) };
        }
    }

    use std::mem::size_of;

    #[test]
    fn lists_and_helpers_follow_the_tree() {
        let mut w = World::new(6);
        // SAFETY (whole test): every pointer is to this world's live structs.
        unsafe {
            let (root, n0) = (w.node(None), w.node(Some(0)));
            open(w.r(0), root, 16, false);
            open(w.r(1), root, 32, false);
            open(w.r(2), n0, 8, false);
            assert_eq!(w.children(None), [0, 1]);
            assert_eq!(w.children(Some(0)), [2]);
            assert_eq!((*w.r(2)).weight, 8);
            // exclusive below the root: 0 and 1 move below 3
            open(w.r(3), root, 100, true);
            assert_eq!(w.children(None), [3]);
            assert_eq!(w.children(Some(3)), [0, 1]);
            // rebind 3 below its grandchild 2: 2 first moves up to 3's parent (the root)
            let n2 = w.node(Some(2));
            rebind(w.r(3), n2, 50, false);
            assert_eq!(w.children(None), [2]);
            assert_eq!(w.children(Some(2)), [3]);
            assert_eq!(w.children(Some(3)), [0, 1]);
            assert_eq!(w.children(Some(0)), Vec::<usize>::new());
            assert_eq!((*w.r(3)).weight, 50);
            // close 3: 0 (16) and 1 (32) share its weight 50 below 2
            close(w.r(3));
            assert!((*w.r(3))._all_link.next.is_null());
            assert_eq!(w.children(Some(2)), [0, 1]);
            assert_eq!(((*w.r(0)).weight, (*w.r(1)).weight), (17, 33));
            // a closed reference as a parent is the root
            let n3 = w.node(Some(3));
            open(w.r(4), n3, 16, false);
            assert_eq!(w.children(None), [2, 4]);
            // not open: nothing happens
            close(w.r(5));
            rebind(w.r(5), root, 1, true);
            activate(w.r(5));
            assert_eq!(w.children(None), [2, 4]);
            for i in [0, 1, 2, 4] {
                close(w.r(i));
            }
            assert_eq!(w.children(None), Vec::<usize>::new());
        }
    }

    struct Trace {
        base: usize,
        calls: Vec<usize>,
        stop_after: usize,
    }

    unsafe extern "C" fn record(r: *mut OpenRef, still_is_active: *mut c_int, arg: *mut c_void) -> c_int {
        // SAFETY: `arg` is the test's Trace; `still_is_active` is run's.
        unsafe {
            let t = &mut *arg.cast::<Trace>();
            t.calls.push((r as usize - t.base) / size_of::<OpenRef>());
            *still_is_active = c_int::from(t.calls.len() % 3 != 0);
            if t.calls.len() >= t.stop_after { 7 } else { 0 }
        }
    }

    /// The C run gives the order of the pure tree driven the same way.
    #[test]
    fn run_matches_the_tree() {
        let mut w = World::new(5);
        let mut t = Tree::new();
        let weights = [1u16, 16, 256, 64, 257];
        let mut ids = Vec::new();
        // SAFETY: this world's structs.
        unsafe {
            let root = w.node(None);
            for (i, &wt) in weights.iter().enumerate() {
                let parent = if i == 3 { w.node(Some(1)) } else { root };
                open(w.r(i), parent, wt, false);
                ids.push(t.open(if i == 3 { ids[1] } else { Tree::ROOT }, wt, false));
                activate(w.r(i));
                t.activate(ids[i]);
            }
            assert!(is_active(root));
            let mut trace = Trace { base: w.refs.as_ptr() as usize, calls: Vec::new(), stop_after: 10 };
            assert_eq!(run(root, record, (&raw mut trace).cast()), 7);
            let mut want = Vec::new();
            t.run(|_, id| {
                want.push(ids.iter().position(|&x| x == id).unwrap());
                (want.len() % 3 != 0, want.len() >= 10)
            });
            assert_eq!(trace.calls, want);
            for (i, &id) in ids.iter().enumerate() {
                assert_eq!((*w.r(i))._self_is_active != 0, t.is_active(id), "slot {i}");
            }
            // drain: everything deactivates eventually
            trace.stop_after = usize::MAX;
            assert_eq!(run(root, record, (&raw mut trace).cast()), 0);
            assert!(!is_active(root));
            for i in 0..5 {
                close(w.r(i));
            }
        }
    }
}
