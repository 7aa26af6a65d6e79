# Shared by the benches/server scripts (sourced, not run).

# build_bench_server WORK ROOT: WORK/bench_server (benches/server/bench_server.c against the
# libh2o-evloop the compiler finds) and WORK/docroot with file100.txt and file16k.txt.
build_bench_server() {
    gcc -O2 -g -DH2O_USE_LIBUV=0 -o "$1/bench_server" "$2/benches/server/bench_server.c" -lh2o-evloop -lssl -lcrypto
    mkdir "$1/docroot"
    head -c 100 /dev/zero | tr '\0' 'a' >"$1/docroot/file100.txt"
    head -c 16384 /dev/zero | tr '\0' 'b' >"$1/docroot/file16k.txt"
}

# per_function FILE incl|self TOTAL N TOP: "share | Ir per unit | function" rows of a
# callgrind_annotate listing FILE, largest first, TOP of them; TOTAL: the run's instructions, N:
# the units (requests, pages) they are divided by. A function inlined elsewhere is listed once per
# source file it came from: inclusive counts take the largest of those, self counts their sum.
per_function() {
    awk -v total="$3" -v n="$4" -v mode="$2" '
        /^-+$/ { dashes++; next }
        dashes >= 3 && $1 ~ /^[0-9,]+$/ {
            ir = $1; gsub(",", "", ir); ir += 0
            $1 = ""; if ($2 ~ /^\(/) $2 = ""
            sub(/^ +/, ""); sub(/ \[[^]]*\]$/, ""); sub(/^[^:]*:/, "")
            if ($0 ~ /^(\(below main\)|__libc_start_main.*|0x[0-9a-f]+|main)$/) next
            if (mode == "self") cost[$0] += ir
            else if (!($0 in cost) || ir > cost[$0] + 0) cost[$0] = ir
        }
        END { for (f in cost) printf "%6.1f%% | %8d | %s\n", 100 * cost[f] / total, cost[f] / n, f }' "$1" |
        sort -t'|' -k2 -rn | head -n "$5" || true # head closing the pipe early is not an error
}
