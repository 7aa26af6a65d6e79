//! criterion benchmark: HPACK decode and encode throughput over the hpack-test-case stories
//! (`../shared/testdata/hpack-test-case`, skipped with a message when absent).
//!
//! - `hpack/decode`: every story of every implementation's directory (not `raw-data`), one
//!   decoder per story, blocks in order, as a connection would receive them.
//! - `hpack/encode`: the `raw-data` stories, one encoder per story, every field `Indexing::Auto`.
//! - `hpack/huffman-decode`, `hpack/huffman-encode`: the Huffman code alone, on every value of
//!   the raw-data stories.
//!
//! Throughput is in header bytes (name + value of each field) per second for all four, so the
//! figures compare. Run: `cargo bench --bench hpack`. The numbers go into BENCHMARKS.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use h2o_rs::hpack::{Decoder, Encoder, Indexing, huffman};

#[path = "../src/hpack/stories.rs"]
mod stories;
use stories::Case;

fn header_bytes(stories: &[Vec<Case>]) -> u64 {
    stories.iter().flatten().flat_map(|c| &c.headers).map(|(n, v)| (n.len() + v.len()) as u64).sum()
}

fn bench(c: &mut Criterion) {
    let Some(root) = stories::root() else {
        println!("SKIP: ../shared/testdata/hpack-test-case is absent");
        return;
    };
    let encoded: Vec<Vec<Case>> = stories::encoded_dirs(&root).iter().flat_map(|d| stories::load_dir(d)).collect();
    let raw = stories::load_dir(&stories::raw_dir(&root));
    let wire: u64 = encoded.iter().flatten().map(|c| c.wire.len() as u64).sum();
    println!(
        "hpack bench: decode {} stories ({} blocks, {wire} wire bytes, {} header bytes); encode {} stories ({} header bytes)",
        encoded.len(),
        encoded.iter().map(|s| s.len()).sum::<usize>(),
        header_bytes(&encoded),
        raw.len(),
        header_bytes(&raw)
    );

    let mut g = c.benchmark_group("hpack");
    g.measurement_time(Duration::from_secs(5));

    g.throughput(Throughput::Bytes(header_bytes(&encoded)));
    g.bench_function("decode", |b| {
        b.iter(|| {
            let mut sum = 0usize;
            for story in &encoded {
                let mut d = Decoder::new(4096, usize::MAX);
                for case in story {
                    if let Some(size) = case.table_size {
                        d.set_max_table_size(size);
                    }
                    let r = d.decode::<(), _>(&case.wire, &mut |n, v, _| {
                        sum += n.len() + v.len();
                        Ok(())
                    });
                    black_box(r).unwrap().unwrap();
                }
            }
            sum
        })
    });

    g.throughput(Throughput::Bytes(header_bytes(&raw)));
    let mut out = Vec::with_capacity(64 * 1024);
    g.bench_function("encode", |b| {
        b.iter(|| {
            let mut total = 0usize;
            for story in &raw {
                let mut e = Encoder::new();
                for case in story {
                    out.clear();
                    e.begin_block(&mut out);
                    for (n, v) in &case.headers {
                        e.encode_field(&mut out, n, v, Indexing::Auto);
                    }
                    total += black_box(&out).len();
                }
            }
            total
        })
    });

    let values: Vec<&[u8]> = raw.iter().flatten().flat_map(|c| &c.headers).map(|(_, v)| &v[..]).collect();
    let coded: Vec<Vec<u8>> = values
        .iter()
        .map(|v| {
            let mut o = Vec::new();
            huffman::encode(v, &mut o);
            o
        })
        .collect();
    g.throughput(Throughput::Bytes(values.iter().map(|v| v.len() as u64).sum()));
    g.bench_function("huffman-decode", |b| {
        b.iter(|| {
            let mut n = 0;
            for c in &coded {
                out.clear();
                huffman::decode(c, &mut out).unwrap();
                n += out.len();
            }
            black_box(n)
        })
    });
    g.bench_function("huffman-encode", |b| {
        b.iter(|| {
            let mut n = 0;
            for v in &values {
                out.clear();
                huffman::encode(v, &mut out);
                n += out.len();
            }
            black_box(n)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
