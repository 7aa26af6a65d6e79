#!/usr/bin/env python3
"""Server push against the client's settings, over h2c (prior knowledge) with raw frames
(hyperframe, hpack), counting the server's streams as the frames arrive. Used by tests/h2/push.sh.

    push_limit.py PORT --max-streams N [--path P] [--assert-max M] [--repeat R]
    push_limit.py PORT --state [--path P]

--max-streams N: the client's SETTINGS carry MAX_CONCURRENT_STREAMS N (and ENABLE_PUSH 1); GET P
(default /push?nohints) on stream 1, every DATA acknowledged with WINDOW_UPDATEs, until stream 1
and every promised stream have ended (10 s at most). A promised stream counts as open from its
PUSH_PROMISE (stricter than RFC 9113 5.1.2, which counts it from its HEADERS) until END_STREAM or
RST_STREAM. Prints "promise PATH ID open=K" per PUSH_PROMISE (K: the server's pushed streams open
with it), "pushed ID STATUS bytes=B" per pushed response that ended, "page STATUS bytes=B",
"promises N", "peak K". Exit 0 when the page ended with a 200, every promised stream ended, and
(with --assert-max) the peak is at most M; 1 otherwise (printing "FAIL: ...").
--repeat R: GET P R times on the one connection (streams 1, 3, ...), each once the page before
and every stream promised so far have ended; every page must end with a 200 ("pages R 200"); the
promises are counted over all of them (a URL is pushed once per connection).

--state: the client's SETTINGS carry INITIAL_WINDOW_SIZE 0, so that no stream of the server can
send DATA: GET P on stream 1; once its response HEADERS came (after the PUSH_PROMISEs), GET
/.well-known/h2/state on stream 3 with a WINDOW_UPDATE of 1 MiB for stream 3 alone. The JSON
answer must list each promised stream, then every stream gets its window and must complete. Prints
"state ID STATE dataOut=N" per promised stream as the JSON shows it, "page STATUS bytes=B".
Exit 0 when the JSON parsed, listed each promised (still open) stream with dataOut 0 and a state,
and everything completed afterwards; 1 otherwise."""
import argparse
import json
import socket
import sys
import time

import hpack
from hyperframe.frame import (ContinuationFrame, DataFrame, Frame, GoAwayFrame, HeadersFrame, PingFrame,
                              PushPromiseFrame, RstStreamFrame, SettingsFrame, WindowUpdateFrame)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
MAX_CONCURRENT_STREAMS, INITIAL_WINDOW_SIZE, ENABLE_PUSH = 0x3, 0x4, 0x2


class Client:
    def __init__(self, port, settings):
        self.port = port
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.enc, self.dec = hpack.Encoder(), hpack.Decoder()
        self.buf = b""
        self.pending = None  # (frame kind, stream id, promised id, block) awaiting CONTINUATION
        s = SettingsFrame(0)
        s.settings = settings
        self.sock.sendall(PREFACE + s.serialize())

    def get(self, sid, path, window=None):
        h = HeadersFrame(sid)
        h.data = self.enc.encode([(":method", "GET"), (":scheme", "http"), (":authority", f"127.0.0.1:{self.port}"),
                                  (":path", path)])
        h.flags.add("END_HEADERS")
        h.flags.add("END_STREAM")
        out = h.serialize()
        if window:
            out += WindowUpdateFrame(sid, window).serialize()
        self.sock.sendall(out)

    def window(self, sid, n):
        self.sock.sendall(WindowUpdateFrame(sid, n).serialize())

    def frames(self, deadline):
        """Yields (kind, frame, headers-or-None): HEADERS and PUSH_PROMISE once their block is whole
        (decoded); answers SETTINGS and PING itself."""
        while time.monotonic() < deadline:
            while len(self.buf) >= 9:
                f, length = Frame.parse_frame_header(memoryview(self.buf[:9]))
                if len(self.buf) < 9 + length:
                    break
                f.parse_body(memoryview(self.buf[9:9 + length]))
                self.buf = self.buf[9 + length:]
                if isinstance(f, SettingsFrame):
                    if "ACK" not in f.flags:
                        ack = SettingsFrame(0)
                        ack.flags.add("ACK")
                        self.sock.sendall(ack.serialize())
                    continue
                if isinstance(f, PingFrame):
                    if "ACK" not in f.flags:
                        p = PingFrame(0)
                        p.flags.add("ACK")
                        p.opaque_data = f.opaque_data
                        self.sock.sendall(p.serialize())
                    continue
                if isinstance(f, (HeadersFrame, PushPromiseFrame)):
                    self.pending = (f, bytes(f.data))
                elif isinstance(f, ContinuationFrame):
                    if self.pending is None:
                        raise RuntimeError("CONTINUATION without HEADERS")
                    self.pending = (self.pending[0], self.pending[1] + bytes(f.data))
                    if "END_HEADERS" in f.flags:
                        self.pending[0].flags.add("END_HEADERS")
                    f = self.pending[0]
                else:
                    yield f, None
                    continue
                if "END_HEADERS" in f.flags:
                    block = self.pending[1]
                    self.pending = None
                    yield f, dict(self.dec.decode(block, raw=False))
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not data:
                raise EOFError("the server closed the connection")
            self.buf += data


def ends(f):
    return "END_STREAM" in f.flags


def run_limit(a):
    c = Client(a.port, {ENABLE_PUSH: 1, MAX_CONCURRENT_STREAMS: a.max_streams})
    c.get(1, a.path)
    pages = [1 + 2 * i for i in range(a.repeat)]
    open_, done, bytes_, status = set(), set(), {}, {}
    paths, peak, promises = {}, 0, 0
    deadline = time.monotonic() + 10
    fails = []
    try:
        for f, h in c.frames(deadline):
            sid = f.stream_id
            if isinstance(f, PushPromiseFrame):
                promises += 1
                pid = f.promised_stream_id
                paths[pid] = h.get(":path")
                open_.add(pid)
                peak = max(peak, len(open_))
                print(f"promise {paths[pid]} {pid} open={len(open_)}")
            elif isinstance(f, HeadersFrame):
                if ":status" in h:
                    status.setdefault(sid, h[":status"])
                    if not h[":status"].startswith("1"):
                        status[sid] = h[":status"]
            elif isinstance(f, DataFrame):
                bytes_[sid] = bytes_.get(sid, 0) + len(f.data)
                n = f.flow_controlled_length
                if n:
                    c.window(0, n)
                    if not ends(f):
                        c.window(sid, n)
            elif isinstance(f, RstStreamFrame):
                print(f"reset {sid} error={f.error_code}")
                open_.discard(sid)
                done.add(sid)
                if sid in pages:
                    fails.append(f"the page's stream {sid} was reset")
                    break
                continue
            elif isinstance(f, GoAwayFrame):
                fails.append(f"GOAWAY error={f.error_code}")
                break
            if isinstance(f, (HeadersFrame, DataFrame)) and ends(f):
                done.add(sid)
                if sid in open_:
                    open_.discard(sid)
                    print(f"pushed {sid} {status.get(sid)} bytes={bytes_.get(sid, 0)}")
            if not open_ and all(p in done for p in pages if p in status or p == 1):
                nxt = [p for p in pages if p not in status and p not in done]
                if not nxt:
                    break
                if nxt[0] not in bytes_:
                    bytes_[nxt[0]] = 0
                    c.get(nxt[0], a.path)
    except (EOFError, OSError, RuntimeError) as e:
        fails.append(str(e))
    print(f"page {status.get(1)} bytes={bytes_.get(1, 0)}")
    print(f"promises {promises}")
    print(f"peak {peak}")
    if a.repeat > 1:
        print(f"pages {sum(1 for p in pages if p in done)} {'|'.join(sorted(set(str(status.get(p)) for p in pages)))}")
        for p in pages[1:]:
            if p not in done or status.get(p) != "200":
                fails.append(f"the page on stream {p} did not complete with a 200")
    if 1 not in done:
        fails.append("the page did not complete")
    if status.get(1) != "200":
        fails.append(f"the page's status is {status.get(1)}")
    if open_:
        fails.append(f"promised streams never ended: {sorted(open_)}")
    if a.assert_max is not None and peak > a.assert_max:
        fails.append(f"{peak} pushed streams open at once, more than {a.assert_max}")
    for m in fails:
        print(f"FAIL: {m}")
    return 1 if fails else 0


def run_state(a):
    c = Client(a.port, {ENABLE_PUSH: 1, INITIAL_WINDOW_SIZE: 0})
    c.get(1, a.path)
    promised, fails, body, status, state_json = {}, [], {}, {}, None
    phase, done = "page", set()
    deadline = time.monotonic() + 10
    try:
        for f, h in c.frames(deadline):
            sid = f.stream_id
            if isinstance(f, PushPromiseFrame):
                promised[f.promised_stream_id] = h.get(":path")
                print(f"promise {h.get(':path')} {f.promised_stream_id}")
            elif isinstance(f, HeadersFrame):
                if ":status" in h and not h[":status"].startswith("1"):
                    status[sid] = h[":status"]
                if sid == 1 and phase == "page" and sid in status:
                    phase = "state"
                    c.get(3, "/.well-known/h2/state", window=1 << 20)
            elif isinstance(f, DataFrame):
                body[sid] = body.get(sid, b"") + bytes(f.data)
                n = f.flow_controlled_length
                if n:
                    c.window(0, n)
            elif isinstance(f, (RstStreamFrame, GoAwayFrame)):
                fails.append(f"{type(f).__name__} on stream {sid}")
                break
            if isinstance(f, (HeadersFrame, DataFrame)) and ends(f):
                done.add(sid)
                if sid == 3:
                    try:
                        state_json = json.loads(body.get(3, b"").decode())
                    except ValueError as e:
                        fails.append(f"the state is not JSON: {e}")
                        break
                    # now let everything else go
                    for s in [1] + sorted(promised):
                        c.window(s, 1 << 20)
            if state_json is not None and 1 in done and all(p in done for p in promised):
                break
    except (EOFError, OSError, RuntimeError) as e:
        fails.append(str(e))
    if not promised:
        fails.append("nothing was promised")
    if status.get(3) != "200":
        fails.append(f"/.well-known/h2/state answered {status.get(3)}")
    if state_json is not None:
        streams = state_json.get("streams", {})
        print("streams in the state: " + " ".join(f"{k}:{v.get('state')}" for k, v in sorted(streams.items())))
        for pid in sorted(promised):
            st = streams.get(str(pid))
            if st is None:
                fails.append(f"the pushed stream {pid} ({promised[pid]}) is not in the state")
                continue
            print(f"state {pid} {st.get('state')} dataOut={st.get('dataOut')}")
            if not st.get("state"):
                fails.append(f"the pushed stream {pid} has no state")
            if st.get("dataOut", 0) != 0:
                fails.append(f"the pushed stream {pid} sent {st.get('dataOut')} bytes with a window of 0")
        if "1" not in streams:
            fails.append("the page's stream 1 is not in the state")
    elif not fails:
        fails.append("no state received")
    print(f"page {status.get(1)} bytes={len(body.get(1, b''))}")
    for pid in sorted(promised):
        if pid not in done:
            fails.append(f"the pushed stream {pid} did not complete once given a window")
    if 1 not in done:
        fails.append("the page did not complete once given a window")
    for m in fails:
        print(f"FAIL: {m}")
    return 1 if fails else 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("port", type=int)
    p.add_argument("--path", default="/push?nohints")
    p.add_argument("--max-streams", type=int)
    p.add_argument("--assert-max", type=int)
    p.add_argument("--state", action="store_true")
    p.add_argument("--repeat", type=int, default=1)
    a = p.parse_args()
    if a.state:
        return run_state(a)
    if a.max_streams is None:
        p.error("--max-streams or --state")
    return run_limit(a)


if __name__ == "__main__":
    sys.exit(main())
