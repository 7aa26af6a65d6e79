#!/usr/bin/env bash
# tests/abi/programs/stream_backpressure.c end to end: a streaming generator under backpressure.
# curl: pieces in order, chunked framing, HTTP/1.0; raw socket (embedder_client.py backpressure):
# a stalled reader stalls the generator, reading resumes it, a reset calls stop.
# E2E_PROTO=h2c: over HTTP/2 (no length header: END_STREAM ends the body; Upgrade: h2c for the
# HTTP/1.0 run; the stall by the stream's flow-control window, a reset by RST_STREAM and by TCP).
#   embedder_stream.sh BINARY WORKDIR EXPECT
bin=$1 work=$2 expect_lib=$3
# shellcheck source=embedder_lib.sh
. "$(dirname "$0")/embedder_lib.sh"

e2e_start "$bin" "$expect_lib"
want=$(for i in 0 1 2 3 4 5 6 7; do printf 'piece %08d;' "$i"; done)
h=$(c -D - -o "$work/body" "$base/stream?pieces=8&size=1000")
if h2c; then
    expect "8 pieces of 1000 bytes: no content-length, no transfer-encoding" \
        "$(header "$h" content-length)$(header "$h" transfer-encoding)" ""
else
    expect "8 pieces of 1000 bytes: transfer-encoding chunked" "$(header "$h" transfer-encoding)" "chunked"
fi
expect "8 pieces of 1000 bytes: size" "$(stat -c %s "$work/body")" "8000"
expect "8 pieces of 1000 bytes: in order" "$(grep -oE 'piece [0-9]{8}' "$work/body" | tr '\n' ';')" "$(printf '%s' "$want" | sed 's/;/\n/g' | grep . | tr '\n' ';')"
if h2c; then
    expect "by Upgrade: h2c: same bytes" "$(cu "$base/stream?pieces=8&size=1000" | md5)" "$(md5 <"$work/body")"
else
    expect "HTTP/1.0: close-delimited, same bytes" "$(c --http1.0 "$base/stream?pieces=8&size=1000" | md5)" "$(md5 <"$work/body")"
fi
expect "16 MiB in 4 KiB pieces" "$(c "$base/stream?pieces=4096&size=4096" | wc -c)" "16777216"
expect "bad parameters: 400" "$(c -o /dev/null -w '%{http_code}' "$base/stream?pieces=0")" "400"
e2e_client backpressure "$port"
if h2c; then stops=2; else stops=1; fi # (h2c: a RST_STREAM and a TCP reset)
expect_match "stats after all that" "$(c "$base/stats")" "^sends=[0-9]+ proceeds=[0-9]+ stops=$stops violations=0 active=0\$"
e2e_stop 0
e2e_finish
