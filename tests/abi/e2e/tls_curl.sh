#!/usr/bin/env bash
# tls_serve (a 2.2.5-style embedder handing libh2o an OpenSSL SSL_CTX) driven over TLS on 127.0.0.1:
# curl --http2 and --http1.1 with TLS 1.2 and 1.3 (the negotiated protocol and TLS version checked,
# the certificate verified against a root CA the server's chain leads to through an intermediate),
# a file and an inline handler byte for byte, curl without ALPN, openssl s_client without ALPN and
# with ALPN http/1.1 only (HTTP/1.1 answers; which ALPN answer the server gave), nghttp -nv and
# h2load over TLS (h2), a clear-text request and garbage on the TLS port (no HTTP answer; the server
# goes on), then /quit and the server's clean exit.
#   KIND rsa: RSA certificates, h2o_alpn_protocols registered (h2 and http/1.1 offered)
#   KIND ec:  ECDSA P-256 certificates, h2o_http2_alpn_protocols (h2 only: an http/1.1-only client
#             gets no ALPN answer and HTTP/1.1, as from 2.2.5)
# Skips (77) without openssl, curl with HTTP/2 or nghttp. Bounded: the server exits after 40 s, every
# client has --max-time / timeout.
# Usage: tls_curl.sh SERVE_BINARY WORKDIR rsa|ec [debian]
#   debian: the server is expected to run on Debian's 2.2.5 (the baseline that proves the checks)
set -uo pipefail
serve=$1
work=$2
kind=$3
on=${4:-ours}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tls_certs.sh
. "$here/tls_certs.sh"
command -v openssl >/dev/null 2>&1 || { echo "SKIPPED: openssl not found (apt-get install openssl)"; exit 77; }
command -v curl >/dev/null 2>&1 || { echo "SKIPPED: curl not found"; exit 77; }
grep -qi nghttp2 <<<"$(curl --version)" || { echo "SKIPPED: this curl has no HTTP/2"; exit 77; }
command -v nghttp >/dev/null 2>&1 || { echo "SKIPPED: nghttp not found (apt-get install nghttp2-client)"; exit 77; }
case $kind in rsa) protocols=all ;; ec) protocols=h2 ;; *) echo "usage: $0 SERVE WORKDIR rsa|ec [debian]"; exit 2 ;; esac
rm -rf "$work"
mkdir -p "$work/docroot"
tls_make_certs "$work" "$kind" || exit 1
head -c 300000 /dev/urandom >"$work/docroot/big.bin"
printf 'a small file\n' >"$work/docroot/small.txt"
portfile=$work/port
${TLS_WRAPPER:-} "$serve" "$portfile" 40 "$work/chain.pem" "$work/leaf.key" "$work/docroot" $protocols 2>"$work/stderr" &
pid=$!
trap 'kill -KILL $pid 2>/dev/null' EXIT
for _ in $(seq 1 200); do [ -s "$portfile" ] && break; kill -0 $pid 2>/dev/null || break; sleep 0.05; done
[ -s "$portfile" ] || { echo "FAIL: server did not start"; cat "$work/stderr"; exit 1; }
port=$(cat "$portfile")
base=https://127.0.0.1:$port
# shellcheck source=server_checks.sh
. "$(dirname "${BASH_SOURCE[0]}")/server_checks.sh"
md5() { md5sum | cut -d' ' -f1; }
tls_check_origin "$portfile.origin" "$on" || fails=$((fails + 1))
# curl verifying the server against root.pem (so the intermediate must come from the server)
c() { curl --silent --show-error --max-time 10 --cacert "$work/root.pem" "$@"; }
# $1: a name for the log; the rest: curl's arguments. Prints "BODY VERSION", keeps -v output in $work/$1.v
cv() { local n=$1; shift; c -v -w ' %{http_version}' "$@" 2>"$work/$n.v"; }
tlsver() { grep -oE 'SSL connection using TLSv1\.[0-9]' "$work/$1.v" | grep -oE 'TLSv1\.[0-9]'; }
alpn() { grep -oE 'ALPN: server (accepted [^ ]+|did not agree.*)' "$work/$1.v" | tr -d '\r'; }

# --- curl, HTTP/2 --------------------------------------------------------------------------------
expect "curl --http2: /hello over h2" "$(cv h2 --http2 "$base/hello")" "hello
 2"
expect "  ... ALPN h2" "$(alpn h2)" "ALPN: server accepted h2"
expect "  ... the chain verifies against the root (leaf + intermediate sent)" \
    "$(grep -c 'SSL certificate verify ok' "$work/h2.v")" "1"
expect "curl --http2 --tlsv1.2 --tls-max 1.2: /hello over h2" "$(cv h2-12 --http2 --tlsv1.2 --tls-max 1.2 "$base/hello")" "hello
 2"
expect "  ... TLS 1.2" "$(tlsver h2-12)" "TLSv1.2"
expect "curl --http2 --tlsv1.3: /hello over h2" "$(cv h2-13 --http2 --tlsv1.3 "$base/hello")" "hello
 2"
expect "  ... TLS 1.3" "$(tlsver h2-13)" "TLSv1.3"
expect "curl --http2: a 300 kB file byte for byte" "$(c --http2 "$base/files/big.bin" | md5)" "$(md5 <"$work/docroot/big.bin")"
expect "curl --http2: a small file, 404 for a missing one" \
    "$(c --http2 "$base/files/small.txt"; c --http2 -o /dev/null -w '%{http_code} %{http_version}' "$base/files/none")" \
    "a small file
404 2"
expect "curl --http2: the HTML page" "$(c --http2 -o /dev/null -w '%{http_code} %{content_type} %{http_version}' "$base/")" \
    "200 text/html; charset=utf-8 2"

# --- curl, HTTP/1.1 ------------------------------------------------------------------------------
expect "curl --http1.1: /hello over HTTP/1.1" "$(cv h1 --http1.1 "$base/hello")" "hello
 1.1"
if [ "$kind" = rsa ]; then
    expect "  ... ALPN http/1.1 (registered)" "$(alpn h1)" "ALPN: server accepted http/1.1"
else
    expect "  ... no ALPN answer (only h2 registered), HTTP/1.1 all the same" "$(alpn h1 | cut -c1-30)" \
        "ALPN: server did not agree on "
fi
expect "curl --http1.1 --tlsv1.2 --tls-max 1.2" "$(cv h1-12 --http1.1 --tlsv1.2 --tls-max 1.2 "$base/hello") $(tlsver h1-12)" "hello
 1.1 TLSv1.2"
expect "curl --http1.1 --tlsv1.3" "$(cv h1-13 --http1.1 --tlsv1.3 "$base/hello") $(tlsver h1-13)" "hello
 1.1 TLSv1.3"
expect "curl --http1.1: a 300 kB file byte for byte" "$(c --http1.1 "$base/files/big.bin" | md5)" "$(md5 <"$work/docroot/big.bin")"
expect "curl --no-alpn: HTTP/1.1" "$(cv noalpn --no-alpn "$base/hello")" "hello
 1.1"

# --- openssl s_client ----------------------------------------------------------------------------
# $1: extra s_client arguments; sends one HTTP/1.1 request, prints the whole session
sclient() {
    printf 'GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' |
        timeout 15 openssl s_client -connect "127.0.0.1:$port" -servername localhost -CAfile "$work/root.pem" \
            -verify_return_error -ign_eof $1 2>&1
}
out=$(sclient "")
expect "s_client without ALPN: an HTTP/1.1 answer" "$(grep -c '^HTTP/1.1 200 OK' <<<"$out")" "1"
expect "  ... with the body" "$(grep -c '^hello' <<<"$out")" "1"
expect "  ... no ALPN negotiated" "$(grep -c '^No ALPN negotiated' <<<"$out")" "1"
expect "  ... the chain verified (leaf, then the intermediate)" \
    "$(grep -cE '^ *(0 s:CN = localhost|1 s:CN = libh2o-rs test intermediate)' <<<"$out") $(grep -c 'Verify return code: 0 (ok)' <<<"$out" | sed 's/^[1-9][0-9]*$/ok/') $(grep -cE 'Verify return code: [1-9]' <<<"$out")" "2 ok 0"
out=$(sclient "-alpn http/1.1")
expect "s_client -alpn http/1.1: an HTTP/1.1 answer" "$(grep -c '^HTTP/1.1 200 OK' <<<"$out")" "1"
if [ "$kind" = rsa ]; then
    expect "  ... ALPN http/1.1 selected" "$(grep -c '^ALPN protocol: http/1.1' <<<"$out")" "1"
else
    expect "  ... no ALPN (only h2 registered)" "$(grep -c '^No ALPN negotiated' <<<"$out")" "1"
fi
out=$(sclient "-alpn foo,http/1.1 -tls1_2")
expect "s_client -tls1_2 -alpn foo,http/1.1: HTTP/1.1 over TLS 1.2" \
    "$(grep -c '^HTTP/1.1 200 OK' <<<"$out") $(grep -oE 'Protocol *: TLSv1\.2' <<<"$out" | head -1 | tr -s ' ')" "1 Protocol : TLSv1.2"

# --- nghttp and h2load ---------------------------------------------------------------------------
out=$(timeout 20 nghttp -nv "$base/hello" "$base/files/big.bin" 2>&1)
expect "nghttp -nv: h2 negotiated" "$(grep -c 'The negotiated protocol: h2$' <<<"$out")" "1"
expect "nghttp -nv: two streams, both 200" "$(grep -cE 'recv \(stream_id=[0-9]+\) :status: 200' <<<"$out")" "2"
expect "nghttp -nv: no RST_STREAM or GOAWAY from the server" "$(grep -cE 'recv (RST_STREAM|GOAWAY)' <<<"$out")" "0"
if command -v h2load >/dev/null 2>&1; then
    out=$(timeout 30 h2load -n 200 -c 4 -m 10 "$base/hello" 2>&1)
    expect "h2load -n 200 -c 4 -m 10: h2, all succeeded" \
        "$(grep -oE 'Application protocol: [^ ]+' <<<"$out" | head -1) $(grep -oE '[0-9]+ succeeded' <<<"$out")" \
        "Application protocol: h2 200 succeeded"
else
    echo "skip h2load: not found"
fi

# --- what is not TLS -----------------------------------------------------------------------------
# $1: bytes to send; prints what came back before the server closed (at most 5 s)
raw() {
    timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$port"'; printf "$1" >&3; cat <&3 | head -c 200 | od -An -c | tr -d " \n"' _ "$1" 2>/dev/null
}
got=$(raw 'GET /hello HTTP/1.1\r\nHost: a\r\n\r\n')
expect "a clear-text request on the TLS port: no HTTP answer" "$([[ $got == HTTP* ]] && echo "HTTP answer" || echo none)" "none"
got=$(raw '\x16\x03\x01\x00\x05garbage and more garbage')
expect "a garbage ClientHello: no HTTP answer" "$([[ $got == *HTTP* ]] && echo "HTTP answer" || echo none)" "none"
expect "  ... and the server goes on" "$(c --http2 "$base/hello")" "hello"

expect "/quit" "$(c --http1.1 "$base/quit")" "bye"
finish_after_quit
