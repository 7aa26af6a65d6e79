#!/usr/bin/env python3
"""Raw-socket HTTP/1.1 checks for the embedder end-to-end tests (tests/abi/e2e/embedder_*.sh).

curl cannot pipeline, stall on purpose or send odd framings, so those checks live here. Each
scenario prints one "ok   ..." or "FAIL ..." line per check and exits with the number of failures
(capped at 100). Everything runs against 127.0.0.1 with socket timeouts (5 s by default) and bounded
loops.

    embedder_client.py SCENARIO PORT [ARGS...]

Scenarios: pipeline-site DOCROOT, backpressure, post-framings, header-forms, tls-refused TLS_PORT.
"""
import hashlib
import os
import socket
import sys
import time

TIMEOUT = 5.0
failures = 0


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
    bad = next((i for i in range(pieces) if data[i * size:i * size + 15] != f"piece {i:08d}\n".encode()), None)
    check("after the stall: every piece in order", bad is None, f"piece {bad}: {bytes(data[(bad or 0) * size:][:20])!r}")
    after = stats(port)
    check("generator: sends == pieces, proceeds == pieces - 1, no stop",
          after["sends"] - before["sends"] == pieces and after["proceeds"] - before["proceeds"] == pieces - 1
          and after["stops"] == before["stops"], f"{before} -> {after}")
    s.close()

    # a client that goes away mid-response: stop() is called and sending ends
    s = connect(port, rcvbuf=64 * 1024)
    s.sendall(request("GET", f"/stream?pieces={pieces}&size={size}"))
    Reader(s).line()
    time.sleep(0.5)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # close with RST
    s.close()
    deadline = time.time() + 5
    st = stats(port)
    while st["stops"] == after["stops"] and time.time() < deadline:
        time.sleep(0.1)
        st = stats(port)
    check("reset mid-response: the generator's stop was called", st["stops"] == after["stops"] + 1, f"{after} -> {st}")
    time.sleep(0.3)
    st2 = stats(port)
    check("reset mid-response: no send after stop", st2["sends"] == st["sends"] and st2["active"] == 0, f"{st} -> {st2}")
    check("one h2o_send outstanding at a time (whole run)", st2["violations"] == 0, str(st2))


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


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    scenario, port = sys.argv[1], int(sys.argv[2])
    args = sys.argv[3:]
    try:
        if scenario == "pipeline-site":
            pipeline_site(port, args[0])
        elif scenario == "backpressure":
            backpressure(port)
        elif scenario == "post-framings":
            post_framings(port)
        elif scenario == "header-forms":
            header_forms(port)
        elif scenario == "tls-refused":
            tls_refused(port, int(args[0]))
        else:
            print(f"unknown scenario {scenario}")
            return 2
    except Exception as e:  # a broken exchange is a failed check, reported with what went wrong
        check(f"{scenario}: exchange completed", False, f"{type(e).__name__}: {e}")
    return min(failures, 100)


if __name__ == "__main__":
    sys.exit(main())
