#!/usr/bin/env bash
# Server push cost: the README demo embedder (c-examples/embedder.c built against Debian's 2.2.5
# headers, tests/abi's abi-embedder-demo-relink) on Debian's libh2o-evloop and on ours, server pinned
# to CPU 0 and the client to CPU 1, rounds alternating the libraries (the order alternates too).
# Server CPU per page = the change of /proc/PID/schedstat's first field over the measured pages /
# pages. h2load cannot be used: it turns push off in its SETTINGS.
#
#   benches/server/push.sh [--keepalive [--conns C] [--inflight K] [--per-conn M]] DEMO_RELINK_BINARY OUR_LIBDIR [PAGES [ROUNDS]]
#
# Default mode (one connection a page): a page is one new h2c connection from `nghttp -n` asking
# for /push?nohints, whose final response links /style.css and /app.js with rel=preload (both
# pushed: 3 responses a page), or /push?nopush (the same page, links marked nopush: 1 response).
# PAGES default 200, ROUNDS 3. Dominated by connection set-up and close.
#
# --keepalive: pages on kept connections, from benches/server/h2_push_load.c (nghttp2's library,
# built here with pkg-config libnghttp2): C connections (default 4), each with at most K pages in
# flight (default 1), M pages per connection before it closes and another opens (default 0: kept
# for the whole run); ENABLE_PUSH 1 and 2^31-1 windows. Both libraries push a path only once per
# connection (2.2.5 remembers pushed paths per connection, and CASPer's fingerprint is per
# connection too, with false positives as it fills), so a page is /push?nohints&v=SEQ, whose links
# are /style.css?v=SEQ and /app.js?v=SEQ (2 pushes a page, checked by the client for every page),
# against /push?nopush&v=SEQ (0 pushes); CASPer is off (EMBEDDER_NO_CASPER=1) so that no push is
# cancelled by a false positive and no Set-Cookie grows along a connection. PAGES default 20000
# per measured run (after 1000 pages of warm-up), ROUNDS 5. It reports server CPU per page and
# pages/s (the client's rate; with K=1 it measures round trips as much as the server).
set -euo pipefail
mode=conn conns=4 inflight=1 per_conn=0
while [ $# -gt 0 ]; do
    case $1 in
    --keepalive) mode=keepalive; shift ;;
    --conns) conns=$2; shift 2 ;;
    --inflight) inflight=$2; shift 2 ;;
    --per-conn) per_conn=$2; shift 2 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
done
[ $# -ge 2 ] || { sed -n 8p "$0" >&2; exit 2; }
bin=$1 ours=$2
if [ "$mode" = keepalive ]; then pages=${3:-20000} rounds=${4:-5}; else pages=${3:-200} rounds=${4:-3}; fi
here=$(cd "$(dirname "$0")" && pwd)
site=$(cd "$here/../../c-examples/site" && pwd)
debian=/usr/lib/x86_64-linux-gnu
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
if [ "$mode" = keepalive ]; then
    cc -O2 -o "$work/h2_push_load" "$here/h2_push_load.c" $(pkg-config --cflags --libs libnghttp2)
    export EMBEDDER_NO_CASPER=1
fi
# load PAGE N: N pages of /push?PAGE on kept connections; prints h2_push_load's key=value line
load() {
    local expect=0
    [ "$1" = nohints ] && expect=2
    timeout 120 taskset -c 1 "$work/h2_push_load" --port "$port" --path "/push?$1&v={n}" --pages "$2" \
        --conns "$conns" --inflight "$inflight" --per-conn "$per_conn" --expect-pushes "$expect" --max-seconds 100
}
field() { tr ' ' '\n' | sed -n "s/^$1=//p"; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A cpu rate
for r in $(seq "$rounds"); do
    if [ $((r % 2)) -eq 1 ]; then order=(debian ours); else order=(ours debian); fi
    for lib in "${order[@]}"; do
        dir=$debian; [ "$lib" = ours ] && dir=$ours
        port=$((20000 + RANDOM % 20000))
        LD_LIBRARY_PATH=$dir EMBEDDER_LOG_FORMAT='%r %s %{x-http2-push}o' taskset -c 0 "$bin" "$port" "$site" >"$work/log" 2>&1 &
        pid=$!
        for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
        grep -q "$(readlink -f "$dir/libh2o-evloop.so.0.13")" "/proc/$pid/maps" || { echo "$lib: wrong library mapped" >&2; exit 1; }
        for page in nohints nopush; do
            if [ "$mode" = keepalive ]; then
                load "$page" 1000 >/dev/null # warm-up
                before=$(awk '{print $1}' "/proc/$pid/schedstat")
                out=$(load "$page" "$pages")
                after=$(awk '{print $1}' "/proc/$pid/schedstat")
                done_=$(field pages <<<"$out")
                [ "$(field stopped <<<"$out")" = pages ] || { echo "$lib: stopped early: $out" >&2; exit 1; }
                rate[$lib,$page]+="$(field pages_per_s <<<"$out") "
            else
                timeout 30 taskset -c 1 nghttp -n "http://127.0.0.1:$port/push?$page" >/dev/null # warm-up
                before=$(awk '{print $1}' "/proc/$pid/schedstat")
                for _ in $(seq "$pages"); do timeout 30 taskset -c 1 nghttp -n "http://127.0.0.1:$port/push?$page" >/dev/null; done
                after=$(awk '{print $1}' "/proc/$pid/schedstat")
                done_=$pages
            fi
            cpu[$lib,$page]+="$(( (after - before) / done_ )) "
        done
        n_pushed=$(grep -c ' pushed$' "$work/log" || true)
        [ "$n_pushed" -ge $((2 * pages)) ] || { echo "$lib: only $n_pushed pushes logged" >&2; exit 1; }
        kill $pid; wait $pid 2>/dev/null || true; pid=
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
if [ "$mode" = keepalive ]; then
    echo "server CPU per page (ns) and pages/s, median of $rounds rounds of $pages pages on kept connections"
    echo "(h2_push_load --conns $conns --inflight $inflight --per-conn $per_conn, CASPer off):"
    echo "| page | Debian ns/page | ours ns/page | Debian/ours | Debian pages/s | ours pages/s | ours/Debian |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
else
    echo "server CPU per page (ns), median of $rounds rounds of $pages pages, one new h2c connection a page:"
    echo "| page | Debian | ours | Debian/ours |"
    echo "|---|---:|---:|---:|"
fi
for page in nohints nopush; do
    d=$(echo "${cpu[debian,$page]}" | median) o=$(echo "${cpu[ours,$page]}" | median)
    if [ "$mode" = keepalive ]; then
        dr=$(echo "${rate[debian,$page]}" | median) or=$(echo "${rate[ours,$page]}" | median)
        printf '| /push?%s | %d | %d | %.2fx | %d | %d | %.2fx |\n' "$page" "$d" "$o" "$(echo "$d / $o" | bc -l)" "$dr" "$or" "$(echo "$or / $dr" | bc -l)"
    else
        printf '| /push?%s | %d | %d | %.2fx |\n' "$page" "$d" "$o" "$(echo "$d / $o" | bc -l)"
    fi
done
for lib in debian ours; do
    d1=$(echo "${cpu[$lib,nohints]}" | median) d0=$(echo "${cpu[$lib,nopush]}" | median)
    echo "$lib: the two pushes add $(( d1 - d0 )) ns per page"
done
echo "per round ns/page: nohints debian ${cpu[debian,nohints]}/ ours ${cpu[ours,nohints]}; nopush debian ${cpu[debian,nopush]}/ ours ${cpu[ours,nopush]}"
[ "$mode" = keepalive ] && echo "per round pages/s: nohints debian ${rate[debian,nohints]}/ ours ${rate[ours,nohints]}; nopush debian ${rate[debian,nopush]}/ ours ${rate[ours,nopush]}"
exit 0
