#!/usr/bin/env bash
# Builds and runs the consumer through pkg-config, against an installed prefix.
#   pkgconfig-consumer.sh shared|static PKGCONFIG_DIR CONSUMER_SOURCE OUTPUT_DIR
# shared: cc consumer.c $(pkg-config --cflags --libs libh2o-evloop), run with LD_LIBRARY_PATH=libdir
# static: cc consumer.c $(pkg-config --cflags --static --libs libh2o-evloop), with -lh2o-evloop
#         turned into -l:libh2o-evloop.a so that the archive, not the .so, is linked; then checks
#         that the program does not need libh2o-evloop.so at run time.
set -euo pipefail
mode=$1
export PKG_CONFIG_PATH=$2
source=$3
out=$4
CC=${CC:-cc}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
READELF=${READELF:-readelf}
mkdir -p "$out"
exe="$out/consumer-pkgconfig-$mode"

# Consumers of Debian's package check the libh2o library version (0.13.x), not the project's.
if ! "$PKG_CONFIG" --atleast-version=0.13 --max-version=0.13.99 libh2o-evloop; then
    echo "libh2o-evloop.pc: version $("$PKG_CONFIG" --modversion libh2o-evloop) is not 0.13.x" >&2
    exit 1
fi
libdir=$("$PKG_CONFIG" --variable=libdir libh2o-evloop)
cflags=$("$PKG_CONFIG" --cflags libh2o-evloop)
case $mode in
shared)
    libs=$("$PKG_CONFIG" --libs libh2o-evloop)
    ;;
static)
    libs=$("$PKG_CONFIG" --static --libs libh2o-evloop)
    libs=${libs/-lh2o-evloop/-l:libh2o-evloop.a}
    ;;
*)
    echo "usage: $0 shared|static PKGCONFIG_DIR SOURCE OUTDIR" >&2
    exit 2
    ;;
esac
set -x
# shellcheck disable=SC2086 # word splitting of pkg-config output is intended
"$CC" -std=c99 -Wall -Wextra -Werror $cflags -o "$exe" "$source" $libs
{ set +x; } 2>/dev/null

if [ "$mode" = static ]; then
    if grep -q 'NEEDED.*libh2o-evloop' <<<"$("$READELF" -d "$exe")"; then
        echo "FAIL: the static consumer still needs libh2o-evloop.so" >&2
        exit 1
    fi
    "$exe"
else
    "$READELF" -d "$exe" | grep 'NEEDED.*libh2o-evloop.so.0.13' >/dev/null ||
        { echo "FAIL: the consumer does not need libh2o-evloop.so.0.13" >&2; exit 1; }
    LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$exe"
fi
