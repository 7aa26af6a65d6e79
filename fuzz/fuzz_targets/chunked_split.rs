//! Chunked decoder fuzz target: decoding a body in one call and split at fuzzer-chosen points
//! must give the same decoded bytes, the same result and the same bytes left after the body; the
//! decoder must never panic. Checked through the safe API and through the exported 2.2.5-layout
//! `phr_decode_chunked` (whose `*bufsz` also tells what was decoded before an error), which
//! must agree with the safe API and never write past its 16-byte struct.
//!
//! Input layout: byte 0 bit 0 = `consume_trailer`; byte 1 = number of split points (mod 16);
//! then two bytes per split point (little-endian u16, mod len + 1); the rest is the body.
//! Inputs stay far below the 100 KiB the flood check needs, so it cannot make the runs differ.
#![no_main]

use std::ffi::c_char;

use h2o_rs::abi::picohttpparser::phr_chunked_decoder_2_2_5;
use h2o_rs::ffi::picohttpparser::phr_decode_chunked;
use h2o_rs::http1::parser::{Chunked, ChunkedDecoder};
use libfuzzer_sys::fuzz_target;

#[derive(Clone, Debug, PartialEq, Eq)]
enum End {
    Partial,
    Invalid,
    /// The bytes after the body (those returned by the last call, then every piece not fed).
    Complete(Vec<u8>),
}

/// Decodes `pieces` in turn (each in its own buffer, as data arrives); returns (decoded, end).
fn safe_run(consume_trailer: bool, pieces: &[&[u8]]) -> (Vec<u8>, End) {
    let mut d = ChunkedDecoder::new(consume_trailer);
    let mut out = Vec::new();
    for (i, p) in pieces.iter().enumerate() {
        let mut buf = p.to_vec();
        match d.decode(&mut buf) {
            Ok(Chunked::Partial { decoded }) => out.extend_from_slice(&buf[..decoded]),
            Ok(Chunked::Complete { decoded, rest }) => {
                out.extend_from_slice(&buf[..decoded]);
                let mut tail = buf[decoded..decoded + rest].to_vec();
                pieces[i + 1..].iter().for_each(|p| tail.extend_from_slice(p));
                return (out, End::Complete(tail));
            }
            Err(_) => return (out, End::Invalid),
        }
    }
    (out, End::Partial)
}

/// The same through the 2.2.5 C ABI.
fn c_run(consume_trailer: bool, pieces: &[&[u8]]) -> (Vec<u8>, End) {
    #[repr(C, align(8))]
    struct Guarded([u8; 32]);
    let mut mem = Guarded([0; 32]);
    mem.0[16..].fill(0xee);
    mem.0[8] = consume_trailer as u8;
    let d = mem.0.as_mut_ptr().cast::<phr_chunked_decoder_2_2_5>();
    let mut out = Vec::new();
    for (i, p) in pieces.iter().enumerate() {
        let mut buf = p.to_vec();
        let mut n = buf.len();
        // SAFETY: `d` points to 16 valid bytes; `buf` is writable for `n` bytes.
        let r = unsafe { phr_decode_chunked(d, buf.as_mut_ptr().cast::<c_char>(), &mut n) };
        assert!(mem.0[16..].iter().all(|&b| b == 0xee), "phr_decode_chunked wrote past 16 bytes");
        assert!(n <= buf.len());
        out.extend_from_slice(&buf[..n]);
        match r {
            -2 => {}
            -1 => return (out, End::Invalid),
            rest => {
                let rest = rest as usize;
                assert!(n + rest <= buf.len());
                let mut tail = buf[n..n + rest].to_vec();
                pieces[i + 1..].iter().for_each(|p| tail.extend_from_slice(p));
                return (out, End::Complete(tail));
            }
        }
    }
    (out, End::Partial)
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let consume_trailer = data[0] & 1 != 0;
    let k = (data[1] % 16) as usize;
    if data.len() < 2 + 2 * k {
        return;
    }
    let body = &data[2 + 2 * k..];
    let mut cuts: Vec<usize> = data[2..2 + 2 * k].chunks(2).map(|c| u16::from_le_bytes([c[0], c[1]]) as usize % (body.len() + 1)).collect();
    cuts.push(0);
    cuts.push(body.len());
    cuts.sort_unstable();
    let pieces: Vec<&[u8]> = cuts.windows(2).map(|w| &body[w[0]..w[1]]).collect();

    // The C ABI reports what was decoded before an error (`*bufsz`); the safe API does not, so
    // after an error only the outcome of the safe runs is compared.
    let without_data_on_error = |(data, end): (Vec<u8>, End)| if end == End::Invalid { (Vec::new(), end) } else { (data, end) };
    let whole = safe_run(consume_trailer, &[body]);
    let split = safe_run(consume_trailer, &pieces);
    assert_eq!(without_data_on_error(whole), without_data_on_error(split.clone()), "safe API: one call vs split at {cuts:?}");
    let whole_c = c_run(consume_trailer, &[body]);
    let split_c = c_run(consume_trailer, &pieces);
    assert_eq!(whole_c, split_c, "C ABI: one call vs split at {cuts:?}");
    assert_eq!(without_data_on_error(split_c), without_data_on_error(split), "C ABI vs safe API, split at {cuts:?}");
});
