#!/usr/bin/env bash
# curl against serve_http1 (our library) on 127.0.0.1: GET, keep-alive reuse across URLs, HEAD,
# a streamed chunked body, POST bodies (small, 64 KiB, 64 KiB chunked, with Expect: 100-continue), 404, a redirect followed, HTTP/1.0.
# Skips (77) without curl. Bounded: the server exits after 20 s, every curl call has --max-time 5.
# Usage: curl_http1.sh SERVE_BINARY WORKDIR
set -uo pipefail
serve=$1
work=$2
command -v curl >/dev/null 2>&1 || { echo "curl not found: skipped"; exit 77; }
mkdir -p "$work"
portfile=$work/port
rm -f "$portfile"
"$serve" "$portfile" 20 &
pid=$!
for _ in $(seq 1 100); do [ -s "$portfile" ] && break; sleep 0.05; done
[ -s "$portfile" ] || { echo "FAIL: server did not start"; kill "$pid" 2>/dev/null; exit 1; }
base=http://127.0.0.1:$(cat "$portfile")
fails=0
c() { curl --silent --show-error --max-time 5 "$@"; }
expect() { # name, got, want
    if [ "$2" == "$3" ]; then echo "ok   $1"; else echo "FAIL $1: got [$2], want [$3]"; fails=$((fails + 1)); fi
}

expect "GET /hello" "$(c "$base/hello")" "hello"
expect "status 200" "$(c -o /dev/null -w '%{http_code}' "$base/hello")" "200"
expect "404" "$(c -o /dev/null -w '%{http_code}' "$base/none")" "404"
expect "streamed" "$(c "$base/stream")" "part0;part1;part2;part3;"
expect "chunked" "$(c -D - -o /dev/null "$base/stream" | tr -d '\r' | grep -i '^transfer-encoding:' | tr 'A-Z' 'a-z')" "transfer-encoding: chunked"
expect "HEAD" "$(c -I "$base/hello" | head -1 | tr -d '\r')" "HTTP/1.1 200 OK"
expect "POST" "$(c --data-binary 'ping=pong' "$base/echo")" "ping=pong"
head -c 65536 /dev/urandom | base64 -w 0 | head -c 65536 > "$work/big"
expect "POST 64 KiB" "$(c --data-binary @"$work/big" -H 'Expect:' "$base/echo" | md5sum)" "$(md5sum < "$work/big")"
expect "POST chunked" "$(c -H 'Transfer-Encoding: chunked' --data-binary @"$work/big" "$base/echo" | md5sum)" "$(md5sum < "$work/big")"
expect "POST with Expect: 100-continue" "$(c -v -H 'Expect: 100-continue' --data-binary @"$work/big" "$base/echo" 2>"$work/continue.log" | md5sum)" "$(md5sum < "$work/big")"
expect "  ... answered 100 first" "$(grep -c '< HTTP/1.1 100 Continue' "$work/continue.log")" "1"
expect "redirect" "$(c -L "$base/redirect")" "hello"
expect "HTTP/1.0" "$(c --http1.0 "$base/stream")" "part0;part1;part2;part3;"
reuse=$(c -v "$base/hello" "$base/stream" "$base/hello" 2>&1 >/dev/null | grep -ci 're-using existing connection')
expect "keep-alive: one connection for three URLs" "$reuse" "2"
expect "quit" "$(c "$base/quit")" "bye"

wait "$pid"
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: server exited with $rc"; fails=$((fails + 1)); }
[ $fails -eq 0 ] && echo "all curl checks passed"
exit $((fails != 0))
