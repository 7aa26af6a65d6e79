#!/usr/bin/env bash
# Where the server's user-space time goes: bench_server (as run.sh builds it) on one library under
# valgrind's callgrind, loaded by one bounded h2load run, then the functions with the largest
# inclusive instruction counts (callgrind_annotate --inclusive=yes). Only what runs inside
# h2o_evloop_run is counted (--toggle-collect), so start-up and configuration are left out; the
# kernel's share (system calls, loopback TCP) is not in these counts at all.
#
#   benches/server/profile.sh [--lib DIR] [--proto h1|h2|h2tls] [--path PATH] [--requests N] [--conns C]
#                             [--streams M] [--top K] [--keep DIR]
#
# --lib: the directory holding the libh2o-evloop.so.0.13 to profile (default: build/prefix/lib;
# /usr/lib/x86_64-linux-gnu for Debian's). --path: /file100.txt (default), /file16k.txt or /inline.
# --proto h2tls: HTTP/2 over TLS as run.sh serves it (an OpenSSL SSL_CTX, here with a P-256 key so
# that the 16 connections' handshakes stay a small part of the counts).
# --keep DIR: leave callgrind.out there (for callgrind_annotate --tree=caller etc.).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=lib.sh
. "$root/benches/server/lib.sh"
lib=$root/build/prefix/lib
proto=h2
path=/file100.txt
requests=20000
conns=16
streams=10
top=25
keep=
while [ $# -gt 0 ]; do
    case $1 in
    --lib) lib=$2; shift 2 ;;
    --proto) proto=$2; shift 2 ;;
    --path) path=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --conns) conns=$2; shift 2 ;;
    --streams) streams=$2; shift 2 ;;
    --top) top=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
[ -e "$lib/libh2o-evloop.so.0.13" ] || { echo "no $lib/libh2o-evloop.so.0.13" >&2; exit 1; }

work=$(mktemp -d)
vg_pid=
cleanup() {
    [ -n "$vg_pid" ] && kill "$vg_pid" 2>/dev/null && wait "$vg_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

build_bench_server "$work" "$root"
scheme=http
if [ "$proto" = h2tls ]; then
    scheme=https
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
        -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
    export BENCH_TLS_CERT=$work/cert.pem BENCH_TLS_KEY=$work/key.pem
fi

for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 20000))
    LD_LIBRARY_PATH=$lib taskset -c 0 valgrind --tool=callgrind --toggle-collect=h2o_evloop_run \
        --callgrind-out-file="$work/callgrind.out" "$work/bench_server" "$port" "$work/docroot" \
        >"$work/ready" 2>"$work/server.err" &
    vg_pid=$!
    for _ in $(seq 600); do
        grep -q ready "$work/ready" 2>/dev/null && break
        kill -0 "$vg_pid" 2>/dev/null || break
        sleep 0.05
    done
    grep -q ready "$work/ready" 2>/dev/null && break
    wait "$vg_pid" 2>/dev/null || true
    vg_pid=
    grep -q "Address already in use" "$work/server.err" || { echo "server did not start:" >&2; cat "$work/server.err" >&2; exit 1; }
done
[ -n "$vg_pid" ] || { echo "no free port" >&2; exit 1; }
grep -q "$(readlink -f "$lib/libh2o-evloop.so.0.13")" "/proc/$(awk '{print $2}' "$work/ready")/maps" ||
    { echo "the server does not map $lib/libh2o-evloop.so.0.13" >&2; exit 1; }

args=(-c "$conns" -t 1 -n "$requests")
if [ "$proto" = h1 ]; then args+=(--h1); else args+=(-m "$streams"); fi
out=$(timeout 300 taskset -c 1 h2load "${args[@]}" "$scheme://127.0.0.1:$port$path" 2>&1) || { echo "h2load failed:" >&2; echo "$out" >&2; exit 1; }
grep -q " $requests succeeded, 0 failed" <<<"$out" || { echo "h2load saw failures:" >&2; echo "$out" >&2; exit 1; }
kill -TERM "$vg_pid"
wait "$vg_pid" 2>/dev/null || true
vg_pid=

if [ -n "$keep" ]; then mkdir -p "$keep" && cp "$work/callgrind.out" "$keep/"; fi
callgrind_annotate --auto=no --threshold=100 "$work/callgrind.out" >"$work/self.txt" 2>&1
callgrind_annotate --auto=no --inclusive=yes --threshold=100 "$work/callgrind.out" >"$work/incl.txt" 2>&1
echo "$proto $path, $requests requests (h2load ${args[*]}), library $(readlink -f "$lib/libh2o-evloop.so.0.13")"
total=$(awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}' "$work/self.txt")
echo "instructions inside h2o_evloop_run: $total ($((total / requests)) per request)"
echo
echo "inclusive share | Ir per request | function"
per_function "$work/incl.txt" incl "$total" "$requests" "$top"
echo
echo "self share | Ir per request | function (self cost: the instructions in the function's own code)"
per_function "$work/self.txt" self "$total" "$requests" "$top"
