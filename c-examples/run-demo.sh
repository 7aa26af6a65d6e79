#!/usr/bin/env bash
# The main job: build libh2o-rs, install it to ./prefix, build the C examples against the installed
# package (find_package(h2o-evloop)), and start the demo server c-examples/embedder on
# 127.0.0.1:8080 serving c-examples/site/. Ctrl-C stops it (gracefully; a second Ctrl-C at once).
#   c-examples/run-demo.sh [PORT]        (default 8080)
# BUILD_DIR and PREFIX override ./build and ./prefix.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${BUILD_DIR:-$root/build}
prefix=${PREFIX:-$root/prefix}
port=${1:-8080}
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

base=http://127.0.0.1:$port
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

   HTTP/2 over cleartext on the same port (the program has no HTTP/2 code of its own):
     curl --http2-prior-knowledge $base/
     curl --http2 -v $base/            (HTTP/1.1 Upgrade: h2c)
     nghttp -nv $base/
     nghttp -ans $base/                (the page and its assets, with timings)
     curl --http2-prior-knowledge $base/.well-known/h2/state

   The access log follows below (the server's standard output). TLS (and so HTTP/2 in browsers)
   comes with its own issue. Ctrl-C stops the server.

MSG
exec "$build/examples/embedder" "$port" "$root/c-examples/site"
