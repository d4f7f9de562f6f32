#!/usr/bin/env bash
# The shared library exports exactly the functions include/mongoawsauth.h declares: no function
# the header promises is missing, and nothing else leaks into the dynamic symbol table (a symbol
# exported by accident becomes ABI that programs can bind to).
#
# Usage: tests/c/check-exports.sh LIBRARY HEADER
set -euo pipefail

lib=$1
header=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The header's function declarations: preprocessed (no comments, no macros), one line, then every
# `mongoawsauth_name(`. A function-pointer typedef, `(*mongoawsauth_x_cb_t)(`, does not match.
cc -E -P -x c "$header" | tr '\n' ' ' | grep -oE '\bmongoawsauth_[A-Za-z0-9_]+[[:space:]]*\(' |
    sed -E 's/[[:space:]]*\($//' | LC_ALL=C sort -u >"$scratch/declared"
# Every defined dynamic symbol, with its type; a version suffix (name@@VERSION) is dropped.
nm -D --defined-only --format=posix "$lib" | awk '{ sub(/@.*/, "", $1); print $1, $2 }' |
    LC_ALL=C sort -u >"$scratch/exported-typed"
cut -d' ' -f1 "$scratch/exported-typed" >"$scratch/exported"

status=0
declared_count=$(wc -l <"$scratch/declared")
# 110 functions in 0.2.0, 97 once the names deprecated there are removed: fewer than 90 means the
# header parsing broke, not the ABI.
if [ "$declared_count" -lt 90 ]; then
    echo "FAIL only $declared_count functions found in $header: the header parsing is broken" >&2
    status=1
fi
if missing=$(LC_ALL=C comm -23 "$scratch/declared" "$scratch/exported") && [ -n "$missing" ]; then
    echo "FAIL declared in $(basename "$header") but not exported by $(basename "$lib"):" >&2
    sed 's/^/  /' <<<"$missing" >&2
    status=1
fi
if extra=$(LC_ALL=C comm -13 "$scratch/declared" "$scratch/exported") && [ -n "$extra" ]; then
    echo "FAIL exported by $(basename "$lib") but not declared in $(basename "$header"):" >&2
    sed 's/^/  /' <<<"$extra" >&2
    echo "  (an exported symbol is ABI; declare it in the header with make header, or stop exporting it)" >&2
    status=1
fi
if not_functions=$(awk '$2 != "T" { print "  " $1 " (nm type " $2 ")" }' "$scratch/exported-typed") &&
    [ -n "$not_functions" ]; then
    echo "FAIL exported symbols that are not functions:" >&2
    echo "$not_functions" >&2
    status=1
fi
[ "$status" -eq 0 ] && echo "ok   $(basename "$lib") exports exactly the $declared_count functions of $(basename "$header")"
exit "$status"
