use super::*;

const R: NodeId = Tree::ROOT;

/// `n` chunks, every chosen node staying active.
fn order(t: &mut Tree, n: usize) -> Vec<NodeId> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let Some(id) = t.next() else { break };
        out.push(id);
        t.requeue(id);
    }
    out
}

fn counts(t: &mut Tree, ids: &[NodeId], n: usize) -> Vec<usize> {
    let mut c = vec![0; ids.len()];
    for id in order(t, n) {
        c[ids.iter().position(|&x| x == id).expect("unknown id")] += 1;
    }
    c
}

/// Checks the bookkeeping: children lists, parents, active counts, queue membership.
fn check(t: &Tree) {
    for (i, n) in t.nodes.iter().enumerate() {
        if matches!(n.kind, Kind::Free) {
            continue;
        }
        let mut cnt = u32::from(n.self_active);
        let mut c = n.first_child;
        let mut prev = NONE;
        while c != NONE {
            let cn = &t.nodes[c as usize];
            assert_eq!(cn.parent, i as u32, "parent link of {c}");
            assert_eq!(cn.prev_sib, prev);
            if cn.active_cnt != 0 {
                cnt += 1;
                assert!(cn.slot != UNQUEUED || t.popped == c, "active child {c} of {i} not queued");
            } else {
                assert_eq!(cn.slot, UNQUEUED, "inactive {c} queued");
            }
            prev = c;
            c = cn.next_sib;
        }
        assert_eq!(n.last_child, prev);
        if i != 0 {
            assert_eq!(n.active_cnt, cnt, "active_cnt of {i}");
        }
    }
}

#[test]
fn empty_tree() {
    let mut t = Tree::new();
    assert_eq!(t.next(), None);
    assert!(!t.is_active(R));
    assert!(!t.queue_maybe_nonempty(R));
    assert!(!t.run(|_, _| panic!("nothing is active")));
}

/// Hand-derived from 2.2.5's scheduler.c: A (16) and B (32) under the root, activated A then B.
/// (TABLE[16] = 258048, TABLE[32] = 129024; "slot" = absolute ring index, "def" = deficit)
///   activate A: 258048 -> k=3, slot 3, def 61440.    activate B: 129024 -> k=1, slot 1, def 63488
///   1: ring turns to 1 -> B; back: 192512 -> k=2, slot 3 (behind A), def 61440
///   2: ring turns to 3 -> A; back: 319488 -> k=4, slot 7, def 57344
///   3: slot 3 still holds B -> B; back: 190464 -> k=2, slot 5, def 59392
///   4: ring to 5 -> B; back: 188416 -> k=2, slot 7 (behind A), def 57344
///   5: ring to 7 -> A; back: 315392 -> k=4, slot 11, def 53248
///   6: slot 7 holds B -> B; back: 186368 -> k=2, slot 9, def 55296
///   7: ring to 9 -> B; back: 184320 -> k=2, slot 11 (behind A), def 53248
///   8: ring to 11 -> A.  9: B.
#[test]
fn exact_order_two_siblings_from_2_2_5() {
    let mut t = Tree::new();
    let a = t.open(R, 16, false);
    let b = t.open(R, 32, false);
    t.activate(a);
    t.activate(b);
    assert_eq!(order(&mut t, 9), vec![b, a, b, b, a, b, b, a, b]);
}

/// Hand-derived: P (16, never active itself) with C1, C2 (16 each), and Q (16), all under the
/// root; activated C1, C2, Q. P is requeued in the root every time the walk passes it.
///   C1: P.slot 3; P: root slot 3, def 61440.  C2: P.slot 3 behind C1.  Q: root slot 3 behind P.
///   1: root ring to 3 -> P, P back to root slot 7 (def 57344); P ring to 3 -> C1 (back: P.slot 7)
///   2: root slot 3 -> Q (back: root slot 7 behind P)
///   3: root ring to 7 -> P, back to slot 11; P slot 3 -> C2 (back: P.slot 7 behind C1)
///   4: root slot 7 -> Q (back: slot 11 behind P)
///   5: root ring to 11 -> P (back: slot 15); P ring to 7 -> C1.  6: Q.  7: P -> C2.  8: Q.
#[test]
fn exact_order_nested_from_2_2_5() {
    let mut t = Tree::new();
    let p = t.open(R, 16, false);
    let c1 = t.open(p, 16, false);
    let c2 = t.open(p, 16, false);
    let q = t.open(R, 16, false);
    t.activate(c1);
    t.activate(c2);
    t.activate(q);
    check(&t);
    assert_eq!(order(&mut t, 8), vec![c1, q, c2, q, c1, q, c2, q]);
    check(&t);
}

#[test]
fn weights_are_proportional() {
    let mut t = Tree::new();
    let ids: Vec<NodeId> = [1u16, 16, 256].iter().map(|&w| t.open(R, w, false)).collect();
    for &id in &ids {
        t.activate(id);
    }
    let c = counts(&mut t, &ids, 10_000);
    let total: f64 = 273.0;
    for (i, w) in [1.0f64, 16.0, 256.0].iter().enumerate() {
        let expected = 10_000.0 * w / total;
        let got = c[i] as f64;
        assert!((got - expected).abs() <= expected * 0.05 + 2.0, "weight {w}: {got} vs {expected:.1} ({c:?})");
    }
}

#[test]
fn weights_are_proportional_below_an_inner_node() {
    let mut t = Tree::new();
    let p = t.open(R, 16, false);
    let a = t.open(p, 100, false);
    let b = t.open(p, 200, false);
    let other = t.open(R, 16, false);
    for id in [a, b, other] {
        t.activate(id);
    }
    let c = counts(&mut t, &[a, b, other], 9_000);
    // P and `other` share 1:1; below P, a:b = 1:2
    assert!((c[2] as i64 - 4500).abs() < 100, "{c:?}");
    assert!((c[0] as i64 - 1500).abs() < 60, "{c:?}");
    assert!((c[1] as i64 - 3000).abs() < 60, "{c:?}");
}

#[test]
fn equal_weights_round_robin() {
    let mut t = Tree::new();
    let ids: Vec<NodeId> = (0..5).map(|_| t.open(R, 256, false)).collect();
    for &id in &ids {
        t.activate(id);
    }
    let o = order(&mut t, 50);
    for (i, id) in o.iter().enumerate() {
        assert_eq!(*id, ids[i % 5], "{o:?}");
    }
}

#[test]
fn weight_257_preempts_and_takes_turns() {
    let mut t = Tree::new();
    let a = t.open(R, 256, false);
    let h1 = t.open(R, 16, false);
    t.activate(a);
    t.activate(h1);
    t.rebind(h1, R, 257, false);
    assert_eq!(t.weight(h1), 257);
    assert_eq!(order(&mut t, 5), vec![h1; 5]);
    let h2 = t.open(R, 257, false);
    t.activate(h2);
    assert_eq!(order(&mut t, 4), vec![h1, h2, h1, h2]);
    t.deactivate(h1);
    t.deactivate(h2);
    assert_eq!(order(&mut t, 2), vec![a, a]);
    // out-of-range weights are clamped
    let z = t.open(R, 0, false);
    assert_eq!(t.weight(z), 1);
    let big = t.open(R, 1000, false);
    assert_eq!(t.weight(big), 257);
}

#[test]
fn active_parent_starves_children() {
    let mut t = Tree::new();
    let p = t.open(R, 16, false);
    let c = t.open(p, 16, false);
    t.activate(c);
    t.activate(p);
    assert_eq!(order(&mut t, 3), vec![p, p, p]);
    t.deactivate(p);
    assert_eq!(order(&mut t, 2), vec![c, c]);
    check(&t);
}

#[test]
fn activation_propagates_and_deactivation_unwinds() {
    let mut t = Tree::new();
    let a = t.open(R, 16, false);
    let b = t.open(a, 16, false);
    let c = t.open(b, 16, false);
    let d = t.open(b, 16, false);
    t.activate(c);
    check(&t);
    assert_eq!(t.nodes[a.0 as usize].active_cnt, 1);
    assert_eq!(t.nodes[b.0 as usize].active_cnt, 1);
    t.activate(d);
    t.activate(d); // twice: no effect
    assert_eq!(t.nodes[b.0 as usize].active_cnt, 2);
    assert_eq!(t.nodes[a.0 as usize].active_cnt, 1);
    check(&t);
    t.deactivate(c);
    t.deactivate(c);
    check(&t);
    assert_eq!(t.nodes[b.0 as usize].active_cnt, 1);
    t.deactivate(d);
    check(&t);
    assert_eq!(t.nodes[a.0 as usize].active_cnt, 0);
    assert!(!t.is_active(R));
    assert_eq!(t.next(), None);
    t.activate(b);
    assert!(t.is_active(R));
    assert!(t.is_active(b));
    assert!(!t.is_active(a));
    assert_eq!(t.next(), Some(b));
}

#[test]
fn exclusive_open() {
    let mut t = Tree::new();
    let a = t.open(R, 10, false);
    let b = t.open(R, 20, false);
    t.activate(a);
    let x = t.open(R, 30, true);
    assert_eq!(t.parent(a), x);
    assert_eq!(t.parent(b), x);
    assert_eq!(t.weight(a), 10);
    assert_eq!(t.weight(b), 20);
    assert_eq!(t.parent(x), R);
    check(&t);
    assert_eq!(t.next(), Some(a));
    // children keep their order
    assert_eq!(t.nodes[x.0 as usize].first_child, a.0);
    assert_eq!(t.nodes[x.0 as usize].last_child, b.0);
}

/// RFC 7540 5.3.3's example: A's children B, C; C's children D, E; D's child F. A is made to
/// depend on D: D first moves up to A's parent (keeping its weight), then A goes under D.
fn rfc_5_3_3_tree(t: &mut Tree) -> [NodeId; 6] {
    let a = t.open(R, 16, false);
    let b = t.open(a, 16, false);
    let c = t.open(a, 16, false);
    let d = t.open(c, 7, false);
    let e = t.open(c, 16, false);
    let f = t.open(d, 16, false);
    [a, b, c, d, e, f]
}

#[test]
fn rebind_under_descendant_non_exclusive() {
    let mut t = Tree::new();
    let [a, b, c, d, e, f] = rfc_5_3_3_tree(&mut t);
    t.activate(e);
    t.activate(f);
    t.rebind(a, d, 16, false);
    assert_eq!(t.parent(d), R);
    assert_eq!(t.weight(d), 7);
    assert_eq!(t.parent(a), d);
    assert_eq!(t.parent(f), d);
    assert_eq!(t.parent(b), a);
    assert_eq!(t.parent(c), a);
    assert_eq!(t.parent(e), c);
    check(&t);
    // D's children in order: F, A
    assert_eq!(t.nodes[d.0 as usize].first_child, f.0);
    assert_eq!(t.nodes[d.0 as usize].last_child, a.0);
}

#[test]
fn rebind_under_descendant_exclusive() {
    let mut t = Tree::new();
    let [a, b, c, d, e, f] = rfc_5_3_3_tree(&mut t);
    t.activate(f);
    t.activate(b);
    t.rebind(a, d, 16, true);
    assert_eq!(t.parent(d), R);
    assert_eq!(t.parent(a), d);
    assert_eq!(t.parent(f), a);
    assert_eq!(t.parent(b), a);
    assert_eq!(t.parent(c), a);
    assert_eq!(t.parent(e), c);
    check(&t);
    // A's children in order: B, C, F
    let mut kids = vec![];
    let mut k = t.nodes[a.0 as usize].first_child;
    while k != NONE {
        kids.push(NodeId(k));
        k = t.nodes[k as usize].next_sib;
    }
    assert_eq!(kids, vec![b, c, f]);
}

#[test]
fn rebind_noop_self_and_weight_change() {
    let mut t = Tree::new();
    let a = t.open(R, 16, false);
    let b = t.open(R, 16, false);
    t.activate(a);
    t.activate(b);
    t.rebind(a, a, 16, false); // self-dependency: ignored
    assert_eq!(t.parent(a), R);
    t.rebind(a, R, 16, false); // no change at all
    t.rebind(b, R, 64, false);
    assert_eq!(t.weight(b), 64);
    check(&t);
    let c = counts(&mut t, &[a, b], 8000);
    assert!((c[1] as i64 - 6400).abs() < 150, "{c:?}");
    // rebind to a node that is not open goes to the root
    let x = t.open(a, 16, false);
    t.rebind(x, NodeId(999), 16, false);
    assert_eq!(t.parent(x), R);
}

#[test]
fn close_moves_children_with_shared_weight() {
    let mut t = Tree::new();
    let x = t.open(R, 16, false);
    let a = t.open(x, 16, false);
    let b = t.open(x, 48, false);
    t.activate(a);
    t.activate(x);
    check(&t);
    t.close(x);
    // total 64: factor = (16 * 65536 + 32) / 64 = 16384; a: (16*16384/32768+1)/2 = 4; b: 12
    assert_eq!(t.parent(a), R);
    assert_eq!(t.parent(b), R);
    assert_eq!(t.weight(a), 4);
    assert_eq!(t.weight(b), 12);
    check(&t);
    assert_eq!(order(&mut t, 2), vec![a, a]);

    // a single light child of a heavy node gets the heavy weight (clamped to 256)
    let y = t.open(R, 256, false);
    let c = t.open(y, 1, false);
    t.close(y);
    assert_eq!(t.weight(c), 256);
    // heavy children of a light node go down to 1
    let z = t.open(R, 1, false);
    let d1 = t.open(z, 256, false);
    let d2 = t.open(z, 256, false);
    t.close(z);
    assert_eq!((t.weight(d1), t.weight(d2)), (1, 1));
    // the moved children go to the grandparent, in order, after its existing children
    let g = t.open(R, 16, false);
    let m = t.open(g, 16, false);
    let s = t.open(m, 16, false);
    let s2 = t.open(m, 16, false);
    t.close(m);
    assert_eq!((t.parent(s), t.parent(s2)), (g, g));
    assert_eq!(t.nodes[g.0 as usize].first_child, s.0);
    check(&t);
}

#[test]
fn close_the_chosen_node_and_reuse_ids() {
    let mut t = Tree::new();
    let a = t.open(R, 16, false);
    let b = t.open(R, 16, false);
    t.activate(a);
    t.activate(b);
    let first = t.next().unwrap();
    t.close(first);
    check(&t);
    t.requeue(first); // no-op: it is gone
    let reused = t.open(R, 16, false);
    assert_eq!(reused, first, "ids are reused");
    assert!(!t.is_active(reused));
    assert_eq!(t.weight(reused), 16);
    let other = if first == a { b } else { a };
    assert_eq!(order(&mut t, 3), vec![other; 3]);
    // operations on closed ids are ignored
    t.close(reused);
    t.close(reused);
    t.activate(reused);
    t.deactivate(reused);
    t.rebind(reused, R, 3, true);
    t.set_urgency(reused, 1, true);
    t.close(R);
    assert!(!t.is_open_node(reused));
    check(&t);
    assert_eq!(order(&mut t, 2), vec![other; 2]);
}

#[test]
fn many_ids_reused() {
    let mut t = Tree::new();
    for round in 0..50 {
        let ids: Vec<NodeId> = (0..20).map(|i| t.open(R, 1 + (i * 13 + round) % 256, i % 3 == 0)).collect();
        for &id in &ids {
            t.activate(id);
        }
        let _ = order(&mut t, 30);
        for &id in ids.iter().rev() {
            t.close(id);
        }
        check(&t);
        assert!(!t.is_active(R));
    }
    assert!(t.nodes.len() <= 21);
}

#[test]
fn deep_chain() {
    let mut t = Tree::new();
    let mut ids = vec![R];
    for _ in 0..500 {
        let p = *ids.last().unwrap();
        ids.push(t.open(p, 16, false));
    }
    let leaf = *ids.last().unwrap();
    t.activate(leaf);
    check(&t);
    assert_eq!(order(&mut t, 3), vec![leaf; 3]);
    let mid = ids[250];
    t.activate(mid);
    assert_eq!(order(&mut t, 2), vec![mid; 2]);
    // closing the middle lifts its child; the leaf keeps going once mid is gone
    t.close(mid);
    check(&t);
    assert_eq!(t.parent(ids[251]), ids[249]);
    assert_eq!(order(&mut t, 2), vec![leaf; 2]);
    for &id in ids[1..].iter().rev() {
        t.close(id);
    }
    check(&t);
    assert_eq!(t.next(), None);
}

#[test]
fn next_requeue_deactivate_protocol() {
    let mut t = Tree::new();
    let a = t.open(R, 16, false);
    let b = t.open(R, 16, false);
    t.activate(a);
    t.activate(b);
    let x = t.next().unwrap();
    // calling next again puts x back (as active) first
    let y = t.next().unwrap();
    assert_ne!(x, y);
    t.deactivate(y);
    check(&t);
    assert_eq!(order(&mut t, 3), vec![x; 3]);
    // deactivating the node out with active descendants keeps it queued for them
    let c = t.open(x, 16, false);
    t.activate(c);
    let got = t.next().unwrap();
    assert_eq!(got, x);
    t.deactivate(x);
    check(&t);
    assert_eq!(order(&mut t, 2), vec![c, c]);
    // rebinding the node that is out queues it under its new parent; requeue is then a no-op
    let got = t.next().unwrap();
    assert_eq!(got, c);
    t.rebind(c, R, 16, false);
    t.requeue(c);
    check(&t);
    assert_eq!(order(&mut t, 1), vec![c]);
}

#[test]
fn run_still_active_and_stop() {
    let mut t = Tree::new();
    let a = t.open(R, 16, false);
    let b = t.open(R, 32, false);
    t.activate(a);
    t.activate(b);
    // same order as next/requeue: b a b b a ...; stop after the 4th call
    let mut seen = vec![];
    let stopped = t.run(|_, id| {
        seen.push(id);
        (true, seen.len() == 4)
    });
    assert!(stopped);
    assert_eq!(seen, vec![b, a, b, b]);
    // a callback that says "not still active" deactivates; run returns false when all are done
    let mut seen = vec![];
    let stopped = t.run(|_, id| {
        seen.push(id);
        (false, false)
    });
    assert!(!stopped);
    assert_eq!(seen, vec![a, b]);
    assert!(!t.is_active(a) && !t.is_active(b) && !t.is_active(R));
    check(&t);
    // stop and not still active at once
    t.activate(a);
    assert!(t.run(|_, _| (false, true)));
    assert!(!t.is_active(R));
}

#[test]
fn run_callback_changes_the_tree() {
    let mut t = Tree::new();
    let a = t.open(R, 16, false);
    let child = t.open(a, 16, false);
    let b = t.open(R, 16, false);
    t.activate(a);
    let mut seen = vec![];
    t.run(|t, id| {
        seen.push(id);
        match seen.len() {
            // the current node's descendant: seen once a is done
            1 => {
                t.activate(child);
                t.activate(b);
                (false, false)
            }
            // closing the current node inside the callback: still_active is ignored
            _ if id == b => {
                t.close(b);
                (true, false)
            }
            _ => (false, false),
        }
    });
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0], a);
    assert!(seen[1..].contains(&child) && seen[1..].contains(&b));
    assert!(!t.is_open_node(b));
    check(&t);
    assert!(!t.is_active(R));
}

// ---- RFC 9218 ----

#[test]
fn urgency_is_strict() {
    let mut t = Tree::new();
    let low = t.open_urgency(5, true);
    let mid = t.open_urgency(3, true);
    let high = t.open_urgency(1, false);
    for id in [low, mid, high] {
        t.activate(id);
    }
    assert_eq!(t.parent(low), R);
    assert_eq!(t.urgency(mid), Some((3, true)));
    assert_eq!(order(&mut t, 4), vec![high; 4]);
    t.deactivate(high);
    assert_eq!(order(&mut t, 4), vec![mid; 4]);
    t.close(mid);
    assert_eq!(order(&mut t, 2), vec![low; 2]);
    // a more urgent stream preempts at the next chunk
    let urgent = t.open_urgency(0, true);
    t.activate(urgent);
    assert_eq!(order(&mut t, 2), vec![urgent; 2]);
    check(&t);
}

#[test]
fn non_incremental_in_opening_order() {
    let mut t = Tree::new();
    let s: Vec<NodeId> = (0..4).map(|_| t.open_urgency(3, false)).collect();
    // activated out of order: still served in opening order, each to its end
    for i in [2, 0, 3, 1] {
        t.activate(s[i]);
    }
    assert_eq!(order(&mut t, 3), vec![s[0]; 3]);
    t.deactivate(s[0]);
    assert_eq!(order(&mut t, 2), vec![s[1]; 2]);
    // an older stream coming back goes before the younger ones
    t.activate(s[0]);
    assert_eq!(order(&mut t, 1), vec![s[0]]);
    t.close(s[0]);
    t.close(s[1]);
    assert_eq!(order(&mut t, 2), vec![s[2]; 2]);
    check(&t);
}

#[test]
fn incremental_round_robin_after_in_order() {
    let mut t = Tree::new();
    let i1 = t.open_urgency(3, true);
    let i2 = t.open_urgency(3, true);
    let i3 = t.open_urgency(3, true);
    for id in [i1, i2, i3] {
        t.activate(id);
    }
    assert_eq!(order(&mut t, 7), vec![i1, i2, i3, i1, i2, i3, i1]);
    // a non-incremental stream of the same urgency goes first
    let n = t.open_urgency(3, false);
    t.activate(n);
    assert_eq!(order(&mut t, 3), vec![n; 3]);
    t.deactivate(n);
    assert_eq!(order(&mut t, 3), vec![i2, i3, i1]);
    check(&t);
}

#[test]
fn set_urgency_moves_streams() {
    let mut t = Tree::new();
    let a = t.open_urgency(3, false);
    let b = t.open_urgency(3, false);
    t.activate(a);
    t.activate(b);
    assert_eq!(order(&mut t, 1), vec![a]);
    t.set_urgency(b, 2, false);
    assert_eq!(order(&mut t, 2), vec![b; 2]);
    // while it is out
    let x = t.next().unwrap();
    assert_eq!(x, b);
    t.set_urgency(b, 6, true);
    t.requeue(b);
    assert_eq!(order(&mut t, 2), vec![a; 2]);
    t.set_urgency(b, 6, true); // unchanged
    check(&t);
    // an RFC 7540 stream can become an urgency stream and back
    let w = t.open(R, 16, false);
    t.activate(w);
    t.set_urgency(w, 0, false);
    assert_eq!(t.urgency(w), Some((0, false)));
    assert_eq!(t.parent(w), R);
    assert_eq!(order(&mut t, 2), vec![w; 2]);
    t.rebind(w, R, 16, false);
    assert_eq!(t.urgency(w), None);
    check(&t);
}

#[test]
fn mixed_rfc7540_and_urgency_does_not_panic() {
    let mut t = Tree::new();
    let u1 = t.open_urgency(3, false);
    let w1 = t.open(R, 16, false);
    t.activate(u1);
    t.activate(w1);
    // the urgency group shares the root with w1 by weight (16:16)
    let c = counts(&mut t, &[u1, w1], 1000);
    assert!((c[0] as i64 - 500).abs() < 20, "{c:?}");
    // exclusive at the root does not take the group
    let ex = t.open(R, 16, true);
    assert_eq!(t.parent(w1), ex);
    assert_eq!(t.parent(u1), R);
    // an RFC 7540 stream depending on an urgency stream
    let dep = t.open(u1, 16, false);
    t.activate(dep);
    t.deactivate(u1);
    assert!(order(&mut t, 10).contains(&dep));
    // closing the urgency stream lifts its children to the root
    t.close(u1);
    assert_eq!(t.parent(dep), R);
    assert_eq!(t.urgency(dep), None);
    // an urgency stream made to depend on its own RFC 7540 child
    let u2 = t.open_urgency(1, true);
    let k = t.open(u2, 16, false);
    t.rebind(u2, k, 16, true);
    assert_eq!(t.parent(k), R);
    assert_eq!(t.parent(u2), k);
    // the hidden group cannot be named
    let g = NodeId(t.group);
    t.close(g);
    t.activate(g);
    let o = t.open(g, 16, false);
    assert_eq!(t.parent(o), R);
    t.rebind(o, g, 16, false);
    assert_eq!(t.parent(o), R);
    check(&t);
    for id in [u2, k, o, ex, w1, dep] {
        t.activate(id);
    }
    let _ = order(&mut t, 100);
    for id in [u2, k, o, ex, w1, dep] {
        t.close(id);
    }
    check(&t);
    assert_eq!(t.next(), None);
}

/// A deterministic random walk over all operations, checking the bookkeeping after each.
#[test]
fn random_operations_keep_the_books() {
    let mut t = Tree::new();
    let mut open: Vec<NodeId> = vec![];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut rnd = |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    for _ in 0..20_000 {
        let pick = |r: usize, open: &Vec<NodeId>| if open.is_empty() { R } else { open[r % open.len()] };
        match rnd(10) {
            0 | 1 => {
                let p = if rnd(3) == 0 { R } else { pick(rnd(1000), &open) };
                let id = t.open(p, 1 + rnd(257) as u16, rnd(4) == 0);
                open.push(id);
            }
            2 => open.push(t.open_urgency(rnd(8) as u8, rnd(2) == 0)),
            3 if !open.is_empty() => {
                let i = rnd(open.len());
                t.close(open.swap_remove(i));
            }
            4 => {
                let (a, b) = (pick(rnd(1000), &open), pick(rnd(1000), &open));
                if a != R && a != b {
                    t.rebind(a, b, 1 + rnd(256) as u16, rnd(3) == 0);
                }
            }
            5 => t.set_urgency(pick(rnd(1000), &open), rnd(8) as u8, rnd(2) == 0),
            6 | 7 => t.activate(pick(rnd(1000), &open)),
            8 => t.deactivate(pick(rnd(1000), &open)),
            _ => {
                if let Some(id) = t.next() {
                    assert!(t.is_active(id));
                    match rnd(4) {
                        0 => t.deactivate(id),
                        1 => {}
                        _ => t.requeue(id),
                    }
                } else {
                    assert!(!t.is_active(R));
                }
            }
        }
        check(&t);
    }
}

/// Hand-derived: a weight change of an active node under the same parent updates the old chain
/// before the new one (2.2.5's do_rebind), so the parent leaves the root's queue and re-enters it
/// at a new place, behind its sibling.
///   open P (16), C under P (16), Q (16); activate C (P.slot 3; P: root slot 3, def 61440), Q
///   (root slot 3 behind P). rebind(C, P, 32): C back into P (190464: P.slot 2); P's count 1 -> 0
///   (P leaves the root's slot 3), then 0 -> 1: P queued at 258048 + 61440 -> root slot 4.
///   1: root ring to 3 -> Q (back: 319488 -> slot 7)   2: ring to 4 -> P -> C
///   3: ring to 7 -> Q   4: P -> C.   (Updating the new chain first would leave P ahead: C first.)
#[test]
fn exact_order_rebind_weight_change_from_2_2_5() {
    let mut t = Tree::new();
    let p = t.open(R, 16, false);
    let c = t.open(p, 16, false);
    let q = t.open(R, 16, false);
    t.activate(c);
    t.activate(q);
    t.rebind(c, p, 32, false);
    assert_eq!(order(&mut t, 4), vec![q, c, q, c]);
}

#[test]
fn moves_are_tracked() {
    let mut t = Tree::new();
    let a = t.open(R, 16, false);
    let b = t.open(R, 16, false);
    let c = t.open(a, 16, false);
    assert_eq!(t.drain_moved().count(), 0, "off by default");
    t.track_moves();
    let x = t.open(R, 16, true); // a and b move under x
    let mut m: Vec<NodeId> = t.drain_moved().collect();
    m.sort();
    assert_eq!(m, vec![a, b]);
    t.close(a); // c lifted to x with a new weight
    assert_eq!(t.drain_moved().collect::<Vec<_>>(), vec![c]);
    t.rebind(x, c, 16, false); // 5.3.3: c moves up first, then x
    assert_eq!(t.drain_moved().collect::<Vec<_>>(), vec![c, x]);
    t.rebind(x, c, 16, false); // no change
    assert_eq!(t.drain_moved().count(), 0);
}

#[test]
fn children_in_2_2_5_order() {
    let mut t = Tree::new();
    let a = t.open(Tree::ROOT, 16, false);
    let b = t.open(Tree::ROOT, 16, false);
    let c = t.open(a, 16, false);
    let u = t.open_urgency(3, false); // under the hidden group: not listed
    assert_eq!(t.children(Tree::ROOT).collect::<Vec<_>>(), [a, b]);
    assert_eq!(t.children(a).collect::<Vec<_>>(), [c]);
    // exclusive: the root's other children move under d, in order
    let d = t.open(Tree::ROOT, 8, true);
    assert_eq!(t.children(Tree::ROOT).collect::<Vec<_>>(), [d]);
    assert_eq!(t.children(d).collect::<Vec<_>>(), [a, b]);
    // a rebind goes to the end of its new parent's list, even to the same parent
    t.rebind(a, d, 20, false);
    assert_eq!(t.children(d).collect::<Vec<_>>(), [b, a]);
    // close: the children move up, in order
    t.close(d);
    assert_eq!(t.children(Tree::ROOT).collect::<Vec<_>>(), [b, a]);
    assert_eq!(t.children(d).count(), 0);
    assert_eq!(t.children(u).count(), 0);
}

#[test]
fn end_turn_is_runs_epilogue() {
    let mut t = Tree::new();
    let a = t.open(Tree::ROOT, 16, false);
    let b = t.open(Tree::ROOT, 16, false);
    t.activate(a);
    t.activate(b);
    let first = t.next().unwrap();
    t.end_turn(first, false);
    assert!(!t.is_active(first));
    let second = t.next().unwrap();
    assert_ne!(first, second);
    t.end_turn(second, true);
    assert!(t.is_active(second));
    // not out any more: nothing happens
    t.end_turn(second, false);
    assert!(t.is_active(second));
}
