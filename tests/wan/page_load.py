#!/usr/bin/env python3
"""Page-complete time with and without server push and 103 Early Hints: the page-load client of the
WAN harness (tests/wan/README.md, issue 11).

Each run is one page load the way a browser does it on a first visit: a new TCP connection (with
--tls: and a TLS handshake, ALPN h2, no certificate verification; the clock starts after it),
push enabled (SETTINGS_ENABLE_PUSH left at 1), GET wan_server's /page?mode=M&think=T, then

  - every PUSH_PROMISE is accepted (its response counts as that asset);
  - on a 103 and on the final response, each `Link: <path>; rel=preload` not yet promised and not
    yet requested is requested at once (a browser preloads from 103 and from Link headers). The
    requests go at the end of the read that brought the headers, so that a PUSH_PROMISE coming in
    the same read as its 103 is seen first; a promise for a path already requested is counted in
    `dup` and its stream cancelled (RST_STREAM CANCEL);
  - the page is complete when the HTML and every asset linked from the 103 or the final response
    have ended (END_STREAM), each with status 200.

page = the HTML's HEADERS handed to the kernel -> the page complete, written as page_ms and page_rtt
(/ the link's RTT), with html_ms (the HTML's END_STREAM), the 103's arrival, and how many assets were
pushed or requested. Modes: nopush, push, 103 (103 with pushable links), 103nopush (the client
preloads from the 103). Runs go round-robin over (target, asset set, mode), so every cell alternates with the
others. One JSON record per run to --out (summarize_page.py reads them).

    page_load.py --rtt-ms 250 --runs 10 --think-ms 200 --out r.jsonl --target ours-on=10.77.0.2:8001 \\
        --target debian-on=10.77.0.2:8002 --no103 debian-on
"""
import argparse
import json
import re
import socket
import ssl
import sys
import time

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.settings

WINDOW = 1 << 24
MODES = ("nopush", "push", "103", "103nopush")
LINK_RE = re.compile(r"<([^>]*)>([^,]*)")


def preload_paths(headers):
    """The paths of `rel=preload` links in a header list (same-origin paths only)."""
    out = []
    for name, value in headers:
        if name != "link":
            continue
        for m in LINK_RE.finditer(value):
            path, params = m.group(1), m.group(2)
            if "preload" in params and path.startswith("/") and not path.startswith("//"):
                out.append(path)
    return out


def tls_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["h2"])
    return ctx


def one_run(host, port, path, timeout, tls=None):
    sock = socket.create_connection((host, port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if tls is not None:
        sock = tls.wrap_socket(sock, server_hostname=host)
        if sock.selected_alpn_protocol() != "h2":
            raise ConnectionError(f"ALPN chose {sock.selected_alpn_protocol()!r}, not h2")
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    conn.local_settings = h2.settings.Settings(
        client=True,
        initial_values={
            h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: WINDOW,
            h2.settings.SettingCodes.ENABLE_PUSH: 1,
            h2.settings.SettingCodes.MAX_FRAME_SIZE: 16384,
        },
    )
    conn.initiate_connection()
    conn.increment_flow_control_window(WINDOW - 65535)

    def req(p):
        return [(":method", "GET"), (":scheme", "https" if tls is not None else "http"), (":authority", f"{host}:{port}"),
                (":path", p), ("user-agent", "page-load/1")]

    conn.send_headers(1, req(path), end_stream=True)
    sock.sendall(conn.data_to_send())
    t0 = time.monotonic()
    stream_path = {1: path}  # stream -> path (requested or promised)
    promised, requested = {}, {}  # path -> stream
    wanted = set()  # assets linked from the 103 or the final response
    status, ended, nbytes = {}, {}, {}
    t_103 = html_end = final_at = None
    dup = 0
    deadline = t0 + timeout

    def done(p):
        return any(ended.get(s) is not None for s in (promised.get(p), requested.get(p)) if s is not None)

    while True:
        if html_end is not None and wanted and all(done(p) for p in wanted):
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"page not complete in {timeout} s (ended {sorted(stream_path[s] for s in ended)}, wanted {sorted(wanted)})")
        data = sock.recv(1 << 20)
        now = time.monotonic()
        if not data:
            raise ConnectionError("the server closed the connection")
        to_fetch = []
        for ev in conn.receive_data(data):
            if isinstance(ev, h2.events.InformationalResponseReceived) and ev.stream_id == 1:
                if t_103 is None:
                    t_103 = now
                for p in preload_paths(ev.headers):
                    wanted.add(p)
                    to_fetch.append(p)
            elif isinstance(ev, h2.events.PushedStreamReceived):
                p = dict(ev.headers)[":path"]
                if p in requested:
                    dup += 1
                    conn.reset_stream(ev.pushed_stream_id, h2.errors.ErrorCodes.CANCEL)
                else:
                    promised[p] = ev.pushed_stream_id
                    stream_path[ev.pushed_stream_id] = p
            elif isinstance(ev, h2.events.ResponseReceived):
                status[ev.stream_id] = dict(ev.headers).get(":status")
                if ev.stream_id == 1:
                    final_at = now
                    for p in preload_paths(ev.headers):
                        wanted.add(p)
                        to_fetch.append(p)
            elif isinstance(ev, h2.events.DataReceived):
                conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                nbytes[ev.stream_id] = nbytes.get(ev.stream_id, 0) + len(ev.data)
            elif isinstance(ev, h2.events.StreamEnded):
                if ev.stream_id in stream_path:
                    ended[ev.stream_id] = now
                if ev.stream_id == 1:
                    html_end = now
            elif isinstance(ev, h2.events.StreamReset):
                if ev.stream_id in stream_path and not (ev.stream_id in promised.values() and stream_path[ev.stream_id] in requested):
                    raise ConnectionError(f"server reset stream {ev.stream_id} ({stream_path[ev.stream_id]}): {ev}")
            elif isinstance(ev, h2.events.ConnectionTerminated):
                raise ConnectionError(f"server sent {ev}")
        # the preloads: after the whole read, so that promises in it are seen first
        for p in to_fetch:
            if p not in promised and p not in requested:
                sid = conn.get_next_available_stream_id()
                conn.send_headers(sid, req(p), end_stream=True)
                requested[p] = sid
                stream_path[sid] = p
        out = conn.data_to_send()
        if out:
            sock.sendall(out)
    try:
        conn.close_connection()
        sock.sendall(conn.data_to_send())
    except OSError:
        pass
    sock.close()
    used = {p: (promised[p] if p in promised and ended.get(promised[p]) is not None else requested[p]) for p in wanted}
    bad = {p: status.get(s) for p, s in list(used.items()) + [(path, 1)] if status.get(s) != "200"}
    if bad:
        raise ConnectionError(f"statuses {bad}")
    return {
        "page_ms": (max([html_end] + [ended[s] for s in used.values()]) - t0) * 1e3,
        "html_ms": (html_end - t0) * 1e3,
        "final_ms": (final_at - t0) * 1e3,
        "hints_ms": None if t_103 is None else (t_103 - t0) * 1e3,
        "assets_ms": {p: (ended[s] - t0) * 1e3 for p, s in used.items()},
        "pushed": sorted(p for p in wanted if p in promised),
        "requested": sorted(p for p in wanted if p in requested),
        "dup": dup,
        "bytes": nbytes.get(1, 0) + sum(nbytes.get(s, 0) for s in used.values()),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", action="append", required=True, help="label=host:port (repeatable)")
    ap.add_argument("--no103", action="append", default=[], help="a target label whose library lacks 103 (its 103 modes are not run)")
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rtt-ms", type=float, required=True, help="the emulated link's RTT (the unit of page_rtt)")
    ap.add_argument("--think-ms", type=int, default=200, help="the application's think time (wan_server's /page?think=)")
    ap.add_argument("--assets", default="big",
                    help="wan_server's asset sets, comma-separated: big (CSS, JS, image: 112 KiB), small (CSS, JS: 4 KiB)")
    ap.add_argument("--timeout", type=float, default=30.0, help="per run, seconds")
    ap.add_argument("--pause", type=float, default=0.3, help="seconds between runs")
    ap.add_argument("--out", required=True)
    ap.add_argument("--case", default="", help="a name stored in every record")
    ap.add_argument("--tls", action="store_true", help="h2 over TLS (ALPN h2, no verification) instead of h2c")
    a = ap.parse_args()
    tls = tls_context() if a.tls else None
    modes = [m for m in a.modes.split(",") if m]
    for m in modes:
        if m not in MODES:
            ap.error(f"unknown mode {m}")
    asset_sets = [x for x in a.assets.split(",") if x]
    for x in asset_sets:
        if x not in ("big", "small"):
            ap.error(f"unknown asset set {x}")
    cells = []
    for t in a.target:
        label, _, hp = t.partition("=")
        host, _, port = hp.rpartition(":")
        for assets in asset_sets:
            for m in modes:
                if m.startswith("103") and label in a.no103:
                    continue
                cells.append((label, host, int(port), assets, m))
    failures = 0
    with open(a.out, "a") as out:
        for i in range(a.runs):
            for label, host, port, assets, mode in cells:
                rec = {"case": a.case, "target": label, "mode": mode, "run": i, "rtt_ms": a.rtt_ms, "think_ms": a.think_ms,
                       "assets": assets,
                       "proto": "tls" if a.tls else "h2c"}
                try:
                    rec.update(one_run(host, port, f"/page?mode={mode}&think={a.think_ms}&assets={assets}", a.timeout, tls))
                    rec["page_rtt"] = rec["page_ms"] / a.rtt_ms
                    # beyond the think time: what the network adds to the page
                    rec["beyond_think_rtt"] = (rec["page_ms"] - a.think_ms) / a.rtt_ms
                    print(f"{a.case} {label} {assets} {mode} run {i}: page {rec['page_ms']:.0f} ms = {rec['page_rtt']:.2f} RTT "
                          f"(html {rec['html_ms']:.0f} ms, 103 {rec['hints_ms'] if rec['hints_ms'] is None else round(rec['hints_ms'])} ms, "
                          f"pushed {len(rec['pushed'])}, requested {len(rec['requested'])}, dup {rec['dup']})", flush=True)
                except Exception as e:  # recorded, counted, and the next run goes on
                    failures += 1
                    rec["error"] = repr(e)
                    print(f"{a.case} {label} {assets} {mode} run {i}: ERROR {e!r}", flush=True)
                out.write(json.dumps(rec) + "\n")
                out.flush()
                time.sleep(a.pause)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
