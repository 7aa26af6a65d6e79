# A headless chromium kept off the network, for the TLS client tests (tests/abi/e2e/tls_chromium.sh,
# tests/tls/clients.sh): source it, then
#   chromium_browse WORKDIR NAME URL [extra chromium flags...]
# loads URL once with a fresh profile (WORKDIR/profile-NAME), writing its DOM to WORKDIR/dom-NAME.html,
# its net-log to WORKDIR/netlog-NAME.json and its stderr to WORKDIR/chromium-NAME.err; returns
# chromium's exit status. Every host name but 127.0.0.1 resolves to nothing; no QUIC, no component
# updates, no sync; bounded by `timeout` (60 s). Check the net-log with tests/lib/netlog_h2.py.
chromium_browse() {
    local work=$1 n=$2 url=$3
    shift 3
    timeout -k 5 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync --disable-extensions \
        --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
        --user-data-dir="$work/profile-$n" --ignore-certificate-errors --log-net-log="$work/netlog-$n.json" \
        "$@" --dump-dom "$url" >"$work/dom-$n.html" 2>"$work/chromium-$n.err"
}
