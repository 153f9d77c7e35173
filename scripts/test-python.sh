#!/usr/bin/env bash
# The Python package's tests: creates (or reuses) the venv build/py-venv,
# installs what is missing of nanobind, scikit-build-core, numpy, safetensors
# and pytest from the package registry, builds and installs ./python into it
# (incrementally: the CMake build folder is build/py-build), then runs pytest
# on python/tests. Extra arguments go to pytest.
# Exit status: pytest's, except that "no tests ran" (5) is a failure too.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=build/py-venv
python=${PYTHON:-python3}
if [ ! -x "$venv/bin/python" ]; then
  echo "==> [python] creating $venv"
  "$python" -m venv "$venv"
fi
py=$venv/bin/python

# module name=requirement, installed only when the import fails.
missing=()
for pair in nanobind=nanobind scikit_build_core=scikit-build-core numpy=numpy safetensors=safetensors pytest=pytest; do
  "$py" -c "import ${pair%%=*}" 2>/dev/null || missing+=("${pair#*=}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> [python] installing ${missing[*]}"
  "$py" -m pip install -q "${missing[@]}"
fi

echo "==> [python] building and installing ./python"
if ! "$py" -m pip install -q --no-build-isolation --no-deps ./python -Cbuild-dir=build/py-build >build/py-install.log 2>&1; then
  tail -n 60 build/py-install.log
  echo "test-python: building the package failed"
  exit 2
fi

echo "==> [python] pytest"
status=0
# Run from python/tests' parent so the installed package, not python/src, is imported.
"$py" -m pytest -q -p no:cacheprovider python/tests "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "test-python: pytest collected no tests"
  exit 1
fi
exit "$status"
