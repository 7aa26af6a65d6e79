#!/usr/bin/env python3
"""HTTP/2 (h2c) attack and conformance probes against a server on 127.0.0.1.

    probes.py --port PORT [--expect ours|h2o-2.2.5] [--pid PID] [--big-path /big.bin]
              [--docroot DIR] [--only NAME,NAME] [--flood N] [--rss-bound-mib 64]

Each probe runs in its own forked process with a hard timeout (--probe-timeout, default 20 s) and
prints one PASS/FAIL line with what the server did; a summary table follows, and the exit status is
1 when any probe failed. Every defence probe also requires that a second, well-behaved connection
opened while the attacking connection is still open, and another one opened after it is gone, each
get a 200 for GET / within 5 s. With --pid, the server's memory is measured: its peak RSS
(/proc/PID/status VmHWM, reset through /proc/PID/clear_refs before the probe) must stay below the
RSS at the probe's start plus --rss-bound-mib.

--expect says which outcomes count as a pass: `ours` is RFC 9113 and issue 8's defences; `h2o-2.2.5`
encodes what Debian's H2O 2.2.5 does (measured; the known differences are written in EXPECT below),
so that the script itself is proven on a real HTTP/2 server before ours exists.

The probes need a large file on the server (--big-path, default /big.bin: a few MiB; with --docroot
its bytes are compared), a huge one (--huge-path, default /huge.bin: tens of MiB, more than the
kernels' socket buffers hold), GET / answering 200 and POST /post-test echoing the request body.

Frames are written by hand (byte-exact, so that malformed input is exactly what is meant), parsed
with hyperframe, header blocks encoded with hpack (or literally, for malformed fields) and decoded
with hpack; the well-behaved client and the upload use the h2 package's state machine.
"""
import argparse
import errno
import hashlib
import multiprocessing
import os
import select
import socket
import struct
import sys
import threading
import time
import traceback

import h2.config
import h2.connection
import h2.events
import h2.settings
import hpack
import hyperframe.frame as hf

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
# frame types and flags
DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = range(10)
END_STREAM, ACK, END_HEADERS, PADDED, PRIO = 0x1, 0x1, 0x4, 0x8, 0x20
S_HEADER_TABLE_SIZE, S_ENABLE_PUSH, S_MAX_CONCURRENT_STREAMS, S_INITIAL_WINDOW_SIZE, S_MAX_FRAME_SIZE = 1, 2, 3, 4, 5
ERRORS = ["NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT",
          "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR",
          "CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"]


def errname(code):
    return ERRORS[code] if 0 <= code < len(ERRORS) else "0x%x" % code


def frame(ftype, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + struct.pack(">BBI", ftype, flags, sid & 0x7FFFFFFF) + payload


def settings_frame(pairs=(), ack=False):
    return frame(SETTINGS, ACK if ack else 0, 0, b"".join(struct.pack(">HI", k, v) for k, v in pairs))


def window_update(sid, inc):
    return frame(WINDOW_UPDATE, 0, sid, struct.pack(">I", inc))


def rst_stream(sid, code):
    return frame(RST_STREAM, 0, sid, struct.pack(">I", code))


def hpack_int(value, prefix_bits, first=0):
    """RFC 7541 5.1 integer with an N-bit prefix; `first` holds the bits above the prefix."""
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = bytearray([first | limit])
    value -= limit
    while value >= 128:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def hpack_str(s):
    s = s.encode() if isinstance(s, str) else s
    return hpack_int(len(s), 7) + s


def literal_block(fields):
    """A header block of literal fields without indexing, new names, no Huffman: the bytes on the
    wire are exactly the names and values given (upper case, empty, pseudo-headers anywhere)."""
    return b"".join(b"\x00" + hpack_str(n) + hpack_str(v) for n, v in fields)


def req_fields(path="/", method="GET", extra=()):
    return [(":method", method), (":scheme", "http"), (":path", path), (":authority", "127.0.0.1")] + list(extra)


class Closed(Exception):
    pass


class Raw:
    """A client connection over a raw socket: frames written as given, every frame read is parsed
    and recorded (statuses, DATA bytes, RST_STREAM codes, GOAWAY, SETTINGS, PING ACKs)."""

    def __init__(self, port, settings=((S_ENABLE_PUSH, 0),), preface=PREFACE, timeout=5.0, rcvbuf=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:  # a client that reads slowly: the kernel holds little of what the server sends
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.enc = hpack.Encoder()
        self.dec = hpack.Decoder()
        self.dec.max_header_list_size = 1 << 20
        self.buf = bytearray()
        self.goaway = None  # (error code, last stream id, debug data) of the last GOAWAY
        self.goaways = []
        self.rst = {}  # stream id -> error code
        self.status = {}  # stream id -> :status
        self.resp_headers = {}
        self.data = {}  # stream id -> bytearray of the body
        self.data_frames = {}
        self.ended = set()
        self.server_settings = {}
        self.settings_frames = 0
        self.settings_acks = 0
        self.ping_acks = 0
        self.window_updates = []
        self.eof = False
        self.reset = False
        self.bytes_in = 0
        self.http1_reply = None
        self.frames_in = 0
        self._hblock = None  # (stream id, bytes) of a header block awaiting CONTINUATION
        self.on_data = None  # callback(stream id, payload length) for flow-control bookkeeping
        self.errors = []  # problems with what the server sent
        if preface is not None:
            self.sock.sendall(preface + (settings_frame(settings) if settings is not None else b""))

    # --- writing ---
    def send(self, data):
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            self.reset = True
            raise Closed()

    def encode(self, fields):
        return self.enc.encode(fields)

    def request(self, sid, path="/", method="GET", extra=(), end_stream=True):
        flags = END_HEADERS | (END_STREAM if end_stream else 0)
        self.send(frame(HEADERS, flags, sid, self.encode(req_fields(path, method, extra))))

    # --- reading ---
    def _parse(self):
        while True:
            if self.frames_in == 0 and self.bytes_in and self.buf[:5] == b"HTTP/":
                self.http1_reply = bytes(self.buf[:200])
                self.buf.clear()
                return
            if len(self.buf) < 9:
                return
            length = int.from_bytes(self.buf[:3], "big")
            if len(self.buf) < 9 + length:
                return
            self.frames_in += 1
            ftype, flags = self.buf[3], self.buf[4]
            if flags & ACK and ((ftype == PING and length == 8) or (ftype == SETTINGS and length == 0)):
                # the floods' answers, counted without parsing (fast enough to read 500k of them)
                if ftype == PING:
                    self.ping_acks += 1
                else:
                    self.settings_acks += 1
                del self.buf[:9 + length]
                continue
            raw = bytes(self.buf[:9 + length])
            del self.buf[:9 + length]
            try:
                f, _ = hf.Frame.parse_frame_header(memoryview(raw[:9]))
                f.parse_body(memoryview(raw[9:]))
            except Exception as e:  # noqa: BLE001 - anything the server sends wrong is recorded
                self.errors.append("unparsable frame %r: %s" % (raw[:12], e))
                continue
            self._record(f)

    def _record(self, f):
        t = f.type
        if t == hf.DataFrame.type:
            self.data.setdefault(f.stream_id, bytearray()).extend(f.data)
            self.data_frames[f.stream_id] = self.data_frames.get(f.stream_id, 0) + 1
            if self.on_data:
                self.on_data(f.stream_id, f.flow_controlled_length)
            if "END_STREAM" in f.flags:
                self.ended.add(f.stream_id)
        elif t in (hf.HeadersFrame.type, hf.ContinuationFrame.type):
            if t == hf.HeadersFrame.type:
                self._hblock = (f.stream_id, bytearray(f.data), "END_STREAM" in f.flags)
            elif self._hblock is None or self._hblock[0] != f.stream_id:
                self.errors.append("CONTINUATION on stream %d without a header block" % f.stream_id)
                return
            else:
                self._hblock[1].extend(f.data)
            if "END_HEADERS" in f.flags:
                sid, block, end = self._hblock
                self._hblock = None
                try:
                    fields = self.dec.decode(bytes(block), raw=True)
                except Exception as e:  # noqa: BLE001
                    self.errors.append("undecodable response header block on stream %d: %s" % (sid, e))
                    return
                st = dict(fields).get(b":status")
                if st is not None and not (st.startswith(b"1") and len(st) == 3):
                    if sid not in self.status:
                        self.status[sid] = int(st)
                        self.resp_headers[sid] = fields
                if end:
                    self.ended.add(sid)
        elif t == hf.RstStreamFrame.type:
            self.rst[f.stream_id] = f.error_code
        elif t == hf.SettingsFrame.type:
            if "ACK" in f.flags:
                self.settings_acks += 1
            else:
                self.settings_frames += 1
                self.server_settings.update(f.settings)
        elif t == hf.PingFrame.type:
            if "ACK" in f.flags:
                self.ping_acks += 1
            else:
                try:
                    self.sock.sendall(frame(PING, ACK, 0, f.opaque_data))
                except OSError:
                    pass
        elif t == hf.GoAwayFrame.type:
            # the last one counts (a graceful GOAWAY NO_ERROR may precede the error's)
            self.goaway = (f.error_code, f.last_stream_id, bytes(f.additional_data))
            self.goaways.append(self.goaway)
        elif t == hf.WindowUpdateFrame.type:
            self.window_updates.append((f.stream_id, f.window_increment))

    def read_some(self, timeout):
        """Reads what arrives within `timeout` (one recv); False once the connection is gone."""
        if self.eof or self.reset:
            return False
        r, _, _ = select.select([self.sock], [], [], max(0.0, timeout))
        if not r:
            return True
        try:
            chunk = self.sock.recv(1 << 20)
        except (ConnectionResetError, BrokenPipeError):
            self.reset = True
            return False
        except (BlockingIOError, socket.timeout):
            return True
        if not chunk:
            self.eof = True
            return False
        self.bytes_in += len(chunk)
        self.buf.extend(chunk)
        self._parse()
        return True

    def read_until(self, cond, timeout):
        """Reads until cond() holds, the connection is gone or `timeout` passes; returns cond()."""
        deadline = time.monotonic() + timeout
        while not cond():
            left = deadline - time.monotonic()
            if left <= 0 or not self.read_some(min(left, 0.5)):
                break
        return cond()

    def drain(self, timeout):
        """Reads until the connection is gone or `timeout` passes."""
        return self.read_until(lambda: self.eof or self.reset, timeout)

    def settle(self, quiet=0.5, timeout=3.0):
        """Reads until a GOAWAY, the connection's end, `quiet` seconds without input, or `timeout`."""
        deadline = time.monotonic() + timeout
        while self.goaway is None and not self.gone():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            before = self.bytes_in
            if not self.read_some(min(left, quiet)) or self.bytes_in == before:
                break
        # after a GOAWAY: what follows it (the close) within a moment
        if self.goaway is not None:
            self.read_until(self.gone, 0.3)

    def gone(self):
        return self.eof or self.reset

    def outcome(self):
        """What happened to the connection: goaway:CODE, close (EOF or reset without GOAWAY), open."""
        if self.goaway is not None:
            return "goaway:" + errname(self.goaway[0])
        if self.http1_reply is not None:
            return "http1:" + self.http1_reply.split(b"\r\n", 1)[0].decode("latin-1")
        if self.gone():
            return "close"
        return "open"

    def stream_outcome(self, sid):
        """rst:CODE, status:NNN (complete or not), goaway:CODE, close or open for one stream."""
        if sid in self.rst:
            return "rst:" + errname(self.rst[sid])
        if sid in self.status:
            return "status:%d" % self.status[sid]
        return self.outcome()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def flood(conn, chunks, read=True, max_time=6.0, stall=1.5):
    """Writes the byte strings of the iterable `chunks` as fast as the socket takes them, reading
    (and recording) the server's frames meanwhile when `read`. Stops at a GOAWAY, the connection's
    end, `max_time`, or when the server has taken nothing for `stall` seconds. Returns (how it
    ended: done|goaway|close|stalled|time, bytes written, seconds)."""
    sock = conn.sock
    sock.setblocking(False)
    start = time.monotonic()
    last_progress = start
    sent = 0
    pending = b""
    it = iter(chunks)
    how = "done"
    try:
        while True:
            if conn.goaway is not None:
                how = "goaway"
                break
            if conn.gone():
                how = "close"
                break
            now = time.monotonic()
            if now - start > max_time:
                how = "time"
                break
            if now - last_progress > stall:
                how = "stalled"
                break
            if not pending:
                pending = next(it, None)
                if pending is None:
                    break
            r, w, _ = select.select([sock] if read else [], [sock], [], 0.2)
            if r:
                conn.read_some(0)
            if w and pending:
                try:
                    n = sock.send(pending)
                except BlockingIOError:
                    n = 0
                except (BrokenPipeError, ConnectionResetError):
                    conn.reset = True
                    how = "close"
                    break
                if n:
                    sent += n
                    pending = pending[n:]
                    last_progress = time.monotonic()
    finally:
        sock.setblocking(True)
        sock.settimeout(5.0)
    return how, sent, time.monotonic() - start


# --- the well-behaved client (h2's state machine) ---------------------------------------------------
def h2_request(port, path="/", method="GET", body=None, timeout=5.0, window=16 << 20):
    """One request on a new connection with h2's client state machine, flow control both ways.
    Returns (status or None, response body, headers, seconds)."""
    start = time.monotonic()
    deadline = start + timeout
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding=None))
    c.initiate_connection()
    c.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: min(window, 2**31 - 1),
                       h2.settings.SettingCodes.ENABLE_PUSH: 0})
    c.increment_flow_control_window(window)
    sid = c.get_next_available_stream_id()
    hdrs = req_fields(path, method)
    if body is not None:
        hdrs.append(("content-length", str(len(body))))
    c.send_headers(sid, hdrs, end_stream=body is None)
    sock.sendall(c.data_to_send())
    status, headers, resp = None, [], bytearray()
    offset = 0
    done = False
    try:
        while not done:
            if body is not None and offset < len(body):
                room = min(c.local_flow_control_window(sid), c.max_outbound_frame_size, len(body) - offset)
                while room > 0:
                    c.send_data(sid, body[offset:offset + room], end_stream=offset + room == len(body))
                    offset += room
                    room = min(c.local_flow_control_window(sid), c.max_outbound_frame_size, len(body) - offset)
                sock.sendall(c.data_to_send())
            left = deadline - time.monotonic()
            if left <= 0:
                break
            sock.settimeout(left)
            chunk = sock.recv(1 << 20)
            if not chunk:
                break
            for ev in c.receive_data(chunk):
                if isinstance(ev, h2.events.ResponseReceived) and ev.stream_id == sid:
                    headers = ev.headers
                    status = int(dict(ev.headers)[b":status"])
                elif isinstance(ev, h2.events.DataReceived) and ev.stream_id == sid:
                    resp.extend(ev.data)
                    c.acknowledge_received_data(ev.flow_controlled_length, sid)
                elif isinstance(ev, h2.events.StreamEnded) and ev.stream_id == sid:
                    done = True
                elif isinstance(ev, h2.events.StreamReset) and ev.stream_id == sid:
                    status = "rst:" + errname(ev.error_code)
                    done = True
                elif isinstance(ev, h2.events.ConnectionTerminated):
                    done = True
            sock.sendall(c.data_to_send())
    except (OSError, socket.timeout):
        pass
    finally:
        sock.close()
    if not done:
        status = None
    return status, bytes(resp), headers, time.monotonic() - start


class Bystander:
    """The well-behaved connection opened while an attack runs: GET / in a thread."""

    def __init__(self, port, delay=0.2):
        self.result = None
        self.thread = threading.Thread(target=self._run, args=(port, delay), daemon=True)
        self.thread.start()

    def _run(self, port, delay):
        time.sleep(delay)
        try:
            st, _, _, secs = h2_request(port, "/", timeout=5.0)
            self.result = (st, secs)
        except Exception as e:  # noqa: BLE001
            self.result = ("error: %s" % e, 0)

    def wait(self):
        self.thread.join(8)
        return self.result or ("no answer", 0)


# --- memory ---------------------------------------------------------------------------------------
def proc_status(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def reset_peak(pid):
    try:
        with open("/proc/%d/clear_refs" % pid, "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


# --- probes ----------------------------------------------------------------------------------------
# Each returns (outcome string, details string, list of failure strings from absolute checks that
# hold for every server, e.g. a DATA frame beyond the window). The outcome is judged against EXPECT.

class Ctx:
    def __init__(self, args):
        self.port = args.port
        self.big = args.big_path
        self.huge = args.huge_path
        self.flood_n = args.flood
        self.docroot = args.docroot
        self.hard = []  # absolute failures

    def big_bytes(self):
        if not self.docroot:
            return None
        with open(os.path.join(self.docroot, self.big.lstrip("/")), "rb") as f:
            return f.read()


def with_bystander(ctx, conn, attack):
    """Runs attack() with a bystander GET / during it; returns attack()'s result."""
    b = Bystander(ctx.port)
    res = attack()
    st, secs = b.wait()
    if st != 200:
        ctx.hard.append("a well-behaved connection opened during the attack got %r (%.2f s), not 200" % (st, secs))
    return res, "bystander during: %s in %.2f s" % (st, secs)


def after_check(ctx):
    st, _, _, secs = h2_request(ctx.port, "/", timeout=5.0)
    if st != 200:
        ctx.hard.append("a well-behaved connection after the attack got %r (%.2f s), not 200" % (st, secs))
    return "after: %s in %.2f s" % (st, secs)


def server_errors(ctx, conn):
    for e in conn.errors:
        ctx.hard.append("server sent: " + e)


def connect(ctx, **kw):
    """A Raw connection once the server's SETTINGS arrived (at most 2 s)."""
    conn = Raw(ctx.port, **kw)
    conn.read_until(lambda: conn.settings_frames > 0, 2)
    return conn


def finish(ctx, conn, out, detail):
    """Records what the server sent wrong, closes, and checks a new connection gets GET / 200."""
    server_errors(ctx, conn)
    conn.close()
    return out, detail + "; " + after_check(ctx)


def flood_probe(ctx, conn, chunks, read, what):
    (how, sent, secs), during = with_bystander(ctx, conn, lambda: flood(conn, chunks, read=read))
    if how in ("done", "stalled", "time"):
        try:  # read what is queued quickly now
            conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        except OSError:
            pass
        conn.settle()
    out = conn.outcome()
    if out == "open" and how == "stalled":
        out = "stalled"
    detail = "%s; flood ended: %s after %.1f KB in %.2f s; %s" % (what(conn), how, sent / 1024, secs, during)
    return finish(ctx, conn, out, detail)


def chunked_frames(one, n, per_chunk=512):
    """n copies of the frame bytes `one`, in chunks of per_chunk frames (callable: one(i))."""
    for base in range(0, n, per_chunk):
        yield b"".join(one(i) for i in range(base, min(n, base + per_chunk)))


def p_rapid_reset(ctx):
    conn = connect(ctx)
    n = 5000
    block = conn.encode(req_fields(ctx.big))  # the same fields: indexed after the first use

    def pair(i):
        sid = 1 + 2 * i
        hb = block if i == 0 else conn.encode(req_fields(ctx.big))
        return frame(HEADERS, END_HEADERS | END_STREAM, sid, hb) + rst_stream(sid, 8)  # CANCEL

    return flood_probe(ctx, conn, chunked_frames(pair, n, 100), True,
                       lambda c: "%d streams opened and reset; %d responses, %d RST_STREAM seen, goaway %s"
                       % (n, len(c.status), len(c.rst), fmt_goaway(c)))


def fmt_goaway(c):
    if c.goaway is None:
        return "none"
    return ", then ".join("%s last-stream %d %r" % (errname(g[0]), g[1], g[2][:60]) for g in c.goaways)


def p_continuation_flood(ctx):
    conn = connect(ctx)
    # a valid block of literal fields, endless: x-flood-N: 100 bytes
    piece = b"".join(b"\x00" + hpack_str("x-flood-%d" % i) + hpack_str("a" * 100) for i in range(128))
    payload = piece[:16384]
    total_mb = 32
    n = total_mb * 1024 * 1024 // (len(payload) + 9)

    def chunks():
        yield frame(HEADERS, END_STREAM, 1, conn.encode(req_fields("/")))
        for _ in range(n):
            yield frame(CONTINUATION, 0, 1, payload)

    out, detail = flood_probe(ctx, conn, chunks(), True,
                              lambda c: "HEADERS without END_HEADERS then CONTINUATION x 16 KB (up to %d MB); goaway %s; "
                              "stream 1: %s" % (total_mb, fmt_goaway(c), c.stream_outcome(1)))
    return out, detail


def p_continuation_empty(ctx):
    conn = connect(ctx)
    n = ctx.flood_n

    def chunks():
        yield frame(HEADERS, END_STREAM, 1, conn.encode(req_fields("/")))
        yield from chunked_frames(lambda i: frame(CONTINUATION, 0, 1), n)

    return flood_probe(ctx, conn, chunks(), True,
                       lambda c: "HEADERS without END_HEADERS then %d empty CONTINUATION; goaway %s" % (n, fmt_goaway(c)))


# The SETTINGS and PING floods are never read during the flood and the client's receive buffer is
# small, so their ACKs (5 x --flood frames: ~8 MB) outgrow what the kernels hold: a server must
# stop, stop reading, or buffer them all (bounded by the RSS check only).
SMALL_RCVBUF = 4096


def p_settings_flood(ctx):
    conn = connect(ctx, rcvbuf=SMALL_RCVBUF)
    n = ctx.flood_n * 5
    one = settings_frame([(S_ENABLE_PUSH, 0)])
    return flood_probe(ctx, conn, chunked_frames(lambda i: one, n), False,
                       lambda c: "%d SETTINGS sent, ACKs never read during the flood; %d ACKs read after; goaway %s"
                       % (n, c.settings_acks, fmt_goaway(c)))


def p_ping_flood(ctx):
    conn = connect(ctx, rcvbuf=SMALL_RCVBUF)
    n = ctx.flood_n * 5
    return flood_probe(ctx, conn, chunked_frames(lambda i: frame(PING, 0, 0, struct.pack(">Q", i)), n), False,
                       lambda c: "%d PING sent, ACKs never read during the flood; %d ACKs read after; goaway %s"
                       % (n, c.ping_acks, fmt_goaway(c)))


def p_priority_flood(ctx):
    conn = connect(ctx)
    n = ctx.flood_n

    def prio(i):
        sid = 1 + 2 * i  # idle streams, each depending on an earlier one: the tree keeps changing
        dep = 1 + 2 * ((i * 7919) % (i + 1)) if i else 0
        if dep == sid:
            dep = 0
        return frame(PRIORITY, 0, sid, struct.pack(">IB", dep | (0x80000000 if i % 3 == 0 else 0), i & 0xFF))

    return flood_probe(ctx, conn, chunked_frames(prio, n), True,
                       lambda c: "%d PRIORITY frames on idle streams (exclusive every third); goaway %s"
                       % (n, fmt_goaway(c)))


def p_empty_data_flood(ctx):
    conn = connect(ctx)
    n = ctx.flood_n

    def chunks():
        yield frame(HEADERS, END_HEADERS, 1, conn.encode(req_fields("/post-test", "POST")))
        yield from chunked_frames(lambda i: frame(DATA, 0, 1), n)

    return flood_probe(ctx, conn, chunks(), True,
                       lambda c: "POST /post-test then %d empty DATA frames; goaway %s; stream 1: %s"
                       % (n, fmt_goaway(c), c.stream_outcome(1)))


def p_zero_window_hold(ctx):
    conn = Raw(ctx.port, settings=[(S_ENABLE_PUSH, 0), (S_INITIAL_WINDOW_SIZE, 0)])
    conn.read_until(lambda: conn.settings_frames > 0 and conn.settings_acks > 0, 2)
    n = 100
    conn.send(b"".join(frame(HEADERS, END_HEADERS | END_STREAM, 1 + 2 * i, conn.encode(req_fields(ctx.big)))
                       for i in range(n)))
    b = Bystander(ctx.port, delay=1.0)
    hold = 3.0
    deadline = time.monotonic() + hold
    while time.monotonic() < deadline and conn.read_some(deadline - time.monotonic()):
        pass
    st, secs = b.wait()
    if st != 200:
        ctx.hard.append("a well-behaved connection during the hold got %r (%.2f s), not 200" % (st, secs))
    data = sum(len(v) for v in conn.data.values())
    if data:
        ctx.hard.append("the server sent %d bytes of DATA into a zero window" % data)
    refused = sum(1 for s in conn.rst if conn.rst[s] == 7)
    detail = ("%d streams GET %s with initial window 0 held %.0f s: %d response heads, %d DATA bytes, %d RST_STREAM "
              "(%d REFUSED_STREAM), goaway %s; bystander during: %s in %.2f s"
              % (n, ctx.big, hold, len(conn.status), data, len(conn.rst), refused, fmt_goaway(conn), st, secs))
    out = conn.outcome()
    return finish(ctx, conn, "held" if out == "open" else out, detail)


def p_hpack_bomb(ctx):
    conn = connect(ctx)
    value = b"b" * 4000
    refs = 10000
    streams = 10
    # literal with incremental indexing, new name (inserted at dynamic index 62) ...
    insert = b"\x40" + hpack_str("x-bomb") + hpack_str(value)
    # ... then the request, then 10000 one-byte references to it: ~40 MB decoded from ~14 KB
    base = literal_block(req_fields("/"))
    frames = []
    for i in range(streams):
        block = base + (insert if i == 0 else b"") + hpack_int(62, 7, 0x80) * refs
        frames.append(frame(HEADERS, END_HEADERS | END_STREAM, 1 + 2 * i, block))
    t0 = time.monotonic()
    b = Bystander(ctx.port, delay=0.1)
    try:
        conn.send(b"".join(frames))
    except Closed:
        pass
    sids = [1 + 2 * i for i in range(streams)]
    conn.read_until(lambda: all(s in conn.rst or s in conn.ended for s in sids) or conn.goaway is not None, 8)
    secs = time.monotonic() - t0
    st, bsecs = b.wait()
    if st != 200:
        ctx.hard.append("a well-behaved connection during the bomb got %r (%.2f s), not 200" % (st, bsecs))
    per = [conn.stream_outcome(s) for s in sids]
    kinds = sorted(set(per))
    detail = ("%d HEADERS each referencing a 4000-byte dynamic-table entry %d times (%.0f MB decoded each); "
              "per stream: %s; goaway %s; answered in %.2f s; bystander during: %s in %.2f s"
              % (streams, refs, len(value) * refs / 1e6, ",".join("%s x%d" % (k, per.count(k)) for k in kinds),
                 fmt_goaway(conn), secs, st, bsecs))
    # outcome: the connection's fate if it ended, else what the first stream got
    out = conn.outcome() if conn.goaway is not None or conn.gone() else per[0]
    return finish(ctx, conn, "hang" if out == "open" else out, detail)


def p_max_concurrent(ctx):
    conn = connect(ctx, settings=[(S_ENABLE_PUSH, 0), (S_INITIAL_WINDOW_SIZE, 0)])
    limit = conn.server_settings.get(S_MAX_CONCURRENT_STREAMS)
    n = (limit or 100) + 10
    conn.send(b"".join(frame(HEADERS, END_HEADERS | END_STREAM, 1 + 2 * i, conn.encode(req_fields(ctx.big)))
                       for i in range(n)))
    sids = [1 + 2 * i for i in range(n)]
    conn.read_until(lambda: sum(1 for s in sids if s in conn.status or s in conn.rst) >= n or conn.goaway, 3)
    conn.read_until(lambda: False, 0.5)
    heads = [s for s in sids if s in conn.status and s not in conn.rst]
    resets = {}
    for s in sids:
        if s in conn.rst:
            resets[errname(conn.rst[s])] = resets.get(errname(conn.rst[s]), 0) + 1
    waiting = [s for s in sids if s not in conn.status and s not in conn.rst]
    detail = ("SETTINGS_MAX_CONCURRENT_STREAMS %s; %d streams opened (window 0, none can finish): %d response heads, "
              "RST_STREAM %s, %d without an answer; goaway %s"
              % (limit, n, len(heads), resets or "none", len(waiting), fmt_goaway(conn)))
    if limit is None:
        ctx.hard.append("the server announced no SETTINGS_MAX_CONCURRENT_STREAMS")
    elif len(heads) > limit:
        ctx.hard.append("%d streams got response heads, beyond the announced limit %d" % (len(heads), limit))
    if conn.goaway is not None or conn.gone():
        out = conn.outcome()
    elif limit is not None and resets and len(heads) <= limit and len(heads) + sum(resets.values()) == n:
        out = "excess-rst:" + "+".join(sorted(resets))
    elif waiting and not resets:
        out = "excess-queued"
    else:
        out = "mixed"
    return finish(ctx, conn, out, detail)


def p_stream_id_exhaustion(ctx):
    conn = connect(ctx)
    top = 2**31 - 1
    conn.request(top, "/")
    conn.read_until(lambda: top in conn.ended or top in conn.rst or conn.gone() or conn.goaway, 3)
    conn.read_until(lambda: False, 0.1)  # a GOAWAY NO_ERROR for the exhausted ids may follow
    first = conn.stream_outcome(top)
    try:
        conn.request(3, "/")
    except Closed:
        pass
    conn.read_until(lambda: conn.goaway is not None or conn.gone() or 3 in conn.status or 3 in conn.rst, 3)
    detail = "stream 2^31-1 GET /: %s; then stream 3: %s; goaway %s" % (first, conn.stream_outcome(3), fmt_goaway(conn))
    if first != "status:200":
        ctx.hard.append("stream 2^31-1 got %s, not a 200" % first)
    out = conn.outcome()
    if out == "open":
        out = conn.stream_outcome(3) if (3 in conn.status or 3 in conn.rst) else "ignored"
    return finish(ctx, conn, out, detail)


VALIDATION = [
    ("empty-path", lambda: literal_block(req_fields("")), None),
    ("connection-header", lambda: literal_block(req_fields("/", extra=[("connection", "keep-alive")])), None),
    ("uppercase-name", lambda: literal_block(req_fields("/", extra=[("X-Upper", "1")])), None),
    ("te-gzip", lambda: literal_block(req_fields("/", extra=[("te", "gzip")])), None),
    ("pseudo-after-regular", lambda: literal_block([(":method", "GET"), (":scheme", "http"), ("user-agent", "probe"),
                                                     (":path", "/"), (":authority", "127.0.0.1")]), None),
    ("content-length-mismatch",
     lambda: literal_block(req_fields("/post-test", "POST", extra=[("content-length", "10")])), b"12345"),
]


def p_validation(ctx):
    """One connection: each malformed request on its own stream, a good GET / after each."""
    conn = None
    outcomes = []
    detail_goaway = {}
    for name, block, body in VALIDATION:
        if conn is None or conn.goaway is not None or conn.gone():
            if conn is not None:
                server_errors(ctx, conn)
                conn.close()
            conn = connect(ctx)
            sid = 1
        try:
            if body is None:
                conn.send(frame(HEADERS, END_HEADERS | END_STREAM, sid, block()))
            else:
                conn.send(frame(HEADERS, END_HEADERS, sid, block()) + frame(DATA, END_STREAM, sid, body))
        except Closed:
            outcomes.append((name, conn.outcome(), "-"))
            continue
        conn.read_until(lambda: sid in conn.rst or sid in conn.ended or conn.goaway is not None, 3)
        conn.read_until(lambda: sid in conn.rst, 0.2 if sid in conn.ended else 0)  # a reset after a response
        bad = conn.stream_outcome(sid)
        if conn.goaway is not None:
            detail_goaway[name] = conn.goaway[2][:80]
        if sid in conn.status and sid in conn.rst:
            bad = "status:%d+rst:%s" % (conn.status[sid], errname(conn.rst[sid]))
        good_sid = sid + 2
        try:
            conn.request(good_sid, "/")
        except Closed:
            outcomes.append((name, bad, conn.outcome()))
            continue
        conn.read_until(lambda: good_sid in conn.ended or good_sid in conn.rst or conn.goaway is not None, 3)
        outcomes.append((name, bad, conn.stream_outcome(good_sid)))
        sid += 4
    server_errors(ctx, conn)
    conn.close()
    detail = "; ".join("%s: %s%s (then GET / %s)" % (o[0], o[1], " %r" % detail_goaway[o[0]] if o[0] in detail_goaway else "",
                                                    o[2]) for o in outcomes)
    return outcomes, detail


def p_fake_preface(ctx):
    conn = Raw(ctx.port, preface=b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n", settings=None)
    try:
        conn.send(settings_frame())
    except Closed:
        pass
    conn.drain(3.0)
    out = conn.outcome()
    detail = "sent %r + SETTINGS: %s, %d frames (%d SETTINGS) before it; %s" % (
        b"PRI * HTTP/2.0\\r\\n\\r\\nXX\\r\\n\\r\\n", out, conn.frames_in, conn.settings_frames,
        "connection closed" if conn.gone() else "connection still open after 3 s")
    return finish(ctx, conn, "hang" if out == "open" else out, detail)


def p_window_change(ctx):
    """INITIAL_WINDOW_SIZE 16384, GET the big file; once the stream window is used up, shrink the
    initial window to 0 (stream window -16384: nothing may come), then grow it to 65535 (49151 may
    come), then to 1 MiB with stream WINDOW_UPDATEs as the body is read: the body must complete and
    equal the file, and the server must never exceed the window."""
    conn = Raw(ctx.port, settings=[(S_ENABLE_PUSH, 0), (S_INITIAL_WINDOW_SIZE, 16384)])
    conn.read_until(lambda: conn.settings_frames > 0 and conn.settings_acks > 0, 2)
    conn.send(window_update(0, 64 << 20))
    st = {"initial": 16384, "win": 16384, "violations": 0, "max_over": 0}

    def on_data(sid, n):
        if sid == 1:
            st["win"] -= n
            if st["win"] < 0:
                st["violations"] += 1
                st["max_over"] = max(st["max_over"], -st["win"])
    conn.on_data = on_data
    conn.request(1, ctx.big)
    got = lambda: len(conn.data.get(1, b""))  # noqa: E731
    conn.read_until(lambda: got() >= 16384 or 1 in conn.rst or conn.gone(), 5)
    phase = ["window 16384: %d bytes" % got()]

    def change(new):
        st["win"] += new - st["initial"]
        st["initial"] = new
        conn.send(settings_frame([(S_INITIAL_WINDOW_SIZE, new)]))
    acks = conn.settings_acks
    change(0)
    conn.read_until(lambda: conn.settings_acks > acks, 2)
    before = got()
    conn.read_until(lambda: False, 0.5)
    phase.append("shrunk to 0 (window %d): %d bytes in 0.5 s" % (st["win"], got() - before))
    if got() != before:
        ctx.hard.append("DATA after SETTINGS_INITIAL_WINDOW_SIZE 0 left the stream window negative")
    before = got()
    change(65535)
    conn.read_until(lambda: got() - before >= 49151 or conn.gone() or 1 in conn.rst, 3)
    conn.read_until(lambda: False, 0.3)
    phase.append("grown to 65535: %d more bytes (49151 allowed)" % (got() - before))
    if got() - before != 49151:
        ctx.hard.append("after growing the initial window to 65535 the server sent %d bytes, not 49151"
                        % (got() - before))
    change(1 << 20)

    def on_data2(sid, n):
        on_data(sid, n)
        if sid == 1 and st["win"] < (1 << 19):  # refill as a client would
            inc = (1 << 20) - st["win"]
            st["win"] += inc
            conn.send(window_update(1, inc))
    conn.on_data = on_data2
    conn.read_until(lambda: 1 in conn.ended or 1 in conn.rst or conn.gone(), 10)
    body = bytes(conn.data.get(1, b""))
    want = ctx.big_bytes()
    phase.append("grown to 1 MiB + WINDOW_UPDATEs: %s, %d bytes in all" % ("complete" if 1 in conn.ended else "INCOMPLETE", len(body)))
    if st["violations"]:
        ctx.hard.append("the server exceeded the stream window %d times (by up to %d bytes)" % (st["violations"], st["max_over"]))
    server_errors(ctx, conn)
    conn.close()
    clen = dict(conn.resp_headers.get(1, [])).get(b"content-length")
    if 1 not in conn.ended:
        out = "incomplete:" + conn.stream_outcome(1)
    elif want is not None and body != want:
        out = "body-differs"
    elif want is None and clen is not None and int(clen) != len(body):
        out = "body-differs"
    else:
        out = "complete"
    return out, "; ".join(phase) + ("; body equals the file" if want is not None and body == want else "")


def inflight(ctx, css_priority):
    """GET the huge file (tens of MiB: more than the kernels' buffers hold) with open windows; once 128 KiB of it arrived (it is in flight), GET
    /style.css (with `css_priority`: RFC 7540 exclusive on the root, weight 256; else no priority
    at all, as today's browsers and curl send, which server-side reprioritization of CSS/JS is
    for). The CSS must complete before the big file; the big file's bytes that arrived in between
    are reported (what the kernels held plus what the scheduler let pass)."""
    conn = connect(ctx, settings=[(S_ENABLE_PUSH, 0), (S_INITIAL_WINDOW_SIZE, 2**31 - 1)], rcvbuf=65536)
    conn.send(window_update(0, 2**31 - 1 - 65535))
    conn.request(1, ctx.huge)
    got = lambda: len(conn.data.get(1, b""))  # noqa: E731
    conn.read_until(lambda: got() >= 131072 or 1 in conn.ended or 1 in conn.rst or conn.gone(), 5)
    at_request = got()
    block = conn.encode(req_fields("/style.css"))
    if css_priority:
        conn.send(frame(HEADERS, END_HEADERS | END_STREAM | PRIO, 3, struct.pack(">IB", 0x80000000, 255) + block))
    else:
        conn.send(frame(HEADERS, END_HEADERS | END_STREAM, 3, block))
    conn.read_until(lambda: 3 in conn.ended or 3 in conn.rst or 1 in conn.ended or conn.gone(), 10)
    between = got() - at_request
    css_done, big_done = 3 in conn.ended, 1 in conn.ended
    conn.read_until(lambda: 3 in conn.ended or conn.gone(), 5)
    detail = ("GET %s, %d bytes in flight, then GET /style.css %s: %s; %s of %s arrived in between%s"
              % (ctx.huge, at_request, "(exclusive, weight 256)" if css_priority else "(no priority)",
                 "CSS complete (%s) first" % conn.status.get(3) if css_done and not big_done else
                 "the big file completed first" if big_done else "CSS %s" % conn.stream_outcome(3),
                 "%.0f KiB" % (between / 1024), ctx.huge, "" if at_request >= 131072 else " (the big file was short)"))
    if at_request < 131072:
        ctx.hard.append("the big file did not deliver 128 KiB (%d bytes): too small for this probe" % at_request)
    if css_done and conn.status.get(3) != 200:
        ctx.hard.append("/style.css got %s" % conn.status.get(3))
    out = "css-first" if css_done and not big_done else "big-first" if big_done else "css-" + conn.stream_outcome(3)
    return finish(ctx, conn, out, detail)


def p_priority_inflight(ctx):
    return inflight(ctx, True)


def p_inflight_no_priority(ctx):
    return inflight(ctx, False)


def p_large_post(ctx):
    body = os.urandom(4 << 20)
    st, resp, _, secs = h2_request(ctx.port, "/post-test", "POST", body=body, timeout=15.0)
    if st != 200:
        out = "status:%r" % (st,)
    elif resp != body:
        out = "echo-differs"
    else:
        out = "echoed"
    return out, "POST 4 MiB to /post-test with h2's flow control: %r, %d bytes back, %s, %.2f s" % (
        st, len(resp), "equal" if resp == body else "DIFFERENT", secs)


def p_sanity(ctx):
    st, body, _, secs = h2_request(ctx.port, "/", timeout=5.0)
    return ("status:%r" % (st,)), "GET / by prior knowledge: %r, %d bytes, %.2f s" % (st, len(body), secs)


# --- expectations ---------------------------------------------------------------------------------
GOAWAY_CALM = {"goaway:ENHANCE_YOUR_CALM"}
GOAWAY_OR_CLOSE = {"goaway:ENHANCE_YOUR_CALM", "goaway:PROTOCOL_ERROR", "goaway:COMPRESSION_ERROR", "close"}

# name -> (function, {server: set of outcomes that pass (or a callable for validation)}, note)
PROBES = [
    ("sanity", p_sanity, {"ours": {"status:200"}, "h2o-2.2.5": {"status:200"}}, ""),
    ("rapid-reset", p_rapid_reset, {"ours": GOAWAY_CALM, "h2o-2.2.5": {"open"}},
     "2.2.5 predates CVE-2023-44487: serves and cancels every stream, memory stays bounded"),
    ("continuation-flood", p_continuation_flood, {"ours": GOAWAY_OR_CLOSE, "h2o-2.2.5": GOAWAY_OR_CLOSE}, ""),
    ("continuation-empty", p_continuation_empty, {"ours": GOAWAY_OR_CLOSE, "h2o-2.2.5": {"open"}},
     "2.2.5 accepts endless empty CONTINUATION frames (bounded: nothing is kept)"),
    ("settings-flood", p_settings_flood, {"ours": GOAWAY_OR_CLOSE, "h2o-2.2.5": {"open", "stalled"}},
     "2.2.5 (CVE-2019-9515, fixed in 2.2.6) queues an ACK per SETTINGS"),
    ("ping-flood", p_ping_flood, {"ours": GOAWAY_OR_CLOSE, "h2o-2.2.5": {"open", "stalled"}},
     "2.2.5 (CVE-2019-9512, fixed in 2.2.6) queues an ACK per PING"),
    ("priority-flood", p_priority_flood, {"ours": GOAWAY_OR_CLOSE, "h2o-2.2.5": {"goaway:ENHANCE_YOUR_CALM"}},
     "2.2.5 ends it too: GOAWAY ENHANCE_YOUR_CALM 'too many streams in idle/closed state'"),
    ("empty-data-flood", p_empty_data_flood, {"ours": GOAWAY_OR_CLOSE, "h2o-2.2.5": {"open"}},
     "2.2.5 accepts endless empty DATA (CVE-2019-9518)"),
    ("zero-window-hold", p_zero_window_hold, {"ours": {"held"}, "h2o-2.2.5": {"held"}}, ""),
    ("hpack-bomb", p_hpack_bomb,
     {"ours": {"rst:PROTOCOL_ERROR", "rst:REFUSED_STREAM", "rst:ENHANCE_YOUR_CALM", "rst:INTERNAL_ERROR",
               "status:431", "goaway:COMPRESSION_ERROR", "goaway:ENHANCE_YOUR_CALM", "goaway:PROTOCOL_ERROR", "close"},
      "h2o-2.2.5": {"status:200"}},
     "2.2.5 has no header list limit: it answers 200 (references share the table entry, memory bounded)"),
    ("max-concurrent-streams", p_max_concurrent,
     {"ours": {"excess-rst:REFUSED_STREAM", "excess-rst:PROTOCOL_ERROR", "excess-rst:PROTOCOL_ERROR+REFUSED_STREAM"},
      "h2o-2.2.5": {"excess-rst:REFUSED_STREAM"}}, ""),
    ("stream-id-exhaustion", p_stream_id_exhaustion, {"ours": {"goaway:PROTOCOL_ERROR"}, "h2o-2.2.5": {"goaway:STREAM_CLOSED"}},
     "RFC 9113 5.1.1: an unexpected (lower, implicitly closed) stream id is a PROTOCOL_ERROR; 2.2.5 says STREAM_CLOSED"),
    ("rfc9113-validation", p_validation, {"ours": None, "h2o-2.2.5": None}, ""),
    ("fake-preface", p_fake_preface, {"ours": {"goaway:PROTOCOL_ERROR", "close"}, "h2o-2.2.5": {"goaway:PROTOCOL_ERROR", "close"}}, ""),
    ("window-size-change", p_window_change, {"ours": {"complete"}, "h2o-2.2.5": {"complete"}}, ""),
    ("priority-inflight", p_priority_inflight, {"ours": {"css-first"}, "h2o-2.2.5": {"css-first"}}, ""),
    ("inflight-no-priority", p_inflight_no_priority, {"ours": {"css-first"}, "h2o-2.2.5": {"css-first"}},
     "for clients without RFC 7540 priorities (reprioritize_blocking_assets: CSS/JS first)"),
    ("large-post", p_large_post, {"ours": {"echoed"}, "h2o-2.2.5": {"echoed"}}, ""),
]

# rfc9113-validation: per case, the outcome of the malformed request that passes, and whether the
# GET / after it must get 200 (the connection still usable)
# (RFC 9113 8.1.1: a malformed request is a stream error; a response before the reset is allowed).
# 2.2.5 accepts an empty :path, and treats the other malformed heads as connection errors (GOAWAY
# PROTOCOL_ERROR: every other stream on the connection is lost); its Content-Length check is right.
VALIDATION_EXPECT = {
    "ours": {name: {"rst:PROTOCOL_ERROR", "status:400+rst:PROTOCOL_ERROR"} for name, _, _ in VALIDATION},
    "h2o-2.2.5": {"empty-path": {"status:200"}, "connection-header": {"goaway:PROTOCOL_ERROR"},
                  "uppercase-name": {"goaway:PROTOCOL_ERROR"}, "te-gzip": {"goaway:PROTOCOL_ERROR"},
                  "pseudo-after-regular": {"goaway:PROTOCOL_ERROR"}, "content-length-mismatch": {"rst:PROTOCOL_ERROR"}},
}


def run_one(name, fn, args, q):
    ctx = Ctx(args)
    try:
        out, detail = fn(ctx)
        q.put((out, detail, ctx.hard))
    except Exception:  # noqa: BLE001 - a probe that crashes is a FAIL with its traceback
        q.put(("crash", traceback.format_exc().strip().splitlines()[-1], ctx.hard))


def judge(name, expect, out, hard):
    """-> (pass?, outcome text)"""
    if name == "rfc9113-validation":
        want = VALIDATION_EXPECT[expect]
        ok = True
        texts = []
        if not isinstance(out, list):
            return False, str(out)
        seen = {o[0] for o in out}
        for case, bad, then in out:
            allowed = want[case]
            good = bad in allowed
            # the connection must still serve a GET / unless the expected outcome is its end
            usable = then == "status:200" or (bad.startswith("goaway:") and bad in allowed)
            ok &= good and usable
            texts.append("%s=%s%s" % (case, bad, "" if usable else "(then %s)" % then))
        missing = [c for c, _, _ in VALIDATION if c not in seen]
        if missing:
            ok = False
            texts.append("not run: " + ",".join(missing))
        return ok and not hard, " ".join(texts)
    allowed = [p for p in PROBES if p[0] == name][0][2][expect]
    return (out in allowed) and not hard, out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--expect", choices=["ours", "h2o-2.2.5"], default="ours")
    ap.add_argument("--pid", type=int, help="the server's pid: its RSS is measured")
    ap.add_argument("--big-path", default="/big.bin", help="a large file on the server (a few MiB)")
    ap.add_argument("--huge-path", default="/huge.bin",
                    help="a file of tens of MiB on the server, for the in-flight priority probes")
    ap.add_argument("--docroot", help="the server's document root: bodies are compared with its files")
    ap.add_argument("--only", help="comma-separated probe names")
    ap.add_argument("--flood", type=int, default=100000, help="frames per flood (default 100000)")
    ap.add_argument("--probe-timeout", type=float, default=20.0)
    ap.add_argument("--rss-bound-mib", type=float, default=64.0)
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    if args.list:
        for name, _, exp, note in PROBES:
            print("%-24s %s" % (name, note))
        return 0
    only = set(args.only.split(",")) if args.only else None
    if only:
        unknown = only - {p[0] for p in PROBES}
        if unknown:
            ap.error("unknown probe(s): %s" % ",".join(sorted(unknown)))
    mp = multiprocessing.get_context("fork")
    rows = []
    failed = 0
    t_start = time.monotonic()
    for name, fn, exp, note in PROBES:
        if only and name not in only:
            continue
        rss0 = None
        if args.pid:
            rss0 = proc_status(args.pid, "VmRSS")
            if rss0 is None:
                print("FAIL %-24s the server (pid %d) is gone" % (name, args.pid))
                rows.append((name, "server gone", False, ""))
                failed += 1
                break
            reset_peak(args.pid)
        t0 = time.monotonic()
        q = mp.Queue()
        p = mp.Process(target=run_one, args=(name, fn, args, q))
        p.start()
        p.join(args.probe_timeout)
        if p.is_alive():
            p.kill()
            p.join()
            out, detail, hard = "timeout", "no result within %.0f s (hard timeout)" % args.probe_timeout, []
        else:
            try:
                out, detail, hard = q.get(timeout=1)
            except Exception:  # noqa: BLE001
                out, detail, hard = "crash", "the probe process died (exit %s)" % p.exitcode, []
        secs = time.monotonic() - t0
        mem = ""
        if args.pid:
            peak = proc_status(args.pid, "VmHWM")
            rss1 = proc_status(args.pid, "VmRSS")
            if peak is None:
                hard = hard + ["the server (pid %d) died" % args.pid]
                mem = "server died"
            else:
                grow = (peak - rss0) / (1 << 20)
                mem = "rss %.1f MiB, peak +%.1f MiB, after %+.1f MiB" % (rss0 / (1 << 20), grow, (rss1 - rss0) / (1 << 20))
                if grow > args.rss_bound_mib:
                    hard = hard + ["the server's peak RSS grew by %.1f MiB (bound %.0f)" % (grow, args.rss_bound_mib)]
        ok, text = judge(name, args.expect, out, hard)
        if not ok:
            failed += 1
        print("%s %-24s %s (%.1f s)" % ("PASS" if ok else "FAIL", name, text, secs))
        print("     %s" % detail)
        if mem:
            print("     memory: %s" % mem)
        for h in hard:
            print("     FAIL: %s" % h)
        if not ok and name != "rfc9113-validation" and exp[args.expect] is not None:
            print("     expected (%s): %s" % (args.expect, " | ".join(sorted(exp[args.expect])) or "(see EXPECT)"))
        sys.stdout.flush()
        rows.append((name, text, ok, mem))
    print()
    print("summary (--expect %s, port %d, %.1f s):" % (args.expect, args.port, time.monotonic() - t_start))
    for name, text, ok, mem in rows:
        print("  %-24s %-4s %s" % (name, "ok" if ok else "FAIL", text))
    print("%d passed, %d failed" % (len(rows) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
