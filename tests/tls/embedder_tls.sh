#!/usr/bin/env bash
# The c-examples demo embedder with its TLS listener (libh2o-rs' native TLS API: EMBEDDER_TLS_CERT /
# _KEY, a second certificate for SNI "other.test", free ports), driven by tests/tls/clients.sh, then
# stopped with SIGTERM (graceful exit 0 expected). E2E_WRAPPER (e.g. valgrind) wraps the server.
#
#   embedder_tls.sh EMBEDDER WORKDIR OUR_LIBDIR SITE_DIR
set -uo pipefail
bin=$1 work=$2 expect_lib=$3 site=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../abi/e2e/embedder_lib.sh
. "$here/../abi/e2e/embedder_lib.sh"
certs=$here/certs
export EMBEDDER_TLS_CERT=$certs/localhost.crt EMBEDDER_TLS_KEY=$certs/localhost.key EMBEDDER_TLS_PORT=0
export EMBEDDER_TLS_SNI="other.test:$certs/other.crt:$certs/other.key"
export EMBEDDER_LOG_FORMAT='%r %s %H %{ssl.protocol-version}x %{ssl.cipher}x %{ssl.cipher-bits}x %{ssl.session-reused}x %{ssl.session-id}x'
mkdir -p "$work"
e2e_start "$bin" "$expect_lib" 0 "$site"
tls_port=$(e2e_tls_port 400)
if [ -z "$tls_port" ]; then
    fail "the server announced no TLS port (built without h2o/rs_tls.h?)"
    cat "$work/stderr"
    e2e_finish
fi
timeout 240 bash "$here/clients.sh" --port "$tls_port" --docroot "$site" --log "$work/stdout" --certs "$certs"
rc=$?
[ $rc -eq 77 ] && exit 77
if [ $rc -eq 0 ]; then ok "tls clients"; else fail "tls clients (exit $rc)"; fi
if kill -0 "$server_pid" 2>/dev/null; then
    e2e_stop 0
else
    fail "the server died during the clients"
fi
e2e_finish
