#!/usr/bin/env bash
# The WAN harness: two network namespaces joined by a user-space delay line, a server per
# (library, mode) in one, the JS-latency client in the other. See tests/wan/README.md.
#
#   wan.sh --server BIN --delayline BIN --our-libdir DIR --out DIR
#          [--rtt-ms 250] [--rate-mbit 50] [--queue-bytes BDP] [--runs 20] [--hog]
#          [--libs ours,debian] [--modes on,off] [--cc cubic] [--case NAME] [--max-seconds 600] [--tls]
#          [--client js|page] [--think-ms 200] [--page-modes nopush,push,103,103nopush] [--page-assets big|small]
#
#   client ns (10.77.0.1, tun wanc0) ── delayline (RTT/2 each way, rate cap, bounded queue) ── server ns (10.77.0.2, tun wans0)
#
# --server is one binary (wan_server.c, built against Debian's 2.2.5 headers and library): "ours"
# runs it with LD_LIBRARY_PATH=--our-libdir, "debian" without. Servers are pinned to CPU 1 (with
# the CPU hog of --hog, a busy loop, on the same CPU), the client and the delay line to CPU 0.
# --tls: h2 over TLS instead of h2c (a self-signed EC certificate made here with openssl; the
# servers get it as an OpenSSL SSL_CTX, the client does not verify it).
# --client page: page_load.py instead of js_latency.py (page-complete time with and without push
# and 103, wan_server's /page with --think-ms of application time; a server whose library lacks
# h2o_send_informational, as its "ready" line says, is not asked for the 103 modes).
# Records go to OUT/results.jsonl (one per run, js_latency.py's or page_load.py's format). Everything started here
# is stopped and both namespaces deleted on exit; the whole run is bounded by --max-seconds.
# Exit 77 (skipped) when not root, without /dev/net/tun, ip, taskset or python3's h2.
set -euo pipefail

rtt=250 rate=50 queue="" runs=20 cc=cubic hog=false libs=ours,debian modes=on,off case="" max_seconds=600 tls=false
client=js think_ms=200 page_modes=nopush,push,103,103nopush page_assets=big
server="" delayline="" our_libdir="" out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --server) server=$2; shift ;;
        --delayline) delayline=$2; shift ;;
        --our-libdir) our_libdir=$2; shift ;;
        --out) out=$2; shift ;;
        --rtt-ms) rtt=$2; shift ;;
        --rate-mbit) rate=$2; shift ;;
        --queue-bytes) queue=$2; shift ;;
        --runs) runs=$2; shift ;;
        --hog) hog=true ;;
        --tls) tls=true ;;
        --cc) cc=$2; shift ;;
        --libs) libs=$2; shift ;;
        --modes) modes=$2; shift ;;
        --case) case=$2; shift ;;
        --max-seconds) max_seconds=$2; shift ;;
        --client) client=$2; shift ;;
        --think-ms) think_ms=$2; shift ;;
        --page-modes) page_modes=$2; shift ;;
        --page-assets) page_assets=$2; shift ;;
        *) echo "wan.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
[ -n "$server" ] && [ -n "$delayline" ] && [ -n "$out" ] || { echo "wan.sh: --server, --delayline and --out are required" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)

skip() { echo "SKIPPED: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "the WAN harness needs root (network namespaces, TUN devices)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
command -v ip >/dev/null || skip "no ip (iproute2)"
command -v taskset >/dev/null || skip "no taskset (util-linux)"
python3 -c 'import h2' 2>/dev/null || skip "python3 lacks h2 (tests/setup-deps.sh installs it)"
if $tls; then command -v openssl >/dev/null || skip "no openssl (to make the test certificate)"; fi
case ",$libs," in *,ours,*) [ -n "$our_libdir" ] || { echo "wan.sh: --our-libdir is required for ours" >&2; exit 2; } ;; esac

ncpu=$(nproc)
client_cpu=0
server_cpu=$((ncpu > 1 ? 1 : 0))
# 1 BDP by default, at least 64 KiB (a router's buffer of the link's own size)
if [ -z "$queue" ]; then
    queue=$((rate * 1000000 / 8 * rtt / 1000))
    [ "$queue" -ge 65536 ] || queue=65536
fi

mkdir -p "$out"
ns_c="wanc$$" ns_s="wans$$"
pids=()
cleanup() {
    set +e
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    ip netns del "$ns_c" 2>/dev/null
    ip netns del "$ns_s" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the link ---------------------------------------------------------------------------------------
ip netns add "$ns_c"
ip netns add "$ns_s"
for spec in "$ns_c wanc0 10.77.0.1 10.77.0.2" "$ns_s wans0 10.77.0.2 10.77.0.1"; do
    read -r ns dev addr peer <<<"$spec"
    ip -n "$ns" link set lo up
    ip -n "$ns" tuntap add dev "$dev" mode tun
    ip -n "$ns" addr add "$addr" peer "$peer" dev "$dev"
    ip -n "$ns" link set "$dev" up
    # every run starts from the kernel's defaults (no cached ssthresh / RTT from the previous run)
    ip netns exec "$ns" sysctl -qw net.ipv4.tcp_no_metrics_save=1
done
timeout -k 5 "$max_seconds" taskset -c "$client_cpu" "$delayline" "$ns_c" wanc0 "$ns_s" wans0 "$rtt" $((rate * 1000)) "$queue" "$max_seconds" \
    >"$out/delayline.out" 2>"$out/delayline.err" &
pids+=($!)
for _ in $(seq 100); do grep -q ready "$out/delayline.out" 2>/dev/null && break; sleep 0.05; done
grep -q ready "$out/delayline.out" || { cat "$out/delayline.err" >&2; echo "wan.sh: the delay line did not start" >&2; exit 1; }

# --- the pages ----------------------------------------------------------------------------------------
doc="$out/docroot"
mkdir -p "$doc"
python3 - "$doc" <<'PY'
import sys
head = b'<!DOCTYPE html>\n<html><head><title>big</title><script src="/tiny.js"></script></head><body>\n'
line = b'<p>' + b'lorem ipsum dolor sit amet, consectetur adipiscing elit ' * 2 + b'</p>\n'
body = bytearray(head)
while len(body) < (1 << 20) - 15:
    body += line
body = body[:(1 << 20) - 15] + b'</body></html>\n'
open(sys.argv[1] + '/big.html', 'wb').write(body)
open(sys.argv[1] + '/tiny.js', 'wb').write(b'console.log("tiny");\n')
# wan_server's /page assets (page_load.py): a stylesheet, a script and an image of a small real
# page's sizes (12 KiB, 40 KiB, 60 KiB: 112 KiB, several initial congestion windows)
import random
rnd = random.Random(11)
css = bytearray()
while len(css) < 12 * 1024:
    css += b'.c%d { margin: %dpx; color: #%06x; }\n' % (len(css), rnd.randrange(40), rnd.randrange(1 << 24))
open(sys.argv[1] + '/page.css', 'wb').write(css[:12 * 1024])
js = bytearray()
while len(js) < 40 * 1024:
    js += b'function f%d(a) { return a * %d + %d; }\n' % (len(js), rnd.randrange(1000), rnd.randrange(1000))
open(sys.argv[1] + '/page.js', 'wb').write(js[:40 * 1024])
open(sys.argv[1] + '/small.css', 'wb').write(css[:1536])  # assets=small: 4 KiB, with the 8 KiB HTML in one initial window
open(sys.argv[1] + '/small.js', 'wb').write(js[:2560])
open(sys.argv[1] + '/hero.png', 'wb').write(b'\x89PNG\r\n\x1a\n' + bytes(rnd.randrange(256) for _ in range(60 * 1024 - 8)))
PY

# --- the certificate (--tls) ---------------------------------------------------------------------------
tls_args=() client_tls=()
if $tls; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=wan.test \
        -keyout "$out/key.pem" -out "$out/cert.pem" 2>"$out/openssl.err" || { cat "$out/openssl.err" >&2; exit 1; }
    tls_args=("$out/cert.pem" "$out/key.pem")
    client_tls=(--tls)
fi

# --- servers: one per (library, mode) ---------------------------------------------------------------
targets=()
port=8000
IFS=, read -r -a lib_list <<<"$libs"
IFS=, read -r -a mode_list <<<"$modes"
for lib in "${lib_list[@]}"; do
    for mode in "${mode_list[@]}"; do
        port=$((port + 1))
        # the servers' congestion control: cubic (Linux's default) unless --cc says; the host's
        # may be BBR (whose pacing changes what "sent" means), and a namespace cannot make a
        # restricted one its default, so the server sets it on its listener (TCP_CONGESTION)
        env=("WAN_TCP_CONGESTION=$cc")
        if [ "$lib" = ours ]; then env+=("LD_LIBRARY_PATH=$our_libdir"); fi
        : >"$out/server-$lib-$mode.out"
        ip netns exec "$ns_s" timeout -k 5 "$max_seconds" taskset -c "$server_cpu" env "${env[@]}" \
            "$server" 10.77.0.2 "$port" "$doc" "$mode" "$max_seconds" "${tls_args[@]}" >"$out/server-$lib-$mode.out" 2>&1 &
        pids+=($!)
        targets+=(--target "$lib-$mode=10.77.0.2:$port")
    done
done
for f in "$out"/server-*.out; do
    for _ in $(seq 100); do grep -q ready "$f" && break; sleep 0.05; done
    grep -q ready "$f" || { cat "$f" >&2; echo "wan.sh: a server did not start ($f)" >&2; exit 1; }
done
# which library each server really runs on (wan_server prints it)
for f in "$out"/server-*.out; do echo "$(basename "$f" .out): $(grep -m1 ready "$f")"; done | tee "$out/libs.txt"

if $hog; then
    taskset -c "$server_cpu" timeout -k 5 "$max_seconds" bash -c 'while :; do :; done' &
    pids+=($!)
fi

echo "wan.sh: case '${case}' congestion control $cc, RTT $rtt ms, rate ${rate} Mbit/s (0: uncapped), queue $queue bytes, $runs runs, hog $hog, tls $tls, targets ${targets[*]}"
status=0
if [ "$client" = page ]; then
    no103=()
    for f in "$out"/server-*.out; do
        grep -m1 ready "$f" | grep -q ' no103$' && no103+=(--no103 "$(basename "$f" .out | sed 's/^server-//')")
    done
    ip netns exec "$ns_c" timeout -k 5 "$max_seconds" taskset -c "$client_cpu" python3 "$here/page_load.py" \
        --rtt-ms "$rtt" --runs "$runs" --think-ms "$think_ms" --modes "$page_modes" --assets "$page_assets" --out "$out/results.jsonl" --case "$case" \
        "${client_tls[@]}" "${targets[@]}" "${no103[@]}" || status=$?
else
    ip netns exec "$ns_c" timeout -k 5 "$max_seconds" taskset -c "$client_cpu" python3 "$here/js_latency.py" \
        --rtt-ms "$rtt" --runs "$runs" --out "$out/results.jsonl" --case "$case" "${client_tls[@]}" "${targets[@]}" || status=$?
fi
kill "${pids[0]}" 2>/dev/null || true
wait "${pids[0]}" 2>/dev/null || true
cat "$out/delayline.err"
exit $status
