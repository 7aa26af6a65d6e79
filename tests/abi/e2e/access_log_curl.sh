#!/usr/bin/env bash
# curl against access_log_serve on 127.0.0.1, then checks the access logs it wrote: the default
# (combined) format, %{user-agent}i with quotes and a backslash (escaped), %{content-type}o, %b,
# %s, the timings (numbers, non-negative, below the test's length; the streamed response's
# response-time at least its 300 ms), %{sec}t within the test, keep-alive request indices, a JSON
# log, and the "| cat >> file" pipe (complete once the server released the handle).
# Skips (77) without curl. Bounded: the server exits after 20 s, every curl call has --max-time 5,
# the wait for the pipe 5 s.
# Usage: access_log_curl.sh SERVE_BINARY WORKDIR
set -uo pipefail
serve=$1
work=$2
command -v curl >/dev/null 2>&1 || { echo "curl not found: skipped"; exit 77; }
rm -rf "$work"
mkdir -p "$work/logs"
portfile=$work/port
started=$(date +%s)
"$serve" "$portfile" 20 "$work/logs" &
pid=$!
for _ in $(seq 1 100); do [ -s "$portfile" ] && break; sleep 0.05; done
[ -s "$portfile" ] || { echo "FAIL: server did not start"; kill "$pid" 2>/dev/null; exit 1; }
port=$(cat "$portfile")
base=http://127.0.0.1:$port
fails=0
c() { curl --silent --show-error --max-time 5 "$@"; }
expect() { # name, got, want
    if [ "$2" == "$3" ]; then echo "ok   $1"; else echo "FAIL $1: got [$2], want [$3]"; fails=$((fails + 1)); fi
}
expect_match() { # name, got, extended regex
    if [[ $2 =~ $3 ]]; then echo "ok   $1"; else echo "FAIL $1: [$2] does not match /$3/"; fails=$((fails + 1)); fi
}

# the requests: 9 in all (the log lines are in this order)
c -A 'test-agent/1.0' "$base/hello" >/dev/null                   # 1
c -A 'quote"agent\' "$base/hello?x=1&y=%22" >/dev/null            # 2
c -A 'test-agent/1.0' "$base/none" >/dev/null                     # 3: 404
c -A 'test-agent/1.0' --data-binary 'ping' "$base/echo" >/dev/null # 4: POST
c -A 'test-agent/1.0' "$base/stream" >/dev/null                   # 5: 300 ms
c -A 'test-agent/1.0' "$base/hello" "$base/hello" >/dev/null      # 6, 7: one connection
c -A 'test-agent/1.0' -I "$base/hello" >/dev/null                 # 8: HEAD
expect "quit" "$(c -A 'test-agent/1.0' "$base/quit")" "bye"       # 9
wait "$pid"
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: server exited with $rc"; fails=$((fails + 1)); }
finished=$(date +%s)

line() { sed -n "${2}p" "$work/logs/$1"; }
expect "default.log: one line per request" "$(wc -l < "$work/logs/default.log")" "9"
stamp='\[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}\]'
expect_match "default format: GET" "$(line default.log 1)" "^127\.0\.0\.1 - - $stamp \"GET /hello HTTP/1\.1\" 200 6 \"-\" \"test-agent/1\.0\"$"
expect_match "default format: escaped user agent and query" "$(line default.log 2)" \
    "^127\.0\.0\.1 - - $stamp \"GET /hello\?x=1&y=%22 HTTP/1\.1\" 200 6 \"-\" \"quote\\\\x22agent\\\\\"$"
expect_match "default format: 404" "$(line default.log 3)" "^127\.0\.0\.1 - - $stamp \"GET /none HTTP/1\.1\" 404 [0-9]+ \"-\" \"test-agent/1\.0\"$"
expect_match "default format: POST" "$(line default.log 4)" "^127\.0\.0\.1 - - $stamp \"POST /echo HTTP/1\.1\" 200 4 "
expect_match "default format: streamed" "$(line default.log 5)" "\"GET /stream HTTP/1\.1\" 200 24 "
expect_match "default format: HEAD" "$(line default.log 8)" "\"HEAD /hello HTTP/1\.1\" 200 [0-9]+ "
expect_match "default format: quit" "$(line default.log 9)" "\"GET /quit HTTP/1\.1\" 200 4 "

# custom.log: duration request-total header body process response connect (the timings), status >s
#             bytes "ua" "ct" method path query| protocol remote-port local-port local-addr x-missing
#             conn-id sec index
expect "custom.log: one line per request" "$(wc -l < "$work/logs/custom.log")" "9"
expect_match "custom: GET /hello" "$(line custom.log 1)" \
    "^[0-9.]+ [0-9.]+ [0-9.]+ [0-9.]+ [0-9.]+ [0-9.]+ [0-9.]+ 200 200 6 \"test-agent/1\.0\" \"text/plain\" GET /hello \| HTTP/1\.1 [0-9]+ $port 127\.0\.0\.1 - [0-9]+ [0-9]+ [0-9]+$"
expect_match "custom: query and escaped agent" "$(line custom.log 2)" " 200 200 6 \"quote\\\\x22agent\\\\\" \"text/plain\" GET /hello \?x=1&y=%22\| "
expect_match "custom: 404" "$(line custom.log 3)" " 404 404 [0-9]+ \"test-agent/1\.0\" \"text/plain; charset=utf-8\" "
expect_match "custom: POST" "$(line custom.log 4)" " 200 200 4 \"test-agent/1\.0\" \"-\" POST /echo \| "
expect_match "custom: stream" "$(line custom.log 5)" " 200 200 24 \"test-agent/1\.0\" \"application/octet-stream\" GET /stream \| "
bad=$(awk -v start="$started" -v end="$finished" '{
    n = split($0, f, " ");
    # f[1..7]: the seven timings; f[n-1]: %{sec}t
    for (i = 1; i <= 7; ++i)
        if (f[i] !~ /^[0-9]+(\.[0-9][0-9][0-9][0-9][0-9][0-9])?$/ || f[i] + 0 > end - start + 1)
            print "line " NR " timing " i ": " f[i];
    if (f[n - 1] < start || f[n - 1] > end)
        print "line " NR " sec " f[n - 1] " not within " start ".." end;
    if (f[1] + 0 < f[6] + 0)
        print "line " NR ": duration " f[1] " shorter than the response time " f[6];
}' "$work/logs/custom.log")
expect "custom: timings are numbers within the test, %{sec}t too" "$bad" ""
expect "custom: the streamed response took its 300 ms" "$(line custom.log 5 | awk '{ print ($6 >= 0.25 && $1 >= 0.25) ? "yes" : $1 " " $6 }')" "yes"
idx6=$(line custom.log 6 | awk '{ print $NF }')
idx7=$(line custom.log 7 | awk '{ print $NF }')
expect "custom: keep-alive: the second request's index is the first's + 1" "$((idx7 - idx6))" "1"
id6=$(line custom.log 6 | awk '{ print $(NF-2) }')
id7=$(line custom.log 7 | awk '{ print $(NF-2) }')
expect "custom: keep-alive: one connection id" "$id7" "$id6"

expect "json.log: GET" "$(line json.log 1)" '{"status":200,"path":"/hello","ua":"test-agent/1.0","referer":null,"ct":"text/plain"}'
expect "json.log: escaped agent" "$(line json.log 2)" '{"status":200,"path":"/hello","ua":"quote\"agent\\","referer":null,"ct":"text/plain"}'
expect "json.log: no content type" "$(line json.log 4)" '{"status":200,"path":"/echo","ua":"test-agent/1.0","referer":null,"ct":null}'

# the piped log is complete once cat saw EOF (the server released its last reference on exit)
for _ in $(seq 1 100); do [ "$(wc -l < "$work/logs/piped.log" 2>/dev/null)" = 9 ] && break; sleep 0.05; done
expect "piped.log: one line per request" "$(wc -l < "$work/logs/piped.log")" "9"
expect "piped.log: GET" "$(line piped.log 1)" "127.0.0.1 GET /hello HTTP/1.1 200"
expect "piped.log: quit" "$(line piped.log 9)" "127.0.0.1 GET /quit HTTP/1.1 200"

[ $fails -eq 0 ] && echo "all access log checks passed"
exit $((fails != 0))
