//! criterion benchmark: the sans-IO HTTP/2 engine (`http2::engine::Connection`) alone, no
//! sockets: what one request costs the server's protocol layer.
//!
//! - `request/get_100B`, `request/get_16KiB`: a GET arrives (HEADERS, HPACK state warm as on a
//!   kept-alive connection), the event is taken, the response head and body are queued and
//!   written out (HEADERS + DATA), the client's WINDOW_UPDATE comes back.
//! - `request/post_1KiB`: the same with a 1 KiB request body (HEADERS + DATA in).
//! - `data/16KiB_chunk`: one long response: `send_data` of 16 KiB and a `write` that turns it
//!   into one DATA frame (the steady state of a download), windows kept open.
//!
//! Run: `cargo bench --bench h2_engine`; results go into BENCHMARKS.md, never into timed tests.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use h2o_rs::hpack::{Encoder, Indexing};
use h2o_rs::http2::engine::{Config, Connection, Event};
use h2o_rs::http2::frame::{self, PREFACE, setting};

/// A connection past the preface, with the client's windows wide open.
fn connection() -> Connection {
    let mut conn = Connection::new(Config::default());
    let mut input = PREFACE.to_vec();
    frame::encode_settings(&mut input, &[(setting::INITIAL_WINDOW_SIZE, 0x7fff_ffff)]);
    frame::encode_settings_ack(&mut input);
    assert_eq!(conn.recv(&input), input.len());
    let mut out = Vec::new();
    conn.write(&mut out, usize::MAX);
    conn
}

/// A HEADERS frame for a request in HPACK steady state (every field found in the client's
/// table, `:path` a literal with an indexed name), whose stream id the caller rewrites.
fn steady_headers(fields: &[(&str, &str)], end_stream: bool, conn: &mut Connection) -> Vec<u8> {
    let mut enc = Encoder::new();
    let mut blocks = Vec::new();
    for _ in 0..3 {
        let mut b = Vec::new();
        enc.begin_block(&mut b);
        for (n, v) in fields {
            enc.encode_field(&mut b, n.as_bytes(), v.as_bytes(), Indexing::Auto);
        }
        blocks.push(b);
    }
    assert_eq!(blocks[1], blocks[2], "not steady");
    // The server's decoder must have seen the first block: send it as stream 1.
    let mut first = Vec::new();
    frame::encode_headers(&mut first, 1, &blocks[0], true, 16384);
    assert_eq!(conn.recv(&first), first.len());
    while conn.poll_event().is_some() {}
    conn.send_response(1, 204, &[], true, false);
    let mut out = Vec::new();
    conn.write(&mut out, usize::MAX);
    let mut f = Vec::new();
    frame::encode_headers(&mut f, 3, &blocks[1], end_stream, 16384);
    f
}

fn set_stream_id(frame: &mut [u8], id: u32) {
    frame[5..9].copy_from_slice(&id.to_be_bytes());
}

const GET: [(&str, &str); 7] = [
    (":method", "GET"),
    (":scheme", "https"),
    (":authority", "example.com"),
    (":path", "/assets/app.js"),
    ("user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"),
    ("accept", "*/*"),
    ("accept-encoding", "gzip, deflate, br"),
];

fn bench_request(c: &mut Criterion, name: &str, body_in: usize, body_out: usize) {
    let mut conn = connection();
    let mut fields = GET.to_vec();
    let len = body_in.to_string();
    if body_in > 0 {
        fields[0] = (":method", "POST");
        fields.push(("content-length", &len));
    }
    let mut headers = steady_headers(&fields, body_in == 0, &mut conn);
    let mut data = Vec::new();
    frame::encode_data(&mut data, 3, &vec![b'u'; body_in], true);
    let body = vec![b'x'; body_out];
    let clen = body_out.to_string();
    let resp: [(&[u8], &[u8]); 3] = [(b"content-type", b"application/javascript"), (b"content-length", clen.as_bytes()), (b"cache-control", b"max-age=3600")];
    let mut out = Vec::with_capacity(body_out + 1024);
    let mut wu = Vec::new();
    frame::encode_window_update(&mut wu, 0, body_out.max(1) as u32);
    let mut id = 3u32;
    let mut g = c.benchmark_group("request");
    g.throughput(Throughput::Elements(1));
    g.bench_function(name, |b| {
        b.iter(|| {
            set_stream_id(&mut headers, id);
            conn.recv(black_box(&headers));
            if body_in > 0 {
                set_stream_id(&mut data, id);
                conn.recv(black_box(&data));
            }
            let Some(Event::Request { stream_id, .. }) = conn.poll_event() else { panic!("no request") };
            conn.send_response(stream_id, 200, &resp, false, false);
            conn.send_data(stream_id, &[&body], true);
            out.clear();
            conn.write(&mut out, usize::MAX);
            black_box(&out);
            conn.recv(&wu);
            id += 2;
        })
    });
    g.finish();
    assert!(conn.is_idle() && !conn.is_closed());
}

fn requests(c: &mut Criterion) {
    bench_request(c, "get_100B", 0, 100);
    bench_request(c, "get_16KiB", 0, 16384);
    bench_request(c, "post_1KiB", 1024, 100);
}

fn data_chunks(c: &mut Criterion) {
    let mut conn = connection();
    let mut headers = steady_headers(&GET, true, &mut conn);
    set_stream_id(&mut headers, 3);
    conn.recv(&headers);
    while conn.poll_event().is_some() {}
    conn.send_response(3, 200, &[(b"content-type", b"video/mp4")], false, false);
    let chunk = vec![b'v'; 16384];
    let mut out = Vec::with_capacity(32 * 1024);
    let mut wu = Vec::new();
    frame::encode_window_update(&mut wu, 0, 16384);
    frame::encode_window_update(&mut wu, 3, 16384);
    let mut g = c.benchmark_group("data");
    g.throughput(Throughput::Bytes(16384));
    g.bench_function("16KiB_chunk", |b| {
        b.iter(|| {
            conn.send_data(3, &[black_box(&chunk)], false);
            out.clear();
            conn.write(&mut out, usize::MAX);
            black_box(&out);
            conn.recv(&wu);
        })
    });
    g.finish();
}

criterion_group!(benches, requests, data_chunks);
criterion_main!(benches);
