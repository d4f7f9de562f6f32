#!/usr/bin/env bash
# Runs examples/c/authenticate.c against the loopback stand-ins, as its users would build it
# (pkg-config for mongoawsauth and libbson): once with the stand-in user's credentials, which
# must print the user's ARN, and once with a wrong secret, which the server must refuse with
# code 18. The example starts nothing itself; this script starts `mongoawsauth-standins`.
#
# Credentials go only into the example's own environment. The caller (make c-test) has dropped
# every inherited AWS_* variable and set AWS_EC2_METADATA_DISABLED=true.
#
# Usage: tests/c/run-example.sh PREFIX STANDINS_BINARY BUILD_DIR [EXAMPLE_BINARY...]
#   With EXAMPLE_BINARY arguments (builds of the same example made another way, by CMake for
#   instance), each of them is run instead of the pkg-config build.
set -euo pipefail

prefix=$1
standins=$2
build=$3
shift 3
root=$(cd "$(dirname "$0")/../.." && pwd)
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig

examples=("$@")
if [ ${#examples[@]} -eq 0 ]; then
    read -r -a flags <<<"$(pkg-config --cflags --libs mongoawsauth libbson-1.0)"
    cc -std=c11 -Wall -Wextra -Werror -g "$root/examples/c/authenticate.c" -o "$build/authenticate" \
        "${flags[@]}" -Wl,-rpath,"$prefix/lib"
    examples=("$build/authenticate")
fi

# The stand-ins run until their stdin closes: the coproc's input pipe stays open until exit.
coproc STANDINS { "$standins"; }
standins_in=${STANDINS[1]}
stop_standins() {
    eval "exec ${standins_in}>&-"
    wait "$STANDINS_PID" 2>/dev/null || true
}
trap stop_standins EXIT
read -r -t 30 line <&"${STANDINS[0]}" || { echo "the stand-ins did not start" >&2; exit 1; }

# One JSON line; pick fields without a JSON tool (the format is the testkit's documented one).
field() { sed -E "s/.*\"$1\":\"([^\"]*)\".*/\\1/" <<<"$2"; }
user=$(sed -E 's/.*"user":\{([^}]*)\}.*/\1/' <<<"$line")
mongod=$(field mongod "$line")
arn=$(field arn "$user")
key_id=$(field access_key_id "$user")
secret=$(field secret_access_key "$user")
case "$mongod" in 127.0.0.1:* | \[::1\]:*) ;; *) echo "refusing a non-loopback mongod: $mongod" >&2; exit 1 ;; esac

# Every leak kind fails the run, minus the process-lifetime state valgrind.supp names by owner.
# A stripped library has no owner names to match, so its caller (the tarball's CMake build) sets
# EXAMPLE_LEAK_KINDS=definite,indirect: memory errors and lost blocks still fail, reachable
# process-lifetime blocks do not.
leak_kinds=${EXAMPLE_LEAK_KINDS:-all}
run_example() {
    env MONGOD_ADDRESS="$mongod" AWS_ACCESS_KEY_ID="$key_id" AWS_SECRET_ACCESS_KEY="$2" \
        valgrind --quiet --leak-check=full --show-leak-kinds="$leak_kinds" --errors-for-leak-kinds="$leak_kinds" \
        --suppressions="$root/tests/c/valgrind.supp" --error-exitcode=99 "$1"
}

passed=0
failed=0
for example in "${examples[@]}"; do
    name=$(basename "$example")
    if out=$(run_example "$example" "$secret" 2>&1) && grep -qxF "authenticated as $arn" <<<"$out"; then
        echo "ok   $name authenticates and prints the ARN"
        passed=$((passed + 1))
    else
        echo "FAIL $name with good credentials:"; echo "$out"
        failed=$((failed + 1))
    fi
    status=0
    out=$(run_example "$example" "${secret}wrong" 2>&1) || status=$?
    if [ "$status" -eq 2 ] && grep -q "saslContinue failed: code 18 (AuthenticationFailed)" <<<"$out" &&
        ! grep -qF "$secret" <<<"$out"; then
        echo "ok   $name with a wrong secret fails with code 18, secret not shown"
        passed=$((passed + 1))
    else
        echo "FAIL $name with a wrong secret (exit $status):"; echo "$out"
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
