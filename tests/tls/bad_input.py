#!/usr/bin/env python3
"""Bad input on a TLS port: each case must end with the server closing the connection (bounded wait),
and the server must keep serving (checked by the caller between cases).

  bad_input.py PORT CASE     CASE: garbage | cleartext | truncated | stalled | vanish
Prints one line; exit 0 when the server behaved, 1 otherwise.
"""
import socket, ssl, sys, time

port, case = int(sys.argv[1]), sys.argv[2]


def client_objs():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    return ctx.wrap_bio(inc, out, server_hostname="localhost"), inc, out


def client_hello():
    o, _, out = client_objs()
    try:
        o.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def closed_within(s, seconds):
    """True when the server closes (EOF or reset) within `seconds`; bytes it sends first are read."""
    s.settimeout(0.5)
    end = time.time() + seconds
    while time.time() < end:
        try:
            b = s.recv(65536)
            if not b:
                return True
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return True
    return False


s = socket.create_connection(("127.0.0.1", port), timeout=5)
if case == "garbage":
    s.sendall(b"\x00\x01garbage that is not TLS\r\n" * 8)
    ok = closed_within(s, 5)
elif case == "cleartext":
    s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    ok = closed_within(s, 5)
elif case == "truncated":
    # half a ClientHello, then the client goes away: the server must simply drop it
    hello = client_hello()
    s.sendall(hello[: len(hello) // 2])
    s.close()
    ok = True
elif case == "stalled":
    # half a ClientHello and then silence: the handshake timeout (10 s) closes it
    hello = client_hello()
    s.sendall(hello[: len(hello) // 2])
    t0 = time.time()
    ok = closed_within(s, 20)
    print("closed after %.1f s" % (time.time() - t0))
elif case == "vanish":
    # a full handshake, then half of an application record, then the client vanishes
    o, inc, out = client_objs()
    s.settimeout(5)
    while True:
        try:
            o.do_handshake()
            break
        except ssl.SSLWantReadError:
            data = out.read()
            if data:
                s.sendall(data)
            inc.write(s.recv(65536))
    data = out.read()
    if data:
        s.sendall(data)
    o.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    rec = out.read()
    s.sendall(rec[: len(rec) // 2])
    s.close()
    ok = True
else:
    sys.exit("unknown case " + case)
print(("ok" if ok else "FAIL") + " " + case)
sys.exit(0 if ok else 1)
