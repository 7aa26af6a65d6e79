#!/usr/bin/env bash
# HTTP/1.1 and HTTP/2 server benchmark: the same embedder binary (bench_server.c, built against
# Debian's libh2o-evloop 2.2.5 headers and library) run on Debian's library and on ours
# (LD_LIBRARY_PATH), server pinned to CPU 0 and the client to CPU 1, rounds interleaved (the order
# alternates).
#
#   benches/server/run.sh [--prefix DIR] [--proto h1|h2|h2tls] [--rounds R] [--requests N | --duration S]
#                         [--conns C] [--streams M] [--client h2load|wrk] [--strace]
#                         [--tls-key rsa|ec] [--handshakes N] [--bulk-mib M]
#
# --prefix: an installed libh2o-rs (default: build/prefix, as tests/run_all.sh leaves it).
# Per round and library it reports requests/s and the server's CPU time per request (the first
# field of /proc/PID/schedstat: nanoseconds on CPU, read before and after the load, divided by the
# requests the client saw done). With --strace it also counts syscalls per request (strace -c -f
# over one bounded run of 20000 requests per library and path).
# --proto h1 (default): HTTP/1.1 keep-alive, `h2load --h1 -c C -t 1`. --proto h2: HTTP/2 over
# cleartext with prior knowledge (h2load's default for http:// URLs; the run fails unless h2load
# reports "h2c"), `h2load -c C -m M -t 1` (M concurrent streams per connection, default 10).
# Each h2load run is bounded by --requests N (default 100000) or, with --duration S, lasts S
# seconds (h2load -D; requests in flight at the end are not counted), and by a 60 s timeout.
# --proto h2tls: HTTP/2 over TLS (ALPN h2; the run fails unless h2load reports "h2"): bench_server
# gets an OpenSSL SSL_CTX with a self-signed certificate made here (--tls-key rsa: RSA 2048, the
# default; ec: ECDSA P-256), as a 2.2.5 embedder sets it up; Debian's library serves it with OpenSSL,
# ours with rustls. Two more measures for TLS, per round and library after the paths:
# --handshakes N: `h2load -c N -n N` on /inline (N new connections, each one full handshake and one
# request): handshakes/s and server CPU per handshake; --bulk-mib M: one M MiB file downloaded over
# h2 with curl (`--http2 -k -o /dev/null`, client on CPU 1): MiB/s and server CPU per MiB.
# --client wrk (HTTP/1.1 only) loads with wrk (-t1, 3 s per run) instead: on this 2-core machine a
# single h2load thread saturates its core before either server does, so req/s measured with h2load
# is the client's limit; wrk needs less CPU per request and shows more of the servers' own
# difference.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=lib.sh
. "$root/benches/server/lib.sh"
prefix=$root/build/prefix
rounds=5
requests=100000
conns=16
do_strace=0
client=h2load
proto=h1
streams=10
duration=
tls_key=rsa
handshakes=0
bulk_mib=0
while [ $# -gt 0 ]; do
    case $1 in
    --prefix) prefix=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --conns) conns=$2; shift 2 ;;
    --client) client=$2; shift 2 ;;
    --proto) proto=$2; shift 2 ;;
    --streams) streams=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --strace) do_strace=1; shift ;;
    --tls-key) tls_key=$2; shift 2 ;;
    --handshakes) handshakes=$2; shift 2 ;;
    --bulk-mib) bulk_mib=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
case $proto in h1 | h2 | h2tls) ;; *) echo "--proto is h1, h2 or h2tls" >&2; exit 2 ;; esac
[ "$proto" != h1 ] && [ "$client" != h2load ] && { echo "--proto $proto needs --client h2load" >&2; exit 2; }
[ "$proto" != h2tls ] && { [ "$handshakes" != 0 ] || [ "$bulk_mib" != 0 ]; } && { echo "--handshakes / --bulk-mib need --proto h2tls" >&2; exit 2; }
case $tls_key in rsa | ec) ;; *) echo "--tls-key is rsa or ec" >&2; exit 2 ;; esac
scheme=http
[ "$proto" = h2tls ] && scheme=https
ours_lib=$prefix/lib
[ -e "$ours_lib/libh2o-evloop.so.0.13" ] || { echo "no $ours_lib/libh2o-evloop.so.0.13 (build and install first)" >&2; exit 1; }
debian_lib=/usr/lib/x86_64-linux-gnu
[ -e "$debian_lib/libh2o-evloop.so.0.13" ] || { echo "Debian's libh2o-evloop.so.0.13 missing (apt-get install libh2o-evloop-dev)" >&2; exit 1; }

work=$(mktemp -d)
server_pid=
wrapper_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$wrapper_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

build_bench_server "$work" "$root"
if [ "$proto" = h2tls ]; then
    if [ "$tls_key" = rsa ]; then keyopt=(-newkey rsa:2048); else keyopt=(-newkey ec -pkeyopt ec_paramgen_curve:P-256); fi
    openssl req -x509 "${keyopt[@]}" -nodes -days 2 -subj /CN=127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
    export BENCH_TLS_CERT=$work/cert.pem BENCH_TLS_KEY=$work/key.pem
fi
port=$((20000 + RANDOM % 20000))

# start_server LIBDIR [WRAPPER...]: starts bench_server on $port (another random one if that is
# taken: other work shares this machine); server_pid is bench_server's own pid (not a wrapper's),
# wrapper_pid what to wait for.
start_server() {
    local libdir=$1; shift
    for _ in 1 2 3 4 5; do
        rm -f "$work/ready"
        LD_LIBRARY_PATH=$libdir taskset -c 0 "$@" "$work/bench_server" "$port" "$work/docroot" >"$work/ready" 2>"$work/server.err" &
        wrapper_pid=$!
        for _ in $(seq 100); do
            if grep -q ready "$work/ready" 2>/dev/null; then
                server_pid=$(awk '{print $2}' "$work/ready")
                return 0
            fi
            kill -0 "$wrapper_pid" 2>/dev/null || break
            sleep 0.05
        done
        kill "$wrapper_pid" 2>/dev/null || true
        wait "$wrapper_pid" 2>/dev/null || true
        grep -q "Address already in use" "$work/server.err" || break
        port=$((20000 + RANDOM % 20000))
    done
    echo "server did not start:" >&2; cat "$work/server.err" >&2; exit 1
}
stop_server() {
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$wrapper_pid" 2>/dev/null || true
    server_pid=
}
# check_lib NAME LIBDIR: the running server really uses LIBDIR's library.
check_lib() {
    local want
    want=$(readlink -f "$2/libh2o-evloop.so.0.13")
    grep -q "$want" "/proc/$server_pid/maps" || { echo "$1: server does not map $want" >&2; exit 1; }
}
cpu_ns() { awk '{print $1}' "/proc/$server_pid/schedstat"; }
# load PATH N [SECS] [CONNS]: one bounded run of the client (h2load: N requests, or SECS seconds when
# given (not empty); CONNS: N requests on CONNS new connections; wrk: 3 s, or 1 s when N is small); prints "REQ_PER_S REQUESTS_DONE"; fails unless every
# request succeeded.
load() {
    local out
    if [ "$client" = wrk ]; then
        local secs=3
        [ "$2" -lt 10000 ] && secs=1
        out=$(timeout 60 taskset -c 1 wrk -t1 -c"$conns" -d"${secs}s" "http://127.0.0.1:$port$1" 2>&1)
        if grep -q "Non-2xx\|Socket errors" <<<"$out"; then echo "wrk saw errors:" >&2; echo "$out" >&2; exit 1; fi
        echo "$(echo "$out" | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p') $(echo "$out" | sed -n 's/^ *\([0-9]*\) requests in .*/\1/p')"
        return
    fi
    local args=(-c "$conns" -t 1)
    if [ "$proto" = h1 ]; then args+=(--h1); else args+=(-m "$streams"); fi
    if [ -n "${3:-}" ]; then args+=(-D "$3"); else args+=(-n "$2"); fi
    [ -n "${4:-}" ] && args=(-c "$4" -t 1 -n "$2")
    out=$(timeout 60 taskset -c 1 h2load "${args[@]}" "$scheme://127.0.0.1:$port$1" 2>&1) || { echo "h2load failed:" >&2; echo "$out" >&2; exit 1; }
    if [ "$proto" = h2 ] && ! grep -q "^Application protocol: h2c" <<<"$out"; then
        echo "h2load did not speak h2c:" >&2; echo "$out" >&2; exit 1
    fi
    if [ "$proto" = h2tls ] && ! grep -q "^Application protocol: h2$" <<<"$out"; then
        echo "h2load did not speak h2 over TLS:" >&2; echo "$out" >&2; exit 1
    fi
    # "requests: T total, S started, D done, D succeeded, 0 failed, 0 errored, 0 timeout"
    local done_ ok
    read -r done_ ok < <(echo "$out" | sed -n 's/^requests: .* started, \([0-9]*\) done, \([0-9]*\) succeeded, 0 failed, 0 errored, 0 timeout$/\1 \2/p')
    if [ -z "$done_" ] || [ "$done_" != "$ok" ] || { [ -z "${3:-}" ] && [ "$done_" != "$2" ]; }; then
        echo "h2load saw failures:" >&2; echo "$out" >&2; exit 1
    fi
    echo "$(echo "$out" | sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p') $done_"
}

paths=(/file100.txt /file16k.txt /inline)
declare -A rps cpu
if [ "$bulk_mib" != 0 ]; then
    head -c "$((bulk_mib << 20))" /dev/zero >"$work/docroot/bulk.bin"
fi
# bulk: one download of bulk.bin over h2; prints "MIB_PER_S"; fails unless every byte came.
bulk() {
    local out
    out=$(timeout 300 taskset -c 1 curl -sk --http2 -o /dev/null -w '%{http_version} %{size_download} %{speed_download}' "https://127.0.0.1:$port/bulk.bin")
    read -r v size speed <<<"$out"
    if [ "$v" != 2 ] || [ "$size" != "$((bulk_mib << 20))" ]; then echo "bulk download failed: $out" >&2; exit 1; fi
    echo "$speed" | awk '{printf "%.1f", $1 / 1048576}'
}
for r in $(seq "$rounds"); do
    if [ $((r % 2)) -eq 1 ]; then order=(debian ours); else order=(ours debian); fi
    for lib in "${order[@]}"; do
        if [ "$lib" = debian ]; then dir=$debian_lib; else dir=$ours_lib; fi
        start_server "$dir"
        check_lib "$lib" "$dir"
        for p in "${paths[@]}"; do
            load "$p" 2000 >/dev/null # warm-up
            before=$(cpu_ns)
            read -r v done_ < <(load "$p" "$requests" "$duration")
            after=$(cpu_ns)
            rps[$lib,$p]+="$v "
            cpu[$lib,$p]+="$(( (after - before) / done_ )) "
        done
        if [ "$handshakes" != 0 ]; then
            load /inline 50 "" 50 >/dev/null # warm-up
            before=$(cpu_ns)
            read -r v done_ < <(load /inline "$handshakes" "" "$handshakes")
            after=$(cpu_ns)
            rps[$lib,handshakes]+="$v "
            cpu[$lib,handshakes]+="$(( (after - before) / done_ )) "
        fi
        if [ "$bulk_mib" != 0 ]; then
            before=$(cpu_ns)
            v=$(bulk)
            after=$(cpu_ns)
            rps[$lib,bulk]+="$v "
            cpu[$lib,bulk]+="$(( (after - before) / bulk_mib )) "
        fi
        stop_server
    done
done

extra=()
[ "$handshakes" != 0 ] && extra+=(handshakes)
[ "$bulk_mib" != 0 ] && extra+=(bulk)
sorted() { tr ' ' '\n' | grep -v '^$' | sort -n; }
median() { sorted | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
highest() { sorted | tail -n 1; }
lowest() { sorted | head -n 1; }
# table RPS_STAT CPU_STAT: one row per path, the libraries' req/s and ns CPU/req reduced over the
# rounds by the two functions.
table() {
    for p in "${paths[@]}" "${extra[@]}"; do
        dr=$(echo "${rps[debian,$p]}" | $1); or=$(echo "${rps[ours,$p]}" | $1)
        dc=$(echo "${cpu[debian,$p]}" | $2); oc=$(echo "${cpu[ours,$p]}" | $2)
        printf '| %s | %.0f | %.0f | %.2fx | %d | %d | %.2fx |\n' "$p" "$dr" "$or" "$(echo "$or / $dr" | bc -l)" "$dc" "$oc" "$(echo "$dc / $oc" | bc -l)"
    done
}
echo
if [ "$client" = wrk ]; then per_run="3 s"; elif [ -n "$duration" ]; then per_run="$duration s"; else per_run="$requests requests"; fi
if [ "$proto" = h2tls ]; then
    echo "HTTP/2 over TLS ($(openssl x509 -in "$work/cert.pem" -noout -text | sed -n 's/^ *Public Key Algorithm: //p'), h2load's default TLS 1.3), h2load -c $conns -m $streams -t 1, $per_run per run, $rounds rounds (medians; server on CPU 0, h2load on CPU 1)"
    [ "$handshakes" != 0 ] && echo "handshakes: h2load -c $handshakes -n $handshakes on /inline (req/s = handshakes/s, ns CPU/req = per handshake)"
    [ "$bulk_mib" != 0 ] && echo "bulk: curl --http2 of a $bulk_mib MiB file (req/s column = MiB/s, ns CPU/req = per MiB)"
elif [ "$proto" = h2 ]; then
    echo "HTTP/2 (h2c, prior knowledge), h2load -c $conns -m $streams -t 1, $per_run per run, $rounds rounds (medians; server on CPU 0, h2load on CPU 1)"
else
    echo "HTTP/1.1, $client, $conns connections, $per_run per run, $rounds rounds (medians; server on CPU 0, $client on CPU 1)"
fi
echo
echo "| path | Debian req/s | ours req/s | ratio | Debian ns CPU/req | ours ns CPU/req | ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|"
table median median
echo "(ratios: above 1 means ours is better)"
echo
echo "Least disturbed rounds (other work on a shared machine only adds): each library's highest req/s and lowest CPU per request:"
echo
echo "| path | Debian max req/s | ours max req/s | ratio | Debian min ns CPU/req | ours min ns CPU/req | ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|"
table highest lowest
echo
echo "Per-round values, Debian / ours:"
for p in "${paths[@]}" "${extra[@]}"; do
    echo "  $p req/s: ${rps[debian,$p]}/ ${rps[ours,$p]}; ns CPU/req: ${cpu[debian,$p]}/ ${cpu[ours,$p]}"
done

if [ "$do_strace" = 1 ]; then
    echo
    echo "| path | Debian syscalls/req | ours syscalls/req |"
    echo "|---|---:|---:|"
    n=20000
    details=
    for p in "${paths[@]}"; do
        line="| $p"
        for lib in debian ours; do
            if [ "$lib" = debian ]; then dir=$debian_lib; else dir=$ours_lib; fi
            start_server "$dir" strace -c -f -o "$work/strace.$lib"
            load "$p" "$n" >/dev/null
            stop_server
            total=$(awk '$NF == "total" {print $4}' "$work/strace.$lib")
            line+=" | $(printf '%.2f' "$(echo "$total / $n" | bc -l)")"
            # the calls made at least once per 100 requests, per request
            details+="  $p $lib:$(awk -v n="$n" '$1 ~ /^[0-9.]+$/ && $NF != "total" { if ($4 / n >= 0.01) printf " %s %.2f", $NF, $4 / n }' "$work/strace.$lib")"$'\n'
        done
        echo "$line |"
    done
    echo "(calls per request, those made at least once per 100 requests:)"
    printf '%s' "$details"
fi
