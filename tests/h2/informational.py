#!/usr/bin/env python3
"""GET a path over h2c (prior knowledge) with Python's h2 and print, one a line, what the stream
received in order: "103 link=<value>" for each informational response, "push <path>" for each
PUSH_PROMISE, "200 bytes=<n>" for the final response with its body length, "end" at END_STREAM.
Used by tests/h2/push.sh.

    informational.py PORT PATH [--no-push]

Exits 0 when the stream ended, 1 otherwise (connection closed, reset, 10 s passed)."""
import socket
import sys
import time

import h2.config
import h2.connection
import h2.events
import h2.settings


def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    no_push = "--no-push" in sys.argv[3:]
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    conn.initiate_connection()
    if no_push:
        conn.update_settings({h2.settings.SettingCodes.ENABLE_PUSH: 0})
    sid = conn.get_next_available_stream_id()
    conn.send_headers(sid, [(":method", "GET"), (":scheme", "http"), (":authority", f"127.0.0.1:{port}"), (":path", path)],
                      end_stream=True)
    sock.sendall(conn.data_to_send())
    body, status, deadline = 0, None, time.monotonic() + 10
    while time.monotonic() < deadline:
        data = sock.recv(65536)
        if not data:
            print("closed")
            return 1
        for ev in conn.receive_data(data):
            if isinstance(ev, h2.events.InformationalResponseReceived) and ev.stream_id == sid:
                h = dict(ev.headers)
                print(f"{h[':status']} link={h.get('link', '')}")
            elif isinstance(ev, h2.events.PushedStreamReceived):
                print(f"push {dict(ev.headers)[':path']}")
            elif isinstance(ev, h2.events.ResponseReceived) and ev.stream_id == sid:
                status = dict(ev.headers)[":status"]
            elif isinstance(ev, h2.events.DataReceived):
                conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                if ev.stream_id == sid:
                    body += len(ev.data)
            elif isinstance(ev, h2.events.StreamEnded) and ev.stream_id == sid:
                print(f"{status} bytes={body}")
                print("end")
                sock.sendall(conn.data_to_send())
                return 0
            elif isinstance(ev, h2.events.StreamReset) and ev.stream_id == sid:
                print("reset")
                return 1
        sock.sendall(conn.data_to_send())
    print("timeout")
    return 1


if __name__ == "__main__":
    sys.exit(main())
