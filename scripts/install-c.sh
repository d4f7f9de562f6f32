#!/usr/bin/env bash
# Lays out the C library as users install it, from an existing release build. `make install` and
# `make dist-c` (the release tarball) both call this, so the two trees are the same:
#
#   PREFIX/include/mongoawsauth.h
#   PREFIX/lib/libmongoawsauth.so.VERSION                 (SONAME libmongoawsauth.so.ABI)
#   PREFIX/lib/libmongoawsauth.so.ABI -> libmongoawsauth.so.VERSION
#   PREFIX/lib/libmongoawsauth.so     -> libmongoawsauth.so.ABI
#   PREFIX/lib/libmongoawsauth.a
#   PREFIX/lib/pkgconfig/mongoawsauth.pc                   (relocatable: ${pcfiledir})
#   PREFIX/lib/cmake/mongoawsauth/mongoawsauthConfig{,Version}.cmake   (relocatable)
#
# Usage: scripts/install-c.sh PREFIX BUILD_DIR VERSION ABI_VERSION URL
#   BUILD_DIR holds libmongoawsauth.so and libmongoawsauth.a (target/release).
set -euo pipefail

if [ $# -ne 5 ]; then
    echo "usage: $0 PREFIX BUILD_DIR VERSION ABI_VERSION URL" >&2
    exit 2
fi
prefix=$1
build=$2
version=$3
abi=$4
url=$5
root=$(cd "$(dirname "$0")/.." && pwd)

# What the Rust standard library inside libmongoawsauth.a needs from the system when a program
# links the static library (`rustc --print native-static-libs`); pthread comes through
# Threads::Threads in CMake, libc is always linked.
static_libs=(gcc_s util rt pthread m dl c)
cmake_static_libs=(gcc_s util rt m dl)

for f in "$build/libmongoawsauth.so" "$build/libmongoawsauth.a"; do
    [ -f "$f" ] || { echo "install-c: $f is missing; build it first (cargo build --release -p mongoawsauth-capi)" >&2; exit 1; }
done
soname=$(readelf -d "$build/libmongoawsauth.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ "$soname" != "libmongoawsauth.so.$abi" ]; then
    echo "install-c: the library's SONAME is '$soname' but the Makefile's ABI_VERSION is $abi;" \
        "set the same number in the Makefile and crates/mongoawsauth-capi/build.rs" >&2
    exit 1
fi

subst() {
    sed -e "s|@VERSION@|$version|g" -e "s|@VERSION_MAJOR@|${version%%.*}|g" -e "s|@ABI_VERSION@|$abi|g" \
        -e "s|@URL@|$url|g" -e "s|@LIBS_PRIVATE@|${static_libs[*]/#/-l}|g" \
        -e "s|@STATIC_LIBS_CMAKE@|$(IFS=';'; echo "${cmake_static_libs[*]}")|g" \
        -e "s|@SIZEOF_VOID_P@|$(($(getconf LONG_BIT) / 8))|g" "$1"
}

install -d "$prefix/include" "$prefix/lib/pkgconfig" "$prefix/lib/cmake/mongoawsauth"
install -m 644 "$root/include/mongoawsauth.h" "$prefix/include/mongoawsauth.h"
install -m 755 "$build/libmongoawsauth.so" "$prefix/lib/libmongoawsauth.so.$version"
ln -sfn "libmongoawsauth.so.$version" "$prefix/lib/libmongoawsauth.so.$abi"
ln -sfn "libmongoawsauth.so.$abi" "$prefix/lib/libmongoawsauth.so"
install -m 644 "$build/libmongoawsauth.a" "$prefix/lib/libmongoawsauth.a"
subst "$root/crates/mongoawsauth-capi/mongoawsauth.pc.in" >"$prefix/lib/pkgconfig/mongoawsauth.pc"
subst "$root/cmake/mongoawsauthConfig.cmake.in" >"$prefix/lib/cmake/mongoawsauth/mongoawsauthConfig.cmake"
subst "$root/cmake/mongoawsauthConfigVersion.cmake.in" \
    >"$prefix/lib/cmake/mongoawsauth/mongoawsauthConfigVersion.cmake"
chmod 644 "$prefix/lib/pkgconfig/mongoawsauth.pc" "$prefix/lib/cmake/mongoawsauth/"*.cmake
