#!/usr/bin/env bash
# h2c_serve (a 2.2.5-style embedder) driven over HTTP/2 cleartext by curl and nghttp on 127.0.0.1:
# prior knowledge and Upgrade: h2c (with and without a request body), several streams on one
# connection (their ids and priorities in the access log's %{http2.*}x, %H "HTTP/2"), a streamed and a
# 1 MiB proceed-driven response, a client that goes away mid-response (the server goes on), the
# debug state (/.well-known/h2/state: JSON over HTTP/2, not answered over HTTP/1), a graceful
# shutdown requested from inside a handler while another connection's response is in flight (that
# response completes; HTTP/1.1 still answers /quit), then the server's clean exit.
# Skips (77) without curl with HTTP/2, nghttp or python3. Bounded: the server exits after 30 s,
# every client has --max-time / timeout.
# Usage: h2c_curl.sh SERVE_BINARY WORKDIR [debian]
#   debian: the server runs on Debian's 2.2.5 (proves the checks); its documented differences are
#   then skipped with a note
set -uo pipefail
serve=$1
work=$2
on=${3:-ours}
command -v curl >/dev/null 2>&1 || { echo "SKIPPED: curl not found"; exit 77; }
grep -qi nghttp2 <<<"$(curl --version)" || { echo "SKIPPED: this curl has no HTTP/2"; exit 77; }
command -v nghttp >/dev/null 2>&1 || { echo "SKIPPED: nghttp not found (apt-get install nghttp2-client)"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "SKIPPED: python3 not found"; exit 77; }
rm -rf "$work"
mkdir -p "$work/logs"
portfile=$work/port
# H2C_WRAPPER (environment): a command to run the server under (valgrind with its options)
${H2C_WRAPPER:-} "$serve" "$portfile" 30 "$work/logs" 2>"$work/stderr" &
pid=$!
trap 'kill -KILL $pid 2>/dev/null' EXIT
for _ in $(seq 1 100); do [ -s "$portfile" ] && break; sleep 0.05; done
[ -s "$portfile" ] || { echo "FAIL: server did not start"; cat "$work/stderr"; exit 1; }
base=http://127.0.0.1:$(cat "$portfile")
# shellcheck source=server_checks.sh
. "$(dirname "${BASH_SOURCE[0]}")/server_checks.sh"
c() { curl --silent --show-error --max-time 10 "$@"; }
pk() { c --http2-prior-knowledge "$@"; }
md5() { md5sum | cut -d' ' -f1; }
log() { cat "$work/logs/h2.log" 2>/dev/null; }
# waits (at most 2 s) for the access log to have $1 lines
log_lines() {
    for _ in $(seq 1 40); do [ "$(log | wc -l)" -ge "$1" ] && return; sleep 0.05; done
}

# --- prior knowledge -------------------------------------------------------------------------------
expect "prior knowledge: GET /hello" "$(pk -w ' %{http_code} %{http_version}' "$base/hello")" "hello
 200 2"
log_lines 1
expect "  ... logged as stream 1, HTTP/2, default priority (received 0:0:16, actual 0:16)" "$(log | tail -1)" \
    "1 HTTP/2 200 6 GET /hello 0:0:16 0:16"
# (curl 7.88 cannot reuse an h2c connection for a second URL, on 2.2.5 as on ours: nghttp does it)
timeout 20 nghttp -n --no-dep "$base/hello" "$base/none"
expect "nghttp: two requests on one connection" "$?" "0"
log_lines 3
expect "  ... logged as streams 1 (200) and 3 (404)" "$(log | tail -2 | sort | cut -d' ' -f1-3 | tr '\n' ' ')" "1 HTTP/2 200 3 HTTP/2 404 "
timeout 20 nghttp -n "$base/hello" >/dev/null
log_lines 4
# nghttp opens idle streams 3..11 with PRIORITY frames (its dependency tree) and hangs the request
# on 13 under 11
expect "nghttp's dependency tree: stream 13 logged with its received and actual priority" "$(log | tail -1)" \
    "13 HTTP/2 200 6 GET /hello 0:11:16 11:16"
expect "prior knowledge: 404" "$(pk -o /dev/null -w '%{http_code}' "$base/none")" "404"
head -c 100000 /dev/urandom >"$work/body"
expect "prior knowledge: POST 100 kB echoed" "$(pk --data-binary @"$work/body" "$base/echo" | md5)" "$(md5 <"$work/body")"

head -c 1100000 /dev/zero >"$work/toobig"
out=$(timeout 20 nghttp -v -d "$work/toobig" "$base/echo" 2>&1)
if [ "$on" = debian ]; then
    # 2.2.5 resets the stream (REFUSED_STREAM) without an answer
    expect "POST over max_request_entity_size (1 MiB): RST_STREAM REFUSED_STREAM (2.2.5)" \
        "$(printf '%s\n' "$out" | grep -A1 "recv RST_STREAM" | grep -c "error_code=REFUSED_STREAM")" "1"
else
    expect "POST over max_request_entity_size (1 MiB): 413 (nghttp; curl, still sending, drops it)" \
        "$(printf '%s\n' "$out" | grep -oE 'recv \(stream_id=[0-9]+\) :status: [0-9]+' | awk '{ print $NF }')" "413"
fi
expect "  ... and the server goes on" "$(pk "$base/hello")" "hello"

# --- h2o_http2_accept on a listener of its own ---------------------------------------------------------
for _ in $(seq 1 40); do [ -s "$work/logs/port2" ] && break; sleep 0.05; done
direct=http://127.0.0.1:$(cat "$work/logs/port2")
expect "h2o_http2_accept: GET /hello with prior knowledge" "$(pk -w ' %{http_version}' "$direct/hello")" "hello
 2"
expect "h2o_http2_accept: POST echoed" "$(pk --data-binary @"$work/body" "$direct/echo" | md5)" "$(md5 <"$work/body")"
expect "h2o_http2_accept: an HTTP/1.1 request gets no HTTP/1 answer" \
    "$(c --http1.1 -o /dev/null -w '%{http_code}' "$direct/hello" 2>/dev/null)" "000"

# --- Upgrade: h2c ------------------------------------------------------------------------------------
got=$(c --http2 -v -w ' %{http_code} %{http_version}' "$base/hello" 2>"$work/upgrade.log")
expect "Upgrade: h2c: GET /hello answered over HTTP/2" "$got" "hello
 200 2"
expect "  ... after 101 Switching Protocols" "$(grep -c '< HTTP/1.1 101' "$work/upgrade.log")" "1"
log_lines 10
expect "  ... the upgraded request logged as stream 1, HTTP/2" "$(log | tail -1)" "1 HTTP/2 200 6 GET /hello 0:0:16 0:16"
expect "Upgrade: h2c with a request body: echoed over HTTP/2" \
    "$(c --http2 --data-binary 'upgrade body' -w ' %{http_version}' "$base/echo")" "upgrade body 2"
expect "Upgrade: h2c without HTTP2-Settings: served over HTTP/1.1" \
    "$(c --http1.1 -H 'Connection: Upgrade' -H 'Upgrade: h2c' -w ' %{http_code} %{http_version}' "$base/hello")" "hello
 200 1.1"

# --- streamed and large responses ------------------------------------------------------------------
got=$(pk -w ' %{time_total}' "$base/stream")
expect "prior knowledge: /stream, four pieces" "${got% *}" "part0;part1;part2;part3;"
expect "  ... spread over >= 300 ms" "$(awk -v t="${got##* }" 'BEGIN { print (t >= 0.29) ? "yes" : "no, " t " s" }')" "yes"
want=$(python3 -c 'import sys, hashlib; print(hashlib.md5(bytes(i % 251 for i in range(1 << 20))).hexdigest())')
expect "prior knowledge: /big, 1 MiB from proceed, byte for byte" "$(pk "$base/big" | md5)" "$want"
if [ "$on" = debian ]; then
    # 2.2.5 writes HTTP/2 frames (64 KiB of DATA) right behind its 101; when they arrive before
    # curl 7.88 has switched, it fails ("connection buffer size is too small": it keeps 32 KiB
    # after an Upgrade response). Ours writes nothing after the 101 until the client's preface.
    echo "skip Upgrade: h2c: /big byte for byte (2.2.5: HTTP/2 frames glued to its 101 can overflow curl)"
else
    expect "Upgrade: h2c: /big byte for byte" "$(c --http2 "$base/big" | md5)" "$want"
fi
out=$(timeout 20 nghttp -nv "$base/big" "$base/hello" "$base/stream" 2>&1)
expect "nghttp: three streams on one connection, all 200" "$(printf '%s\n' "$out" | grep -c 'recv (stream_id=[0-9]*) :status: 200')" "3"
expect "nghttp: no RST_STREAM or GOAWAY from the server" "$(printf '%s\n' "$out" | grep -cE 'recv (RST_STREAM|GOAWAY)')" "0"
data=$(printf '%s\n' "$out" | awk '/recv DATA frame/ { sub(/.*length=/, ""); sub(/,.*/, ""); n += $0 } END { print n }')
expect "nghttp: DATA adds up (1 MiB + 6 + 24)" "$data" "$((1048576 + 6 + 24))"

# --- a client that goes away mid-response ------------------------------------------------------------
pk --max-time 0.15 "$base/stream" >/dev/null 2>&1
sleep 0.4
expect "after a client left mid-response, the server answers" "$(pk "$base/hello")" "hello"

# --- debug state -------------------------------------------------------------------------------------
h=$(pk -D - -o "$work/state.json" "$base/.well-known/h2/state")
expect_match "/.well-known/h2/state over HTTP/2: 200, JSON" "$(printf '%s' "$h" | tr -d '\r' | tr '\n' ' ')" \
    '^HTTP/2 200 .*content-type: application/json'
expect "  ... parses, with version, settings, connFlowIn and streams" \
    "$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(all(k in d for k in ("version", "settings", "connFlowIn", "streams")))' "$work/state.json" 2>&1)" "True"
expect "/.well-known/h2/state over HTTP/1.1: not answered (404)" \
    "$(c --http1.1 -o /dev/null -w '%{http_code}' "$base/.well-known/h2/state")" "404"

# --- h2o_http2_get_debug_state from a handler (2.2.5's http2_internal.h) ----------------------------
# while /stream (400 ms) is in flight on the same connection (nghttp sends both at once), the
# handler's state lists the other stream too; the x-conn-flow-* headers are the struct's windows
# (the JSON is one iovec here, five on 2.2.5: both are a vector of pieces to send in order)
out=$(timeout 20 nghttp -v "$base/stream" "$base/debug-state-api" 2>&1)
printf '%s\n' "$out" | python3 -c '
import json, re, sys
t = sys.stdin.read()
j = json.JSONDecoder().raw_decode(t[t.index("{\n  \"version\""):])[0]
hdr = dict(re.findall(r"recv \(stream_id=\d+\) (x-conn-flow-in|x-conn-flow-out|x-json-iovecs): (-?\d+)", t))
ids = sorted(int(k) for k in j["streams"])
print("streams", " ".join(map(str, ids)), "flow", hdr.get("x-conn-flow-in") == str(j["connFlowIn"]) and hdr.get("x-conn-flow-out") == str(j["connFlowOut"]),
      "iovecs", int(hdr.get("x-json-iovecs", 0)) >= 1, "hpack", "hpack" in j)
' >"$work/state-api" 2>&1
expect "h2o_http2_get_debug_state on stream 15 while /stream (13) is open: both listed, windows as the JSON's, no hpack" \
    "$(cat "$work/state-api")" "streams 13 15 flow True iovecs True hpack False"
out=$(pk "$base/debug-state-api?hpack")
expect "  ... hpack_enabled 1: the HPACK tables are in" \
    "$(printf '%s' "$out" | python3 -c 'import json, sys; d = json.load(sys.stdin); print(sorted(d["hpack"]))' 2>&1)" \
    "['inboundDynamicHeaderTable', 'inboundTableSize', 'outboundDynamicHeaderTable', 'outboundTableSize']"
if [ "$on" = debian ]; then
    echo "skip h2o_http2_get_debug_state on an HTTP/1 request (2.2.5 reads the HTTP/1 connection as HTTP/2)"
else
    expect "h2o_http2_get_debug_state on an HTTP/1.1 request: NULL" "$(c --http1.1 "$base/debug-state-api?h1")" "NULL"
    expect "  ... reported on stderr" "$(grep -c 'h2o_http2_get_debug_state.*not a request of an HTTP/2 connection' "$work/stderr")" "1"
fi

# --- graceful shutdown from a handler while a response is in flight ----------------------------------
pk -w ' %{http_code}' "$base/stream" >"$work/inflight" 2>&1 &
inflight=$!
sleep 0.12
expect "GET /shutdown (h2o_context_request_shutdown from the handler)" "$(pk "$base/shutdown")" "shutting down"
wait $inflight
expect "  ... the response in flight on another connection completes" "$(cat "$work/inflight")" "part0;part1;part2;part3; 200"
expect "  ... HTTP/1.1 still answers /quit" "$(c --http1.1 "$base/quit")" "bye"

finish_after_quit
