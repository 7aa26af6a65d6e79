#!/usr/bin/env bash
# The main job, for now: build the library, install it to ./prefix, build the C examples against the
# installed package (find_package(h2o-evloop)), and run the request-parser demo on the sample file.
#   c-examples/run-demo.sh [FILE]      (default: c-examples/requests.txt)
# BUILD_DIR and PREFIX override ./build and ./prefix.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${BUILD_DIR:-$root/build}
prefix=${PREFIX:-$root/prefix}
input=${1:-$root/c-examples/requests.txt}
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
cmake -S c-examples -B "$build/examples" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$build/examples" -j "$jobs" >/dev/null

echo "== parse-requests $input"
"$build/examples/parse-requests" "$input"
