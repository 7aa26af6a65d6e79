#!/usr/bin/env bash
# Real TLS clients against a TLS port on 127.0.0.1 (the c-examples embedder with libh2o-rs' native
# TLS API): curl over h2 and HTTP/1.1 with TLS 1.2 and 1.3, openssl s_client without ALPN and with an
# unknown one (HTTP/1.1), nghttp, h2load, headless chromium (h2 proved from its net-log), resumption (s_client -sess_out / -sess_in), SNI, the access
# log's ssl.* directives, and bad input (tests/tls/bad_input.py) with the server still serving after.
#
#   clients.sh --port PORT --docroot DIR --log FILE --certs DIR
#
# --log    the server's access log, written with the format
#          '%r %s %H %{ssl.protocol-version}x %{ssl.cipher}x %{ssl.cipher-bits}x %{ssl.session-reused}x %{ssl.session-id}x'
# --certs  tests/tls/certs (localhost.crt is the default certificate, other.crt the one for SNI "other.test")
# TLS_CLIENTS_ONLY=bad (environment): only the bad-input cases.
# Prints ok/FAIL lines and "N passed, N failed"; exits 1 on a failure, 77 without curl (with HTTP/2),
# openssl, nghttp, h2load or python3. Bounded: curl --max-time 10, every other client under timeout.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
port="" docroot="" log="" certs=""
while [ $# -gt 0 ]; do
    case $1 in
    --port) port=$2; shift 2 ;;
    --docroot) docroot=$2; shift 2 ;;
    --log) log=$2; shift 2 ;;
    --certs) certs=$2; shift 2 ;;
    *) echo "usage: $0 --port PORT --docroot DIR --log FILE --certs DIR" >&2; exit 2 ;;
    esac
done
[ -n "$port" ] && [ -n "$docroot" ] && [ -n "$log" ] && [ -n "$certs" ] || { echo "usage: $0 --port PORT --docroot DIR --log FILE --certs DIR" >&2; exit 2; }
for tool in curl openssl nghttp h2load python3; do
    command -v $tool >/dev/null 2>&1 || { echo "SKIPPED: $tool not found (tests/setup-deps.sh installs it)"; exit 77; }
done
grep -qi nghttp2 <<<"$(curl --version)" || { echo "SKIPPED: this curl has no HTTP/2"; exit 77; }
base=https://127.0.0.1:$port
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/../lib/checks.sh"
cs() { curl --silent --show-error --max-time 10 -k "$@"; }
md5() { md5sum "$1" | cut -d' ' -f1; }
# s_client: sends $1 (a request) and prints what came back; other arguments go to s_client
sclient() {
    local req=$1
    shift
    { printf '%b' "$req"; sleep 1; } | timeout 15 openssl s_client -connect 127.0.0.1:$port -ign_eof "$@" 2>&1 | tr -d '\0'
}
still_serving() {
    expect "the server still serves after $1" "$(cs --http2 -o /dev/null -w '%{http_code} %{http_version}' "$base/")" "200 2"
}

if [ "${TLS_CLIENTS_ONLY:-}" != bad ]; then # TLS_CLIENTS_ONLY=bad: only the bad-input cases (the valgrind run)
# --- curl: h2 and HTTP/1.1, TLS 1.3 and 1.2 --------------------------------------------------------
for tls in "--tlsv1.3" "--tlsv1.2 --tls-max 1.2"; do
    for proto in "--http2:2" "--http1.1:1.1"; do
        # shellcheck disable=SC2086
        got=$(cs ${proto%%:*} $tls -o "$tmp/body" -w '%{http_code} %{http_version}' "$base/index.html")
        expect "curl ${proto%%:*} $tls GET /index.html: 200 over HTTP/${proto##*:}" "$got" "200 ${proto##*:}"
        cmp -s "$tmp/body" "$docroot/index.html" && ok "  body equals index.html" || fail "  body differs from index.html"
    done
done
# every file of the site over h2, byte for byte
files=$(cd "$docroot" && find . -type f ! -name '*.gz' | sed 's|^\./||' | sort)
bad=0
for f in $files; do
    got=$(cs --http2 -o "$tmp/body" -w '%{http_code} %{http_version}' "$base/$f")
    { [ "$got" == "200 2" ] && cmp -s "$tmp/body" "$docroot/$f"; } || { bad=1; fail "curl --http2 GET /$f: [$got]"; }
done
[ $bad = 0 ] && ok "curl --http2: every file of the site, 200 over HTTP/2, bytes equal ($(wc -w <<<"$files") files)"
# a large body both ways (many full records; flow control over TLS)
head -c 3000000 /dev/urandom >"$tmp/large"
got=$(cs --http2 -o "$tmp/echo" -w '%{http_code}' --data-binary @"$tmp/large" "$base/post-test")
expect "curl --http2 POST 3 MB echo: 200" "$got" "200"
cmp -s "$tmp/echo" "$tmp/large" && ok "  echoed bytes equal" || fail "  echoed bytes differ"
got=$(cs --http1.1 -o "$tmp/echo" -w '%{http_code}' --data-binary @"$tmp/large" "$base/post-test")
expect "curl --http1.1 POST 3 MB echo: 200" "$got" "200"
cmp -s "$tmp/echo" "$tmp/large" && ok "  echoed bytes equal" || fail "  echoed bytes differ"

# --- openssl s_client: no ALPN, an unknown ALPN -> HTTP/1.1 ------------------------------------------
req='GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'
out=$(sclient "$req")
expect_match "s_client without -alpn: handshake, no ALPN" "$out" "No ALPN negotiated"
expect_match "s_client without -alpn: HTTP/1.1 200" "$out" "HTTP/1\.1 200 OK"
out=$(sclient "$req" -alpn foo)
expect_match "s_client -alpn foo: the handshake completes (no no_application_protocol alert)" "$out" "No ALPN negotiated"
expect_match "s_client -alpn foo: HTTP/1.1 200" "$out" "HTTP/1\.1 200 OK"
out=$(sclient "" -alpn h2,http/1.1 </dev/null)
expect_match "s_client -alpn h2,http/1.1: h2 selected" "$out" "ALPN protocol: h2"

# --- nghttp and h2load --------------------------------------------------------------------------------
out=$(timeout 20 nghttp -nv "$base/" 2>&1)
expect_match "nghttp -nv: SETTINGS received" "$out" "recv SETTINGS frame"
expect_match "nghttp -nv: :status 200" "$out" ":status: 200"
expect_match "nghttp -nv: negotiated h2" "$out" "The negotiated protocol: h2"
out=$(timeout 60 h2load -c 16 -m 10 -n 3000 "$base/index.html" 2>&1)
expect_match "h2load -c 16 -m 10 -n 3000 over TLS: all succeeded" "$out" "3000 total, 3000 started, 3000 done, 3000 succeeded"
expect_match "h2load: application protocol h2" "$out" "Application protocol: h2"

# --- a real browser: chromium loads the demo page over h2 (its net-log, not only the page) ------------
if command -v chromium >/dev/null 2>&1; then
    . "$here/../lib/chromium.sh"
    chromium_browse "$tmp" demo "$base/"
    expect "chromium: exit status" "$?" "0"
    expect "chromium: the demo page's DOM" "$(grep -c '<h1>It works.</h1>' "$tmp/dom-demo.html")" "1"
    expect "chromium: the net-log says h2 over TLS 1.3" "$(python3 "$here/../lib/netlog_h2.py" "$tmp/netlog-demo.json" "$port" 2>&1)" "h2 over TLS 1.3"
else
    echo "note: chromium not found (tests/setup-deps.sh installs it): the browser check is left out"
fi
# --- resumption ---------------------------------------------------------------------------------------
for v in -tls1_2 -tls1_3; do
    sclient "" $v -sess_out "$tmp/sess$v" </dev/null >"$tmp/first$v"
    expect_match "s_client $v first connection: New" "$(cat "$tmp/first$v")" "^New, "
    out=$(sclient "$req" $v -sess_in "$tmp/sess$v")
    expect_match "s_client $v -sess_in: Reused" "$out" "^Reused, "
done

# --- SNI ----------------------------------------------------------------------------------------------
subj() { timeout 15 openssl s_client -connect 127.0.0.1:$port "$@" </dev/null 2>/dev/null | openssl x509 -noout -subject 2>/dev/null; }
expect_match "SNI other.test: other.crt" "$(subj -servername other.test)" "CN ?= ?other\.test"
expect_match "SNI localhost: the default certificate" "$(subj -servername localhost)" "CN ?= ?localhost"
expect_match "no SNI: the default certificate" "$(subj -noservername)" "CN ?= ?localhost"

# --- the access log's ssl.* directives ---------------------------------------------------------------
cs --http2 --tlsv1.3 -o /dev/null "$base/?log-probe-13"
cs --http1.1 --tlsv1.2 --tls-max 1.2 -o /dev/null "$base/?log-probe-12"
sclient "" -tls1_2 -sess_out "$tmp/sess-log" </dev/null >/dev/null
sclient 'GET /?log-probe-reused HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' -tls1_2 -sess_in "$tmp/sess-log" >/dev/null
sleep 0.5
l13=$(grep -a 'log-probe-13 ' "$log" | tail -1)
l12=$(grep -a 'log-probe-12 ' "$log" | tail -1)
lre=$(grep -a 'log-probe-reused ' "$log" | tail -1)
expect_match "log: TLS 1.3 over h2: version, cipher, bits, not reused, no session id" "$l13" \
    "^GET /\?log-probe-13 HTTP/2 200 HTTP/2 TLSv1\.3 TLS_(AES_256_GCM_SHA384 256|AES_128_GCM_SHA256 128|CHACHA20_POLY1305_SHA256 256) 0 -$"
expect_match "log: TLS 1.2 over HTTP/1.1: OpenSSL cipher name" "$l12" \
    "^GET /\?log-probe-12 HTTP/1\.1 200 HTTP/1\.1 TLSv1\.2 ECDHE-ECDSA-(AES256-GCM-SHA384 256|AES128-GCM-SHA256 128|CHACHA20-POLY1305 256) 0 -$"
expect_match "log: a resumed TLS 1.2 session: session-reused 1" "$lre" " TLSv1\.2 [A-Z0-9-]+ [0-9]+ 1 -$"

fi

# --- bad input ----------------------------------------------------------------------------------------
for c in garbage cleartext truncated vanish stalled; do
    out=$(timeout 30 python3 "$here/bad_input.py" "$port" $c 2>&1)
    expect_match "bad input: $c: the connection is closed" "$out" "^ok $c"
    still_serving "$c"
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
