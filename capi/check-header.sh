#!/usr/bin/env bash
# Fails when include/picohttpparser.h is not what cbindgen (pinned: 0.29.0) generates from the
# current sources with capi/cbindgen.toml, or when its version macro differs from Cargo.toml.
#
# Usage: capi/check-header.sh [SOURCE_DIR]   (default: the directory above this script)
# Fix a stale header: cbindgen --config capi/cbindgen.toml --crate libh2o-rs --output include/picohttpparser.h
set -euo pipefail

CBINDGEN_VERSION=0.29.0
src=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
cbindgen=${CBINDGEN:-cbindgen}

if ! command -v "$cbindgen" >/dev/null 2>&1; then
    echo "check-header: cbindgen not found; install the pinned version:" >&2
    echo "    cargo install cbindgen --version $CBINDGEN_VERSION --locked" >&2
    exit 1
fi
have=$("$cbindgen" --version | awk '{print $2}')
if [ "$have" != "$CBINDGEN_VERSION" ]; then
    echo "check-header: cbindgen $have found, but the header is pinned to cbindgen $CBINDGEN_VERSION:" >&2
    echo "    cargo install cbindgen --version $CBINDGEN_VERSION --locked --force" >&2
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# cbindgen runs `cargo metadata`; keep its target dir out of the source tree's way.
(cd "$src" && CARGO_TARGET_DIR="$tmp/target" "$cbindgen" --quiet --config capi/cbindgen.toml \
    --crate libh2o-rs --output "$tmp/picohttpparser.h")

status=0
if ! diff -u "$src/include/picohttpparser.h" "$tmp/picohttpparser.h"; then
    echo "check-header: include/picohttpparser.h is stale; regenerate it with" >&2
    echo "    cbindgen --config capi/cbindgen.toml --crate libh2o-rs --output include/picohttpparser.h" >&2
    status=1
fi

# The version macro (written in capi/cbindgen.toml) must follow Cargo.toml's package version.
pkg_version=$(sed -n '/^\[package\]/,/^\[/{s/^version *= *"\([^"]*\)".*/\1/p}' "$src/Cargo.toml" | head -n1)
hdr_version=$(sed -n 's/^#define H2O_RS_PICOHTTPPARSER_VERSION "\([^"]*\)"/\1/p' "$src/include/picohttpparser.h")
IFS=. read -r major minor patch <<<"${pkg_version%%-*}"
for pair in "VERSION_MAJOR $major" "VERSION_MINOR $minor" "VERSION_PATCH $patch"; do
    set -- $pair
    if ! grep -q "^#define H2O_RS_PICOHTTPPARSER_$1 $2\$" "$src/include/picohttpparser.h"; then
        echo "check-header: H2O_RS_PICOHTTPPARSER_$1 is not $2 (Cargo.toml version $pkg_version)" >&2
        status=1
    fi
done
if [ "$hdr_version" != "$pkg_version" ]; then
    echo "check-header: H2O_RS_PICOHTTPPARSER_VERSION is \"$hdr_version\" but Cargo.toml says $pkg_version;" >&2
    echo "    update after_includes in capi/cbindgen.toml and regenerate" >&2
    status=1
fi

[ $status -eq 0 ] && echo "check-header: include/picohttpparser.h is up to date (cbindgen $have, version $pkg_version)"
exit $status
