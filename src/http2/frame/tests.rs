use super::*;

const MAX: u32 = DEFAULT_MAX_FRAME_SIZE;

/// A raw frame: header + payload as given (no validity checks).
fn raw(kind: u8, flags: u8, stream_id: u32, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    encode_header(&mut v, payload.len(), kind, flags, stream_id);
    v.extend_from_slice(payload);
    v
}

fn ok(buf: &[u8]) -> Frame<'_> {
    match decode(buf, MAX) {
        Ok(Some((f, n))) => {
            assert_eq!(n, buf.len(), "consumed");
            f
        }
        other => panic!("expected a frame from {buf:02x?}, got {other:?}"),
    }
}

fn err(buf: &[u8]) -> FrameError {
    match decode(buf, MAX) {
        Err(e) => e,
        other => panic!("expected an error from {buf:02x?}, got {other:?}"),
    }
}

/// Asserts a connection error with `code`.
fn conn_err(buf: &[u8], code: ErrorCode) {
    let e = err(buf);
    assert_eq!((e.code, e.stream_id), (code, None), "{e:?} for {buf:02x?}");
    assert!(e.is_connection_error());
    assert_eq!(e.len, buf.len(), "{e:?}");
}

/// Asserts a stream error with `code` on `stream_id` that consumed the whole frame.
fn stream_err(buf: &[u8], code: ErrorCode, stream_id: u32) {
    let e = err(buf);
    assert_eq!((e.code, e.stream_id, e.len), (code, Some(stream_id), buf.len()), "{e:?} for {buf:02x?}");
    // Only with the whole frame: every strict prefix is incomplete.
    for n in 0..buf.len() {
        assert_eq!(decode(&buf[..n], MAX), Ok(None), "prefix {n}");
    }
}

// ---- the JSON vectors (../shared/testdata/http2-frame-test-case) ----

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2));
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

fn json_u32(v: &serde_json::Value) -> u32 {
    v.as_u64().unwrap_or_else(|| panic!("not a number: {v}")) as u32
}

fn json_bytes(v: &serde_json::Value) -> &[u8] {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}")).as_bytes()
}

/// Padding length the vector announces, checked against the frame's PADDED flag and length.
fn check_padding(p: &serde_json::Value, flags: u8) -> usize {
    match p.get("padding_length").and_then(|v| v.as_u64()) {
        Some(n) => {
            assert_ne!(flags & flag::PADDED, 0);
            assert_eq!(json_bytes(&p["padding"]).len(), n as usize);
            n as usize + 1
        }
        None => {
            assert_eq!(flags & flag::PADDED, 0);
            0
        }
    }
}

/// Compares a decoded frame with the vector's "frame" and re-encodes it: returns whether the
/// encoders reproduced "wire" exactly (they do not pad nor send HEADERS priorities; then the
/// unpadded equivalent is encoded and decoded again instead).
fn check_normal_vector(name: &str, wire: &[u8], jf: &serde_json::Value) -> bool {
    let h = parse_header(wire).expect("header");
    assert_eq!(h.length, json_u32(&jf["length"]), "{name}");
    assert_eq!(u32::from(h.kind), json_u32(&jf["type"]), "{name}");
    assert_eq!(u32::from(h.flags), json_u32(&jf["flags"]), "{name}");
    assert_eq!(h.stream_id, json_u32(&jf["stream_identifier"]), "{name}");
    let p = &jf["frame_payload"];
    let frame = ok(wire);
    let mut out = Vec::new();
    match frame {
        Frame::Data { stream_id, data, end_stream, flow_len } => {
            assert_eq!(data, json_bytes(&p["data"]), "{name}");
            assert_eq!(flow_len, h.length);
            assert_eq!(data.len() + check_padding(p, h.flags), h.length as usize);
            encode_data(&mut out, stream_id, data, end_stream);
            if out != wire {
                assert_eq!(ok(&out), Frame::Data { stream_id, data, end_stream, flow_len: data.len() as u32 });
            }
        }
        Frame::Headers { stream_id, priority, fragment, end_stream, end_headers } => {
            assert_eq!(fragment, json_bytes(&p["header_block_fragment"]), "{name}");
            match priority {
                Some(spec) => {
                    assert_eq!(spec.dependency, json_u32(&p["stream_dependency"]));
                    assert_eq!(u32::from(spec.weight), json_u32(&p["weight"]));
                    assert_eq!(Some(spec.exclusive), p["exclusive"].as_bool());
                }
                None => assert!(p["stream_dependency"].is_null() && p["weight"].is_null()),
            }
            let prio_len = if priority.is_some() { 5 } else { 0 };
            assert_eq!(fragment.len() + prio_len + check_padding(p, h.flags), h.length as usize);
            assert!(end_headers);
            encode_headers(&mut out, stream_id, fragment, end_stream, MAX);
            if out != wire {
                let again = ok(&out);
                assert_eq!(again, Frame::Headers { stream_id, priority: None, fragment, end_stream, end_headers });
            }
        }
        Frame::Priority { stream_id, spec } => {
            assert_eq!(spec.dependency, json_u32(&p["stream_dependency"]));
            assert_eq!(u32::from(spec.weight), json_u32(&p["weight"]));
            assert_eq!(Some(spec.exclusive), p["exclusive"].as_bool());
            encode_priority(&mut out, stream_id, spec);
        }
        Frame::RstStream { stream_id, code } => {
            assert_eq!(code.0, json_u32(&p["error_code"]));
            encode_rst_stream(&mut out, stream_id, code);
        }
        Frame::Settings { ack, params } => {
            let got: Vec<(u32, u32)> = settings_iter(params).map(|(i, v)| (u32::from(i), v)).collect();
            let want: Vec<(u32, u32)> = p["settings"]
                .as_array()
                .expect("settings")
                .iter()
                .map(|kv| (json_u32(&kv[0]), json_u32(&kv[1])))
                .collect();
            assert_eq!(got, want, "{name}");
            assert!(!ack);
            let pairs: Vec<(u16, u32)> = settings_iter(params).collect();
            encode_settings(&mut out, &pairs);
        }
        Frame::PushPromise { stream_id, promised_id, fragment, end_headers } => {
            assert_eq!(promised_id, json_u32(&p["promised_stream_id"]));
            assert_eq!(fragment, json_bytes(&p["header_block_fragment"]), "{name}");
            assert_eq!(fragment.len() + 4 + check_padding(p, h.flags), h.length as usize);
            assert!(end_headers);
            encode_push_promise(&mut out, stream_id, promised_id, fragment, MAX);
            if out != wire {
                assert_eq!(ok(&out), Frame::PushPromise { stream_id, promised_id, fragment, end_headers });
            }
        }
        Frame::Ping { ack, data } => {
            assert_eq!(&data[..], json_bytes(&p["opaque_data"]));
            encode_ping(&mut out, ack, &data);
        }
        Frame::GoAway { last_stream_id, code, debug } => {
            assert_eq!(last_stream_id, json_u32(&p["last_stream_id"]));
            assert_eq!(code.0, json_u32(&p["error_code"]));
            assert_eq!(debug, json_bytes(&p["additional_debug_data"]));
            encode_goaway(&mut out, last_stream_id, code, debug);
        }
        Frame::WindowUpdate { stream_id, increment } => {
            assert_eq!(increment, json_u32(&p["window_size_increment"]));
            encode_window_update(&mut out, stream_id, increment);
        }
        Frame::Continuation { stream_id, fragment, end_headers } => {
            assert_eq!(fragment, json_bytes(&p["header_block_fragment"]), "{name}");
            encode_continuation(&mut out, stream_id, fragment, end_headers);
        }
        f @ (Frame::PriorityUpdate { .. } | Frame::Unknown { .. }) => panic!("{name}: no such vectors: {f:?}"),
    }
    // Every strict prefix of a valid frame is incomplete.
    for n in 0..wire.len() {
        assert_eq!(decode(&wire[..n], MAX), Ok(None), "{name}: prefix {n}");
    }
    out == wire
}

#[test]
fn json_vectors() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/testdata/http2-frame-test-case"));
    let Ok(dirs) = std::fs::read_dir(root) else {
        println!("SKIP: {} is absent", root.display());
        return;
    };
    let mut files: Vec<_> = dirs
        .flatten()
        .filter(|d| d.path().is_dir())
        .flat_map(|d| std::fs::read_dir(d.path()).expect("read dir").flatten().map(|f| f.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let (mut normal, mut reencoded, mut errors) = (0, 0, 0);
    for path in &files {
        let name = path.strip_prefix(root).unwrap_or(path).display().to_string();
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json");
        let wire = hex(v["wire"].as_str().expect("wire"));
        if let Some(codes) = v["error"].as_array() {
            let codes: Vec<u32> = codes.iter().map(json_u32).collect();
            let e = err(&wire);
            assert!(codes.contains(&e.code.0), "{name}: got {e:?}, acceptable {codes:?}");
            errors += 1;
        } else {
            normal += 1;
            if check_normal_vector(&name, &wire, &v["frame"]) {
                reencoded += 1;
            }
        }
    }
    println!("http2-frame-test-case: {normal} normal ({reencoded} re-encoded byte for byte), {errors} error vectors passed");
    assert_eq!(normal + errors, files.len());
    assert!(normal > 0 && errors > 0, "no vectors found in {}", root.display());
}

// ---- decode: each rule ----

#[test]
fn header_parsing() {
    assert_eq!(parse_header(&[0; 8]), None);
    let h = parse_header(&[0x12, 0x34, 0x56, 0x07, 0x89, 0xff, 0xff, 0xff, 0xff, 0xaa]).unwrap();
    assert_eq!(h, FrameHeader { length: 0x123456, kind: 7, flags: 0x89, stream_id: 0x7fff_ffff });
}

#[test]
fn too_large_is_a_connection_error_from_the_header_alone() {
    let f = raw(kind::DATA, 0, 1, &[0; 16385]);
    let e = err(&f[..HEADER_LEN]);
    assert_eq!((e.code, e.stream_id, e.len), (ErrorCode::FRAME_SIZE_ERROR, None, f.len()));
    conn_err(&f, ErrorCode::FRAME_SIZE_ERROR);
    // Exactly max is fine; a larger max_frame_size accepts it; unknown types are checked too.
    assert!(matches!(decode(&raw(kind::DATA, 0, 1, &[0; 16384]), MAX), Ok(Some(_))));
    assert!(matches!(decode(&f, 16385), Ok(Some(_))));
    let e = decode(&raw(0xfa, 0, 0, &[0; 101]), 100).unwrap_err();
    assert_eq!(e.code, ErrorCode::FRAME_SIZE_ERROR);
}

#[test]
fn stream_zero_is_refused_for_stream_frames() {
    let cases: [(u8, &[u8]); 6] = [
        (kind::DATA, b"x"),
        (kind::HEADERS, b"x"),
        (kind::PRIORITY, &[0, 0, 0, 1, 0]),
        (kind::RST_STREAM, &[0, 0, 0, 8]),
        (kind::PUSH_PROMISE, &[0, 0, 0, 2]),
        (kind::CONTINUATION, b"x"),
    ];
    for (k, payload) in cases {
        conn_err(&raw(k, 0, 0, payload), ErrorCode::PROTOCOL_ERROR);
        // the reserved bit does not make a stream id nonzero
        conn_err(&raw(k, 0, 0x8000_0000, payload), ErrorCode::PROTOCOL_ERROR);
        assert!(decode(&raw(k, flag::END_HEADERS, 2, payload), MAX).is_ok());
    }
}

#[test]
fn nonzero_stream_is_refused_for_connection_frames() {
    let cases: [(u8, &[u8]); 4] = [
        (kind::SETTINGS, &[]),
        (kind::PING, &[0; 8]),
        (kind::GOAWAY, &[0; 8]),
        (kind::PRIORITY_UPDATE, &[0, 0, 0, 1]),
    ];
    for (k, payload) in cases {
        conn_err(&raw(k, 0, 1, payload), ErrorCode::PROTOCOL_ERROR);
        assert!(matches!(decode(&raw(k, 0, 0, payload), MAX), Ok(Some(_))));
        assert!(matches!(decode(&raw(k, 0, 0x8000_0000, payload), MAX), Ok(Some(_))));
    }
}

#[test]
fn data_frames() {
    assert_eq!(
        ok(&raw(kind::DATA, flag::END_STREAM, 3, b"hello")),
        Frame::Data { stream_id: 3, data: b"hello", end_stream: true, flow_len: 5 }
    );
    assert_eq!(ok(&raw(kind::DATA, 0, 3, b"")), Frame::Data { stream_id: 3, data: b"", end_stream: false, flow_len: 0 });
    // Padding: stripped, but counted by flow control.
    assert_eq!(
        ok(&raw(kind::DATA, flag::PADDED, 3, b"\x02hi\0\0")),
        Frame::Data { stream_id: 3, data: b"hi", end_stream: false, flow_len: 5 }
    );
    assert_eq!(
        ok(&raw(kind::DATA, flag::PADDED, 3, b"\x00")),
        Frame::Data { stream_id: 3, data: b"", end_stream: false, flow_len: 1 }
    );
    assert_eq!(
        ok(&raw(kind::DATA, flag::PADDED, 3, b"\x03\0\0\0")),
        Frame::Data { stream_id: 3, data: b"", end_stream: false, flow_len: 4 }
    );
    // Padding length >= payload length.
    conn_err(&raw(kind::DATA, flag::PADDED, 3, b"\x04\0\0\0"), ErrorCode::PROTOCOL_ERROR);
    conn_err(&raw(kind::DATA, flag::PADDED, 3, b"\xff"), ErrorCode::PROTOCOL_ERROR);
    // No room for the Pad Length.
    conn_err(&raw(kind::DATA, flag::PADDED, 3, b""), ErrorCode::FRAME_SIZE_ERROR);
}

#[test]
fn headers_frames() {
    assert_eq!(
        ok(&raw(kind::HEADERS, flag::END_HEADERS | flag::END_STREAM, 1, b"block")),
        Frame::Headers { stream_id: 1, priority: None, fragment: b"block", end_stream: true, end_headers: true }
    );
    assert_eq!(
        ok(&raw(kind::HEADERS, 0, 1, b"")),
        Frame::Headers { stream_id: 1, priority: None, fragment: b"", end_stream: false, end_headers: false }
    );
    let spec = PrioritySpec { exclusive: true, dependency: 3, weight: 256 };
    assert_eq!(
        ok(&raw(kind::HEADERS, flag::PRIORITY, 5, b"\x80\0\0\x03\xffab")),
        Frame::Headers { stream_id: 5, priority: Some(spec), fragment: b"ab", end_stream: false, end_headers: false }
    );
    let spec = PrioritySpec { exclusive: false, dependency: 0, weight: 1 };
    assert_eq!(
        ok(&raw(kind::HEADERS, flag::PRIORITY | flag::PADDED, 5, b"\x01\0\0\0\0\0ab\0")),
        Frame::Headers { stream_id: 5, priority: Some(spec), fragment: b"ab", end_stream: false, end_headers: false }
    );
    assert_eq!(
        ok(&raw(kind::HEADERS, flag::PADDED, 5, b"\x02ab\0\0")),
        Frame::Headers { stream_id: 5, priority: None, fragment: b"ab", end_stream: false, end_headers: false }
    );
    // Too short for priority / Pad Length.
    conn_err(&raw(kind::HEADERS, flag::PRIORITY, 5, b"\0\0\0\x03"), ErrorCode::FRAME_SIZE_ERROR);
    conn_err(&raw(kind::HEADERS, flag::PRIORITY | flag::PADDED, 5, b"\0\0\0\0\x03"), ErrorCode::FRAME_SIZE_ERROR);
    conn_err(&raw(kind::HEADERS, flag::PADDED, 5, b""), ErrorCode::FRAME_SIZE_ERROR);
    // Padding leaving no room for the fragment's fixed fields / exceeding the payload.
    conn_err(&raw(kind::HEADERS, flag::PRIORITY | flag::PADDED, 5, b"\x01\0\0\0\0\0"), ErrorCode::PROTOCOL_ERROR);
    conn_err(&raw(kind::HEADERS, flag::PADDED, 5, b"\x03ab"), ErrorCode::PROTOCOL_ERROR);
    // Self-dependency: a connection error (the field block cannot be skipped).
    conn_err(&raw(kind::HEADERS, flag::PRIORITY | flag::END_HEADERS, 5, b"\0\0\0\x05\x0fab"), ErrorCode::PROTOCOL_ERROR);
    conn_err(&raw(kind::HEADERS, flag::PRIORITY, 5, b"\x80\0\0\x05\x0f"), ErrorCode::PROTOCOL_ERROR);
}

#[test]
fn priority_frames() {
    assert_eq!(
        ok(&raw(kind::PRIORITY, 0, 7, b"\0\0\0\x03\x0f")),
        Frame::Priority { stream_id: 7, spec: PrioritySpec { exclusive: false, dependency: 3, weight: 16 } }
    );
    assert_eq!(
        ok(&raw(kind::PRIORITY, 0xff, 7, b"\xff\xff\xff\xff\0")),
        Frame::Priority { stream_id: 7, spec: PrioritySpec { exclusive: true, dependency: 0x7fff_ffff, weight: 1 } }
    );
    // Length other than 5: a stream error, the frame skipped.
    stream_err(&raw(kind::PRIORITY, 0, 7, b"\0\0\0\x03"), ErrorCode::FRAME_SIZE_ERROR, 7);
    stream_err(&raw(kind::PRIORITY, 0, 7, b"\0\0\0\x03\x0f\0"), ErrorCode::FRAME_SIZE_ERROR, 7);
    stream_err(&raw(kind::PRIORITY, 0, 7, b""), ErrorCode::FRAME_SIZE_ERROR, 7);
    // Self-dependency: a stream error (with or without the exclusive bit).
    stream_err(&raw(kind::PRIORITY, 0, 7, b"\0\0\0\x07\x0f"), ErrorCode::PROTOCOL_ERROR, 7);
    stream_err(&raw(kind::PRIORITY, 0, 7, b"\x80\0\0\x07\x0f"), ErrorCode::PROTOCOL_ERROR, 7);
    // The caller goes on after a stream error: the next frame decodes.
    let mut two = raw(kind::PRIORITY, 0, 7, b"\0\0\0\x07\x0f");
    two.extend_from_slice(&raw(kind::PING, 0, 0, b"12345678"));
    let e = decode(&two, MAX).unwrap_err();
    assert_eq!(ok(&two[e.len..]), Frame::Ping { ack: false, data: *b"12345678" });
}

#[test]
fn rst_stream_frames() {
    assert_eq!(ok(&raw(kind::RST_STREAM, 0, 9, b"\0\0\0\x08")), Frame::RstStream { stream_id: 9, code: ErrorCode::CANCEL });
    assert_eq!(ok(&raw(kind::RST_STREAM, 0, 9, b"\xde\xad\xbe\xef")), Frame::RstStream { stream_id: 9, code: ErrorCode(0xdead_beef) });
    for len in [0, 3, 5, 8] {
        conn_err(&raw(kind::RST_STREAM, 0, 9, &vec![0; len]), ErrorCode::FRAME_SIZE_ERROR);
    }
}

#[test]
fn settings_frames() {
    let f = raw(kind::SETTINGS, 0, 0, b"\0\x01\0\0\x10\0\0\x09\0\0\0\x01\x12\x34\xff\xff\xff\xff");
    let Frame::Settings { ack: false, params } = ok(&f) else { panic!() };
    assert_eq!(settings_iter(params).collect::<Vec<_>>(), [(1, 4096), (9, 1), (0x1234, u32::MAX)]);
    assert_eq!(ok(&raw(kind::SETTINGS, 0, 0, b"")), Frame::Settings { ack: false, params: b"" });
    assert_eq!(ok(&raw(kind::SETTINGS, flag::ACK, 0, b"")), Frame::Settings { ack: true, params: b"" });
    // ACK with a payload; length not a multiple of 6.
    conn_err(&raw(kind::SETTINGS, flag::ACK, 0, &[0; 6]), ErrorCode::FRAME_SIZE_ERROR);
    conn_err(&raw(kind::SETTINGS, flag::ACK, 0, &[0; 1]), ErrorCode::FRAME_SIZE_ERROR);
    for len in [1, 5, 7, 13] {
        conn_err(&raw(kind::SETTINGS, 0, 0, &vec![0; len]), ErrorCode::FRAME_SIZE_ERROR);
    }
    // Values out of range, anywhere in the frame.
    let bad: [(u16, u32, ErrorCode); 7] = [
        (setting::ENABLE_PUSH, 2, ErrorCode::PROTOCOL_ERROR),
        (setting::INITIAL_WINDOW_SIZE, 0x8000_0000, ErrorCode::FLOW_CONTROL_ERROR),
        (setting::MAX_FRAME_SIZE, 16383, ErrorCode::PROTOCOL_ERROR),
        (setting::MAX_FRAME_SIZE, 16_777_216, ErrorCode::PROTOCOL_ERROR),
        (setting::MAX_FRAME_SIZE, 0, ErrorCode::PROTOCOL_ERROR),
        (setting::ENABLE_CONNECT_PROTOCOL, 2, ErrorCode::PROTOCOL_ERROR),
        (setting::NO_RFC7540_PRIORITIES, 0xffff_ffff, ErrorCode::PROTOCOL_ERROR),
    ];
    for (id, value, code) in bad {
        assert_eq!(check_setting(id, value).unwrap_err().code, code, "{id} = {value}");
        let mut f = Vec::new();
        encode_settings(&mut f, &[(setting::HEADER_TABLE_SIZE, 0), (id, value)]);
        conn_err(&f, code);
    }
}

#[test]
fn check_setting_accepts_the_valid_ranges() {
    let good: [(u16, u32); 14] = [
        (setting::HEADER_TABLE_SIZE, u32::MAX),
        (setting::ENABLE_PUSH, 0),
        (setting::ENABLE_PUSH, 1),
        (setting::MAX_CONCURRENT_STREAMS, 0),
        (setting::MAX_CONCURRENT_STREAMS, u32::MAX),
        (setting::INITIAL_WINDOW_SIZE, 0),
        (setting::INITIAL_WINDOW_SIZE, 0x7fff_ffff),
        (setting::MAX_FRAME_SIZE, 16384),
        (setting::MAX_FRAME_SIZE, 16_777_215),
        (setting::MAX_HEADER_LIST_SIZE, 0),
        (setting::ENABLE_CONNECT_PROTOCOL, 1),
        (setting::NO_RFC7540_PRIORITIES, 1),
        (0, u32::MAX),
        (0xffff, u32::MAX),
    ];
    for (id, value) in good {
        assert_eq!(check_setting(id, value), Ok(()), "{id} = {value}");
    }
}

#[test]
fn push_promise_frames() {
    assert_eq!(
        ok(&raw(kind::PUSH_PROMISE, flag::END_HEADERS, 1, b"\0\0\0\x02block")),
        Frame::PushPromise { stream_id: 1, promised_id: 2, fragment: b"block", end_headers: true }
    );
    assert_eq!(
        ok(&raw(kind::PUSH_PROMISE, flag::PADDED, 1, b"\x01\x80\0\0\x04\0")),
        Frame::PushPromise { stream_id: 1, promised_id: 4, fragment: b"", end_headers: false }
    );
    conn_err(&raw(kind::PUSH_PROMISE, 0, 1, b"\0\0\x02"), ErrorCode::FRAME_SIZE_ERROR);
    conn_err(&raw(kind::PUSH_PROMISE, flag::PADDED, 1, b"\0\0\0\x02"), ErrorCode::FRAME_SIZE_ERROR);
    conn_err(&raw(kind::PUSH_PROMISE, flag::PADDED, 1, b"\x01\0\0\0\x02"), ErrorCode::PROTOCOL_ERROR);
    conn_err(&raw(kind::PUSH_PROMISE, 0, 1, b"\0\0\0\0"), ErrorCode::PROTOCOL_ERROR);
    conn_err(&raw(kind::PUSH_PROMISE, 0, 1, b"\x80\0\0\0"), ErrorCode::PROTOCOL_ERROR);
    conn_err(&raw(kind::PUSH_PROMISE, 0, 1, b"\0\0\0\x03"), ErrorCode::PROTOCOL_ERROR);
}

#[test]
fn ping_frames() {
    assert_eq!(ok(&raw(kind::PING, 0, 0, b"abcdefgh")), Frame::Ping { ack: false, data: *b"abcdefgh" });
    assert_eq!(ok(&raw(kind::PING, flag::ACK | 0xf0, 0, b"abcdefgh")), Frame::Ping { ack: true, data: *b"abcdefgh" });
    for len in [0, 7, 9, 16] {
        conn_err(&raw(kind::PING, 0, 0, &vec![0; len]), ErrorCode::FRAME_SIZE_ERROR);
    }
}

#[test]
fn goaway_frames() {
    assert_eq!(
        ok(&raw(kind::GOAWAY, 0, 0, b"\x80\0\0\x05\0\0\0\x0bcalm")),
        Frame::GoAway { last_stream_id: 5, code: ErrorCode::ENHANCE_YOUR_CALM, debug: b"calm" }
    );
    assert_eq!(
        ok(&raw(kind::GOAWAY, 0, 0, &[0; 8])),
        Frame::GoAway { last_stream_id: 0, code: ErrorCode::NO_ERROR, debug: b"" }
    );
    for len in [0, 4, 7] {
        conn_err(&raw(kind::GOAWAY, 0, 0, &vec![0; len]), ErrorCode::FRAME_SIZE_ERROR);
    }
}

#[test]
fn window_update_frames() {
    assert_eq!(ok(&raw(kind::WINDOW_UPDATE, 0, 0, b"\0\0\0\x01")), Frame::WindowUpdate { stream_id: 0, increment: 1 });
    assert_eq!(
        ok(&raw(kind::WINDOW_UPDATE, 0, 3, b"\xff\xff\xff\xff")),
        Frame::WindowUpdate { stream_id: 3, increment: 0x7fff_ffff }
    );
    // Increment 0 (the reserved bit aside): stream error on a stream, connection error on 0.
    stream_err(&raw(kind::WINDOW_UPDATE, 0, 3, b"\0\0\0\0"), ErrorCode::PROTOCOL_ERROR, 3);
    stream_err(&raw(kind::WINDOW_UPDATE, 0, 3, b"\x80\0\0\0"), ErrorCode::PROTOCOL_ERROR, 3);
    conn_err(&raw(kind::WINDOW_UPDATE, 0, 0, b"\0\0\0\0"), ErrorCode::PROTOCOL_ERROR);
    for len in [0, 3, 5, 8] {
        conn_err(&raw(kind::WINDOW_UPDATE, 0, 3, &vec![1; len]), ErrorCode::FRAME_SIZE_ERROR);
        conn_err(&raw(kind::WINDOW_UPDATE, 0, 0, &vec![1; len]), ErrorCode::FRAME_SIZE_ERROR);
    }
}

#[test]
fn continuation_frames() {
    assert_eq!(
        ok(&raw(kind::CONTINUATION, flag::END_HEADERS | flag::PADDED, 11, b"\x05more")),
        Frame::Continuation { stream_id: 11, fragment: b"\x05more", end_headers: true }
    );
    assert_eq!(ok(&raw(kind::CONTINUATION, 0, 11, b"")), Frame::Continuation { stream_id: 11, fragment: b"", end_headers: false });
}

#[test]
fn priority_update_frames() {
    assert_eq!(
        ok(&raw(kind::PRIORITY_UPDATE, 0, 0, b"\0\0\0\x05u=1, i")),
        Frame::PriorityUpdate { prioritized_id: 5, field_value: b"u=1, i" }
    );
    assert_eq!(
        ok(&raw(kind::PRIORITY_UPDATE, 0, 0, b"\x80\0\0\x07")),
        Frame::PriorityUpdate { prioritized_id: 7, field_value: b"" }
    );
    conn_err(&raw(kind::PRIORITY_UPDATE, 0, 0, b"\0\0\0"), ErrorCode::FRAME_SIZE_ERROR);
    conn_err(&raw(kind::PRIORITY_UPDATE, 0, 0, b""), ErrorCode::FRAME_SIZE_ERROR);
    conn_err(&raw(kind::PRIORITY_UPDATE, 0, 0, b"\0\0\0\0u=0"), ErrorCode::PROTOCOL_ERROR);
    conn_err(&raw(kind::PRIORITY_UPDATE, 0, 0, b"\x80\0\0\0"), ErrorCode::PROTOCOL_ERROR);
    conn_err(&raw(kind::PRIORITY_UPDATE, 0, 3, b"\0\0\0\x03"), ErrorCode::PROTOCOL_ERROR);
}

#[test]
fn unknown_frames_are_consumed() {
    for k in [0x0a, 0x0b, 0x0f, 0x11, 0xff] {
        let f = raw(k, 0xab, 0x8000_0009, b"whatever");
        assert_eq!(ok(&f), Frame::Unknown { kind: k, flags: 0xab, stream_id: 9 });
        assert_eq!(ok(&raw(k, 0, 0, b"")), Frame::Unknown { kind: k, flags: 0, stream_id: 0 });
        for n in 0..f.len() {
            assert_eq!(decode(&f[..n], MAX), Ok(None));
        }
    }
}

#[test]
fn decode_takes_one_frame_off_the_front() {
    let mut buf = Vec::new();
    encode_settings(&mut buf, &[(setting::MAX_CONCURRENT_STREAMS, 100)]);
    encode_window_update(&mut buf, 0, 1 << 20);
    encode_headers(&mut buf, 1, b"hdrs", true, MAX);
    buf.extend_from_slice(&[0, 0]); // the start of a next frame
    let mut at = 0;
    let mut kinds = Vec::new();
    while let Some((f, n)) = decode(&buf[at..], MAX).unwrap() {
        kinds.push(std::mem::discriminant(&f));
        at += n;
    }
    assert_eq!(kinds.len(), 3);
    assert_eq!(at, buf.len() - 2);
}

#[test]
fn every_prefix_of_a_valid_frame_is_incomplete() {
    let mut frames = Vec::new();
    let spec = PrioritySpec { exclusive: false, dependency: 1, weight: 16 };
    let mut push = |f: &dyn Fn(&mut Vec<u8>)| {
        let mut v = Vec::new();
        f(&mut v);
        frames.push(v);
    };
    push(&|o| encode_data(o, 1, b"body", true));
    push(&|o| encode_headers(o, 1, b"block", false, MAX));
    push(&|o| encode_priority(o, 3, spec));
    push(&|o| encode_rst_stream(o, 1, ErrorCode::CANCEL));
    push(&|o| encode_settings(o, &[(1, 0), (4, 1 << 20)]));
    push(&encode_settings_ack);
    push(&|o| encode_push_promise(o, 1, 2, b"block", MAX));
    push(&|o| encode_ping(o, true, b"12345678"));
    push(&|o| encode_goaway(o, 7, ErrorCode::NO_ERROR, b"bye"));
    push(&|o| encode_window_update(o, 1, 100));
    push(&|o| encode_continuation(o, 1, b"more", true));
    push(&|o| encode_priority_update(o, 1, b"u=0"));
    frames.push(raw(kind::HEADERS, flag::PADDED | flag::PRIORITY, 5, b"\x02\0\0\0\x01\x0fab\0\0"));
    frames.push(raw(kind::DATA, flag::PADDED, 5, b"\x02ab\0\0"));
    for f in &frames {
        assert!(matches!(decode(f, MAX), Ok(Some((_, n))) if n == f.len()), "{f:02x?}");
        for n in 0..f.len() {
            assert_eq!(decode(&f[..n], MAX), Ok(None), "prefix {n} of {f:02x?}");
        }
    }
}

/// Arbitrary bytes never panic; a frame or a stream error never claims more than the input.
/// A xorshift64 generator: the same numbers for the same seed.
fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

#[test]
fn arbitrary_input_is_handled() {
    let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
    let mut buf = Vec::new();
    for _ in 0..20000 {
        buf.clear();
        let r = next();
        // A plausible header (small length, a known or unknown type, some flags), then noise.
        let len = (r % 24) as usize;
        let kind = (r >> 8) as u8 % 0x12;
        let flags = (r >> 16) as u8;
        let stream = ((r >> 24) as u32) % 4;
        encode_header(&mut buf, len, kind, flags, stream);
        for _ in 0..(r >> 40) % 30 {
            buf.push(next() as u8);
        }
        match decode(&buf, MAX) {
            Ok(Some((_, n))) => assert!(n <= buf.len() && n == HEADER_LEN + len),
            Ok(None) => assert!(buf.len() < HEADER_LEN + len),
            Err(e) if e.stream_id.is_some() => assert!(e.len <= buf.len() && e.len == HEADER_LEN + len),
            Err(e) => assert_eq!(e.len, HEADER_LEN + len),
        }
    }
}

// ---- encode: round trips ----

#[test]
fn encode_header_layout() {
    let mut v = Vec::new();
    encode_header(&mut v, 0x0a0b0c, 0x10, 0x25, 0xffff_fffe);
    assert_eq!(v, [0x0a, 0x0b, 0x0c, 0x10, 0x25, 0x7f, 0xff, 0xff, 0xfe]);
    let mut v = Vec::new();
    encode_data_header(&mut v, 3, 16384, true);
    assert_eq!(v, [0, 0x40, 0, 0, 1, 0, 0, 0, 3]);
}

#[test]
#[should_panic(expected = "frame payload")]
fn encode_header_refuses_a_length_beyond_24_bits() {
    encode_header(&mut Vec::new(), 1 << 24, kind::DATA, 0, 1);
}

/// Decodes a HEADERS / PUSH_PROMISE + CONTINUATION sequence, checks the framing rules and
/// returns the joined block.
fn join_field_block(mut buf: &[u8], first_kind: u8, stream_id: u32, max: u32) -> (Vec<u8>, usize, Option<u32>, bool) {
    let mut block = Vec::new();
    let (mut frames, mut promised, mut end_stream) = (0, None, false);
    loop {
        let h = parse_header(buf).expect("header");
        assert!(h.length <= max, "frame of {} > {max}", h.length);
        let (f, n) = decode(buf, max).expect("valid").expect("complete");
        buf = &buf[n..];
        let expected_kind = if frames == 0 { first_kind } else { kind::CONTINUATION };
        assert_eq!(h.kind, expected_kind);
        frames += 1;
        let (fragment, end_headers) = match f {
            Frame::Headers { stream_id: s, priority: None, fragment, end_stream: es, end_headers } => {
                assert_eq!(s, stream_id);
                end_stream = es;
                (fragment, end_headers)
            }
            Frame::PushPromise { stream_id: s, promised_id, fragment, end_headers } => {
                assert_eq!(s, stream_id);
                promised = Some(promised_id);
                (fragment, end_headers)
            }
            Frame::Continuation { stream_id: s, fragment, end_headers } => {
                assert_eq!(s, stream_id);
                assert_eq!(h.flags & !flag::END_HEADERS, 0);
                (fragment, end_headers)
            }
            other => panic!("unexpected {other:?}"),
        };
        // Every frame but the last is full.
        if !end_headers {
            assert_eq!(h.length, max);
        }
        block.extend_from_slice(fragment);
        if end_headers {
            assert!(buf.is_empty(), "bytes after END_HEADERS");
            return (block, frames, promised, end_stream);
        }
    }
}

#[test]
fn headers_round_trip_with_continuations() {
    let block: Vec<u8> = (0..50_000u32).map(|i| (i * 7 + i / 251) as u8).collect();
    for max in [16384u32, 16385, 20000, 65536, MAX_MAX_FRAME_SIZE] {
        for len in [0, 1, 100, 16383, 16384, 16385, 32768, 32769, 50_000] {
            for end_stream in [false, true] {
                let mut out = vec![0xee]; // appends, keeps what is there
                encode_headers(&mut out, 13, &block[..len], end_stream, max);
                assert_eq!(out[0], 0xee);
                let (joined, frames, _, es) = join_field_block(&out[1..], kind::HEADERS, 13, max);
                assert_eq!(joined, &block[..len]);
                assert_eq!(es, end_stream);
                assert_eq!(frames, len.div_ceil(max as usize).max(1));
                assert_eq!(out.len(), 1 + len + HEADER_LEN * frames);
            }
        }
    }
}

#[test]
fn push_promise_round_trip_with_continuations() {
    let block: Vec<u8> = (0..40_000u32).map(|i| (i ^ (i >> 8)) as u8).collect();
    for max in [16384u32, 30000] {
        for len in [0, 10, 16379, 16380, 16381, 40_000] {
            let mut out = Vec::new();
            encode_push_promise(&mut out, 3, 8, &block[..len], max);
            let (joined, frames, promised, _) = join_field_block(&out, kind::PUSH_PROMISE, 3, max);
            assert_eq!(joined, &block[..len]);
            assert_eq!(promised, Some(8));
            assert_eq!(frames, (len + 4).div_ceil(max as usize));
        }
    }
}

#[test]
fn encoders_round_trip() {
    fn check(enc: &dyn Fn(&mut Vec<u8>), want: Frame<'_>) {
        let mut out = Vec::new();
        enc(&mut out);
        assert_eq!(ok(&out), want);
    }
    check(&|o| encode_data(o, 5, b"payload", false), Frame::Data { stream_id: 5, data: b"payload", end_stream: false, flow_len: 7 });
    check(&|o| encode_data(o, 5, b"", true), Frame::Data { stream_id: 5, data: b"", end_stream: true, flow_len: 0 });
    check(
        &|o| {
            encode_data_header(o, 7, 3, true);
            o.extend_from_slice(b"abc");
        },
        Frame::Data { stream_id: 7, data: b"abc", end_stream: true, flow_len: 3 },
    );
    for spec in [
        PrioritySpec { exclusive: true, dependency: 0, weight: 1 },
        PrioritySpec { exclusive: false, dependency: 0x7fff_ffff, weight: 256 },
        PrioritySpec { exclusive: false, dependency: 1, weight: 16 },
    ] {
        check(&|o| encode_priority(o, 9, spec), Frame::Priority { stream_id: 9, spec });
    }
    for code in [ErrorCode::NO_ERROR, ErrorCode::HTTP_1_1_REQUIRED, ErrorCode(0xffff_ffff)] {
        check(&|o| encode_rst_stream(o, 1, code), Frame::RstStream { stream_id: 1, code });
        check(&|o| encode_goaway(o, 0x7fff_ffff, code, b"debug"), Frame::GoAway { last_stream_id: 0x7fff_ffff, code, debug: b"debug" });
    }
    let params = [(setting::MAX_CONCURRENT_STREAMS, 100), (setting::INITIAL_WINDOW_SIZE, 16_777_216), (setting::ENABLE_PUSH, 0)];
    let mut out = Vec::new();
    encode_settings(&mut out, &params);
    let Frame::Settings { ack: false, params: p } = ok(&out) else { panic!() };
    assert_eq!(settings_iter(p).collect::<Vec<_>>(), params);
    check(&|o| encode_settings(o, &[]), Frame::Settings { ack: false, params: b"" });
    check(&encode_settings_ack, Frame::Settings { ack: true, params: b"" });
    check(&|o| encode_ping(o, false, b"\0\x01\x02\x03\x04\x05\x06\x07"), Frame::Ping { ack: false, data: *b"\0\x01\x02\x03\x04\x05\x06\x07" });
    check(&|o| encode_ping(o, true, b"pingpong"), Frame::Ping { ack: true, data: *b"pingpong" });
    check(&|o| encode_window_update(o, 0, 0x7fff_ffff), Frame::WindowUpdate { stream_id: 0, increment: 0x7fff_ffff });
    check(&|o| encode_window_update(o, 3, 1), Frame::WindowUpdate { stream_id: 3, increment: 1 });
    check(&|o| encode_continuation(o, 3, b"frag", false), Frame::Continuation { stream_id: 3, fragment: b"frag", end_headers: false });
    check(&|o| encode_priority_update(o, 5, b"u=2"), Frame::PriorityUpdate { prioritized_id: 5, field_value: b"u=2" });
    check(&|o| encode_priority_update(o, 1, b""), Frame::PriorityUpdate { prioritized_id: 1, field_value: b"" });
    let big = vec![b'x'; 10_000];
    check(
        &|o| encode_goaway(o, 1, ErrorCode::PROTOCOL_ERROR, &big),
        Frame::GoAway { last_stream_id: 1, code: ErrorCode::PROTOCOL_ERROR, debug: &big },
    );
}

#[test]
fn encoders_append() {
    let mut out = b"prefix".to_vec();
    encode_rst_stream(&mut out, 1, ErrorCode::CANCEL);
    encode_ping(&mut out, false, &[0; 8]);
    assert_eq!(&out[..6], b"prefix");
    assert_eq!(out.len(), 6 + 13 + 17);
}

#[test]
fn error_code_names() {
    assert_eq!(ErrorCode::NO_ERROR.name(), "NO_ERROR");
    assert_eq!(ErrorCode::FRAME_SIZE_ERROR.name(), "FRAME_SIZE_ERROR");
    assert_eq!(ErrorCode::HTTP_1_1_REQUIRED.name(), "HTTP_1_1_REQUIRED");
    assert_eq!(ErrorCode(0xe).name(), "UNKNOWN");
}

// ---- decode_split and the fixed-size frame builders ----

/// `decode_split` agrees with `decode` on every whole frame, except that a stream depending on
/// itself is left to the caller (then it gives the frame that `decode` refuses).
#[test]
fn decode_split_agrees_with_decode() {
    let mut next = xorshift(0x2545_f491_4f6c_dd1d);
    let (mut frames, mut self_deps) = (0, 0);
    for _ in 0..20000 {
        let r = next();
        let len = (r % 24) as usize;
        let kind = (r >> 8) as u8 % 0x12;
        let flags = (r >> 16) as u8;
        let stream = (((r >> 24) as u32) % 4) | if r >> 63 != 0 { 0x8000_0000 } else { 0 };
        let mut payload: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        if len >= 5 && r & 0x100_0000_0000 != 0 {
            // make priority fields name the frame's own stream now and then
            let at = if flags & flag::PADDED != 0 && kind == kind::HEADERS { 1 } else { 0 };
            if len >= at + 5 {
                payload[at..at + 4].copy_from_slice(&(stream & STREAM_ID_MASK).to_be_bytes());
            }
        }
        let buf = raw(kind, flags, stream, &payload);
        let split = decode_split(kind, flags, stream & STREAM_ID_MASK, &payload);
        match decode(&buf, MAX) {
            Ok(Some((f, _))) => {
                frames += 1;
                assert_eq!(split, Ok(f));
            }
            Ok(None) => unreachable!("a whole frame"),
            Err(e) if e.reason.contains("depends on itself") => {
                self_deps += 1;
                let f = split.expect("no self-dependency check");
                assert!(matches!(f, Frame::Headers { .. } | Frame::Priority { .. }), "{f:?}");
            }
            Err(e) => assert_eq!(split, Err(e)),
        }
    }
    assert!(frames > 1000 && self_deps > 50, "{frames} frames, {self_deps} self-dependencies");
}

#[test]
fn fixed_frames_are_what_the_encoders_append() {
    let mut v = Vec::new();
    encode_rst_stream(&mut v, 0x8000_0007, ErrorCode::CANCEL);
    assert_eq!(v, rst_stream_frame(7, ErrorCode::CANCEL));
    v.clear();
    encode_window_update(&mut v, 3, 0x1234_5678);
    assert_eq!(v, window_update_frame(3, 0x1234_5678));
    assert_eq!(window_update_frame(3, 0xffff_ffff)[9..], [0x7f, 0xff, 0xff, 0xff]);
    v.clear();
    encode_ping(&mut v, true, b"abcdefgh");
    assert_eq!(v, ping_frame(true, b"abcdefgh"));
    v.clear();
    encode_goaway(&mut v, 0xffff_ffff, ErrorCode(0xdead_beef), b"why");
    assert_eq!(v[..17], goaway_head(0x7fff_ffff, ErrorCode(0xdead_beef), 3));
    assert_eq!(&v[17..], b"why");
    assert_eq!(&v[..9], &header_bytes(11, kind::GOAWAY, 0, 0));
}
