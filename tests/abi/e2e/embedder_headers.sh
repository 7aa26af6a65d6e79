#!/usr/bin/env bash
# tests/abi/programs/header_inspect.c end to end: the request as libh2o fills h2o_req_t (method,
# path, path_normalized, query_at, authority, scheme, version, headers with orig_name and tokens) and
# response headers set with h2o_add_header / _by_str / h2o_set_header / h2o_set_header_token.
# E2E_PROTO=h2c: over HTTP/2: version 0x200, orig_name NULL (HTTP/2 names are lower case on the
# wire), response names lower case; the raw forms are host without :authority, CONTINUATION frames
# split across writes, cookie crumbs, te: trailers (embedder_client.py header-forms).
#   embedder_headers.sh BINARY WORKDIR EXPECT
bin=$1 work=$2 expect_lib=$3
# shellcheck source=embedder_lib.sh
. "$(dirname "$0")/embedder_lib.sh"

e2e_start "$bin" "$expect_lib"
h=$(c -D - -o "$work/out" -A 'agent/1' -H 'X-Dup: 1' -H 'X-Dup: 2' -H 'X-Empty;' -H 'Accept-Encoding: gzip' \
    "$base/inspect/b%41%2F?x=1&y")
out=$(cat "$work/out")
line() { printf '%s\n' "$out" | grep -F -x -- "$1" >/dev/null && echo yes || echo "no (missing: $1)"; }
expect "method" "$(line 'method: GET')" yes
expect "path as sent" "$(line 'path: /inspect/b%41%2F?x=1&y')" yes
expect "path_normalized: %xx decoded" "$(line 'path_normalized: /inspect/bA/')" yes
expect "query_at" "$(line 'query_at: 16')" yes
expect "authority from Host" "$(line "authority: 127.0.0.1:$port")" yes
expect "scheme is H2O_URL_SCHEME_HTTP" "$(line 'scheme: http (H2O_URL_SCHEME_HTTP)')" yes
if h2c; then
    # (the program prints orig_name with the name's length: "(null)" is cut to 5 bytes for x-dup)
    expect "version" "$(line 'version: 0x200')" yes
    expect ":authority is not among the headers" "$(line 'headers: 6')" yes
    expect "token header, orig_name NULL" "$(line 'user-agent (orig (null), a token): agent/1')" yes
    expect "duplicates kept apart, in order" "$(printf '%s\n' "$out" | grep '^x-dup' | tr '\n' ';')" \
        "x-dup (orig (null, not a token): 1;x-dup (orig (null, not a token): 2;"
    expect "empty value" "$(line 'x-empty (orig (null), not a token): ')" yes
else
    expect "version" "$(line 'version: 0x101')" yes
    expect "Host is not among the headers" "$(line 'headers: 6')" yes
    expect "token header with orig_name" "$(line 'user-agent (orig User-Agent, a token): agent/1')" yes
    expect "duplicates kept apart, in order" "$(printf '%s\n' "$out" | grep '^x-dup' | tr '\n' ';')" \
        "x-dup (orig X-Dup, not a token): 1;x-dup (orig X-Dup, not a token): 2;"
    expect "empty value" "$(line 'x-empty (orig X-Empty, not a token): ')" yes
fi
expect "h2o_find_header" "$(line 'find user-agent: agent/1')" yes
expect "h2o_find_header_by_str loop" "$(line 'find x-dup: 2')" yes
expect "h2o_lookup_token" "$(line 'lookup accept-encoding: H2O_TOKEN_ACCEPT_ENCODING')" yes
resp=$(printf '%s\n' "$h" | tr -d '\r')
if h2c; then want="x-inspected: replaced;x-inspected: 2;"; else want="X-Inspected: replaced;x-inspected: 2;"; fi
expect "response: h2o_set_header_by_str replaced the first, kept the second; orig_name spelling (HTTP/1)" \
    "$(printf '%s\n' "$resp" | grep -i '^x-inspected:' | tr '\n' ';')" "$want"
expect "response: h2o_set_header_token merged vary" "$(header "$h" vary)" "accept, user-agent"
expect "response: h2o_set_header" "$(header "$h" cache-control)" "no-store"
long=$(head -c 6000 /dev/zero | tr '\0' 'v')
if h2c; then orig='(null)'; else orig=X-Long; fi
expect "a 6000-byte header value" "$(c -H "X-Long: $long" "$base/inspect" | grep -c "^x-long (orig $orig, not a token): $long\$")" "1"
expect "POST body size" "$(c --data-binary '12345' "$base/inspect" | grep '^entity:')" "entity: 5 bytes"
expect "dot segments removed" "$(c --path-as-is "$base/inspect/./a/../b" | grep '^path_normalized:')" "path_normalized: /inspect/b"
e2e_client header-forms "$port" "$expect_lib"
e2e_stop 0
e2e_finish
