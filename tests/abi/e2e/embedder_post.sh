#!/usr/bin/env bash
# tests/abi/programs/post_echo.c end to end: request bodies as the library hands them to a handler.
# curl: small, binary, 1 MiB (the limit), over the limit (413, with Content-Length, chunked and
# Expect: 100-continue), chunked uploads, Expect: 100-continue, PUT and DELETE, a body echoed back in
# 1000-byte pieces; raw socket (embedder_client.py post-framings): odd chunk sizes with an extension
# and a trailer, a body split across writes, pipelined bodies.
# E2E_PROTO=h2c: over HTTP/2: uploads without a length instead of chunked ones, Expect:
# 100-continue answered without an interim 100 (2.2.5 and ours; curl sends after its timeout), the
# echo in pieces without a length header; the over-limit uploads by embedder_client.py post-limits
# (2.2.5 refuses the stream, ours answers 413 and closes the stream only); post-framings: DATA
# frames of odd sizes, request trailers, bodies on concurrent streams.
#   embedder_post.sh BINARY WORKDIR EXPECT
bin=$1 work=$2 expect_lib=$3
# shellcheck source=embedder_lib.sh
. "$(dirname "$0")/embedder_lib.sh"

e2e_start "$bin" "$expect_lib"
expect "POST a small body" "$(c --data-binary 'hello' "$base/echo")" "hello"
h=$(c -D - -o /dev/null -X PUT --data-binary 'abc' "$base/echo")
expect "PUT: echoed method and length" "$(header "$h" x-method) $(header "$h" content-length)" "PUT 3"
h=$(c -D - -o /dev/null -X DELETE "$base/echo")
expect "DELETE without a body: empty" "$(header "$h" x-method) $(header "$h" content-length)" "DELETE 0"
python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 64)' >"$work/binary"
expect "every byte value" "$(c --data-binary @"$work/binary" -H 'Content-Type: application/octet-stream' "$base/echo" | md5)" "$(md5 <"$work/binary")"
head -c 1048576 /dev/urandom >"$work/1m"
head -c 1048577 /dev/urandom >"$work/1m+1"
expect "1 MiB (= max_request_entity_size)" "$(c --data-binary @"$work/1m" -H 'Expect:' "$base/echo" | md5)" "$(md5 <"$work/1m")"
if h2c; then
    expect "1 MiB without a length (DATA until END_STREAM)" "$(c -X POST -T - "$base/echo" <"$work/1m" | md5)" "$(md5 <"$work/1m")"
    expect "1 MiB with Expect: 100-continue" \
        "$(c -v --expect100-timeout 0.3 --data-binary @"$work/1m" -H 'Expect: 100-continue' "$base/echo" 2>"$work/continue.log" | md5)" \
        "$(md5 <"$work/1m")"
    expect "  ... without an interim 100 (2.2.5 and ours)" "$(grep -c '< HTTP/2 100' "$work/continue.log")" "0"
else
    # (2.2.5 counts the chunked framing against the limit too, so stay a little below it)
    head -c 1000000 "$work/1m" >"$work/1e6"
    expect "1000000 bytes chunked" "$(c --data-binary @"$work/1e6" -H 'Transfer-Encoding: chunked' "$base/echo" | md5)" "$(md5 <"$work/1e6")"
    expect "1 MiB with Expect: 100-continue" \
        "$(c -v --data-binary @"$work/1m" -H 'Expect: 100-continue' "$base/echo" 2>"$work/continue.log" | md5)" "$(md5 <"$work/1m")"
    expect "  ... after 100 Continue" "$(grep -c '< HTTP/1.1 100 Continue' "$work/continue.log")" "1"
fi
# early413 CURL_ARGS...: the status of an upload refused before its end. 2.2.5 closes right after
# its 413 while the upload is still coming, so the kernel may reset the connection and curl see
# that instead of the 413 (a race; seen once in CI): on Debian's library a reset counts as the 413.
# Ours reads and drops the rest of the upload before closing, so there it must be the 413.
early413() {
    local got
    got=$(c -o /dev/null -w '%{http_code}' "$@" 2>/dev/null)
    if [ "$expect_lib" = debian ] && [ "$got" = 000 ]; then echo 413; else echo "$got"; fi
}
if h2c; then
    # (curl cannot tell: on 2.2.5's REFUSED_STREAM it retries; it reports ours' RST_STREAM NO_ERROR after the 413 as an error)
    e2e_client post-limits "$port" "$expect_lib"
else
    expect "1 MiB + 1 byte: 413" "$(early413 --data-binary @"$work/1m+1" -H 'Expect:' "$base/echo")" "413"
    expect "1 MiB + 1 byte chunked: 413" "$(early413 --data-binary @"$work/1m+1" -H 'Transfer-Encoding: chunked' "$base/echo")" "413"
    c -v -o /dev/null --data-binary @"$work/1m+1" -H 'Expect: 100-continue' "$base/echo" 2>"$work/continue413.log"
    expect "1 MiB + 1 byte with Expect: 413 and no 100 Continue" \
        "$(grep -c '< HTTP/1.1 100 Continue' "$work/continue413.log") $(grep -o '< HTTP/1.1 413' "$work/continue413.log")" "0 < HTTP/1.1 413"
fi
h=$(c -D - -o "$work/pieces" --data-binary @"$work/1m" -H 'Expect:' "$base/echo-pieces")
expect "echo in 1000-byte pieces" "$(md5 <"$work/pieces")" "$(md5 <"$work/1m")"
if h2c; then
    expect "  ... without a length header (length unknown at the first h2o_send)" \
        "$(header "$h" content-length)$(header "$h" transfer-encoding)" ""
else
    expect "  ... as a chunked response (length unknown at the first h2o_send)" "$(header "$h" transfer-encoding)" "chunked"
fi
e2e_client post-framings "$port"
expect "still serving after all that" "$(c --data-binary 'bye' "$base/echo")" "bye"
e2e_stop 0
e2e_finish
