#!/usr/bin/env bash
# The C ABI against its checked-in baseline, with libabigail (Debian: abigail-tools).
#
#   scripts/abi-check.sh check  LIBRARY BASELINE   fails on an incompatible change
#   scripts/abi-check.sh update LIBRARY BASELINE   writes BASELINE from LIBRARY
#
# LIBRARY must carry the debug information of the C ABI crate (the release profile keeps it for
# mongoawsauth-capi; `make dist-c` strips it from the tarball), so that abidiff compares parameter
# and return types, not only names. Changes inside the opaque handle types are suppressed
# (crates/mongoawsauth-capi/abi/suppressions.abignore). Compatible: added functions. Incompatible:
# a removed function, or a changed parameter or return type.
set -euo pipefail

if [ $# -ne 3 ] || { [ "$1" != check ] && [ "$1" != update ]; }; then
    echo "usage: $0 check|update LIBRARY BASELINE" >&2
    exit 2
fi
mode=$1
lib=$2
baseline=$3
root=$(cd "$(dirname "$0")/.." && pwd)
suppressions=$root/crates/mongoawsauth-capi/abi/suppressions.abignore

for tool in abidw abidiff; do
    command -v "$tool" >/dev/null ||
        { echo "abi-check: $tool is missing; install libabigail's tools (Debian: apt-get install abigail-tools, or make c-deps)" >&2; exit 1; }
done
[ -f "$lib" ] || { echo "abi-check: $lib is missing; build it first (cargo build --release -p mongoawsauth-capi)" >&2; exit 1; }
if ! readelf -S "$lib" | grep -q '\.debug_info'; then
    echo "abi-check: $lib has no debug information, so its parameter types cannot be compared;" \
        "use the library from cargo build --release -p mongoawsauth-capi (not a stripped copy)" >&2
    exit 1
fi
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')

if [ "$mode" = update ]; then
    mkdir -p "$(dirname "$baseline")"
    # --no-corpus-path, --no-comp-dir-path: fewer build-machine paths in the checked-in file;
    # --drop-private-types and --no-show-locs keep it to what the exported functions expose.
    abidw --no-corpus-path --no-comp-dir-path --no-show-locs --drop-private-types "$lib" --out-file "$baseline"
    echo "abi-check: wrote $baseline ($soname, $(grep -c '<elf-symbol .*type=.func-type' "$baseline") functions)"
    exit 0
fi

[ -f "$baseline" ] || { echo "abi-check: no baseline $baseline; create it with make abi-baseline" >&2; exit 1; }
baseline_soname=$(sed -n 's/.*<abi-corpus .*soname=.\([^"'"'"']*\).*/\1/p' "$baseline" | head -n1)

report=$(mktemp)
trap 'rm -f "$report"' EXIT
# Removed and changed functions only (added ones are compatible); exit status bits: 1 error,
# 2 usage, 4 an ABI change, 8 an incompatible one.
status=0
abidiff --no-added-syms --suppressions "$suppressions" "$baseline" "$lib" >"$report" 2>&1 || status=$?
if [ $((status & 3)) -ne 0 ]; then
    cat "$report" >&2
    echo "abi-check: abidiff could not compare $lib with $baseline (exit $status)" >&2
    exit 1
fi
if [ "$status" -ne 0 ] || { [ -n "$baseline_soname" ] && [ "$baseline_soname" != "$soname" ]; }; then
    cat "$report" >&2
    abi=${soname##*.so.}
    cat >&2 <<MSG

abi-check: FAIL: $soname is not compatible with the ABI recorded in $baseline.
Programs built against that ABI may crash or fail to load with this library. Either undo the
change (add a new function rather than change or remove an existing one), or make the break
explicit with a new SONAME:
  1. bump ABI_VERSION to $((abi + 1)) in the Makefile and in crates/mongoawsauth-capi/build.rs;
  2. run make abi-baseline and commit crates/mongoawsauth-capi/abi/libmongoawsauth.so.$((abi + 1)).abi;
  3. say what broke in the release notes (docs/c-api.md, "ABI stability", is the promise).
MSG
    exit 1
fi

added=0
abidiff --suppressions "$suppressions" "$baseline" "$lib" >"$report" 2>&1 || added=$?
if [ "$added" -ne 0 ]; then
    echo "abi-check: compatible additions since the baseline (run make abi-baseline at the release that ships them):"
    grep -E "^  \[A\]|added function" "$report" || true
fi
echo "ok   $soname is compatible with $(basename "$baseline")"
