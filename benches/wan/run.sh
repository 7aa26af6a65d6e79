#!/usr/bin/env bash
# The WAN benchmark of BENCHMARKS.md ("Latency-optimized writes on an emulated WAN"): JS latency
# over h2c and over TLS (h2 by ALPN, an OpenSSL SSL_CTX handed to the library), latency optimization
# ON vs OFF, libh2o-rs vs Debian's 2.2.5 (one wan_server binary, built against Debian's, run on
# ours through LD_LIBRARY_PATH), runs alternated, in three cases, each h2c then TLS (suffix -tls):
#
#   rtt250-50mbit        RTT 250 ms, 50 Mbit/s bottleneck, 1-BDP router queue
#   rtt250-uncapped      RTT 250 ms, no rate cap
#   rtt250-uncapped-hog  the same with a CPU hog (a busy loop) pinned to the servers' CPU
#
# then loopback bulk throughput (h2load, 1 MiB file, one connection, h2c and TLS) with the mode
# ON vs OFF. CASES="rtt250-50mbit ..." (environment) runs only those cases.
# Writes OUT/results.jsonl, OUT/table.md, OUT/js-latency.svg, OUT/loopback.txt.
#
#   benches/wan/run.sh BUILD_TESTS_C_DIR OUR_LIBDIR OUT [RUNS=20]
#   e.g. benches/wan/run.sh build/tests-c build/prefix/lib /tmp/wan-bench 20
# (build/tests-c from the C tests' recipe; `cmake --build build/tests-c --target wan-server wan-delayline`)
# Root, /dev/net/tun, python3's h2, openssl, h2load; about 25 minutes with 20 runs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bt=$(cd "$1" && pwd) libdir=$(cd "$2" && pwd) out=$3 runs=${4:-20}
server=$bt/wan/wan-server delayline=$bt/wan/wan-delayline
mkdir -p "$out"
rm -f "$out/results.jsonl"
common=(--server "$server" --delayline "$delayline" --our-libdir "$libdir" --runs "$runs" --rtt-ms 250 --max-seconds 900)
cases=${CASES:-"rtt250-50mbit rtt250-uncapped rtt250-uncapped-hog"}
for c in $cases; do
    case $c in
        rtt250-50mbit) args=(--rate-mbit 50) ;;
        rtt250-uncapped) args=(--rate-mbit 0) ;;
        rtt250-uncapped-hog) args=(--rate-mbit 0 --hog) ;;
        *) echo "run.sh: unknown case $c" >&2; exit 2 ;;
    esac
    bash "$root/tests/wan/wan.sh" "${common[@]}" --out "$out/$c" --case "$c" "${args[@]}"
    bash "$root/tests/wan/wan.sh" "${common[@]}" --out "$out/$c-tls" --case "$c-tls" "${args[@]}" --tls
done
for c in $cases; do cat "$out/$c/results.jsonl" "$out/$c-tls/results.jsonl"; done >"$out/results.jsonl"

# loopback bulk throughput: the same binary, ON and OFF, ours and Debian's, h2c and TLS, alternated
{
    echo "loopback: h2load -n 200 -c 1 -m 1 (1 MiB file), h2c and TLS, 3 alternated rounds"
    doc=$out/loopback-docroot
    mkdir -p "$doc"
    cp "$out/$(set -- $cases; echo "$1")/docroot/big.html" "$doc/"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=loopback.test \
        -keyout "$out/loopback-key.pem" -out "$out/loopback-cert.pem" 2>/dev/null
    pids=()
    trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done' EXIT
    port=18700
    for proto in h2c tls; do
        for lib in ours debian; do
            for mode in on off; do
                port=$((port + 1))
                env=()
                [ "$lib" = ours ] && env=("LD_LIBRARY_PATH=$libdir")
                tls=()
                [ "$proto" = tls ] && tls=("$out/loopback-cert.pem" "$out/loopback-key.pem")
                env "${env[@]}" taskset -c 1 "$server" 127.0.0.1 "$port" "$doc" "$mode" 300 "${tls[@]}" >/dev/null 2>&1 &
                pids+=($!)
            done
        done
    done
    sleep 0.5
    for round in 1 2 3; do
        port=18700
        for proto in h2c tls; do
            scheme=http
            [ "$proto" = tls ] && scheme=https
            for lib in ours debian; do
                for mode in on off; do
                    port=$((port + 1))
                    r=$(taskset -c 0 timeout 120 h2load -n 200 -c 1 -m 1 "$scheme://127.0.0.1:$port/big.html" 2>&1 | grep -E '^finished in|^requests:' | tr '\n' ' ')
                    echo "round $round $proto $lib-$mode: $r"
                done
            done
        done
    done
} | tee "$out/loopback.txt"

python3 "$root/tests/wan/summarize.py" --markdown "$out/results.jsonl" | tee "$out/table.md"
python3 "$here/plot.py" "$out/results.jsonl" --out "$out/js-latency.svg"
echo "wrote $out/table.md, $out/js-latency.svg, $out/loopback.txt"
