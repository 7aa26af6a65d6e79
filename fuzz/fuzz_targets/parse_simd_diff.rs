//! Differential fuzz target: every SIMD level this CPU supports against the scalar code, for
//! `phr_parse_request`, `phr_parse_response` and `phr_parse_headers` (the C ABI, so that the
//! outputs left behind by an error are compared too) and the safe `parse_*_with` API.
//!
//! Input layout: byte 0 picks the function (mod 3), byte 1 the header capacity (mod 72), bytes
//! 2..4 `last_len` (little-endian u16, mod len + 4); the rest is the buffer, copied into an
//! allocation of exactly its size so that AddressSanitizer sees any read past its end.
#![no_main]

use std::ffi::{c_char, c_int};

use h2o_rs::abi::picohttpparser::phr_header;
use h2o_rs::ffi::picohttpparser::{phr_parse_headers, phr_parse_request, phr_parse_response};
use h2o_rs::http1::parser::{Header, SimdLevel, parse_headers_with, parse_request_with, parse_response_with, set_simd_level};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, PartialEq, Eq)]
struct Out {
    ret: c_int,
    a: (isize, usize),
    b: (isize, usize),
    minor_version: c_int,
    status: c_int,
    num_headers: usize,
    headers: Vec<(isize, usize, isize, usize)>,
}

const SENT: usize = 0x5a5a_5a5a_5a5a_5a50;

fn off(p: *const c_char, buf: &[u8]) -> isize {
    if p.is_null() {
        -1
    } else if p as usize == SENT {
        -2
    } else {
        p as isize - buf.as_ptr() as isize
    }
}

fn c_api(level: SimdLevel, func: u8, buf: &[u8], cap: usize, last_len: usize) -> Out {
    assert!(set_simd_level(level));
    let sent = phr_header { name: SENT as *const c_char, name_len: 7, value: SENT as *const c_char, value_len: 7 };
    let mut hdrs = vec![sent; cap + 1];
    let mut n = cap;
    let (mut a, mut a_len, mut b, mut b_len) = (SENT as *const c_char, 7usize, SENT as *const c_char, 7usize);
    let (mut minor, mut status) = (77, 77);
    let p = buf.as_ptr().cast::<c_char>();
    // SAFETY: every pointer is valid; `buf` is readable for its length; `hdrs` has `cap` entries.
    let ret = unsafe {
        match func {
            0 => phr_parse_request(p, buf.len(), &mut a, &mut a_len, &mut b, &mut b_len, &mut minor, hdrs.as_mut_ptr(), &mut n, last_len),
            1 => phr_parse_response(p, buf.len(), &mut minor, &mut status, &mut b, &mut b_len, hdrs.as_mut_ptr(), &mut n, last_len),
            _ => phr_parse_headers(p, buf.len(), hdrs.as_mut_ptr(), &mut n, last_len),
        }
    };
    assert!(ret == -1 || ret == -2 || (ret > 0 && ret as usize <= buf.len()), "return value {ret}");
    assert!(n <= cap);
    let last = hdrs[cap];
    assert!(last.name as usize == SENT && last.value as usize == SENT, "wrote past the header capacity");
    Out {
        ret,
        a: (off(a, buf), a_len),
        b: (off(b, buf), b_len),
        minor_version: minor,
        status,
        num_headers: n,
        headers: hdrs[..cap].iter().map(|h| (off(h.name, buf), h.name_len, off(h.value, buf), h.value_len)).collect(),
    }
}

fn safe_api(level: SimdLevel, func: u8, buf: &[u8], cap: usize, last_len: usize) -> String {
    let mut h = vec![Header::default(); cap];
    let r = match func {
        0 => format!("{:?}", parse_request_with(level, buf, &mut h, last_len)),
        1 => format!("{:?}", parse_response_with(level, buf, &mut h, last_len)),
        _ => format!("{:?}", parse_headers_with(level, buf, &mut h, last_len)),
    };
    format!("{r} {h:?}")
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let func = data[0] % 3;
    let cap = data[1] as usize % 72;
    let buf: Vec<u8> = data[4..].to_vec();
    let last_len = u16::from_le_bytes([data[2], data[3]]) as usize % (buf.len() + 4);
    let want = c_api(SimdLevel::Scalar, func, &buf, cap, last_len);
    let want_safe = safe_api(SimdLevel::Scalar, func, &buf, cap, last_len);
    for level in SimdLevel::supported() {
        assert_eq!(c_api(level, func, &buf, cap, last_len), want, "C ABI, {level:?} vs scalar");
        assert_eq!(safe_api(level, func, &buf, cap, last_len), want_safe, "safe API, {level:?} vs scalar");
    }
});
