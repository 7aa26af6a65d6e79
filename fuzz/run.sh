#!/usr/bin/env bash
# Runs the fuzz targets, each for a bounded time.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 60; TARGET defaults to every target. Exits non-zero when a target
# finds a crash (the input is then in fuzz/artifacts/<target>/). See fuzz/README.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

secs=${1:-60}
shift || true
if [ $# -gt 0 ]; then targets=("$@"); else targets=(parse_simd_diff chunked_split); fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --version 0.13.2 --locked
fi

# cargo-fuzz passes nightly-only flags (-Zsanitizer=address, ...). A nightly toolchain works as is;
# on stable, RUSTC_BOOTSTRAP=1 unlocks them (stable ships the sanitizer runtimes).
toolchain=()
if [ -n "${FUZZ_TOOLCHAIN:-}" ]; then
    toolchain=("+$FUZZ_TOOLCHAIN")
else
    export RUSTC_BOOTSTRAP=1
fi

for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    cp -n "seeds/$t/"* "corpus/$t/" 2>/dev/null || true
    echo "== $t: ${secs}s"
    cargo "${toolchain[@]}" fuzz run "$t" "corpus/$t" -- \
        -max_total_time="$secs" -dict=http.dict -max_len=4096 -print_final_stats=1
done
