//! The HTTP/2 priority scheduler. Pure safe Rust.
//!
//! A weighted dependency tree (RFC 7540 5.3) that picks the next stream to send a chunk (up to
//! 16 KB) from in O(1), with H2O's algorithm (lib/http2/scheduler.c of 2.2.5). Same operations,
//! same run order as 2.2.5: the `h2o_http2_scheduler_*` exports are built on this tree and a
//! differential test against Debian's library proves it.
//!
//! # The algorithm (as 2.2.5)
//!
//! Every node that has active children owns a queue: 64 FIFO slots arranged in a ring, a 64-bit
//! map of the slots that may hold something (bit 63 is the slot at the ring's current position,
//! bit 62 the next one, ...), the current position, and one extra FIFO slot for weight 257.
//!
//! - Queueing a node of weight `w` (1..=256) under its parent: `v = TABLE[w] + deficit`, where
//!   `TABLE[w]` is about `63 * 65536 / w` (63 * 65536 for weight 1, 16128 for 256; the exact
//!   values are 2.2.5's: `63 * 65536 / w` rounded half up); the node keeps `v % 65536` as its deficit
//!   for next time and goes to the tail of the slot `v / 65536` (0..=63) places after the current
//!   position. A heavy node thus lands close to the front, a light one far behind, and the
//!   fractions add up so that over time a node is picked in proportion to its weight. The deficit
//!   lives as long as the node (a rebind keeps it; a fresh open starts from 0).
//! - Popping: the weight-257 slot first (FIFO); else the ring turns to the first marked slot
//!   (the position moves there for good), takes its head, and unmarks it when it is left empty;
//!   a marked slot found empty (its node was taken out) is unmarked and skipped.
//! - Weight 257: not a wire weight (RFC 7540 weights are 1..=256). 2.2.5 uses it for "send this
//!   before anything else": `http2-reprioritize-blocking-assets` rebinds a stream to the root with
//!   weight 257 when the client has sent no priority information at all and the response is a
//!   blocking asset (CSS/JavaScript, mime attribute priority "highest"), and a pushed blocking
//!   asset gets it too. A 257 node strictly preempts all its weighted siblings; several 257
//!   siblings take turns (a requeue goes to the slot's tail); its deficit is untouched.
//! - Activity: `active_cnt` of a node = (itself active) + (number of its children with a
//!   non-zero `active_cnt`). A node is in its parent's queue exactly when its `active_cnt` is
//!   non-zero (except the node handed out by [`Tree::next`], see there). When the count goes
//!   0 -> 1 the node is queued and its parent's count goes up (recursively up to the root); when
//!   it goes 1 -> 0 it is taken out and the parent's count goes down.
//! - Choosing ([`Tree::next`] = 2.2.5's `proceed`): start at the root; pop a child; if the child
//!   is not itself active (only descendants are), queue it back in its parent at once (as if it
//!   had sent a chunk) and repeat one level down; else it is the chosen one. So an active node
//!   starves its own descendants, and an inner node advances in its parent's queue for every
//!   chunk sent below it.
//! - Closing: the children move to the closed node's parent, in order, with the closed node's
//!   weight shared among them in proportion to their weights (RFC 7540 5.3.4): with `total` the
//!   sum of the children's weights, `factor = (weight * 65536 + total / 2) / total` and each
//!   child gets `(child_weight * factor / 32768 + 1) / 2` clamped to 1..=256 (2.2.5's rounding).
//!   They are NOT kept at their own weights.
//! - Rebinding: nothing happens if parent and weight are unchanged and it is not exclusive. If
//!   the new parent is a descendant of the node, that descendant first moves to the node's
//!   parent keeping its weight (RFC 7540 5.3.3). An active node is queued under its new parent
//!   (deficit kept) before the counts of the old and new parent chains are updated (in that
//!   order: the old chain's nodes may leave and re-enter their queues, landing at new places).
//!   Exclusive (open or rebind): the parent's other children are rebound, in their order, under
//!   the node with their own weights.
//!
//! # RFC 9218
//!
//! For clients that send no RFC 7540 priorities (today's Chrome and curl): [`Tree::open_urgency`]
//! / [`Tree::set_urgency`] place a stream by urgency 0..=7 and incremental flag, with H2O
//! master's discipline for extensible priorities (its HTTP/3 request scheduler; its HTTP/2 only
//! maps urgencies onto Chromium-style weights): lower urgency goes first, strictly; within one
//! urgency, non-incremental streams and incremental ones that have not sent yet are served one
//! after the other in the order they were opened, each to the end of its data (while it stays
//! active), before the incremental ones that have sent something, which take turns chunk by
//! chunk. All urgency streams hang under one hidden group node, a child of the root with weight
//! 16 that shares the root with RFC 7540 placed streams like any other child (so a mix works;
//! and a weight-257 stream at the root still preempts everything). [`Tree::parent`] of an
//! urgency stream is the root; a [`Tree::rebind`] turns it into an RFC 7540 placed stream, a
//! [`Tree::set_urgency`] turns any stream into an urgency stream. Its children (streams a client
//! made depend on it with RFC 7540 priorities) are scheduled by weight below it as usual.
//!
//! Cost: `next` walks down the tree (one pop per level, at most 64 ring steps each, skipping
//! emptied slots), `requeue`/`activate`/`deactivate` walk up only while a count crosses 0/1.
//! Urgency streams: picking is O(1); activation inserts by opening order scanning from the
//! youngest (O(1) when streams become active in the order they were opened).
//!
//! # Notes for the `h2o_http2_scheduler_*` exports
//!
//! - `h2o_http2_scheduler_run` = [`Tree::run`] with `f` calling the C callback and returning
//!   `(still_is_active != 0, ret != 0)` (keep `ret` to return it); `h2o_http2_scheduler_is_active`
//!   = [`Tree::queue_maybe_nonempty`]`(ROOT)` (same false positives as 2.2.5). 2.2.5 has no
//!   deactivate export: a stream goes inactive only through the callback's `still_is_active`.
//! - 2.2.5 asserts (aborts) when the callback closes or rebinds the active ref it was given; we
//!   accept it (see [`Tree::run`]).
//! - The callers allocate `h2o_http2_scheduler_node_t` / `_openref_t` and read three fields
//!   through the header's inline functions: `weight`, `node._parent` (pointer to the parent's
//!   `node`, NULL for the root) and `_all_link.next != NULL` (open). These must stay true after
//!   every call, including the implicit moves (close lifts children, exclusive and 5.3.3 move
//!   siblings): the export keeps a NodeId -> `*mut openref` table and, after each call, rewrites
//!   `_parent` and `weight` of the refs [`Tree::drain_moved`] names (with [`Tree::track_moves`]
//!   on). The private fields are free for the export: e.g. every
//!   node's `_queue` (an opaque pointer callers never read) = the connection's boxed tree, and
//!   the openref's `_queue_node._deficit` (a `size_t`) = its NodeId.
#![forbid(unsafe_code)]

mod field;
mod queue;
#[cfg(test)]
mod tests;

pub use field::parse_priority_field;

use queue::{Drr, NONE, SLOT_257};

/// A node of the tree (a stream, or a placeholder the engine keeps for reprioritization).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

/// Queue slot values of a node (`Node::slot`): 0..=63 a ring slot of the parent's queue, 64 the
/// parent's weight-257 slot, `URG_BASE + 2 * urgency + (0: in order | 1: round-robin)` a list of
/// the urgency group, `UNQUEUED` in no queue.
const URG_BASE: u8 = 65;
const UNQUEUED: u8 = u8::MAX;

/// The weight of the hidden urgency group under the root.
const GROUP_WEIGHT: u16 = 16;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// Not open (free, or closed and waiting for reuse).
    Free,
    /// The root.
    Root,
    /// Placed by RFC 7540 (or by the engine with a weight).
    Weighted,
    /// Placed by RFC 9218 urgency, child of the group.
    Urgency,
    /// The hidden urgency group.
    Group,
}

#[derive(Clone, Debug)]
struct Node {
    kind: Kind,
    parent: u32,
    // children, in the order they became children (2.2.5's `_all_refs`)
    first_child: u32,
    last_child: u32,
    prev_sib: u32,
    next_sib: u32,
    // membership of the parent's queue (or of the urgency lists)
    q_prev: u32,
    q_next: u32,
    slot: u8,
    self_active: bool,
    incremental: bool,
    /// Urgency node that has been handed out by `next` at least once (H2O's `call_cnt != 0`).
    sent: bool,
    urgency: u8,
    weight: u16,
    active_cnt: u32,
    deficit: u32,
    /// Index into `Tree::queues` of this node's own queue, `NONE` if it has none yet.
    queue: u32,
    /// Opening order (for the in-order urgency lists).
    seq: u64,
}

impl Node {
    fn new(kind: Kind) -> Self {
        Node {
            kind,
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            prev_sib: NONE,
            next_sib: NONE,
            q_prev: NONE,
            q_next: NONE,
            slot: UNQUEUED,
            self_active: false,
            incremental: false,
            sent: false,
            urgency: 3,
            weight: 16,
            active_cnt: 0,
            deficit: 0,
            queue: NONE,
            seq: 0,
        }
    }
}

/// The 16 lists of the urgency group: for each urgency, the in-order list (sorted by opening
/// order) and the round-robin list.
#[derive(Clone, Debug)]
struct UrgencyLists {
    head: [u32; 16],
    tail: [u32; 16],
    /// Lowest urgency whose lists may be non-empty (8: none).
    smallest: u8,
}

/// The scheduler tree of one connection.
pub struct Tree {
    nodes: Vec<Node>,
    free: Vec<u32>,
    queues: Vec<Drr>,
    free_queues: Vec<u32>,
    urg: UrgencyLists,
    /// The hidden urgency group, `NONE` until the first urgency stream.
    group: u32,
    /// The node handed out by `next` and not put back yet.
    popped: u32,
    /// Number of nodes that are themselves active.
    self_active_cnt: u32,
    seq: u64,
    /// Nodes whose parent or weight changed, when tracking is on (see `track_moves`).
    moved: Vec<NodeId>,
    track_moves: bool,
}

impl Tree {
    /// The root (stream 0).
    pub const ROOT: NodeId = NodeId(0);

    pub fn new() -> Self {
        Self::with_storage(Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new())
    }

    /// This tree made new ([`Tree::new`]), keeping its vectors' storage (a finished connection's
    /// tree serving the next connection without regrowing them).
    pub fn renew(&mut self) {
        use std::mem::take;
        *self = Self::with_storage(
            take(&mut self.nodes),
            take(&mut self.free),
            take(&mut self.queues),
            take(&mut self.free_queues),
            take(&mut self.moved),
        );
    }

    fn with_storage(mut nodes: Vec<Node>, mut free: Vec<u32>, mut queues: Vec<Drr>, mut free_queues: Vec<u32>, mut moved: Vec<NodeId>) -> Self {
        nodes.clear();
        free.clear();
        queues.clear();
        free_queues.clear();
        moved.clear();
        let mut root = Node::new(Kind::Root);
        root.queue = 0;
        nodes.push(root);
        queues.push(Drr::new());
        Tree {
            nodes,
            free,
            queues,
            free_queues,
            urg: UrgencyLists { head: [NONE; 16], tail: [NONE; 16], smallest: 8 },
            group: NONE,
            popped: NONE,
            self_active_cnt: 0,
            seq: 0,
            moved,
            track_moves: false,
        }
    }

    /// Opens a node under `parent` with `weight` (1..=256; 257 = before all siblings, see the
    /// module doc; out-of-range values are clamped). `exclusive`: the parent's other children
    /// become children of the new node (RFC 7540 5.3.1). A `parent` that is not open is taken
    /// as the root.
    pub fn open(&mut self, parent: NodeId, weight: u16, exclusive: bool) -> NodeId {
        let parent = self.placeable_parent(parent.0);
        let id = self.alloc(Kind::Weighted, clamp_weight(weight));
        self.link_child(parent, id);
        if exclusive {
            self.convert_to_exclusive(parent, id);
        }
        NodeId(id)
    }

    /// Closes a node: its children move to its parent (2.2.5's behaviour) sharing its weight in
    /// proportion to theirs (see the module doc). The id may be reused afterwards. Closing the
    /// node last returned by [`Tree::next`] is fine (it is not put back). Closing the root or
    /// a node that is not open does nothing.
    pub fn close(&mut self, id: NodeId) {
        let id = id.0;
        if !self.is_open(id) {
            return;
        }
        if self.nodes[id as usize].first_child != NONE {
            let new_parent = self.visible_parent(id);
            let mut total: u32 = 0;
            let mut c = self.nodes[id as usize].first_child;
            while c != NONE {
                total += u32::from(self.nodes[c as usize].weight);
                c = self.nodes[c as usize].next_sib;
            }
            let factor = (u32::from(self.nodes[id as usize].weight) * 65536 + total / 2) / total;
            loop {
                let c = self.nodes[id as usize].first_child;
                if c == NONE {
                    break;
                }
                let cw = u32::from(self.nodes[c as usize].weight);
                let w = (cw * factor / 32768).div_ceil(2).clamp(1, 256) as u16;
                self.rebind_raw(c, new_parent, w, false);
            }
        }
        self.release_queue(id);
        self.unlink_child(id);
        let n = &mut self.nodes[id as usize];
        if n.self_active {
            n.self_active = false;
            self.self_active_cnt -= 1;
            debug_assert_eq!(self.nodes[id as usize].active_cnt, 1);
            self.nodes[id as usize].active_cnt = 0;
            let parent = self.nodes[id as usize].parent;
            self.take_out(id);
            self.decr_active_cnt(parent);
        } else {
            debug_assert_eq!(n.active_cnt, 0);
        }
        let n = &mut self.nodes[id as usize];
        n.kind = Kind::Free;
        n.parent = NONE;
        self.free.push(id);
    }

    /// Moves `id` under `parent` with `weight`, exclusive or not. When `parent` is a descendant
    /// of `id`, `parent` is first moved to `id`'s former parent (RFC 7540 5.3.3). A node cannot
    /// depend on itself: the caller rejects that (PROTOCOL_ERROR) before calling (here it is
    /// ignored, as are nodes that are not open; a `parent` that is not open is the root). An
    /// urgency stream becomes an RFC 7540 placed one. Rebinding the node last returned by
    /// [`Tree::next`] puts it back (under its new parent): a later [`Tree::requeue`] is a no-op.
    pub fn rebind(&mut self, id: NodeId, parent: NodeId, weight: u16, exclusive: bool) {
        let id = id.0;
        if !self.is_open(id) || id == parent.0 {
            return;
        }
        let parent = self.placeable_parent(parent.0);
        // an urgency stream leaves the group (its parent is never equal to `parent`)
        self.nodes[id as usize].kind = Kind::Weighted;
        self.rebind_raw(id, parent, clamp_weight(weight), exclusive);
    }

    /// The node has data to send.
    pub fn activate(&mut self, id: NodeId) {
        let id = id.0;
        if !self.is_open(id) || self.nodes[id as usize].self_active {
            return;
        }
        self.nodes[id as usize].self_active = true;
        self.self_active_cnt += 1;
        self.incr_active_cnt(id);
    }

    /// The node has nothing to send any more. For the node last returned by [`Tree::next`] this
    /// is what 2.2.5's run loop does when the callback says "not still active".
    pub fn deactivate(&mut self, id: NodeId) {
        let id = id.0;
        if !self.is_open(id) || !self.nodes[id as usize].self_active {
            return;
        }
        self.nodes[id as usize].self_active = false;
        self.self_active_cnt -= 1;
        if self.popped == id {
            self.popped = NONE;
            let n = &mut self.nodes[id as usize];
            n.active_cnt -= 1;
            let parent = n.parent;
            if n.active_cnt != 0 {
                self.queue_put_back(parent, id);
            } else {
                self.decr_active_cnt(parent);
            }
        } else {
            self.decr_active_cnt(id);
        }
    }

    /// For a stream: whether it is itself active. For the root: whether anything is.
    pub fn is_active(&self, id: NodeId) -> bool {
        if id == Self::ROOT {
            return self.self_active_cnt != 0;
        }
        self.is_open(id.0) && self.nodes[id.0 as usize].self_active
    }

    /// Exactly 2.2.5's `h2o_http2_scheduler_is_active(root)` for `node` = root: its queue may
    /// hold something (may say yes when it is empty; false while the only active node below is
    /// a direct child handed out by [`Tree::next`] and not put back).
    pub fn queue_maybe_nonempty(&self, node: NodeId) -> bool {
        let n = &self.nodes[node.0 as usize];
        if node.0 == self.group {
            return self.urg.smallest < 8;
        }
        n.queue != NONE && !self.queues[n.queue as usize].is_empty()
    }

    /// Whether `id` is an open stream (or the root).
    pub fn is_open_node(&self, id: NodeId) -> bool {
        id == Self::ROOT || self.is_open(id.0)
    }

    /// Picks the active node to send the next chunk from and takes it out of its parent's queue.
    /// The caller sends one chunk, then calls [`Tree::requeue`] if the node still has data (it is
    /// queued behind its siblings as its weight says), or [`Tree::deactivate`] / [`Tree::close`].
    /// `None`: nothing is active.
    ///
    /// Walking down, every inner node passed is queued back in its parent at once (2.2.5). Only
    /// one node is out at a time: calling `next` again before putting the previous one back
    /// requeues it first (as still active). Any other operation may be called while a node is
    /// out, including on it (activating other nodes, closing or rebinding it or its ancestors).
    #[allow(clippy::should_implement_trait)] // the engine's contract; not an iterator
    pub fn next(&mut self) -> Option<NodeId> {
        if self.popped != NONE {
            let p = self.popped;
            self.requeue(NodeId(p));
        }
        let mut node = 0u32;
        loop {
            let child = self.queue_pop(node)?;
            if !self.nodes[child as usize].self_active {
                // only descendants are active: the node goes back at once, and we go down
                self.queue_put_back(node, child);
                node = child;
                continue;
            }
            debug_assert!(self.nodes[child as usize].active_cnt != 0);
            self.popped = child;
            return Some(NodeId(child));
        }
    }

    /// Puts back the node [`Tree::next`] returned, still active. A no-op if it is not out any
    /// more (it was deactivated, closed or rebound meanwhile).
    #[inline]
    pub fn requeue(&mut self, id: NodeId) {
        if self.popped != id.0 || id.0 == NONE {
            return;
        }
        self.popped = NONE;
        let parent = self.nodes[id.0 as usize].parent;
        self.queue_put_back(parent, id.0);
    }

    /// 2.2.5's `h2o_http2_scheduler_run`: while anything is active, picks the next node (as
    /// [`Tree::next`]) and calls `f(tree, node)`, which sends from it and returns
    /// `(still_active, stop)`. Afterwards the node is put back if `still_active`, else it is
    /// deactivated (2.2.5: `_self_is_active = 0`, and it leaves its parent's queue unless its
    /// descendants are active). Returns true if `f` asked to stop (after that node was handled),
    /// false when nothing is active any more.
    ///
    /// `f` may change the tree: activating any node (a descendant of the current one is seen on
    /// a later turn; the current one stays out until `f` returns), opening nodes, and (unlike
    /// 2.2.5, where it trips an assertion) closing, rebinding or deactivating the current node:
    /// then `still_active` is ignored for it (closed: gone; rebound: queued under its new parent
    /// as active; deactivated: stays so). `f` must not call [`Tree::next`] (that would put the
    /// current node back as active and hand out another, which `run` then leaves alone).
    pub fn run(&mut self, mut f: impl FnMut(&mut Tree, NodeId) -> (bool, bool)) -> bool {
        while let Some(id) = self.next() {
            let (still_active, stop) = f(self, id);
            self.end_turn(id, still_active);
            if stop {
                return true;
            }
        }
        false
    }

    /// What [`Tree::run`] does after its callback: if `id` (returned by [`Tree::next`]) is still
    /// out, puts it back when `still_active`, else deactivates it; otherwise (it was closed,
    /// rebound or deactivated meanwhile) nothing. For callers that drive the loop themselves
    /// because their callback cannot borrow the tree (the C export's).
    pub fn end_turn(&mut self, id: NodeId, still_active: bool) {
        if self.popped == id.0 {
            if still_active {
                self.requeue(id);
            } else {
                self.deactivate(id);
            }
        }
    }

    /// The children of `id` in the order they became its children (2.2.5's `_all_refs`), for
    /// an open node or the root (none for others). The hidden urgency group is not listed (nor,
    /// therefore, the urgency streams under it).
    pub fn children(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        let first = if self.is_open_node(id) { self.nodes[id.0 as usize].first_child } else { NONE };
        let group = self.group;
        std::iter::successors((first != NONE).then_some(first), move |&c| {
            let n = self.nodes[c as usize].next_sib;
            (n != NONE).then_some(n)
        })
        .filter(move |&c| c != group)
        .map(NodeId)
    }

    /// From now on, records every node whose parent or weight changes (by [`Tree::rebind`], and
    /// the implicit moves of [`Tree::close`], exclusive dependencies, RFC 7540 5.3.3 and
    /// [`Tree::set_urgency`]), for [`Tree::drain_moved`]. For the C exports, which must keep the
    /// callers' `_parent` and `weight` fields up to date.
    pub fn track_moves(&mut self) {
        self.track_moves = true;
    }

    /// The nodes recorded since the last call (maybe twice, maybe since closed).
    pub fn drain_moved(&mut self) -> impl Iterator<Item = NodeId> + '_ {
        self.moved.drain(..)
    }

    /// The parent of a node (the root for the root, for an urgency stream and for a node that is
    /// not open).
    pub fn parent(&self, id: NodeId) -> NodeId {
        if !self.is_open(id.0) {
            return Self::ROOT;
        }
        NodeId(self.visible_parent(id.0))
    }

    /// The weight (16 for the root, for urgency streams and for nodes that are not open).
    pub fn weight(&self, id: NodeId) -> u16 {
        if !self.is_open(id.0) {
            return 16;
        }
        self.nodes[id.0 as usize].weight
    }

    /// RFC 9218: the urgency and incremental flag of an urgency stream, `None` for others.
    pub fn urgency(&self, id: NodeId) -> Option<(u8, bool)> {
        let n = self.nodes.get(id.0 as usize)?;
        (n.kind == Kind::Urgency).then_some((n.urgency, n.incremental))
    }

    /// RFC 9218: opens a node for a stream of `urgency` (0..=7, larger is taken as 7) and
    /// `incremental`.
    pub fn open_urgency(&mut self, urgency: u8, incremental: bool) -> NodeId {
        let group = self.group();
        let id = self.alloc(Kind::Urgency, GROUP_WEIGHT);
        let n = &mut self.nodes[id as usize];
        n.urgency = urgency.min(7);
        n.incremental = incremental;
        self.link_child(group, id);
        NodeId(id)
    }

    /// RFC 9218: changes the urgency/incremental of a node (PRIORITY_UPDATE, or the server's
    /// reprioritization of blocking assets). A node placed by RFC 7540 becomes an urgency stream
    /// (its children stay with it); its opening order is kept.
    pub fn set_urgency(&mut self, id: NodeId, urgency: u8, incremental: bool) {
        let id = id.0;
        if !self.is_open(id) {
            return;
        }
        let urgency = urgency.min(7);
        if self.nodes[id as usize].kind != Kind::Urgency {
            let group = self.group();
            let n = &mut self.nodes[id as usize];
            n.kind = Kind::Urgency;
            n.urgency = urgency;
            n.incremental = incremental;
            n.sent = false;
            self.do_rebind(id, group, false);
            return;
        }
        let n = &self.nodes[id as usize];
        if n.urgency == urgency && n.incremental == incremental {
            return;
        }
        let queued = n.slot != UNQUEUED;
        if queued {
            self.queue_unset(id);
        }
        let n = &mut self.nodes[id as usize];
        n.urgency = urgency;
        n.incremental = incremental;
        if queued {
            self.urg_insert(id, false);
        }
    }

    // ---- tree structure ----

    fn is_open(&self, id: u32) -> bool {
        self.nodes
            .get(id as usize)
            .is_some_and(|n| matches!(n.kind, Kind::Weighted | Kind::Urgency))
    }

    /// The parent a caller may name: an open stream or the root.
    fn placeable_parent(&self, id: u32) -> u32 {
        if self.is_open(id) { id } else { 0 }
    }

    /// The parent as the caller sees it (the group is invisible).
    fn visible_parent(&self, id: u32) -> u32 {
        let p = self.nodes[id as usize].parent;
        if p == self.group { 0 } else { p }
    }

    fn group(&mut self) -> u32 {
        if self.group == NONE {
            let g = self.alloc(Kind::Group, GROUP_WEIGHT);
            self.link_child(0, g);
            self.group = g;
        }
        self.group
    }

    fn alloc(&mut self, kind: Kind, weight: u16) -> u32 {
        let mut n = Node::new(kind);
        n.weight = weight;
        n.seq = self.seq;
        self.seq += 1;
        match self.free.pop() {
            Some(id) => {
                self.nodes[id as usize] = n;
                id
            }
            None => {
                self.nodes.push(n);
                (self.nodes.len() - 1) as u32
            }
        }
    }

    fn link_child(&mut self, parent: u32, id: u32) {
        let last = self.nodes[parent as usize].last_child;
        let n = &mut self.nodes[id as usize];
        n.parent = parent;
        n.prev_sib = last;
        n.next_sib = NONE;
        if last == NONE {
            self.nodes[parent as usize].first_child = id;
        } else {
            self.nodes[last as usize].next_sib = id;
        }
        self.nodes[parent as usize].last_child = id;
    }

    fn unlink_child(&mut self, id: u32) {
        let Node { parent, prev_sib, next_sib, .. } = self.nodes[id as usize];
        if prev_sib == NONE {
            self.nodes[parent as usize].first_child = next_sib;
        } else {
            self.nodes[prev_sib as usize].next_sib = next_sib;
        }
        if next_sib == NONE {
            self.nodes[parent as usize].last_child = prev_sib;
        } else {
            self.nodes[next_sib as usize].prev_sib = prev_sib;
        }
        let n = &mut self.nodes[id as usize];
        n.prev_sib = NONE;
        n.next_sib = NONE;
    }

    /// 2.2.5's `convert_to_exclusive`: the parent's children before `added` (all but it: it was
    /// linked last) move under it, keeping their weights. The urgency group stays at the root.
    fn convert_to_exclusive(&mut self, parent: u32, added: u32) {
        let mut c = self.nodes[parent as usize].first_child;
        while c != added && c != NONE {
            let next = self.nodes[c as usize].next_sib;
            if c != self.group {
                let w = self.nodes[c as usize].weight;
                self.rebind_raw(c, added, w, false);
            }
            c = next;
        }
    }

    /// 2.2.5's `h2o_http2_scheduler_rebind` (parent and weight already validated).
    fn rebind_raw(&mut self, id: u32, new_parent: u32, weight: u16, exclusive: bool) {
        if self.nodes[id as usize].parent == new_parent
            && self.nodes[id as usize].weight == weight
            && !exclusive
        {
            return;
        }
        self.nodes[id as usize].weight = weight;
        // a descendant as the new parent first moves up to our parent, keeping its weight
        let mut t = new_parent;
        while t != 0 && t != NONE {
            let tp = self.nodes[t as usize].parent;
            if tp == id {
                let up = self.visible_parent(id);
                self.do_rebind(new_parent, up, false);
                break;
            }
            t = tp;
        }
        self.do_rebind(id, new_parent, exclusive);
    }

    /// 2.2.5's `do_rebind`.
    fn do_rebind(&mut self, id: u32, new_parent: u32, exclusive: bool) {
        if self.track_moves {
            self.moved.push(NodeId(id));
        }
        self.unlink_child(id);
        let old_parent = self.nodes[id as usize].parent;
        self.link_child(new_parent, id);
        // link_child set the parent already; the queue moves and counts follow 2.2.5's order
        if self.nodes[id as usize].active_cnt != 0 {
            self.nodes[id as usize].parent = old_parent;
            self.take_out(id);
            self.nodes[id as usize].parent = new_parent;
            self.queue_set(new_parent, id);
            self.decr_active_cnt(old_parent);
            self.incr_active_cnt(new_parent);
        }
        if exclusive {
            self.convert_to_exclusive(new_parent, id);
        }
    }

    // ---- activity ----

    fn incr_active_cnt(&mut self, id: u32) {
        let mut id = id;
        while id != 0 {
            let n = &mut self.nodes[id as usize];
            n.active_cnt += 1;
            if n.active_cnt != 1 {
                return;
            }
            let parent = n.parent;
            self.queue_set(parent, id);
            id = parent;
        }
    }

    fn decr_active_cnt(&mut self, id: u32) {
        let mut id = id;
        while id != 0 {
            let n = &mut self.nodes[id as usize];
            n.active_cnt -= 1;
            if n.active_cnt != 0 {
                return;
            }
            let parent = n.parent;
            self.take_out(id);
            id = parent;
        }
    }

    /// Takes a node out of its parent's queue, or out of `next`'s hands.
    fn take_out(&mut self, id: u32) {
        if self.popped == id {
            self.popped = NONE;
        } else {
            self.queue_unset(id);
        }
    }

    // ---- queues ----

    #[inline]
    fn queue_of(&mut self, node: u32) -> u32 {
        let q = self.nodes[node as usize].queue;
        if q != NONE {
            return q;
        }
        let q = match self.free_queues.pop() {
            Some(q) => {
                self.queues[q as usize] = Drr::new();
                q
            }
            None => {
                self.queues.push(Drr::new());
                (self.queues.len() - 1) as u32
            }
        };
        self.nodes[node as usize].queue = q;
        q
    }

    fn release_queue(&mut self, node: u32) {
        let q = self.nodes[node as usize].queue;
        if q != NONE {
            self.nodes[node as usize].queue = NONE;
            self.free_queues.push(q);
        }
    }

    /// 2.2.5's `queue_set`: queues `id` in `parent`'s queue as its weight and deficit say.
    #[inline]
    fn queue_set(&mut self, parent: u32, id: u32) {
        debug_assert_eq!(self.nodes[id as usize].slot, UNQUEUED);
        if parent == self.group {
            self.urg_insert(id, true);
            return;
        }
        let q = self.queue_of(parent) as usize;
        drr_set(&mut self.nodes, &mut self.queues[q], id);
    }

    /// `queue_set` for a node just popped from `parent`'s queue (in the urgency group the scan
    /// for its place starts from the head, where it came from).
    #[inline]
    fn queue_put_back(&mut self, parent: u32, id: u32) {
        if parent == self.group {
            self.urg_insert(id, false);
        } else {
            self.queue_set(parent, id);
        }
    }

    /// 2.2.5's `queue_unset`.
    fn queue_unset(&mut self, id: u32) {
        let slot = self.nodes[id as usize].slot;
        debug_assert_ne!(slot, UNQUEUED);
        if slot == UNQUEUED {
            return;
        }
        if slot >= URG_BASE {
            self.list_unlink(ListRef::Urg, slot - URG_BASE, id);
            let u = (slot - URG_BASE) / 2;
            if self.urg.smallest == u {
                self.urg_update_smallest();
            }
        } else {
            let parent = self.nodes[id as usize].parent;
            let q = self.nodes[parent as usize].queue as usize;
            self.list_unlink(ListRef::Drr(q), slot, id);
        }
    }

    /// 2.2.5's `queue_pop` (or the urgency group's pick).
    #[inline]
    fn queue_pop(&mut self, node: u32) -> Option<u32> {
        if node == self.group {
            return self.urg_pop();
        }
        let q = self.nodes[node as usize].queue;
        if q == NONE {
            return None;
        }
        drr_pop(&mut self.nodes, &mut self.queues[q as usize])
    }

    // ---- urgency lists ----

    /// Inserts an urgency node: in order (by opening order) unless it is incremental and has
    /// sent already (then at the tail of the round-robin list). `from_tail`: where the scan for
    /// the place starts (activation: from the tail; back after sending: from the head).
    fn urg_insert(&mut self, id: u32, from_tail: bool) {
        let (u, incremental, sent, seq) = {
            let n = &self.nodes[id as usize];
            (n.urgency, n.incremental, n.sent, n.seq)
        };
        if incremental && sent {
            self.list_push_back(ListRef::Urg, u * 2 + 1, id);
        } else {
            let list = usize::from(u * 2);
            // find the first node with a larger seq; insert before it
            let before = if from_tail {
                let mut pos = self.urg.tail[list];
                let mut after_pos = NONE;
                while pos != NONE && self.nodes[pos as usize].seq > seq {
                    after_pos = pos;
                    pos = self.nodes[pos as usize].q_prev;
                }
                after_pos
            } else {
                let mut pos = self.urg.head[list];
                while pos != NONE && self.nodes[pos as usize].seq < seq {
                    pos = self.nodes[pos as usize].q_next;
                }
                pos
            };
            if before == NONE {
                self.list_push_back(ListRef::Urg, u * 2, id);
            } else {
                self.list_insert_before(ListRef::Urg, u * 2, before, id);
            }
        }
        if u < self.urg.smallest {
            self.urg.smallest = u;
        }
    }

    fn urg_pop(&mut self) -> Option<u32> {
        let u = self.urg.smallest;
        if u >= 8 {
            return None;
        }
        let list = if self.urg.head[usize::from(u * 2)] != NONE { u * 2 } else { u * 2 + 1 };
        let id = self.urg.head[usize::from(list)];
        debug_assert_ne!(id, NONE);
        if id == NONE {
            return None;
        }
        self.list_unlink(ListRef::Urg, list, id);
        self.nodes[id as usize].sent = true;
        self.urg_update_smallest();
        Some(id)
    }

    fn urg_update_smallest(&mut self) {
        let mut u = self.urg.smallest;
        while u < 8 && self.urg.head[usize::from(u * 2)] == NONE && self.urg.head[usize::from(u * 2 + 1)] == NONE {
            u += 1;
        }
        self.urg.smallest = u;
    }

    // ---- intrusive lists over the arena ----

    fn ends(&mut self, list: ListRef, slot: u8) -> (&mut u32, &mut u32) {
        match list {
            ListRef::Drr(q) => {
                let d = &mut self.queues[q];
                (&mut d.head[slot as usize], &mut d.tail[slot as usize])
            }
            ListRef::Urg => (&mut self.urg.head[slot as usize], &mut self.urg.tail[slot as usize]),
        }
    }

    fn node_slot(list: ListRef, slot: u8) -> u8 {
        match list {
            ListRef::Drr(_) => slot,
            ListRef::Urg => URG_BASE + slot,
        }
    }

    fn list_push_back(&mut self, list: ListRef, slot: u8, id: u32) {
        let (head, tail) = self.ends(list, slot);
        let last = *tail;
        *tail = id;
        if last == NONE {
            *head = id;
        }
        if last != NONE {
            self.nodes[last as usize].q_next = id;
        }
        let n = &mut self.nodes[id as usize];
        n.q_prev = last;
        n.q_next = NONE;
        n.slot = Self::node_slot(list, slot);
    }

    fn list_insert_before(&mut self, list: ListRef, slot: u8, before: u32, id: u32) {
        let prev = self.nodes[before as usize].q_prev;
        self.nodes[before as usize].q_prev = id;
        if prev == NONE {
            *self.ends(list, slot).0 = id;
        } else {
            self.nodes[prev as usize].q_next = id;
        }
        let n = &mut self.nodes[id as usize];
        n.q_prev = prev;
        n.q_next = before;
        n.slot = Self::node_slot(list, slot);
    }

    fn list_unlink(&mut self, list: ListRef, slot: u8, id: u32) {
        let Node { q_prev, q_next, .. } = self.nodes[id as usize];
        if q_prev == NONE {
            *self.ends(list, slot).0 = q_next;
        } else {
            self.nodes[q_prev as usize].q_next = q_next;
        }
        if q_next == NONE {
            *self.ends(list, slot).1 = q_prev;
        } else {
            self.nodes[q_next as usize].q_prev = q_prev;
        }
        let n = &mut self.nodes[id as usize];
        n.q_prev = NONE;
        n.q_next = NONE;
        n.slot = UNQUEUED;
    }
}

// The ring queues' hot paths, over the arena as a slice (so that the compiler knows the node
// writes do not touch the queue or the vectors' headers).

/// 2.2.5's `queue_pop` on a ring queue.
#[inline]
fn drr_pop(nodes: &mut [Node], d: &mut Drr) -> Option<u32> {
    if d.head[SLOT_257 as usize] != NONE {
        return Some(drr_pop_front(nodes, d, SLOT_257));
    }
    loop {
        let slot = d.advance()?;
        if d.head[slot as usize] != NONE {
            let id = drr_pop_front(nodes, d, slot);
            if d.head[slot as usize] == NONE {
                d.clear_front();
            }
            return Some(id);
        }
        d.clear_front();
    }
}

/// Takes the head of a non-empty slot.
#[inline]
fn drr_pop_front(nodes: &mut [Node], d: &mut Drr, slot: u8) -> u32 {
    let id = d.head[slot as usize];
    let n = &mut nodes[id as usize];
    let next = n.q_next;
    debug_assert_eq!(n.q_prev, NONE);
    n.q_next = NONE;
    n.slot = UNQUEUED;
    d.head[slot as usize] = next;
    if next == NONE {
        d.tail[slot as usize] = NONE;
    } else {
        nodes[next as usize].q_prev = NONE;
    }
    id
}

/// 2.2.5's `queue_set` on a ring queue: the slot from the weight and the deficit, at its tail.
#[inline]
fn drr_set(nodes: &mut [Node], d: &mut Drr, id: u32) {
    let n = &mut nodes[id as usize];
    let slot = match queue::OFFSET_TABLE.get(usize::from(n.weight).wrapping_sub(1)) {
        Some(&step) => {
            let v = step + n.deficit;
            n.deficit = v % 65536;
            d.mark((v / 65536) as u8)
        }
        None => SLOT_257,
    };
    let last = d.tail[slot as usize];
    d.tail[slot as usize] = id;
    n.q_prev = last;
    n.q_next = NONE;
    n.slot = slot;
    if last == NONE {
        d.head[slot as usize] = id;
    } else {
        nodes[last as usize].q_next = id;
    }
}

#[derive(Clone, Copy)]
enum ListRef {
    Drr(usize),
    Urg,
}

fn clamp_weight(weight: u16) -> u16 {
    weight.clamp(1, 257)
}

impl Default for Tree {
    fn default() -> Self {
        Self::new()
    }
}
