#!/usr/bin/env bash
# Installs the Debian packages the C tests and the C example need, only when one is missing, so
# that a fresh machine (CI runs as root) gets them and a prepared one pays one dpkg query.
set -euo pipefail

# cmake builds examples/c/cmake from the release tarball; abigail-tools (abidw, abidiff) is
# `make abi-check`; binutils gives nm, readelf and strip.
packages=(gcc g++ make pkg-config valgrind libbson-dev cmake abigail-tools binutils)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "c-deps: missing Debian packages: ${missing[*]}; install them (as root: apt-get install ${missing[*]})" >&2
    exit 1
fi
echo "c-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Without lists (a fresh container) apt cannot find anything; refresh them once.
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
