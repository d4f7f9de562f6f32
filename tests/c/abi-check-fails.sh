#!/usr/bin/env bash
# Shows that the ABI guards are not blind: `scripts/abi-check.sh check` and check-exports.sh must
# fail on a deliberate break and pass on a compatible change. The baseline is written fresh from
# LIBRARY (so this test does not depend on the checked-in one being current), then doctored:
#
#   unchanged baseline                              -> passes
#   a function the library no longer has            -> fails, names it, says how to bump the SONAME
#   a function whose parameter was u64, now u32     -> fails, names it
#   a field changed inside an opaque handle         -> passes (C never sees a handle's layout)
#   a function the baseline did not have (added)    -> passes
#   a header declaring a function not exported      -> check-exports.sh fails, names it
#
# Usage: tests/c/abi-check-fails.sh LIBRARY (with debug information) HEADER WORK_DIR
set -euo pipefail

lib=$1
header=$2
work=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
check=$root/scripts/abi-check.sh
rm -rf "$work"
mkdir -p "$work"
base=$work/baseline.abi
"$check" update "$lib" "$base" >/dev/null

passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     /' <<<"$2"; failed=$((failed + 1)); }

# expect pass|fail NAME BASELINE [PATTERN...]: runs the check; on `fail` its output must match
# every PATTERN.
expect() {
    local want=$1 name=$2 baseline=$3 out status=0
    shift 3
    out=$("$check" check "$lib" "$baseline" 2>&1) || status=$?
    if [ "$want" = pass ] && [ "$status" -eq 0 ]; then ok "$name"; return; fi
    if [ "$want" = pass ]; then fail "$name: the check failed (exit $status)" "$out"; return; fi
    if [ "$status" -eq 0 ]; then fail "$name: the check passed" "$out"; return; fi
    for pattern in "$@"; do
        grep -qF -- "$pattern" <<<"$out" || { fail "$name: the report lacks '$pattern'" "$out"; return; }
    done
    ok "$name"
}

type_id() { sed -n "s/.*<type-decl name='$1' size-in-bits='[0-9]*' id='\([^']*\)'.*/\1/p" "$base" | head -n1; }
u32=$(type_id u32)
u64=$(type_id u64)
[ -n "$u32" ] && [ -n "$u64" ] || { echo "FAIL no u32/u64 type in $base: is $lib built with debug information?" >&2; exit 1; }
# Rewrites, inside function FN's declaration (or handle type FN's class-decl), the first
# `type-id='FROM'` to TO.
retype() {
    awk -v tag="$1" -v name="$2" -v from="type-id='$3'" -v to="type-id='$4'" '
        index($0, "<" tag " name='\''" name "'\''") { inside = 1 }
        inside && !done && index($0, from) { sub(from, to); done = 1 }
        inside && index($0, "</" tag ">") { inside = 0 }
        { print }
        END { if (!done) exit 1 }' "$base"
}
# Drops function FN from the baseline: its ELF symbol and its declaration.
drop_function() {
    awk -v name="$1" '
        index($0, "<elf-symbol name='\''" name "'\''") { next }
        index($0, "<function-decl name='\''" name "'\''") { skip = 1 }
        skip { if (index($0, "</function-decl>")) skip = 0; next }
        { print }' "$base"
}

expect pass "the unchanged baseline passes" "$base"

sed "s/\bmongoawsauth_cleanup\b/mongoawsauth_cleanup_removed/g" "$base" >"$work/removed.abi"
expect fail "a removed function fails the check" "$work/removed.abi" \
    "mongoawsauth_cleanup_removed" "bump ABI_VERSION to 1 in the Makefile and in crates/mongoawsauth-capi/build.rs" \
    "make abi-baseline"

retype function-decl mongoawsauth_options_set_sts_timeout_ms "$u32" "$u64" >"$work/retyped.abi"
expect fail "a changed parameter type fails the check" "$work/retyped.abi" \
    "mongoawsauth_options_set_sts_timeout_ms" "parameter 2 of type" "bump ABI_VERSION"

# The type of the handle's first field, replaced by u64.
inner=$(awk '
    index($0, "<class-decl name='\''mongoawsauth_options_t'\''") { inside = 1 }
    inside && match($0, /<var-decl [^>]*type-id='\''[^'\'']*'\''/) {
        s = substr($0, RSTART, RLENGTH); sub(/.*type-id='\''/, "", s); sub(/'\''$/, "", s); print s; exit
    }' "$base")
[ -n "$inner" ] || { echo "FAIL no field found in mongoawsauth_options_t in $base" >&2; exit 1; }
retype class-decl mongoawsauth_options_t "$inner" "$u64" >"$work/internal.abi"
expect pass "a change inside an opaque handle passes" "$work/internal.abi"

drop_function mongoawsauth_version_number >"$work/added.abi"
if grep -q "mongoawsauth_version_number" "$work/added.abi"; then
    echo "FAIL could not drop mongoawsauth_version_number from the baseline" >&2
    exit 1
fi
expect pass "an added function passes" "$work/added.abi"

sed 's/^mongoawsauth_result_t mongoawsauth_cleanup(mongoawsauth_error_t \*\*error);/&\nvoid mongoawsauth_not_exported(void);/' \
    "$header" >"$work/extra.h"
status=0
out=$("$root/tests/c/check-exports.sh" "$lib" "$work/extra.h" 2>&1) || status=$?
if [ "$status" -ne 0 ] && grep -q "mongoawsauth_not_exported" <<<"$out"; then
    ok "a declared but unexported function fails check-exports.sh"
else
    fail "check-exports.sh with a header declaring mongoawsauth_not_exported (exit $status)" "$out"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
