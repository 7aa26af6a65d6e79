#!/usr/bin/env bash
# The c-examples demo embedder (h2c, plus its TLS listener when built with h2o/rs_tls.h) driven by
# tests/h2/push.sh (server push, 103 Early Hints, CASPer, the access log's %{x-http2-push}o), then
# stopped with SIGTERM (graceful exit 0 expected).
#
#   embedder_push.sh EMBEDDER WORKDIR EXPECT SITE_DIR
#
# EXPECT: our library's directory, or "debian" (Debian's libh2o-evloop 2.2.5), as embedder_lib.sh.
# PUSH_EXPECT_FAIL (environment): a negative run. push.sh must then fail, and each |-separated
# check name (a fixed string) must be in one of its FAIL lines: the checks are proved able to fail (on
# Debian's 2.2.5, which has no h2o_send_informational; with EMBEDDER_NO_PUSH=1, which turns the
# host's push_preload and CASPer off).
set -uo pipefail
bin=$1 work=$2 expect_lib=$3 site=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../abi/e2e/embedder_lib.sh
. "$here/../abi/e2e/embedder_lib.sh"
command -v nghttp >/dev/null 2>&1 || { echo "SKIPPED: nghttp not found (apt-get install nghttp2-client)"; exit 77; }
certs=$here/../tls/certs
export EMBEDDER_LOG_FORMAT='%r %s %{x-http2-push}o'
if [ "$expect_lib" != debian ]; then
    export EMBEDDER_TLS_CERT=$certs/localhost.crt EMBEDDER_TLS_KEY=$certs/localhost.key EMBEDDER_TLS_PORT=0
fi
mkdir -p "$work"
e2e_start "$bin" "$expect_lib" 0 "$site"
tls=()
if [ "$expect_lib" != debian ]; then
    tls_port=$(e2e_tls_port 100)
    if [ -n "$tls_port" ]; then tls=(--tls-port "$tls_port"); else fail "the server announced no TLS port (built without h2o/rs_tls.h?)"; fi
fi
out=$(timeout 120 bash "$here/push.sh" --port "$port" "${tls[@]}" --log "$work/stdout" --site "$site")
rc=$?
printf '%s\n' "$out"
[ $rc -eq 77 ] && exit 77
if [ -z "${PUSH_EXPECT_FAIL:-}" ]; then
    if [ $rc -eq 0 ]; then ok "push checks"; else fail "push checks (exit $rc)"; fi
else
    expect "negative run: push.sh fails" "$rc" 1
    IFS='|' read -ra wanted <<<"$PUSH_EXPECT_FAIL"
    for re in "${wanted[@]}"; do
        if grep '^FAIL ' <<<"$out" | grep -F -- "$re" >/dev/null; then ok "negative run: failed as it must: [$re]"; else fail "negative run: no FAIL line has [$re]"; fi
    done
fi
if kill -0 "$server_pid" 2>/dev/null; then
    e2e_stop 0
else
    fail "the server died during the push checks"
fi
e2e_finish
