#!/usr/bin/env bash
# Real HTTP/2 clients against an h2c server on 127.0.0.1: curl (prior knowledge and Upgrade: h2c),
# nghttp (frame trace, assets, priorities) and h2load.
#
#   clients.sh --port PORT [--docroot DIR] [--big /big.bin] [--demo]
#
# --docroot  the server's document root (default: c-examples/site): every file under it is fetched
#            and compared byte for byte; the file named by --big (a few MiB) must be there too
# --demo     the server is the c-examples embedder: its /chunked and /headers are checked as well
#
# The server must serve the document root at /, answer 404 for a missing file and echo a POST body
# at /post-test with its Content-Type. Prints "ok"/"FAIL" lines and a closing "N passed, N failed";
# exits 1 on any failure, 77 (skip) without curl, nghttp or h2load. Bounded: every client runs
# under `timeout` (curl --max-time 10, nghttp 20 s, h2load 60 s).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
port="" docroot="$here/../../c-examples/site" big=/big.bin demo=false
while [ $# -gt 0 ]; do
    case $1 in
    --port) port=$2; shift 2 ;;
    --docroot) docroot=$2; shift 2 ;;
    --big) big=$2; shift 2 ;;
    --demo) demo=true; shift ;;
    *) echo "usage: $0 --port PORT [--docroot DIR] [--big /PATH] [--demo]" >&2; exit 2 ;;
    esac
done
[ -n "$port" ] || { echo "usage: $0 --port PORT [--docroot DIR] [--big /PATH] [--demo]" >&2; exit 2; }
for tool in curl nghttp h2load; do
    command -v $tool >/dev/null 2>&1 || { echo "SKIPPED: $tool not found (apt-get install curl nghttp2-client)"; exit 77; }
done
grep -qi nghttp2 <<<"$(curl --version)" || { echo "SKIPPED: this curl has no HTTP/2"; exit 77; }
base=http://127.0.0.1:$port
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/../lib/checks.sh"
pk() { curl --silent --show-error --max-time 10 --http2-prior-knowledge "$@"; }
md5() { md5sum "$1" | cut -d' ' -f1; }

# --- curl, prior knowledge: every file of the site, byte for byte ----------------------------------
files=$(cd "$docroot" && find . -type f ! -name '*.gz' | sed 's|^\./||' | sort)
[ -n "$files" ] || { echo "FAIL: no files under $docroot"; exit 1; }
for f in $files; do
    got=$(pk -o "$tmp/body" -w '%{http_code} %{http_version}' "$base/$f")
    if [ "$got" == "200 2" ] && cmp -s "$tmp/body" "$docroot/$f"; then
        ok "curl --http2-prior-knowledge GET /$f: 200 over HTTP/2, $(stat -c %s "$docroot/$f") bytes equal"
    else
        fail "curl --http2-prior-knowledge GET /$f: [$got], body $(cmp -s "$tmp/body" "$docroot/$f" && echo equal || echo DIFFERS)"
    fi
done
# the directory index
expect "curl --http2-prior-knowledge GET / is index.html" \
    "$(pk -o "$tmp/body" -w '%{http_code}' "$base/")$(md5 "$tmp/body")" "200$(md5 "$docroot/index.html")"
# Range on HTTP/2
expect "curl --http2-prior-knowledge Range 0-99 of /index.html" \
    "$(pk -r 0-99 -o "$tmp/body" -w '%{http_code} %{size_download}' "$base/index.html")" "206 100"
cmp -s "$tmp/body" <(head -c 100 "$docroot/index.html") && ok "Range body equals the file's first 100 bytes" ||
    fail "Range body differs from the file's first 100 bytes"

# HEAD: the length announced, no body
out=$(pk -I -o "$tmp/head" -w '%{http_code} %{size_download}' "$base/style.css")
expect "curl --http2-prior-knowledge HEAD /style.css: 200, no body" "$out" "200 0"
expect "HEAD /style.css: content-length is the file's" \
    "$(tr -d '\r' <"$tmp/head" | awk 'tolower($1) == "content-length:" { print $2 }')" "$(stat -c %s "$docroot/style.css")"
expect "HEAD /style.css: content-type text/css" \
    "$(tr -d '\r' <"$tmp/head" | awk 'tolower($1) == "content-type:" { print $2 }' | tr -d ';')" "text/css"

# 404
expect "curl --http2-prior-knowledge GET /no-such-file: 404" \
    "$(pk -o /dev/null -w '%{http_code} %{http_version}' "$base/no-such-file")" "404 2"

# POST echo: 3 bytes and 300 KiB (beyond the default 64 KiB windows), Content-Type echoed
printf 'abc' >"$tmp/small"
head -c 307200 /dev/urandom >"$tmp/large"
for b in small large; do
    got=$(pk -o "$tmp/echo" -D "$tmp/echo-head" -w '%{http_code} %{http_version}' -H 'content-type: application/x-probe' \
        --data-binary @"$tmp/$b" "$base/post-test")
    if [ "$got" == "200 2" ] && cmp -s "$tmp/echo" "$tmp/$b"; then
        ok "curl --http2-prior-knowledge POST /post-test ($(stat -c %s "$tmp/$b") bytes): 200, echoed equal"
    else
        fail "curl --http2-prior-knowledge POST /post-test ($(stat -c %s "$tmp/$b") bytes): [$got], echo $(cmp -s "$tmp/echo" "$tmp/$b" && echo equal || echo DIFFERS)"
    fi
done
expect "POST /post-test: the Content-Type echoed" \
    "$(tr -d '\r' <"$tmp/echo-head" | awk 'tolower($1) == "content-type:" { print $2 }')" "application/x-probe"

# --- curl --http2: Upgrade: h2c from HTTP/1.1 ---------------------------------------------------------
for f in index.html style.css; do
    got=$(curl --silent --show-error --max-time 10 --http2 -v -o "$tmp/body" -w '%{http_code} %{http_version}' \
        "$base/$f" 2>"$tmp/verbose")
    if [ "$got" == "200 2" ] && cmp -s "$tmp/body" "$docroot/$f" && grep -q '< HTTP/1.1 101' "$tmp/verbose"; then
        ok "curl --http2 (Upgrade: h2c) GET /$f: 101, then 200 over HTTP/2, body equal"
    else
        fail "curl --http2 (Upgrade: h2c) GET /$f: [$got], 101 $(grep -c '< HTTP/1.1 101' "$tmp/verbose"), body $(cmp -s "$tmp/body" "$docroot/$f" && echo equal || echo DIFFERS)"
    fi
done
# a keep-alive follow-up on the upgraded connection (curl reuses it for the second URL)
got=$(curl --silent --show-error --max-time 10 --http2 -v -o /dev/null -o /dev/null -w '%{http_code} %{http_version}\n' \
    "$base/app.js" "$base/img/logo.svg" 2>"$tmp/verbose" | tr '\n' ' ')
expect "curl --http2: a second request on the upgraded connection" "$got" "200 2 200 2 "
expect_match "curl --http2: the connection was reused" "$(grep -c 'Re-using existing connection' "$tmp/verbose")" '^[1-9]'

# --- demo-only paths --------------------------------------------------------------------------------
if $demo; then
    out=$(pk "$base/headers" -H 'x-probe: 1')
    expect_match "demo /headers over HTTP/2: version 2.0" "$out" '^GET /headers HTTP/2\.0'
    expect_match "demo /headers over HTTP/2: the request's fields" "$out" 'x-probe: 1'
    out=$(pk -N "$base/chunked")
    expect "demo /chunked over HTTP/2: eight streamed pieces" "$(printf '%s\n' "$out" | grep -c '^piece [1-8] of 8')" "8"
fi

# --- nghttp -nv: the frames ---------------------------------------------------------------------------
timeout 20 nghttp -nv "$base/index.html" >"$tmp/nv" 2>&1
rc=$?
expect "nghttp -nv GET /index.html: exit status" "$rc" "0"
nv=$(cat "$tmp/nv")
expect_match "nghttp -nv: the server's SETTINGS" "$nv" 'recv SETTINGS frame <length=[0-9]+, flags=0x00, stream_id=0>'
expect_match "nghttp -nv: the server ACKs ours" "$nv" 'recv SETTINGS frame <length=0, flags=0x01, stream_id=0>'
expect_match "nghttp -nv: the server announces SETTINGS_MAX_CONCURRENT_STREAMS" \
    "$(sed -n '/recv SETTINGS frame <length=[1-9]/,/^\[/p' "$tmp/nv")" 'SETTINGS_MAX_CONCURRENT_STREAMS\(0x03\):[0-9]+'
sid=$(sed -n 's/.*send HEADERS frame <length=[0-9]*, flags=0x[0-9a-f]*, stream_id=\([0-9]*\)>.*/\1/p' "$tmp/nv" | head -1)
expect_match "nghttp -nv: the request's HEADERS" "${sid:-none}" '^[0-9]+$'
expect_match "nghttp -nv: the response HEADERS on that stream" "$nv" "recv HEADERS frame <length=[0-9]+, flags=0x0[45], stream_id=$sid>"
expect_match "nghttp -nv: :status 200" "$nv" "recv \(stream_id=$sid\) :status: 200"
# the DATA frames on the stream: their lengths add up to the file, the last has END_STREAM
datalen=$(sed -n "s/.*recv DATA frame <length=\([0-9]*\), flags=0x0[01], stream_id=$sid>.*/\1/p" "$tmp/nv" | paste -sd+ | bc)
expect "nghttp -nv: DATA lengths add up to the file" "${datalen:-0}" "$(stat -c %s "$docroot/index.html")"
expect_match "nghttp -nv: END_STREAM on the last frame of the stream" \
    "$(grep -A1 -E "recv (DATA|HEADERS) frame <length=[0-9]+, flags=0x0[15], stream_id=$sid>" "$tmp/nv" | tail -1)" 'END_STREAM'
expect_match "nghttp -nv: a clean GOAWAY from the client at the end" "$nv" 'send GOAWAY frame <length=8, flags=0x00, stream_id=0>'
if grep -qE 'recv (RST_STREAM|GOAWAY) frame' <<<"$nv"; then
    fail "nghttp -nv: the server sent RST_STREAM or GOAWAY: $(grep -A2 -E 'recv (RST_STREAM|GOAWAY) frame' "$tmp/nv" | head -3 | tr '\n' ' ')"
else
    ok "nghttp -nv: no RST_STREAM or GOAWAY from the server"
fi

# --- nghttp -a --stat: the page with its assets ---------------------------------------------------
timeout 20 nghttp -n -a --stat "$base/" >"$tmp/stat" 2>&1
expect "nghttp -a --stat GET /: exit status" "$?" "0"
# the page's subresources (link, img, script elements; not its <a> links to other pages such as /push)
assets=$(grep -oE '<(link|img|script)[^>]*(href|src)="[^":]*"' "$docroot/index.html" | grep -oE '(href|src)="[^":]*"$' |
    sed -E 's/^(href|src)="//; s/"$//' | sort -u)
for a in $assets; do
    expect_match "nghttp -a: asset /$a fetched with 200" "$(awk -v p="/$a" '$NF == p { print $5 }' "$tmp/stat" | head -1)" '^200$'
done
nassets=$(printf '%s\n' $assets | wc -l)
expect "nghttp -a: $((nassets + 1)) responses (page + $nassets assets), every one 200" \
    "$(awk '$1 ~ /^[0-9]+$/ && NF >= 7 { print $5 }' "$tmp/stat" | sort | uniq -c | awk '{ print $1 "x" $2 }')" "$((nassets + 1))x200"

# --- priorities: a large file (weight 1, requested first) and the CSS (weight 256) on one connection:
#     the CSS must complete first (windows of 16 MiB, so flow control does not interleave them)
[ -f "$docroot${big}" ] || { fail "priority: $docroot$big is missing"; }
prio() { # prio NAME nghttp-args...: writes the stat table; checks CSS completes before the big file
    local name=$1
    shift
    timeout 20 nghttp -n --stat -w 24 -W 24 "$@" "$base$big" "$base/style.css" >"$tmp/prio" 2>&1
    local rc=$?
    local order
    order=$(awk -v big="$big" '$1 ~ /^[0-9]+$/ && ($NF == big || $NF == "/style.css") { print $NF }' "$tmp/prio" | tr '\n' ' ')
    local codes
    codes=$(awk -v big="$big" '$1 ~ /^[0-9]+$/ && ($NF == big || $NF == "/style.css") { print $5 }' "$tmp/prio" | tr '\n' ' ')
    # the table is sorted by completion
    if [ $rc -eq 0 ] && [ "$order" == "/style.css $big " ] && [ "$codes" == "200 200 " ]; then
        ok "priority ($name): /style.css completes before $big [$(awk -v big="$big" '$NF == big || $NF == "/style.css" { printf "%s %s; ", $NF, $2 }' "$tmp/prio")]"
    else
        fail "priority ($name): exit $rc, completion order [$order], codes [$codes]"
        sed 's/^/    /' "$tmp/prio" | tail -5
    fi
}
prio "RFC 7540 weights 1 and 256" -p 1 -p 256
prio "RFC 7540: CSS weight 256, large file weight 256 requested first" -p 256 -p 256

# --- h2load: 16 connections x 10 streams, and one connection with 100 concurrent streams ---------
h2l() { # h2l N ARGS...: all N requests must be 2xx
    local n=$1
    shift
    local out
    out=$(timeout 60 h2load -n "$n" "$@" 2>&1)
    expect_match "h2load -n $n $*: all done and succeeded" "$(printf '%s\n' "$out" | grep '^requests:')" \
        "^requests: $n total, $n started, $n done, $n succeeded, 0 failed, 0 errored, 0 timeout"
    expect_match "h2load -n $n $*: all 2xx" "$(printf '%s\n' "$out" | grep '^status codes:')" "^status codes: $n 2xx, 0 3xx, 0 4xx, 0 5xx"
    expect_match "h2load -n $n $*: over HTTP/2" "$out" 'Application protocol: h2c'
}
h2l 20000 -c 16 -m 10 -t 1 "$base/" "$base/style.css" "$base/app.js" "$base/img/logo.svg" "$base/img/tiles.png"
h2l 5000 -c 1 -m 100 -t 1 "$base/index.html"
# POSTs on HTTP/2
head -c 3000 /dev/urandom >"$tmp/body3k"
out=$(timeout 60 h2load -n 2000 -c 4 -m 10 -t 1 -d "$tmp/body3k" "$base/post-test" 2>&1)
expect_match "h2load POST x 2000 (3000 bytes each): all 2xx" "$(printf '%s\n' "$out" | grep '^status codes:')" \
    "^status codes: 2000 2xx, 0 3xx, 0 4xx, 0 5xx"
expect_match "h2load POST: every body echoed" "$(printf '%s\n' "$out" | grep '^traffic:')" "[(]$((2000 * 3000))[)] data"

# the server still answers
expect "GET / after the load" "$(pk -o /dev/null -w '%{http_code}' "$base/")" "200"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
