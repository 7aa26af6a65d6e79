#!/usr/bin/env bash
# The page-load benchmark of BENCHMARKS.md ("Page-complete time with push and 103 on an emulated
# WAN", issue 11): page_load.py over the WAN harness (tests/wan/wan.sh --client page), RTT 250 ms,
# an application think time of 200 ms, wan_server's /page in the modes nopush, push, 103 and
# 103nopush, with the big (CSS + JS + image, 112 KiB) and the small (CSS + JS, 4 KiB) asset sets;
# libh2o-rs vs Debian's 2.2.5 (one wan_server binary; 2.2.5 has no h2o_send_informational, so only
# nopush and push run on it), latency optimization as h2o_config_init leaves it (on), h2c. Runs
# alternate over every (server, assets, mode) cell. Cases:
#
#   rtt250-50mbit            RTT 250 ms, 50 Mbit/s bottleneck, 1-BDP router queue
#   rtt250-uncapped          RTT 250 ms, no rate cap
#   rtt250-50mbit-tls        the first over TLS (h2 by ALPN; the clock starts after the handshake)
#   rtt250-50mbit-think500   the first with a 500 ms (2 RTT) think time
#
# CASES="rtt250-50mbit" (environment) runs only those; THINK_MS=200 changes the default think time.
# Writes OUT/results.jsonl and OUT/table.md. Each case is bounded by wan.sh --max-seconds 600.
#
#   benches/wan/page.sh BUILD_TESTS_C_DIR OUR_LIBDIR OUT [RUNS=10]
#   e.g. benches/wan/page.sh build/tests-c build/prefix/lib /tmp/wan-page 10
# Root, /dev/net/tun, python3's h2, openssl (the TLS case); about 3 minutes per case with 10 runs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bt=$(cd "$1" && pwd) libdir=$(cd "$2" && pwd) out=$3 runs=${4:-10}
mkdir -p "$out"
rm -f "$out/results.jsonl"
common=(--server "$bt/wan/wan-server" --delayline "$bt/wan/wan-delayline" --our-libdir "$libdir" --runs "$runs" --rtt-ms 250
        --modes on --client page --page-assets big,small --max-seconds 600)
think=${THINK_MS:-200}
cases=${CASES:-"rtt250-50mbit rtt250-uncapped rtt250-50mbit-tls rtt250-50mbit-think500"}
for c in $cases; do
    case $c in
        rtt250-50mbit) args=(--rate-mbit 50 --think-ms "$think") ;;
        rtt250-uncapped) args=(--rate-mbit 0 --think-ms "$think") ;;
        rtt250-50mbit-tls) args=(--rate-mbit 50 --think-ms "$think" --tls) ;;
        rtt250-50mbit-think500) args=(--rate-mbit 50 --think-ms 500) ;;
        *) echo "page.sh: unknown case $c" >&2; exit 2 ;;
    esac
    bash "$root/tests/wan/wan.sh" "${common[@]}" --out "$out/$c" --case "$c" "${args[@]}"
done
for c in $cases; do cat "$out/$c/results.jsonl"; done >"$out/results.jsonl"
python3 "$root/tests/wan/summarize_page.py" --markdown "$out/results.jsonl" | tee "$out/table.md"
echo "wrote $out/table.md"
