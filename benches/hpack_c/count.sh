#!/bin/bash
# Instructions per pass of each HPACK workload and implementation (see hpack_bench.c), counted by
# callgrind: exact and unaffected by other load on the machine (but blind to cache misses).
#   benches/hpack_c/count.sh [--ours PATH] [--passes N]   (from the repository root)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ours=target/release/libh2o_rs.so passes=3
while [ $# -gt 0 ]; do
    case $1 in
    --ours) ours=$2; shift 2 ;;
    --passes) passes=$2; shift 2 ;;
    *) echo "usage: $0 [--ours PATH] [--passes N]" >&2; exit 2 ;;
    esac
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-8s %-10s %14s\n' workload impl instr/pass
for what in decode encode; do
    for impl in nghttp2 debian ours; do
        valgrind --tool=callgrind --callgrind-out-file="$out/cg" --toggle-collect="pass_${what}_${impl}" \
            "$here/hpack-bench" --ours "$ours" --passes "$passes" >/dev/null 2>"$out/log"
        total=$(sed -n 's/^summary: //p' "$out/cg")
        printf '%-8s %-10s %14d\n' "$what" "$impl" $((total / passes))
    done
done
