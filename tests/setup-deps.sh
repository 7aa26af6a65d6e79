#!/usr/bin/env bash
# Installs what the tests need on a Debian 12 machine. Idempotent, and fast when everything is
# already there (apt is skipped when every tool is present).
#
#   tests/setup-deps.sh          install what is missing
#   tests/setup-deps.sh --check  only report; exit 1 if something is missing
# Debian's chromium (the browser of the TLS tests, tests/abi/e2e/tls_chromium.sh) is large: about
# 124 MB to download, 414 MB installed, ~25 s to install after apt-get update on the project's machine.
# H2O_RS_NO_BROWSER=1 leaves it out (the browser tests then skip).
set -euo pipefail

CBINDGEN_VERSION=0.29.0
# Python packages of the HTTP/2 probes (tests/h2/probes.py), pinned
PY_PACKAGES=(h2==4.4.1 hyperframe==6.1.0 hpack==4.2.0)
RUST_MIN=1.89 # Cargo.toml rust-version (AVX-512 intrinsics are stable since 1.89)
APT_PACKAGES=(cmake pkg-config gcc g++ clang valgrind binutils libh2o-evloop-dev libssl-dev nghttp2-client
              wrk tzdata python3-pip curl perl ca-certificates openssl)
# tool -> the package that provides it
declare -A TOOL_PACKAGE=([cmake]=cmake [pkg-config]=pkg-config [gcc]=gcc [g++]=g++ [clang]=clang
                         [valgrind]=valgrind [nm]=binutils [readelf]=binutils [nghttp]=nghttp2-client [h2load]=nghttp2-client [wrk]=wrk
                         [pip3]=python3-pip [curl]=curl [perl]=perl [openssl]=openssl)
if [ "${H2O_RS_NO_BROWSER:-0}" != 1 ]; then
    APT_PACKAGES+=(chromium)
    TOOL_PACKAGE[chromium]=chromium
fi

check_only=false
[ "${1:-}" = "--check" ] && check_only=true

# cargo may be installed by rustup without being on PATH yet.
if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
    # shellcheck disable=SC1091
    . "$HOME/.cargo/env"
fi

missing_apt=()
for tool in "${!TOOL_PACKAGE[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || missing_apt+=("${TOOL_PACKAGE[$tool]}")
done
# libssl-dev: h2o.h includes <openssl/ssl.h> (2.2.5's types name SSL_CTX), and Debian's
# libh2o-evloop-dev does not pull it in
# tzdata: abi-time-diff formats access-log dates in several time zones
for pkg in libh2o-evloop-dev libssl-dev tzdata; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing_apt+=("$pkg")
    fi
done

version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }
rust_ok() {
    command -v cargo >/dev/null 2>&1 && command -v rustc >/dev/null 2>&1 &&
        version_ge "$(rustc --version | awk '{print $2}')" "$RUST_MIN"
}
cbindgen_ok() {
    command -v cbindgen >/dev/null 2>&1 && [ "$(cbindgen --version | awk '{print $2}')" = "$CBINDGEN_VERSION" ]
}

# the pinned versions importable by python3
py_ok() {
    python3 - "${PY_PACKAGES[@]}" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
sys.exit(any(version(n) != v for n, v in (p.split("==") for p in sys.argv[1:])))
PY
}

if $check_only; then
    status=0
    if [ ${#missing_apt[@]} -gt 0 ]; then echo "missing (apt): ${missing_apt[*]}"; status=1; fi
    py_ok || { echo "missing (pip): ${PY_PACKAGES[*]}"; status=1; }
    rust_ok || { echo "missing: Rust >= $RUST_MIN (cargo, rustc)"; status=1; }
    cbindgen_ok || { echo "missing: cbindgen $CBINDGEN_VERSION"; status=1; }
    exit $status
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

if [ ${#missing_apt[@]} -gt 0 ]; then
    echo "setup-deps: installing with apt: ${APT_PACKAGES[*]} (missing: ${missing_apt[*]})"
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${APT_PACKAGES[@]}"
else
    echo "setup-deps: apt packages present"
fi

if ! rust_ok; then
    # Debian 12's rustc (1.63) is too old for edition 2024: use rustup's stable toolchain.
    if command -v rustup >/dev/null 2>&1; then
        rustup toolchain install stable --profile minimal
        rustup default stable
    else
        echo "setup-deps: installing Rust with rustup"
        curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    fi
    # shellcheck disable=SC1091
    . "$HOME/.cargo/env"
    rust_ok || { echo "setup-deps: Rust >= $RUST_MIN still not available" >&2; exit 1; }
else
    echo "setup-deps: $(rustc --version)"
fi

if ! cbindgen_ok; then
    echo "setup-deps: installing cbindgen $CBINDGEN_VERSION"
    cargo install cbindgen --version "$CBINDGEN_VERSION" --locked --force
else
    echo "setup-deps: cbindgen $CBINDGEN_VERSION present"
fi

if ! py_ok; then
    echo "setup-deps: installing with pip: ${PY_PACKAGES[*]}"
    # Debian's own python3 refuses pip installs outside a venv (PEP 668) unless told
    python3 -m pip install --quiet "${PY_PACKAGES[@]}" ||
        python3 -m pip install --quiet --break-system-packages "${PY_PACKAGES[@]}"
    py_ok || { echo "setup-deps: ${PY_PACKAGES[*]} still not importable by python3" >&2; exit 1; }
else
    echo "setup-deps: python3 ${PY_PACKAGES[*]} present"
fi
