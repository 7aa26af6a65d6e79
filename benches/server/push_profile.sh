#!/usr/bin/env bash
# Where the server's user-space instructions go for push on kept connections: the demo embedder
# (as push.sh runs it, CASPer off) on one library under valgrind's callgrind, loaded by one bounded
# h2_push_load run of PAGES pages of /push?PAGE&v=SEQ (nohints: 2 pushes a page; nopush: none), then
# instructions per page and the functions with the largest inclusive and self counts. Only what
# runs inside h2o_evloop_run is counted (--toggle-collect); the kernel's share is not in these counts.
#
#   benches/server/push_profile.sh DEMO_RELINK_BINARY LIBDIR [nohints|nopush [PAGES [CONNS [INFLIGHT [TOP]]]]]
#
# LIBDIR: build/prefix/lib for ours, /usr/lib/x86_64-linux-gnu for Debian's. Defaults: nohints,
# 5000 pages, 4 connections, 1 page in flight each, top 25 functions. PER_CONN=M (environment): a
# connection closes after M pages and another opens (default 0: kept for the whole run). KEEP=DIR (environment): leave
# callgrind.PAGE.out there (for callgrind_annotate --tree=caller etc.).
set -euo pipefail
bin=$1 lib=$2 page=${3:-nohints} pages=${4:-5000} conns=${5:-4} inflight=${6:-1} top=${7:-25}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
site=$(cd "$here/../../c-examples/site" && pwd)
work=$(mktemp -d)
vg_pid=
trap '[ -n "$vg_pid" ] && kill $vg_pid 2>/dev/null; rm -rf "$work"' EXIT
cc -O2 -o "$work/h2_push_load" "$here/h2_push_load.c" $(pkg-config --cflags --libs libnghttp2)
expect=0
[ "$page" = nohints ] && expect=2
port=$((20000 + RANDOM % 20000))
EMBEDDER_NO_CASPER=1 EMBEDDER_LOG_FORMAT='%r %s %{x-http2-push}o' LD_LIBRARY_PATH=$lib taskset -c 0 \
    valgrind --tool=callgrind --toggle-collect=h2o_evloop_run --callgrind-out-file="$work/callgrind.out" \
    "$bin" "$port" "$site" >"$work/log" 2>"$work/vg.err" &
vg_pid=$!
for _ in $(seq 600); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
out=$(timeout 600 taskset -c 1 "$work/h2_push_load" --port "$port" --path "/push?$page&v={n}" --pages "$pages" \
    --conns "$conns" --inflight "$inflight" --per-conn "${PER_CONN:-0}" --expect-pushes "$expect" --max-seconds 500)
grep -q "stopped=pages" <<<"$out" || { echo "run stopped early: $out" >&2; exit 1; }
kill -TERM "$vg_pid"
wait "$vg_pid" 2>/dev/null || true
vg_pid=
[ -n "${KEEP:-}" ] && mkdir -p "$KEEP" && cp "$work/callgrind.out" "$KEEP/callgrind.$page.out"
callgrind_annotate --auto=no --threshold=100 "$work/callgrind.out" >"$work/self.txt" 2>&1
callgrind_annotate --auto=no --inclusive=yes --threshold=100 "$work/callgrind.out" >"$work/incl.txt" 2>&1
total=$(awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}' "$work/self.txt")
echo "/push?$page&v=SEQ, $pages pages (+1 curl request), $conns connections, $inflight in flight, ${PER_CONN:-0} pages per connection (0: kept); $out"
echo "library $(readlink -f "$lib/libh2o-evloop.so.0.13")"
echo "instructions inside h2o_evloop_run: $total ($((total / pages)) per page)"
echo
echo "inclusive share | Ir per page | function"
per_function "$work/incl.txt" incl "$total" "$pages" "$top"
echo
echo "self share | Ir per page | function"
per_function "$work/self.txt" self "$total" "$pages" "$top"
