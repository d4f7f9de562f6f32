#!/usr/bin/env bash
# Fails when `make help` and the Makefile disagree: a target a user can run that `make help` does
# not list, or a name `make help` lists that is no target. The rule for "a target a user can run":
# every target named on a `.PHONY:` line, except pattern rules (`fuzz-run-%`) and names that start
# with an underscore (kept for internal steps). Every rule whose name is a plain word
# (`name:`) must also be on a `.PHONY:` line, so a new target cannot slip past by not being phony.
# `make help` lines read `make NAME [/ NAME ...] [VAR=value]   description`. Run by `make test`
# (the check-references step).
#
# Usage: scripts/check-make-help.sh   (from anywhere inside the checkout)
set -euo pipefail

cd "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
failed=0

# The .PHONY lines, continuation lines joined.
phony=$(awk '/^\.PHONY:/ { line = $0; while (line ~ /\\$/) { sub(/\\$/, "", line); getline next_line; line = line next_line }
    sub(/^\.PHONY:/, "", line); print line }' Makefile | tr -s ' \t' '\n' | grep -v -e '^$' -e '%' -e '^_' | sort -u)

# Rules named by a plain word: `name:` at the start of a line (not `:=`), outside recipes.
rules=$(grep -E '^[A-Za-z0-9][A-Za-z0-9_-]*:([^=]|$)' Makefile | cut -d: -f1 | sort -u)

# The names `make help` prints: the text before the description (two or more spaces), without
# "make", the "/" separators and VAR=value arguments.
listed=$(make --no-print-directory -f Makefile help | sed -E 's/ {2,}.*//' \
    | tr -s ' /' '\n' | grep -v -e '^make$' -e '=' -e '^$' | sort -u)

if missing=$(comm -23 <(echo "$phony") <(echo "$listed")) && [ -n "$missing" ]; then
    echo "check-make-help: these targets are not listed by \`make help\` (add a line to the help target):" >&2
    echo "$missing" | sed 's/^/  /' >&2
    failed=1
fi
if unknown=$(comm -13 <(echo "$phony") <(echo "$listed")) && [ -n "$unknown" ]; then
    echo "check-make-help: \`make help\` lists names that are no .PHONY target of the Makefile:" >&2
    echo "$unknown" | sed 's/^/  /' >&2
    failed=1
fi
if unmarked=$(comm -23 <(echo "$rules") <(echo "$phony")) && [ -n "$unmarked" ]; then
    echo "check-make-help: these rules are not on a .PHONY line (add them, or start internal ones with _):" >&2
    echo "$unmarked" | sed 's/^/  /' >&2
    failed=1
fi
exit $failed
