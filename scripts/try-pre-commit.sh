#!/usr/bin/env bash
# Tries the pre-commit hook as a new user would: a throwaway repository with a
# malicious pickle staged; `pre-commit try-repo` must fail on it.
# Needs `pip install pre-commit` and cargo (the hook builds loadguard).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
git init -q
cp "$repo/tests/fixtures/malicious/os_system_p2.pkl" weights.bin
echo hello > README.md
git add .
if pre-commit try-repo "$repo" loadguard --files weights.bin README.md; then
    echo "FAIL: the hook passed a malicious pickle" >&2
    exit 1
fi
echo "OK: the hook failed on the malicious pickle"
