#!/usr/bin/env bash
# The WAN benchmark of BENCHMARKS.md ("Latency-optimized writes on an emulated WAN"): JS latency
# over h2c, latency optimization ON vs OFF, libh2o-rs vs Debian's 2.2.5 (one wan_server binary,
# built against Debian's, run on ours through LD_LIBRARY_PATH), runs alternated, in three cases:
#
#   rtt250-50mbit        RTT 250 ms, 50 Mbit/s bottleneck, 1-BDP router queue
#   rtt250-uncapped      RTT 250 ms, no rate cap
#   rtt250-uncapped-hog  the same with a CPU hog (a busy loop) pinned to the servers' CPU
#
# then loopback bulk throughput (h2load, 1 MiB file, one connection) with the mode ON vs OFF.
# Writes OUT/results.jsonl, OUT/table.md, OUT/js-latency.svg, OUT/loopback.txt.
#
#   benches/wan/run.sh BUILD_TESTS_C_DIR OUR_LIBDIR OUT [RUNS=20]
#   e.g. benches/wan/run.sh build/tests-c build/prefix/lib /tmp/wan-bench 20
# (build/tests-c from the C tests' recipe; `cmake --build build/tests-c --target wan-server wan-delayline`)
# Root, /dev/net/tun, python3's h2; about 12 minutes with 20 runs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bt=$(cd "$1" && pwd) libdir=$(cd "$2" && pwd) out=$3 runs=${4:-20}
server=$bt/wan/wan-server delayline=$bt/wan/wan-delayline
mkdir -p "$out"
rm -f "$out/results.jsonl"
common=(--server "$server" --delayline "$delayline" --our-libdir "$libdir" --runs "$runs" --rtt-ms 250 --max-seconds 900)
bash "$root/tests/wan/wan.sh" "${common[@]}" --out "$out/rtt250-50mbit" --case rtt250-50mbit --rate-mbit 50
bash "$root/tests/wan/wan.sh" "${common[@]}" --out "$out/rtt250-uncapped" --case rtt250-uncapped --rate-mbit 0
bash "$root/tests/wan/wan.sh" "${common[@]}" --out "$out/rtt250-uncapped-hog" --case rtt250-uncapped-hog --rate-mbit 0 --hog
cat "$out"/rtt250-*/results.jsonl >"$out/results.jsonl"

# loopback bulk throughput: the same binary, ON and OFF, ours and Debian's, alternated
{
    echo "loopback: h2load -n 200 -c 1 -m 1 (1 MiB file, h2c), 3 alternated rounds"
    doc=$out/rtt250-50mbit/docroot
    pids=()
    trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done' EXIT
    port=18700
    for lib in ours debian; do
        for mode in on off; do
            port=$((port + 1))
            env=()
            [ "$lib" = ours ] && env=("LD_LIBRARY_PATH=$libdir")
            env "${env[@]}" taskset -c 1 "$server" 127.0.0.1 "$port" "$doc" "$mode" 300 >/dev/null 2>&1 &
            pids+=($!)
        done
    done
    sleep 0.5
    for round in 1 2 3; do
        port=18700
        for lib in ours debian; do
            for mode in on off; do
                port=$((port + 1))
                r=$(taskset -c 0 h2load -n 200 -c 1 -m 1 "http://127.0.0.1:$port/big.html" 2>&1 | grep -E '^finished in')
                echo "round $round $lib-$mode: $r"
            done
        done
    done
} | tee "$out/loopback.txt"

python3 "$root/tests/wan/summarize.py" --markdown "$out/results.jsonl" | tee "$out/table.md"
python3 "$here/plot.py" "$out/results.jsonl" --out "$out/js-latency.svg"
echo "wrote $out/table.md, $out/js-latency.svg, $out/loopback.txt"
