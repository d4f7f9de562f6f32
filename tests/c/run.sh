#!/usr/bin/env bash
# Builds the C tests against an installed libmongoawsauth (PREFIX, from `make install`) and runs
# them against the shared library, the static library, and under valgrind; compiles the header
# as C++; then runs examples/c/authenticate.c against the loopback stand-ins.
#
# Usage: tests/c/run.sh PREFIX STANDINS_BINARY   (make c-test passes both, in a clean AWS env)
set -euo pipefail

prefix=$1
standins=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$prefix/../build
mkdir -p "$build"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig

cflags=(-std=c11 -Wall -Wextra -Werror -pedantic -g -pthread)
sources=("$root"/tests/c/*.c)
read -r -a pc_cflags <<<"$(pkg-config --cflags mongoawsauth)"
read -r -a pc_libs <<<"$(pkg-config --libs mongoawsauth)"
# The static library plus what the Rust standard library needs (Libs.private), without -l of
# the shared library.
read -r -a pc_static <<<"$(pkg-config --static --libs-only-l mongoawsauth | sed 's/-lmongoawsauth//')"

echo "== compile (shared, static, C++ header check)"
cc "${cflags[@]}" "${pc_cflags[@]}" "${sources[@]}" -o "$build/test-shared" "${pc_libs[@]}" \
    -Wl,-rpath,"$prefix/lib"
cc "${cflags[@]}" "${pc_cflags[@]}" "${sources[@]}" -o "$build/test-static" \
    "$prefix/lib/libmongoawsauth.a" "${pc_static[@]}"
if ldd "$build/test-static" | grep -q libmongoawsauth; then
    echo "test-static links the shared library" >&2
    exit 1
fi
g++ -std=c++11 -Wall -Wextra -Werror -fsyntax-only "${pc_cflags[@]}" "$root/tests/c/header_cpp.cpp"
readelf -d "$prefix/lib/libmongoawsauth.so" | grep -q 'SONAME.*\[libmongoawsauth\.so\.0\]'

echo "== C tests, shared library"
"$build/test-shared"
echo "== C tests, static library"
"$build/test-static"

valgrind=(valgrind --quiet --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all
    --error-exitcode=1)
# No suppressions: mongoawsauth_cleanup (called by the runner) joins the runtime threads, so
# "All heap blocks were freed" is the expected summary.
echo "== C tests under valgrind, shared library"
MONGOAWSAUTH_TEST_VALGRIND=1 "${valgrind[@]}" "$build/test-shared"
echo "== C tests under valgrind, static library"
MONGOAWSAUTH_TEST_VALGRIND=1 "${valgrind[@]}" "$build/test-static"

echo "== examples/c/authenticate.c against the stand-ins"
"$root/tests/c/run-example.sh" "$prefix" "$standins" "$build"
