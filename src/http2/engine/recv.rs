//! The input half: preface, frame dispatch, stream states, header blocks, bodies, flow control
//! of the receive side, priorities and the flood defences.

use super::request::{trailer_field, RequestBuilder};
use super::stream::Placement;
use super::{BlockKind, Connection, Event, GoAway, PendingBlock, Phase, SHUTDOWN_PING};
use crate::hpack::DecodeError;
use crate::http2::frame::{self, ErrorCode, Frame, PrioritySpec, DEFAULT_MAX_FRAME_SIZE, PREFACE};
use crate::http2::scheduler::{parse_priority_field, Tree};

/// What decoding a request block gave.
enum Decoded {
    Ok(RequestBuilder),
    Malformed,
    TooLarge,
}

impl Connection {
    pub(super) fn recv_input(&mut self, input: &[u8]) -> usize {
        let mut pos = 0;
        while pos < input.len() {
            if self.fatal {
                return input.len();
            }
            if let Phase::Preface(matched) = self.phase {
                let want = &PREFACE[matched..];
                let n = want.len().min(input.len() - pos);
                if input[pos..pos + n] != want[..n] {
                    self.connection_error(ErrorCode::PROTOCOL_ERROR, "invalid connection preface");
                    return input.len();
                }
                pos += n;
                self.phase = if matched + n == PREFACE.len() { Phase::FirstSettings } else { Phase::Preface(matched + n) };
                continue;
            }
            match frame::decode(&input[pos..], DEFAULT_MAX_FRAME_SIZE) {
                Ok(None) => break,
                Ok(Some((f, n))) => {
                    pos += n;
                    self.handle_frame(f);
                }
                Err(e) => match e.stream_id {
                    Some(id) if e.len > 0 && self.pending_block.is_none() && self.phase == Phase::Open => {
                        pos = (pos + e.len).min(input.len());
                        if self.is_idle_id(id) {
                            self.connection_error(e.code, e.reason);
                        } else {
                            self.stream_error(id, e.code);
                        }
                    }
                    _ => {
                        self.connection_error(e.code, e.reason);
                        return input.len();
                    }
                },
            }
            if !self.fatal && self.control.len() > self.cfg.limits.max_pending_control_bytes {
                self.connection_error(ErrorCode::ENHANCE_YOUR_CALM, "peer does not read");
            }
        }
        if self.fatal { input.len() } else { pos }
    }

    /// A stream id the client has not opened yet (or a server id we never used).
    fn is_idle_id(&self, id: u32) -> bool {
        if id & 1 == 1 { id > self.max_seen.max(self.max_ignored) } else { id > self.max_push_id }
    }

    /// Spends one unit of the per-tick budget; false (and GOAWAY) when it is exhausted.
    fn flood(&mut self) -> bool {
        if self.flood_budget == 0 {
            self.connection_error(ErrorCode::ENHANCE_YOUR_CALM, "too many control frames");
            return false;
        }
        self.flood_budget -= 1;
        true
    }

    fn handle_frame(&mut self, f: Frame<'_>) {
        if let Some(p) = self.pending_block {
            return match f {
                Frame::Continuation { stream_id, fragment, end_headers } if stream_id == p.stream_id => {
                    self.continuation(p, fragment, end_headers)
                }
                _ => self.connection_error(ErrorCode::PROTOCOL_ERROR, "expected CONTINUATION"),
            };
        }
        if self.phase == Phase::FirstSettings {
            if !matches!(f, Frame::Settings { ack: false, .. }) {
                return self.connection_error(ErrorCode::PROTOCOL_ERROR, "first frame is not SETTINGS");
            }
            self.phase = Phase::Open;
        }
        match f {
            Frame::Data { stream_id, data, end_stream, flow_len } => self.on_data(stream_id, data, end_stream, flow_len),
            Frame::Headers { stream_id, priority, fragment, end_stream, end_headers } => {
                self.on_headers(stream_id, priority, fragment, end_stream, end_headers)
            }
            Frame::Priority { stream_id, spec } => {
                if self.flood() {
                    self.on_priority(stream_id, spec);
                }
            }
            Frame::RstStream { stream_id, .. } => self.on_rst_stream(stream_id),
            Frame::Settings { ack, params } => {
                if !self.flood() {
                    return;
                }
                if ack {
                    self.on_settings_ack();
                } else {
                    match self.apply_peer_settings(params) {
                        Ok(()) => frame::encode_settings_ack(&mut self.control),
                        Err((code, reason)) => self.connection_error(code, reason),
                    }
                }
            }
            Frame::PushPromise { .. } => self.connection_error(ErrorCode::PROTOCOL_ERROR, "PUSH_PROMISE from a client"),
            Frame::Ping { ack, data } => {
                if !self.flood() {
                    return;
                }
                if !ack {
                    frame::encode_ping(&mut self.control, true, &data);
                } else if data == SHUTDOWN_PING && self.goaway == GoAway::Announced {
                    self.final_goaway();
                }
            }
            Frame::GoAway { .. } => self.peer_goaway = true,
            Frame::WindowUpdate { stream_id, increment } => self.on_window_update(stream_id, increment),
            Frame::Continuation { .. } => self.connection_error(ErrorCode::PROTOCOL_ERROR, "unexpected CONTINUATION"),
            Frame::PriorityUpdate { prioritized_id, field_value } => {
                if self.flood() {
                    self.on_priority_update(prioritized_id, field_value);
                }
            }
            Frame::Unknown { .. } => {
                self.flood();
            }
        }
    }

    fn on_settings_ack(&mut self) {
        if self.settings_acked {
            return;
        }
        self.settings_acked = true;
        let ours = i64::from(self.cfg.initial_window_size.min(frame::MAX_WINDOW_SIZE));
        let provisional = ours.max(i64::from(frame::DEFAULT_INITIAL_WINDOW_SIZE));
        if ours < provisional {
            for s in self.streams.values_mut() {
                s.in_window -= provisional - ours;
            }
        }
        if self.cfg.header_table_size < 4096 {
            self.decoder.set_max_table_size(self.cfg.header_table_size as usize);
        }
    }

    // ---- DATA ---------------------------------------------------------------------------------

    fn on_data(&mut self, stream_id: u32, data: &[u8], end_stream: bool, flow_len: u32) {
        let flow = i64::from(flow_len);
        self.conn_in -= flow;
        if self.conn_in < 0 {
            return self.connection_error(ErrorCode::FLOW_CONTROL_ERROR, "connection window exceeded");
        }
        if self.is_idle_id(stream_id) {
            return self.connection_error(ErrorCode::PROTOCOL_ERROR, "DATA on an idle stream");
        }
        self.replenish_connection();
        let Some(s) = self.streams.get_mut(&stream_id) else {
            // Closed: ignored if we reset it (RFC 9113 5.1: frames in flight; not counted as a
            // flood, an upload cut short by a 413 may have a window's worth), else STREAM_CLOSED.
            if self.recently_closed(stream_id) != Some(true) && self.flood() {
                self.stream_error(stream_id, ErrorCode::STREAM_CLOSED);
            }
            return;
        };
        if s.recv_done {
            if self.flood() {
                self.stream_error(stream_id, ErrorCode::STREAM_CLOSED);
            }
            return;
        }
        s.in_window -= flow;
        if s.in_window < 0 {
            return self.stream_error(stream_id, ErrorCode::FLOW_CONTROL_ERROR);
        }
        if data.is_empty() && !end_stream && !self.flood() {
            return;
        }
        let s = self.streams.get_mut(&stream_id).expect("checked");
        s.data_in += data.len() as u64;
        if !s.discard_body {
            if s.content_length.is_some_and(|cl| s.data_in > cl) {
                return self.stream_error(stream_id, ErrorCode::PROTOCOL_ERROR);
            }
            if s.body.len() + data.len() > self.cfg.max_request_body {
                s.discard_body = true;
                s.body = Vec::new();
                self.deliver(stream_id, true);
            } else {
                if s.body.capacity() == 0 {
                    let hint = s.content_length.map_or(0, |cl| cl.min(64 * 1024) as usize);
                    s.body.reserve(hint.max(data.len()));
                }
                s.body.extend_from_slice(data);
            }
        }
        if end_stream {
            self.end_of_request(stream_id);
        } else {
            self.replenish_stream(stream_id);
        }
    }

    /// Restores the connection receive window once less than half of it is left.
    fn replenish_connection(&mut self) {
        let full = i64::from(self.cfg.connection_window_size.clamp(frame::DEFAULT_INITIAL_WINDOW_SIZE, frame::MAX_WINDOW_SIZE));
        if self.conn_in * 2 < full {
            frame::encode_window_update(&mut self.control, 0, (full - self.conn_in) as u32);
            self.conn_in = full;
        }
    }

    fn replenish_stream(&mut self, stream_id: u32) {
        let full = i64::from(self.cfg.initial_window_size.min(frame::MAX_WINDOW_SIZE)).max(1);
        let Some(s) = self.streams.get_mut(&stream_id) else { return };
        if s.in_window * 2 < full {
            frame::encode_window_update(&mut self.control, stream_id, (full - s.in_window) as u32);
            s.in_window = full;
        }
    }

    /// The request's END_STREAM arrived (DATA or trailers).
    fn end_of_request(&mut self, stream_id: u32) {
        let Some(s) = self.streams.get_mut(&stream_id) else { return };
        s.recv_done = true;
        if s.discard_body {
            // Delivered as too large already; the response may be complete by now.
            if s.end_sent {
                self.close_stream(stream_id, false, false);
            }
            return;
        }
        if s.content_length.is_some_and(|cl| cl != s.data_in) {
            return self.stream_error(stream_id, ErrorCode::PROTOCOL_ERROR);
        }
        self.deliver(stream_id, false);
    }

    /// Emits [`Event::Request`] for the stream (its head and body move into the event).
    fn deliver(&mut self, stream_id: u32, too_large: bool) {
        let Some(s) = self.streams.get_mut(&stream_id) else { return };
        let Some(head) = s.head.take() else { return };
        s.delivered = true;
        let body = std::mem::take(&mut s.body);
        self.events.push_back(Event::Request { stream_id, head, body, too_large });
    }

    // ---- HEADERS / CONTINUATION ---------------------------------------------------------------

    fn on_headers(&mut self, stream_id: u32, priority: Option<PrioritySpec>, fragment: &[u8], end_stream: bool, end_headers: bool) {
        if stream_id & 1 == 0 {
            return self.connection_error(ErrorCode::PROTOCOL_ERROR, "HEADERS on an even stream id");
        }
        let kind = if let Some(s) = self.streams.get(&stream_id) {
            if s.recv_done { BlockKind::HalfClosed } else { BlockKind::Trailers }
        } else if stream_id <= self.max_seen {
            match self.recently_closed(stream_id) {
                Some(true) => BlockKind::Ignore,
                Some(false) => BlockKind::Closed,
                None => return self.connection_error(ErrorCode::PROTOCOL_ERROR, "stream id not increasing"),
            }
        } else if let GoAway::Final(last) = self.goaway
            && stream_id > last
        {
            // RFC 9113 6.8: ignored, and so is whatever follows on it.
            self.max_ignored = self.max_ignored.max(stream_id);
            self.remember_closed(stream_id, true);
            BlockKind::Ignore
        } else {
            self.max_seen = stream_id;
            BlockKind::Request
        };
        if fragment.len() > self.cfg.limits.max_header_block {
            return self.connection_error(ErrorCode::ENHANCE_YOUR_CALM, "header block too large");
        }
        let p = PendingBlock { stream_id, end_stream, priority, kind, continuations: 0 };
        if end_headers {
            self.header_block(p, fragment);
        } else {
            self.block.clear();
            self.block.extend_from_slice(fragment);
            self.pending_block = Some(p);
        }
    }

    fn continuation(&mut self, mut p: PendingBlock, fragment: &[u8], end_headers: bool) {
        p.continuations += 1;
        if p.continuations > self.cfg.limits.max_continuations || self.block.len() + fragment.len() > self.cfg.limits.max_header_block {
            self.block = Vec::new();
            return self.connection_error(ErrorCode::ENHANCE_YOUR_CALM, "CONTINUATION flood");
        }
        self.block.extend_from_slice(fragment);
        if !end_headers {
            self.pending_block = Some(p);
            return;
        }
        self.pending_block = None;
        let block = std::mem::take(&mut self.block);
        self.header_block(p, &block);
        self.block = block;
        self.block.clear();
    }

    /// A complete header block.
    fn header_block(&mut self, p: PendingBlock, block: &[u8]) {
        match p.kind {
            BlockKind::Request => self.request_block(p, block),
            BlockKind::Trailers => {
                let r = self.decoder.decode(block, &mut |n, v, _| trailer_field(n, v));
                match r {
                    Err(DecodeError::ListTooLarge) => self.stream_error(p.stream_id, ErrorCode::PROTOCOL_ERROR),
                    Err(_) => self.connection_error(ErrorCode::COMPRESSION_ERROR, "HPACK decoding failed"),
                    Ok(Err(_)) => self.stream_error(p.stream_id, ErrorCode::PROTOCOL_ERROR),
                    Ok(Ok(())) if !p.end_stream => self.stream_error(p.stream_id, ErrorCode::PROTOCOL_ERROR),
                    Ok(Ok(())) => {
                        if let Some(spec) = p.priority {
                            self.reprioritize(p.stream_id, spec);
                        }
                        if self.streams.contains_key(&p.stream_id) {
                            self.end_of_request(p.stream_id);
                        }
                    }
                }
            }
            BlockKind::HalfClosed | BlockKind::Ignore | BlockKind::Closed => {
                let r = self.decoder.decode(block, &mut |_, _, _| Ok::<(), ()>(()));
                match r {
                    Err(DecodeError::ListTooLarge) | Ok(_) => {}
                    Err(_) => return self.connection_error(ErrorCode::COMPRESSION_ERROR, "HPACK decoding failed"),
                }
                match p.kind {
                    BlockKind::HalfClosed if self.flood() => self.stream_error(p.stream_id, ErrorCode::STREAM_CLOSED),
                    BlockKind::Closed => self.connection_error(ErrorCode::STREAM_CLOSED, "HEADERS on a closed stream"),
                    _ => {}
                }
            }
        }
    }

    fn decode_request(&mut self, block: &[u8]) -> Result<Decoded, DecodeError> {
        let mut b = RequestBuilder::new(self.spare_heads.pop().unwrap_or_default());
        let r = self.decoder.decode_tagged(block, &mut |n, v, f| b.field_tagged(n, v, f));
        Ok(match r {
            Err(DecodeError::ListTooLarge) => Decoded::TooLarge,
            Err(e) => return Err(e),
            Ok(Err(_)) => Decoded::Malformed,
            Ok(Ok(())) => match b.finish() {
                Ok(()) => Decoded::Ok(b),
                Err(_) => Decoded::Malformed,
            },
        })
    }

    /// The header block that opens a request stream.
    fn request_block(&mut self, p: PendingBlock, block: &[u8]) {
        let id = p.stream_id;
        let decoded = match self.decode_request(block) {
            Ok(d) => d,
            Err(_) => return self.connection_error(ErrorCode::COMPRESSION_ERROR, "HPACK decoding failed"),
        };
        if self.peer_goaway {
            // The client said it is going away; a new stream now is not served.
            return self.stream_error(id, ErrorCode::REFUSED_STREAM);
        }
        if self.open_streams >= self.cfg.max_concurrent_streams as usize {
            self.abuse_budget -= 1;
            if self.abuse_budget < 0 {
                return self.connection_error(ErrorCode::ENHANCE_YOUR_CALM, "too many refused streams");
            }
            return self.stream_error(id, ErrorCode::REFUSED_STREAM);
        }
        let builder = match decoded {
            Decoded::Malformed => return self.stream_error(id, ErrorCode::PROTOCOL_ERROR),
            Decoded::TooLarge => None,
            Decoded::Ok(b) => Some(b),
        };
        self.open_request_stream(id, p.priority, builder.as_ref().and_then(|b| b.priority));
        let s = self.streams.get_mut(&id).expect("just opened");
        s.recv_done = p.end_stream;
        let Some(b) = builder else {
            // The header list is over our limit (HPACK bomb or huge head): 431, answered here.
            s.internal = true;
            s.discard_body = true;
            return self.start_response(id, 431, &[(b"content-length", b"0")], true, false);
        };
        let content_length = b.head.content_length;
        s.content_length = content_length;
        s.head = Some(b.head);
        if p.end_stream {
            self.end_of_request(id);
        } else if content_length.is_some_and(|cl| cl > self.cfg.max_request_body as u64) {
            s.discard_body = true;
            self.deliver(id, true);
        }
    }

    /// Creates the stream record and its scheduler node (RFC 7540 placement if the client uses
    /// it, else RFC 9218 urgency from PRIORITY_UPDATE or the `priority` field).
    fn open_request_stream(&mut self, id: u32, spec: Option<PrioritySpec>, field: Option<(u8, bool)>) {
        // A client that said SETTINGS_NO_RFC7540_PRIORITIES=1 is scheduled by RFC 9218 only.
        let spec = spec.filter(|_| !self.peer.no_rfc7540_priorities);
        if spec.is_some() {
            self.rfc7540 = true;
        }
        let placeholder = self.placeholders.remove(&id);
        let (node, placement) = if self.rfc7540 {
            let node = match (placeholder, spec) {
                (Some(node), Some(spec)) => {
                    let (parent, weight, exclusive) = self.resolve_dependency(spec);
                    self.tree.rebind(node, parent, weight, exclusive);
                    node
                }
                (Some(node), None) => node,
                (None, Some(spec)) => {
                    let (parent, weight, exclusive) = self.resolve_dependency(spec);
                    self.tree.open(parent, weight, exclusive)
                }
                (None, None) => self.tree.open(Tree::ROOT, 16, false),
            };
            (node, Placement::Tree)
        } else {
            let early = self.early_urgency.iter().position(|e| e.0 == id).map(|i| self.early_urgency.remove(i).expect("found"));
            let (u, inc, explicit) = match (early, field) {
                (Some((_, u, inc)), _) => (u, inc, true),
                (None, Some((u, inc))) => (u, inc, true),
                (None, None) => (3, false, false),
            };
            let node = match placeholder {
                Some(node) => {
                    self.tree.set_urgency(node, u, inc);
                    node
                }
                None => self.tree.open_urgency(u, inc),
            };
            (node, Placement::Urgency { explicit })
        };
        let mut s = self.new_stream(node, placement);
        if let Some(spec) = spec {
            s.received = spec;
        }
        self.node_owner.insert(node, id);
        self.streams.insert(id, s);
        self.open_streams += 1;
    }

    /// RFC 7540 5.3.1: a dependency on a stream not in the tree gets the default priority.
    fn resolve_dependency(&self, spec: PrioritySpec) -> (crate::http2::scheduler::NodeId, u16, bool) {
        match self.node_of(spec.dependency) {
            Some(parent) => (parent, spec.weight, spec.exclusive),
            None => (Tree::ROOT, 16, false),
        }
    }

    /// A PRIORITY (or the priority of trailers) for a live stream.
    fn reprioritize(&mut self, stream_id: u32, spec: PrioritySpec) {
        if self.peer.no_rfc7540_priorities {
            return;
        }
        self.rfc7540 = true;
        let Some(s) = self.streams.get_mut(&stream_id) else { return };
        s.received = spec;
        let node = s.node;
        // 2.2.5: a stream the server raised to 257 keeps it.
        if s.placement == Placement::Tree && self.tree.weight(node) == 257 {
            return;
        }
        let (parent, weight, exclusive) = self.resolve_dependency(spec);
        self.tree.rebind(node, parent, weight, exclusive);
        self.streams.get_mut(&stream_id).expect("live").placement = Placement::Tree;
    }

    // ---- PRIORITY / PRIORITY_UPDATE -----------------------------------------------------------

    fn on_priority(&mut self, stream_id: u32, spec: PrioritySpec) {
        if self.peer.no_rfc7540_priorities {
            return;
        }
        if self.streams.contains_key(&stream_id) {
            return self.reprioritize(stream_id, spec);
        }
        self.rfc7540 = true;
        if let Some(&node) = self.placeholders.get(&stream_id).or_else(|| {
            self.closed_nodes.iter().rev().find(|e| e.0 == stream_id).map(|e| &e.1)
        }) {
            let (parent, weight, exclusive) = self.resolve_dependency(spec);
            if parent != node {
                self.tree.rebind(node, parent, weight, exclusive);
            }
            return;
        }
        if !self.is_idle_id(stream_id) || stream_id & 1 == 0 {
            // A closed stream whose node is gone, or a push id: nothing to do.
            return;
        }
        if self.placeholders.len() >= self.cfg.max_streams_for_priority {
            return self.connection_error(ErrorCode::ENHANCE_YOUR_CALM, "too many streams in idle/closed state");
        }
        let (parent, weight, exclusive) = self.resolve_dependency(spec);
        let node = self.tree.open(parent, weight, exclusive);
        self.placeholders.insert(stream_id, node);
    }

    fn on_priority_update(&mut self, id: u32, value: &[u8]) {
        if id & 1 == 0 {
            return; // push streams: none exist
        }
        if let Some(s) = self.streams.get_mut(&id) {
            if let Placement::Urgency { .. } = s.placement {
                let cur = self.tree.urgency(s.node).unwrap_or((3, false));
                let (u, inc) = parse_priority_field(value, cur);
                s.placement = Placement::Urgency { explicit: true };
                self.tree.set_urgency(s.node, u, inc);
            }
            return;
        }
        if id <= self.max_seen {
            return; // closed
        }
        let base = self.early_urgency.iter().find(|e| e.0 == id).map_or((3, false), |e| (e.1, e.2));
        let (u, inc) = parse_priority_field(value, base);
        if let Some(e) = self.early_urgency.iter_mut().find(|e| e.0 == id) {
            (e.1, e.2) = (u, inc);
        } else if self.early_urgency.len() < self.cfg.max_concurrent_streams as usize {
            self.early_urgency.push_back((id, u, inc));
        }
    }

    // ---- RST_STREAM / WINDOW_UPDATE -----------------------------------------------------------

    fn on_rst_stream(&mut self, stream_id: u32) {
        if self.is_idle_id(stream_id) {
            return self.connection_error(ErrorCode::PROTOCOL_ERROR, "RST_STREAM on an idle stream");
        }
        let Some(s) = self.streams.get(&stream_id) else {
            self.flood();
            return;
        };
        if !s.end_sent {
            self.abuse_budget -= 1;
            if self.abuse_budget < 0 {
                return self.connection_error(ErrorCode::ENHANCE_YOUR_CALM, "too many stream resets");
            }
        }
        self.close_stream(stream_id, false, true);
    }

    fn on_window_update(&mut self, stream_id: u32, increment: u32) {
        if stream_id == 0 {
            self.conn_out += i64::from(increment);
            if self.conn_out > i64::from(frame::MAX_WINDOW_SIZE) {
                self.connection_error(ErrorCode::FLOW_CONTROL_ERROR, "connection window overflow");
            }
            return;
        }
        if self.is_idle_id(stream_id) {
            return self.connection_error(ErrorCode::PROTOCOL_ERROR, "WINDOW_UPDATE on an idle stream");
        }
        let Some(s) = self.streams.get_mut(&stream_id) else {
            self.flood();
            return;
        };
        s.out_window += i64::from(increment);
        if s.out_window > i64::from(frame::MAX_WINDOW_SIZE) {
            return self.stream_error(stream_id, ErrorCode::FLOW_CONTROL_ERROR);
        }
        self.refresh(stream_id);
    }
}

