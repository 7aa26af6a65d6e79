#!/usr/bin/env bash
# A real browser over TLS: Debian's chromium, headless, loads tls_serve's HTML page (a 2.2.5-style
# embedder handing libh2o an OpenSSL SSL_CTX; RSA certificates, h2o_alpn_protocols) twice: with its
# defaults (TLS 1.3) and with --ssl-version-max=tls1.2. Each time the page must come back (--dump-dom)
# and chromium's own net-log must show that it was fetched over HTTP/2: the TLS handshake with the
# server's port negotiated "h2" at the expected TLS version, an HTTP/2 session to 127.0.0.1:PORT was
# initialized with protocol h2, and the main-frame request for / went out as HTTP/2 headers and got
# ":status: 200" on that session. Chromium is kept off the network: every host name but 127.0.0.1
# resolves to nothing, no QUIC, no component updates, a fresh profile per run.
# Skips (77) without chromium, openssl or python3. Bounded: each chromium run by `timeout` (60 s),
# the server exits after 90 s.
# Usage: tls_chromium.sh SERVE_BINARY WORKDIR [debian]
set -uo pipefail
serve=$1
work=$2
on=${3:-ours}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tls_certs.sh
. "$here/tls_certs.sh"
# shellcheck source=../../lib/chromium.sh
. "$here/../../lib/chromium.sh"
command -v chromium >/dev/null 2>&1 || { echo "SKIPPED: chromium not found (apt-get install chromium)"; exit 77; }
command -v openssl >/dev/null 2>&1 || { echo "SKIPPED: openssl not found"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "SKIPPED: python3 not found"; exit 77; }
command -v curl >/dev/null 2>&1 || { echo "SKIPPED: curl not found"; exit 77; }
rm -rf "$work"
mkdir -p "$work/docroot"
tls_make_certs "$work" rsa || exit 1
portfile=$work/port
"$serve" "$portfile" 90 "$work/chain.pem" "$work/leaf.key" "$work/docroot" all 2>"$work/stderr" &
pid=$!
trap 'kill -KILL $pid 2>/dev/null' EXIT
for _ in $(seq 1 200); do [ -s "$portfile" ] && break; kill -0 $pid 2>/dev/null || break; sleep 0.05; done
[ -s "$portfile" ] || { echo "FAIL: server did not start"; cat "$work/stderr"; exit 1; }
port=$(cat "$portfile")
# shellcheck source=server_checks.sh
. "$(dirname "${BASH_SOURCE[0]}")/server_checks.sh"
tls_check_origin "$portfile.origin" "$on" || fails=$((fails + 1))

# $1: a name; $2: the TLS version the net-log must show ("TLS 1.3" / "TLS 1.2"); the rest: extra flags
browse() {
    local n=$1 want_version=$2 started
    shift 2
    started=$(date +%s.%N)
    chromium_browse "$work" "$n" "https://127.0.0.1:$port/" "$@"
    expect "chromium ($n): exit status" "$?" "0"
    echo "     (chromium ran $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s)"
    expect "chromium ($n): the page's DOM" "$(grep -c '<p id="msg">served over TLS by a 2.2.5 embedder</p>' "$work/dom-$n.html")" "1"
    expect "chromium ($n): the net-log says h2 over $want_version" \
        "$(python3 "$here/../../lib/netlog_h2.py" "$work/netlog-$n.json" "$port" 2>&1)" "h2 over $want_version"
}

browse tls13 "TLS 1.3"
browse tls12 "TLS 1.2" --ssl-version-max=tls1.2

expect "/quit" "$(curl --silent --show-error --max-time 10 --cacert "$work/root.pem" "https://127.0.0.1:$port/quit")" "bye"
finish_after_quit
