#!/usr/bin/env python3
"""Reads a chromium net-log (--log-net-log) and prints "h2 over TLS 1.x" when the main-frame
request for https://127.0.0.1:PORT/ went out as HTTP/2 headers on an HTTP/2 session to that
host:port that was initialized as h2 and received ":status: 200", followed by the TLS versions of
the handshakes that negotiated h2; otherwise exits with a message saying what is missing.

    netlog_h2.py NETLOG PORT
"""
import json, sys
log = json.load(open(sys.argv[1]))
port = sys.argv[2]
name = {v: k for k, v in log["constants"]["logEventTypes"].items()}
by_source = {}
for e in log["events"]:
    by_source.setdefault(e["source"]["id"], []).append((name[e["type"]], e.get("params", {})))
page = "https://127.0.0.1:%s/" % port
host = "127.0.0.1:%s" % port
# the main-frame request for / and how its headers went out
req = [evs for evs in by_source.values()
       if any(n == "URL_REQUEST_START_JOB" and p.get("url") == page and p.get("request_type") == "main frame" for n, p in evs)]
if len(req) != 1:
    sys.exit("%d main-frame requests for %s" % (len(req), page))
sent = [p for n, p in req[0] if n == "HTTP_TRANSACTION_HTTP2_SEND_REQUEST_HEADERS"]
if not any(":path: /" in p.get("headers", []) for p in sent):
    sys.exit("the request for / was not sent as HTTP/2 headers: %s" % [n for n, _ in req[0]])
if any(n == "HTTP_TRANSACTION_SEND_REQUEST_HEADERS" for n, _ in req[0]):
    sys.exit("the request for / was (also) sent as HTTP/1 headers")
# the HTTP/2 session to the server: initialized as h2, the 200 received on it
sessions = [evs for evs in by_source.values() if any(n == "HTTP2_SESSION" and p.get("host") == host for n, p in evs)]
if not sessions:
    sys.exit("no HTTP/2 session to %s" % host)
ok = [evs for evs in sessions
      if any(n == "HTTP2_SESSION_INITIALIZED" and p.get("protocol") == "h2" for n, p in evs)
      and any(n == "HTTP2_SESSION_RECV_HEADERS" and ":status: 200" in p.get("headers", []) for n, p in evs)]
if not ok:
    sys.exit("no HTTP/2 session to %s initialized as h2 with a 200 on it" % host)
# the TLS handshakes that chose h2, and their version
tls = {p.get("version") for evs in by_source.values() for n, p in evs if n == "SSL_CONNECT" and p.get("next_proto") == "h2"}
print("h2 over " + ",".join(sorted(v for v in tls if v)))
