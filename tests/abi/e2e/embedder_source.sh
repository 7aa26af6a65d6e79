#!/usr/bin/env bash
# tests/abi/source/embedder.c linked and run: its handlers (file root, streaming generator, POST echo
# with header lookups and an error helper, /misc behind h2o_reproxy_register), its access log, and
# its TLS accept context: never an answer in clear text, no successful handshake (no certificate;
# libh2o-rs has no TLS yet), and the plain listener keeps working. On our library the refusal and the
# TLS notice are logged on stderr.
# E2E_PROTO=h2c: the same over HTTP/2 by prior knowledge, plus an HTTP/2 preface in clear text to
# the TLS listener (no SETTINGS back).
#   embedder_source.sh BINARY WORKDIR EXPECT
bin=$1 work=$2 expect_lib=$3
# shellcheck source=embedder_lib.sh
. "$(dirname "$0")/embedder_lib.sh"

mkdir -p "$work/htdocs"
printf '<!doctype html><p>source embedder</p>\n' >"$work/htdocs/index.html"
e2e_start "$bin" "$expect_lib" "$work/htdocs"
tls_port=$(grep -oE 'tls-port [0-9]+' "$work/stdout" | cut -d' ' -f2)

expect "GET / (file root)" "$(c "$base/")" "<!doctype html><p>source embedder</p>"
expect "GET /stream" "$(c "$base/stream" | tr '\n' ';')" "chunk;chunk;chunk;"
h=$(c -D - -o "$work/echo" -H 'Content-Type: text/x-test' --data-binary 'abc' "$base/echo")
expect "POST /echo: body, Content-Type, Vary" "$(cat "$work/echo") $(header "$h" content-type) $(header "$h" vary)" "abc text/x-test content-type"
expect "POST /echo with x-fail: 400" "$(c -o /dev/null -w '%{http_code}' -H 'X-Fail: 1' --data-binary 'abc' "$base/echo")" "400"
expect "GET /echo (handler declines): 404" "$(c -o /dev/null -w '%{http_code}' "$base/echo")" "404"
if h2c; then version=512; else version=257; fi # req->version 0x200 / 0x101
expect "GET /misc (behind h2o_reproxy_register)" "$(c "$base/misc")" "$version 16 /misc 18446744073709551615"
e2e_client tls-refused "$port" "$tls_port"
expect "GET / after the TLS attempts" "$(c -o /dev/null -w '%{http_code}' "$base/")" "200"
if [ "$expect_lib" != debian ]; then
    expect "stderr: h2o_ssl_register_* say nothing (no 'TLS is not provided' notice)" "$(grep -c 'TLS is not provided' "$work/stderr")" "0"
    expect_match "stderr: h2o_accept refused the TLS connections (an SSL_CTX without a certificate)" "$(grep -ci 'ssl_ctx' "$work/stderr")" '^[1-9]'
fi
e2e_stop 0
expect "access log: GET /stream" "$(grep -cF "\"GET /stream $E2E_LOG_PROTO\" 200 " "$work/stdout")" "2"
e2e_finish
