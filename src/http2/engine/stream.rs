//! Per-stream state and the small maps the engine keys by stream id.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::RequestHead;
use crate::http2::frame::PrioritySpec;
use crate::http2::scheduler::NodeId;

/// A multiplicative hasher for the u32 keys (stream ids, node ids): the keys are not chosen by
/// an attacker in a way that matters (ids are bounded in number by the limits), and SipHash per
/// frame is wasted work.
#[derive(Default, Clone, Copy)]
pub(super) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.0 = (self.0 ^ u64::from(v)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

pub(super) type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// RFC 7540 5.3.5: the default priority (what 2.2.5 logs as received when nothing was).
pub(super) const DEFAULT_PRIORITY: PrioritySpec = PrioritySpec { exclusive: false, dependency: 0, weight: 16 };

/// Where a stream's priority came from (for reprioritization and PRIORITY_UPDATE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Placement {
    /// RFC 7540 tree (the HEADERS PRIORITY flag, a PRIORITY frame, or the default under the root
    /// for a client that uses RFC 7540 priorities elsewhere).
    Tree,
    /// RFC 9218: urgency / incremental; `explicit` when the client said so (a `priority` field
    /// or a PRIORITY_UPDATE) rather than the default u=3.
    Urgency { explicit: bool },
}

/// One live stream: client-initiated (odd ids), or pushed (even ids: `recv_done` and `delivered`
/// from the start, as the glue owns the pushed request).
pub(super) struct Stream {
    pub node: NodeId,
    pub placement: Placement,
    /// The last RFC 7540 priority the client sent for it (HEADERS or PRIORITY), for the log.
    pub received: PrioritySpec,
    /// The request's END_STREAM has been received (half-closed (remote)).
    pub recv_done: bool,
    /// [`super::Event::Request`] has been emitted (the glue owns a request for it).
    pub delivered: bool,
    /// The body went over `max_request_body` (delivered as too large): further DATA is dropped.
    pub discard_body: bool,
    /// The response is produced by the engine itself (431), not by the glue: no events.
    pub internal: bool,
    /// The request head while the body is gathered.
    pub head: Option<RequestHead>,
    pub body: Vec<u8>,
    pub content_length: Option<u64>,
    /// DATA payload bytes received (padding excluded).
    pub data_in: u64,
    /// What the peer may still send on this stream (our receive window).
    pub in_window: i64,
    /// What we may still send (the peer's window); may go negative after a SETTINGS change.
    pub out_window: i64,
    /// `send_response` was called.
    pub resp_started: bool,
    /// The response HEADERS have been written out.
    pub headers_sent: bool,
    /// END_STREAM follows the queued data.
    pub end_queued: bool,
    /// END_STREAM has been written out.
    pub end_sent: bool,
    /// Queued body bytes: `queue[queue_off..]` is unsent.
    pub queue: Vec<u8>,
    pub queue_off: usize,
    /// The node is active in the scheduler (our bookkeeping of it).
    pub active: bool,
    /// `send_data` returned false: an [`super::Event::WantData`] is owed once there is room.
    pub want_data: bool,
    pub data_out: u64,
    pub created: u64,
    /// A pushed stream (even id): the client stream it was promised on; 0 for client streams.
    pub push_parent: u32,
    /// A pushed stream's PUSH_PROMISE is queued (or written): it can no longer vanish silently.
    pub promise_queued: bool,
    /// ... and written out (a cancel then needs RST_STREAM).
    pub promise_sent: bool,
}

impl Stream {
    pub fn new(node: NodeId, placement: Placement, in_window: i64, out_window: i64, queue: Vec<u8>, created: u64) -> Self {
        Stream {
            node,
            placement,
            received: DEFAULT_PRIORITY,
            recv_done: false,
            delivered: false,
            discard_body: false,
            internal: false,
            head: None,
            body: Vec::new(),
            content_length: None,
            data_in: 0,
            in_window,
            out_window,
            resp_started: false,
            headers_sent: false,
            end_queued: false,
            end_sent: false,
            queue,
            queue_off: 0,
            active: false,
            want_data: false,
            data_out: 0,
            created,
            push_parent: 0,
            promise_queued: false,
            promise_sent: false,
        }
    }

    /// Unsent queued bytes.
    #[inline]
    pub fn queued(&self) -> usize {
        self.queue.len() - self.queue_off
    }

    /// Whether the scheduler should consider the stream: headers out, END_STREAM not yet out, and
    /// either data within the stream window or a bare END_STREAM to send.
    #[inline]
    pub fn sendable(&self) -> bool {
        self.headers_sent && !self.end_sent && ((self.queued() > 0 && self.out_window > 0) || (self.queued() == 0 && self.end_queued))
    }
}
