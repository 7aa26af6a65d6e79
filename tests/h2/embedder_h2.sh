#!/usr/bin/env bash
# The c-examples demo embedder over h2c: starts it (as tests/abi/e2e/embedder_lib.sh does: free port,
# URL from its output, the library it mapped checked in /proc/PID/maps), then runs probes.py or
# clients.sh against it, then stops it with SIGTERM (graceful exit 0 expected).
#
#   embedder_h2.sh probes|clients EMBEDDER WORKDIR EXPECT SITE_DIR [probes.py options...]
#
# EXPECT: our library's directory (the scripts run with --expect ours) or "debian" (the same
# binary on Debian's libh2o-evloop 2.2.5: --expect h2o-2.2.5, which proves the scripts).
# The document root is WORKDIR/site: a copy of SITE_DIR plus big.bin (4 MiB of random bytes) for
# the flow-control, zero-window and priority checks, and huge.bin (32 MiB, sparse) for the in-flight
# priority probes. Skips (77) without python3's h2, hyperframe and hpack (tests/setup-deps.sh
# installs them), curl, nghttp or h2load.
mode=$1
shift
bin=$1 work=$2 expect_lib=$3 site=$4
shift 4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../abi/e2e/embedder_lib.sh
. "$here/../abi/e2e/embedder_lib.sh"
python3 -c 'import h2, hyperframe, hpack' 2>/dev/null ||
    { echo "SKIPPED: python3 lacks h2 / hyperframe / hpack (tests/setup-deps.sh installs them)"; exit 77; }

if [ "$expect_lib" = debian ]; then expect=h2o-2.2.5; else expect=ours; fi
# H2_REQUIRES (environment): symbols our library must export for the run on it (else: pending, 77).
# (grep reads nm's whole output: with pipefail, grep -q's early exit would fail the pipe.)
if [ "$expect" = ours ]; then
    for sym in ${H2_REQUIRES:-}; do
        nm -D --defined-only "$expect_lib/libh2o-evloop.so.0.13" | grep -w -- "$sym" >/dev/null ||
            { echo "SKIPPED: our library does not export $sym yet (pending: HTTP/2 is not wired in)"; exit 77; }
    done
fi
mkdir -p "$work"
rm -rf "$work/site"
cp -r "$site" "$work/site"
head -c 4194304 /dev/urandom >"$work/site/big.bin"
truncate -s 32M "$work/site/huge.bin" # sparse: the in-flight priority probes only need its length

e2e_start "$bin" "$expect_lib" 0 "$work/site"
case $mode in
probes)
    timeout 120 python3 "$here/probes.py" --port "$port" --expect "$expect" --pid "$server_pid" \
        --docroot "$work/site" --big-path /big.bin --huge-path /huge.bin "$@"
    rc=$?
    ;;
clients)
    timeout 120 bash "$here/clients.sh" --port "$port" --docroot "$work/site" --big /big.bin --demo
    rc=$?
    [ $rc -eq 77 ] && exit 77
    ;;
*)
    echo "usage: $0 probes|clients EMBEDDER WORKDIR EXPECT SITE_DIR" >&2
    exit 2
    ;;
esac
if [ $rc -eq 0 ]; then ok "$mode --expect $expect"; else fail "$mode --expect $expect (exit $rc)"; fi
if kill -0 "$server_pid" 2>/dev/null; then
    e2e_stop 0
else
    fail "the server died during the $mode"
fi
e2e_finish
