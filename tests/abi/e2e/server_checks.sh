# What the e2e scripts that drive one server process share (h2c_curl.sh, tls_curl.sh,
# tls_chromium.sh): source it after starting the server ($pid) with its stderr in $work/stderr.
#   expect NAME GOT WANT / expect_match NAME GOT ERE: an ok / FAIL line; $fails counts the failures
#   finish_after_quit: after the request for /quit, waits (10 s at most) for the server to exit,
#   checks its exit status 0, prints the result (the server's stderr on a failure) and exits 1
#   on any failure, else 0.
fails=0
expect() { # name, got, want
    if [ "$2" == "$3" ]; then echo "ok   $1"; else echo "FAIL $1: got [$2], want [$3]"; fails=$((fails + 1)); fi
}
expect_match() { # name, got, extended regex
    if [[ $2 =~ $3 ]]; then echo "ok   $1"; else echo "FAIL $1: [$2] does not match /$3/"; fails=$((fails + 1)); fi
}
finish_after_quit() {
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        expect "server exits after /quit" "still running" "exited"
    else
        wait "$pid"
        expect "server exit status" "$?" "0"
    fi
    trap - EXIT
    if [ $fails -eq 0 ]; then echo "all checks passed"; else echo "$fails check(s) failed; the server's stderr:"; cat "$work/stderr"; fi
    exit $((fails != 0))
}
