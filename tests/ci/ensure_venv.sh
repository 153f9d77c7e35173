#!/usr/bin/env bash
# Creates build/venv if missing (scripts/check-reference.py shares it) and
# installs from the package registry each MODULE=REQUIREMENT whose module does
# not import yet. Prints the venv's python on stdout; pip's output goes to stderr.
# Usage: tests/ci/ensure_venv.sh MODULE=REQUIREMENT...
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv="$root/build/venv"
if [ ! -x "$venv/bin/python" ]; then
  "${PYTHON:-python3}" -m venv "$venv" >&2
fi
py="$venv/bin/python"
missing=()
for pair in "$@"; do
  "$py" -c "import ${pair%%=*}" 2>/dev/null || missing+=("${pair#*=}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing ${missing[*]} into build/venv" >&2
  "$py" -m pip install -q "${missing[@]}" >&2
fi
echo "$py"
