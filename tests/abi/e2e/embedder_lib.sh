# Shared by the embedder end-to-end tests (embedder_e2e.sh, embedder_stream.sh, embedder_post.sh,
# embedder_headers.sh, embedder_source.sh); sourced, not run.
#
# Every test script is called as
#     SCRIPT BINARY WORKDIR EXPECT [SCRIPT ARGS...]
# BINARY   a 2.2.5-style server (built against our headers or Debian's)
# WORKDIR  scratch directory (created; the server's stdout and stderr land there)
# EXPECT   which libh2o-evloop must serve it: "debian" (Debian's 2.2.5) or a directory (ours is there);
#          checked in /proc/PID/maps, so a test can never pass on the wrong library
#
# E2E_WRAPPER (environment): a command to run the server under, e.g. valgrind with its options.
# E2E_PROTO (environment): h1 (default) or h2c. With h2c every `c` call is an HTTP/2 request by
# prior knowledge (curl --http2-prior-knowledge), `cu` one by Upgrade: h2c (curl --http2), the raw
# scenarios of embedder_client.py are their HTTP/2 counterparts (it reads E2E_PROTO too), and on
# our library the run is skipped (pending) while it does not export h2o_http2_accept and
# h2o_http2_handle_upgrade. The scripts branch on `h2c` where HTTP/1-only semantics are checked.
# Skips (exit 77) without curl or python3 (h2c: without curl's HTTP/2, nghttp or python3's h2).
# Bounded: every curl call --max-time 10, every wait a fixed number of turns, the server is killed
# on exit if still running.

set -uo pipefail
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEBIAN_LIB=/usr/lib/x86_64-linux-gnu/libh2o-evloop.so.0.13
fails=0
server_pid=""

command -v curl >/dev/null 2>&1 || { echo "SKIPPED: curl not found"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "SKIPPED: python3 not found"; exit 77; }
E2E_PROTO=${E2E_PROTO:-h1}
case $E2E_PROTO in
h1) ;;
h2c)
    grep -qi nghttp2 <<<"$(curl --version)" || { echo "SKIPPED: this curl has no HTTP/2"; exit 77; }
    command -v nghttp >/dev/null 2>&1 || { echo "SKIPPED: nghttp not found (apt-get install nghttp2-client)"; exit 77; }
    python3 -c 'import h2' 2>/dev/null || { echo "SKIPPED: python3 lacks h2 (tests/setup-deps.sh installs it)"; exit 77; }
    ;;
*) echo "E2E_PROTO must be h1 or h2c, not $E2E_PROTO"; exit 2 ;;
esac
export E2E_PROTO
h2c() { [ "$E2E_PROTO" = h2c ]; }

e2e_cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -KILL "$server_pid" 2>/dev/null
    fi
}
trap e2e_cleanup EXIT

ok() { echo "ok   $1"; }
fail() { echo "FAIL $1"; fails=$((fails + 1)); }
# expect NAME GOT WANT
expect() {
    if [ "$2" == "$3" ]; then ok "$1"; else fail "$1: got [$2], want [$3]"; fi
}
# expect_match NAME GOT EXTENDED_REGEX
expect_match() {
    if grep -Eq -- "$3" <<<"$2"; then ok "$1"; else fail "$1: [$2] does not match /$3/"; fi
}
if h2c; then E2E_CURL_PROTO=--http2-prior-knowledge; else E2E_CURL_PROTO=--http1.1; fi
c() { curl --silent --show-error --max-time 10 "$E2E_CURL_PROTO" "$@"; }
# cu: by Upgrade: h2c from HTTP/1.1 (h1: plain HTTP/1.1)
cu() { if h2c; then curl --silent --show-error --max-time 10 --http2 "$@"; else c "$@"; fi; }
# the status line of the header dump $1, without CR and trailing blanks ("HTTP/2 200 " -> "HTTP/2 200")
status_line() { printf '%s\n' "$1" | head -1 | tr -d '\r' | sed 's/ *$//'; }
# want_status CODE REASON: that status line in this protocol (HTTP/2 has no reason phrase)
want_status() { if h2c; then echo "HTTP/2 $1"; else echo "HTTP/1.1 $1 $2"; fi; }
# the request's protocol as the access log's %H writes it
E2E_LOG_PROTO='HTTP/1.1'
h2c && E2E_LOG_PROTO='HTTP/2'
# the value of response header $2 (lower-cased name) in the header dump $1
header() { printf '%s\n' "$1" | tr -d '\r' | awk -v n="$2" 'tolower($1) == n ":" { sub(/^[^:]*: ?/, ""); print; exit }'; }
md5() { md5sum | cut -d' ' -f1; }

# e2e_tls_port TRIES: the port of the TLS listener the started server announced on its stderr
# ("https://127.0.0.1:PORT/"), waiting up to TRIES x 50 ms for it; prints nothing when none came.
e2e_tls_port() {
    local p=""
    for _ in $(seq 1 "$1"); do
        p=$(grep -ohE 'https://127\.0\.0\.1:[0-9]+/' "$work/stderr" 2>/dev/null | head -1 | sed -E 's|.*:([0-9]+)/|\1|')
        [ -n "$p" ] && break
        sleep 0.05
    done
    echo "$p"
}

# e2e_start BINARY WORKDIR EXPECT [ARGS...]: starts the server, waits for its URL, checks the library.
# Sets: work, base (http://127.0.0.1:PORT), port, server_pid.
e2e_start() {
    local bin=$1 expect_lib=$2
    shift 2
    mkdir -p "$work"
    if [ "$expect_lib" != debian ]; then
        local sym why="the program needs it"
        local -a syms=(${E2E_REQUIRES:-})
        h2c && syms+=(h2o_http2_accept h2o_http2_handle_upgrade) && why="HTTP/2 is not wired in"
        # (grep reads nm's whole output: with pipefail, grep -q's early exit could fail the pipe)
        for sym in "${syms[@]}"; do
            if ! nm -D --defined-only "$expect_lib/libh2o-evloop.so.0.13" | grep -w -- "$sym" >/dev/null; then
                echo "SKIPPED: our library does not export $sym yet (pending: $why)"
                exit 77
            fi
        done
    fi
    rm -f "$work/stdout" "$work/stderr" # a URL left from an earlier run must not be read as this one's
    # E2E_WRAPPER: a command line to run the server under (valgrind)
    ${E2E_WRAPPER:-} "$bin" "$@" >"$work/stdout" 2>"$work/stderr" &
    server_pid=$!
    local url=""
    for _ in $(seq 1 200); do
        url=$(grep -ohE 'http://127\.0\.0\.1:[0-9]+/' "$work/stdout" "$work/stderr" 2>/dev/null | head -1)
        [ -n "$url" ] && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.05
    done
    if [ -z "$url" ]; then
        echo "FAIL: the server did not start; its output:"
        cat "$work/stdout" "$work/stderr"
        exit 1
    fi
    base=${url%/}
    port=${base##*:}
    echo "server $bin (pid $server_pid) on $base"

    # which libh2o-evloop the process mapped
    local lib
    lib=$(awk '$6 ~ /libh2o-evloop/ { print $6; exit }' "/proc/$server_pid/maps")
    lib=$(realpath "$lib" 2>/dev/null || echo "$lib")
    if [ "$expect_lib" = debian ]; then
        expect "library: Debian's libh2o-evloop 2.2.5" "$lib" "$(realpath "$DEBIAN_LIB")"
    else
        expect "library: ours, from $expect_lib" "$(dirname "$lib")" "$(realpath "$expect_lib")"
    fi
}

# e2e_stop [EXPECTED_EXIT]: SIGTERM, then up to 15 s for a graceful exit with that status (default 0)
e2e_stop() {
    local want=${1:-0} rc
    kill -TERM "$server_pid" 2>/dev/null
    for _ in $(seq 1 150); do
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$server_pid" 2>/dev/null; then
        fail "graceful shutdown: still running 15 s after SIGTERM"
        kill -KILL "$server_pid" 2>/dev/null
    fi
    wait "$server_pid"
    rc=$?
    server_pid=""
    expect "graceful shutdown on SIGTERM: exit status" "$rc" "$want"
}

# python raw-socket scenario (embedder_client.py): its ok/FAIL lines count like ours
e2e_client() {
    local out rc
    out=$(python3 "$E2E_DIR/embedder_client.py" "$@" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    fails=$((fails + rc))
}

e2e_finish() {
    if [ $fails -eq 0 ]; then
        echo "all checks passed"
    else
        echo "$fails check(s) failed; the server's stderr:"
        sed 's/^/    /' "$work/stderr"
    fi
    exit $((fails != 0))
}
