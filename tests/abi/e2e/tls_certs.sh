# Sourced by tls_curl.sh and tls_chromium.sh: makes the certificates of a TLS test in a directory.
#   tls_make_certs DIR KIND     KIND rsa | ec: the key type of every certificate
# writes DIR/root.pem (a self-signed CA), DIR/chain.pem (the leaf for localhost / 127.0.0.1, then the
# intermediate CA that signed it; the root signed the intermediate) and DIR/leaf.key (PKCS#8 PEM).
# A client that trusts root.pem alone verifies the server only if the server sends the intermediate.
# Returns non-zero (after saying what failed) when openssl fails.
tls_make_certs() {
    local dir=$1 kind=$2 keyargs
    case $kind in
        rsa) keyargs=(-algorithm RSA -pkeyopt rsa_keygen_bits:2048) ;;
        ec) keyargs=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256) ;;
        *) echo "tls_make_certs: unknown key kind $kind" >&2; return 1 ;;
    esac
    (
        set -e
        cd "$dir"
        for n in root inter leaf; do openssl genpkey "${keyargs[@]}" -out $n.key 2>/dev/null; done
        openssl req -x509 -new -key root.key -subj "/CN=libh2o-rs test root" -days 2 \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -out root.pem
        printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' >inter.ext
        openssl req -new -key inter.key -subj "/CN=libh2o-rs test intermediate" -out inter.csr
        openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key -CAcreateserial -days 2 -extfile inter.ext \
            -out inter.pem 2>/dev/null
        printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >leaf.ext
        openssl req -new -key leaf.key -subj "/CN=localhost" -out leaf.csr
        openssl x509 -req -in leaf.csr -CA inter.pem -CAkey inter.key -CAcreateserial -days 2 -extfile leaf.ext \
            -out leaf.pem 2>/dev/null
        cat leaf.pem inter.pem >chain.pem
    ) || { echo "tls_make_certs: openssl failed making $kind certificates in $dir" >&2; return 1; }
}

# the library that served the server (its PORT_FILE.origin) against the expected one: "debian" or
# "ours"; prints a check line and returns non-zero on a mismatch
tls_check_origin() {
    local origin_file=$1 on=$2 got
    got=$(readlink -f "$(cat "$origin_file" 2>/dev/null)" 2>/dev/null)
    local debian
    debian=$(readlink -f /usr/lib/x86_64-linux-gnu/libh2o-evloop.so.0.13 2>/dev/null)
    if [ -z "$got" ]; then
        echo "FAIL the server did not say which library holds h2o_accept"; return 1
    elif [ "$on" = debian ] && [ "$got" = "$debian" ]; then
        echo "ok   h2o_accept comes from Debian's $got"
    elif [ "$on" != debian ] && [ "$got" != "$debian" ]; then
        echo "ok   h2o_accept comes from $got (ours)"
    else
        echo "FAIL h2o_accept comes from $got, expected $on's library"; return 1
    fi
}
