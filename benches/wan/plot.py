#!/usr/bin/env python3
"""SVG plot of the WAN benchmark: JS latency (RTTs) per run, one panel per case (three to a row:
h2c cases then their TLS twins when run.sh ordered them so), one series per server (ours /
Debian's 2.2.5, ON / OFF). Plain SVG, no plotting library.

    plot.py results.jsonl... --out js-latency.svg
"""
import argparse
import json

COLORS = {"ours-on": "#1b7837", "ours-off": "#762a83", "debian-on": "#5aae61", "debian-off": "#c2a5cf"}
MARKS = {"ours-on": "circle", "ours-off": "circle", "debian-on": "square", "debian-off": "square"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--out", required=True)
    ap.add_argument("--title", default="JS latency per run (emulated WAN, RTT 250 ms)")
    ap.add_argument("--columns", type=int, default=3)
    a = ap.parse_args()
    recs = []
    for p in a.files:
        recs += [json.loads(l) for l in open(p) if l.strip()]
    cases = []
    for r in recs:
        if r.get("case") not in cases:
            cases.append(r.get("case"))
    # h2c cases first, each TLS twin below it
    base = [c for c in cases if not str(c).endswith("-tls")]
    cases = base + [c for c in cases if str(c).endswith("-tls")] if all(f"{c}-tls" in cases for c in base) else cases
    pw, ph, ml, mt, gap, vgap = 330, 260, 50, 60, 30, 60
    ncol = max(1, min(a.columns, len(cases)))
    nrow = (len(cases) + ncol - 1) // ncol
    W = ml + ncol * (pw + gap) + 10
    H = mt + nrow * (ph + vgap) - vgap + 90
    # at least 3 RTT, up to the slowest run (at most 5)
    ymax = min(5.0, max([3.0] + [int(r["js_rtt"] * 2 + 1) / 2 for r in recs if "js_rtt" in r]))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="20" text-anchor="middle" font-size="14">{a.title}</text>']
    top = mt
    for ci, case in enumerate(cases):
        x0 = ml + (ci % ncol) * (pw + gap)
        mt = top + (ci // ncol) * (ph + vgap)
        rs = [r for r in recs if r.get("case") == case and "js_rtt" in r]
        runs = max((r["run"] for r in rs), default=0) + 1
        out.append(f'<text x="{x0 + pw / 2}" y="{mt - 12}" text-anchor="middle" font-size="12">{case}</text>')
        out.append(f'<rect x="{x0}" y="{mt}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>')
        for v in [0.5 * i for i in range(int(ymax * 2) + 1)]:
            y = mt + ph - v / ymax * ph
            out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + pw}" y2="{y:.1f}" stroke="#ddd"/>')
            if ci % ncol == 0:
                out.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end">{v:.1f}</text>')
        for v, dash in ((1.0, "4,3"), (2.0, "4,3")):
            y = mt + ph - v / ymax * ph
            out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + pw}" y2="{y:.1f}" stroke="#888" stroke-dasharray="{dash}"/>')
        for i in range(0, runs, max(1, runs // 5)):
            x = x0 + (i + 0.5) / runs * pw
            out.append(f'<text x="{x:.1f}" y="{mt + ph + 14}" text-anchor="middle">{i}</text>')
        for r in rs:
            t = r["target"]
            x = x0 + (r["run"] + 0.5) / runs * pw + {"ours-on": -3, "ours-off": -3, "debian-on": 3, "debian-off": 3}.get(t, 0)
            v = min(r["js_rtt"], ymax)
            y = mt + ph - v / ymax * ph
            c = COLORS.get(t, "black")
            if MARKS.get(t) == "square":
                out.append(f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="none" stroke="{c}" stroke-width="1.5"/>')
            else:
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{c}"/>')
    out.append(f'<text x="14" y="{H / 2}" transform="rotate(-90 14 {H / 2})" text-anchor="middle">JS latency (RTT)</text>')
    out.append(f'<text x="{W / 2}" y="{mt + ph + 32}" text-anchor="middle">run (ON and OFF, ours and Debian\'s alternated)</text>')
    lx = ml
    for t, c in COLORS.items():
        label = {"ours-on": "libh2o-rs ON", "ours-off": "libh2o-rs OFF", "debian-on": "Debian 2.2.5 ON", "debian-off": "Debian 2.2.5 OFF"}[t]
        if MARKS[t] == "square":
            out.append(f'<rect x="{lx}" y="{H - 26}" width="8" height="8" fill="none" stroke="{c}" stroke-width="1.5"/>')
        else:
            out.append(f'<circle cx="{lx + 4}" cy="{H - 22}" r="4" fill="{c}"/>')
        out.append(f'<text x="{lx + 14}" y="{H - 18}">{label}</text>')
        lx += 150
    out.append("</svg>")
    open(a.out, "w").write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
