#!/usr/bin/env bash
# Builds the C release tarball from an existing release build:
#   OUT_DIR/libmongoawsauth-VERSION-linux-ARCH.tar.gz
# holding one directory of the same name: the tree `make install` lays out (scripts/install-c.sh)
# plus LICENSE and README.md, with the libraries stripped: the shared library down to its dynamic
# symbols, the static one of its debug information (`make install` keeps both, for debuggers and
# distribution packaging, which strips on its own). The archive is reproducible: sorted names, owner 0, every mtime set
# to SOURCE_DATE_EPOCH (default: the last commit's time), gzip without a timestamp.
#
# Usage: scripts/dist-c.sh BUILD_DIR OUT_DIR VERSION ABI_VERSION URL
set -euo pipefail

if [ $# -ne 5 ]; then
    echo "usage: $0 BUILD_DIR OUT_DIR VERSION ABI_VERSION URL" >&2
    exit 2
fi
build=$1
out=$2
version=$3
abi=$4
url=$5
root=$(cd "$(dirname "$0")/.." && pwd)

[ "$(uname -s)" = Linux ] || { echo "dist-c: the tarball is built on Linux only" >&2; exit 1; }
arch=$(uname -m)
name=libmongoawsauth-$version-linux-$arch
stage=$(dirname "$build")/dist-c-stage
rm -rf "$stage"
mkdir -p "$stage/$name" "$out"

"$root/scripts/install-c.sh" "$stage/$name" "$build" "$version" "$abi" "$url"
strip --strip-all "$stage/$name/lib/libmongoawsauth.so.$version"
strip --strip-debug "$stage/$name/lib/libmongoawsauth.a"
install -m 644 "$root/LICENSE" "$stage/$name/LICENSE"
sed -e "s|@VERSION@|$version|g" -e "s|@ABI_VERSION@|$abi|g" -e "s|@ARCH@|linux-$arch|g" -e "s|@URL@|$url|g" \
    "$root/crates/mongoawsauth-capi/README.dist.md" >"$stage/$name/README.md"
chmod 644 "$stage/$name/README.md"

epoch=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)}
tarball=$out/$name.tar.gz
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
    --format=gnu -cf - "$name" | gzip -9 -n >"$tarball.tmp"
mv "$tarball.tmp" "$tarball"
rm -rf "$stage"
echo "$tarball"
