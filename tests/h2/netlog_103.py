#!/usr/bin/env python3
"""Reads a chromium net-log (--log-net-log) of a load of https://127.0.0.1:PORT/push and prints
"103 with links, then 200" when, on an HTTP/2 session to 127.0.0.1:PORT, the stream that sent the
request for /push received a 103 carrying a `link:` header before its 200 (not the end of the
stream: fin false), followed by " (push disabled by the browser, no PUSH_PROMISE)" when chromium
sent SETTINGS_ENABLE_PUSH 0 and received no PUSH_PROMISE; otherwise exits with what is missing.

    netlog_103.py NETLOG PORT
"""
import json, sys
log = json.load(open(sys.argv[1]))
host = "127.0.0.1:%s" % sys.argv[2]
name = {v: k for k, v in log["constants"]["logEventTypes"].items()}
by_source = {}
for e in log["events"]:
    by_source.setdefault(e["source"]["id"], []).append((name[e["type"]], e.get("params", {})))
sessions = [evs for evs in by_source.values() if any(n == "HTTP2_SESSION" and p.get("host") == host for n, p in evs)]
if not sessions:
    sys.exit("no HTTP/2 session to %s" % host)
for evs in sessions:
    ids = [p.get("stream_id") for n, p in evs if n == "HTTP2_SESSION_SEND_HEADERS" and ":path: /push" in p.get("headers", [])]
    if not ids:
        continue
    got = [p for n, p in evs if n == "HTTP2_SESSION_RECV_HEADERS" and p.get("stream_id") == ids[0]]
    statuses = [next((h for h in p.get("headers", []) if h.startswith(":status: ")), "?") for p in got]
    if statuses[:2] != [":status: 103", ":status: 200"]:
        sys.exit("the /push stream received %s, not a 103 then a 200" % statuses)
    if got[0].get("fin") or not any(h.startswith("link: <") for h in got[0].get("headers", [])):
        sys.exit("the 103 ended the stream or carried no link header: %s" % got[0])
    out = "103 with links, then 200"
    no_push = any(n == "HTTP2_SESSION_SEND_SETTINGS" and any("SETTINGS_ENABLE_PUSH) value:0" in s for s in p.get("settings", []))
                  for n, p in evs)
    if no_push and not any(n == "HTTP2_SESSION_RECV_PUSH_PROMISE" for n, _ in evs):
        out += " (push disabled by the browser, no PUSH_PROMISE)"
    print(out)
    sys.exit(0)
sys.exit("no request for /push on the HTTP/2 sessions to %s" % host)
