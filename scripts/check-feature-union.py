#!/usr/bin/env python3
"""Fails when the C library, the Python extension and the Node addon would build a shared
dependency with different features.

Each of the three is built by its own cargo invocation (cargo, maturin, the addon's build
script), and cargo enables a dependency's features from the packages one invocation selects. A
crate built with other features is compiled again, and so is everything that depends on it:
one feature that only pyo3 or napi asks for made each extension build compile most of the
release dependency graph a second time. The crate crates/feature-union asks for the union, and
this check keeps it complete: for every crate that two of the builds share, the features must be
the same. It prints what to add to crates/feature-union/Cargo.toml when they are not.

Usage: scripts/check-feature-union.py   (from anywhere inside the checkout; run by `make test`)
"""

import os
import subprocess
import sys

PACKAGES = ["mongoawsauth-capi", "mongoawsauth-python", "mongoawsauth-node"]


def features(root: str, package: str) -> dict[str, frozenset[str]]:
    """Every crate the package's build compiles (normal and build dependencies), with its
    features, as `cargo tree` resolves them for a build of that package alone."""
    out = subprocess.run(
        ["cargo", "tree", "--quiet", "--locked", "-e", "normal,build", "-p", package,
         "--prefix", "none", "--format", "{p}|{f}"],
        cwd=root, check=True, capture_output=True, text=True,
    ).stdout
    seen: dict[str, set[str]] = {}
    for line in out.splitlines():
        line = line.removesuffix(" (*)").strip()
        if "|" not in line:
            continue
        crate, _, enabled = line.partition("|")
        # "name vX.Y.Z (path)" for workspace crates: the name and version identify it.
        crate = " ".join(crate.split()[:2])
        seen.setdefault(crate, set()).update(f for f in enabled.split(",") if f)
    return {crate: frozenset(f) for crate, f in seen.items()}


def main() -> int:
    root = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=os.path.dirname(__file__),
                          check=True, capture_output=True, text=True).stdout.strip()
    builds = {package: features(root, package) for package in PACKAGES}
    crates = sorted(set().union(*builds.values()))
    differing = []
    for crate in crates:
        sets = {package: built[crate] for package, built in builds.items() if crate in built}
        if len(sets) > 1 and len(set(sets.values())) > 1:
            differing.append((crate, sets))
    if not differing:
        return 0
    print("check-feature-union: these crates would be built with different features by the C, "
          "Python and Node builds, so each build would compile them (and all that depends on "
          "them) again:", file=sys.stderr)
    for crate, sets in differing:
        union = sorted(set().union(*sets.values()))
        detail = "; ".join(f"{p}: {','.join(sorted(f)) or '(none)'}" for p, f in sets.items())
        print(f"  {crate}: {detail}", file=sys.stderr)
        print(f"    add it to crates/feature-union/Cargo.toml with features {union} "
              "(a build dependency if only procedural macros or build scripts use it)",
              file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
