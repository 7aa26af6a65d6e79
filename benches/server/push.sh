#!/usr/bin/env bash
# Server push cost: the README demo embedder (c-examples/embedder.c built against Debian's 2.2.5
# headers, tests/abi's abi-embedder-demo-relink) on Debian's libh2o-evloop and on ours, server pinned
# to CPU 0 and the client to CPU 1. A page is one new h2c connection from `nghttp -n` (h2load cannot
# be used: it turns push off in its SETTINGS) asking for /push?nohints, whose final response links
# /style.css and /app.js with rel=preload (both pushed: 3 responses a page), or /push?nopush (the
# same page, links marked nopush: 1 response). Server CPU per page = the change of
# /proc/PID/schedstat's first field over PAGES pages / PAGES. Rounds alternate the libraries.
#
#   benches/server/push.sh DEMO_RELINK_BINARY OUR_LIBDIR [PAGES [ROUNDS]]
set -euo pipefail
bin=$1 ours=$2 pages=${3:-200} rounds=${4:-3}
site=$(cd "$(dirname "$0")/../../c-examples/site" && pwd)
debian=/usr/lib/x86_64-linux-gnu
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null' EXIT
declare -A cpu
for r in $(seq "$rounds"); do
    if [ $((r % 2)) -eq 1 ]; then order=(debian ours); else order=(ours debian); fi
    for lib in "${order[@]}"; do
        dir=$debian; [ "$lib" = ours ] && dir=$ours
        port=$((20000 + RANDOM % 20000))
        LD_LIBRARY_PATH=$dir EMBEDDER_LOG_FORMAT='%r %s %{x-http2-push}o' taskset -c 0 "$bin" "$port" "$site" >/tmp/push-bench.log 2>&1 &
        pid=$!
        for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
        grep -q "$(readlink -f "$dir/libh2o-evloop.so.0.13")" "/proc/$pid/maps" || { echo "$lib: wrong library mapped" >&2; exit 1; }
        for page in nohints nopush; do
            timeout 30 taskset -c 1 nghttp -n "http://127.0.0.1:$port/push?$page" >/dev/null # warm-up
            before=$(awk '{print $1}' "/proc/$pid/schedstat")
            for _ in $(seq "$pages"); do timeout 30 taskset -c 1 nghttp -n "http://127.0.0.1:$port/push?$page" >/dev/null; done
            after=$(awk '{print $1}' "/proc/$pid/schedstat")
            cpu[$lib,$page]+="$(( (after - before) / pages )) "
        done
        n_pushed=$(grep -c ' pushed$' /tmp/push-bench.log || true)
        [ "$n_pushed" -ge $((2 * pages)) ] || { echo "$lib: only $n_pushed pushes logged" >&2; exit 1; }
        kill $pid; wait $pid 2>/dev/null || true; pid=
    done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "server CPU per page (ns), median of $rounds rounds of $pages pages, one new h2c connection a page:"
echo "| page | Debian | ours | Debian/ours |"
echo "|---|---:|---:|---:|"
for page in nohints nopush; do
    d=$(echo "${cpu[debian,$page]}" | median) o=$(echo "${cpu[ours,$page]}" | median)
    printf '| /push?%s | %d | %d | %.2fx |\n' "$page" "$d" "$o" "$(echo "$d / $o" | bc -l)"
done
for lib in debian ours; do
    d1=$(echo "${cpu[$lib,nohints]}" | median) d0=$(echo "${cpu[$lib,nopush]}" | median)
    echo "$lib: the two pushes add $(( d1 - d0 )) ns per page"
done
echo "per round: nohints debian ${cpu[debian,nohints]}/ ours ${cpu[ours,nohints]}; nopush debian ${cpu[debian,nopush]}/ ours ${cpu[ours,nopush]}"
