#!/usr/bin/env bash
# Checks the installed shared library: its dynamic symbol table, SONAME and symlink chain.
#   check-exports.sh LIBDIR SOURCE_DIR
# - `nm -D --defined-only` names == capi/exports.txt exactly (no Rust-mangled names, no __rust_*
#   allocator shims, nothing else), and capi/exports.txt == the `global:` names of
#   capi/libh2o-evloop.map (the reviewed list);
# - SONAME is libh2o-evloop.so.0.13;
# - libh2o-evloop.so -> libh2o-evloop.so.0.13 -> libh2o-evloop.so.0.13.0 (a regular file).
set -euo pipefail
libdir=$1
src=$2
NM=${NM:-nm}
READELF=${READELF:-readelf}
real=libh2o-evloop.so.0.13.0
soname=libh2o-evloop.so.0.13
link=libh2o-evloop.so
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. exports
"$NM" -D --defined-only "$libdir/$real" | awk 'NF >= 3 { print $3 }' | LC_ALL=C sort >"$tmp/actual"
LC_ALL=C sort "$src/capi/exports.txt" >"$tmp/expected"
echo "exported by $libdir/$real:"
sed 's/^/    /' "$tmp/actual"
if ! diff -u "$tmp/expected" "$tmp/actual"; then
    fail "the exported symbols differ from capi/exports.txt (diff above: - expected, + actual)"
fi
if grep -E '^(_ZN|_R|__rust)' "$tmp/actual"; then
    fail "Rust-internal symbols are exported (above)"
fi

# 2. the reviewed version-script list and exports.txt agree
perl -0pe 's{/\*.*?\*/}{}gs' "$src/capi/libh2o-evloop.map" |
    awk '/global:/ { g = 1; next } /local:/ { g = 0 } g { gsub(/[ \t;]/, ""); if ($0 != "") print }' |
    LC_ALL=C sort >"$tmp/map"
if ! diff -u "$tmp/expected" "$tmp/map"; then
    fail "capi/libh2o-evloop.map (global:) and capi/exports.txt disagree"
fi

# 3. SONAME
got_soname=$("$READELF" -d "$libdir/$real" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
echo "SONAME: $got_soname"
[ "$got_soname" = "$soname" ] || fail "SONAME is '$got_soname', expected $soname"

# 4. symlink chain
[ -f "$libdir/$real" ] && [ ! -L "$libdir/$real" ] || fail "$libdir/$real is not a regular file"
[ -L "$libdir/$soname" ] && [ "$(readlink "$libdir/$soname")" = "$real" ] ||
    fail "$libdir/$soname is not a symlink to $real"
[ -L "$libdir/$link" ] && [ "$(readlink "$libdir/$link")" = "$soname" ] ||
    fail "$libdir/$link is not a symlink to $soname"
[ -f "$libdir/libh2o-evloop.a" ] || fail "$libdir/libh2o-evloop.a is missing"
echo "chain: $link -> $(readlink "$libdir/$link") -> $(readlink "$libdir/$soname")"

[ $status -eq 0 ] && echo "exports: ok"
exit $status
