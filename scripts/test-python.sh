#!/usr/bin/env bash
# The Python package's tests: creates (or reuses) the venv build/py-venv,
# installs what is missing of nanobind, scikit-build-core, numpy, safetensors,
# pytest, atheris, dask[distributed] and vermin from the package registry
# (pyarrow too with STGUARD_PY_PARQUET=1), builds and installs ./python into it
# (incrementally: the CMake build folder is build/py-build), builds st-audit
# (release preset) when it is missing, for the scan tests to compare with
# (STGUARD_ST_AUDIT names another binary), then runs pytest on python/tests,
# and last runs the binding's atheris fuzz target
# (python/fuzz/fuzz_binding.py) for STGUARD_PY_FUZZ_SECONDS (default 20; 0
# skips it) on the corpus. Extra arguments go to pytest.
# Exit status: pytest's, except that "no tests ran" (5) is a failure too;
# then 1 if the fuzz target found a failing input (kept in build/py-fuzz/artifacts/:
# move it to python/fuzz/regressions/ with the fix).
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
for pair in nanobind=nanobind scikit_build_core=scikit-build-core numpy=numpy safetensors=safetensors pytest=pytest \
            atheris=atheris distributed="dask[distributed]" vermin=vermin; do
  "$py" -c "import ${pair%%=*}" 2>/dev/null || missing+=("${pair#*=}")
done
# pyarrow (Parquet output of stguard.scan, ~40 MB) only on request.
if [ "${STGUARD_PY_PARQUET:-0}" = 1 ]; then
  "$py" -c "import pyarrow" 2>/dev/null || missing+=(pyarrow)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> [python] installing ${missing[*]}"
  "$py" -m pip install -q "${missing[@]}"
fi

echo "==> [python] building and installing ./python"
if ! "$py" -m pip install -q --no-build-isolation --no-deps ./python -Cbuild-dir="$PWD/build/py-build" >build/py-install.log 2>&1; then
  tail -n 60 build/py-install.log
  echo "test-python: building the package failed"
  exit 2
fi

# test_scan.py compares stguard.scan with the st-audit tool: the release
# build's, built here when missing (STGUARD_ST_AUDIT names another).
if [ -z "${STGUARD_ST_AUDIT:-}" ]; then
  STGUARD_ST_AUDIT=$PWD/build/release/bin/st-audit
  if [ ! -x "$STGUARD_ST_AUDIT" ]; then
    echo "==> [python] building st-audit (release preset) for the scan tests"
    if ! { cmake --preset release && cmake --build --preset release --target st-audit -j2; } >build/py-st-audit.log 2>&1; then
      tail -n 40 build/py-st-audit.log
      echo "test-python: building st-audit failed"
      exit 2
    fi
  fi
fi
export STGUARD_ST_AUDIT

echo "==> [python] pytest"
status=0
# Run from python/tests' parent so the installed package, not python/src, is imported.
"$py" -m pytest -q -p no:cacheprovider python/tests "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "test-python: pytest collected no tests"
  exit 1
fi
[ "$status" -eq 0 ] || exit "$status"

seconds=${STGUARD_PY_FUZZ_SECONDS:-20}
if [ "$seconds" -gt 0 ]; then
  echo "==> [python] atheris: fuzz_binding.py for ${seconds} s"
  fuzz=build/py-fuzz
  mkdir -p "$fuzz/corpus" "$fuzz/artifacts"
  cp -n corpus/*.safetensors python/fuzz/seeds/* python/fuzz/regressions/* "$fuzz/corpus/" 2>/dev/null || true
  if ! "$py" python/fuzz/fuzz_binding.py -max_total_time="$seconds" -artifact_prefix="$fuzz/artifacts/" \
       "$fuzz/corpus" >"$fuzz/run.log" 2>&1; then
    tail -n 40 "$fuzz/run.log"
    echo "test-python: the binding fuzz target failed (input in $fuzz/artifacts/)"
    exit 1
  fi
  grep -E '^Done [0-9]+ runs' "$fuzz/run.log" || true
fi
