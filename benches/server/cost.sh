#!/usr/bin/env bash
# Per-request and per-connection user-space cost of the HTTP/2 server, in instructions counted by
# valgrind's callgrind: bench_server (as run.sh and profile.sh build it) on one library, only what
# runs inside h2o_evloop_run counted (--toggle-collect), one server process, the counters zeroed
# and dumped around each h2load run (callgrind_control -z / -d). Instruction counts do not move with
# the machine's load, so two libraries can be compared on a shared machine.
#
#   benches/server/cost.sh [--lib DIR] [--path PATH] [--small N] [--big N] [--conns C] [--seq S] [--keep DIR]
#
# For PATH (default /inline; /file100.txt serves 100 bytes with the file handler) it prints:
# - per request on a kept connection: (I(--big) - I(--small)) / (big - small), where I(n) is one
#   `h2load -c 1 -m 1 -n n` run (one connection, one stream at a time);
# - per new connection with one request: `h2load -c C -n C` (C connections at once, one request
#   each) / C, and the same for --seq S connections one after another (S runs of `h2load -c 1 -n 1`).
# A warm-up run comes first, so first-use costs of the process (lazy statics, the allocator's
# first arenas) are not counted in any figure. --keep DIR: leave the callgrind.out.* files there.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=lib.sh
. "$root/benches/server/lib.sh"
lib=$root/build/prefix/lib
path=/inline
small=100
big=1100
conns=100
seq=50
keep=
while [ $# -gt 0 ]; do
    case $1 in
    --lib) lib=$2; shift 2 ;;
    --path) path=$2; shift 2 ;;
    --small) small=$2; shift 2 ;;
    --big) big=$2; shift 2 ;;
    --conns) conns=$2; shift 2 ;;
    --seq) seq=$2; shift 2 ;;
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

for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 20000))
    LD_LIBRARY_PATH=$lib valgrind --tool=callgrind --toggle-collect=h2o_evloop_run \
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
server_pid=$(awk '{print $2}' "$work/ready")
grep -q "$(readlink -f "$lib/libh2o-evloop.so.0.13")" "/proc/$server_pid/maps" ||
    { echo "the server does not map $lib/libh2o-evloop.so.0.13" >&2; exit 1; }

# load N ARGS...: one bounded h2load run that must see all N requests succeed
load() {
    local n=$1
    shift
    local out
    out=$(timeout 300 h2load -t 1 -n "$n" "$@" "http://127.0.0.1:$port$path" 2>&1) || { echo "h2load failed:" >&2; echo "$out" >&2; exit 1; }
    grep -q " $n succeeded, 0 failed" <<<"$out" || { echo "h2load saw failures:" >&2; echo "$out" >&2; exit 1; }
    grep -q "Application protocol: h2c" <<<"$out" || { echo "not h2c:" >&2; echo "$out" >&2; exit 1; }
}
# counted NAME N ARGS...: zero the counters, one load, dump; prints the instructions counted
counted() {
    local name=$1
    shift
    callgrind_control -z "$vg_pid" >/dev/null 2>&1
    load "$@"
    callgrind_control -d "$name" "$vg_pid" >/dev/null 2>&1
    local f
    f=$(ls -t "$work"/callgrind.out.* | head -n 1)
    mv "$f" "$work/callgrind.out.$name"
    awk '/^summary:/ { print $2; exit }' "$work/callgrind.out.$name"
}

load 20 -c 1 -m 1 # warm-up
i_small=$(counted small "$small" -c 1 -m 1)
i_big=$(counted big "$big" -c 1 -m 1)
i_conns=$(counted conns "$conns" -c "$conns" -m 1)
callgrind_control -z "$vg_pid" >/dev/null 2>&1
for _ in $(seq "$seq"); do load 1 -c 1 -m 1; done
callgrind_control -d seq "$vg_pid" >/dev/null 2>&1
f=$(ls -t "$work"/callgrind.out.* | head -n 1)
mv "$f" "$work/callgrind.out.seq"
i_seq=$(awk '/^summary:/ { print $2; exit }' "$work/callgrind.out.seq")
kill -TERM "$vg_pid"
wait "$vg_pid" 2>/dev/null || true
vg_pid=
if [ -n "$keep" ]; then mkdir -p "$keep" && cp "$work"/callgrind.out.* "$keep/"; fi

per_req=$(((i_big - i_small) / (big - small)))
echo "h2c $path, library $(readlink -f "$lib/libh2o-evloop.so.0.13")"
echo "per request, kept connection (h2load -c 1 -m 1, n=$big minus n=$small): $per_req instructions"
echo "per new connection with one request (h2load -c $conns -n $conns): $((i_conns / conns))"
echo "per new connection with one request, one after another ($seq x h2load -c 1 -n 1): $((i_seq / seq))"
