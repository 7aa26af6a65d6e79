#!/usr/bin/env python3
"""JS latency over h2c or (--tls) h2 over TLS: the measuring client of the WAN harness
(tests/wan/README.md).

Each run opens a new TCP connection (with --tls: and a TLS handshake, ALPN h2, no certificate
verification; the clock starts after it), requests the big HTML (stream 1) and, as soon as the first
bytes of the HTML's DATA arrive (not the first whole frame), requests the tiny JS (stream 3) the way Chrome does: an exclusive
dependency on stream 0 with weight 256, so the HTML becomes the JS's child. It measures

    js    HEADERS of the JS handed to the kernel -> its END_STREAM received
    html  HEADERS of the HTML handed to the kernel -> its END_STREAM received

and writes one JSON object per run (with `js_rtt` = js / the link's RTT) to --out. Runs go
round-robin over the --target list (label=host:port), so ON and OFF, ours and Debian's alternate.

    js_latency.py --rtt-ms 250 --runs 20 --out r.jsonl --target ours-on=10.77.0.2:8001 ...
"""
import argparse
import json
import socket
import ssl
import sys
import time

import h2.config
import h2.connection
import h2.events
import h2.settings

WINDOW = 1 << 24


class DataScanner:
    """Follows the frame boundaries of the server's byte stream, so that the first bytes of a DATA
    payload are seen as they arrive (the h2 package reports DATA only once a frame is complete, and
    the first 16 KiB frame does not fit the server's initial congestion window)."""

    def __init__(self):
        self.head = b""  # a frame header being read
        self.left = 0  # payload bytes of the current frame still to come
        self.data_stream = 0  # its stream if it is DATA (padding counted as payload)
        self.payload = {}  # stream -> DATA payload bytes seen

    def feed(self, data):
        i = 0
        while i < len(data):
            if self.left == 0:
                take = min(9 - len(self.head), len(data) - i)
                self.head += data[i:i + take]
                i += take
                if len(self.head) == 9:
                    h, self.head = self.head, b""
                    self.left = int.from_bytes(h[0:3], "big")
                    sid = int.from_bytes(h[5:9], "big") & 0x7FFFFFFF
                    self.data_stream = sid if h[3] == 0 else 0
            else:
                take = min(self.left, len(data) - i)
                if self.data_stream:
                    self.payload[self.data_stream] = self.payload.get(self.data_stream, 0) + take
                self.left -= take
                i += take


def tls_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["h2"])
    return ctx


def one_run(host, port, html_path, js_path, timeout, tls=None):
    t_start = time.monotonic()
    sock = socket.create_connection((host, port), timeout=timeout)
    t_conn = time.monotonic()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    tls_version = None
    if tls is not None:
        # the first decrypted bytes come per record: the server's record size decides how soon
        # the client sees the HTML's first bytes (a reaction as quick as a browser's)
        sock = tls.wrap_socket(sock, server_hostname=host)
        if sock.selected_alpn_protocol() != "h2":
            raise ConnectionError(f"ALPN chose {sock.selected_alpn_protocol()!r}, not h2")
        tls_version = sock.version()
    t_hs = time.monotonic()
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    conn.local_settings = h2.settings.Settings(
        client=True,
        initial_values={
            h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: WINDOW,
            h2.settings.SettingCodes.ENABLE_PUSH: 0,
            h2.settings.SettingCodes.MAX_FRAME_SIZE: 16384,
        },
    )
    conn.initiate_connection()
    conn.increment_flow_control_window(WINDOW - 65535)

    def req(path):
        return [(":method", "GET"), (":scheme", "https" if tls is not None else "http"), (":authority", f"{host}:{port}"), (":path", path),
                ("user-agent", "js-latency/1")]

    conn.send_headers(1, req(html_path), end_stream=True)
    sock.sendall(conn.data_to_send())
    t_html = time.monotonic()
    t_js = None
    js_end = html_end = None
    scan = DataScanner()
    html_bytes = 0
    html_bytes_at_js = 0
    html_bytes_at_js_end = None
    js_bytes = 0
    status = {}
    deadline = t_html + timeout
    while js_end is None or html_end is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no answer in {timeout} s (html {html_bytes} bytes, js {js_bytes} bytes)")
        data = sock.recv(1 << 20)
        now = time.monotonic()
        if not data:
            raise ConnectionError("the server closed the connection")
        scan.feed(data)
        if t_js is None and scan.payload.get(1, 0) > 0:
            # the first HTML bytes: ask for the JS at once (Chrome's exclusive dependency)
            conn.send_headers(3, req(js_path), end_stream=True, priority_weight=256,
                              priority_depends_on=0, priority_exclusive=True)
            sock.sendall(conn.data_to_send())
            t_js = time.monotonic()
            html_bytes_at_js = scan.payload[1]
        for ev in conn.receive_data(data):
            if isinstance(ev, h2.events.ResponseReceived):
                status[ev.stream_id] = dict(ev.headers).get(":status")
            elif isinstance(ev, h2.events.DataReceived):
                conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                if ev.stream_id == 1:
                    html_bytes += len(ev.data)
                else:
                    js_bytes += len(ev.data)
            elif isinstance(ev, h2.events.StreamEnded):
                if ev.stream_id == 1:
                    html_end = now
                elif ev.stream_id == 3:
                    js_end = now
                    html_bytes_at_js_end = scan.payload.get(1, 0)
            elif isinstance(ev, (h2.events.StreamReset, h2.events.ConnectionTerminated)):
                raise ConnectionError(f"server sent {ev}")
        out = conn.data_to_send()
        if out:
            sock.sendall(out)
    try:
        conn.close_connection()
        sock.sendall(conn.data_to_send())
    except OSError:
        pass
    sock.close()
    if status.get(1) != "200" or status.get(3) != "200":
        raise ConnectionError(f"statuses {status}")
    return {
        "connect_ms": (t_conn - t_start) * 1e3,
        "tls_ms": (t_hs - t_conn) * 1e3,
        "tls": tls_version,
        "js_ms": (js_end - t_js) * 1e3,
        "html_ms": (html_end - t_html) * 1e3,
        "html_bytes": html_bytes,
        "js_bytes": js_bytes,
        # HTML bytes that arrived between the JS's request and its end (what the JS waited behind)
        "html_bytes_during_js": html_bytes_at_js_end - html_bytes_at_js,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", action="append", required=True, help="label=host:port (repeatable)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rtt-ms", type=float, required=True, help="the emulated link's RTT (the unit of js_rtt)")
    ap.add_argument("--html", default="/big.html")
    ap.add_argument("--js", default="/tiny.js")
    ap.add_argument("--timeout", type=float, default=30.0, help="per run, seconds")
    ap.add_argument("--pause", type=float, default=0.3, help="seconds between runs")
    ap.add_argument("--out", required=True)
    ap.add_argument("--case", default="", help="a name stored in every record")
    ap.add_argument("--tls", action="store_true", help="h2 over TLS (ALPN h2, no verification) instead of h2c")
    a = ap.parse_args()
    tls = tls_context() if a.tls else None
    targets = []
    for t in a.target:
        label, _, hp = t.partition("=")
        host, _, port = hp.rpartition(":")
        targets.append((label, host, int(port)))
    failures = 0
    with open(a.out, "a") as out:
        for i in range(a.runs):
            for label, host, port in targets:
                rec = {"case": a.case, "target": label, "run": i, "rtt_ms": a.rtt_ms, "proto": "tls" if a.tls else "h2c"}
                try:
                    rec.update(one_run(host, port, a.html, a.js, a.timeout, tls))
                    rec["js_rtt"] = rec["js_ms"] / a.rtt_ms
                    rec["html_rtt"] = rec["html_ms"] / a.rtt_ms
                    print(f"{a.case} {label} run {i}: js {rec['js_ms']:.1f} ms = {rec['js_rtt']:.3f} RTT, "
                          f"html {rec['html_ms']:.0f} ms, connect {rec['connect_ms']:.1f} ms, "
                          f"{rec['html_bytes_during_js']} html bytes during the js", flush=True)
                except Exception as e:  # recorded, counted, and the next run goes on
                    failures += 1
                    rec["error"] = repr(e)
                    print(f"{a.case} {label} run {i}: ERROR {e!r}", flush=True)
                out.write(json.dumps(rec) + "\n")
                out.flush()
                time.sleep(a.pause)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
