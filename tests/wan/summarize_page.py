#!/usr/bin/env python3
"""Summarizes page_load.py records: per (case, target, asset set, mode) the page-complete time in RTTs (median,
min, max) and beyond the think time, the HTML's end, pushed / requested assets, failed runs; what
push and 103 save against nopush (medians, in RTTs); checks assertions.

    summarize_page.py results.jsonl [--markdown] [--check 'ours-on:small:push:saving>0.7' ...]

A check is TARGET:ASSETS:MODE:STAT<VALUE or >VALUE. STAT: median, min, max (of page_rtt), beyond
(median of page_rtt minus the think time in RTTs), saving (nopush's median page_rtt minus this
mode's), vs_push (push's median minus this mode's), errors (failed runs), pushed / requested (the
median count of pushed / self-requested assets). A check fails when a cell it needs has
no successful run. Exit 1 when a check fails.
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


def stats(rs):
    ok = [r for r in rs if "error" not in r]
    page = sorted(r["page_rtt"] for r in ok)
    nan = float("nan")
    return {
        "runs": len(rs),
        "errors": len(rs) - len(ok),
        "median": statistics.median(page) if page else nan,
        "min": page[0] if page else nan,
        "max": page[-1] if page else nan,
        "beyond": statistics.median(r["beyond_think_rtt"] for r in ok) if ok else nan,
        "html": statistics.median(r["html_ms"] / r["rtt_ms"] for r in ok) if ok else nan,
        "pushed": statistics.median(len(r["pushed"]) for r in ok) if ok else nan,
        "requested": statistics.median(len(r["requested"]) for r in ok) if ok else nan,
        "think_rtt": rs[0]["think_ms"] / rs[0]["rtt_ms"],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--check", action="append", default=[])
    a = ap.parse_args()
    g = {}
    for r in load(a.files):
        g.setdefault((r.get("case", ""), r["target"], r.get("assets", "big"), r["mode"]), []).append(r)
    cells = {k: stats(v) for k, v in g.items()}
    nan = float("nan")
    for (case, target, assets, mode), s in cells.items():
        base, push = cells.get((case, target, assets, "nopush")), cells.get((case, target, assets, "push"))
        s["saving"] = base["median"] - s["median"] if base else nan
        s["vs_push"] = push["median"] - s["median"] if push else nan
    if a.markdown:
        print("| case | server | assets | mode | runs | page median (RTT) | min | max | beyond think (RTT) | HTML end (RTT) | pushed / requested | saved vs nopush (RTT) |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for (case, target, assets, mode), s in cells.items():
            print(f"| {case} | {target} | {assets} | {mode} | {s['runs'] - s['errors']}/{s['runs']} | {s['median']:.2f} | {s['min']:.2f} | "
                  f"{s['max']:.2f} | {s['beyond']:.2f} | {s['html']:.2f} | {s['pushed']:.0f} / {s['requested']:.0f} | {s['saving']:.2f} |")
    else:
        for (case, target, assets, mode), s in cells.items():
            print(f"{case:>16} {target:>10} {assets:>5} {mode:>9}: {s['runs'] - s['errors']}/{s['runs']} runs, page median {s['median']:.2f} RTT "
                  f"(min {s['min']:.2f}, max {s['max']:.2f}; think {s['think_rtt']:.2f}, beyond it {s['beyond']:.2f}), "
                  f"HTML end {s['html']:.2f}, pushed {s['pushed']:.0f}, requested {s['requested']:.0f}, saved {s['saving']:.2f} RTT")
    by = {(t, x, m): s for (c, t, x, m), s in cells.items()}
    failed = 0
    for c in a.check:
        m = re.fullmatch(r"([\w.-]+):(\w+):(\w+):(median|max|min|beyond|saving|vs_push|errors|pushed|requested)([<>])(-?[0-9.]+)", c)
        if not m:
            print(f"bad check {c!r}", file=sys.stderr)
            return 2
        target, assets, mode, stat, op, val = m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), float(m.group(6))
        s = by.get((target, assets, mode))
        other = {"saving": "nopush", "vs_push": "push"}.get(stat)
        need = [s] + ([by.get((target, assets, other))] if other else [])
        if any(x is None or x["runs"] == x["errors"] for x in need):
            print(f"FAIL {c}: no successful run of a cell it needs")
            failed += 1
            continue
        v = s[stat]
        ok = v < val if op == "<" else v > val
        print(f"{'ok  ' if ok else 'FAIL'} {c} ({stat} = {v:.3f})")
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
