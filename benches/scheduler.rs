//! criterion benchmark: the HTTP/2 priority scheduler's cost per chunk (`next` + `requeue`) with
//! 10, 100 and 256 active streams, in four shapes:
//!
//! - `flat`: all streams under the root, weights 1..=256 spread over them;
//! - `mixed`: a tree as browsers build it: groups of chains (Firefox-style placeholders with
//!   chains of exclusive dependencies below them) at assorted weights, inner nodes not active;
//! - `urgency`: RFC 9218 streams over the 8 urgencies, half incremental;
//! - `flat_churn`: flat, but every chosen stream is deactivated and activated again (the cost of
//!   a stream going idle and coming back, as when a response waits for its generator).
//!
//! The cost should not grow with the number of streams (O(1) per chunk). Run:
//! `cargo bench --bench scheduler`; results go into BENCHMARKS.md, never into timed tests.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use h2o_rs::http2::scheduler::{NodeId, Tree};

const SIZES: [usize; 3] = [10, 100, 256];

/// A tree shape: builds a tree with `n` active streams.
type Shape = (&'static str, fn(usize) -> Tree);

fn flat(n: usize) -> Tree {
    let mut t = Tree::new();
    for i in 0..n {
        let id = t.open(Tree::ROOT, 1 + ((i * 37) % 256) as u16, false);
        t.activate(id);
    }
    t
}

/// Groups of 8 (a placeholder with a chain of 7 below it, exclusive each), 1/4 of the leaves and
/// chain members active.
fn mixed(n: usize) -> Tree {
    let mut t = Tree::new();
    let mut active = 0;
    let mut g = 0;
    while active < n {
        let ph = t.open(Tree::ROOT, [201u16, 101, 1, 32, 16][g % 5], false);
        g += 1;
        let mut parent = ph;
        for k in 0..7 {
            let id = t.open(parent, 16 + (k * 31 % 200) as u16, k % 2 == 0);
            if active < n {
                t.activate(id);
                active += 1;
            }
            parent = id;
        }
    }
    t
}

fn urgency(n: usize) -> Tree {
    let mut t = Tree::new();
    for i in 0..n {
        let id = t.open_urgency((i % 8) as u8, i % 2 == 0);
        t.activate(id);
    }
    t
}

fn per_chunk(c: &mut Criterion) {
    let mut group = c.benchmark_group("scheduler_chunk");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(3));
    group.warm_up_time(Duration::from_secs(1));
    for n in SIZES {
        let shapes: [Shape; 3] = [("flat", flat), ("mixed", mixed), ("urgency", urgency)];
        for (name, build) in shapes {
            let mut t = build(n);
            group.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                b.iter(|| {
                    let id: NodeId = t.next().expect("active");
                    t.requeue(black_box(id));
                })
            });
        }
        let mut t = flat(n);
        group.bench_with_input(BenchmarkId::new("flat_churn", n), &n, |b, _| {
            b.iter(|| {
                let id = t.next().expect("active");
                t.deactivate(id);
                t.activate(black_box(id));
            })
        });
    }
    group.finish();
}

criterion_group!(benches, per_chunk);
criterion_main!(benches);
