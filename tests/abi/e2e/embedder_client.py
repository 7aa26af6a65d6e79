#!/usr/bin/env python3
"""Raw-socket HTTP/1.1 and HTTP/2 checks for the embedder end-to-end tests (tests/abi/e2e/embedder_*.sh).

curl cannot pipeline, stall on purpose or send odd framings, so those checks live here. Each
scenario prints one "ok   ..." or "FAIL ..." line per check and exits with the number of failures
(capped at 100). Everything runs against 127.0.0.1 with socket timeouts (5 s by default) and bounded
loops.

    embedder_client.py SCENARIO PORT [ARGS...]

Scenarios: pipeline-site DOCROOT, backpressure, post-framings, header-forms, tls-refused TLS_PORT.

With E2E_PROTO=h2c in the environment each scenario is its HTTP/2 counterpart (prior knowledge,
the h2 package's state machine): several streams in one write instead of pipelining, the stream's
flow-control window instead of the socket buffers for the stall, RST_STREAM besides the TCP reset,
DATA frames of odd sizes and request trailers instead of chunked framing, CONTINUATION frames and
cookie crumbs among the header forms.
"""
import hashlib
import os
import socket
import sys
import time

TIMEOUT = 5.0
failures = 0
H2C = os.environ.get("E2E_PROTO", "h1") == "h2c"


def check(name, cond, detail=""):
    global failures
    if cond:
        print(f"ok   {name}")
    else:
        failures += 1
        print(f"FAIL {name}{': ' + detail if detail else ''}")


def connect(port, rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf is not None:
        # before connect(): a fixed receive window (no autotuning), so a stalled reader stalls the server soon
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(TIMEOUT)
    s.connect(("127.0.0.1", port))
    return s


class Reader:
    """Buffered reads from a socket, with the HTTP/1.1 response framing."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("connection closed")
        self.buf += data

    def line(self):
        for _ in range(100000):
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 2:]
                return line
            if len(self.buf) > 65536:
                raise ValueError("line too long")
            self.fill()
        raise ValueError("no line")

    def exactly(self, n):
        while len(self.buf) < n:
            self.fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def until_eof(self, limit=1 << 26):
        try:
            while len(self.buf) < limit:
                self.fill()
        except EOFError:
            pass
        out, self.buf = self.buf, b""
        return out

    def response(self, head_only=False):
        """(status, {lowercase name: [values]}, body); skips 1xx responses."""
        for _ in range(10):
            status_line = self.line()
            parts = status_line.split(b" ", 2)
            status = int(parts[1])
            headers = {}
            for _ in range(1000):
                line = self.line()
                if not line:
                    break
                name, _, value = line.partition(b":")
                headers.setdefault(name.strip().lower().decode(), []).append(value.strip().decode("latin-1"))
            if 100 <= status < 200:
                continue
            break
        if head_only or status in (204, 304):
            return status, headers, b""
        if "chunked" in ",".join(headers.get("transfer-encoding", [])).lower():
            body = b""
            for _ in range(1 << 20):
                size = int(self.line().split(b";")[0], 16)
                if size == 0:
                    while self.line():
                        pass
                    break
                body += self.exactly(size)
                self.exactly(2)
            return status, headers, body
        if "content-length" in headers:
            return status, headers, self.exactly(int(headers["content-length"][0]))
        return status, headers, self.until_eof()


def request(method, path, headers=(), body=None, version="1.1"):
    lines = [f"{method} {path} HTTP/{version}", "Host: 127.0.0.1"]
    lines += list(headers)
    if body is not None and not any(h.lower().startswith(("content-length:", "transfer-encoding:")) for h in headers):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


def md5(b):
    return hashlib.md5(b).hexdigest()


# --- scenarios -------------------------------------------------------------------------------------


def pipeline_site(port, docroot):
    """Four requests in one write on one connection (GET, HEAD, GET with a query, POST), answered in order."""
    css = open(os.path.join(docroot, "style.css"), "rb").read()
    index = open(os.path.join(docroot, "index.html"), "rb").read()
    s = connect(port)
    s.sendall(
        request("GET", "/style.css")
        + request("HEAD", "/index.html")
        + request("GET", "/headers?pipelined=1", ["X-Pipelined: yes"])
        + request("POST", "/post-test", ["Content-Type: text/plain", "Connection: close"], b"third in line")
    )
    r = Reader(s)
    st, h, body = r.response()
    check("pipelined 1: GET /style.css", st == 200 and body == css and h.get("content-type") == ["text/css"],
          f"{st} {h.get('content-type')} {len(body)} bytes")
    st, h, body = r.response(head_only=True)
    check("pipelined 2: HEAD /index.html (length, no body)",
          st == 200 and h.get("content-length") == [str(len(index))], f"{st} {h.get('content-length')}")
    st, h, body = r.response()
    check("pipelined 3: GET /headers?pipelined=1",
          st == 200 and b"GET /headers?pipelined=1 HTTP/1.1" in body and b"x-pipelined: yes" in body, repr(body[:200]))
    st, h, body = r.response()
    check("pipelined 4: POST /post-test", st == 200 and body == b"third in line", f"{st} {body!r}")
    rest = r.until_eof()
    check("pipelined: nothing after the last response, then close (Connection: close)", rest == b"", repr(rest[:100]))
    s.close()


def stats(port):
    s = connect(port)
    s.sendall(request("GET", "/stats", ["Connection: close"]))
    st, _, body = Reader(s).response()
    s.close()
    out = {}
    for item in body.decode().split():
        k, _, v = item.partition("=")
        out[k] = int(v)
    return out


def backpressure(port):
    """A stalled reader stalls the generator (proceed only after data left); reading resumes it; a
    reset stops it (stop called, no more sends)."""
    pieces, size = 256, 256 * 1024
    before = stats(port)
    s = connect(port, rcvbuf=64 * 1024)
    s.sendall(request("GET", f"/stream?pieces={pieces}&size={size}"))
    r = Reader(s)
    r.line()  # the status line: the response has started
    time.sleep(1.5)  # stall: the socket buffers fill up
    a = stats(port)
    time.sleep(0.5)
    b = stats(port)
    sent_a = a["sends"] - before["sends"]
    sent_b = b["sends"] - before["sends"]
    check("stalled reader: the generator was not asked for everything",
          0 < sent_a < 64, f"{sent_a} of {pieces} pieces of {size} bytes sent while the client read nothing")
    check("stalled reader: no proceed while nothing leaves", sent_a == sent_b, f"{sent_a} then {sent_b}")
    check("one h2o_send outstanding at a time (proceed after each send)", b["violations"] == 0, str(b))
    # read the rest and verify every piece's header in order (the framing may cut pieces anywhere)
    while r.line():
        pass
    data = bytearray()
    for _ in range(1 << 20):
        n = int(r.line().split(b";")[0], 16)
        if n == 0:
            r.line()
            break
        data += r.exactly(n)
        r.exactly(2)
    check("after the stall: all bytes arrive", len(data) == pieces * size, f"{len(data)} of {pieces * size}")
    after = check_pieces(data, pieces, size, before, stats(port))
    s.close()

    # a client that goes away mid-response: stop() is called and sending ends
    s = connect(port, rcvbuf=64 * 1024)
    s.sendall(request("GET", f"/stream?pieces={pieces}&size={size}"))
    Reader(s).line()
    time.sleep(0.5)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # close with RST
    s.close()
    st = check_stopped(lambda: stats(port), after, "reset mid-response")
    check("one h2o_send outstanding at a time (whole run)", st["violations"] == 0, str(st))


def check_pieces(data, pieces, size, before, after):
    """The stream's pieces in order, and the generator's counts from `before` to `after` (returned)."""
    bad = next((i for i in range(pieces) if data[i * size:i * size + 15] != f"piece {i:08d}\n".encode()), None)
    check("after the stall: every piece in order", bad is None, f"piece {bad}: {bytes(data[(bad or 0) * size:][:20])!r}")
    check("generator: sends == pieces, proceeds == pieces - 1, no stop",
          after["sends"] - before["sends"] == pieces and after["proceeds"] - before["proceeds"] == pieces - 1
          and after["stops"] == before["stops"], f"{before} -> {after}")
    return after


def check_stopped(get_stats, prev, what):
    """After a reset mid-response: the generator's stop is called (within 5 s), then nothing more is
    sent and no generator is active. Returns the stats after that."""
    deadline = time.time() + 5
    st = get_stats()
    while st["stops"] == prev["stops"] and time.time() < deadline:
        time.sleep(0.1)
        st = get_stats()
    check(f"{what}: the generator's stop was called", st["stops"] == prev["stops"] + 1, f"{prev} -> {st}")
    time.sleep(0.3)
    st2 = get_stats()
    check(f"{what}: no send after stop, nothing active", st2["sends"] == st["sends"] and st2["active"] == 0, f"{st} -> {st2}")
    return st2


def post_framings(port):
    """Bodies the embedder's POST echo must see whole: odd chunk sizes with extensions and a trailer,
    a body split across writes, two pipelined POSTs, a zero-length body."""
    body = bytes(range(256)) * 37 + b"tail"
    s = connect(port)
    chunks = [body[:1], body[1:4000], body[4000:4001], body[4001:]]
    wire = b"".join(f"{len(c):x}".encode() + (b";ext=1" if i == 1 else b"") + b"\r\n" + c + b"\r\n"
                    for i, c in enumerate(chunks))
    wire += b"0\r\nX-Trailer: t\r\n\r\n"
    s.sendall(request("POST", "/echo", ["Transfer-Encoding: chunked", "Content-Type: application/x-test"]) + wire)
    st, h, got = Reader(s).response()
    check("chunked upload: odd sizes, an extension, a trailer", st == 200 and got == body, f"{st} {len(got)} bytes")
    check("  ... content-type echoed", h.get("content-type") == ["application/x-test"], str(h.get("content-type")))
    s.close()

    s = connect(port)
    head = request("POST", "/echo", [f"Content-Length: {len(body)}"])
    s.sendall(head + body[:10])
    time.sleep(0.2)
    s.sendall(body[10:5000])
    time.sleep(0.2)
    s.sendall(body[5000:])
    st, h, got = Reader(s).response()
    check("body split across three writes", st == 200 and got == body, f"{st} {len(got)} bytes")
    s.close()

    s = connect(port)
    s.sendall(request("POST", "/echo", [], b"first") + request("PUT", "/echo", [], b"second!")
              + request("POST", "/echo", ["Connection: close"], b""))
    r = Reader(s)
    res = [r.response() for _ in range(3)]
    check("pipelined POST, PUT, empty POST: answered in order",
          [(x[0], x[2]) for x in res] == [(200, b"first"), (200, b"second!"), (200, b"")], repr([(x[0], x[2]) for x in res]))
    s.close()


def header_forms(port):
    """Request heads only a raw client sends: HTTP/1.0 without Host, mixed-case names, a header split
    across writes, an obs-fold continuation."""
    s = connect(port)
    s.sendall(b"GET /inspect HTTP/1.0\r\nX-MiXeD-CaSe: v\r\n\r\n")
    st, h, body = Reader(s).response()
    text = body.decode("latin-1")
    check("HTTP/1.0 without Host: answered", st == 200 and "version: 0x100\n" in text, f"{st} {text[:200]}")
    check("HTTP/1.0 without Host: the host's name as authority", "authority: default\n" in text, text[:300])
    check("header names arrive lower-cased, the original spelling in orig_name",
          "x-mixed-case (orig X-MiXeD-CaSe, not a token): v\n" in text, text)
    s.close()

    # 2.2.5 consumes these while parsing (authority, framing, 100-continue, upgrade) and does not list
    # them in req->headers; hop-by-hop headers it does not act on stay
    s = connect(port)
    s.sendall(b"POST /inspect HTTP/1.1\r\nHost: h.example\r\nContent-Length: 2\r\nConnection: keep-alive\r\n"
              b"Keep-Alive: 5\r\nTE: trailers\r\nUpgrade: foo\r\nExpect: 100-continue\r\nX-A: 1\r\n\r\nab")
    st, h, body = Reader(s).response()
    names = [ln.split(" ", 1)[0] for ln in body.decode("latin-1").split("\n") if " (orig " in ln]
    check("req->headers without host, content-length, expect, upgrade (as 2.2.5)",
          st == 200 and names == ["connection", "keep-alive", "te", "x-a"], f"{st} {names}")
    s.sendall(b"POST /inspect HTTP/1.1\r\nHost: h.example\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
              b"2\r\nab\r\n0\r\n\r\n")
    st, h, body = Reader(s).response()
    text = body.decode("latin-1")
    names = [ln.split(" ", 1)[0] for ln in text.split("\n") if " (orig " in ln]
    check("req->headers without transfer-encoding (as 2.2.5)", st == 200 and names == ["connection"], f"{st} {names}")
    check("  ... the chunked body decoded", "entity: 2 bytes\n" in text, text[:300])
    s.close()

    s = connect(port)
    s.sendall(b"GET /inspect?split HTTP/1.1\r\nHost: a.example\r\nX-Sp")
    time.sleep(0.2)
    s.sendall(b"lit: one")
    time.sleep(0.2)
    s.sendall(b" two\r\nConnection: close\r\n\r\n")
    st, h, body = Reader(s).response()
    text = body.decode("latin-1")
    check("a head split across writes", st == 200 and "x-split (orig X-Split, not a token): one two\n" in text, text[:400])
    check("  ... authority from Host", "authority: a.example\n" in text, text[:300])
    s.close()


def tls_refused(port, tls_port):
    """The accept context with ssl_ctx set never answers in clear text and does not take the plain
    listener down."""
    s = connect(tls_port)
    s.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    try:
        data = Reader(s).until_eof(1 << 16)
    except OSError:  # a reset is as good as a close here
        data = b""
    check("plain-text request to the TLS listener: no HTTP answer, connection closed", not data.startswith(b"HTTP/"),
          repr(data[:80]))
    s.close()
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    raw = connect(tls_port)
    try:
        tls = ctx.wrap_socket(raw, server_hostname="localhost")
        tls.close()
        check("TLS handshake on a listener without certificate or TLS support fails", False, "handshake succeeded")
    except (ssl.SSLError, OSError) as e:
        check("TLS handshake on a listener without certificate or TLS support fails", True)
        print(f"     ({type(e).__name__}: {e})")
    raw.close()
    s = connect(port)
    s.sendall(request("GET", "/stream", ["Connection: close"]))
    st, _, body = Reader(s).response()
    check("the plain listener still answers afterwards", st == 200 and body == b"chunk\n" * 3, f"{st} {body!r}")
    s.close()


# --- HTTP/2 (E2E_PROTO=h2c) ------------------------------------------------------------------------


class H2:
    """An h2c client connection by prior knowledge (the h2 package's state machine on a socket).
    Per stream: status, headers, body, informational statuses, trailers, END_STREAM, RST_STREAM code.
    With auto_ack=False, received DATA is not acknowledged (no WINDOW_UPDATE) until ack() is called."""

    def __init__(self, port, auto_ack=True):
        import h2.config
        import h2.connection
        self.sock = connect(port)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding="latin-1"))
        self.conn.initiate_connection()
        self.auto_ack = auto_ack
        self.unacked = []  # (stream id, flow-controlled length) not acknowledged yet
        self.streams = {}
        self.goaway = None
        self.eof = False
        self.flush()

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def start(self, method, path, headers=(), end_stream=True, authority="127.0.0.1"):
        """HEADERS for a new stream (not flushed); its id."""
        sid = self.conn.get_next_available_stream_id()
        fields = [(":method", method), (":scheme", "http"), (":path", path)]
        if authority is not None:
            fields.append((":authority", authority))
        self.conn.send_headers(sid, fields + list(headers), end_stream=end_stream)
        self.streams[sid] = {"status": None, "headers": [], "body": bytearray(), "info": [], "trailers": None,
                             "ended": False, "reset": None}
        return sid

    def send_body(self, sid, data, end_stream=True):
        """DATA within the server's windows (waiting for WINDOW_UPDATEs), flushed."""
        while True:
            n = min(len(data), self.conn.local_flow_control_window(sid), self.conn.max_outbound_frame_size)
            if n > 0 or not data:
                self.conn.send_data(sid, data[:n], end_stream=end_stream and n == len(data))
                data = data[n:]
                self.flush()
                if not data:
                    return
            else:
                self.pump()

    def request(self, method, path, headers=(), body=None, authority="127.0.0.1"):
        """A whole request, flushed; its stream id. A body gets content-length unless headers name one."""
        if body is not None and not any(n == "content-length" for n, _ in headers):
            headers = list(headers) + [("content-length", str(len(body)))]
        sid = self.start(method, path, headers, end_stream=body is None, authority=authority)
        if body is not None:
            self.send_body(sid, body)
        self.flush()
        return sid

    def pump(self, timeout=TIMEOUT):
        """Reads once (EOFError on close, socket.timeout after `timeout`) and handles the events."""
        import h2.events as ev
        self.sock.settimeout(timeout)
        data = self.sock.recv(65536)
        if not data:
            self.eof = True
            raise EOFError("connection closed")
        for e in self.conn.receive_data(data):
            st = self.streams.get(getattr(e, "stream_id", None))
            if isinstance(e, ev.ResponseReceived):
                st["headers"] = [(n.lower(), v) for n, v in e.headers]
                st["status"] = int(dict(st["headers"])[":status"])
            elif isinstance(e, ev.InformationalResponseReceived):
                st["info"].append(int(dict(e.headers)[":status"]))
            elif isinstance(e, ev.TrailersReceived):
                st["trailers"] = list(e.headers)
            elif isinstance(e, ev.DataReceived):
                st["body"] += e.data
                if self.auto_ack:
                    self.conn.acknowledge_received_data(e.flow_controlled_length, e.stream_id)
                else:
                    self.unacked.append((e.stream_id, e.flow_controlled_length))
            elif isinstance(e, ev.StreamEnded):
                st["ended"] = True
            elif isinstance(e, ev.StreamReset):
                if st is not None:
                    st["reset"] = e.error_code
            elif isinstance(e, ev.ConnectionTerminated):
                self.goaway = (int(e.error_code), e.last_stream_id)
        self.flush()

    def ack(self):
        """Acknowledges what was received so far and from now on."""
        self.auto_ack = True
        for sid, n in self.unacked:
            try:
                self.conn.acknowledge_received_data(n, sid)
            except Exception:  # the stream is gone: its share of the connection window is returned by h2
                pass
        self.unacked = []
        self.flush()

    def wait(self, sids, timeout=10.0):
        """Until every stream in `sids` ended or was reset; raises on timeout."""
        deadline = time.time() + timeout
        while not all(self.streams[s]["ended"] or self.streams[s]["reset"] is not None for s in sids):
            if time.time() > deadline:
                raise TimeoutError(f"streams {sids} not done after {timeout} s")
            self.pump()
        return [self.streams[s] for s in sids]

    def get(self, method, path, headers=(), body=None):
        """One request, waited for: (status, {name: [values]}, body) as Reader.response gives."""
        st = self.wait([self.request(method, path, headers, body)])[0]
        return st["status"], hdict(st["headers"]), st["body"]

    def close(self):
        try:
            self.conn.close_connection()
            self.flush()
        except Exception:
            pass
        self.sock.close()


def hdict(fields):
    out = {}
    for n, v in fields:
        if not n.startswith(":"):
            out.setdefault(n, []).append(v)
    return out


def length_ok(st):
    """END_STREAM ended the response and a content-length, when sent, is the body's length."""
    cl = hdict(st["headers"]).get("content-length")
    return st["ended"] and st["reset"] is None and (cl is None or cl == [str(len(st["body"]))])


def pipeline_site_h2(port, docroot):
    """Four requests in one write on one connection, each on its own stream (GET, HEAD, GET with a
    query, POST), all answered; then a fifth on the same connection."""
    css = open(os.path.join(docroot, "style.css"), "rb").read()
    index = open(os.path.join(docroot, "index.html"), "rb").read()
    c = H2(port)
    s1 = c.start("GET", "/style.css")
    s2 = c.start("HEAD", "/index.html")
    s3 = c.start("GET", "/headers?pipelined=1", [("x-pipelined", "yes")])
    s4 = c.start("POST", "/post-test", [("content-type", "text/plain"), ("content-length", "13")], end_stream=False)
    c.conn.send_data(s4, b"third in line", end_stream=True)
    c.flush()
    r1, r2, r3, r4 = c.wait([s1, s2, s3, s4])
    check("stream 1: GET /style.css", r1["status"] == 200 and r1["body"] == css
          and hdict(r1["headers"]).get("content-type") == ["text/css"], f"{r1['status']} {len(r1['body'])} bytes")
    check("stream 3: HEAD /index.html (length, no body)", r2["status"] == 200 and r2["body"] == b""
          and hdict(r2["headers"]).get("content-length") == [str(len(index))], f"{r2['status']} {r2['headers']}")
    check("stream 5: GET /headers?pipelined=1", r3["status"] == 200 and b"GET /headers?pipelined=1 HTTP/2.0" in r3["body"]
          and b"x-pipelined: yes" in r3["body"], repr(r3["body"][:200]))
    check("stream 7: POST /post-test", r4["status"] == 200 and r4["body"] == b"third in line", f"{r4['status']} {r4['body']!r}")
    check("every response ended by END_STREAM, content-length (if any) equal to the body",
          all(length_ok(r) for r in (r1, r3, r4)) and r2["ended"], repr([(r["ended"], r["reset"]) for r in (r1, r2, r3, r4)]))
    st, h, body = c.get("GET", "/style.css")
    check("a fifth request on the same connection afterwards", st == 200 and body == css and c.goaway is None, f"{st} {c.goaway}")
    c.close()


def stats_h2(port):
    c = H2(port)
    st, _, body = c.get("GET", "/stats")
    c.close()
    return {k: int(v) for k, _, v in (i.partition("=") for i in body.decode().split())}


def backpressure_h2(port):
    """The stream's window (65535, never opened) stalls the generator; WINDOW_UPDATEs resume it; an
    RST_STREAM stops it with the connection still serving; a TCP reset stops it too."""
    import h2.errors
    pieces, size = 256, 256 * 1024
    before = stats_h2(port)
    c = H2(port, auto_ack=False)
    sid = c.request("GET", f"/stream?pieces={pieces}&size={size}")
    while c.streams[sid]["status"] is None:
        c.pump()
    deadline = time.time() + 1.5  # stall: read what comes, acknowledge nothing
    while time.time() < deadline:
        try:
            c.pump(timeout=max(0.01, deadline - time.time()))
        except socket.timeout:
            pass
    a = stats_h2(port)
    time.sleep(0.5)
    b = stats_h2(port)
    sent_a = a["sends"] - before["sends"]
    sent_b = b["sends"] - before["sends"]
    got = len(c.streams[sid]["body"])
    check("stalled window: the server sent no more than the stream's window (65535)", 0 < got <= 65535, f"{got} bytes")
    check("stalled window: the generator was not asked for everything", 0 < sent_a < 64,
          f"{sent_a} of {pieces} pieces of {size} bytes sent while the client opened no window")
    check("stalled window: no proceed while nothing leaves", sent_a == sent_b, f"{sent_a} then {sent_b}")
    check("one h2o_send outstanding at a time (proceed after each send)", b["violations"] == 0, str(b))
    c.ack()
    c.conn.increment_flow_control_window(16 << 20)  # wide windows from now on: the rest comes quickly
    c.conn.increment_flow_control_window(16 << 20, sid)
    c.flush()
    r = c.wait([sid], timeout=30)[0]
    data = r["body"]
    check("after WINDOW_UPDATEs: all bytes arrive, END_STREAM", len(data) == pieces * size and r["ended"],
          f"{len(data)} of {pieces * size}, ended {r['ended']}, reset {r['reset']}")
    after = check_pieces(data, pieces, size, before, stats_h2(port))

    # RST_STREAM (CANCEL) mid-response: stop() is called, the connection keeps serving
    c.auto_ack = False
    sid = c.request("GET", f"/stream?pieces={pieces}&size={size}")
    while c.streams[sid]["status"] is None:
        c.pump()
    time.sleep(0.3)
    c.conn.reset_stream(sid, h2.errors.ErrorCodes.CANCEL)
    c.flush()
    st = check_stopped(lambda: stats_h2(port), after, "RST_STREAM mid-response")
    c.ack()
    status, _, body = c.get("GET", "/stats")
    check("  ... and the connection still serves a request", status == 200 and body.startswith(b"sends="), f"{status} {body!r}")
    c.close()

    # a client that goes away mid-response (TCP reset): stop() is called and sending ends
    c = H2(port, auto_ack=False)
    sid = c.request("GET", f"/stream?pieces={pieces}&size={size}")
    while c.streams[sid]["status"] is None:
        c.pump()
    time.sleep(0.3)
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    c.sock.close()
    st = check_stopped(lambda: stats_h2(port), st, "TCP reset mid-response")
    check("one h2o_send outstanding at a time (whole run)", st["violations"] == 0, str(st))


def post_framings_h2(port):
    """Bodies the POST echo must see whole: DATA frames of odd sizes without a content-length, then
    trailers; a body split across writes; four requests on four streams at once (two with bodies,
    an empty one by END_STREAM on HEADERS, one by an empty DATA frame)."""
    body = bytes(range(256)) * 37 + b"tail"
    c = H2(port)
    sid = c.start("POST", "/echo", [("content-type", "application/x-test")], end_stream=False)
    for piece in (body[:1], body[1:4000], body[4000:4001], body[4001:]):
        c.conn.send_data(sid, piece)  # one DATA frame each
    c.conn.send_headers(sid, [("x-trailer", "t")], end_stream=True)
    c.flush()
    r = c.wait([sid])[0]
    check("DATA frames of 1, 3999, 1 and 5476 bytes, no content-length, trailers: echoed",
          r["status"] == 200 and r["body"] == body and length_ok(r), f"{r['status']} {len(r['body'])} bytes reset {r['reset']}")
    check("  ... content-type echoed", hdict(r["headers"]).get("content-type") == ["application/x-test"], str(r["headers"]))

    sid = c.start("POST", "/echo", [("content-length", str(len(body)))], end_stream=False)
    c.flush()
    for i, piece in enumerate((body[:10], body[10:5000], body[5000:])):
        time.sleep(0.2)
        c.conn.send_data(sid, piece, end_stream=i == 2)
        c.flush()
    r = c.wait([sid])[0]
    check("body split across three writes (content-length)", r["status"] == 200 and r["body"] == body,
          f"{r['status']} {len(r['body'])} bytes")

    s1 = c.start("POST", "/echo", [("content-length", "5")], end_stream=False)
    c.conn.send_data(s1, b"first", end_stream=True)
    s2 = c.start("PUT", "/echo", [("content-length", "7")], end_stream=False)
    c.conn.send_data(s2, b"second!", end_stream=True)
    s3 = c.start("POST", "/echo")  # END_STREAM on HEADERS
    s4 = c.start("POST", "/echo", end_stream=False)
    c.conn.send_data(s4, b"", end_stream=True)  # an empty DATA frame ends it
    c.flush()
    res = c.wait([s1, s2, s3, s4])
    got = [(x["status"], x["body"], hdict(x["headers"]).get("x-method")) for x in res]
    check("four streams at once: POST, PUT, empty POST (HEADERS END_STREAM), empty POST (empty DATA END_STREAM)",
          got == [(200, b"first", ["POST"]), (200, b"second!", ["PUT"]), (200, b"", ["POST"]), (200, b"", ["POST"])], repr(got))
    c.close()


def post_limits_h2(port, lib):
    """Bodies of 1 MiB + 1 (max_request_entity_size is 1 MiB) on HTTP/2, sent until the server
    stops the stream: with content-length (with and without expect: 100-continue) and without.
    Ours (RFC 9113 8.1): a whole 413 response, then RST_STREAM NO_ERROR (or nothing), the connection
    keeps serving. 2.2.5 (lib "debian"): RST_STREAM REFUSED_STREAM, no response, once the
    DATA passes the limit (it does not look at content-length)."""
    big = b"x" * (1024 * 1024 + 1)
    c = H2(port)
    cases = [("content-length 1 MiB + 1", [("content-length", str(len(big)))]),
             ("content-length 1 MiB + 1, expect: 100-continue", [("content-length", str(len(big))), ("expect", "100-continue")]),
             ("no content-length, DATA beyond 1 MiB", [])]
    for name, headers in cases:
        sid = c.start("POST", "/echo", headers, end_stream=False)
        c.flush()
        try:
            c.send_body(sid, big)
        except Exception:  # the stream was closed under the upload (h2's StreamClosedError)
            pass
        r = c.wait([sid])[0]
        if lib == "debian":
            check(f"{name}: RST_STREAM REFUSED_STREAM, no response (2.2.5)", r["status"] is None and r["reset"] == 7,
                  f"status {r['status']} reset {r['reset']}")
        else:
            cl = hdict(r["headers"]).get("content-length")
            check(f"{name}: a whole 413 (body of its content-length, END_STREAM), then at most RST_STREAM NO_ERROR",
                  r["status"] == 413 and r["ended"] and r["reset"] in (None, 0) and not r["info"]
                  and cl == [str(len(r["body"]))], f"status {r['status']} ended {r['ended']} reset {r['reset']} "
                  f"interim {r['info']} content-length {cl} body {len(r['body'])} bytes")
    st, _, got = c.get("POST", "/echo", [], b"still here")
    check("the connection still serves a POST afterwards", st == 200 and got == b"still here" and c.goaway is None,
          f"{st} {got!r} goaway {c.goaway}")
    c.close()


def header_forms_h2(port, lib):
    """Request heads only a raw HTTP/2 client sends: host instead of :authority, a header block in
    HEADERS + CONTINUATION frames split across writes, cookie crumbs, what 2.2.5 keeps of TE."""
    c = H2(port)
    sid = c.start("GET", "/inspect", [("host", "h.example")], authority=None)
    c.flush()
    r = c.wait([sid])[0]
    text = r["body"].decode("latin-1")
    if lib == "debian":  # 2.2.5 drops host on HTTP/2 and takes the default host's name
        check("host instead of :authority: authority 'default', host not listed (2.2.5)",
              r["status"] == 200 and "authority: default\n" in text and "headers: 0\n" in text, text[:300])
    else:  # RFC 9113 8.3.1: host stands in for a missing :authority
        check("host instead of :authority: the authority", r["status"] == 200 and "authority: h.example\n" in text, text[:300])
    check("  ... and version 2.0", "version: 0x200\n" in text, text[:300])

    # a 20000-byte value: HEADERS + CONTINUATION (max frame size 16384), the frames' bytes in three writes
    value = "v" * 20000
    sid = c.start("GET", "/inspect?split", [("x-split", value), ("x-after", "1")])
    wire = c.conn.data_to_send()
    for piece in (wire[:9 + 100], wire[109:16000], wire[16000:]):
        c.sock.sendall(piece)
        time.sleep(0.2)
    r = c.wait([sid])[0]
    text = r["body"].decode("latin-1")
    check("a header block in HEADERS + CONTINUATION, split across writes",
          r["status"] == 200 and f"x-split (orig (null), not a token): {value}\n" in text and "\nx-after (orig " in text,
          f"{r['status']} {text[:300]}")

    # cookie crumbs: 2.2.5 lists them as separate headers, ours joins them with "; " (RFC 9113 8.2.3)
    st, h, body = c.get("GET", "/inspect", [("cookie", "a=1"), ("cookie", "b=2")])
    cookies = [ln for ln in body.decode("latin-1").split("\n") if ln.startswith("cookie ")]
    if lib == "debian":
        check("cookie crumbs: two cookie headers, in order (2.2.5)",
              cookies == ["cookie (orig (null), a token): a=1", "cookie (orig (null), a token): b=2"], repr(cookies))
    else:
        check("cookie crumbs: one cookie header, joined with '; ' (RFC 9113 8.2.3)",
              cookies == ["cookie (orig (null), a token): a=1; b=2"], repr(cookies))

    # what is listed of the fields 2.2.5 consumes on HTTP/1 (content-length) or keeps (te: trailers)
    st, h, body = c.get("POST", "/inspect", [("te", "trailers"), ("x-a", "1")], b"ab")
    text = body.decode("latin-1")
    names = [ln.split(" ", 1)[0] for ln in text.split("\n") if " (orig " in ln]
    check("req->headers without content-length, with te: trailers (as 2.2.5)", st == 200 and names == ["te", "x-a"],
          f"{st} {names}")
    check("  ... the body", "entity: 2 bytes\n" in text, text[:300])
    c.close()


def tls_refused_h2(port, tls_port):
    """The accept context with ssl_ctx set: no HTTP/2 answer to a cleartext preface; the h2c listener
    keeps working."""
    s = connect(tls_port)
    s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")
    try:
        data = Reader(s).until_eof(1 << 16)
    except OSError:
        data = b""
    # a SETTINGS frame would start with a length then type 4
    check("HTTP/2 preface in clear text to the TLS listener: no SETTINGS, connection closed",
          not (len(data) >= 9 and data[3] == 4) and not data.startswith(b"HTTP/"), repr(data[:80]))
    s.close()
    c = H2(port)
    st, _, body = c.get("GET", "/stream")
    check("the h2c listener still answers afterwards", st == 200 and body == b"chunk\n" * 3, f"{st} {body!r}")
    c.close()


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    scenario, port = sys.argv[1], int(sys.argv[2])
    args = sys.argv[3:]
    try:
        if scenario == "pipeline-site":
            (pipeline_site_h2 if H2C else pipeline_site)(port, args[0])
        elif scenario == "backpressure":
            (backpressure_h2 if H2C else backpressure)(port)
        elif scenario == "post-framings":
            (post_framings_h2 if H2C else post_framings)(port)
        elif scenario == "post-limits" and H2C:
            post_limits_h2(port, args[0])
        elif scenario == "header-forms":
            if H2C:
                header_forms_h2(port, args[0])
            else:
                header_forms(port)
        elif scenario == "tls-refused":
            tls_refused(port, int(args[0]))
            if H2C:
                tls_refused_h2(port, int(args[0]))
        else:
            print(f"unknown scenario {scenario}")
            return 2
    except Exception as e:  # a broken exchange is a failed check, reported with what went wrong
        check(f"{scenario}: exchange completed", False, f"{type(e).__name__}: {e}")
    return min(failures, 100)


if __name__ == "__main__":
    sys.exit(main())
