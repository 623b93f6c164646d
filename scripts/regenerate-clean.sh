#!/usr/bin/env bash
# Rebuilds the generated files from the committed sources only (HEAD), in a temporary worktree,
# so uncommitted edits in the working tree never leak into dist/ or schema/. node_modules is
# hard-linked, not symlinked, because esbuild writes resolved module paths into the bundle.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/tree" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" worktree add --quiet --detach "$work/tree" HEAD
cp -al "$root/node_modules" "$work/tree/node_modules"
(cd "$work/tree" && npm run --silent generate)
cp "$work/tree/dist/"*.js "$root/dist/"
cp "$work/tree/schema/"*.json "$root/schema/"
