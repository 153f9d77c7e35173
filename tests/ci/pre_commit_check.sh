#!/usr/bin/env bash
# The hooks of .pre-commit-hooks.yaml with the real pre-commit (from the
# package registry, in build/venv, installed only when missing): in a
# temporary git repository holding a good and a bad model, `pre-commit
# try-repo` of this checkout must pass each hook on the good model and fail
# it on the bad one. The hooks are `language: system`, so try-repo needs no
# network and runs the tools from PATH. try-repo clones the hook repository;
# to keep that instant, the hook repository is a one-commit git repository
# holding this checkout's .pre-commit-hooks.yaml (the file itself, unchanged)
# rather than the whole history of this checkout.
# Usage: tests/ci/pre_commit_check.sh BIN_DIR    Exit status 0 when it held.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(cd "${1:?usage: pre_commit_check.sh BIN_DIR}" && pwd)
py=$("$root/tests/ci/ensure_venv.sh" pre_commit=pre-commit)

work=$(mktemp -d "${TMPDIR:-/tmp}/stguard-pre-commit.XXXXXX")
trap 'rm -rf "$work"' EXIT
export PATH="$bin:$PATH" PRE_COMMIT_HOME="$work/cache"
export GIT_AUTHOR_NAME=stguard GIT_AUTHOR_EMAIL=stguard@localhost GIT_COMMITTER_NAME=stguard GIT_COMMITTER_EMAIL=stguard@localhost
repo="$work/repo"
mkdir -p "$repo"
git -C "$repo" init -q
"$py" - "$repo" <<'PY'
import json, struct, sys
header = json.dumps({"w": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}}, separators=(",", ":")).encode()
header += b" " * (-len(header) % 8)
good = struct.pack("<Q", len(header)) + header + b"\x01\x02"
open(sys.argv[1] + "/good.safetensors", "wb").write(good)
open(sys.argv[1] + "/bad.safetensors", "wb").write(good[:-1])  # data truncated
PY
git -C "$repo" add good.safetensors bad.safetensors
hooks="$work/hooks"
mkdir -p "$hooks"
cp "$root/.pre-commit-hooks.yaml" "$hooks/"
git -C "$hooks" init -q
git -C "$hooks" add .pre-commit-hooks.yaml
git -C "$hooks" commit -q -m hooks

# try-repo without a hook id runs every hook of the manifest; each reports Passed or Failed.
failed=0
run_hooks() {  # FILE EXPECTED(Passed|Failed)
  local log="$work/$1.log" status=0
  (cd "$repo" && "$py" -m pre_commit try-repo "$hooks" --files "$1") >"$log" 2>&1 || status=$?
  for hook in st-validate st-audit; do
    if grep -Eq "^$hook \(.*\.+$2\$" "$log"; then
      echo "pre-commit: $hook: $2 on $1"
    else
      cat "$log"; echo "pre-commit: FAIL: $hook did not report $2 on $1"; failed=1
    fi
  done
  if [ "$2" = Failed ] && { [ "$status" -eq 0 ] || ! grep -q DATA_TRUNCATED "$log"; }; then
    cat "$log"; echo "pre-commit: FAIL: try-repo exit $status on $1, or the problem is not named"; failed=1
  fi
  if [ "$2" = Passed ] && [ "$status" -ne 0 ]; then
    cat "$log"; echo "pre-commit: FAIL: try-repo exit $status on $1"; failed=1
  fi
}
run_hooks good.safetensors Passed
run_hooks bad.safetensors Failed
exit "$failed"
