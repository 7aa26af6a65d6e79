#!/usr/bin/env bash
# ctest wan-page-load (issue 11): page_load.py over the WAN harness on our library, h2c, RTT 100 ms,
# 50 Mbit/s, an application think time T of 200 ms (2 RTT), 3 alternated runs of each (asset set,
# mode) cell, then the checks, in RTTs (medians):
#   small assets (the page fits one initial congestion window), where push saves the asset round trip:
#     nopush ends >= 1.7 RTT beyond T (the negative: HTML, then the assets' own request; the check
#     fails if the client got its assets without asking), push saves > 0.7 RTT against nopush and
#     ends < 1.5 RTT beyond T, with both assets pushed;
#   big assets (112 KiB: several congestion windows), where 103 overlaps their transfer with T:
#     103 ends > 1.5 RTT (most of T) before push, 103nopush > 0.7 RTT before nopush (the client's
#     preload from the 103), push's assets pushed, 103nopush's requested;
#   no failed run.
# Exit 77 (skipped) when the harness cannot run here (wan.sh says why).
#   ctest_page_load.sh SERVER DELAYLINE OUR_LIBDIR OUTDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
server=$1 delayline=$2 libdir=$3 out=$4
rm -rf "$out"
status=0
bash "$here/wan.sh" --server "$server" --delayline "$delayline" --our-libdir "$libdir" --out "$out" \
    --rtt-ms 100 --rate-mbit 50 --runs 3 --libs ours --modes on --client page --think-ms 200 --page-assets small,big \
    --case ctest --max-seconds 70 || status=$?
[ "$status" -eq 77 ] && exit 77
[ -s "$out/results.jsonl" ] || { echo "FAIL: no results (wan.sh exit $status)"; exit 1; }
checks=()
for cell in small:nopush small:push big:nopush big:push big:103 big:103nopush; do checks+=(--check "ours-on:$cell:errors<1"); done
python3 "$here/summarize_page.py" "$out/results.jsonl" "${checks[@]}" \
    --check 'ours-on:small:nopush:beyond>1.7' \
    --check 'ours-on:small:push:saving>0.7' --check 'ours-on:small:push:beyond<1.5' --check 'ours-on:small:push:pushed>1.5' \
    --check 'ours-on:big:103:vs_push>1.5' --check 'ours-on:big:push:pushed>2.5' \
    --check 'ours-on:big:103nopush:saving>0.7' --check 'ours-on:big:103nopush:requested>2.5'
