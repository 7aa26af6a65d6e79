//! Engine tests: a test client builds frames with the frame encoders and `hpack::Encoder`, and
//! parses what the engine writes with `frame::decode` and `hpack::Decoder`.

use super::*;
use crate::hpack::{Decoder, Encoder, Indexing};
use crate::http2::frame::{flag, kind, Frame, PrioritySpec, PREFACE};

// ---- the test client ------------------------------------------------------------------------

/// A frame the server wrote, owned and with header blocks decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Out {
    Settings { ack: bool, params: Vec<(u16, u32)> },
    WindowUpdate { id: u32, inc: u32 },
    Headers { id: u32, fields: Vec<(String, String)>, end_stream: bool, frames: usize },
    Data { id: u32, data: Vec<u8>, end_stream: bool },
    Rst { id: u32, code: ErrorCode },
    GoAway { last: u32, code: ErrorCode },
    Ping { ack: bool, data: [u8; 8] },
    Promise { id: u32, promised: u32, fields: Vec<(String, String)> },
}

impl Out {
    fn status(&self) -> Option<&str> {
        match self {
            Out::Headers { fields, .. } => fields.iter().find(|f| f.0 == ":status").map(|f| f.1.as_str()),
            _ => None,
        }
    }
}

struct Client {
    enc: Encoder,
    dec: Decoder,
    /// Bytes of an incomplete frame left from the last parse.
    rest: Vec<u8>,
}

impl Client {
    fn new() -> Self {
        Client { enc: Encoder::new(), dec: Decoder::new(4096, usize::MAX), rest: Vec::new() }
    }

    fn block(&mut self, fields: &[(&str, &str)]) -> Vec<u8> {
        let mut b = Vec::new();
        self.enc.begin_block(&mut b);
        for (n, v) in fields {
            self.enc.encode_field(&mut b, n.as_bytes(), v.as_bytes(), Indexing::Auto);
        }
        b
    }

    fn headers(&mut self, id: u32, fields: &[(&str, &str)], end_stream: bool) -> Vec<u8> {
        let b = self.block(fields);
        let mut out = Vec::new();
        frame::encode_headers(&mut out, id, &b, end_stream, 16384);
        out
    }

    fn headers_prio(&mut self, id: u32, fields: &[(&str, &str)], end_stream: bool, spec: PrioritySpec) -> Vec<u8> {
        let b = self.block(fields);
        let mut payload = Vec::new();
        let dep = spec.dependency | if spec.exclusive { 0x8000_0000 } else { 0 };
        payload.extend_from_slice(&dep.to_be_bytes());
        payload.push((spec.weight - 1) as u8);
        payload.extend_from_slice(&b);
        let mut out = Vec::new();
        let flags = flag::END_HEADERS | flag::PRIORITY | if end_stream { flag::END_STREAM } else { 0 };
        frame::encode_header(&mut out, payload.len(), kind::HEADERS, flags, id);
        out.extend_from_slice(&payload);
        out
    }

    /// Parses everything the server wrote into frames.
    fn parse(&mut self, bytes: &[u8]) -> Vec<Out> {
        self.rest.extend_from_slice(bytes);
        let buf = std::mem::take(&mut self.rest);
        let mut pos = 0;
        let mut outs = Vec::new();
        let mut pending: Option<(u32, bool, Vec<u8>, usize)> = None;
        while let Some((f, n)) = frame::decode(&buf[pos..], frame::MAX_MAX_FRAME_SIZE).expect("server frames are valid") {
            pos += n;
            let done_block = |c: &mut Client, id: u32, end: bool, block: &[u8], frames: usize| {
                let mut fields = Vec::new();
                c.dec
                    .decode(block, &mut |n, v, _| {
                        fields.push((String::from_utf8_lossy(n).into_owned(), String::from_utf8_lossy(v).into_owned()));
                        Ok::<(), ()>(())
                    })
                    .expect("server HPACK is valid")
                    .unwrap();
                Out::Headers { id, fields, end_stream: end, frames }
            };
            match f {
                Frame::Settings { ack, params } => outs.push(Out::Settings { ack, params: frame::settings_iter(params).collect() }),
                Frame::WindowUpdate { stream_id, increment } => outs.push(Out::WindowUpdate { id: stream_id, inc: increment }),
                Frame::Headers { stream_id, fragment, end_stream, end_headers, .. } => {
                    assert!(pending.is_none());
                    if end_headers {
                        outs.push(done_block(self, stream_id, end_stream, fragment, 1));
                    } else {
                        pending = Some((stream_id, end_stream, fragment.to_vec(), 1));
                    }
                }
                Frame::Continuation { stream_id, fragment, end_headers } => {
                    let (id, end, mut block, frames) = pending.take().expect("CONTINUATION after HEADERS");
                    assert_eq!(id, stream_id);
                    block.extend_from_slice(fragment);
                    if end_headers {
                        outs.push(done_block(self, id, end, &block, frames + 1));
                    } else {
                        pending = Some((id, end, block, frames + 1));
                    }
                }
                Frame::Data { stream_id, data, end_stream, .. } => outs.push(Out::Data { id: stream_id, data: data.to_vec(), end_stream }),
                Frame::RstStream { stream_id, code } => outs.push(Out::Rst { id: stream_id, code }),
                Frame::GoAway { last_stream_id, code, .. } => outs.push(Out::GoAway { last: last_stream_id, code }),
                Frame::Ping { ack, data } => outs.push(Out::Ping { ack, data }),
                Frame::PushPromise { stream_id, promised_id, fragment, end_headers } => {
                    assert!(end_headers, "small promises fit one frame");
                    let Out::Headers { fields, .. } = done_block(self, stream_id, false, fragment, 1) else { unreachable!() };
                    outs.push(Out::Promise { id: stream_id, promised: promised_id, fields });
                }
                other => panic!("unexpected frame from the server: {other:?}"),
            }
        }
        assert!(pending.is_none(), "header block split across writes");
        self.rest = buf[pos..].to_vec();
        outs
    }
}

fn settings(params: &[(u16, u32)]) -> Vec<u8> {
    let mut out = Vec::new();
    frame::encode_settings(&mut out, params);
    out
}

fn data(id: u32, bytes: &[u8], end_stream: bool) -> Vec<u8> {
    let mut out = Vec::new();
    frame::encode_data(&mut out, id, bytes, end_stream);
    out
}

fn window_update(id: u32, inc: u32) -> Vec<u8> {
    // By hand: the encoder refuses an increment of 0, which the tests need.
    let mut out = Vec::new();
    frame::encode_header(&mut out, 4, kind::WINDOW_UPDATE, 0, id);
    out.extend_from_slice(&inc.to_be_bytes());
    out
}

fn rst(id: u32, code: ErrorCode) -> Vec<u8> {
    let mut out = Vec::new();
    frame::encode_rst_stream(&mut out, id, code);
    out
}

fn ping(ack: bool, d: &[u8; 8]) -> Vec<u8> {
    let mut out = Vec::new();
    frame::encode_ping(&mut out, ack, d);
    out
}

fn priority(id: u32, dependency: u32, weight: u16, exclusive: bool) -> Vec<u8> {
    let mut out = Vec::new();
    frame::encode_priority(&mut out, id, PrioritySpec { exclusive, dependency, weight });
    out
}

fn priority_update(id: u32, value: &str) -> Vec<u8> {
    let mut out = Vec::new();
    frame::encode_priority_update(&mut out, id, value.as_bytes());
    out
}

fn get(path: &str) -> Vec<(&'static str, String)> {
    vec![(":method", "GET".into()), (":scheme", "http".into()), (":authority", "localhost".into()), (":path", path.into())]
}

/// A connection and its client, past the preface and SETTINGS exchange.
struct T {
    conn: Connection,
    c: Client,
    /// Every other `out` goes through `write_gather` (and this output, recycled).
    gathered: Option<Output>,
}

impl T {
    fn new(cfg: Config) -> Self {
        Self::with_settings(cfg, &[])
    }

    fn with_settings(cfg: Config, params: &[(u16, u32)]) -> Self {
        let mut t = T { conn: Connection::new(cfg), c: Client::new(), gathered: None };
        let mut input = PREFACE.to_vec();
        input.extend(settings(params));
        t.feed(&input);
        let out = t.out();
        assert!(matches!(out[0], Out::Settings { ack: false, .. }), "{out:?}");
        assert!(out.contains(&Out::Settings { ack: true, params: vec![] }), "{out:?}");
        let mut ack = Vec::new();
        frame::encode_settings_ack(&mut ack);
        t.feed(&ack);
        t
    }

    fn feed(&mut self, bytes: &[u8]) {
        let n = self.conn.recv(bytes);
        assert_eq!(n, bytes.len(), "whole frames are consumed");
    }

    fn out_max(&mut self, max: usize) -> Vec<Out> {
        let mut buf = Vec::new();
        match self.gathered.take() {
            None => {
                self.conn.write(&mut buf, max);
                self.gathered = Some(Output::default());
            }
            Some(mut o) => {
                self.conn.write_gather(&mut o, max);
                for s in o.slices() {
                    assert!(!s.is_empty());
                    buf.extend_from_slice(s);
                }
                assert_eq!(buf.len(), o.len());
                self.conn.recycle_output(&mut o);
                assert!(o.is_empty());
            }
        }
        self.c.parse(&buf)
    }

    fn out(&mut self) -> Vec<Out> {
        self.out_max(usize::MAX)
    }

    fn events(&mut self) -> Vec<Event> {
        std::iter::from_fn(|| self.conn.poll_event()).collect()
    }

    fn request(&mut self, id: u32, fields: &[(&str, &str)], end_stream: bool) {
        let b = self.c.headers(id, fields, end_stream);
        self.feed(&b);
    }

    fn get(&mut self, id: u32, path: &str) {
        let f = get(path);
        let f: Vec<(&str, &str)> = f.iter().map(|(n, v)| (*n, v.as_str())).collect();
        self.request(id, &f, true);
    }

    /// A GET with an RFC 7540 priority on the HEADERS.
    fn get_prio(&mut self, id: u32, dependency: u32, weight: u16, exclusive: bool) {
        let g = get("/");
        let f: Vec<(&str, &str)> = g.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let h = self.c.headers_prio(id, &f, true, PrioritySpec { exclusive, dependency, weight });
        self.feed(&h);
    }

    /// A 200 response with a body of `len` zero bytes.
    fn respond(&mut self, id: u32, len: usize, highest: bool) {
        self.conn.send_response(id, 200, &[], false, highest);
        self.conn.send_data(id, &[&vec![0u8; len]], true);
    }

    /// Expects exactly one Request event and returns it.
    fn one_request(&mut self) -> (u32, RequestHead, Vec<u8>, bool) {
        let ev = self.events();
        assert_eq!(ev.len(), 1, "{ev:?}");
        match ev.into_iter().next().unwrap() {
            Event::Request { stream_id, head, body, too_large } => (stream_id, head, body, too_large),
            other => panic!("expected a request, got {other:?}"),
        }
    }

    fn goaway(&mut self) -> ErrorCode {
        let out = self.out();
        let code = out
            .iter()
            .find_map(|o| if let Out::GoAway { code, .. } = o { Some(*code) } else { None })
            .unwrap_or_else(|| panic!("no GOAWAY in {out:?}"));
        assert!(self.conn.is_closed());
        code
    }
}

fn data_of(out: &[Out], id: u32) -> Vec<u8> {
    out.iter()
        .filter_map(|o| if let Out::Data { id: i, data, .. } = o { (*i == id).then_some(data.clone()) } else { None })
        .flatten()
        .collect()
}

fn data_ids(out: &[Out]) -> Vec<u32> {
    out.iter().filter_map(|o| if let Out::Data { id, .. } = o { Some(*id) } else { None }).collect()
}

fn rsts(out: &[Out]) -> Vec<(u32, ErrorCode)> {
    out.iter().filter_map(|o| if let Out::Rst { id, code } = o { Some((*id, *code)) } else { None }).collect()
}

fn small() -> Config {
    Config::default()
}

// ---- preface and settings -------------------------------------------------------------------

#[test]
fn server_preface_is_settings_then_window_update() {
    let mut conn = Connection::new(Config::default());
    assert!(conn.wants_write());
    let mut buf = Vec::new();
    conn.write(&mut buf, usize::MAX);
    let out = Client::new().parse(&buf);
    assert_eq!(
        out,
        vec![
            Out::Settings { ack: false, params: vec![(setting::MAX_CONCURRENT_STREAMS, 100), (setting::INITIAL_WINDOW_SIZE, 16_777_216)] },
            Out::WindowUpdate { id: 0, inc: 16_777_216 - 65535 },
        ]
    );
    // 2.2.5's SETTINGS bytes exactly.
    assert_eq!(&buf[..21], b"\x00\x00\x0c\x04\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x64\x00\x04\x01\x00\x00\x00");
    assert!(!conn.wants_write());
    assert!(!conn.is_closed());
}

#[test]
fn preface_in_pieces_then_settings_ack() {
    let mut t = T { conn: Connection::new(Config::default()), c: Client::new(), gathered: None };
    t.out();
    let mut input = PREFACE.to_vec();
    input.extend(settings(&[(setting::MAX_FRAME_SIZE, 20000)]));
    let mut buf = Vec::new();
    for b in input.chunks(5) {
        buf.extend_from_slice(b);
        let n = t.conn.recv(&buf);
        buf.drain(..n);
    }
    assert!(buf.is_empty());
    assert_eq!(t.out(), vec![Out::Settings { ack: true, params: vec![] }]);
}

#[test]
fn incomplete_frame_is_left_to_the_caller() {
    let mut t = T::new(small());
    let h = t.c.headers(1, &[(":method", "GET"), (":scheme", "http"), (":path", "/")], true);
    assert_eq!(t.conn.recv(&h[..h.len() - 1]), 0);
    assert_eq!(t.conn.recv(&h), h.len());
    t.one_request();
}

#[test]
fn bad_preface_is_goaway_protocol_error() {
    for input in [&b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"[..], b"PRI * HTTP/1.1\r\n", b"X"] {
        let mut conn = Connection::new(Config::default());
        assert_eq!(conn.recv(input), input.len());
        let mut buf = Vec::new();
        conn.write(&mut buf, usize::MAX);
        let out = Client::new().parse(&buf);
        assert_eq!(out.last(), Some(&Out::GoAway { last: 0, code: ErrorCode::PROTOCOL_ERROR }), "{out:?}");
        assert!(conn.is_closed());
        assert!(!conn.wants_write());
    }
}

#[test]
fn first_frame_must_be_settings() {
    let mut conn = Connection::new(Config::default());
    let mut input = PREFACE.to_vec();
    input.extend(ping(false, b"12345678"));
    conn.recv(&input);
    let mut buf = Vec::new();
    conn.write(&mut buf, usize::MAX);
    let out = Client::new().parse(&buf);
    assert_eq!(out.last(), Some(&Out::GoAway { last: 0, code: ErrorCode::PROTOCOL_ERROR }));
}

#[test]
fn ping_is_acked_and_unknown_frames_ignored() {
    let mut t = T::new(small());
    let mut input = Vec::new();
    frame::encode_header(&mut input, 3, 0xfa, 0, 0);
    input.extend_from_slice(b"abc");
    input.extend(ping(false, b"abcdefgh"));
    t.feed(&input);
    assert_eq!(t.out(), vec![Out::Ping { ack: true, data: *b"abcdefgh" }]);
}

#[test]
fn push_promise_from_client_is_protocol_error() {
    let mut t = T::new(small());
    let mut input = Vec::new();
    frame::encode_push_promise(&mut input, 1, 2, &[0x82], 16384);
    t.feed(&input);
    assert_eq!(t.goaway(), ErrorCode::PROTOCOL_ERROR);
}

#[test]
fn invalid_settings_values() {
    for (id, v, code) in [
        (setting::INITIAL_WINDOW_SIZE, 0x8000_0000, ErrorCode::FLOW_CONTROL_ERROR),
        (setting::MAX_FRAME_SIZE, 100, ErrorCode::PROTOCOL_ERROR),
        (setting::ENABLE_PUSH, 2, ErrorCode::PROTOCOL_ERROR),
        (setting::NO_RFC7540_PRIORITIES, 2, ErrorCode::PROTOCOL_ERROR),
    ] {
        let mut t = T::new(small());
        t.feed(&settings(&[(id, v)]));
        assert_eq!(t.goaway(), code, "setting {id}={v}");
    }
}

// ---- requests and responses -----------------------------------------------------------------

#[test]
fn recycled_heads_hold_only_the_new_request() {
    let mut t = T::new(small());
    t.request(1, &[(":method", "POST"), (":scheme", "http"), (":authority", "a.example"), (":path", "/first/long/path"), ("x-one", "1"), ("x-two", "22"), ("content-length", "0")], true);
    let (_, head, _, _) = t.one_request();
    assert_eq!(head.content_length, Some(0));
    t.conn.recycle_head(head);
    t.request(3, &[(":method", "GET"), (":scheme", "https"), (":path", "/2"), ("accept", "*/*")], true);
    let (id, head, _, _) = t.one_request();
    assert_eq!(id, 3);
    assert_eq!((head.method(), head.scheme(), head.authority(), head.path()), (&b"GET"[..], &b"https"[..], &b""[..], &b"/2"[..]));
    let fields: Vec<(&[u8], &[u8])> = head.fields().collect();
    assert_eq!(fields, vec![(&b"accept"[..], &b"*/*"[..])]);
    assert_eq!(head.content_length, None);
    assert_eq!(head.string_bytes(), b"GEThttps/2accept*/*".len());
}

#[test]
fn gathered_output_moves_whole_queues_and_matches_the_copy() {
    let body: Vec<u8> = (0..40000u32).map(|i| i as u8).collect();
    let run = |gather: bool| {
        let mut t = T::new(small());
        t.get(1, "/a");
        t.get(3, "/b");
        t.events();
        t.conn.send_response(1, 200, &[(b"content-type", b"text/plain")], false, false);
        t.conn.send_data(1, &[&body[..16384]], true);
        t.conn.send_response(3, 200, &[], false, false);
        t.conn.send_data(3, &[&body], true);
        let mut bytes = Vec::new();
        let mut moved = 0;
        let mut o = Output::default();
        while t.conn.wants_write() {
            if gather {
                t.conn.write_gather(&mut o, 20000);
                moved += o.chunks.len();
                o.slices().for_each(|s| bytes.extend_from_slice(s));
                t.conn.recycle_output(&mut o);
            } else {
                t.conn.write(&mut bytes, 20000);
            }
        }
        (bytes, moved)
    };
    let (copied, _) = run(false);
    let (gathered, moved) = run(true);
    assert_eq!(moved, 1, "stream 1's whole queue is moved; stream 3's pieces are copied");
    assert_eq!(gathered, copied);
    let out = Client::new().parse(&gathered);
    let data: usize = out.iter().map(|o| if let Out::Data { data, .. } = o { data.len() } else { 0 }).sum();
    assert_eq!(data, 16384 + 40000);
}

#[test]
fn simple_get_and_response() {
    let mut t = T::new(small());
    t.request(1, &[(":method", "GET"), (":scheme", "https"), (":authority", "example.com"), (":path", "/index.html"), ("cookie", "a=1"), ("cookie", "b=2"), ("user-agent", "t")], true);
    let (id, head, body, too_large) = t.one_request();
    assert_eq!((id, too_large), (1, false));
    assert!(body.is_empty());
    assert_eq!(head.method(), b"GET");
    assert_eq!(head.scheme(), b"https");
    assert_eq!(head.authority(), b"example.com");
    assert_eq!(head.path(), b"/index.html");
    let names: Vec<&[u8]> = head.fields().map(|f| f.0).collect();
    assert_eq!(names, vec![&b"cookie"[..], b"cookie", b"user-agent"]);
    assert_eq!(t.conn.stream_counts(), (1, 1));
    assert!(!t.conn.is_idle());

    t.conn.send_response(1, 200, &[(b"content-type", b"text/html")], false, false);
    assert!(!t.conn.send_data(1, &[b"hello ", b"world"], true), "nothing more after END_STREAM");
    let out = t.out();
    assert_eq!(
        out,
        vec![
            Out::Headers { id: 1, fields: vec![(":status".into(), "200".into()), ("content-type".into(), "text/html".into())], end_stream: false, frames: 1 },
            Out::Data { id: 1, data: b"hello world".to_vec(), end_stream: true },
        ]
    );
    assert!(t.conn.is_idle());
    assert!(t.events().is_empty());
    // Calls for the finished stream are ignored.
    assert!(!t.conn.send_data(1, &[b"x"], true));
    t.conn.send_response(1, 200, &[], true, false);
    assert!(t.out().is_empty());
}

#[test]
fn response_without_body_ends_on_headers() {
    let mut t = T::new(small());
    t.get(1, "/");
    t.one_request();
    t.conn.send_response(1, 404, &[(b"content-length", b"0")], true, false);
    let out = t.out();
    assert_eq!(out.len(), 1);
    assert!(matches!(&out[0], Out::Headers { id: 1, end_stream: true, .. }));
    assert_eq!(out[0].status(), Some("404"));
    assert!(t.conn.is_idle());

    // An empty final send_data before the write also ends on HEADERS.
    t.get(3, "/");
    t.one_request();
    t.conn.send_response(3, 204, &[], false, false);
    t.conn.send_data(3, &[], true);
    let out = t.out();
    assert!(matches!(&out[..], [Out::Headers { id: 3, end_stream: true, .. }]), "{out:?}");
}

#[test]
fn status_codes_without_static_entry() {
    let mut t = T::new(small());
    t.get(1, "/");
    t.one_request();
    t.conn.send_response(1, 301, &[(b"location", b"/x")], true, false);
    assert_eq!(t.out()[0].status(), Some("301"));
}

#[test]
fn post_body_is_gathered() {
    let mut t = T::new(small());
    t.request(1, &[(":method", "POST"), (":scheme", "http"), (":path", "/up"), ("content-length", "11")], false);
    assert!(t.events().is_empty());
    t.feed(&data(1, b"hello", false));
    // A padded frame: padding counts for flow control, not for the body.
    let mut padded = Vec::new();
    frame::encode_header(&mut padded, 1 + 6 + 10, kind::DATA, flag::PADDED | flag::END_STREAM, 1);
    padded.push(10);
    padded.extend_from_slice(b" world");
    padded.extend_from_slice(&[0; 10]);
    t.feed(&padded);
    let (id, head, body, too_large) = t.one_request();
    assert_eq!((id, too_large), (1, false));
    assert_eq!(body, b"hello world");
    assert_eq!(head.content_length, Some(11));
    assert_eq!(head.method(), b"POST");
}

#[test]
fn content_length_mismatch_is_stream_protocol_error() {
    for (cl, chunks) in [("5", &["abc"][..]), ("2", &["abc"][..]), ("4", &["ab", "cde"][..]), ("3", &[][..])] {
        let mut t = T::new(small());
        t.request(1, &[(":method", "POST"), (":scheme", "http"), (":path", "/"), ("content-length", cl)], chunks.is_empty());
        for (i, c) in chunks.iter().enumerate() {
            t.feed(&data(1, c.as_bytes(), i + 1 == chunks.len()));
        }
        assert!(t.events().is_empty(), "cl {cl}");
        let out = t.out();
        assert_eq!(rsts(&out), vec![(1, ErrorCode::PROTOCOL_ERROR)], "cl {cl}: {out:?}");
        assert!(t.conn.is_idle());
        // The connection goes on.
        t.get(3, "/");
        assert_eq!(t.one_request().0, 3);
    }
}

#[test]
fn request_validation_rules() {
    let base = [(":method", "GET"), (":scheme", "http"), (":authority", "a"), (":path", "/")];
    let with = |extra: &[(&'static str, &'static str)]| -> Vec<(&'static str, &'static str)> {
        let mut v = base.to_vec();
        v.extend_from_slice(extra);
        v
    };
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("uppercase name", with(&[("User-Agent", "x")])),
        ("space in name", with(&[("user agent", "x")])),
        ("colon in name", with(&[("a:b", "x")])),
        ("connection", with(&[("connection", "close")])),
        ("keep-alive", with(&[("keep-alive", "5")])),
        ("proxy-connection", with(&[("proxy-connection", "x")])),
        ("transfer-encoding", with(&[("transfer-encoding", "chunked")])),
        ("upgrade", with(&[("upgrade", "h2c")])),
        ("te gzip", with(&[("te", "gzip")])),
        ("te list", with(&[("te", "trailers, gzip")])),
        ("pseudo after regular", vec![(":method", "GET"), (":scheme", "http"), ("accept", "*/*"), (":path", "/")]),
        ("duplicated :path", with(&[(":path", "/again")])),
        ("duplicated :method", vec![(":method", "GET"), (":method", "GET"), (":scheme", "http"), (":path", "/")]),
        ("response pseudo", vec![(":status", "200"), (":method", "GET"), (":scheme", "http"), (":path", "/")]),
        ("unknown pseudo", vec![(":method", "GET"), (":scheme", "http"), (":path", "/"), (":foo", "x")]),
        (":protocol", vec![(":method", "CONNECT"), (":protocol", "websocket"), (":authority", "a")]),
        ("no :method", vec![(":scheme", "http"), (":path", "/")]),
        ("no :scheme", vec![(":method", "GET"), (":path", "/")]),
        ("no :path", vec![(":method", "GET"), (":scheme", "http")]),
        ("empty :path", vec![(":method", "GET"), (":scheme", "http"), (":path", "")]),
        ("CONNECT with :path", vec![(":method", "CONNECT"), (":authority", "a:443"), (":path", "/")]),
        ("CONNECT with :scheme", vec![(":method", "CONNECT"), (":authority", "a:443"), (":scheme", "http")]),
        ("CONNECT without :authority", vec![(":method", "CONNECT")]),
        ("NUL in value", with(&[("x-a", "a\0b")])),
        ("CR in value", with(&[("x-a", "a\rb")])),
        ("LF in value", with(&[("x-a", "a\nb")])),
        ("leading space", with(&[("x-a", " a")])),
        ("trailing tab", with(&[("x-a", "a\t")])),
        ("LF in :path", vec![(":method", "GET"), (":scheme", "http"), (":path", "/\n")]),
        ("bad content-length", with(&[("content-length", "12a")])),
        ("negative content-length", with(&[("content-length", "-1")])),
        ("conflicting content-length", with(&[("content-length", "1"), ("content-length", "2")])),
        ("content-length without body", with(&[("content-length", "3")])),
    ];
    let mut t = T::new(small());
    let mut id = 1;
    for (what, fields) in &cases {
        t.request(id, fields, true);
        assert!(t.events().is_empty(), "{what}: accepted");
        let out = t.out();
        assert_eq!(rsts(&out), vec![(id, ErrorCode::PROTOCOL_ERROR)], "{what}: {out:?}");
        id += 2;
    }
    // HPACK state stayed in sync through all of them; valid variants are accepted.
    let ok: Vec<Vec<(&str, &str)>> = vec![
        with(&[("te", "trailers")]),
        with(&[("te", "Trailers")]),
        with(&[("x-empty", "")]),
        with(&[("x-inner", "a b\tc")]),
        with(&[("content-length", "0")]),
        vec![(":method", "CONNECT"), (":authority", "a:443")],
        vec![(":method", "OPTIONS"), (":scheme", "http"), (":path", "*")],
    ];
    for fields in &ok {
        t.request(id, fields, true);
        assert_eq!(t.one_request().0, id, "{fields:?}");
        id += 2;
    }
    assert!(!t.conn.is_closed());
}

#[test]
fn trailers_are_accepted_and_dropped() {
    let mut t = T::new(small());
    t.request(1, &[(":method", "POST"), (":scheme", "http"), (":path", "/"), ("te", "trailers")], false);
    t.feed(&data(1, b"abc", false));
    t.request(1, &[("x-checksum", "123")], true);
    let (_, head, body, _) = t.one_request();
    assert_eq!(body, b"abc");
    assert!(!head.fields().any(|f| f.0 == b"x-checksum"));

    // Trailers without END_STREAM, or with a pseudo-header: stream PROTOCOL_ERROR.
    for (id, fields, end) in [(3, &[("x-a", "1")][..], false), (5, &[(":path", "/")][..], true), (7, &[("X-A", "1")][..], true)] {
        t.request(id, &[(":method", "POST"), (":scheme", "http"), (":path", "/")], false);
        t.request(id, fields, end);
        assert!(t.events().is_empty());
        assert_eq!(rsts(&t.out()), vec![(id, ErrorCode::PROTOCOL_ERROR)]);
    }
}

#[test]
fn headers_on_half_closed_stream_is_stream_closed() {
    let mut t = T::new(small());
    t.get(1, "/");
    t.one_request();
    t.get(1, "/again");
    assert!(matches!(t.events()[..], [Event::StreamClosed { stream_id: 1 }]));
    assert_eq!(rsts(&t.out()), vec![(1, ErrorCode::STREAM_CLOSED)]);
    // The HPACK state survived.
    t.get(3, "/again");
    assert_eq!(t.one_request().1.path(), b"/again");
}

#[test]
fn stream_id_rules() {
    let mut t = T::new(small());
    t.get(2, "/");
    assert_eq!(t.goaway(), ErrorCode::PROTOCOL_ERROR);

    let mut t = T::new(small());
    t.get(5, "/");
    t.one_request();
    t.get(3, "/");
    assert_eq!(t.goaway(), ErrorCode::PROTOCOL_ERROR);

    // A closed stream's id again: STREAM_CLOSED (connection error after END_STREAM).
    let mut t = T::new(small());
    t.get(1, "/");
    t.one_request();
    t.conn.send_response(1, 200, &[], true, false);
    t.out();
    t.get(1, "/");
    assert_eq!(t.goaway(), ErrorCode::STREAM_CLOSED);
}

#[test]
fn data_stream_states() {
    // Idle: connection PROTOCOL_ERROR.
    let mut t = T::new(small());
    t.feed(&data(1, b"x", true));
    assert_eq!(t.goaway(), ErrorCode::PROTOCOL_ERROR);

    // Half-closed (remote): stream STREAM_CLOSED.
    let mut t = T::new(small());
    t.get(1, "/");
    t.one_request();
    t.feed(&data(1, b"x", true));
    assert!(matches!(t.events()[..], [Event::StreamClosed { stream_id: 1 }]));
    assert_eq!(rsts(&t.out()), vec![(1, ErrorCode::STREAM_CLOSED)]);

    // Closed normally: STREAM_CLOSED; reset by us: ignored.
    let mut t = T::new(small());
    t.get(1, "/");
    t.one_request();
    t.conn.send_response(1, 200, &[], true, false);
    t.out();
    t.feed(&data(1, b"x", false));
    assert_eq!(rsts(&t.out()), vec![(1, ErrorCode::STREAM_CLOSED)]);
    t.request(3, &[(":method", "POST"), (":scheme", "http"), (":path", "/")], false);
    t.conn.reset_stream(3, ErrorCode::CANCEL);
    assert_eq!(rsts(&t.out()), vec![(3, ErrorCode::CANCEL)]);
    t.feed(&data(3, b"late", true));
    assert!(t.out().is_empty());
    assert!(t.events().is_empty());
    assert!(!t.conn.is_closed());
}

#[test]
fn continuation_sequencing() {
    let mut t = T::new(small());
    let block = t.c.block(&[(":method", "GET"), (":scheme", "http"), (":path", "/split"), ("x-long", &"v".repeat(100))]);
    let mut input = Vec::new();
    frame::encode_header(&mut input, 10, kind::HEADERS, flag::END_STREAM, 1);
    input.extend_from_slice(&block[..10]);
    frame::encode_continuation(&mut input, 1, &block[10..20], false);
    frame::encode_continuation(&mut input, 1, &block[20..], true);
    t.feed(&input);
    assert_eq!(t.one_request().1.path(), b"/split");

    // Anything else in between: connection PROTOCOL_ERROR.
    for other in [ping(false, b"12345678"), data(3, b"", false), {
        let mut c = Vec::new();
        frame::encode_continuation(&mut c, 5, b"x", true);
        c
    }] {
        let mut t = T::new(small());
        let block = t.c.block(&[(":method", "GET"), (":scheme", "http"), (":path", "/")]);
        let mut input = Vec::new();
        frame::encode_header(&mut input, 2, kind::HEADERS, flag::END_STREAM, 3);
        input.extend_from_slice(&block[..2]);
        input.extend(other);
        t.feed(&input);
        assert_eq!(t.goaway(), ErrorCode::PROTOCOL_ERROR);
    }

    // CONTINUATION out of the blue.
    let mut t = T::new(small());
    let mut c = Vec::new();
    frame::encode_continuation(&mut c, 1, b"x", true);
    t.feed(&c);
    assert_eq!(t.goaway(), ErrorCode::PROTOCOL_ERROR);
}

#[test]
fn large_response_headers_use_continuation() {
    let mut t = T::with_settings(small(), &[(setting::HEADER_TABLE_SIZE, 0)]);
    t.get(1, "/");
    t.one_request();
    let big = "x".repeat(40000);
    t.conn.send_response(1, 200, &[(b"x-big", big.as_bytes()), (b"server", b"h2o")], true, false);
    let out = t.out();
    match &out[..] {
        [Out::Headers { id: 1, fields, end_stream: true, frames }] => {
            assert!(*frames >= 2, "{frames}");
            assert_eq!(fields[1].1.len(), 40000);
            assert_eq!(fields[2], ("server".into(), "h2o".into()));
        }
        other => panic!("{other:?}"),
    }
    // The peer's table size 0 was honoured (the client decoder would have failed otherwise,
    // and its table stays empty).
    assert_eq!(t.c.dec.table_size().0, 0);
}

#[test]
fn peer_max_frame_size_bounds_header_frames() {
    let mut t = T::with_settings(small(), &[(setting::MAX_FRAME_SIZE, 1 << 20)]);
    t.get(1, "/");
    t.one_request();
    let big = "y".repeat(40000);
    t.conn.send_response(1, 200, &[(b"x-big", big.as_bytes())], false, false);
    let body = vec![7u8; 40000];
    t.conn.send_data(1, &[&body], true);
    let out = t.out();
    assert!(matches!(&out[0], Out::Headers { frames: 1, .. }), "{:?}", out[0]);
    // DATA stays in 16 KB chunks for the scheduler.
    let sizes: Vec<usize> = out.iter().filter_map(|o| if let Out::Data { data, .. } = o { Some(data.len()) } else { None }).collect();
    assert_eq!(sizes, vec![16384, 16384, 40000 - 32768]);
}

// ---- flow control ---------------------------------------------------------------------------

#[test]
fn peer_window_zero_blocks_and_window_update_resumes() {
    let mut t = T::with_settings(small(), &[(setting::INITIAL_WINDOW_SIZE, 0)]);
    t.get(1, "/");
    t.one_request();
    t.conn.send_response(1, 200, &[], false, false);
    assert!(!t.conn.send_data(1, &[&[1u8; 300]], true));
    let out = t.out();
    assert!(matches!(&out[..], [Out::Headers { id: 1, end_stream: false, .. }]), "{out:?}");
    assert!(!t.conn.wants_write());
    t.feed(&window_update(1, 100));
    assert!(t.conn.wants_write());
    let out = t.out();
    assert_eq!(out, vec![Out::Data { id: 1, data: vec![1; 100], end_stream: false }]);
    t.feed(&window_update(1, 1000));
    assert_eq!(t.out(), vec![Out::Data { id: 1, data: vec![1; 200], end_stream: true }]);
    assert!(t.conn.is_idle());
}

#[test]
fn connection_window_limits_all_streams() {
    let mut t = T::new(small());
    for id in [1, 3] {
        t.get(id, "/");
    }
    t.events();
    let body = vec![9u8; 50000];
    for id in [1, 3] {
        t.respond(id, body.len(), false);
    }
    let out = t.out();
    assert_eq!(data_of(&out, 1).len() + data_of(&out, 3).len(), 65535);
    assert!(!t.conn.wants_write());
    t.feed(&window_update(0, 100_000));
    let out2 = t.out();
    assert_eq!(data_of(&out, 1).len() + data_of(&out2, 1).len(), 50000);
    assert_eq!(data_of(&out, 3).len() + data_of(&out2, 3).len(), 50000);
    assert!(t.conn.is_idle());
}

#[test]
fn initial_window_size_change_mid_stream_incl_negative() {
    let mut t = T::with_settings(small(), &[(setting::INITIAL_WINDOW_SIZE, 1000)]);
    t.get(1, "/");
    t.one_request();
    t.conn.send_response(1, 200, &[], false, false);
    t.conn.send_data(1, &[&[5u8; 3000]], true);
    let out = t.out();
    assert_eq!(data_of(&out, 1).len(), 1000);
    // Window 0 now; shrink the initial window by 500: the stream window goes to -500.
    t.feed(&settings(&[(setting::INITIAL_WINDOW_SIZE, 500)]));
    assert_eq!(t.out(), vec![Out::Settings { ack: true, params: vec![] }]);
    t.feed(&window_update(1, 400));
    assert!(t.out().is_empty(), "window still -100");
    t.feed(&window_update(1, 300));
    assert_eq!(data_of(&t.out(), 1).len(), 200);
    // Raise it: +1500 opens the rest.
    t.feed(&settings(&[(setting::INITIAL_WINDOW_SIZE, 2000)]));
    let out = t.out();
    assert_eq!(out[0], Out::Settings { ack: true, params: vec![] });
    assert_eq!(data_of(&out, 1).len(), 1500);
    t.feed(&settings(&[(setting::INITIAL_WINDOW_SIZE, 3000)]));
    let out = t.out();
    assert_eq!(data_of(&out, 1).len(), 300);
    assert!(matches!(out.last(), Some(Out::Data { end_stream: true, .. })));
}

#[test]
fn initial_window_size_overflow_is_flow_control_error() {
    let mut t = T::new(small());
    t.get(1, "/");
    t.one_request();
    t.feed(&window_update(1, 0x7fff_ffff - 65535));
    t.feed(&settings(&[(setting::INITIAL_WINDOW_SIZE, 65536)]));
    assert_eq!(t.goaway(), ErrorCode::FLOW_CONTROL_ERROR);
    assert!(matches!(t.events()[..], [Event::StreamClosed { stream_id: 1 }]));
}

#[test]
fn window_update_overflow() {
    let mut t = T::new(small());
    t.get(1, "/");
    t.one_request();
    t.feed(&window_update(1, 0x7fff_ffff));
    assert_eq!(rsts(&t.out()), vec![(1, ErrorCode::FLOW_CONTROL_ERROR)]);
    assert!(matches!(t.events()[..], [Event::StreamClosed { stream_id: 1 }]));
    t.feed(&window_update(0, 0x7fff_ffff));
    assert_eq!(t.goaway(), ErrorCode::FLOW_CONTROL_ERROR);
}

#[test]
fn window_update_zero_and_idle() {
    let mut t = T::new(small());
    t.get(1, "/");
    t.one_request();
    t.feed(&window_update(1, 0));
    assert_eq!(rsts(&t.out()), vec![(1, ErrorCode::PROTOCOL_ERROR)]);
    t.feed(&window_update(7, 10));
    assert_eq!(t.goaway(), ErrorCode::PROTOCOL_ERROR);

    let mut t = T::new(small());
    t.feed(&window_update(0, 0));
    assert_eq!(t.goaway(), ErrorCode::PROTOCOL_ERROR);
}

#[test]
fn our_window_updates_replenish_at_half() {
    let cfg = Config { initial_window_size: 100_000, connection_window_size: 150_000, ..Config::default() };
    let mut t = T::new(cfg);
    let out = t.out();
    assert!(out.is_empty());
    t.request(1, &[(":method", "POST"), (":scheme", "http"), (":path", "/")], false);
    let chunk = vec![0u8; 10_000];
    for _ in 0..5 {
        t.feed(&data(1, &chunk, false));
    }
    assert!(t.out().is_empty(), "50% consumed: nothing yet");
    t.feed(&data(1, &chunk, false));
    assert_eq!(t.out(), vec![Out::WindowUpdate { id: 1, inc: 60_000 }]);
    for _ in 0..2 {
        t.feed(&data(1, &chunk, false));
    }
    // Connection: 80_000 of 150_000 consumed -> back to full.
    assert_eq!(t.out(), vec![Out::WindowUpdate { id: 0, inc: 80_000 }]);
    t.feed(&data(1, &chunk, true));
    assert_eq!(t.one_request().2.len(), 90_000);
    // No WINDOW_UPDATE for a stream that ended.
    assert!(t.out().is_empty());
}

#[test]
fn receive_windows_are_enforced() {
    let cfg = Config { initial_window_size: 1000, ..Config::default() };
    let mut t = T::new(cfg);
    t.request(1, &[(":method", "POST"), (":scheme", "http"), (":path", "/")], false);
    t.feed(&data(1, &[0; 1001], false));
    assert_eq!(rsts(&t.out()), vec![(1, ErrorCode::FLOW_CONTROL_ERROR)]);

    // The connection window: we replenish at half, so a client that respects it never runs
    // out; one that sends beyond what it was given does.
    let mut t = T::new(small());
    t.request(3, &[(":method", "POST"), (":scheme", "http"), (":path", "/")], false);
    t.conn.conn_in = 100;
    t.feed(&data(3, &[0; 101], false));
    assert_eq!(t.goaway(), ErrorCode::FLOW_CONTROL_ERROR);
}

// ---- streams and limits ---------------------------------------------------------------------

#[test]
fn max_concurrent_streams_refuses_and_abuse_ends_in_calm() {
    let cfg = Config { max_concurrent_streams: 2, limits: Limits { max_resets_per_window: 3, ..Limits::default() }, ..Config::default() };
    let mut t = T::new(cfg);
    t.get(1, "/");
    t.get(3, "/");
    t.get(5, "/");
    assert_eq!(t.events().len(), 2);
    assert_eq!(rsts(&t.out()), vec![(5, ErrorCode::REFUSED_STREAM)]);
    // One finishes: room for another.
    t.conn.send_response(1, 200, &[], true, false);
    t.out();
    t.get(7, "/");
    assert_eq!(t.one_request().0, 7);
    for id in [9, 11, 13, 15] {
        t.get(id, "/");
    }
    let out = t.out();
    assert_eq!(rsts(&out).len(), 3, "{out:?}");
    assert_eq!(out.last(), Some(&Out::GoAway { last: 15, code: ErrorCode::ENHANCE_YOUR_CALM }));
    assert!(t.conn.is_closed());
    let ev = t.events();
    assert_eq!(ev.len(), 2, "3 and 7 were delivered: {ev:?}");
    assert!(ev.iter().all(|e| matches!(e, Event::StreamClosed { .. })));
}

#[test]
fn client_reset_closes_delivered_stream() {
    let mut t = T::new(small());
    t.get(1, "/");
    t.one_request();
    t.conn.send_response(1, 200, &[], false, false);
    t.conn.send_data(1, &[b"partial"], false);
    t.feed(&rst(1, ErrorCode::CANCEL));
    assert!(matches!(t.events()[..], [Event::StreamClosed { stream_id: 1 }]));
    assert!(t.conn.is_idle());
    // Nothing is written for it any more, and later calls are ignored.
    assert!(data_of(&t.out(), 1).is_empty());
    assert!(!t.conn.send_data(1, &[b"more"], true));
    // RST on an idle stream is a connection error.
    t.feed(&rst(9, ErrorCode::CANCEL));
    assert_eq!(t.goaway(), ErrorCode::PROTOCOL_ERROR);
}

#[test]
fn send_data_backpressure_and_want_data() {
    let cfg = Config { limits: Limits { max_buffered_per_stream: 1000, ..Limits::default() }, ..Config::default() };
    let mut t = T::new(cfg);
    t.get(1, "/");
    t.one_request();
    t.conn.send_response(1, 200, &[], false, false);
    assert!(t.conn.send_data(1, &[&[1u8; 600]], false));
    assert!(!t.conn.send_data(1, &[&[2u8; 600]], false));
    assert!(t.events().is_empty());
    let out = t.out();
    assert_eq!(data_of(&out, 1).len(), 1200);
    assert!(matches!(t.events()[..], [Event::WantData { stream_id: 1 }]));
    // Told "no" and then called again anyway, and told "yes": no WantData is owed any more.
    assert!(!t.conn.send_data(1, &[&[3u8; 1000]], false));
    assert!(t.conn.send_data(1, &[], false) || t.conn.streams[&1].want_data);
    t.out();
    assert!(matches!(t.events()[..], [Event::WantData { stream_id: 1 }]));
    assert!(t.conn.send_data(1, &[b"x"], false));
    t.out();
    assert!(t.events().is_empty(), "nothing owed after a true");
    assert!(!t.conn.send_data(1, &[b"end"], true));
    assert!(matches!(t.out().last(), Some(Out::Data { end_stream: true, .. })));
}

#[test]
fn want_data_after_window_update() {
    let mut t = T::with_settings(small(), &[(setting::INITIAL_WINDOW_SIZE, 100)]);
    t.get(1, "/");
    t.one_request();
    t.conn.send_response(1, 200, &[], false, false);
    assert!(!t.conn.send_data(1, &[&[1u8; 100]], false));
    assert_eq!(data_of(&t.out(), 1).len(), 100);
    assert!(t.events().is_empty(), "window is 0");
    t.feed(&window_update(1, 5000));
    assert!(matches!(t.events()[..], [Event::WantData { stream_id: 1 }]));
}

#[test]
fn zero_window_hold_stays_bounded() {
    let cfg = Config { max_concurrent_streams: 100, ..Config::default() };
    let mut t = T::with_settings(cfg, &[(setting::INITIAL_WINDOW_SIZE, 0)]);
    let chunk = vec![0u8; 8192];
    for i in 0..100 {
        let id = 1 + 2 * i;
        t.get(id, "/");
    }
    assert_eq!(t.events().len(), 100);
    let mut calls = 0;
    for i in 0..100u32 {
        let id = 1 + 2 * i;
        t.conn.send_response(id, 200, &[], false, false);
        // The glue stops when told to.
        while t.conn.send_data(id, &[&chunk], false) {
            calls += 1;
        }
    }
    assert_eq!(calls, 0, "window 0: nothing more is asked for after the first chunk");
    let queued: usize = t.conn.streams.values().map(|s| s.queued()).sum();
    assert_eq!(queued, 100 * 8192);
    // One more connection would be refused beyond max_concurrent_streams.
    t.get(201, "/");
    assert_eq!(rsts(&t.out()).last(), Some(&(201, ErrorCode::REFUSED_STREAM)));
}

#[test]
fn too_large_body_is_delivered_at_once_and_rest_discarded() {
    let cfg = Config { max_request_body: 10, initial_window_size: 1000, ..Config::default() };
    let mut t = T::new(cfg);
    t.request(1, &[(":method", "POST"), (":scheme", "http"), (":path", "/")], false);
    t.feed(&data(1, b"0123456789", false));
    assert!(t.events().is_empty());
    t.feed(&data(1, b"x", false));
    let (id, _, body, too_large) = t.one_request();
    assert!(too_large && body.is_empty() && id == 1);
    // More DATA is dropped but its flow-control credit still comes back.
    for _ in 0..3 {
        t.feed(&data(1, &[0; 300], false));
    }
    let out = t.out();
    assert!(out.iter().any(|o| matches!(o, Out::WindowUpdate { id: 1, .. })), "{out:?}");
    t.conn.send_response(1, 413, &[(b"content-length", b"0")], true, false);
    let out = t.out();
    assert!(matches!(&out[..], [Out::Headers { id: 1, end_stream: true, .. }, Out::Rst { id: 1, code: ErrorCode::NO_ERROR }]), "{out:?}");
    t.feed(&data(1, b"late", true));
    assert!(t.out().is_empty());
    // A window's worth of DATA in flight after the reset is not a flood.
    let cfg = Config { max_request_body: 10, limits: Limits { max_control_frames_per_tick: 10, ..Limits::default() }, ..Config::default() };
    let mut t2 = T::new(cfg);
    t2.request(1, &[(":method", "POST"), (":scheme", "http"), (":path", "/")], false);
    t2.feed(&data(1, &[0; 100], false));
    assert!(t2.one_request().3);
    t2.conn.send_response(1, 413, &[], true, false);
    t2.out();
    for _ in 0..100 {
        t2.feed(&data(1, &[0; 16384], false));
    }
    assert!(!t2.conn.is_closed());
    assert!(t2.out().iter().all(|o| matches!(o, Out::WindowUpdate { id: 0, .. })));

    // Announced by content-length: delivered on HEADERS.
    t.request(3, &[(":method", "POST"), (":scheme", "http"), (":path", "/"), ("content-length", "11")], false);
    assert!(t.one_request().3);
}

#[test]
fn hpack_bomb_gets_431() {
    let cfg = Config { max_header_list_size: 1000, ..Config::default() };
    let mut t = T::new(cfg);
    let v = "z".repeat(500);
    // The first request puts one big entry in the table; the second repeats it by index.
    t.request(1, &[(":method", "GET"), (":scheme", "http"), (":path", "/"), ("x-v", &v)], true);
    t.one_request();
    let f: Vec<(&str, &str)> = [(":method", "GET"), (":scheme", "http"), (":path", "/")].into_iter().chain(std::iter::repeat_n(("x-v", v.as_str()), 20)).collect();
    t.request(3, &f, true);
    assert!(t.events().is_empty());
    let out = t.out();
    assert!(matches!(&out[..], [Out::Headers { id: 3, end_stream: true, .. }]), "{out:?}");
    assert_eq!(out[0].status(), Some("431"));
    t.get(5, "/fine");
    assert_eq!(t.one_request().1.path(), b"/fine");
}

#[test]
fn hpack_failure_is_compression_error() {
    let mut t = T::new(small());
    let mut input = Vec::new();
    frame::encode_headers(&mut input, 1, &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], true, 16384);
    t.feed(&input);
    assert_eq!(t.goaway(), ErrorCode::COMPRESSION_ERROR);
}

// ---- priorities -----------------------------------------------------------------------------

#[test]
fn rfc7540_weights_order_data() {
    let mut t = T::new(small());
    t.get_prio(1, 0, 1, false);
    t.get_prio(3, 0, 256, false);
    t.events();
    let body = vec![0u8; 64 * 1024];
    for id in [1, 3] {
        t.respond(id, body.len(), false);
    }
    t.feed(&window_update(0, 1 << 20));
    let out = t.out();
    let ids = data_ids(&out);
    assert_eq!(&ids[..4], &[3, 3, 3, 3], "{ids:?}");
    assert_eq!(ids.len(), 8);
}

#[test]
fn rfc7540_dependency_is_served_after_parent() {
    let mut t = T::new(small());
    t.get(1, "/");
    t.get_prio(3, 1, 16, true);
    // Depends on an unknown stream: the root with the default weight.
    t.get_prio(5, 99, 200, false);
    t.events();
    assert_eq!(t.conn.tree.weight(t.conn.streams[&5].node), 16);
    assert_eq!(t.conn.tree.parent(t.conn.streams[&5].node), Tree::ROOT);
    t.feed(&window_update(0, 1 << 20));
    for id in [3, 1] {
        t.respond(id, 40000, false);
    }
    let ids = data_ids(&t.out());
    assert_eq!(ids, vec![1, 1, 1, 3, 3, 3]);
}

#[test]
fn priority_frames_and_placeholders() {
    let cfg = Config { max_streams_for_priority: 3, ..Config::default() };
    let mut t = T::new(cfg);
    // Firefox-style placeholders on idle streams.
    t.feed(&priority(3, 0, 201, false));
    t.feed(&priority(5, 0, 1, false));
    t.get_prio(7, 5, 16, false);
    t.get_prio(9, 3, 16, false);
    t.events();
    for id in [7, 9] {
        t.respond(id, 50000, false);
    }
    let ids = data_ids(&t.out_max(3 * 16384));
    assert_eq!(ids, vec![9, 9, 9], "placeholder 3 (201) before 5 (1)");
    // A stream can be opened on a placeholder id later.
    t.get(11, "/");
    t.feed(&priority(13, 0, 1, false));
    t.feed(&priority(15, 0, 1, false));
    assert_eq!(t.goaway(), ErrorCode::ENHANCE_YOUR_CALM);
}

#[test]
fn priority_self_dependency() {
    let mut t = T::new(small());
    t.get(1, "/");
    t.one_request();
    t.feed(&priority(1, 1, 16, false));
    assert!(matches!(t.events()[..], [Event::StreamClosed { stream_id: 1 }]));
    assert_eq!(rsts(&t.out()), vec![(1, ErrorCode::PROTOCOL_ERROR)]);
    t.feed(&priority(9, 9, 16, false));
    assert_eq!(t.goaway(), ErrorCode::PROTOCOL_ERROR);

    let mut t = T::new(small());
    t.get_prio(1, 1, 16, false);
    assert_eq!(t.goaway(), ErrorCode::PROTOCOL_ERROR);
}

#[test]
fn rfc9218_urgency_orders_data() {
    let mut t = T::new(small());
    t.request(1, &[(":method", "GET"), (":scheme", "http"), (":path", "/a"), ("priority", "u=5")], true);
    t.request(3, &[(":method", "GET"), (":scheme", "http"), (":path", "/b"), ("priority", "u=1")], true);
    t.request(5, &[(":method", "GET"), (":scheme", "http"), (":path", "/c")], true);
    t.events();
    for id in [1, 3, 5] {
        t.respond(id, 20000, false);
    }
    let ids = data_ids(&t.out());
    assert_eq!(ids, vec![3, 3, 5, 5, 1, 1]);
}

#[test]
fn priority_update_before_and_after_open() {
    let mut t = T::new(small());
    t.feed(&priority_update(3, "u=0"));
    t.get(1, "/");
    t.get(3, "/");
    t.get(5, "/");
    t.feed(&priority_update(5, "u=7"));
    t.feed(&priority_update(1, "u=2"));
    t.events();
    for id in [1, 3, 5] {
        t.respond(id, 20000, false);
    }
    assert_eq!(data_ids(&t.out()), vec![3, 3, 1, 1, 5, 5]);
    let json: serde_json::Value = serde_json::from_str(&t.conn.debug_state_json(false)).unwrap();
    assert!(json["streams"].as_object().unwrap().is_empty());
}

#[test]
fn reprioritize_blocking_assets_rfc9218() {
    for on in [true, false] {
        let cfg = Config { reprioritize_blocking_assets: on, ..Config::default() };
        let mut t = T::new(cfg);
        t.get(1, "/big.html");
        t.get(3, "/style.css");
        t.events();
        t.conn.send_response(1, 200, &[(b"content-type", b"text/html")], false, false);
        t.conn.send_data(1, &[&[0u8; 40000]], true);
        t.conn.send_response(3, 200, &[(b"content-type", b"text/css")], false, true);
        t.conn.send_data(3, &[&[0u8; 20000]], true);
        let ids = data_ids(&t.out());
        if on {
            assert_eq!(ids, vec![3, 3, 1, 1, 1]);
        } else {
            assert_eq!(ids, vec![1, 1, 1, 3, 3]);
        }
    }
    // An explicit urgency is respected.
    let mut t = T::new(small());
    t.request(1, &[(":method", "GET"), (":scheme", "http"), (":path", "/"), ("priority", "u=0")], true);
    t.request(3, &[(":method", "GET"), (":scheme", "http"), (":path", "/s.css"), ("priority", "u=4")], true);
    t.events();
    t.respond(1, 40000, false);
    t.respond(3, 20000, true);
    assert_eq!(data_ids(&t.out()), vec![1, 1, 1, 3, 3]);
}

#[test]
fn reprioritize_blocking_assets_rfc7540() {
    let mut t = T::new(small());
    t.get_prio(1, 0, 256, false);
    t.get_prio(3, 0, 16, false);
    t.events();
    t.respond(1, 40000, false);
    t.respond(3, 20000, true);
    assert_eq!(t.conn.tree.weight(t.conn.streams[&3].node), 257);
    // A PRIORITY frame does not undo it (2.2.5).
    t.feed(&priority(3, 0, 1, false));
    assert_eq!(t.conn.tree.weight(t.conn.streams[&3].node), 257);
    assert_eq!(data_ids(&t.out()), vec![3, 3, 1, 1, 1]);

    // With placeholders (a client with its own dependency scheme): not moved.
    let mut t = T::new(small());
    t.feed(&priority(3, 0, 1, false));
    t.get_prio(5, 0, 16, false);
    t.events();
    t.conn.send_response(5, 200, &[], false, true);
    assert_eq!(t.conn.tree.weight(t.conn.streams[&5].node), 16);
}

// ---- h2c upgrade and shutdown ---------------------------------------------------------------

#[test]
fn h2c_upgrade_answers_on_stream_1() {
    let mut payload = Vec::new();
    frame::encode_settings(&mut payload, &[(setting::INITIAL_WINDOW_SIZE, 10), (setting::HEADER_TABLE_SIZE, 4096)]);
    let payload = &payload[9..];
    let mut conn = Connection::new_upgraded(Config::default(), payload).unwrap();
    let mut t = T { conn: Connection::new(Config::default()), c: Client::new(), gathered: None };
    std::mem::swap(&mut t.conn, &mut conn);
    let out = t.out();
    assert!(matches!(out[0], Out::Settings { ack: false, .. }));
    assert_eq!(out.len(), 2, "no ACK for HTTP2-Settings: {out:?}");
    assert_eq!(t.conn.stream_counts(), (1, 1));
    t.conn.send_response(1, 200, &[(b"content-type", b"text/plain")], false, false);
    t.conn.send_data(1, &[b"upgraded!"], true);
    // The preface and SETTINGS follow in input.
    let mut input = PREFACE.to_vec();
    input.extend(settings(&[]));
    t.feed(&input);
    let out = t.out();
    assert_eq!(out[0], Out::Settings { ack: true, params: vec![] });
    assert!(matches!(&out[1], Out::Headers { id: 1, .. }));
    assert_eq!(data_of(&out, 1), b"upgraded!");
    // Stream 1 is half-closed (remote): a new request must use 3.
    t.get(3, "/next");
    assert_eq!(t.one_request().0, 3);

    assert!(Connection::new_upgraded(Config::default(), b"\x00\x04\x80\x00\x00\x00").is_err());
    assert!(Connection::new_upgraded(Config::default(), b"\x00\x04\x00").is_err());
}

#[test]
fn graceful_shutdown_sequence() {
    let mut t = T::new(small());
    t.get(1, "/");
    t.one_request();
    t.conn.shutdown(false);
    let out = t.out();
    assert_eq!(out, vec![Out::GoAway { last: 0x7fff_ffff, code: ErrorCode::NO_ERROR }, Out::Ping { ack: false, data: SHUTDOWN_PING }]);
    // Still accepted before the PING comes back.
    t.get(3, "/");
    assert_eq!(t.one_request().0, 3);
    t.feed(&ping(true, &SHUTDOWN_PING));
    assert_eq!(t.out(), vec![Out::GoAway { last: 3, code: ErrorCode::NO_ERROR }]);
    // Above the last id: ignored (decoded for HPACK, no event, no RST).
    t.get(5, "/");
    assert!(t.events().is_empty());
    assert!(t.out().is_empty());
    assert!(!t.conn.is_closed());
    for id in [1, 3] {
        t.conn.send_response(id, 200, &[], true, false);
    }
    t.out();
    assert!(t.conn.is_closed());
}

#[test]
fn immediate_shutdown() {
    let mut t = T::new(small());
    t.get(1, "/");
    t.one_request();
    t.conn.shutdown(true);
    assert_eq!(t.out(), vec![Out::GoAway { last: 1, code: ErrorCode::NO_ERROR }]);
    t.conn.shutdown(true);
    assert!(t.out().is_empty());
    assert!(!t.conn.is_closed());
    t.conn.send_response(1, 200, &[], true, false);
    t.out();
    assert!(t.conn.is_closed());

    // The second call of 2.2.5's timer sends the final GOAWAY.
    let mut t = T::new(small());
    t.conn.shutdown(false);
    t.out();
    t.conn.shutdown(true);
    assert_eq!(t.out(), vec![Out::GoAway { last: 0, code: ErrorCode::NO_ERROR }]);
    assert!(t.conn.is_closed());
}

#[test]
fn client_goaway_lets_streams_finish() {
    let mut t = T::new(small());
    t.get(1, "/");
    t.one_request();
    let mut g = Vec::new();
    frame::encode_goaway(&mut g, 0, ErrorCode::NO_ERROR, b"bye");
    t.feed(&g);
    assert!(!t.conn.is_closed());
    t.conn.send_response(1, 200, &[], false, false);
    t.conn.send_data(1, &[b"ok"], true);
    assert_eq!(data_of(&t.out(), 1), b"ok");
    assert!(t.conn.is_closed());
}

// ---- defences -------------------------------------------------------------------------------

#[test]
fn rapid_reset_ends_in_calm() {
    let mut t = T::new(small());
    let mut id = 1;
    let mut closed_at = None;
    for i in 0..1000 {
        t.get(id, "/");
        t.feed(&rst(id, ErrorCode::CANCEL));
        id += 2;
        if t.conn.is_closed() || t.conn.fatal {
            closed_at = Some(i);
            break;
        }
    }
    assert_eq!(closed_at, Some(100));
    assert_eq!(t.goaway(), ErrorCode::ENHANCE_YOUR_CALM);

    // Completed responses earn the budget back: a client that cancels some streams is fine.
    let mut t = T::new(small());
    let mut id = 1;
    for _ in 0..500 {
        t.get(id, "/");
        t.get(id + 2, "/");
        t.events();
        t.conn.send_response(id, 200, &[], true, false);
        t.feed(&rst(id + 2, ErrorCode::CANCEL));
        t.out();
        id += 4;
    }
    assert!(!t.conn.is_closed());
}

#[test]
fn continuation_flood_ends_in_calm() {
    // Many empty CONTINUATION frames.
    let mut t = T::new(small());
    let block = t.c.block(&[(":method", "GET"), (":scheme", "http"), (":path", "/")]);
    let mut input = Vec::new();
    frame::encode_header(&mut input, block.len(), kind::HEADERS, flag::END_STREAM, 1);
    input.extend_from_slice(&block);
    for _ in 0..100 {
        frame::encode_continuation(&mut input, 1, &[], false);
    }
    t.feed(&input);
    assert_eq!(t.goaway(), ErrorCode::ENHANCE_YOUR_CALM);

    // Too many bytes in one block.
    let cfg = Config { limits: Limits { max_header_block: 20000, ..Limits::default() }, ..Config::default() };
    let mut t = T::new(cfg);
    let mut input = Vec::new();
    frame::encode_header(&mut input, 16000, kind::HEADERS, 0, 1);
    input.extend(std::iter::repeat_n(0x40u8, 16000));
    frame::encode_continuation(&mut input, 1, &[0u8; 16000], false);
    t.feed(&input);
    assert_eq!(t.goaway(), ErrorCode::ENHANCE_YOUR_CALM);
}

#[test]
fn control_frame_floods_end_in_calm() {
    type Make = Box<dyn Fn(&mut T, u32) -> Vec<u8>>;
    let floods: Vec<(&str, Make)> = vec![
        ("PING", Box::new(|_, i| ping(false, &(i as u64).to_be_bytes()))),
        ("SETTINGS", Box::new(|_, _| settings(&[(setting::ENABLE_PUSH, 0)]))),
        ("PRIORITY", Box::new(|_, _| priority(1, 0, 16, false))),
        ("PRIORITY_UPDATE", Box::new(|_, _| priority_update(1, "u=2"))),
        ("empty DATA", Box::new(|_, _| data(1, b"", false))),
        ("WINDOW_UPDATE on closed", Box::new(|_, _| window_update(3, 1))),
        ("RST on closed", Box::new(|_, _| rst(3, ErrorCode::CANCEL))),
        ("unknown", Box::new(|_, _| {
            let mut v = Vec::new();
            frame::encode_header(&mut v, 0, 0x77, 0, 0);
            v
        })),
    ];
    for (what, make) in &floods {
        let cfg = Config { limits: Limits { max_control_frames_per_tick: 50, max_pending_control_bytes: usize::MAX, ..Limits::default() }, ..Config::default() };
        let mut t = T::new(cfg);
        t.request(1, &[(":method", "POST"), (":scheme", "http"), (":path", "/")], false);
        t.get(3, "/");
        t.events();
        t.conn.send_response(3, 200, &[], true, false);
        t.out();
        // Under the budget, with ticks in between: fine.
        for round in 0..3 {
            for i in 0..40 {
                let f = make(&mut t, round * 100 + i);
                t.feed(&f);
            }
            t.out();
            t.conn.tick();
        }
        assert!(!t.conn.is_closed(), "{what}");
        for i in 0..60 {
            let f = make(&mut t, 1000 + i);
            t.feed(&f);
        }
        assert_eq!(t.goaway(), ErrorCode::ENHANCE_YOUR_CALM, "{what}");
    }
}

#[test]
fn peer_not_reading_ends_in_calm() {
    let cfg = Config { limits: Limits { max_pending_control_bytes: 1000, ..Limits::default() }, ..Config::default() };
    let mut t = T::new(cfg);
    let mut input = Vec::new();
    for i in 0..100u64 {
        input.extend(ping(false, &i.to_be_bytes()));
    }
    t.feed(&input);
    assert!(t.conn.is_closed() || t.conn.fatal);
    assert_eq!(t.goaway(), ErrorCode::ENHANCE_YOUR_CALM);
}

#[test]
fn frames_after_connection_error_are_ignored() {
    let mut t = T::new(small());
    t.feed(&data(1, b"x", false));
    let more = ping(false, b"aaaaaaaa");
    assert_eq!(t.conn.recv(&more), more.len());
    let out = t.out();
    assert_eq!(out, vec![Out::GoAway { last: 0, code: ErrorCode::PROTOCOL_ERROR }]);
    assert!(!t.conn.wants_write());
}

// ---- debug state ----------------------------------------------------------------------------

#[test]
fn debug_state_json_is_valid() {
    let mut t = T::new(small());
    t.conn.set_time(1_700_000_000);
    t.request(1, &[(":method", "POST"), (":scheme", "http"), (":path", "/"), ("x-quote", "a\"b\\c\u{7f}")], false);
    t.feed(&data(1, b"abc", false));
    t.get(3, "/");
    t.events();
    t.conn.send_response(3, 200, &[(b"x-out", b"\"\x01\xff")], false, false);
    t.conn.send_data(3, &[b"12345"], false);
    t.out();
    for hpack in [false, true] {
        let s = t.conn.debug_state_json(hpack);
        if std::env::var_os("SHOW_JSON").is_some() {
            eprintln!("{s}");
        }
        let v: serde_json::Value = serde_json::from_str(&s).unwrap_or_else(|e| panic!("{e}: {s}"));
        assert_eq!(v["version"], "draft-01");
        assert_eq!(v["settings"]["SETTINGS_INITIAL_WINDOW_SIZE"], 16_777_216);
        assert_eq!(v["peerSettings"]["SETTINGS_INITIAL_WINDOW_SIZE"], 65535);
        assert_eq!(v["streams"]["1"]["state"], "OPEN");
        assert_eq!(v["streams"]["1"]["dataIn"], 3);
        assert_eq!(v["streams"]["1"]["created"], 1_700_000_000u64);
        assert_eq!(v["streams"]["3"]["state"], "HALF_CLOSED_REMOTE");
        assert_eq!(v["streams"]["3"]["dataOut"], 5);
        assert_eq!(v["streams"]["3"]["flowOut"], 65535 - 5);
        assert_eq!(v["connFlowOut"], 65535 - 5);
        // what the glue hands 2.2.5's h2o_http2_debug_state_t without parsing the JSON
        assert_eq!(t.conn.conn_windows(), (v["connFlowIn"].as_i64().unwrap(), v["connFlowOut"].as_i64().unwrap()));
        if hpack {
            let inbound = v["hpack"]["inboundDynamicHeaderTable"].as_array().unwrap();
            assert!(inbound.iter().any(|e| e[0] == "x-quote" && e[1] == "a\"b\\c\u{7f}"), "{inbound:?}");
            let outbound = v["hpack"]["outboundDynamicHeaderTable"].as_array().unwrap();
            assert!(outbound.iter().any(|e| e[0] == "x-out" && e[1] == "\"\u{1}\u{ff}"), "{outbound:?}");
            assert_eq!(v["hpack"]["inboundTableSize"], inbound.len());
        } else {
            assert!(v.get("hpack").is_none());
        }
    }
}

#[test]
fn frames_on_streams_ignored_after_goaway_are_ignored() {
    let mut t = T::new(small());
    t.get(1, "/");
    t.one_request();
    t.conn.shutdown(true);
    t.out();
    t.request(3, &[(":method", "POST"), (":scheme", "http"), (":path", "/")], false);
    t.feed(&data(3, b"body", false));
    t.feed(&window_update(3, 10));
    t.feed(&rst(3, ErrorCode::CANCEL));
    assert!(t.events().is_empty());
    assert!(t.out().is_empty());
    assert!(!t.conn.is_closed());
    assert_eq!(t.conn.stream_counts(), (1, 1));
}

#[test]
fn no_rfc7540_priorities_setting_ignores_tree_signals() {
    let mut t = T::with_settings(small(), &[(setting::NO_RFC7540_PRIORITIES, 1)]);
    let f = [(":method", "GET"), (":scheme", "http"), (":path", "/"), ("priority", "u=1")];
    let h = t.c.headers_prio(1, &f, true, PrioritySpec { exclusive: false, dependency: 0, weight: 256 });
    t.feed(&h);
    t.feed(&priority(1, 0, 1, false));
    t.one_request();
    assert!(!t.conn.rfc7540);
    assert_eq!(t.conn.tree.urgency(t.conn.streams[&1].node), Some((1, false)));
    let v: serde_json::Value = serde_json::from_str(&t.conn.debug_state_json(false)).unwrap();
    assert_eq!(v["peerSettings"]["SETTINGS_NO_RFC7540_PRIORITIES"], 1);
    assert_eq!(v["streams"]["1"]["urgency"], 1);
}

#[test]
fn priority_info_for_the_log() {
    let mut t = T::new(small());
    t.get(1, "/");
    t.get_prio(3, 1, 42, true);
    t.events();
    let p = t.conn.priority_info(3).unwrap();
    assert_eq!(p, PriorityInfo { received_exclusive: true, received_parent: 1, received_weight: 42, actual_parent: 1, actual_weight: 42 });
    let p1 = t.conn.priority_info(1).unwrap();
    assert_eq!((p1.received_exclusive, p1.received_parent, p1.received_weight, p1.actual_parent), (false, 0, 16, 0));
    // Still known once closed (its node is kept), unknown for a stream never seen.
    t.conn.send_response(3, 200, &[], true, false);
    t.out();
    assert!(!t.conn.streams.contains_key(&3));
    assert_eq!(t.conn.priority_info(3).unwrap().received_weight, 42);
    assert!(t.conn.priority_info(99).is_none());
}

// ---- randomized: a misbehaving client and a busy glue ----------------------------------------

/// xorshift64*: deterministic test randomness.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The client's view of what the server may send (RFC 9113 6.9): checked against every DATA.
#[derive(Default)]
struct Windows {
    conn: i64,
    initial: i64,
    streams: std::collections::HashMap<u32, i64>,
    ended: std::collections::HashSet<u32>,
    headers_seen: std::collections::HashSet<u32>,
}

impl Windows {
    fn check(&mut self, out: &[Out]) {
        for o in out {
            match o {
                Out::Headers { id, end_stream, .. } => {
                    assert!(!self.ended.contains(id), "HEADERS after END_STREAM on {id}");
                    assert!(self.headers_seen.insert(*id), "second response HEADERS on {id}");
                    if *end_stream {
                        self.ended.insert(*id);
                    }
                }
                Out::Data { id, data, end_stream } => {
                    assert!(self.headers_seen.contains(id), "DATA before HEADERS on {id}");
                    assert!(!self.ended.contains(id), "DATA after END_STREAM on {id}");
                    let w = self.streams.entry(*id).or_insert(self.initial);
                    let n = data.len() as i64;
                    assert!(n <= *w && n <= self.conn, "DATA of {n} beyond windows {w} / {}", self.conn);
                    assert!(data.len() <= CHUNK);
                    *w -= n;
                    self.conn -= n;
                    if *end_stream {
                        self.ended.insert(*id);
                    }
                }
                Out::Rst { id, .. } => {
                    self.ended.insert(*id);
                }
                _ => {}
            }
        }
    }
}

fn check_invariants(conn: &Connection) {
    let active = conn.streams.values().filter(|s| s.active).count();
    assert_eq!(active, conn.active_count);
    for s in conn.streams.values() {
        assert_eq!(s.active, s.sendable(), "active flag out of sync");
        assert!(s.queued() <= conn.cfg.limits.max_buffered_per_stream + 20_000);
    }
    assert_eq!(conn.open_streams, conn.streams.keys().filter(|id| *id & 1 == 1).count());
    assert!(conn.open_streams <= conn.cfg.max_concurrent_streams as usize);
    assert!(conn.closed_nodes.len() <= conn.cfg.max_streams_for_priority);
    assert!(conn.placeholders.len() <= conn.cfg.max_streams_for_priority);
    assert!(conn.closed_ids.len() <= CLOSED_RING);
    assert!(conn.control.len() <= conn.cfg.limits.max_pending_control_bytes + 100);
}

#[test]
fn randomized_client_and_glue_keep_the_rules() {
    let mut closed_by = std::collections::HashMap::new();
    for seed in 1..=100u64 {
        let mut r = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let cfg = Config {
            max_concurrent_streams: 1 + r.below(16) as u32,
            initial_window_size: [1000, 65535, 16_777_216][r.below(3) as usize],
            max_request_body: [50, 100_000][r.below(2) as usize],
            max_streams_for_priority: r.below(4) as usize,
            limits: Limits { max_buffered_per_stream: 3000, max_control_frames_per_tick: 200, ..Limits::default() },
            ..Config::default()
        };
        let initial = [0, 10, 1000, 65535][r.below(4) as usize];
        let mut t = T::with_settings(cfg, &[(setting::INITIAL_WINDOW_SIZE, initial)]);
        let mut w = Windows { conn: 65535, initial: i64::from(initial), ..Windows::default() };
        let mut next_id = 1u32;
        let mut goaway = None;
        let mut steps = 0;
        let mut delivered: Vec<u32> = Vec::new();
        // Streams whose generator may send now (not told to wait for WantData).
        let mut may_send = std::collections::HashSet::new();
        for _ in 0..2000 {
            if t.conn.is_closed() {
                break;
            }
            steps += 1;
            // Mostly a stream already opened (recent ones more often); rarely an idle one.
            let opened = next_id / 2;
            let some_id = if opened == 0 || r.below(3000) == 0 {
                next_id + 2 * r.below(3) as u32
            } else {
                let back = r.below(u64::from(opened.min(12))) as u32;
                next_id - 2 - 2 * back
            };
            let mut input = Vec::new();
            let op = r.below(20);
            match if opened == 0 { 0 } else { op } {
                0..=3 => {
                    let path = format!("/{}", r.below(1000));
                    let method = if r.below(2) == 0 { "GET" } else { "POST" };
                    let end = method == "GET" || r.below(4) == 0;
                    let mut f = vec![(":method", method.to_string()), (":scheme", "http".into()), (":path", path)];
                    if r.below(5) == 0 {
                        f.push(("priority", format!("u={}", r.below(8))));
                    }
                    if r.below(25) == 0 {
                        f.push(("Bad", "x".into()));
                    }
                    let f: Vec<(&str, &str)> = f.iter().map(|(n, v)| (*n, v.as_str())).collect();
                    let id = if r.below(3000) == 0 { some_id } else { next_id };
                    if r.below(3) == 0 {
                        let dep = r.below(u64::from(next_id + 4)) as u32;
                        let spec = PrioritySpec { exclusive: r.below(2) == 0, dependency: if dep == id { 0 } else { dep }, weight: 1 + r.below(256) as u16 };
                        input.extend(t.c.headers_prio(id, &f, end, spec));
                    } else {
                        input.extend(t.c.headers(id, &f, end));
                    }
                    next_id = next_id.max(id + 2);
                }
                4..=6 => {
                    let len = r.below(3000) as usize;
                    input.extend(data(some_id, &vec![b'd'; len], r.below(3) == 0));
                }
                7 => input.extend(window_update(if r.below(3) == 0 { 0 } else { some_id }, 1 + r.below(100_000) as u32)),
                8 if r.below(3) == 0 => input.extend(rst(some_id, ErrorCode::CANCEL)),
                9 => {
                    let dep = r.below(u64::from(next_id)) as u32;
                    if dep != some_id {
                        input.extend(priority(some_id, dep, 1 + r.below(256) as u16, r.below(2) == 0));
                    }
                }
                10 => {
                    let v = [0, 100, 5000, 70000][r.below(4) as usize];
                    input.extend(settings(&[(setting::INITIAL_WINDOW_SIZE, v)]));
                    let delta = i64::from(v) - w.initial;
                    w.initial = i64::from(v);
                    for x in w.streams.values_mut() {
                        *x += delta;
                    }
                }
                11 => input.extend(ping(false, b"pingpong")),
                12 => input.extend(priority_update(some_id, &format!("u={},i", r.below(8)))),
                13 if r.below(8) == 0 => {
                    // Trailers.
                    input.extend(t.c.headers(some_id, &[("x-t", "1")], r.below(4) != 0));
                }
                _ => {}
            }
            // The client's WINDOW_UPDATEs open our send windows in its model too.
            if let Some((Frame::WindowUpdate { stream_id, increment }, _)) = frame::decode(&input, 16384).ok().flatten() {
                if stream_id == 0 {
                    w.conn += i64::from(increment);
                } else {
                    *w.streams.entry(stream_id).or_insert(w.initial) += i64::from(increment);
                }
            }
            t.feed(&input);
            // The glue.
            for ev in t.events() {
                match ev {
                    Event::Request { stream_id, .. } => {
                        delivered.push(stream_id);
                        may_send.insert(stream_id);
                    }
                    Event::StreamClosed { stream_id } => delivered.retain(|&i| i != stream_id),
                    Event::WantData { stream_id } => {
                        assert!(may_send.insert(stream_id), "WantData for a stream that was not waiting");
                    }
                }
            }
            if !delivered.is_empty() {
                let id = delivered[r.below(delivered.len() as u64) as usize];
                match r.below(10) {
                    0..=2 => t.conn.send_response(id, 200, &[(b"content-type", b"text/plain")], r.below(5) == 0, r.below(4) == 0),
                    3..=6 if may_send.contains(&id) => {
                        let end = r.below(4) == 0;
                        if !t.conn.send_data(id, &[&vec![b'x'; r.below(20_000) as usize]], end) {
                            may_send.remove(&id);
                        }
                    }
                    7 => {
                        t.conn.reset_stream(id, ErrorCode::INTERNAL_ERROR);
                        delivered.retain(|&i| i != id);
                    }
                    _ => {}
                }
            }
            if r.below(3) == 0 {
                let out = t.out_max(1 + r.below(40_000) as usize);
                w.check(&out);
                goaway = goaway.or(out.iter().find_map(|o| if let Out::GoAway { code, .. } = o { Some(code.0) } else { None }));
            }
            if r.below(50) == 0 {
                t.conn.tick();
            }
            if r.below(700) == 0 {
                t.conn.shutdown(r.below(2) == 0);
            }
            // Streams the engine no longer has are gone for the glue (completed responses).
            delivered.retain(|id| t.conn.streams.contains_key(id));
            check_invariants(&t.conn);
        }
        // Liveness: if the connection survived, finishing every response and opening every
        // window gets every stream to END_STREAM (nothing is stuck in the scheduler).
        if !t.conn.fatal {
            let ids: Vec<u32> = t.conn.streams.keys().copied().collect();
            for &id in &ids {
                t.conn.send_response(id, 200, &[], false, false);
                t.conn.send_data(id, &[], true);
                let wu = window_update(id, 0x7000_0000);
                t.feed(&wu);
                *w.streams.entry(id).or_insert(w.initial) += 0x7000_0000;
            }
            t.feed(&window_update(0, 0x7000_0000));
            w.conn += 0x7000_0000;
            let mut rounds = 0;
            while t.conn.wants_write() {
                let out = t.out_max(16384);
                w.check(&out);
                rounds += 1;
                assert!(rounds < 10_000);
            }
            let stuck: Vec<u32> = t.conn.streams.keys().copied().filter(|id| t.conn.streams[id].recv_done || t.conn.streams[id].discard_body).collect();
            assert!(stuck.is_empty(), "seed {seed}: streams not finished: {stuck:?}");
        }
        let out = t.out();
        w.check(&out);
        goaway = goaway.or(out.iter().find_map(|o| if let Out::GoAway { code, .. } = o { Some(code.0) } else { None }));
        *closed_by.entry((goaway, steps / 500)).or_insert(0) += 1;
        let json: serde_json::Value = serde_json::from_str(&t.conn.debug_state_json(true)).unwrap();
        assert!(json["streams"].is_object());
    }
    // The walk should exercise both survivals and connection errors.
    eprintln!("(GOAWAY code, steps / 500) -> connections: {closed_by:?}");
    assert!(closed_by.len() >= 3, "{closed_by:?}");
}

// ---- server push and informational responses -------------------------------------------------

fn promise_fields(path: &str) -> Vec<(&'static [u8], Vec<u8>)> {
    vec![(b":method", b"GET".to_vec()), (b":scheme", b"http".to_vec()), (b":authority", b"localhost".to_vec()), (b":path", path.as_bytes().to_vec())]
}

fn promise(t: &mut T, id: u32, path: &str) -> bool {
    let f = promise_fields(path);
    let f: Vec<(&[u8], &[u8])> = f.iter().map(|(n, v)| (*n, v.as_slice())).collect();
    t.conn.send_push_promise(id, &f)
}

#[test]
fn push_promise_precedes_pushed_response_and_highest_goes_first() {
    let mut t = T::new(small());
    t.get(1, "/");
    t.one_request();
    let p = t.conn.reserve_push(1).expect("push allowed");
    assert_eq!(p, 2);
    assert!(promise(&mut t, p, "/style.css"));
    assert!(t.conn.push_promised(p));
    // the pushed response is highest: sent before the page although the page started first
    t.conn.send_response(p, 200, &[(b"content-type", b"text/css")], false, true);
    t.respond(1, 40000, false);
    t.conn.send_data(p, &[&vec![1u8; 20000]], true);
    let out = t.out();
    let pos = |pred: &dyn Fn(&Out) -> bool| out.iter().position(|o| pred(o)).unwrap();
    let promise_at = pos(&|o| matches!(o, Out::Promise { id: 1, promised: 2, .. }));
    let pushed_headers = pos(&|o| matches!(o, Out::Headers { id: 2, .. }));
    let first_page_data = pos(&|o| matches!(o, Out::Data { id: 1, .. }));
    let last_push_data = out.iter().rposition(|o| matches!(o, Out::Data { id: 2, .. })).unwrap();
    assert!(promise_at < pushed_headers && pushed_headers < first_page_data, "{out:?}");
    assert!(last_push_data < first_page_data, "highest push completes before the page: {out:?}");
    if let Out::Promise { fields, .. } = &out[promise_at] {
        assert_eq!(fields[3], (":path".into(), "/style.css".into()));
    }
    assert_eq!(data_of(&out, 2).len(), 20000);
    assert!(t.conn.is_idle());
    // the next push id
    t.get(3, "/");
    t.one_request();
    assert_eq!(t.conn.reserve_push(3), Some(4));
}

#[test]
fn push_not_highest_follows_its_parent() {
    let mut t = T::new(small());
    t.get(1, "/");
    t.one_request();
    let p = t.conn.reserve_push(1).unwrap();
    assert!(promise(&mut t, p, "/img.png"));
    t.conn.send_response(p, 200, &[], false, false);
    t.conn.send_data(p, &[&vec![1u8; 20000]], true);
    t.respond(1, 20000, false);
    let out = t.out();
    assert_eq!(data_ids(&out).first(), Some(&1), "the page's data goes first: {out:?}");
}

#[test]
fn push_refused_when_disabled_limited_or_parent_done() {
    let mut t = T::with_settings(small(), &[(setting::ENABLE_PUSH, 0)]);
    t.get(1, "/");
    t.one_request();
    assert_eq!(t.conn.reserve_push(1), None, "SETTINGS_ENABLE_PUSH=0");

    let mut t = T::with_settings(small(), &[(setting::MAX_CONCURRENT_STREAMS, 1)]);
    t.get(1, "/");
    t.one_request();
    assert_eq!(t.conn.reserve_push(1), Some(2));
    assert_eq!(t.conn.reserve_push(1), None, "the client's SETTINGS_MAX_CONCURRENT_STREAMS");
    assert_eq!(t.conn.reserve_push(2), None, "no push on a pushed stream");
    t.conn.cancel_push(2);
    assert_eq!(t.conn.reserve_push(1), Some(4), "room again");
    // the parent's END_STREAM is queued: no more promises
    t.conn.send_response(1, 200, &[], true, false);
    assert_eq!(t.conn.reserve_push(1), None);
    assert!(!promise(&mut t, 4, "/late.css"), "cannot promise after the parent ended");
    let out = t.out();
    assert!(!out.iter().any(|o| matches!(o, Out::Promise { .. } | Out::Rst { .. })), "{out:?}");
}

#[test]
fn cancelled_push_before_promise_sends_nothing_after_rst() {
    let mut t = T::new(small());
    t.get(1, "/");
    t.one_request();
    let a = t.conn.reserve_push(1).unwrap();
    t.conn.cancel_push(a);
    let b = t.conn.reserve_push(1).unwrap();
    assert!(promise(&mut t, b, "/b.js"));
    t.conn.cancel_push(b); // queued, not written: dropped
    let c = t.conn.reserve_push(1).unwrap();
    assert!(promise(&mut t, c, "/c.js"));
    let out = t.out();
    assert!(matches!(&out[..], [Out::Promise { promised, .. }] if *promised == c), "{out:?}");
    t.conn.cancel_push(c); // written: RST_STREAM
    t.respond(1, 10, false);
    let out = t.out();
    assert!(!out.iter().any(|o| matches!(o, Out::Promise { .. })), "{out:?}");
    assert_eq!(rsts(&out), vec![(c, ErrorCode::CANCEL)]);
    assert!(t.conn.is_idle());
}

#[test]
fn client_reset_of_pushed_stream_is_reported() {
    let mut t = T::new(small());
    t.get(1, "/");
    t.one_request();
    let p = t.conn.reserve_push(1).unwrap();
    assert!(promise(&mut t, p, "/a.css"));
    t.out();
    t.feed(&rst(p, ErrorCode::CANCEL));
    let ev = t.events();
    assert!(matches!(ev[..], [Event::StreamClosed { stream_id: 2 }]), "{ev:?}");
    // a WINDOW_UPDATE for a closed push id is not an idle-stream error
    t.feed(&window_update(p, 100));
    assert!(!t.conn.is_closed());
    // an even id never used is idle
    t.feed(&rst(8, ErrorCode::CANCEL));
    assert_eq!(t.goaway(), ErrorCode::PROTOCOL_ERROR);
}

#[test]
fn informational_before_final_response() {
    let mut t = T::new(small());
    t.get(1, "/");
    t.one_request();
    t.conn.send_informational(1, 103, &[(b"link", b"</a.css>; rel=preload")]);
    t.conn.send_informational(1, 200, &[]); // not informational: ignored
    t.respond(1, 5, false);
    t.conn.send_informational(1, 100, &[]); // after the final response: ignored
    let out = t.out();
    assert_eq!(out.len(), 3, "{out:?}");
    assert!(matches!(&out[0], Out::Headers { id: 1, end_stream: false, .. }));
    assert_eq!(out[0].status(), Some("103"));
    assert_eq!(out[1].status(), Some("200"));
    assert!(matches!(&out[2], Out::Data { id: 1, end_stream: true, .. }));
}

#[test]
fn debug_state_shows_pushed_streams() {
    let mut t = T::new(small());
    t.get(1, "/");
    t.one_request();
    let p = t.conn.reserve_push(1).unwrap();
    assert!(promise(&mut t, p, "/a.css"));
    let json = t.conn.debug_state_json(false);
    assert!(json.contains("\"2\": {") && json.contains("RESERVED_LOCAL"), "{json}");
}

#[test]
fn exact_max_cuts_data_frames_to_the_write_size() {
    // latency-optimized writes: each write stays within max (the congestion window), DATA cut to fit
    let body = vec![b'x'; 40000];
    let mut t = T::new(small());
    t.get(1, "/a");
    t.events();
    t.conn.send_response(1, 200, &[], false, false);
    t.conn.send_data(1, &[&body], true);
    t.conn.set_exact_max(true);
    let mut all = Vec::new();
    let mut first = true;
    let mut writes = 0;
    while t.conn.wants_write() {
        let mut bytes = Vec::new();
        t.conn.write(&mut bytes, 2896);
        assert!(!bytes.is_empty(), "a write always carries something");
        // the first write carries the SETTINGS / HEADERS too (control frames are never cut)
        assert!(first || bytes.len() <= 2896, "write of {} bytes over 2896", bytes.len());
        first = false;
        all.extend_from_slice(&bytes);
        writes += 1;
        assert!(writes < 100);
    }
    let out = Client::new().parse(&all);
    let data: usize = out.iter().map(|o| if let Out::Data { data, .. } = o { data.len() } else { 0 }).sum();
    assert_eq!(data, 40000);
    // a room too small for a useful frame still makes progress (a frame of MIN_EXACT_FRAME)
    let mut bytes = Vec::new();
    let mut t2 = T::new(small());
    t2.get(1, "/a");
    t2.events();
    t2.conn.send_response(1, 200, &[], false, false);
    t2.conn.write(&mut bytes, usize::MAX);
    t2.conn.send_data(1, &[&body[..5000]], true);
    t2.conn.set_exact_max(true);
    let mut b2 = Vec::new();
    t2.conn.write(&mut b2, 1);
    assert_eq!(b2.len(), frame::HEADER_LEN + super::MIN_EXACT_FRAME);
}
