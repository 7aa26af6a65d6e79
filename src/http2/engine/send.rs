//! The output half: response heads, body queues, and `write` (control frames, HEADERS, then
//! DATA chosen by the scheduler within the windows).

use super::stream::Placement;
use super::{Connection, Output, PendingHead, CHUNK, MIN_EXACT_FRAME};
use crate::http2::frame::{self, ErrorCode};
use crate::http2::scheduler::Tree;

/// Appends one (name, value) record to the head arena.
pub(super) fn push_field(arena: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    arena.extend_from_slice(&(name.len() as u32).to_ne_bytes());
    arena.extend_from_slice(&(value.len() as u32).to_ne_bytes());
    arena.extend_from_slice(name);
    arena.extend_from_slice(value);
}

/// Iterates the records of `arena` (as written by [`push_field`]).
pub(super) fn fields(mut arena: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    std::iter::from_fn(move || {
        if arena.len() < 8 {
            return None;
        }
        let n = u32::from_ne_bytes(arena[0..4].try_into().expect("4 bytes")) as usize;
        let v = u32::from_ne_bytes(arena[4..8].try_into().expect("4 bytes")) as usize;
        let (name, rest) = arena[8..].split_at(n);
        let (value, rest) = rest.split_at(v);
        arena = rest;
        Some((name, value))
    })
}

/// HPACK-encodes the status and fields of `h` (kept in `head_arena`) into `scratch`, as one header
/// block: the final heads and the 1xx ones share it.
pub(super) fn encode_head_block(
    encoder: &mut crate::hpack::Encoder,
    field_cache: &mut super::field_cache::FieldCache,
    scratch: &mut Vec<u8>,
    head_arena: &[u8],
    h: &PendingHead,
) {
    scratch.clear();
    encoder.begin_block(scratch);
    field_cache.encode_status(encoder, scratch, h.status);
    for (name, value) in fields(&head_arena[h.start..h.end]) {
        field_cache.encode(encoder, scratch, name, value);
    }
}

/// DATA payloads from this size up are handed over by [`Connection::write_gather`] rather than
/// copied (below it a copy costs less than an extra iovec).
/// (Tests gather every payload.)
const MIN_GATHER: usize = if cfg!(test) { 1 } else { 1024 };

impl Connection {
    pub(super) fn start_response(&mut self, stream_id: u32, status: u16, headers: &[(&[u8], &[u8])], end_stream: bool, highest: bool) {
        if self.fatal {
            return;
        }
        let Some(s) = self.streams.get_mut(&stream_id) else { return };
        if s.resp_started {
            return;
        }
        s.resp_started = true;
        if end_stream {
            s.end_queued = true;
        }
        if s.push_parent != 0 {
            if highest {
                match s.placement {
                    Placement::Urgency { .. } => self.tree.set_urgency(s.node, 0, false),
                    Placement::Tree => self.tree.rebind(s.node, Tree::ROOT, 257, false),
                }
            }
        } else if highest && self.cfg.reprioritize_blocking_assets {
            match s.placement {
                Placement::Urgency { explicit: false } => self.tree.set_urgency(s.node, 0, false),
                Placement::Tree if self.placeholders.is_empty() && self.tree.parent(s.node) == Tree::ROOT => {
                    self.tree.rebind(s.node, Tree::ROOT, 257, false)
                }
                _ => {}
            }
        }
        let start = self.head_arena.len();
        for (name, value) in headers {
            push_field(&mut self.head_arena, name, value);
        }
        let end = self.head_arena.len();
        self.heads.push_back(PendingHead { stream_id, promised: 0, status, end_stream, start, end });
    }

    pub(super) fn queue_data(&mut self, stream_id: u32, bufs: &[&[u8]], end_stream: bool) -> bool {
        if self.fatal {
            return false;
        }
        let Some(s) = self.streams.get_mut(&stream_id) else { return false };
        if s.end_queued {
            return false;
        }
        let add: usize = bufs.iter().map(|b| b.len()).sum();
        if s.queue_off > 0 && (s.queue_off >= s.queue.len() / 2 || s.queue.capacity() - s.queue.len() < add) {
            s.queue.drain(..s.queue_off);
            s.queue_off = 0;
        }
        s.queue.reserve(add);
        for b in bufs {
            s.queue.extend_from_slice(b);
        }
        s.end_queued = end_stream;
        let more = !end_stream && s.queued() < self.cfg.limits.max_buffered_per_stream && (s.queued() as i64) < s.out_window;
        // Owed once there is room again; a call that is told "more" owes nothing (a WantData
        // then would make the glue proceed twice).
        s.want_data = !more && !end_stream;
        self.refresh(stream_id);
        more
    }

    pub(super) fn write_output(&mut self, out: &mut Output, max: usize) {
        let start = out.len();
        out.bytes.extend_from_slice(&self.control);
        self.control.clear();
        if self.fatal {
            return;
        }
        while out.len() - start < max {
            let Some(h) = self.heads.pop_front() else { break };
            self.emit_head(h, &mut out.bytes);
        }
        if self.heads.is_empty() {
            self.head_arena.clear();
        }
        while out.len() - start < max && self.conn_out > 0 && self.active_count > 0 {
            let mut cap = usize::MAX;
            if self.exact_max {
                let room = max - (out.len() - start);
                if room < frame::HEADER_LEN + MIN_EXACT_FRAME && out.len() > start {
                    break;
                }
                cap = room.saturating_sub(frame::HEADER_LEN).max(MIN_EXACT_FRAME);
            }
            let Some(node) = self.tree.next() else { break };
            match self.node_owner.get(&node) {
                Some(&id) => self.emit_data(id, out, cap),
                None => self.tree.deactivate(node),
            }
        }
        // A stream error may have queued control output while writing (none today), keep order.
        if !self.control.is_empty() {
            out.bytes.extend_from_slice(&self.control);
            self.control.clear();
        }
    }

    /// HPACK-encodes one response head (now, so that the encoder's order is the wire order).
    fn emit_head(&mut self, h: PendingHead, out: &mut Vec<u8>) {
        if h.promised != 0 {
            return self.emit_promise(h, out);
        }
        if h.status < 200 && !h.end_stream {
            return self.emit_informational(h, out);
        }
        let Connection { streams, encoder, field_cache, scratch, head_arena, peer, .. } = self;
        let Some(s) = streams.get_mut(&h.stream_id) else { return };
        if s.headers_sent {
            return;
        }
        encode_head_block(encoder, field_cache, scratch, head_arena, &h);
        // A body that turned out empty: END_STREAM goes on HEADERS.
        let end = h.end_stream || (s.end_queued && s.queued() == 0);
        frame::encode_headers(out, h.stream_id, scratch, end, peer.max_frame_size);
        s.headers_sent = true;
        if end {
            s.end_sent = true;
            self.response_complete(h.stream_id, out);
        } else {
            self.refresh(h.stream_id);
        }
    }

    /// Sends one DATA frame for the stream the scheduler picked (its node was taken out of the
    /// queue by `next`: it is requeued or deactivated here).
    fn emit_data(&mut self, id: u32, out: &mut Output, cap: usize) {
        let s = self.streams.get_mut(&id).expect("node owner is live");
        let queued = s.queued();
        let window = s.out_window.min(self.conn_out).max(0) as usize;
        let n = queued.min(CHUNK).min(window).min(self.peer.max_frame_size as usize).min(cap);
        if n == 0 && !(queued == 0 && s.end_queued) {
            self.tree.deactivate(s.node);
            s.active = false;
            self.active_count -= 1;
            return;
        }
        let end = s.end_queued && n == queued;
        frame::encode_data_header(&mut out.bytes, id, n, end);
        if out.gather && s.queue_off == 0 && n == s.queue.len() && n >= MIN_GATHER {
            // The whole queue goes out: hand its buffer over instead of copying it.
            let spare = self.spare_queues.pop().unwrap_or_default();
            out.chunks.push((out.bytes.len(), std::mem::replace(&mut s.queue, spare)));
            out.chunk_bytes += n;
        } else {
            out.bytes.extend_from_slice(&s.queue[s.queue_off..s.queue_off + n]);
            s.queue_off += n;
            if s.queue_off == s.queue.len() {
                s.queue.clear();
                s.queue_off = 0;
            }
        }
        s.out_window -= n as i64;
        s.data_out += n as u64;
        self.conn_out -= n as i64;
        if end {
            s.end_sent = true;
        }
        if s.sendable() {
            self.tree.requeue(s.node);
        } else {
            self.tree.deactivate(s.node);
            s.active = false;
            self.active_count -= 1;
        }
        if end {
            self.response_complete(id, &mut out.bytes);
        } else {
            self.refresh(id);
        }
    }

    /// END_STREAM of the response was written: the stream closes if the request is complete;
    /// if it is not (a 413 / 431 answered early), RST_STREAM NO_ERROR right after it asks the
    /// client to stop sending (RFC 9113 8.1).
    fn response_complete(&mut self, id: u32, out: &mut Vec<u8>) {
        let Some(s) = self.streams.get(&id) else { return };
        if s.recv_done {
            self.close_stream(id, false, false);
        } else {
            frame::encode_rst_stream(out, id, ErrorCode::NO_ERROR);
            self.close_stream(id, true, false);
        }
    }
}
