#!/bin/sh
# Compare the API's OpenAPI document of the work tree with that of a git ref (default: where this
# branch left main, `git merge-base main HEAD`, so endpoints merged into main since do not show).
#   scripts/openapi_diff.sh [REF]      (or: make openapi-diff REF=...)
# Prints a unified diff and exits 1 when the documents differ, 0 when they are identical.
# A refactoring that should not change the API (issue 14) runs this against its base; a branch
# that adds endpoints shows exactly what it adds. No snapshot is committed: it would break on
# every new endpoint of every branch and would soon be updated without being read.
set -eu
root=$(git rev-parse --show-toplevel)
ref=${1:-$(git -C "$root" merge-base main HEAD)}
py="$root/.venv/bin/python"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/base"
git -C "$root" archive "$ref" | tar -x -C "$tmp/base"
(cd "$tmp/base" && "$py" "$root/scripts/openapi_schema.py") > "$tmp/base.json"
(cd "$root" && "$py" "$root/scripts/openapi_schema.py") > "$tmp/head.json"
if diff -u --label "openapi@$ref" --label "openapi@worktree" "$tmp/base.json" "$tmp/head.json"; then
    echo "OpenAPI document unchanged against $ref ($(grep -c '"operationId"' "$tmp/head.json") operations)."
else
    exit 1
fi
