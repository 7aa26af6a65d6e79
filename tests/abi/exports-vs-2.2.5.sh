#!/usr/bin/env bash
# Our installed library's dynamic symbols against libh2o-evloop 2.2.5's export list.
#
#   exports-vs-2.2.5.sh OUR_LIB REFERENCE_LIST TIER1_LIST [DEBIAN_LIB]
#
#   OUR_LIB         the installed libh2o-evloop.so.0.13.0
#   REFERENCE_LIST  ../shared/abi/libh2o-evloop-2.2.5-exports.txt ("KIND NAME" lines, nm letters);
#                   absent: exit 77 (skipped)
#   TIER1_LIST      tests/abi/tier1-2.2.5.txt (the Tier 1 names of that list)
#   DEBIAN_LIB      Debian's libh2o-evloop.so.0.13 (optional): tells which 2.2.5 data objects are
#                   thread-local (nm shows those as plain data) and gives their sizes
#
# Fails when
#   - a name we export is neither in 2.2.5's list nor an extension of ours (h2o_rs_*,
#     phr_decode_chunked_v2, and h2o_send_informational: H2O 2.3's name for 1xx responses);
#   - a name we share with 2.2.5 has another kind: function (nm T) vs data (D/R/B), or, with
#     DEBIAN_LIB, thread-local vs not (readelf type TLS);
#   - with DEBIAN_LIB, a shared data object has another size (executables copy-relocate data
#     objects with the size they were linked against);
#   - a name of TIER1_LIST is not in 2.2.5's list.
# Reports (not a failure) the Tier 1 names we do not export yet.
set -euo pipefail

ours=${1:?our library}
ref=${2:?2.2.5 export list}
tier1=${3:?tier 1 list}
debian=${4:-}
NM=${NM:-nm}
READELF=${READELF:-readelf}

if [ ! -f "$ref" ]; then
    echo "SKIPPED: $ref (the 2.2.5 export list) is absent"
    exit 77
fi
[ -f "$ours" ] || { echo "FAIL: $ours does not exist"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }

# kind letters: F function, D data (nm's D/R/B/...)
kind() { awk '{ k = ($1 == "T" || $1 == "t" || $1 == "W" || $1 == "i") ? "F" : "D"; print $2, k }'; }
grep -v '^[[:space:]]*#' "$ref" | awk 'NF >= 2 { print $1, $2 }' | kind | LC_ALL=C sort -k1,1 >"$tmp/ref"
"$NM" -D --defined-only "$ours" | awk 'NF >= 3 { print $2, $3 }' | kind | LC_ALL=C sort -k1,1 >"$tmp/ours"
# "name TYPE size" of defined dynamic symbols (readelf -sW --dyn-syms)
elf_syms() {
    "$READELF" -sW --dyn-syms "$1" | awk '$7 != "UND" && ($4 == "FUNC" || $4 == "OBJECT" || $4 == "TLS") {
        n = $8; sub(/@.*/, "", n); print n, $4, $3 }' | LC_ALL=C sort -u -k1,1
}
elf_syms "$ours" >"$tmp/ours.elf"
if [ -n "$debian" ] && [ -f "$debian" ]; then
    elf_syms "$debian" >"$tmp/deb.elf"
else
    echo "note: Debian's library not given or absent: thread-local kinds and data sizes not compared"
    : >"$tmp/deb.elf"
fi

# 1. names that are neither 2.2.5's nor our extensions
LC_ALL=C join -v1 "$tmp/ours" "$tmp/ref" | awk '{ print $1 }' >"$tmp/extra"
n_ext=0
while read -r name; do
    case $name in
    h2o_rs_* | phr_decode_chunked_v2 | h2o_send_informational) n_ext=$((n_ext + 1)) ;;
    *) fail "$name is exported but is not in 2.2.5's list (nor an allowed h2o_rs_* / phr_decode_chunked_v2 / h2o_send_informational extension)" ;;
    esac
done <"$tmp/extra"

# 2. kinds (and TLS-ness, sizes) of the shared names
LC_ALL=C join "$tmp/ours" "$tmp/ref" >"$tmp/common"
n_common=0
while read -r name k_ours k_ref; do
    n_common=$((n_common + 1))
    if [ "$k_ours" != "$k_ref" ]; then
        what() { [ "$1" = F ] && echo function || echo data; }
        fail "$name is $(what "$k_ours") here, $(what "$k_ref") in 2.2.5"
        continue
    fi
    d=$(awk -v n="$name" '$1 == n { print $2, $3; exit }' "$tmp/deb.elf")
    [ -n "$d" ] || continue
    o=$(awk -v n="$name" '$1 == n { print $2, $3; exit }' "$tmp/ours.elf")
    read -r t_deb s_deb <<<"$d"
    read -r t_ours s_ours <<<"${o:-? ?}"
    if [ "$t_deb" = TLS ] || [ "$t_ours" = TLS ]; then
        [ "$t_deb" = "$t_ours" ] || fail "$name is $t_ours here, $t_deb in 2.2.5 (thread-local must match)"
    fi
    if [ "$k_ours" = D ] && [ "$s_deb" != "$s_ours" ]; then
        fail "data object $name is $s_ours bytes here, $s_deb in 2.2.5"
    fi
done <"$tmp/common"

# 3. the Tier 1 list: names from the 2.2.5 list; which we lack
grep -v '^[[:space:]]*#' "$tier1" | awk 'NF { print $1 }' | LC_ALL=C sort -u >"$tmp/tier1"
LC_ALL=C join -v1 "$tmp/tier1" "$tmp/ref" >"$tmp/tier1-unknown"
while read -r name; do
    fail "$name is in $(basename "$tier1") but not in 2.2.5's export list"
done <"$tmp/tier1-unknown"
LC_ALL=C join -v1 "$tmp/tier1" "$tmp/ours" >"$tmp/missing"
n_t1=$(wc -l <"$tmp/tier1")
n_missing=$(wc -l <"$tmp/missing")

echo "exported: $(wc -l <"$tmp/ours") names: $n_common shared with 2.2.5 (kinds match: $([ $status = 0 ] && echo yes || echo no)), $n_ext extensions"
echo "Tier 1 of 2.2.5: $((n_t1 - n_missing)) of $n_t1 exported; not yet ($n_missing):"
fmt -w 110 "$tmp/missing" | sed 's/^/    /'
[ $status -eq 0 ] && echo "exports-vs-2.2.5: ok"
exit $status
