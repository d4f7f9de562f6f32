#!/usr/bin/env bash
# Installs the C release tarball the way a user does and builds examples/c/cmake against it:
# extract, then `find_package(mongoawsauth)` through CMAKE_PREFIX_PATH, with no cargo, rustc or
# rustup on PATH (the tarball must be all a C project needs). Both builds of the login example,
# the shared (mongoawsauth::mongoawsauth) and the static (mongoawsauth::mongoawsauth_static)
# one, then log in against the loopback stand-ins through tests/c/run-example.sh.
#
# With INSTALL_PREFIX (a `make install` tree), also checks that the tarball holds the same tree:
# the same files and symlinks, the same header, .pc and CMake files (the tarball's libraries are
# stripped, so their bytes differ).
#
# Usage: tests/c/run-cmake-example.sh TARBALL STANDINS_BINARY BUILD_DIR [INSTALL_PREFIX]
set -euo pipefail

tarball=$1
standins=$2
build=$3
install_prefix=${4:-}
root=$(cd "$(dirname "$0")/../.." && pwd)

# A PATH without the Rust toolchain: every directory holding cargo, rustc or rustup is dropped.
rustless_path=
IFS=: read -r -a path_dirs <<<"$PATH"
for d in "${path_dirs[@]}"; do
    [ -n "$d" ] || continue
    if [ -e "$d/cargo" ] || [ -e "$d/rustc" ] || [ -e "$d/rustup" ]; then continue; fi
    rustless_path=${rustless_path:+$rustless_path:}$d
done
export PATH=$rustless_path
for tool in cargo rustc rustup; do
    if command -v "$tool" >/dev/null; then
        echo "FAIL $tool is still on PATH ($(command -v "$tool"))" >&2
        exit 1
    fi
done
unset CARGO CARGO_HOME RUSTUP_HOME RUSTUP_TOOLCHAIN

rm -rf "$build/tarball" "$build/cmake-example"
mkdir -p "$build/tarball"
tar -xzf "$tarball" -C "$build/tarball"
name=$(basename "$tarball" .tar.gz)
prefix=$build/tarball/$name
[ -d "$prefix" ] || { echo "FAIL $tarball does not hold the directory $name" >&2; exit 1; }
for f in LICENSE README.md include/mongoawsauth.h lib/libmongoawsauth.a lib/pkgconfig/mongoawsauth.pc \
    lib/cmake/mongoawsauth/mongoawsauthConfig.cmake lib/cmake/mongoawsauth/mongoawsauthConfigVersion.cmake; do
    [ -f "$prefix/$f" ] || { echo "FAIL $name/$f is missing from the tarball" >&2; exit 1; }
done
echo "ok   the tarball holds the header, both libraries, the .pc file, the CMake package, LICENSE and README"
if [ -n "$install_prefix" ]; then
    listing() { (cd "$1" && find . ! -name LICENSE ! -name README.md -printf '%p %y %l\n' | LC_ALL=C sort); }
    if ! diff <(listing "$install_prefix") <(listing "$prefix") ||
        ! diff -r --no-dereference -x LICENSE -x README.md -x 'libmongoawsauth.*' "$install_prefix" "$prefix"; then
        echo "FAIL make install and the tarball lay out different trees" >&2
        exit 1
    fi
    echo "ok   make install and the tarball lay out the same tree"
fi

cmake -S "$root/examples/c/cmake" -B "$build/cmake-example" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_BUILD_TYPE=Debug >"$build/cmake-configure.log" ||
    { cat "$build/cmake-configure.log"; exit 1; }
cmake --build "$build/cmake-example" >"$build/cmake-build.log" 2>&1 ||
    { cat "$build/cmake-build.log"; exit 1; }
shared=$build/cmake-example/authenticate
static=$build/cmake-example/authenticate_static
if ! readelf -d "$shared" | grep -q 'NEEDED.*\[libmongoawsauth\.so\.0\]'; then
    echo "FAIL $shared does not load libmongoawsauth.so.0" >&2
    exit 1
fi
if readelf -d "$static" | grep -q 'NEEDED.*libmongoawsauth'; then
    echo "FAIL $static loads the shared library" >&2
    exit 1
fi
echo "ok   find_package(mongoawsauth) builds the example against the shared and the static library"

# The tarball's shared library is stripped: see EXAMPLE_LEAK_KINDS in run-example.sh.
EXAMPLE_LEAK_KINDS=definite,indirect \
    "$root/tests/c/run-example.sh" "$prefix" "$standins" "$build" "$shared" "$static"
