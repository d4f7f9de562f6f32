#!/usr/bin/env bash
# Builds the C tests against an installed libmongoawsauth (PREFIX, from `make install`) and runs
# them against the shared library, the static library, and under valgrind; compiles the header
# as C++; then runs examples/c/authenticate.c against the loopback stand-ins.
#
# Usage: tests/c/run.sh PREFIX STANDINS_BINARY   (make c-test passes both, in a clean AWS env)
#
# With MONGOAWSAUTH_C_SANITIZE=1 (make c-sanitize, whose PREFIX holds a library built with
# AddressSanitizer), the tests are compiled with gcc's AddressSanitizer and UndefinedBehavior-
# Sanitizer instead, and run against the shared and the static library with leak detection on.
# Valgrind and the example are left out in that mode: valgrind cannot run an ASan binary, and an
# ASan library only links into an ASan program (the example's build is plain, as its users').
set -euo pipefail
sanitize=${MONGOAWSAUTH_C_SANITIZE:-0}

prefix=$1
standins=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$prefix/../build
mkdir -p "$build"

# Loopback only, however this script is started: the isolation make's clean environment gives
# (no inherited AWS_* variable, IMDS turned off, the library's loopback guard on, HOME and the
# shared config files pointing at an empty place), so that a run by hand cannot reach a real
# metadata endpoint or read a developer's profiles.
for variable in $(env | sed -n 's/^\(AWS_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$variable"; done
export HOME=$build/empty-home
mkdir -p "$HOME"
export AWS_EC2_METADATA_DISABLED=true MONGOAWSAUTH_LOOPBACK_ONLY=1 \
    AWS_CONFIG_FILE=$HOME/.aws/config AWS_SHARED_CREDENTIALS_FILE=$HOME/.aws/credentials
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig

cflags=(-std=c11 -Wall -Wextra -Werror -pedantic -g -pthread)
if [ "$sanitize" = 1 ]; then
    # Any report fails the run: no recovery, and ASan's exit code when a leak is found.
    cflags+=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
sources=("$root"/tests/c/*.c)
# test_contract.c includes the tables tests/c/contract_tables.py writes from the shared contract
# data (the Makefile runs it before this script).
if [ ! -f "$build/contract_tables.h" ]; then
    echo "$build/contract_tables.h is missing: run tests/c/contract_tables.py tests/data/contract $build/contract_tables.h (make c-test does)" >&2
    exit 1
fi
cflags+=(-I"$build")
read -r -a pc_cflags <<<"$(pkg-config --cflags mongoawsauth)"
read -r -a pc_libs <<<"$(pkg-config --libs mongoawsauth)"
# The static library plus what the Rust standard library needs (Libs.private), without -l of
# the shared library.
read -r -a pc_static <<<"$(pkg-config --static --libs-only-l mongoawsauth | sed 's/-lmongoawsauth//')"

echo "== compile (shared, static, C++ header check)$([ "$sanitize" = 1 ] && echo ", with -fsanitize=address,undefined")"
cc "${cflags[@]}" "${pc_cflags[@]}" "${sources[@]}" -o "$build/test-shared" "${pc_libs[@]}" \
    -Wl,-rpath,"$prefix/lib"
cc "${cflags[@]}" "${pc_cflags[@]}" "${sources[@]}" -o "$build/test-static" \
    "$prefix/lib/libmongoawsauth.a" "${pc_static[@]}"
if ldd "$build/test-static" | grep -q libmongoawsauth; then
    echo "test-static links the shared library" >&2
    exit 1
fi
g++ -std=c++11 -Wall -Wextra -Werror -fsyntax-only "${pc_cflags[@]}" "$root/tests/c/header_cpp.cpp"
# The names deprecated in 0.2.0 warn at a call (so a -Werror build fails), and the header's
# documented opt-out, an empty MONGOAWSAUTH_DEPRECATED, silences them.
printf '#include <mongoawsauth.h>\nint main(void) { return mongoawsauth_credentials_expiry(NULL, NULL); }\n' \
    >"$build/deprecated-call.c"
if cc -std=c11 -Werror -fsyntax-only "${pc_cflags[@]}" "$build/deprecated-call.c" 2>/dev/null; then
    echo "a call to a deprecated function compiled without a warning" >&2
    exit 1
fi
cc -std=c11 -Werror -fsyntax-only "${pc_cflags[@]}" '-DMONGOAWSAUTH_DEPRECATED(note)=' "$build/deprecated-call.c"
readelf -d "$prefix/lib/libmongoawsauth.so" | grep -q 'SONAME.*\[libmongoawsauth\.so\.0\]'

# The cache, SAML and diagnostics tests fetch from the loopback stand-ins (container endpoint,
# STS). They run until their stdin closes: the coproc's input pipe stays open until exit. Their
# JSON line holds throwaway secrets, so it is never printed; the tests get what they need
# through MONGOAWSAUTH_TEST_* variables (a test skips when its variable is missing).
coproc STANDINS { "$standins"; }
standins_in=${STANDINS[1]}
stop_standins() {
    eval "exec ${standins_in}>&-"
    wait "$STANDINS_PID" 2>/dev/null || true
}
trap stop_standins EXIT
read -r -t 30 line <&"${STANDINS[0]}" || { echo "the stand-ins did not start" >&2; exit 1; }
field() { sed -E "s/.*\"$1\":\"([^\"]*)\".*/\\1/" <<<"$2"; }
saml=$(sed -E 's/.*"saml":\{([^}]*)\}.*/\1/' <<<"$line")
export MONGOAWSAUTH_TEST_CONTAINER_URL MONGOAWSAUTH_TEST_CONTAINER_TOKEN MONGOAWSAUTH_TEST_STS_URL \
    MONGOAWSAUTH_TEST_SAML_ROLE_ARN MONGOAWSAUTH_TEST_SAML_PRINCIPAL_ARN MONGOAWSAUTH_TEST_SAML_ASSERTION
MONGOAWSAUTH_TEST_CONTAINER_URL=$(field container_url "$line")
MONGOAWSAUTH_TEST_CONTAINER_TOKEN=$(field container_token "$line")
MONGOAWSAUTH_TEST_STS_URL=$(field local_sts_url "$line")
MONGOAWSAUTH_TEST_SAML_ROLE_ARN=$(field role_arn "$saml")
MONGOAWSAUTH_TEST_SAML_PRINCIPAL_ARN=$(field principal_arn "$saml")
MONGOAWSAUTH_TEST_SAML_ASSERTION=$(field assertion "$saml")
for url in "$MONGOAWSAUTH_TEST_CONTAINER_URL" "$MONGOAWSAUTH_TEST_STS_URL"; do
    case "$url" in http://127.0.0.1:* | http://\[::1\]:*) ;; *) echo "refusing a non-loopback stand-in: $url" >&2; exit 1 ;; esac
done

# test_contract.c looks up the function names of the contract data in the shared library.
export MONGOAWSAUTH_TEST_LIBRARY=$prefix/lib/libmongoawsauth.so
echo "== C tests, shared library"
"$build/test-shared"
echo "== C tests, static library"
"$build/test-static"

if [ "$sanitize" = 1 ]; then
    echo "== (sanitizer mode: valgrind and the example are run by make c-test)"
    exit 0
fi

valgrind=(valgrind --quiet --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all
    --error-exitcode=1 --suppressions="$root/tests/c/valgrind.supp")
# mongoawsauth_cleanup (called by the runner) joins the runtime threads. What stays allocated is
# the process-lifetime state the cache and SAML tests create (the HTTP clients and the credentials
# cache's table), suppressed by owner in valgrind.supp; everything else must be freed.
echo "== C tests under valgrind, shared library"
MONGOAWSAUTH_TEST_VALGRIND=1 "${valgrind[@]}" "$build/test-shared"
echo "== C tests under valgrind, static library"
MONGOAWSAUTH_TEST_VALGRIND=1 "${valgrind[@]}" "$build/test-static"

echo "== examples/c/authenticate.c against the stand-ins"
"$root/tests/c/run-example.sh" "$prefix" "$standins" "$build"
