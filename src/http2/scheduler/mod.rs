//! The HTTP/2 priority scheduler. Pure safe Rust.
//!
//! A weighted dependency tree (RFC 7540 5.3) that picks the next stream to send a chunk (up to
//! 16 KB) from in O(1), with H2O's algorithm (lib/http2/scheduler.c of 2.2.5: each node keeps
//! its active children in a weight-ordered queue of 64 anchors indexed by a rotating bit offset,
//! so a child of weight w is chosen in proportion to w). Same operations, same run order as
//! 2.2.5: the `h2o_http2_scheduler_*` exports are built on this tree and a differential test
//! against Debian's library proves it.
//!
//! RFC 9218 (extensible priorities, for clients that send no RFC 7540 priorities: today's Chrome
//! and curl): [`Tree::open_urgency`] / [`Tree::set_urgency`] place a stream by urgency 0..=7
//! (lower goes first, strictly) and incremental flag (incremental streams of one urgency share
//! bandwidth round-robin; non-incremental ones are served one after the other in the order they
//! were opened).
//!
//! Owner: the scheduler work of issue 8. The signatures below are the contract the HTTP/2 engine
//! codes against; additions are fine, changes must be coordinated.
#![forbid(unsafe_code)]

/// A node of the tree (a stream, or a placeholder the engine keeps for reprioritization).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

/// The scheduler tree of one connection.
pub struct Tree {
    // implementation-defined
}

impl Tree {
    /// The root (stream 0).
    pub const ROOT: NodeId = NodeId(0);

    pub fn new() -> Self {
        todo!()
    }

    /// Opens a node under `parent` with `weight` (1..=256). `exclusive`: the parent's other
    /// children become children of the new node (RFC 7540 5.3.1).
    pub fn open(&mut self, parent: NodeId, weight: u16, exclusive: bool) -> NodeId {
        let _ = (parent, weight, exclusive);
        todo!()
    }

    /// Closes a node: its children move to its parent (2.2.5's behaviour), keeping their weights.
    /// The id may be reused afterwards. Closing the node last returned by [`Tree::next`] is fine.
    pub fn close(&mut self, id: NodeId) {
        let _ = id;
        todo!()
    }

    /// Moves `id` under `parent` with `weight`, exclusive or not. When `parent` is a descendant
    /// of `id`, `parent` is first moved to `id`'s former parent (RFC 7540 5.3.3). A node cannot
    /// depend on itself: the caller rejects that (PROTOCOL_ERROR) before calling.
    pub fn rebind(&mut self, id: NodeId, parent: NodeId, weight: u16, exclusive: bool) {
        let _ = (id, parent, weight, exclusive);
        todo!()
    }

    /// The node has data to send.
    pub fn activate(&mut self, id: NodeId) {
        let _ = id;
        todo!()
    }

    /// The node has nothing to send any more.
    pub fn deactivate(&mut self, id: NodeId) {
        let _ = id;
        todo!()
    }

    pub fn is_active(&self, id: NodeId) -> bool {
        let _ = id;
        todo!()
    }

    /// Picks the active node to send the next chunk from and takes it out of its parent's queue.
    /// The caller sends one chunk, then calls [`Tree::requeue`] if the node still has data (it is
    /// queued behind its siblings as its weight says), or [`Tree::deactivate`] / [`Tree::close`].
    /// `None`: nothing is active.
    pub fn next(&mut self) -> Option<NodeId> {
        todo!()
    }

    /// Puts back the node [`Tree::next`] returned, still active.
    pub fn requeue(&mut self, id: NodeId) {
        let _ = id;
        todo!()
    }

    pub fn parent(&self, id: NodeId) -> NodeId {
        let _ = id;
        todo!()
    }

    pub fn weight(&self, id: NodeId) -> u16 {
        let _ = id;
        todo!()
    }

    /// RFC 9218: opens a node for a stream of `urgency` (0..=7) and `incremental`.
    pub fn open_urgency(&mut self, urgency: u8, incremental: bool) -> NodeId {
        let _ = (urgency, incremental);
        todo!()
    }

    /// RFC 9218: changes the urgency/incremental of a node opened by [`Tree::open_urgency`]
    /// (PRIORITY_UPDATE, or the server's reprioritization of blocking assets).
    pub fn set_urgency(&mut self, id: NodeId, urgency: u8, incremental: bool) {
        let _ = (id, urgency, incremental);
        todo!()
    }
}

impl Default for Tree {
    fn default() -> Self {
        Self::new()
    }
}

/// RFC 9218 4: parses a `priority` header / PRIORITY_UPDATE field value (a structured-field
/// dictionary) into (urgency, incremental), starting from `base`; unknown keys and bad members
/// are ignored as the RFC says.
pub fn parse_priority_field(value: &[u8], base: (u8, bool)) -> (u8, bool) {
    let _ = (value, base);
    todo!()
}
