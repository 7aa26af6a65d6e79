//! Server push (PUSH_PROMISE and the pushed streams) and informational (1xx) responses: the
//! output side's additions; see the module doc of [`super`] for the rules.

use super::send::{encode_head_block, fields, push_field};
use super::stream::Placement;
use super::{Connection, GoAway, PendingHead};
use crate::http2::frame::{self, ErrorCode};

/// Push ids stop here (2.2.5 stops at 0x7ffffff0 too).
const MAX_PUSH_ID: u32 = 0x7fff_fff0;

impl Connection {
    /// Whether a push on `parent_id` is possible now (see [`Connection::reserve_push`]).
    pub fn can_push(&self, parent_id: u32) -> bool {
        !self.fatal
            && self.goaway == GoAway::None
            && !self.peer_goaway
            && self.peer.enable_push
            && parent_id & 1 == 1
            && self.max_push_id < MAX_PUSH_ID
            && (self.push_open as u64) < u64::from(self.peer.max_concurrent_streams)
            && self.streams.get(&parent_id).is_some_and(|p| !p.end_queued && p.push_parent == 0)
    }

    /// Reserves a pushed stream promised on the client stream `parent_id`, or `None` when a push
    /// is not possible (the client disabled push or has as many pushed streams open as its
    /// SETTINGS_MAX_CONCURRENT_STREAMS allows, a GOAWAY was sent or received, the parent is gone,
    /// is itself pushed, or its END_STREAM is queued). The glue owns the pushed request from now
    /// on (a client RST_STREAM gives [`super::Event::StreamClosed`]); it queues the promise with
    /// [`Connection::send_push_promise`] before (or instead of) answering, or drops the push with
    /// [`Connection::cancel_push`].
    pub fn reserve_push(&mut self, parent_id: u32) -> Option<u32> {
        if !self.can_push(parent_id) {
            return None;
        }
        let parent = &self.streams[&parent_id];
        let (parent_node, parent_placement) = (parent.node, parent.placement);
        let id = if self.max_push_id == 0 { 2 } else { self.max_push_id + 2 };
        self.max_push_id = id;
        let (node, placement) = match parent_placement {
            Placement::Tree => (self.tree.open(parent_node, 16, false), Placement::Tree),
            Placement::Urgency { .. } => (self.tree.open_urgency(4, false), Placement::Urgency { explicit: false }),
        };
        let mut s = self.new_stream(node, placement);
        s.recv_done = true;
        s.delivered = true;
        s.push_parent = parent_id;
        self.node_owner.insert(node, id);
        self.streams.insert(id, s);
        self.push_open += 1;
        Some(id)
    }

    /// Queues the PUSH_PROMISE of a reserved stream: `fields` are the pushed request's, in order,
    /// pseudo-headers first (`:method`, `:scheme`, `:authority`, `:path`). Returns false (and
    /// forgets the stream, no event) when it cannot be promised any more: the parent's END_STREAM
    /// is queued or the parent is gone; true when queued now or before.
    pub fn send_push_promise(&mut self, promised_id: u32, fields: &[(&[u8], &[u8])]) -> bool {
        let Some(s) = self.streams.get(&promised_id) else { return false };
        if s.promise_queued {
            return true;
        }
        let parent_id = s.push_parent;
        if parent_id == 0 {
            return false;
        }
        if self.fatal || self.streams.get(&parent_id).is_none_or(|p| p.end_queued) {
            self.close_stream(promised_id, false, false);
            return false;
        }
        self.streams.get_mut(&promised_id).expect("checked").promise_queued = true;
        let start = self.head_arena.len();
        for (name, value) in fields {
            push_field(&mut self.head_arena, name, value);
        }
        let end = self.head_arena.len();
        self.heads.push_back(PendingHead { stream_id: parent_id, promised: promised_id, status: 0, end_stream: false, start, end });
        true
    }

    /// Drops a pushed stream (the client has the resource, or the response is an error): before
    /// its PUSH_PROMISE is written nothing goes out (a queued one is dropped); after, RST_STREAM
    /// CANCEL. No event follows.
    pub fn cancel_push(&mut self, promised_id: u32) {
        let Some(s) = self.streams.get(&promised_id) else { return };
        if s.push_parent == 0 {
            return;
        }
        if s.promise_sent && !self.fatal {
            frame::encode_rst_stream(&mut self.control, promised_id, ErrorCode::CANCEL);
        }
        self.close_stream(promised_id, true, false);
    }

    /// Whether `stream_id` is a live pushed stream whose PUSH_PROMISE is queued.
    pub fn push_promised(&self, stream_id: u32) -> bool {
        self.streams.get(&stream_id).is_some_and(|s| s.promise_queued)
    }

    /// Queues an informational response (`status` 100..=199 other than 101) on a stream whose
    /// final response has not started: HEADERS without END_STREAM. Ignored otherwise.
    pub fn send_informational(&mut self, stream_id: u32, status: u16, headers: &[(&[u8], &[u8])]) {
        if self.fatal || !(100..200).contains(&status) || status == 101 {
            return;
        }
        let Some(s) = self.streams.get(&stream_id) else { return };
        if s.resp_started || (s.push_parent != 0 && !s.promise_queued) {
            return;
        }
        let start = self.head_arena.len();
        for (name, value) in headers {
            push_field(&mut self.head_arena, name, value);
        }
        let end = self.head_arena.len();
        self.heads.push_back(PendingHead { stream_id, promised: 0, status, end_stream: false, start, end });
    }

    /// Writes a queued PUSH_PROMISE (dropped, and the pushed stream closed, when the parent went
    /// away or ended meanwhile).
    pub(super) fn emit_promise(&mut self, h: PendingHead, out: &mut Vec<u8>) {
        if !self.streams.contains_key(&h.promised) {
            return;
        }
        if self.streams.get(&h.stream_id).is_none_or(|p| p.end_sent) {
            // never announced: the client knows nothing of it
            self.close_stream(h.promised, true, true);
            return;
        }
        let Connection { encoder, field_cache, scratch, head_arena, peer, .. } = self;
        scratch.clear();
        encoder.begin_block(scratch);
        for (name, value) in fields(&head_arena[h.start..h.end]) {
            field_cache.encode(encoder, scratch, name, value);
        }
        frame::encode_push_promise(out, h.stream_id, h.promised, scratch, peer.max_frame_size);
        if let Some(s) = self.streams.get_mut(&h.promised) {
            s.promise_sent = true;
        }
    }

    /// Writes a queued 1xx response head.
    pub(super) fn emit_informational(&mut self, h: PendingHead, out: &mut Vec<u8>) {
        let Connection { streams, encoder, field_cache, scratch, head_arena, peer, .. } = self;
        let Some(s) = streams.get(&h.stream_id) else { return };
        if s.headers_sent {
            return;
        }
        encode_head_block(encoder, field_cache, scratch, head_arena, &h);
        frame::encode_headers(out, h.stream_id, scratch, false, peer.max_frame_size);
    }
}
