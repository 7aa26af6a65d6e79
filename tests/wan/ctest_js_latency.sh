#!/usr/bin/env bash
# ctests wan-js-latency / wan-js-latency-tls: a short run of the WAN harness on our library, h2c
# (or with `tls`, h2 over TLS), RTT 100 ms, 50 Mbit/s, 5 runs each of ON and OFF (alternated), then
# the checks: ON median < 1.3 RTT, OFF median > 1.6 RTT, no failed run. Exit 77 (skipped) when the
# harness cannot run here (wan.sh says why).
#   ctest_js_latency.sh SERVER DELAYLINE OUR_LIBDIR OUTDIR [tls]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
server=$1 delayline=$2 libdir=$3 out=$4
extra=()
[ "${5:-}" = tls ] && extra=(--tls)
rm -rf "$out"
status=0
bash "$here/wan.sh" --server "$server" --delayline "$delayline" --our-libdir "$libdir" --out "$out" \
    --rtt-ms 100 --rate-mbit 50 --runs 5 --libs ours --modes on,off --case ctest --max-seconds 70 "${extra[@]}" || status=$?
[ "$status" -eq 77 ] && exit 77
[ -s "$out/results.jsonl" ] || { echo "FAIL: no results (wan.sh exit $status)"; exit 1; }
python3 "$here/summarize.py" "$out/results.jsonl" \
    --check 'ours-on:median<1.3' --check 'ours-off:median>1.6' --check 'ours-on:errors<1' --check 'ours-off:errors<1'
