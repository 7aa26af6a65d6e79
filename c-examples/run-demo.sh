#!/usr/bin/env bash
# The main job: build libh2o-rs, install it to ./prefix, build the C examples against the installed
# package (find_package(h2o-evloop)), and start the demo server c-examples/embedder on
# 127.0.0.1:8080 serving c-examples/site/, and over TLS on 127.0.0.1:8443 with a self-signed
# certificate made on first start ($BUILD_DIR/demo-tls/, by openssl req). Ctrl-C stops it
# (gracefully; a second Ctrl-C at once).
#   c-examples/run-demo.sh [PORT [TLS_PORT]]        (default 8080 8443)
# BUILD_DIR and PREFIX override ./build and ./prefix.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${BUILD_DIR:-$root/build}
prefix=${PREFIX:-$root/prefix}
port=${1:-8080}
tls_port=${2:-8443}
if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
    # shellcheck disable=SC1091
    . "$HOME/.cargo/env"
fi
jobs=$(nproc 2>/dev/null || echo 2)

echo "== build and install libh2o-rs to $prefix"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$jobs"
cmake --install "$build" --prefix "$prefix" >/dev/null
ls -l "$prefix"/lib/libh2o-evloop.* | sed 's/^/   /'

echo "== build c-examples against the installed package"
# h2o-evloop_DIR rather than CMAKE_PREFIX_PATH: a cached location from an earlier PREFIX must not win
cmake -S c-examples -B "$build/examples" -Dh2o-evloop_DIR="$prefix/lib/cmake/h2o-evloop" >/dev/null
cmake --build "$build/examples" -j "$jobs" >/dev/null

echo "== TLS certificate"
tlsdir=$build/demo-tls
if [ ! -s "$tlsdir/cert.pem" ] || [ ! -s "$tlsdir/key.pem" ]; then
    mkdir -p "$tlsdir"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
        -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -keyout "$tlsdir/key.pem" -out "$tlsdir/cert.pem" 2>/dev/null
    echo "   made a self-signed certificate: $tlsdir/cert.pem"
else
    echo "   $tlsdir/cert.pem (self-signed, made on the first start)"
fi
export EMBEDDER_TLS_CERT=$tlsdir/cert.pem EMBEDDER_TLS_KEY=$tlsdir/key.pem EMBEDDER_TLS_PORT=$tls_port

base=http://127.0.0.1:$port
tbase=https://127.0.0.1:$tls_port
cat <<MSG
== starting the demo server: $build/examples/embedder $port c-examples/site
   (written against the libh2o 2.2.5 API; it links $prefix/lib/libh2o-evloop.so.0.13)

   Open $base/ in a browser, or try:
     curl -v $base/
     curl -I $base/img/tiles.png
     curl -r 0-99 $base/index.html
     curl --data-binary 'hello' $base/post-test
     curl -N $base/chunked
     curl -H 'X-Hello: world' $base/headers
     curl -i $base/push                (103 Early Hints, then the page)

   HTTP/2 over cleartext on the same port (the program has no HTTP/2 code of its own):
     curl --http2-prior-knowledge $base/
     curl --http2 -v $base/            (HTTP/1.1 Upgrade: h2c)
     nghttp -nv $base/
     nghttp -ans $base/                (the page and its assets, with timings)
     nghttp -nv $base/push             (103, then PUSH_PROMISE of style.css and app.js)
     curl --http2-prior-knowledge $base/.well-known/h2/state

   HTTPS (rustls; h2 by ALPN, else HTTP/1.1) on $tbase/ with the self-signed certificate:
     open $tbase/ in a browser (accept the certificate warning: HTTP/2 over TLS)
     curl -k --http2 -v $tbase/
     curl -k --http1.1 --tlsv1.2 --tls-max 1.2 $tbase/
     nghttp -nv $tbase/
     openssl s_client -connect 127.0.0.1:$tls_port         (no ALPN: HTTP/1.1)

   The access log follows below (the server's standard output). Ctrl-C stops the server.

MSG
exec "$build/examples/embedder" "$port" "$root/c-examples/site"
