//! HPACK tests: RFC 7541 Appendix C, the hpack-test-case stories (decoding every
//! implementation's output, encoding the raw data and decoding it with fluke-hpack and with our
//! own decoder), and the errors.

use super::stories::{self, hex};
use super::table::{DynamicTable, StaticMatch, static_find, static_name_index};
use super::*;

type Fields = Vec<(Vec<u8>, Vec<u8>)>;

fn pairs(list: &[(&str, &str)]) -> Fields {
    list.iter().map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec())).collect()
}

fn decode_all(dec: &mut Decoder, block: &[u8]) -> Result<Fields, DecodeError> {
    let mut out = Vec::new();
    let r: Result<(), ()> = dec.decode(block, &mut |n, v, _| {
        out.push((n.to_vec(), v.to_vec()));
        Ok(())
    })?;
    r.unwrap();
    Ok(out)
}

/// The fields and their never-indexed flags.
fn decode_flags(dec: &mut Decoder, block: &[u8]) -> (Fields, Vec<bool>) {
    let (mut fields, mut flags) = (Vec::new(), Vec::new());
    dec.decode::<(), _>(block, &mut |n, v, f| {
        fields.push((n.to_vec(), v.to_vec()));
        flags.push(f.never_indexed);
        Ok(())
    })
    .unwrap()
    .unwrap();
    (fields, flags)
}

fn decoder_table(dec: &Decoder) -> Fields {
    dec.entries().map(|(n, v)| (n.to_vec(), v.to_vec())).collect()
}

fn encoder_table(enc: &Encoder) -> Fields {
    enc.entries().map(|(n, v)| (n.to_vec(), v.to_vec())).collect()
}

// ---- integers (C.1) and strings ----

#[test]
fn c1_integers() {
    let mut out = Vec::new();
    encode_int(&mut out, 10, 5, 0);
    assert_eq!(out, [0x0a]);
    out.clear();
    encode_int(&mut out, 1337, 5, 0);
    assert_eq!(out, [0x1f, 0x9a, 0x0a]);
    out.clear();
    encode_int(&mut out, 42, 8, 0);
    assert_eq!(out, [0x2a]);
    out.clear();
    encode_int(&mut out, 31, 5, 0xe0);
    assert_eq!(out, [0xff, 0x00]);

    let mut pos = 0;
    assert_eq!(decode_int(&[0x0a], &mut pos, 5), Ok(10));
    let mut pos = 0;
    assert_eq!(decode_int(&[0xff, 0x9a, 0x0a], &mut pos, 5), Ok(1337));
    assert_eq!(pos, 3);
    for v in [0u64, 1, 30, 31, 126, 127, 128, 255, 16383, 16384, 1 << 21, u32::MAX as u64] {
        for prefix in [4u8, 5, 6, 7] {
            let mut out = Vec::new();
            encode_int(&mut out, v, prefix, 0);
            let mut pos = 0;
            assert_eq!(decode_int(&out, &mut pos, prefix as u32), Ok(v as usize), "{v} {prefix}");
            assert_eq!(pos, out.len());
        }
    }
}

#[test]
fn strings_use_huffman_only_when_shorter() {
    let mut out = Vec::new();
    encode_string(&mut out, b"www.example.com");
    assert_eq!(out, hex("8c f1e3 c2e5 f23a 6ba0 ab90 f4ff"));
    out.clear();
    // '\0' is 13 bits: as is.
    encode_string(&mut out, b"\0\0");
    assert_eq!(out, [0x02, 0, 0]);
    out.clear();
    encode_string(&mut out, b"");
    assert_eq!(out, [0x00]);
}

// ---- Huffman ----

#[test]
fn huffman_round_trips_every_byte() {
    for b in 0..=255u8 {
        let mut enc = Vec::new();
        huffman::encode(&[b], &mut enc);
        assert_eq!(enc.len(), huffman::encoded_len(&[b]));
        let mut dec = Vec::new();
        huffman::decode(&enc, &mut dec).unwrap();
        assert_eq!(dec, [b]);
    }
    // Pseudo-random strings of every length up to 300, all byte values.
    let mut seed = 0x1234_5678u32;
    for len in 0..300 {
        let s: Vec<u8> = (0..len)
            .map(|_| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (seed >> 16) as u8
            })
            .collect();
        let mut enc = Vec::new();
        huffman::encode(&s, &mut enc);
        assert_eq!(enc.len(), huffman::encoded_len(&s));
        let mut dec = Vec::new();
        huffman::decode(&enc, &mut dec).unwrap();
        assert_eq!(dec, s);
    }
}

#[test]
fn huffman_encode_if_shorter_agrees_with_encoded_len() {
    // Strings of every length up to 300 from alphabets whose codes are short (always shorter),
    // long (never), and mixed (either way; the one-pass encoder must stop or go on correctly).
    let alphabets: [&[u8]; 4] = [b"aeiost012", b"\x00\x01{}|~^\x7f\xff", b"aeio\x00\x7f", b"abcdefghijklmnopqrstuvwxyz-_/.:;=&%"];
    let mut seed = 0x9e37_79b9u32;
    for alphabet in alphabets {
        for len in 0..300 {
            let s: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    alphabet[(seed >> 16) as usize % alphabet.len()]
                })
                .collect();
            let mut out = vec![0xaa];
            let expect = huffman::encoded_len(&s);
            match huffman::encode_if_shorter(&s, &mut out) {
                Some(n) => {
                    assert!(expect < s.len());
                    assert_eq!(n, expect);
                    assert_eq!(out.len(), 1 + n);
                    let mut whole = vec![0xaa];
                    huffman::encode(&s, &mut whole);
                    assert_eq!(out, whole);
                    let mut dec = Vec::new();
                    huffman::decode(&out[1..], &mut dec).unwrap();
                    assert_eq!(dec, s);
                }
                None => {
                    assert!(expect >= s.len(), "{expect} < {} for {s:?}", s.len());
                    assert_eq!(out, [0xaa]);
                }
            }
            // The string literal: Huffman exactly when shorter, the length prefix around 127.
            let mut lit = Vec::new();
            encode_string(&mut lit, &s);
            let mut pos = 0;
            let (h, start, end) = string_bounds(&lit, &mut pos).unwrap();
            assert_eq!(end, lit.len());
            assert_eq!(h, expect < s.len());
            let mut dec = Vec::new();
            if h {
                huffman::decode(&lit[start..end], &mut dec).unwrap();
            } else {
                dec.extend_from_slice(&lit[start..end]);
            }
            assert_eq!(dec, s);
        }
    }
}

#[test]
fn huffman_rfc_strings() {
    for (plain, coded) in [
        ("no-cache", "a8eb 1064 9cbf"),
        ("custom-key", "25a8 49e9 5ba9 7d7f"),
        ("custom-value", "25a8 49e9 5bb8 e8b4 bf"),
        ("302", "6402"),
        ("private", "aec3 771a 4b"),
        ("Mon, 21 Oct 2013 20:13:21 GMT", "d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff"),
        ("https://www.example.com", "9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3"),
        (
            "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
            "94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07",
        ),
    ] {
        let mut enc = Vec::new();
        huffman::encode(plain.as_bytes(), &mut enc);
        assert_eq!(enc, hex(coded), "{plain}");
        let mut dec = Vec::new();
        huffman::decode(&hex(coded), &mut dec).unwrap();
        assert_eq!(dec, plain.as_bytes());
    }
}

#[test]
fn huffman_rejects_eos_and_bad_padding() {
    let mut out = Vec::new();
    // 'a' is 00011: padded with ones it is fine.
    assert_eq!(huffman::decode(&[0x1f], &mut out), Ok(()));
    assert_eq!(out, b"a");
    // Padded with zeros: not a prefix of EOS.
    assert_eq!(huffman::decode(&[0x18], &mut Vec::new()), Err(()));
    // 11 bits of padding.
    assert_eq!(huffman::decode(&[0x1f, 0xff], &mut Vec::new()), Err(()));
    // A whole byte of ones alone is 8 bits of padding.
    assert_eq!(huffman::decode(&[0xff], &mut Vec::new()), Err(()));
    // EOS (30 ones) in the data.
    assert_eq!(huffman::decode(&[0xff, 0xff, 0xff, 0xff], &mut Vec::new()), Err(()));
    assert_eq!(huffman::decode(&[0x1f, 0xff, 0xff, 0xff, 0xff], &mut Vec::new()), Err(()));
    // Empty input is the empty string.
    assert_eq!(huffman::decode(&[], &mut Vec::new()), Ok(()));
}

// ---- tables ----

#[test]
fn static_lookups() {
    assert_eq!(static_find(b":method", b"GET"), StaticMatch::Full(2));
    assert_eq!(static_find(b":method", b"PUT"), StaticMatch::Name(2));
    assert_eq!(static_find(b":status", b"500"), StaticMatch::Full(14));
    assert_eq!(static_find(b"accept-encoding", b"gzip, deflate"), StaticMatch::Full(16));
    assert_eq!(static_find(b"www-authenticate", b"x"), StaticMatch::Name(61));
    assert_eq!(static_find(b"x-foo", b""), StaticMatch::None);
    assert_eq!(static_find(b"", b""), StaticMatch::None);
    for (i, (name, value)) in table::STATIC.iter().enumerate() {
        let first = table::STATIC.iter().position(|e| e.0 == *name).unwrap() + 1;
        assert_eq!(static_name_index(name), Some(first));
        assert_eq!(static_find(name, value), StaticMatch::Full(i + 1));
    }
    assert_eq!(static_name_index(b"Host"), None);
}

/// Our table against a plain model under random inserts (wrapping the ring many times) and
/// resizes (shrinking, and growing the ring).
#[test]
fn dynamic_table_matches_a_model() {
    let mut t = DynamicTable::with_index(300);
    let mut model: std::collections::VecDeque<(Vec<u8>, Vec<u8>)> = Default::default();
    let mut max = 300;
    let mut seed = 7u32;
    let mut rnd = |n: u32| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (seed >> 8) % n
    };
    for step in 0..20_000 {
        if step % 997 == 0 {
            // Up to beyond half the ring's first size: the ring grows (a relayout) too.
            max = [0, 50, 120, 300, 700, 3000, 5000][rnd(7) as usize];
            t.set_max_size(max);
            let mut size: usize = model.iter().map(|e| e.0.len() + e.1.len() + 32).sum();
            while size > max {
                let e = model.pop_back().unwrap();
                size -= e.0.len() + e.1.len() + 32;
            }
        }
        let name = format!("n{}", rnd(8)).into_bytes();
        let value = vec![b'a' + rnd(3) as u8; rnd(90) as usize];
        // Look up before inserting: the newest matching entries.
        let found = t.find(&name, &value);
        let full = model.iter().position(|e| e.0 == name && e.1 == value);
        assert_eq!(found.full, full);
        if full.is_none() {
            assert_eq!(found.name, model.iter().position(|e| e.0 == name));
        }
        t.insert(&name, &value);
        let size = name.len() + value.len() + 32;
        if size > max {
            model.clear();
        } else {
            model.push_front((name, value));
            let mut total: usize = model.iter().map(|e| e.0.len() + e.1.len() + 32).sum();
            while total > max {
                let e = model.pop_back().unwrap();
                total -= e.0.len() + e.1.len() + 32;
            }
        }
        assert_eq!(t.len(), model.len());
        assert_eq!(t.size(), model.iter().map(|e| e.0.len() + e.1.len() + 32).sum::<usize>());
        if step % 13 == 0 {
            let got: Fields = t.iter().map(|(n, v)| (n.to_vec(), v.to_vec())).collect();
            assert_eq!(got, model.iter().cloned().collect::<Fields>());
            for (i, e) in model.iter().enumerate() {
                assert_eq!(t.get(i), Some((&e.0[..], &e.1[..])));
            }
            assert_eq!(t.get(model.len()), None);
        }
    }
}

// ---- C.2: single fields ----

#[test]
fn c2_fields() {
    let mut d = Decoder::new(4096, 1 << 20);
    let block = hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572");
    assert_eq!(decode_all(&mut d, &block).unwrap(), pairs(&[("custom-key", "custom-header")]));
    assert_eq!(d.table_size(), (55, 4096));

    let mut d = Decoder::new(4096, 1 << 20);
    let block = hex("040c 2f73 616d 706c 652f 7061 7468");
    assert_eq!(decode_all(&mut d, &block).unwrap(), pairs(&[(":path", "/sample/path")]));
    assert_eq!(d.table_size(), (0, 4096));

    let mut d = Decoder::new(4096, 1 << 20);
    let block = hex("1008 7061 7373 776f 7264 0673 6563 7265 74");
    assert_eq!(decode_flags(&mut d, &block), (pairs(&[("password", "secret")]), vec![true]));
    assert_eq!(d.table_size(), (0, 4096));

    let mut d = Decoder::new(4096, 1 << 20);
    assert_eq!(decode_all(&mut d, &[0x82]).unwrap(), pairs(&[(":method", "GET")]));
    assert_eq!(d.table_size(), (0, 4096));
}

// ---- C.3 / C.4: requests; C.5 / C.6: responses with a 256-byte table ----

struct Step {
    wire: &'static str,
    fields: &'static [(&'static str, &'static str)],
    table: &'static [(&'static str, &'static str)],
    size: usize,
}

const C3_FIELDS_1: &[(&str, &str)] =
    &[(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")];
const C3_FIELDS_2: &[(&str, &str)] = &[
    (":method", "GET"),
    (":scheme", "http"),
    (":path", "/"),
    (":authority", "www.example.com"),
    ("cache-control", "no-cache"),
];
const C3_FIELDS_3: &[(&str, &str)] = &[
    (":method", "GET"),
    (":scheme", "https"),
    (":path", "/index.html"),
    (":authority", "www.example.com"),
    ("custom-key", "custom-value"),
];
const C3_TABLE_1: &[(&str, &str)] = &[(":authority", "www.example.com")];
const C3_TABLE_2: &[(&str, &str)] = &[("cache-control", "no-cache"), (":authority", "www.example.com")];
const C3_TABLE_3: &[(&str, &str)] =
    &[("custom-key", "custom-value"), ("cache-control", "no-cache"), (":authority", "www.example.com")];

const C3: &[Step] = &[
    Step {
        wire: "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
        fields: C3_FIELDS_1,
        table: C3_TABLE_1,
        size: 57,
    },
    Step { wire: "8286 84be 5808 6e6f 2d63 6163 6865", fields: C3_FIELDS_2, table: C3_TABLE_2, size: 110 },
    Step {
        wire: "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
        fields: C3_FIELDS_3,
        table: C3_TABLE_3,
        size: 164,
    },
];

const C4: &[Step] = &[
    Step { wire: "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff", fields: C3_FIELDS_1, table: C3_TABLE_1, size: 57 },
    Step { wire: "8286 84be 5886 a8eb 1064 9cbf", fields: C3_FIELDS_2, table: C3_TABLE_2, size: 110 },
    Step {
        wire: "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
        fields: C3_FIELDS_3,
        table: C3_TABLE_3,
        size: 164,
    },
];

const DATE1: &str = "Mon, 21 Oct 2013 20:13:21 GMT";
const DATE2: &str = "Mon, 21 Oct 2013 20:13:22 GMT";
const LOC: &str = "https://www.example.com";
const COOKIE: &str = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";
const C5_FIELDS_1: &[(&str, &str)] =
    &[(":status", "302"), ("cache-control", "private"), ("date", DATE1), ("location", LOC)];
const C5_FIELDS_2: &[(&str, &str)] =
    &[(":status", "307"), ("cache-control", "private"), ("date", DATE1), ("location", LOC)];
const C5_FIELDS_3: &[(&str, &str)] = &[
    (":status", "200"),
    ("cache-control", "private"),
    ("date", DATE2),
    ("location", LOC),
    ("content-encoding", "gzip"),
    ("set-cookie", COOKIE),
];
const C5_TABLE_1: &[(&str, &str)] =
    &[("location", LOC), ("date", DATE1), ("cache-control", "private"), (":status", "302")];
const C5_TABLE_2: &[(&str, &str)] =
    &[(":status", "307"), ("location", LOC), ("date", DATE1), ("cache-control", "private")];
const C5_TABLE_3: &[(&str, &str)] = &[("set-cookie", COOKIE), ("content-encoding", "gzip"), ("date", DATE2)];

const C5: &[Step] = &[
    Step {
        wire: "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a \
               3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
        fields: C5_FIELDS_1,
        table: C5_TABLE_1,
        size: 222,
    },
    Step { wire: "4803 3330 37c1 c0bf", fields: C5_FIELDS_2, table: C5_TABLE_2, size: 222 },
    Step {
        wire: "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 \
               677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 \
               553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31",
        fields: C5_FIELDS_3,
        table: C5_TABLE_3,
        size: 215,
    },
];

const C6: &[Step] = &[
    Step {
        wire: "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e \
               919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
        fields: C5_FIELDS_1,
        table: C5_TABLE_1,
        size: 222,
    },
    Step { wire: "4883 640e ffc1 c0bf", fields: C5_FIELDS_2, table: C5_TABLE_2, size: 222 },
    Step {
        wire: "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 \
               821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed \
               4ee5 b106 3d50 07",
        fields: C5_FIELDS_3,
        table: C5_TABLE_3,
        size: 215,
    },
];

fn run_steps(steps: &[Step], table_size: usize) {
    let mut d = Decoder::new(table_size, 1 << 20);
    for (i, s) in steps.iter().enumerate() {
        assert_eq!(decode_all(&mut d, &hex(s.wire)).unwrap(), pairs(s.fields), "step {i}");
        assert_eq!(decoder_table(&d), pairs(s.table), "step {i}");
        assert_eq!(d.table_size(), (s.size, table_size), "step {i}");
    }
}

#[test]
fn c3_requests_without_huffman() {
    run_steps(C3, 4096);
}

#[test]
fn c4_requests_with_huffman() {
    run_steps(C4, 4096);
}

#[test]
fn c5_responses_without_huffman() {
    run_steps(C5, 256);
}

#[test]
fn c6_responses_with_huffman() {
    run_steps(C6, 256);
}

fn encode_block(enc: &mut Encoder, fields: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    enc.begin_block(&mut out);
    for (n, v) in fields {
        enc.encode_field(&mut out, n.as_bytes(), v.as_bytes(), Indexing::Auto);
    }
    out
}

/// Our encoder makes the RFC's choices on C.4 and C.6 (except that it does not index
/// set-cookie), byte for byte.
#[test]
fn encoder_reproduces_c4_and_c6() {
    let mut enc = Encoder::new();
    for s in C4 {
        assert_eq!(encode_block(&mut enc, s.fields), hex(s.wire));
        assert_eq!(encoder_table(&enc), pairs(s.table));
        assert_eq!(enc.table_size(), (s.size, 4096));
    }
    let mut enc = Encoder::new();
    enc.set_max_table_size(256);
    let mut d = Decoder::new(4096, 1 << 20);
    for (i, s) in C6.iter().enumerate() {
        let mut block = encode_block(&mut enc, s.fields);
        if i == 0 {
            // The size update to 256 comes first.
            assert_eq!(block[..3], [0x3f, 0xe1, 0x01]);
            assert_eq!(decode_all(&mut d, &block).unwrap(), pairs(s.fields));
            block.drain(..3);
        } else {
            assert_eq!(decode_all(&mut d, &block).unwrap(), pairs(s.fields));
        }
        if i == 1 {
            // "307" is 17 bits in Huffman, as long as it is: sent as is (the RFC used Huffman).
            assert_eq!(block, hex("4803 3330 37c1 c0bf"));
            assert_eq!(encoder_table(&enc), pairs(s.table));
        } else if i == 0 {
            assert_eq!(block, hex(s.wire));
            assert_eq!(encoder_table(&enc), pairs(s.table));
        } else {
            // set-cookie goes without indexing, with the name indexed (55).
            let wire = hex(s.wire);
            let cookie_at = wire.iter().position(|&b| b == 0x77).unwrap();
            assert_eq!(block[..cookie_at], wire[..cookie_at]);
            assert_eq!(block[cookie_at..cookie_at + 2], [0x0f, 0x28]);
            assert_eq!(
                encoder_table(&enc),
                pairs(&[("content-encoding", "gzip"), ("date", DATE2), (":status", "307"), ("location", LOC)])
            );
        }
        assert_eq!(decoder_table(&d), encoder_table(&enc));
    }
}

// ---- encoder behaviour ----

#[test]
fn encoder_size_updates() {
    // Lowered then raised: the minimum, then the final size (RFC 7541 4.2).
    let mut e = Encoder::new();
    e.set_max_table_size(0);
    e.set_max_table_size(4096);
    let mut out = Vec::new();
    e.begin_block(&mut out);
    assert_eq!(out, [0x20, 0x3f, 0xe1, 0x1f]);
    out.clear();
    e.begin_block(&mut out);
    assert!(out.is_empty());

    // Raised beyond our cap: nothing changes, nothing is sent.
    let mut e = Encoder::new();
    e.set_max_table_size(65536);
    e.begin_block(&mut out);
    assert!(out.is_empty());

    // Lowered: evicts at once, one update.
    let mut e = Encoder::new();
    let mut block = Vec::new();
    e.encode_field(&mut block, b"x-a", &[b'a'; 100], Indexing::Auto);
    assert_eq!(e.table_size(), (135, 4096));
    e.set_max_table_size(100);
    assert_eq!(e.table_size(), (0, 100));
    out.clear();
    e.begin_block(&mut out);
    assert_eq!(out, [0x3f, 0x45]);

    // Several changes, smallest in the middle.
    let mut e = Encoder::new();
    e.set_max_table_size(2000);
    e.set_max_table_size(500);
    e.set_max_table_size(1000);
    out.clear();
    e.begin_block(&mut out);
    let mut d = Decoder::new(4096, 1 << 20);
    decode_all(&mut d, &out).unwrap();
    assert_eq!(d.table_size(), (0, 1000));
    let mut pos = 0;
    assert_eq!(decode_int(&out, &mut pos, 5), Ok(500));
    assert_eq!(decode_int(&out, &mut pos, 5), Ok(1000));
    assert_eq!(pos, out.len());

    // A smaller own cap is announced in the first block.
    let mut e = Encoder::with_max_table_size(1024);
    out.clear();
    e.begin_block(&mut out);
    let mut pos = 0;
    assert_eq!(decode_int(&out, &mut pos, 5), Ok(1024));
    assert_eq!(pos, out.len());
}

#[test]
fn encoder_status() {
    let mut e = Encoder::new();
    let mut out = Vec::new();
    for (status, index) in [(200, 8u8), (204, 9), (206, 10), (304, 11), (400, 12), (404, 13), (500, 14)] {
        out.clear();
        e.encode_status(&mut out, status);
        assert_eq!(out, [0x80 | index]);
    }
    out.clear();
    e.encode_status(&mut out, 302);
    assert_eq!(out, hex("4882 6402"));
    out.clear();
    e.encode_status(&mut out, 302);
    assert_eq!(out, [0xbe]);
    let mut d = Decoder::new(4096, 1 << 20);
    let mut block = Vec::new();
    e.encode_status(&mut block, 200);
    e.encode_status(&mut block, 103);
    e.encode_status(&mut block, 999);
    e.encode_status(&mut block, 302);
    assert_eq!(
        decode_all(&mut d, &block).unwrap_err(),
        DecodeError::BadIndex,
        "the decoder did not see the first 302's block"
    );
    let mut d = Decoder::new(4096, 1 << 20);
    let mut e = Encoder::new();
    block.clear();
    for s in [200, 103, 999, 302, 421] {
        e.encode_status(&mut block, s);
    }
    assert_eq!(
        decode_all(&mut d, &block).unwrap(),
        pairs(&[(":status", "200"), (":status", "103"), (":status", "999"), (":status", "302"), (":status", "421")])
    );
}

#[test]
fn encoder_indexing_choices() {
    let mut e = Encoder::new();
    let mut d = Decoder::new(4096, 1 << 20);
    let mut block = Vec::new();
    e.begin_block(&mut block);
    e.encode_field(&mut block, b"authorization", b"secret", Indexing::Sensitive);
    let sensitive_at = 0;
    e.encode_field(&mut block, b"x-custom", b"v", Indexing::Never);
    e.encode_field(&mut block, b"content-length", b"1234", Indexing::Auto);
    e.encode_field(&mut block, b"x-big", &[b'z'; 3500], Indexing::Auto);
    e.encode_field(&mut block, b"server", b"libh2o-rs", Indexing::Auto);
    e.encode_field(&mut block, b"server", b"libh2o-rs", Indexing::Auto);
    e.encode_field(&mut block, b"server", b"libh2o-rs", Indexing::Sensitive);
    // Never-indexed with the static name index of authorization (23): 0001 1111 + 8.
    assert_eq!(block[sensitive_at..sensitive_at + 2], [0x1f, 0x08]);
    // Only the server field went into the table.
    assert_eq!(encoder_table(&e), pairs(&[("server", "libh2o-rs")]));
    let (got, flags) = decode_flags(&mut d, &block);
    assert_eq!(flags, [true, false, false, false, false, false, true]);
    assert_eq!(got[3].1.len(), 3500);
    assert_eq!(decoder_table(&d), encoder_table(&e));
    // The second "server" was a one-byte index.
    let mut one = Vec::new();
    e.encode_field(&mut one, b"server", b"libh2o-rs", Indexing::Auto);
    assert_eq!(one, [0xbe]);
    // Never still uses an existing exact match.
    one.clear();
    e.encode_field(&mut one, b"server", b"libh2o-rs", Indexing::Never);
    assert_eq!(one, [0xbe]);
    // A new value for an indexed dynamic name refers to the name.
    one.clear();
    e.encode_field(&mut one, b"x-n", b"1", Indexing::Auto);
    e.encode_field(&mut one, b"x-n", b"2", Indexing::Never);
    assert_eq!(one[one.len() - 4..], [0x0f, 62 - 15, 0x01, b'2']);
}

/// A table of size 0 (the peer allows no dynamic table) indexes nothing.
#[test]
fn encoder_with_no_table() {
    let mut e = Encoder::new();
    e.set_max_table_size(0);
    let mut block = Vec::new();
    e.begin_block(&mut block);
    e.encode_field(&mut block, b"x-a", b"b", Indexing::Auto);
    assert_eq!(e.table_size(), (0, 0));
    let mut d = Decoder::new(4096, 1 << 20);
    assert_eq!(decode_all(&mut d, &block).unwrap(), pairs(&[("x-a", "b")]));
    assert_eq!(d.table_size(), (0, 0));
}

// ---- decoder errors and limits ----

#[test]
fn decode_errors() {
    let err = |block: &[u8]| decode_all(&mut Decoder::new(4096, 1 << 20), block).unwrap_err();
    // Truncated: inside an integer, a string header, a string, a literal without its value.
    assert_eq!(err(&[0xff]), DecodeError::Truncated);
    assert_eq!(err(&[0xff, 0x80]), DecodeError::Truncated);
    assert_eq!(err(&[0x40]), DecodeError::Truncated);
    assert_eq!(err(&[0x40, 0x05, b'a']), DecodeError::Truncated);
    assert_eq!(err(&[0x82, 0x41]), DecodeError::Truncated);
    assert_eq!(err(&[0x00, 0x01, b'a', 0x7f]), DecodeError::Truncated);
    // Bad index: 0, beyond the static table with an empty dynamic one, as a name.
    assert_eq!(err(&[0x80]), DecodeError::BadIndex);
    assert_eq!(err(&[0xbe]), DecodeError::BadIndex);
    assert_eq!(err(&[0x7f, 0x00, 0x01, b'a']), DecodeError::BadIndex);
    assert_eq!(err(&[0x0f, 0x2f, 0x01, b'a']), DecodeError::BadIndex);
    // Bad Huffman: EOS, long padding, zero padding; in a name and in a value.
    assert_eq!(err(&[0x00, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00]), DecodeError::BadHuffman);
    assert_eq!(err(&[0x00, 0x01, b'a', 0x82, 0x1f, 0xff]), DecodeError::BadHuffman);
    assert_eq!(err(&[0x00, 0x01, b'a', 0x81, 0x18]), DecodeError::BadHuffman);
    // Size update above the limit; after a field.
    assert_eq!(err(&[0x3f, 0xe2, 0x1f]), DecodeError::BadSizeUpdate);
    assert_eq!(err(&[0x82, 0x20]), DecodeError::BadSizeUpdate);
    // Integer overflow: beyond 2^32 - 1; too many continuation bytes.
    assert_eq!(err(&[0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]), DecodeError::IntegerOverflow);
    assert_eq!(err(&[0xff, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), DecodeError::IntegerOverflow);
    assert_eq!(err(&[0x40, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x0f]), DecodeError::IntegerOverflow);
    // Within the limits: 2^32 - 1 is an integer (then the string is truncated).
    assert_eq!(err(&[0x40, 0x7f, 0x80, 0xff, 0xff, 0xff, 0x0f]), DecodeError::Truncated);
    // Size updates at the start, several of them: fine.
    let mut d = Decoder::new(4096, 1 << 20);
    assert_eq!(decode_all(&mut d, &[0x20, 0x3f, 0xe1, 0x1f, 0x82]).unwrap(), pairs(&[(":method", "GET")]));
}

#[test]
fn lowered_settings_require_a_size_update() {
    let mut d = Decoder::new(4096, 1 << 20);
    decode_all(&mut d, &hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572")).unwrap();
    d.set_max_table_size(100);
    assert_eq!(decode_all(&mut d, &[0x82]).unwrap_err(), DecodeError::BadSizeUpdate);
    let mut d = Decoder::new(4096, 1 << 20);
    d.set_max_table_size(100);
    assert_eq!(decode_all(&mut d, &[0x3f, 0x46, 0x82]).unwrap_err(), DecodeError::BadSizeUpdate);
    let mut d = Decoder::new(4096, 1 << 20);
    d.set_max_table_size(100);
    assert_eq!(decode_all(&mut d, &[0x3f, 0x45, 0x82]).unwrap(), pairs(&[(":method", "GET")]));
    assert_eq!(d.table_size(), (0, 100));
    // Raised: no update needed.
    d.set_max_table_size(8192);
    assert_eq!(decode_all(&mut d, &[0x82]).unwrap(), pairs(&[(":method", "GET")]));
}

/// A small block that references one big entry many times: refused without copying it out, and
/// the table stays usable.
#[test]
fn hpack_bomb() {
    let mut d = Decoder::new(4096, 16 * 1024);
    let mut block = Vec::new();
    block.push(0x40);
    encode_string(&mut block, b"x-bomb");
    // 4000 bytes as is (so the block does not shrink it).
    encode_int(&mut block, 4000, 7, 0);
    block.extend(std::iter::repeat_n(0xaau8, 4000));
    // Then 10,000 references to it (1-byte indexed fields).
    block.extend(std::iter::repeat_n(0xbeu8, 10_000));
    // And a literal (not indexed) and an indexed literal after the limit.
    block.push(0x00);
    encode_string(&mut block, b"x-late");
    encode_string(&mut block, b"v");
    block.push(0x40);
    encode_string(&mut block, b"x-kept");
    encode_string(&mut block, b"w");
    let mut emitted = 0usize;
    let mut copied = 0usize;
    let r = d.decode::<(), _>(&block, &mut |n, v, _| {
        emitted += 1;
        copied += n.len() + v.len();
        Ok(())
    });
    assert_eq!(r.unwrap_err(), DecodeError::ListTooLarge);
    // Only what fits the 16 KiB limit was handed out: 4 fields of 4038 bytes.
    assert_eq!(emitted, 4);
    assert!(copied <= 16 * 1024);
    // The block was processed whole: the last literal was indexed.
    assert_eq!(d.entries().next().unwrap(), (&b"x-kept"[..], &b"w"[..]));
    assert_eq!(decode_all(&mut d, &[0xbe, 0xbf]).unwrap().len(), 2);
}

#[test]
fn emit_error_keeps_the_table_in_sync() {
    let mut d = Decoder::new(4096, 1 << 20);
    let block = hex(C3[0].wire);
    let mut calls = 0;
    let r = d.decode(&block, &mut |_, _, _| {
        calls += 1;
        Err("stop")
    });
    assert_eq!(r, Ok(Err("stop")));
    assert_eq!(calls, 1);
    assert_eq!(decoder_table(&d), pairs(C3_TABLE_1));
    assert_eq!(decode_all(&mut d, &hex(C3[1].wire)).unwrap(), pairs(C3_FIELDS_2));
}

/// A literal with incremental indexing whose name is the entry it evicts.
#[test]
fn indexed_name_of_an_evicted_entry() {
    let mut d = Decoder::new(60, 1 << 20);
    let mut block = Vec::new();
    block.push(0x40);
    encode_string(&mut block, b"abcdefghij");
    encode_string(&mut block, b"0123456789");
    block.push(0x7e);
    encode_string(&mut block, b"9876543210");
    assert_eq!(
        decode_all(&mut d, &block).unwrap(),
        pairs(&[("abcdefghij", "0123456789"), ("abcdefghij", "9876543210")])
    );
    assert_eq!(decoder_table(&d), pairs(&[("abcdefghij", "9876543210")]));
}

// ---- hpack-test-case stories ----

fn testdata() -> Option<std::path::PathBuf> {
    let root = stories::root();
    if root.is_none() {
        println!("SKIP: ../shared/testdata/hpack-test-case is absent");
    }
    root
}

#[test]
fn decodes_every_story() {
    let Some(root) = testdata() else { return };
    let dirs = stories::encoded_dirs(&root);
    let (mut stories, mut blocks) = (0, 0);
    for dir in &dirs {
        for file in stories::story_files(dir) {
            let mut d = Decoder::new(4096, usize::MAX);
            for (i, case) in stories::load_story(&file).iter().enumerate() {
                if let Some(size) = case.table_size {
                    d.set_max_table_size(size);
                }
                let got = decode_all(&mut d, &case.wire)
                    .unwrap_or_else(|e| panic!("{}: case {i}: {e:?}", file.display()));
                assert_eq!(got, case.headers, "{}: case {i}", file.display());
                blocks += 1;
            }
            stories += 1;
        }
    }
    assert!(stories >= 250, "only {stories} stories");
    println!("hpack-test-case: {} implementations, {stories} stories, {blocks} blocks decoded", dirs.len());
}

fn sensitive(name: &[u8]) -> bool {
    name == b"authorization" || name == b"cookie"
}

/// Encodes every raw-data story (one encoder per story, with a table size change halfway) and
/// decodes each block with fluke-hpack and with our decoder.
#[test]
fn encoded_stories_round_trip() {
    let Some(root) = testdata() else { return };
    let (mut blocks, mut raw_bytes, mut wire_bytes) = (0usize, 0usize, 0usize);
    let files = stories::story_files(&stories::raw_dir(&root));
    for file in &files {
        let name = file.display();
        let cases = stories::load_story(file);
        let mut enc = Encoder::new();
        let mut ours = Decoder::new(4096, usize::MAX);
        let mut theirs = fluke_hpack::Decoder::new();
        for (i, case) in cases.iter().enumerate() {
            if i == cases.len() / 2 {
                // The peer lowers its table then raises it again before our next block.
                enc.set_max_table_size(512);
                enc.set_max_table_size(2048);
            }
            let mut block = Vec::new();
            enc.begin_block(&mut block);
            for (n, v) in &case.headers {
                let how = if sensitive(n) { Indexing::Sensitive } else { Indexing::Auto };
                enc.encode_field(&mut block, n, v, how);
            }
            let (got, never) = decode_flags(&mut ours, &block);
            assert_eq!(got, case.headers, "{name}: case {i} (ours)");
            assert_eq!(never, case.headers.iter().map(|h| sensitive(&h.0)).collect::<Vec<_>>());
            let fluke = theirs.decode(&block).unwrap_or_else(|e| panic!("{name}: case {i}: fluke-hpack: {e:?}"));
            assert_eq!(fluke, case.headers, "{name}: case {i} (fluke-hpack)");
            assert_eq!(decoder_table(&ours), encoder_table(&enc), "{name}: case {i}");
            blocks += 1;
            raw_bytes += case.headers.iter().map(|(n, v)| n.len() + v.len()).sum::<usize>();
            wire_bytes += block.len();
        }
    }
    assert!(blocks > 0);
    println!(
        "hpack round trip: {} stories, {blocks} blocks, {raw_bytes} header bytes -> {wire_bytes} wire bytes ({:.1}%), \
         decoded by fluke-hpack and by ours",
        files.len(),
        100.0 * wire_bytes as f64 / raw_bytes as f64
    );
}

/// Arbitrary input never panics: random bytes, and story blocks with bytes flipped, cut short
/// or decoded out of order; the decoder either errs or yields fields within the list limit.
#[test]
fn garbage_never_panics() {
    let mut seed = 0x9e37_79b9u32;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    let check = |d: &mut Decoder, block: &[u8]| {
        let mut total = 0usize;
        let r = d.decode::<(), _>(block, &mut |n, v, _| {
            total += n.len() + v.len() + 32;
            Ok(())
        });
        assert!(total <= 16 * 1024);
        if r.is_err() {
            // A connection error: a real peer would be gone; start again.
            *d = Decoder::new(4096, 16 * 1024);
        }
    };
    let mut d = Decoder::new(4096, 16 * 1024);
    for _ in 0..20_000 {
        let len = (rnd() % 64) as usize;
        let block: Vec<u8> = (0..len).map(|_| rnd() as u8).collect();
        check(&mut d, &block);
    }
    let Some(root) = stories::root() else { return };
    let dir = &stories::encoded_dirs(&root)[0];
    for file in stories::story_files(dir).iter().take(8) {
        let mut d = Decoder::new(4096, 16 * 1024);
        for case in stories::load_story(file) {
            for _ in 0..20 {
                let mut block = case.wire.clone();
                match rnd() % 3 {
                    0 if !block.is_empty() => {
                        let i = rnd() as usize % block.len();
                        block[i] ^= 1 << (rnd() % 8);
                    }
                    1 => block.truncate(rnd() as usize % (block.len() + 1)),
                    _ => block.extend((0..rnd() % 8).map(|_| rnd() as u8)),
                }
                check(&mut d, &block);
            }
        }
    }
}

/// A renewed encoder and decoder (a finished connection's, serving the next one) behave exactly
/// as new ones: the same blocks, the same tables, whatever the old ones held (the index's stale
/// chains from the old entries must find nothing).
#[test]
fn renewed_encoder_and_decoder_are_new_ones() {
    let old: Vec<Fields> = (0..40)
        .map(|i| pairs(&[("server", "h2o"), ("content-type", "text/plain"), ("x-n", &format!("{}", i % 7)), ("date", &format!("d{i}"))]))
        .collect();
    let new: Vec<Fields> = (0..40)
        .map(|i| pairs(&[("server", "h2o"), ("x-n", &format!("{}", i % 5)), ("content-type", "text/html"), ("date", &format!("d{}", i % 3))]))
        .collect();
    let run = |enc: &mut Encoder, dec: &mut Decoder, blocks: &[Fields]| -> Vec<Vec<u8>> {
        blocks
            .iter()
            .map(|f| {
                let list: Vec<(&str, &str)> =
                    f.iter().map(|(n, v)| (std::str::from_utf8(n).unwrap(), std::str::from_utf8(v).unwrap())).collect();
                let block = encode_block(enc, &list);
                assert_eq!(&decode_all(dec, &block).unwrap(), f);
                block
            })
            .collect()
    };
    for cap in [4096, 256] {
        let (mut enc, mut dec) = (Encoder::with_max_table_size(cap), Decoder::new(4096, 1 << 20));
        enc.set_max_table_size(1024);
        run(&mut enc, &mut dec, &old);
        assert!(!encoder_table(&enc).is_empty());
        enc.renew();
        dec.renew(4096, 1 << 20);
        assert!(encoder_table(&enc).is_empty() && decoder_table(&dec).is_empty());
        let (mut fresh_enc, mut fresh_dec) = (Encoder::with_max_table_size(cap), Decoder::new(4096, 1 << 20));
        assert_eq!(run(&mut enc, &mut dec, &new), run(&mut fresh_enc, &mut fresh_dec, &new), "cap {cap}");
        assert_eq!(encoder_table(&enc), encoder_table(&fresh_enc));
        assert_eq!(enc.table_size(), fresh_enc.table_size());
        assert_eq!(decoder_table(&dec), decoder_table(&fresh_dec));
    }
}
