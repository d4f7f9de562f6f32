#!/usr/bin/env bash
# Fails when a tracked file points a reader at a document that is not in the repository: a
# project-internal notes file (the MONGODB-AWS requirements, the AWS conventions, the style
# notes), a numbered rule or section of such notes, anything in the folder beside the checkout
# that holds them, or a `docs/*.md` path that does not exist. Comments and docs cite the public MongoDB specification and the AWS
# documentation by name and state the rule itself; this keeps them doing so. Run by `make test`.
#
# Usage: scripts/check-references.sh   (from anywhere inside the checkout)
set -euo pipefail

cd "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
self=scripts/check-references.sh
failed=0

# Citations of documents that were never part of the repository. The section pattern catches the
# notes file's numbering; RFC sections (RFC 9112 §5.2) stay allowed. Each name is spelt with a
# bracket expression so that this script does not contain the text it looks for.
outside='hous[e] rule|hous[e][- ]style( rule)? ?#?[0-9]|hous[e]-style\.md|spec-mongodb-aw[s]|aws-convention[s]\.md'
outside+='|testing-note[s]|peer[s]\.md|\.\./share[d]([^A-Za-z0-9_]|$)|spe[c] §["0-9]'
if hits=$(git grep -n -I -i -E "$outside" -- . ":(exclude)$self"); then
    echo "check-references: these lines cite a document that is not in the repository:" >&2
    echo "$hits" >&2
    echo "Cite the public document by name instead (the MongoDB Authentication specification, MONGODB-AWS" >&2
    echo "section; the AWS documentation page) and state the rule itself in a few words." >&2
    failed=1
fi

# Paths of the repository's user docs, `docs/NAME.md` (also in links), that name no file.
missing=()
while IFS= read -r hit; do
    file=${hit%%:*}
    rest=${hit#*:}
    line=${rest%%:*}
    path=$(printf '%s' "${rest#*:}" | grep -o -E 'docs/[A-Za-z0-9_./-]+\.md')
    [ -f "$path" ] || missing+=("$file:$line: $path")
done < <(git grep -n -I -o -E '(^|[^A-Za-z0-9_./-])docs/[A-Za-z0-9_./-]+\.md' -- . ":(exclude)$self" || true)
if [ ${#missing[@]} -gt 0 ]; then
    echo "check-references: these lines name a docs/ page that does not exist:" >&2
    printf '%s\n' "${missing[@]}" >&2
    echo "Write the page, or point at one of: $(cd docs && ls -- *.md | tr '\n' ' ')" >&2
    failed=1
fi

exit "$failed"
