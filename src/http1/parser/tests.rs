//! Unit tests of the parser: upstream picohttpparser's behaviour case by case, and every SIMD
//! level against the scalar one.

use super::*;

fn req(buf: &[u8], last_len: usize) -> Result<Status<(Request<'_>, Vec<Header<'_>>)>, Invalid> {
    let mut h = [Header::default(); 4];
    let r = parse_request(buf, &mut h, last_len)?;
    Ok(match r {
        Status::Complete(r) => Status::Complete((r, h[..r.num_headers].to_vec())),
        Status::Partial => Status::Partial,
    })
}

fn complete(buf: &[u8]) -> (Request<'_>, Vec<Header<'_>>) {
    match req(buf, 0) {
        Ok(Status::Complete(x)) => x,
        other => panic!("{:?}: {:?}", String::from_utf8_lossy(buf), other),
    }
}

#[test]
fn simple_requests() {
    let (r, h) = complete(b"GET / HTTP/1.0\r\n\r\n");
    assert_eq!((r.method, r.path, r.minor_version, r.head_len), (&b"GET"[..], &b"/"[..], 0, 18));
    assert!(h.is_empty());
    let (r, h) = complete(b"GET /hoge HTTP/1.1\r\nHost: example.com\r\nCookie: \r\n\r\n");
    assert_eq!((r.method, r.path, r.minor_version), (&b"GET"[..], &b"/hoge"[..], 1));
    assert_eq!(h[0], Header { name: Some(b"Host"), value: b"example.com" });
    assert_eq!(h[1], Header { name: Some(b"Cookie"), value: b"" });
}

#[test]
fn partial_and_invalid() {
    assert_eq!(req(b"", 0), Ok(Status::Partial));
    assert_eq!(req(b"GET / HTTP/1.0\r\n\r", 0), Ok(Status::Partial));
    assert_eq!(req(b"GET / HTTP/1.1", 0), Ok(Status::Partial)); // needs a 9th byte after "HTTP/1.x"
    assert_eq!(req(b"GET / HTTP/1.1\r\nHost: a\r\n\r", 0), Ok(Status::Partial));
    assert_eq!(req(b"G\0T / HTTP/1.0\r\n\r\n", 0), Err(Invalid));
    assert_eq!(req(b"GET /\x7f HTTP/1.0\r\n\r\n", 0), Err(Invalid));
    assert_eq!(req(b"GET / HTTP/1.0\r\n:a\r\n\r\n", 0), Err(Invalid));
    assert_eq!(req(b"GET / HTTP/1.0\r\na b:c\r\n\r\n", 0), Err(Invalid));
    assert_eq!(req(b" / HTTP/1.0\r\n\r\n", 0), Err(Invalid));
    assert_eq!(req(b"GET / HTTP/2.0\r\n\r\n", 0), Err(Invalid));
    assert_eq!(req(b"GET / HTTP/1.x\r\n\r\n", 0), Err(Invalid));
    assert_eq!(req(b"GET / HTTP/1.10\r\n\r\n", 0), Err(Invalid));
    // more headers than room
    assert_eq!(req(b"GET / HTTP/1.0\r\na:1\r\nb:2\r\nc:3\r\nd:4\r\ne:5\r\n\r\n", 0), Err(Invalid));
}

#[test]
fn whitespace_rules() {
    let (r, _) = complete(b"GET   /a   HTTP/1.1\r\n\r\n");
    assert_eq!((r.method, r.path), (&b"GET"[..], &b"/a"[..]));
    let (_, h) = complete(b"GET / HTTP/1.1\r\nx: \t a b \t \r\n y\r\n\r\n");
    assert_eq!(h[0], Header { name: Some(b"x"), value: b"a b" });
    assert_eq!(h[1], Header { name: None, value: b" y" });
    let (_, h) = complete(b"GET / HTTP/1.1\nx: 1\n\n");
    assert_eq!(h[0].value, b"1");
    let (r, _) = complete(b"\r\nGET / HTTP/1.1\r\n\r\n");
    assert_eq!(r.method, b"GET");
    let (_, h) = complete(b"GET / HTTP/1.1\r\nx: \x80\xff\t\r\n\r\n");
    assert_eq!(h[0].value, b"\x80\xff");
}

#[test]
fn last_len_checks_completion_first() {
    let buf = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    for last_len in 1..buf.len() {
        assert!(matches!(req(buf, last_len), Ok(Status::Complete(_))), "{last_len}");
        assert_eq!(req(&buf[..buf.len() - 1], last_len.min(buf.len() - 1)), Ok(Status::Partial));
    }
    // far beyond the buffer: no read past the end
    assert_eq!(req(b"GET / HTTP/1.1\r\n", 1000), Ok(Status::Partial));
    assert_eq!(req(b"GET / HTTP/1.1\r\nX: \ra\r\n\r\n", 17), Err(Invalid));
}

#[test]
fn responses() {
    let mut h = [Header::default(); 4];
    let r = parse_response(b"HTTP/1.1 200 OK\r\nA: b\r\n\r\n", &mut h, 0).unwrap();
    let Status::Complete(r) = r else { panic!() };
    assert_eq!((r.minor_version, r.status, r.reason, r.num_headers), (1, 200, &b"OK"[..], 1));
    let Status::Complete(r) = parse_response(b"HTTP/1.0 500\r\n\r\n", &mut h, 0).unwrap() else { panic!() };
    assert_eq!((r.status, r.reason), (500, &b""[..]));
    let Status::Complete(r) = parse_response(b"HTTP/1.1   404   Not  Found \r\n\r\n", &mut h, 0).unwrap() else { panic!() };
    assert_eq!((r.status, r.reason), (404, &b"Not  Found "[..]));
    assert_eq!(parse_response(b"HTTP/1.1 200OK\r\n\r\n", &mut h, 0), Err(Invalid));
    assert_eq!(parse_response(b"HTTP/1.1 2000\r\n\r\n", &mut h, 0), Err(Invalid));
    assert_eq!(parse_response(b"HTTP/1.1 20", &mut h, 0), Ok(Status::Partial));
    assert_eq!(parse_response(b"HTTP/1.1 20x OK\r\n\r\n", &mut h, 0), Err(Invalid));
}

#[test]
fn chunked_basic() {
    let mut d = ChunkedDecoder::new(false);
    let mut buf = b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\nNEXT".to_vec();
    let r = d.decode(&mut buf).unwrap();
    // without consume_trailer, decoding ends after the 0-size line: the trailer part is left over
    assert_eq!(r, Chunked::Complete { decoded: 11, rest: 6 });
    assert_eq!(&buf[..17], b"hello world\r\nNEXT");
    let mut d = ChunkedDecoder::new(true);
    let mut buf = b"3\r\nabc\r\n0\r\nX-T: 1\r\n\r\nNEXT".to_vec();
    assert_eq!(d.decode(&mut buf).unwrap(), Chunked::Complete { decoded: 3, rest: 4 });
    let mut d = ChunkedDecoder::new(false);
    assert_eq!(d.decode(&mut b"3\nabc\r\n".to_vec()), Err(Invalid)); // bare LF after the size
    let mut d = ChunkedDecoder::new(false);
    assert_eq!(d.decode(&mut b"3\r\nabc\n".to_vec()), Err(Invalid)); // bare LF after the data
    let mut d = ChunkedDecoder::new(false);
    assert_eq!(d.decode(&mut b"11111111111111111\r\n".to_vec()), Err(Invalid)); // 17 hex digits
    let mut d = ChunkedDecoder::new(false);
    assert_eq!(d.decode(&mut b"3x\r\n".to_vec()), Err(Invalid));
}

#[test]
fn chunked_byte_by_byte_equals_whole() {
    let input = b"a\r\n0123456789\r\n1;x\r\nZ\r\n0\r\nT: v\r\n\r\nrest";
    let mut d = ChunkedDecoder::new(true);
    let mut out = Vec::new();
    let mut result = None;
    for &b in input.iter() {
        let mut one = [b];
        match d.decode(&mut one).unwrap() {
            Chunked::Partial { decoded } => out.extend_from_slice(&one[..decoded]),
            Chunked::Complete { decoded, rest } => {
                out.extend_from_slice(&one[..decoded]);
                result = Some(rest);
                break;
            }
        }
    }
    assert_eq!(out, b"0123456789Z");
    assert_eq!(result, Some(0));
}

#[test]
fn chunked_overhead_flood_is_rejected() {
    let mut d = ChunkedDecoder::new(false);
    let mut failed = false;
    for _ in 0..100_000 {
        let mut buf = b"1\r\na\r\n".to_vec();
        match d.decode(&mut buf) {
            Ok(Chunked::Partial { .. }) => {}
            Err(Invalid) => {
                failed = true;
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(failed);
    assert!(d.total_overhead >= 100 * 1024);
}

/// Every level must give the scalar level's answer, field for field.
#[test]
fn all_levels_agree_on_generated_inputs() {
    let pieces: &[&[u8]] = &[
        b"GET", b" ", b"  ", b"/", b"/path?q=1", b"\x80", b"\x7f", b"\t", b"\0", b"HTTP/1.1", b"HTTP/1.0", b"\r\n", b"\n", b"\r",
        b"Host", b":", b": ", b"value", b"x-long-header-name-that-exceeds-sixteen-bytes", b"a-very-long-value-with-many-bytes-0123456789-0123456789-0123456789",
        b"(", b"\"", b"~|", b"HTTP/1.1 200 OK",
    ];
    let mut seed = 0x9e3779b97f4a7c15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..20000 {
        let mut buf = Vec::new();
        let n = (next() % 24) as usize;
        for _ in 0..n {
            buf.extend_from_slice(pieces[(next() % pieces.len() as u64) as usize]);
        }
        let last_len = if next() % 4 == 0 { (next() % (buf.len() as u64 + 2)) as usize } else { 0 };
        let mut base_h = [Header::default(); 8];
        let base = parse_request_with(SimdLevel::Scalar, &buf, &mut base_h, last_len);
        let mut base_rh = [Header::default(); 8];
        let base_r = parse_response_with(SimdLevel::Scalar, &buf, &mut base_rh, last_len);
        for level in SimdLevel::supported() {
            let mut h = [Header::default(); 8];
            assert_eq!(parse_request_with(level, &buf, &mut h, last_len), base, "{level:?} {:?}", String::from_utf8_lossy(&buf));
            assert_eq!(h, base_h);
            let mut h = [Header::default(); 8];
            assert_eq!(parse_response_with(level, &buf, &mut h, last_len), base_r);
            assert_eq!(h, base_rh);
        }
    }
}

/// The raw scanners of each SIMD level against the bytewise definition, for every byte value at
/// every position of buffers around the vector widths (tails, overlapping last loads, masks).
#[cfg(target_arch = "x86_64")]
#[test]
fn simd_scanners_match_definition_for_every_byte_and_offset() {
    use scan::{is_eol_char, is_path_end, is_value_end};
    let class = |which: u8, b: u8| match which {
        0 => !TCHAR[b as usize],
        1 => is_path_end(b),
        2 => is_value_end(b),
        _ => is_eol_char(b),
    };
    type ScanFn = fn(u8, &[u8], usize) -> usize;
    let mut levels: Vec<(SimdLevel, ScanFn)> = Vec::new();
    // SAFETY (each closure): called only when the CPU supports the level.
    if SimdLevel::Sse42.is_supported() {
        levels.push((SimdLevel::Sse42, |w, b, p| unsafe { x86::scan_sse42(w, b, p) }));
    }
    if SimdLevel::Avx2.is_supported() {
        levels.push((SimdLevel::Avx2, |w, b, p| unsafe { x86::scan_avx2(w, b, p) }));
    }
    if SimdLevel::Avx512.is_supported() {
        levels.push((SimdLevel::Avx512, |w, b, p| unsafe { x86::scan_avx512(w, b, p) }));
    }
    for &len in &[0usize, 1, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 130] {
        for b in 0u8..=255 {
            for at in [0, len / 3, len / 2, len.saturating_sub(1)] {
                if at >= len && len != 0 {
                    continue;
                }
                let mut buf = vec![b'x'; len];
                if len != 0 {
                    buf[at] = b;
                }
                for pos in 0..=len {
                    for which in 0..4u8 {
                        let want = buf[pos..].iter().position(|&c| class(which, c)).map_or(len, |i| pos + i);
                        for (level, f) in &levels {
                            assert_eq!(f(which, &buf, pos), want, "{level:?} class {which} byte {b:#x} at {at} len {len} pos {pos}");
                        }
                    }
                }
            }
        }
    }
}
