#!/usr/bin/env bash
# Server push, 103 Early Hints and CASPer with real clients, against the c-examples demo embedder's
# /push page (103 with `Link: </style.css>; rel=preload, </app.js>; rel=preload`, then the page
# 100 ms later with the same links; ?nohints: no 103; ?nopush: links that must not be pushed) on
# 127.0.0.1, over h2c and, with --tls-port, h2 over TLS:
#   - nghttp -nv: PUSH_PROMISE of /style.css and /app.js before the HTML's first DATA, the pushed
#     CSS complete (END_STREAM, every byte) before the HTML's first DATA, `x-http2-push: pushed`
#     on the pushed responses; with the 103: its HEADERS (with the links) before the PUSH_PROMISEs,
#     the PUSH_PROMISEs before the 200;
#   - /push?nohints&v=b7 promises /style.css?v=b7 and /app.js?v=b7 (the versioned links
#     benches/server/push.sh --keepalive asks for);
#   - nghttp --no-push (SETTINGS_ENABLE_PUSH=0) gets no PUSH_PROMISE; ?nopush (nopush, another
#     authority) gets none; a repeat visit carrying the h2o_casper cookie the first one got, none;
#     a request carrying a cache-digest header whose digest holds /style.css gets /app.js only;
#   - Python's h2 (informational.py, h2c) sees the 103 with its links, the pushes, then the 200
#     (with ENABLE_PUSH 0: no push);
#   - raw frames (push_limit.py, h2c): with the client's SETTINGS_MAX_CONCURRENT_STREAMS 0 no
#     PUSH_PROMISE, with 1 never two pushed streams open at once (the other link is not promised),
#     the page complete either way; with 100 the count does see two at once (the check can fail);
#     the same page three times on one connection gets each link promised once (the push memo);
#     /.well-known/h2/state asked while the pushed streams are held open (INITIAL_WINDOW_SIZE 0)
#     lists them (id, state, dataOut 0), and they complete once given a window;
#   - curl -i over HTTP/1.1 and --http2 (h2c: Upgrade; TLS: ALPN) and prior knowledge sees the 103
#     then the 200; over HTTP/1.0 only the 200;
#   - over TLS, headless chromium (when installed) loads /push and its net-log shows the 103 before
#     the 200 (tests/h2/netlog_103.py);
#   - the access log (--log, format '%r %s %{x-http2-push}o') says `pushed` for the pushes and
#     `cancelled` for the ones CASPer cancelled.
#
#   push.sh --port PORT [--tls-port PORT] --log FILE
#
# Prints "ok"/"FAIL" lines and a closing "N passed, N failed"; exits 1 on any failure, 77 (skip)
# without curl or nghttp. Bounded: curl --max-time 10, nghttp under timeout 20.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
port="" tls_port="" log="" site="$here/../../c-examples/site"
while [ $# -gt 0 ]; do
    case $1 in
    --port) port=$2; shift 2 ;;
    --tls-port) tls_port=$2; shift 2 ;;
    --log) log=$2; shift 2 ;;
    --site) site=$2; shift 2 ;;
    *) echo "usage: $0 --port PORT [--tls-port PORT] --log FILE [--site DIR]" >&2; exit 2 ;;
    esac
done
[ -n "$port" ] && [ -n "$log" ] || { echo "usage: $0 --port PORT [--tls-port PORT] --log FILE [--site DIR]" >&2; exit 2; }
for tool in curl nghttp; do
    command -v $tool >/dev/null 2>&1 || { echo "SKIPPED: $tool not found (apt-get install curl nghttp2-client)"; exit 77; }
done
grep -qi nghttp2 <<<"$(curl --version)" || { echo "SKIPPED: this curl has no HTTP/2"; exit 77; }
. "$here/../lib/checks.sh"

# the line number of the first line of $1 matching the extended regex $2 (empty: none)
first_line() { grep -nE -- "$2" <<<"$1" | head -1 | cut -d: -f1; }
# before NAME A B: both line numbers found and A < B
before() {
    if [ -n "$2" ] && [ -n "$3" ] && [ "$2" -lt "$3" ]; then ok "$1"; else fail "$1: line [$2] is not before line [$3]"; fi
}
# the stream nghttp -nv's output $1 says the server promised for path $2
promised() {
    awk -v p="$2" '/recv \(stream_id=[0-9]+\) :path: / { last = $NF }
        /promised_stream_id=/ { if (last == p) { match($0, /promised_stream_id=[0-9]+/); print substr($0, RSTART + 19, RLENGTH - 19); exit } }' <<<"$1"
}
# the stream of the client's (first) request in nghttp -nv's output $1
request_stream() { awk '/send HEADERS frame/ { match($0, /stream_id=[0-9]+/); print substr($0, RSTART + 10, RLENGTH - 10); exit }' <<<"$1"; }
# the bytes of DATA received on stream $2
data_bytes() {
    awk -v s="$2" 'index($0, "recv DATA frame") && index($0, "stream_id=" s ">") { match($0, /length=[0-9]+/); n += substr($0, RSTART + 7, RLENGTH - 7) } END { print n + 0 }' <<<"$1"
}
n_promises() { grep -c 'recv PUSH_PROMISE frame' <<<"$1"; }
# the status lines of curl -i's output $1, joined by |
statuses() { tr -d '\r' <<<"$1" | grep -E '^HTTP/[0-9.]+ [0-9]{3}' | sed 's/ *$//' | paste -sd'|'; }

cookie=""
h2_checks() {
    local t=$1 base=$2 out html css js pp hd ce s103 s200
    # --- the links on the final response (no 103) ---
    out=$(timeout 20 nghttp -nv "$base/push?nohints" 2>&1)
    html=$(request_stream "$out") css=$(promised "$out" /style.css) js=$(promised "$out" /app.js)
    expect "$t nghttp -nv /push?nohints: two PUSH_PROMISEs" "$(n_promises "$out")" 2
    expect_match "$t   /style.css and /app.js promised on even streams" "$css $js" '^[0-9]*[02468] [0-9]*[02468]$'
    pp=$(first_line "$out" 'recv PUSH_PROMISE frame')
    hd=$(first_line "$out" "recv DATA frame <[^>]*stream_id=$html>")
    before "$t   the first PUSH_PROMISE before the HTML's first DATA" "$pp" "$hd"
    ce=$(first_line "$out" "recv DATA frame <[^>]*flags=0x0[19], stream_id=$css>")
    before "$t   the pushed /style.css complete (END_STREAM) before the HTML's first DATA" "$ce" "$hd"
    expect "$t   the pushed /style.css: every byte" "$(data_bytes "$out" "$css")" "$(stat -c %s "$site/style.css")"
    expect "$t   the pushed /app.js: every byte" "$(data_bytes "$out" "$js")" "$(stat -c %s "$site/app.js")"
    expect_match "$t   x-http2-push: pushed on the pushed /style.css" "$out" "recv \(stream_id=$css\) x-http2-push: pushed"
    expect_match "$t   the HTML: 200" "$out" "recv \(stream_id=$html\) :status: 200"
    cookie=$(grep -oE "recv \(stream_id=$html\) set-cookie: h2o_casper=[^;]*" <<<"$out" | head -1 | sed 's/.*set-cookie: //')
    expect_match "$t   the HTML sets the h2o_casper cookie" "$cookie" '^h2o_casper=[A-Za-z0-9_-]+$'
    # --- /push?nohints&v=V: the versioned paths are pushed (benches/server/push.sh --keepalive) ---
    out=$(timeout 20 nghttp -nv "$base/push?nohints&v=b7" 2>&1)
    css=$(promised "$out" "/style.css?v=b7") js=$(promised "$out" "/app.js?v=b7")
    expect "$t nghttp -nv /push?nohints&v=b7: two PUSH_PROMISEs" "$(n_promises "$out")" 2
    expect_match "$t   /style.css?v=b7 and /app.js?v=b7 promised" "$css $js" '^[0-9]*[02468] [0-9]*[02468]$'
    expect "$t   the pushed /style.css?v=b7: every byte" "$(data_bytes "$out" "$css")" "$(stat -c %s "$site/style.css")"

    # --- 103 Early Hints, then the page ---
    out=$(timeout 20 nghttp -nv "$base/push" 2>&1)
    html=$(request_stream "$out") css=$(promised "$out" /style.css)
    expect "$t nghttp -nv /push (103): two PUSH_PROMISEs" "$(n_promises "$out")" 2
    s103=$(first_line "$out" "recv \(stream_id=$html\) :status: 103")
    s200=$(first_line "$out" "recv \(stream_id=$html\) :status: 200")
    pp=$(first_line "$out" 'recv PUSH_PROMISE frame')
    hd=$(first_line "$out" "recv DATA frame <[^>]*stream_id=$html>")
    before "$t   the 103 before the first PUSH_PROMISE" "$s103" "$pp"
    expect_match "$t   the 103 carries the links" "$(sed -n "${s103:-1},$((${s103:-1} + 3))p" <<<"$out")" "link: </style.css>; rel=preload"
    before "$t   the PUSH_PROMISEs before the 200" "$pp" "$s200"
    ce=$(first_line "$out" "recv DATA frame <[^>]*flags=0x0[19], stream_id=$css>")
    before "$t   the pushed /style.css complete before the HTML's first DATA" "$ce" "$hd"

    # --- no push: the client disabled it, the links say so, the client has them (CASPer) ---
    out=$(timeout 20 nghttp -nv --no-push "$base/push" 2>&1)
    expect_match "$t nghttp --no-push: sends SETTINGS_ENABLE_PUSH 0" "$out" 'SETTINGS_ENABLE_PUSH\(0x02\):0'
    expect "$t   no PUSH_PROMISE" "$(n_promises "$out")" 0
    expect_match "$t   the 103 then the 200 all the same" "$(grep -oE ':status: [0-9]+' <<<"$out" | paste -sd' ')" '^:status: 103 :status: 200$'
    out=$(timeout 20 nghttp -nv "$base/push?nopush" 2>&1)
    expect "$t nghttp -nv /push?nopush (nopush, another authority): no PUSH_PROMISE" "$(n_promises "$out")" 0
    expect_match "$t   the Link header is sent" "$out" 'link: </style.css>; rel=preload; nopush'
    if [ -n "$cookie" ]; then
        out=$(timeout 20 nghttp -nv -H "cookie: $cookie" "$base/push" 2>&1)
        expect "$t nghttp -nv /push with the h2o_casper cookie: no PUSH_PROMISE" "$(n_promises "$out")" 0
        expect_match "$t   the 103 then the 200" "$(grep -oE ':status: [0-9]+' <<<"$out" | paste -sd' ')" '^:status: 103 :status: 200$'
    else
        fail "$t nghttp -nv /push with the h2o_casper cookie: no cookie to send"
    fi
    # --- cache-digest: the client's digest holds /style.css, so only /app.js is pushed ---
    local digest
    digest=$(python3 "$here/cache_digest.py" "$base/style.css")
    out=$(timeout 20 nghttp -nv -H "cache-digest: $digest; complete" "$base/push?nohints" 2>&1)
    expect "$t nghttp -nv /push?nohints with a cache-digest of /style.css: one PUSH_PROMISE" "$(n_promises "$out")" 1
    expect_match "$t   the one pushed is /app.js" "$(promised "$out" /style.css)|$(promised "$out" /app.js)" '^\|[0-9]*[02468]$'
}

curl_checks() {
    local t=$1 base=$2 k=$3 out
    # shellcheck disable=SC2086
    out=$(curl -si --max-time 10 $k --http1.1 "$base/push")
    expect "$t curl -i --http1.1 /push: 103 then 200" "$(statuses "$out")" "HTTP/1.1 103 Early Hints|HTTP/1.1 200 OK"
    expect_match "$t   the 103 carries the links" "$(tr -d '\r' <<<"$out" | sed -n '2p')" '^link: </style.css>; rel=preload'
    expect_match "$t   the page follows" "$out" '<title>libh2o-rs'
    # shellcheck disable=SC2086
    out=$(curl -si --max-time 10 $k --http1.0 "$base/push")
    expect_match "$t curl -i --http1.0 /push: the 200 only (no interim response to HTTP/1.0)" "$(statuses "$out")" '^HTTP/1\.[01] 200 OK$'
    # shellcheck disable=SC2086
    out=$(curl -si --max-time 10 $k --http2 "$base/push")
    if [ "$t" = h2c ]; then
        expect "$t curl -i --http2 (Upgrade: h2c) /push: 101, 103, 200" "$(statuses "$out")" "HTTP/1.1 101 Switching Protocols|HTTP/2 103|HTTP/2 200"
        out=$(curl -si --max-time 10 --http2-prior-knowledge "$base/push")
        expect "$t curl -i --http2-prior-knowledge /push: 103 then 200" "$(statuses "$out")" "HTTP/2 103|HTTP/2 200"
    else
        expect "$t curl -i --http2 /push: 103 then 200" "$(statuses "$out")" "HTTP/2 103|HTTP/2 200"
    fi
    expect_match "$t   the page follows" "$out" '<title>libh2o-rs'
}

h2_checks h2c "http://127.0.0.1:$port"
# Python's h2 (h2c): the 103 with its links, the pushes, then the 200
if python3 -c 'import h2' 2>/dev/null; then
    expect "h2c python h2 GET /push: 103, the pushes, the 200" "$(timeout 20 python3 "$here/informational.py" "$port" /push | paste -sd'|')" \
        "103 link=</style.css>; rel=preload; as=style, </app.js>; rel=preload; as=script|push /style.css|push /app.js|200 bytes=$(curl -s --max-time 10 "http://127.0.0.1:$port/push?nohints" | wc -c)|end"
    expect "h2c python h2 GET /push, ENABLE_PUSH 0: 103 and 200, no push" "$(timeout 20 python3 "$here/informational.py" "$port" /push --no-push | paste -sd'|')" \
        "103 link=</style.css>; rel=preload; as=style, </app.js>; rel=preload; as=script|200 bytes=$(curl -s --max-time 10 "http://127.0.0.1:$port/push?nohints" | wc -c)|end"
    # the client's SETTINGS_MAX_CONCURRENT_STREAMS (push_limit.py counts the server's pushed streams
    # open, from each PUSH_PROMISE to its END_STREAM / RST_STREAM, as the frames arrive)
    out=$(timeout 20 python3 "$here/push_limit.py" "$port" --max-streams 0 --assert-max 0 2>&1)
    expect "h2c python MAX_CONCURRENT_STREAMS 0: no PUSH_PROMISE, the page complete" "$?|$(grep -E '^(page|promises)' <<<"$out" | paste -sd'|')" \
        "0|page 200 bytes=$(curl -s --max-time 10 "http://127.0.0.1:$port/push?nohints" | wc -c)|promises 0"
    out=$(timeout 20 python3 "$here/push_limit.py" "$port" --max-streams 1 --assert-max 1 2>&1)
    expect "h2c python MAX_CONCURRENT_STREAMS 1: one pushed stream open at a time, the page complete" "$?|$(grep -E '^(page|peak)' <<<"$out" | paste -sd'|')" \
        "0|page 200 bytes=$(curl -s --max-time 10 "http://127.0.0.1:$port/push?nohints" | wc -c)|peak 1"
    expect "h2c   the other link not promised beyond the limit" "$(grep -c '^promise ' <<<"$out")" 1
    out=$(timeout 20 python3 "$here/push_limit.py" "$port" --max-streams 100 --assert-max 1 2>&1)
    expect "h2c python MAX_CONCURRENT_STREAMS 100: two pushed streams open at once (the at-most-1 assertion fails)" \
        "$?|$(grep -E '^(peak|FAIL)' <<<"$out" | paste -sd'|')" "1|peak 2|FAIL: 2 pushed streams open at once, more than 1"
    # the same page three times on one connection: each link is pushed once (a URL is pushed
    # once per connection, 2.2.5's push memo; the access log checks below see no second push)
    out=$(timeout 20 python3 "$here/push_limit.py" "$port" --max-streams 100 --repeat 3 --path "/push?nohints&v=memo" 2>&1)
    expect "h2c python /push?nohints&v=memo three times on one connection: the two links promised once" \
        "$?|$(grep -E '^(promises|pages)' <<<"$out" | paste -sd'|')" "0|promises 2|pages 3 200"
    # /.well-known/h2/state asked while the pushed streams are held open (INITIAL_WINDOW_SIZE 0)
    out=$(timeout 20 python3 "$here/push_limit.py" "$port" --state 2>&1)
    rc=$?
    printf '%s\n' "$out" | grep -E '^(streams in|FAIL)' | sed 's/^/    /'
    expect "h2c python /.well-known/h2/state with the pushes held: lists each pushed stream, which then completes" "$rc" 0
    expect "h2c   ... both pushed streams in it with their state and dataOut 0" \
        "$(grep -E '^state ' <<<"$out" | awk '{ print $2, ($3 != "" && $3 != "None"), $4 }' | paste -sd'|')" "2 1 dataOut=0|4 1 dataOut=0"
else
    echo "note: python3 lacks h2 (tests/setup-deps.sh installs it): its checks are left out"
fi
curl_checks h2c "http://127.0.0.1:$port" ""
if [ -n "$tls_port" ]; then
    h2_checks tls "https://127.0.0.1:$tls_port"
    curl_checks tls "https://127.0.0.1:$tls_port" -k
    # a real browser over TLS: headless chromium loads /push; its net-log shows the 103 (chromium
    # disables push itself: SETTINGS_ENABLE_PUSH 0)
    if command -v chromium >/dev/null 2>&1; then
        . "$here/../lib/chromium.sh"
        tmp=$(mktemp -d)
        chromium_browse "$tmp" push "https://127.0.0.1:$tls_port/push"
        expect "tls chromium /push: exit status" "$?" 0
        expect "tls chromium /push: the page's DOM" "$(grep -c '<h2>Server push</h2>' "$tmp/dom-push.html")" 1
        expect "tls chromium /push: the net-log shows the 103" "$(python3 "$here/netlog_103.py" "$tmp/netlog-push.json" "$tls_port" 2>&1)" \
            "103 with links, then 200 (push disabled by the browser, no PUSH_PROMISE)"
        rm -rf "$tmp"
    else
        echo "note: chromium not found (tests/setup-deps.sh installs it): the browser check is left out"
    fi
fi

# --- the access log: %r %s %{x-http2-push}o ---
sleep 0.2
at_least() { if [ "$2" -ge "$3" ]; then ok "$1 ($2)"; else fail "$1: $2 lines, want at least $3"; fi; }
n_conns=1
[ -n "$tls_port" ] && n_conns=2
at_least "access log: GET /style.css HTTP/2 200 pushed" "$(grep -c '^GET /style.css HTTP/2 200 pushed$' "$log")" $((2 * n_conns))
at_least "access log: GET /app.js HTTP/2 200 pushed" "$(grep -c '^GET /app.js HTTP/2 200 pushed$' "$log")" $((2 * n_conns))
at_least "access log: GET /style.css HTTP/2 200 cancelled (CASPer)" "$(grep -c '^GET /style.css HTTP/2 200 cancelled$' "$log")" $n_conns
if python3 -c 'import h2' 2>/dev/null; then
    expect "access log: /style.css?v=memo pushed once, no second push made (not even a cancelled one)" \
        "$(grep -c '^GET /style.css?v=memo HTTP/2 200 pushed$' "$log")|$(grep -c '^GET /[a-z.]*?v=memo HTTP/2 [0-9]* cancelled$' "$log")" "1|0"
fi
at_least "access log: GET /push HTTP/2 200 - (not a push)" "$(grep -c '^GET /push HTTP/2 200 -$' "$log")" 1

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
