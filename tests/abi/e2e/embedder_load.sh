#!/usr/bin/env bash
# The c-examples embedder under short, bounded load from real clients: h2load --h1 (16 connections,
# 8 pipelined requests each, the site's assets in turn, then POSTs) and wrk (2 s, 16 connections).
# Every response must be a well-framed 2xx (h2load and wrk check the framing; a miscount would show
# as errors or a hang), the access log must hold exactly one line per request, and the server must
# still answer and stop gracefully afterwards.
#
# E2E_PROTO=h2c: h2load over h2c by prior knowledge (8 concurrent streams per connection instead of
# 8 pipelined requests; "Application protocol: h2c" checked), and h2load -D 1 instead of wrk (which
# speaks HTTP/1 only).
#
#   embedder_load.sh EMBEDDER WORKDIR EXPECT SITE_DIR      (EXPECT: debian | our library's directory)
# Skips (exit 77) without h2load or wrk. Bounded: each client run has a request count or duration
# and a 60 s timeout.
bin=$1 work=$2 expect_lib=$3 site=$4
# shellcheck source=embedder_lib.sh
. "$(dirname "$0")/embedder_lib.sh"
command -v h2load >/dev/null 2>&1 || { echo "SKIPPED: h2load not found (apt-get install nghttp2-client)"; exit 77; }
h2c || command -v wrk >/dev/null 2>&1 || { echo "SKIPPED: wrk not found (apt-get install wrk)"; exit 77; }
if h2c; then h2load_proto=(); else h2load_proto=(--h1); fi

e2e_start "$bin" "$expect_lib" 0 "$site"
log_lines() { grep -c '" [0-9][0-9][0-9] ' "$work/stdout"; }
before=$(log_lines)

# h2load: GETs of every asset, pipelined
n=16000
out=$(timeout 60 h2load "${h2load_proto[@]}" -n "$n" -c 16 -m 8 -t 1 "$base/" "$base/style.css" "$base/app.js" \
    "$base/img/logo.svg" "$base/img/tiles.png" 2>&1)
h2c && expect_match "h2load GET: over h2c" "$out" 'Application protocol: h2c'
expect_match "h2load GET: $n requests, all succeeded" "$(printf '%s\n' "$out" | grep '^requests:')" \
    "^requests: $n total, $n started, $n done, $n succeeded, 0 failed, 0 errored, 0 timeout"
expect_match "h2load GET: all 2xx" "$(printf '%s\n' "$out" | grep '^status codes:')" "^status codes: $n 2xx, 0 3xx, 0 4xx, 0 5xx"

# h2load: POSTs with a body, echoed back
head -c 3000 /dev/urandom >"$work/body"
m=4000
out=$(timeout 60 h2load "${h2load_proto[@]}" -n "$m" -c 16 -m 4 -t 1 -d "$work/body" "$base/post-test" 2>&1)
expect_match "h2load POST: $m requests, all succeeded" "$(printf '%s\n' "$out" | grep '^requests:')" \
    "^requests: $m total, $m started, $m done, $m succeeded, 0 failed, 0 errored, 0 timeout"
expect_match "h2load POST: all 2xx" "$(printf '%s\n' "$out" | grep '^status codes:')" "^status codes: $m 2xx, 0 3xx, 0 4xx, 0 5xx"
expect_match "h2load POST: every body echoed (3000 bytes each)" "$(printf '%s\n' "$out" | grep '^traffic:')" \
    "[(]$((m * 3000))[)] data"

if h2c; then
    # h2load -D 1: 1 second of GETs on 16 connections; "done_wrk" is what it completed
    out=$(timeout 60 h2load -D 1 -c 16 -m 10 -t 1 "$base/index.html" 2>&1)
    done_wrk=$(printf '%s\n' "$out" | sed -n 's/^requests: [0-9]* total, [0-9]* started, \([0-9]*\) done.*/\1/p')
    expect_match "h2load -D 1: requests done" "${done_wrk:-0}" '^[1-9][0-9]*$'
    expect_match "h2load -D 1: all succeeded, all 2xx" "$(printf '%s\n' "$out" | grep -E '^(requests|status codes):' | tr '\n' ' ')" \
        "^requests: [0-9]+ total, [0-9]+ started, ${done_wrk:-x} done, ${done_wrk:-x} succeeded, 0 failed, 0 errored, 0 timeout status codes: ${done_wrk:-x} 2xx, 0 3xx, 0 4xx, 0 5xx"
else
    # wrk: 2 seconds of keep-alive GETs
    out=$(timeout 60 wrk -t1 -c16 -d2s "$base/index.html" 2>&1)
    done_wrk=$(printf '%s\n' "$out" | sed -n 's/^ *\([0-9][0-9]*\) requests in .*/\1/p')
    expect_match "wrk: requests done" "${done_wrk:-0}" '^[1-9][0-9]*$'
    expect "wrk: no socket errors and no non-2xx" "$(printf '%s\n' "$out" | grep -cE 'Socket errors|Non-2xx')" "0"
fi

# the server still answers; the access log has one line per request (wrk's in-flight requests at its
# deadline are answered too, so those count at least)
expect "GET / after the load" "$(c -o /dev/null -w '%{http_code}' "$base/")" "200"
sleep 0.2
logged=$(( $(log_lines) - before ))
# (in flight at the deadline: one per connection for wrk, up to 10 per connection for h2load -m 10)
if h2c; then slack=160; else slack=16; fi
expect_match "access log: one line per request (at least $((n + m + ${done_wrk:-0} + 1)), at most $slack more)" \
    "$(( logged >= n + m + ${done_wrk:-0} + 1 && logged <= n + m + ${done_wrk:-0} + 1 + slack )) ($logged logged)" '^1 '
e2e_stop 0
e2e_finish
