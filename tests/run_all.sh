#!/usr/bin/env bash
# Runs every test of libh2o-rs:
#   1. cargo test --release          (Rust unit and integration tests)
#   2. build and install the library (cmake) into build/prefix
#   3. the C tests (tests/c, ctest) against that installed prefix
# Installs missing tools first (tests/setup-deps.sh) when CI=true or when something is missing.
# Exits non-zero if anything fails. BUILD_DIR overrides the build directory (default: build).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${BUILD_DIR:-$root/build}
case $build in /*) ;; *) build=$root/$build ;; esac
prefix=$build/prefix
jobs=$(nproc 2>/dev/null || echo 2)

current=""
section() {
    current=$*
    printf '\n===== %s =====\n' "$*"
}
trap 'rc=$?; [ $rc -ne 0 ] && printf "\n***** FAILED in: %s (exit %d) *****\n\n" "$current" "$rc"' EXIT

section "dependencies"
if [ "${CI:-}" = true ] || ! bash tests/setup-deps.sh --check; then
    bash tests/setup-deps.sh
fi
if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
    # shellcheck disable=SC1091
    . "$HOME/.cargo/env"
fi
locked=()
[ -f Cargo.lock ] && locked=(--locked)

section "cargo test --release"
cargo test --release "${locked[@]}"

section "cmake: build and install the library to $prefix"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j "$jobs"
rm -rf "$prefix"
cmake --install "$build" --prefix "$prefix"

section "C tests (tests/c) against $prefix"
# Fresh each time: a cached h2o-evloop_DIR from an earlier configure would otherwise win over
# CMAKE_PREFIX_PATH and test some other installed copy.
rm -rf "$build/tests-c"
cmake -S tests/c -B "$build/tests-c" -DCMAKE_PREFIX_PATH="$prefix" -DH2O_RS_SOURCE_DIR="$root"
cmake --build "$build/tests-c" -j "$jobs"
(cd "$build/tests-c" && ctest --output-on-failure -j "$jobs")

current="done"
printf '\n===== all tests passed =====\n'
