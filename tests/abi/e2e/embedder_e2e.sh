#!/usr/bin/env bash
# The c-examples embedder (c-examples/embedder.c) end to end, with curl and a raw-socket client:
# the demo site through h2o_file_register (GET with Content-Type for each asset, HEAD, 404,
# directory redirect, ETag / Last-Modified -> 304, Range), the POST echo (small, 256 KiB, chunked
# upload, Expect: 100-continue, 405 for GET), /chunked streaming (eight pieces, spread in time),
# /headers, keep-alive, pipelining, the access log on stdout, and a graceful shutdown on SIGTERM
# that lets an in-flight response finish.
#
# E2E_PROTO=h2c: the same over HTTP/2 by prior knowledge, with the HTTP/2 counterparts of what is
# HTTP/1-only: an upload without a length (DATA until END_STREAM) for the chunked one, Expect:
# 100-continue answered without an interim response (2.2.5 and ours: curl sends after its timeout),
# /chunked in one DATA frame per piece with END_STREAM on the last (nghttp -nv) and by Upgrade: h2c
# for the HTTP/1.0 run, keep-alive by Upgrade: h2c (curl 7.88 fails to reuse a prior-knowledge
# connection, on any server), several streams in one write for the pipelining; and
# /.well-known/h2/state (h2o_http2_debug_state_register): JSON listing the requesting stream.
#
#   embedder_e2e.sh EMBEDDER WORKDIR EXPECT SITE_DIR      (EXPECT: debian | our library's directory)
bin=$1 work=$2 expect_lib=$3 site=$4
# shellcheck source=embedder_lib.sh
. "$(dirname "$0")/embedder_lib.sh"

e2e_start "$bin" "$expect_lib" 0 "$site"

# --- the site --------------------------------------------------------------------------------------
hdrs=$(c -D - -o "$work/index" "$base/")
expect "GET /: status" "$(status_line "$hdrs")" "$(want_status 200 OK)"
expect "GET /: index.html" "$(md5 <"$work/index")" "$(md5 <"$site/index.html")"
expect "GET /: Content-Type" "$(header "$hdrs" content-type)" "text/html"
expect "GET /: Content-Length" "$(header "$hdrs" content-length)" "$(stat -c %s "$site/index.html")"
expect_match "GET /: Date" "$(header "$hdrs" date)" '^[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT$'
for asset in style.css:text/css app.js:application/javascript img/logo.svg:image/svg+xml \
             img/stack.svg:image/svg+xml img/tiles.png:image/png; do
    path=${asset%%:*} type=${asset#*:}
    h=$(c -D - -o "$work/asset" "$base/$path")
    expect "GET /$path: 200, $type, the file's bytes" \
        "$(header "$h" content-type) $(md5 <"$work/asset")" "$type $(md5 <"$site/$path")"
done
h=$(c -I "$base/")
expect "HEAD /: 200 with the length of GET" "$(status_line "$h") $(header "$h" content-length)" \
    "$(want_status 200 OK) $(stat -c %s "$site/index.html")"
expect "HEAD /: no body" "$(c -I -o /dev/null -w '%{size_download}' "$base/")" "0"
expect "GET /nope.html: 404" "$(c -o /dev/null -w '%{http_code}' "$base/nope.html")" "404"
expect "GET /../../etc/passwd: not outside the root" "$(c --path-as-is -o /dev/null -w '%{http_code}' "$base/../../etc/passwd")" "404"
h=$(c -D - -o /dev/null "$base/img")
expect "GET /img (a directory): 301 to /img/" "$(status_line "$h") $(header "$h" location)" \
    "$(want_status 301 'Moved Permanently') /img/"
expect "GET /img/ (no index, no listing): 404" "$(c -o /dev/null -w '%{http_code}' "$base/img/")" "404"

h=$(c -D - -o /dev/null "$base/style.css")
etag=$(header "$h" etag) lastmod=$(header "$h" last-modified)
expect_match "ETag present" "$etag" '^".+"$'
expect "If-None-Match: same ETag -> 304" "$(c -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$base/style.css")" "304"
expect "If-None-Match: other ETag -> 200" "$(c -o /dev/null -w '%{http_code}' -H 'If-None-Match: "x"' "$base/style.css")" "200"
expect "If-Modified-Since: Last-Modified -> 304" \
    "$(c -o /dev/null -w '%{http_code}' -H "If-Modified-Since: $lastmod" "$base/style.css")" "304"

size=$(stat -c %s "$site/index.html")
h=$(c -D - -o "$work/range" -r 0-9 "$base/index.html")
expect "Range 0-9: 206, Content-Range, the first 10 bytes" \
    "$(status_line "$h") $(header "$h" content-range) $(md5 <"$work/range")" \
    "$(want_status 206 'Partial Content') bytes 0-9/$size $(head -c 10 "$site/index.html" | md5)"
expect "Range -16 (suffix): the last 16 bytes" "$(c -r -16 "$base/index.html" | md5)" "$(tail -c 16 "$site/index.html" | md5)"
expect "Range past the end: 416" "$(c -o /dev/null -w '%{http_code}' -r "$((size + 10))-$((size + 20))" "$base/index.html")" "416"

# --- POST echo ---------------------------------------------------------------------------------------
expect "POST /post-test" "$(c --data-binary 'ping=pong' "$base/post-test")" "ping=pong"
h=$(c -D - -o /dev/null -H 'Content-Type: text/plain; charset=utf-8' --data-binary 'x' "$base/post-test")
expect "POST: Content-Type echoed" "$(header "$h" content-type)" "text/plain; charset=utf-8"
head -c 262144 /dev/urandom >"$work/big"
expect "POST 256 KiB (Content-Length)" "$(c --data-binary @"$work/big" -H 'Expect:' "$base/post-test" | md5)" "$(md5 <"$work/big")"
if h2c; then
    expect "POST 256 KiB without a length (DATA frames until END_STREAM)" \
        "$(c -X POST -T - "$base/post-test" <"$work/big" | md5)" "$(md5 <"$work/big")"
    # neither 2.2.5 nor ours sends an interim 100 on HTTP/2: curl sends the body after its timeout
    expect "POST with Expect: 100-continue" \
        "$(c -v --expect100-timeout 0.3 -H 'Expect: 100-continue' --data-binary @"$work/big" "$base/post-test" 2>"$work/continue.log" | md5)" \
        "$(md5 <"$work/big")"
    expect "  ... no interim 100 response (2.2.5 and ours)" "$(grep -c '< HTTP/2 100' "$work/continue.log")" "0"
else
    expect "POST 256 KiB (chunked upload)" \
        "$(c -H 'Transfer-Encoding: chunked' --data-binary @"$work/big" "$base/post-test" | md5)" "$(md5 <"$work/big")"
    expect "POST with Expect: 100-continue" \
        "$(c -v -H 'Expect: 100-continue' --data-binary @"$work/big" "$base/post-test" 2>"$work/continue.log" | md5)" "$(md5 <"$work/big")"
    expect "  ... answered 100 Continue first" "$(grep -c '< HTTP/1.1 100 Continue' "$work/continue.log")" "1"
fi
h=$(c -D - -o /dev/null "$base/post-test")
expect "GET /post-test: 405 with Allow: POST" "$(status_line "$h") $(header "$h" allow)" \
    "$(want_status 405 'Method Not Allowed') POST"

# --- streaming ---------------------------------------------------------------------------------------
h=$(c -N -D - -o "$work/chunked" -w 'first=%{time_starttransfer} total=%{time_total}' "$base/chunked")
if h2c; then
    expect "GET /chunked: no length (neither Content-Length nor Transfer-Encoding)" \
        "$(header "$h" content-length)$(header "$h" transfer-encoding)" ""
else
    expect "GET /chunked: Transfer-Encoding: chunked" "$(header "$h" transfer-encoding)" "chunked"
fi
expect "GET /chunked: eight pieces in order" "$(grep -oE '^piece [0-9]+ of 8' "$work/chunked" | tr '\n' ';')" \
    "$(for i in 1 2 3 4 5 6 7 8; do printf 'piece %d of 8;' "$i"; done)"
# the pieces are at least 100 ms apart (a lower bound from the server's timer, not a speed test)
spread=$(printf '%s' "$h" | tail -1 | awk -F'[= ]' '{ printf "%d", ($4 - $2) * 1000 }')
expect "GET /chunked: streamed (>= 600 ms between the first and the last byte)" "$([ "$spread" -ge 600 ] && echo yes || echo "no, $spread ms")" "yes"
if h2c; then
    # one DATA frame per h2o_send (100 ms apart), END_STREAM on the last one: "LENGTH/FLAGS;" each
    frames=$(timeout 20 nghttp -nv "$base/chunked" | sed -n 's/.*recv DATA frame <length=\([0-9]*\), flags=\(0x0[0-9]\), stream_id=[0-9]*>.*/\1\/\2/p' | tr '\n' ';')
    expect "GET /chunked (nghttp -nv): eight DATA frames of 39 bytes, END_STREAM on the last" "$frames" \
        "$(for i in 1 2 3 4 5 6 7; do printf '39/0x00;'; done)39/0x01;"
    cu -v "$base/chunked" >"$work/upgraded" 2>"$work/upgrade.log"
    expect "GET /chunked by Upgrade: h2c: 101, then the eight pieces over HTTP/2" \
        "$(grep -c '^< HTTP/1.1 101' "$work/upgrade.log") $(grep -c '^< HTTP/2 200' "$work/upgrade.log") $(grep -c '^piece' "$work/upgraded")" "1 1 8"
else
    expect "GET /chunked over HTTP/1.0 (close-delimited)" "$(c --http1.0 "$base/chunked" | grep -c '^piece')" "8"
fi

# --- request inspection, keep-alive, pipelining --------------------------------------------------------------
out=$(c -H 'X-Demo: hello' -H 'X-Demo: again' "$base/headers?a=1")
if h2c; then version='2\.0'; else version='1\.1'; fi
expect_match "GET /headers: request line" "$out" "^GET /headers\\?a=1 HTTP/$version"
expect_match "GET /headers: query" "$out" 'query: +\?a=1'
expect_match "GET /headers: both X-Demo lines, in order" "$(printf '%s' "$out" | grep x-demo | tr '\n' ';')" '^  x-demo: hello;  x-demo: again;$'
expect_match "GET /headers: peer address" "$out" 'peer: +127\.0\.0\.1:[0-9]+'
# (h2c: by Upgrade, curl 7.88 cannot reuse a prior-knowledge connection)
reuse=$(cu -v "$base/" "$base/style.css" "$base/headers" 2>&1 >/dev/null | grep -ci 're-using existing connection')
expect "keep-alive: one connection for three URLs" "$reuse" "2"
e2e_client pipeline-site "$port" "$site"

# --- /.well-known/h2/state (h2o_http2_debug_state_register) ------------------------------------------------
expect "GET /.well-known/h2/state over HTTP/1.1: 404 (the handler passes it on)" \
    "$(curl --silent --show-error --max-time 10 --http1.1 -o /dev/null -w '%{http_code}' "$base/.well-known/h2/state")" "404"
if h2c; then
    # STATE_SUMMARY < JSON: "content-type; streams; state of stream 1" (curl's request is stream 1)
    state_summary() {
        python3 -c 'import json, sys
s = json.load(sys.stdin)
print("%s %s %s" % (sorted(s["streams"]), s["streams"].get("1", {}).get("state"), sorted(k for k in s if k in ("settings", "peerSettings", "connFlowIn", "connFlowOut"))))' 2>&1 | tail -1
    }
    want_state="['1'] HALF_CLOSED_REMOTE ['connFlowIn', 'connFlowOut', 'peerSettings', 'settings']"
    h=$(c -D - -o "$work/state.json" "$base/.well-known/h2/state")
    expect "GET /.well-known/h2/state: 200 application/json" "$(status_line "$h") $(header "$h" content-type)" \
        "HTTP/2 200 application/json; charset=utf-8"
    expect "  ... JSON listing the requesting stream (1, half-closed remote), settings and windows" \
        "$(state_summary <"$work/state.json")" "$want_state"
    expect "  ... by Upgrade: h2c (the upgraded request is stream 1)" \
        "$(cu "$base/.well-known/h2/state" | state_summary)" "$want_state"
fi

# --- graceful shutdown with a response in flight ----------------------------------------------------------
c -N -o "$work/inflight" "$base/chunked" &
curl_pid=$!
sleep 0.3
e2e_stop 0
wait "$curl_pid"
expect "in-flight /chunked completed during the shutdown" "$(grep -c '^piece' "$work/inflight")" "8"
expect_match "shutdown messages" "$(tr '\n' ' ' <"$work/stderr")" 'shutting down.*stopped'

# --- the access log (stdout) ---------------------------------------------------------------------------------------
log=$work/stdout
line_re='^127\.0\.0\.1 - - \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}\] "[A-Z]+ [^ ]+ HTTP/(1\.[01]|2)" [0-9]{3} [0-9]+ "[^"]*" "[^"]*"$'
lp=$E2E_LOG_PROTO
n_all=$(grep -c . "$log")
n_ok=$(grep -cE "$line_re" "$log")
expect "access log: every line in the default (combined) format" "$n_ok" "$n_all"
expect "access log: at least 30 requests logged" "$([ "$n_all" -ge 30 ] && echo yes || echo "no, $n_all")" "yes"
expect "access log: GET /style.css 200 with its size" \
    "$(grep -cF "\"GET /style.css $lp\" 200 $(stat -c %s "$site/style.css") \"-\" \"curl/" "$log" | awk '{ print ($1 > 0) }')" "1"
expect "access log: the 404" "$(grep -cF "\"GET /nope.html $lp\" 404 " "$log")" "1"
expect "access log: POST /post-test 200 9" "$(grep -cF "\"POST /post-test $lp\" 200 9 " "$log")" "1"
expect "access log: HEAD / 200" "$(grep -cF "\"HEAD / $lp\" 200 " "$log" | awk '{ print ($1 > 0) }')" "1"
expect "access log: the pipelined request with its query" "$(grep -cF "\"GET /headers?pipelined=1 $lp\" 200 " "$log")" "1"

e2e_finish
