#!/usr/bin/env bash
# Prints every artifact in a dist directory (default target/dist) with its size and SHA-256, the
# last step of `make dist`. Fails when the directory holds no artifact, so an empty release is
# never mistaken for a successful one.
#
# Usage: scripts/dist-summary.sh [DIST_DIR]
set -euo pipefail

dir=${1:-target/dist}
mapfile -t files < <(find "$dir" -maxdepth 1 -type f ! -name '*.tmp' -printf '%f\n' 2>/dev/null | LC_ALL=C sort)
if [ ${#files[@]} -eq 0 ]; then
    echo "dist-summary: no artifact in $dir; run make dist (or make dist-c, dist-python, dist-node, dist-rust)" >&2
    exit 1
fi
printf '%-64s %12s  %s\n' artifact bytes sha256
for f in "${files[@]}"; do
    size=$(stat -c %s "$dir/$f")
    sum=$(sha256sum "$dir/$f" | cut -d' ' -f1)
    printf '%-64s %12s  %s\n' "$f" "$size" "$sum"
done
