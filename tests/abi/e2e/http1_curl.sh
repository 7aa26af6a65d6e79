#!/usr/bin/env bash
# curl against http1_server (e2e/http1_server.c) on 127.0.0.1: what a real client makes of the
# HTTP/1 server: keep-alive reuse, HEAD, absolute-form targets (curl's proxy mode), virtual hosts,
# chunked uploads, Expect: 100-continue, 413, HTTP/1.0, an h2c upgrade request (answered over HTTP/2),
# a streamed response, and the Date/Server headers.
# Skips (77) without curl. Bounded: the server exits after 30 s, every curl call has --max-time 5.
# Usage: http1_curl.sh SERVER_BINARY WORKDIR
set -uo pipefail
server=$1
work=$2
command -v curl >/dev/null 2>&1 || { echo "curl not found: skipped"; exit 77; }
mkdir -p "$work"
portfile=$work/port
rm -f "$portfile"
"$server" "$portfile" 30 "$work/log" &
pid=$!
for _ in $(seq 1 100); do [ -s "$portfile" ] && break; sleep 0.05; done
[ -s "$portfile" ] || { echo "FAIL: server did not start"; kill "$pid" 2>/dev/null; exit 1; }
port=$(cat "$portfile")
base=http://127.0.0.1:$port
fails=0
c() { curl --silent --show-error --max-time 5 "$@"; }
expect() { # name, got, want
    if [ "$2" == "$3" ]; then echo "ok   $1"; else echo "FAIL $1: got [$2], want [$3]"; fails=$((fails + 1)); fi
}
header() { # name of a response header (lower case); reads a -D dump on stdin
    tr -d '\r' | grep -i "^$1:" | head -1 | cut -d' ' -f2-
}

expect "GET" "$(c "$base/hello")" "hello"
expect "Server header" "$(c -D - -o /dev/null "$base/hello" | header server)" "h2o-test"
expect "Date header is RFC 1123" "$(c -D - -o /dev/null "$base/hello" | header date | grep -cE '^[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT$')" "1"
reuse=$(c -v "$base/hello" "$base/stream" "$base/echo" -d x "$base/hello" 2>&1 >/dev/null | grep -ci 're-using existing connection')
expect "keep-alive: one connection for four requests" "$reuse" "3"
expect "HEAD: headers only, Content-Length as GET" "$(c -I "$base/hello" | header content-length)" "6"
expect "streamed (chunked) response" "$(c "$base/stream")" "part0;part1;part2;part3;"
expect "virtual host by Host" "$(c -H 'Host: a.example' "$base/x")" "host=a.example path=/x"
expect "virtual host with port" "$(c -H 'Host: b.example:8080' "$base/y")" "host=b.example:8080 path=/y"
# curl in proxy mode sends the absolute URL as the request target
expect "absolute-form target (curl -x): the URL's authority selects the host" \
    "$(c -x "$base" http://a.example/z?q)" "host=a.example path=/z?q"
head -c 3000 /dev/urandom | base64 -w 0 | head -c 3000 > "$work/body"
expect "POST, Content-Length" "$(c --data-binary @"$work/body" -H 'Expect:' "$base/echo" | md5sum)" "$(md5sum < "$work/body")"
expect "POST, chunked upload" "$(c -H 'Transfer-Encoding: chunked' --data-binary @"$work/body" "$base/echo" | md5sum)" \
    "$(md5sum < "$work/body")"
c -v -H 'Expect: 100-continue' --data-binary @"$work/body" "$base/echo" > "$work/continue.out" 2> "$work/continue.log"
expect "Expect: 100-continue: body echoed" "$(md5sum < "$work/continue.out")" "$(md5sum < "$work/body")"
expect "Expect: 100-continue: 100 seen first" "$(grep -c '< HTTP/1.1 100 Continue' "$work/continue.log")" "1"
head -c 5000 /dev/zero > "$work/big"
expect "413 over max_request_entity_size (4096)" "$(c -o /dev/null -w '%{http_code}' --data-binary @"$work/big" "$base/echo")" "413"
expect "413 for a chunked upload" "$(c -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' --data-binary @"$work/big" "$base/echo")" "413"
expect "HTTP/1.0" "$(c --http1.0 "$base/stream")" "part0;part1;part2;part3;"
expect "HTTP/1.0: Connection: close" "$(c --http1.0 -D - -o /dev/null "$base/hello" | header connection)" "close"
if grep -q HTTP2 <<<"$(curl --version)"; then
    # curl --http2 on http:// asks for h2c with Upgrade: 101, then the answer comes over HTTP/2
    expect "Upgrade: h2c is answered over HTTP/2" "$(c --http2 -o /dev/null -w '%{http_version} %{http_code}' "$base/hello")" "2 200"
fi
expect "quit" "$(c "$base/quit")" "bye"

wait "$pid"
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: server exited with $rc"; fails=$((fails + 1)); }
[ $fails -eq 0 ] && echo "all curl checks passed"
exit $((fails != 0))
