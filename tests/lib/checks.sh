# Check helpers shared by the client test scripts (tests/h2/clients.sh, tests/tls/clients.sh):
# source it, then call ok / fail / expect / expect_match; $passed and $failed count the results.
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
expect() { if [ "$2" == "$3" ]; then ok "$1"; else fail "$1: got [$2], want [$3]"; fi; }
# grep reads a here-string: with pipefail, `printf | grep -q` can fail with SIGPIPE on a match
expect_match() { if grep -Eq -- "$3" <<<"$2"; then ok "$1"; else fail "$1: [$(printf '%s' "$2" | head -c 300)] does not match /$3/"; fi; }
