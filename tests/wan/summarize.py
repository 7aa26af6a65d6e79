#!/usr/bin/env python3
"""Summarizes js_latency.py records: per (case, target) the JS latency in RTTs (median, min, max),
the HTML completion time and the failed runs; checks assertions.

    summarize.py results.jsonl [--markdown] [--check 'ours-on:median<1.3' ...]

A check is TARGET:STAT<VALUE or TARGET:STAT>VALUE, STAT one of median, max, min (of js_rtt) or
errors (failed runs); it fails when a target has no successful run. Exit 1 when a check fails.
"""
import argparse
import json
import re
import statistics
import sys


def load(paths):
    recs = []
    for p in paths:
        with open(p) as f:
            recs += [json.loads(line) for line in f if line.strip()]
    return recs


def groups(recs):
    out = {}
    for r in recs:
        out.setdefault((r.get("case", ""), r["target"]), []).append(r)
    return out


def stats(rs):
    ok = [r for r in rs if "error" not in r]
    js = sorted(r["js_rtt"] for r in ok)
    html = [r["html_ms"] for r in ok]
    return {
        "runs": len(rs),
        "errors": len(rs) - len(ok),
        "median": statistics.median(js) if js else float("nan"),
        "min": js[0] if js else float("nan"),
        "max": js[-1] if js else float("nan"),
        "html_ms": statistics.median(html) if html else float("nan"),
        "during": statistics.median(r["html_bytes_during_js"] for r in ok) if ok else float("nan"),
        "rtt_ms": rs[0]["rtt_ms"],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--check", action="append", default=[])
    a = ap.parse_args()
    g = groups(load(a.files))
    rows = [(k, stats(v)) for k, v in g.items()]
    if a.markdown:
        print("| case | server | runs | JS median (RTT) | JS min | JS max | HTML median (ms) | HTML bytes ahead of the JS (median) |")
        print("|---|---|---|---|---|---|---|---|")
        for (case, target), s in rows:
            print(f"| {case} | {target} | {s['runs'] - s['errors']}/{s['runs']} | {s['median']:.3f} | {s['min']:.3f} | "
                  f"{s['max']:.3f} | {s['html_ms']:.0f} | {s['during']:.0f} |")
    else:
        for (case, target), s in rows:
            print(f"{case:>12} {target:>12}: {s['runs'] - s['errors']}/{s['runs']} runs, JS median {s['median']:.3f} RTT "
                  f"(min {s['min']:.3f}, max {s['max']:.3f}), HTML median {s['html_ms']:.0f} ms, "
                  f"{s['during']:.0f} HTML bytes ahead of the JS (median)")
    failed = 0
    by_target = {}
    for (case, target), s in rows:
        by_target[target] = s
    for c in a.check:
        m = re.fullmatch(r"([\w.-]+):(median|max|min|errors)([<>])([0-9.]+)", c)
        if not m:
            print(f"bad check {c!r}", file=sys.stderr)
            return 2
        target, stat, op, val = m.group(1), m.group(2), m.group(3), float(m.group(4))
        s = by_target.get(target)
        if s is None or s["runs"] == s["errors"]:
            print(f"FAIL {c}: no successful run of {target}")
            failed += 1
            continue
        v = s[stat]
        ok = v < val if op == "<" else v > val
        print(f"{'ok  ' if ok else 'FAIL'} {c} ({stat} = {v:.3f})")
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
