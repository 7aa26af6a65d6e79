//! `/.well-known/h2/state`: H2O's debug-state JSON (lib/http2/http2_debug_state.c's layout,
//! version "draft-01"), with strings escaped so that any bytes give valid JSON.

use std::fmt::Write;

use super::stream::Placement;
use super::Connection;
use crate::http2::frame::DEFAULT_MAX_FRAME_SIZE;

/// Appends `s` as a JSON string (bytes outside printable ASCII as \u00XX, i.e. Latin-1).
fn json_str(out: &mut String, s: &[u8]) {
    out.push('"');
    for &c in s {
        match c {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(c as char),
            _ => {
                let _ = write!(out, "\\u{:04x}", c);
            }
        }
    }
    out.push('"');
}

fn table<'a>(out: &mut String, entries: impl Iterator<Item = (&'a [u8], &'a [u8])>) {
    let mut first = true;
    for (name, value) in entries {
        out.push_str(if first { "\n      [ " } else { ",\n      [ " });
        first = false;
        json_str(out, name);
        out.push_str(", ");
        json_str(out, value);
        out.push_str(" ]");
    }
}

impl Connection {
    pub(super) fn debug_json(&self, hpack: bool) -> String {
        let mut o = String::with_capacity(1024 + 256 * self.streams.len());
        let c = &self.cfg;
        let p = &self.peer;
        let _ = write!(
            o,
            "{{\n  \"version\": \"draft-01\",\n  \"settings\": {{\n    \"SETTINGS_HEADER_TABLE_SIZE\": {},\n    \
             \"SETTINGS_ENABLE_PUSH\": 0,\n    \"SETTINGS_MAX_CONCURRENT_STREAMS\": {},\n    \
             \"SETTINGS_INITIAL_WINDOW_SIZE\": {},\n    \"SETTINGS_MAX_FRAME_SIZE\": {}\n  }},\n  \
             \"peerSettings\": {{\n    \"SETTINGS_HEADER_TABLE_SIZE\": {},\n    \"SETTINGS_ENABLE_PUSH\": {},\n    \
             \"SETTINGS_MAX_CONCURRENT_STREAMS\": {},\n    \"SETTINGS_INITIAL_WINDOW_SIZE\": {},\n    \
             \"SETTINGS_MAX_FRAME_SIZE\": {},\n    \"SETTINGS_NO_RFC7540_PRIORITIES\": {}\n  }},\n  \
             \"connFlowIn\": {},\n  \"connFlowOut\": {},\n  \"streams\": {{",
            c.header_table_size,
            c.max_concurrent_streams,
            c.initial_window_size,
            DEFAULT_MAX_FRAME_SIZE,
            p.header_table_size,
            u8::from(p.enable_push),
            p.max_concurrent_streams,
            p.initial_window_size,
            p.max_frame_size,
            u8::from(p.no_rfc7540_priorities),
            self.conn_in,
            self.conn_out,
        );
        let mut ids: Vec<u32> = self.streams.keys().copied().collect();
        ids.sort_unstable();
        for (i, id) in ids.iter().enumerate() {
            let s = &self.streams[id];
            let state = if s.push_parent != 0 && !s.headers_sent {
                "RESERVED_LOCAL"
            } else if s.recv_done {
                "HALF_CLOSED_REMOTE"
            } else {
                "OPEN"
            };
            let _ = write!(
                o,
                "{}\n    \"{}\": {{\n      \"state\": \"{}\",\n      \"flowIn\": {},\n      \"flowOut\": {},\n      \
                 \"dataIn\": {},\n      \"dataOut\": {},\n      \"created\": {},\n      ",
                if i == 0 { "" } else { "," },
                id,
                state,
                s.in_window,
                s.out_window,
                s.data_in,
                s.data_out,
                s.created,
            );
            match (s.placement, self.tree.urgency(s.node)) {
                (Placement::Urgency { .. }, Some((u, inc))) => {
                    let _ = write!(o, "\"urgency\": {},\n      \"incremental\": {}\n    }}", u, inc);
                }
                _ => {
                    let _ = write!(
                        o,
                        "\"dependsOn\": {},\n      \"weight\": {}\n    }}",
                        self.owner_of(self.tree.parent(s.node)),
                        self.tree.weight(s.node)
                    );
                }
            }
        }
        o.push_str("\n  }");
        if hpack {
            let _ = write!(o, ",\n  \"hpack\": {{\n    \"inboundTableSize\": {},\n    \"inboundDynamicHeaderTable\": [", self.decoder.entries().count());
            table(&mut o, self.decoder.entries());
            let _ = write!(o, "\n    ],\n    \"outboundTableSize\": {},\n    \"outboundDynamicHeaderTable\": [", self.encoder.entries().count());
            table(&mut o, self.encoder.entries());
            o.push_str("\n    ]\n  }");
        }
        o.push_str("\n}\n");
        o
    }
}
