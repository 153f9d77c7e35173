#!/usr/bin/env bash
# The test command (README, .ci/run): installs what is missing, then builds
# and runs every test suite:
#   1. release (g++ -O3): unit, corpus, property and CLI tests, and the C API
#      proven from C, Go and Rust (capi_c, capi_go, capi_rust, capi_exports)
#   2. asan (clang, ASan + UBSan, no recovery): the same suite (Go and Rust
#      excepted: they load the unsanitized library)
#   3. tsan (clang, ThreadSanitizer): the tests tagged [threads]
#   4. fuzz (clang, libFuzzer): every fuzz target for a short fixed time on its corpus
#   5. python: the Python package's pytest suite (scripts/test-python.sh), also with --quick
#   (after the release suite, also with --quick: the reference check, and the CI
#   job's checks: SARIF against the SARIF 2.1.0 schema and the pre-commit hooks)
# Usage: scripts/test.sh [--quick]   (--quick: release suite, the reference check and python only)
set -uo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc 2>/dev/null || echo 2)
quick=0
[ "${1:-}" = "--quick" ] && quick=1

./scripts/install-deps.sh || { echo "test: dependency installation failed"; exit 2; }

total_passed=0
total_failed=0
failed_steps=()

# Runs ctest for a preset and adds its counts to the totals.
run_suite() {
  local preset=$1; shift
  echo "==> [$preset] configure and build"
  if ! cmake --preset "$preset" >"build-$preset.log" 2>&1 || ! cmake --build --preset "$preset" -j "$jobs" >>"build-$preset.log" 2>&1; then
    tail -n 60 "build-$preset.log"
    echo "test: build of preset $preset failed"
    failed_steps+=("build:$preset")
    total_failed=$((total_failed + 1))
    return
  fi
  rm -f "build-$preset.log"
  echo "==> [$preset] ctest $*"
  local log
  log=$(mktemp)
  ctest --preset "$preset" -j "$jobs" "$@" 2>&1 | tee "$log" | grep -Ev '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed' || true
  local line passed failed
  line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
  if [ -z "$line" ]; then
    echo "test: ctest for $preset printed no summary"
    failed_steps+=("ctest:$preset")
    total_failed=$((total_failed + 1))
  else
    failed=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/')
    all=$(echo "$line" | sed -E 's/.* failed out of ([0-9]+).*/\1/')
    passed=$((all - failed))
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    [ "$failed" -eq 0 ] || failed_steps+=("tests:$preset")
  fi
  rm -f "$log"
}

# Counts one step that is a single command: one passed, or one failed under NAME.
count_step() {
  local name=$1; shift
  if "$@"; then
    total_passed=$((total_passed + 1))
  else
    total_failed=$((total_failed + 1))
    failed_steps+=("$name")
  fi
}

# The Go and Rust tests of the C API are registered only when go and cargo
# are found; a machine without them must fail here, not skip them silently.
require_language_tests() {
  local listed
  listed=$(ctest --preset release -N 2>/dev/null | grep -cE 'Test +#[0-9]+: capi_(go|rust)$' || true)
  if [ "$listed" -eq 2 ]; then
    echo "==> [release] the C API's Go and Rust tests ran (capi_go, capi_rust)"
    total_passed=$((total_passed + 1))
  else
    echo "test: capi_go or capi_rust is missing from the release suite (are go and cargo installed?)"
    failed_steps+=("capi-languages")
    total_failed=$((total_failed + 1))
  fi
}

# ThreadSanitizer: only the Catch2 tests tagged [threads] (concurrent readers).
run_threads_suite() {
  echo "==> [tsan] configure and build"
  if ! cmake --preset tsan -DSTGUARD_BUILD_FUZZERS=OFF >build-tsan.log 2>&1 ||
     ! cmake --build --preset tsan -j "$jobs" --target stguard_tests >>build-tsan.log 2>&1; then
    tail -n 60 build-tsan.log
    failed_steps+=("build:tsan")
    total_failed=$((total_failed + 1))
    return
  fi
  rm -f build-tsan.log
  local binary=build/tsan/tests/stguard_tests
  [ -x "$binary" ] || binary=build/tsan/bin/stguard_tests
  local listed
  listed=$("$binary" --list-test-names-only "[threads]" 2>&1 || true)
  if [ -z "$listed" ]; then
    echo "==> [tsan] no [threads] tests yet"
    return
  fi
  echo "==> [tsan] stguard_tests [threads]"
  count_step tests:tsan env TSAN_OPTIONS=halt_on_error=1 "$binary" "[threads]"
}

# compat against the reference reader (safetensors from PyPI, in build/venv) on
# the whole corpus: one step, failed on any disagreement docs/profiles.md does
# not list.
run_reference_check() {
  echo "==> [reference] scripts/check-reference.py"
  count_step reference python3 scripts/check-reference.py
  # The installed package's round trip (load, BF16 -> float, slice, save):
  # the reference reads the saved file, untouched tensors byte-identical.
  echo "==> [reference] scripts/check-round-trip.py"
  count_step round-trip python3 scripts/check-round-trip.py
}

# The CI job (docs/ci.md): the repository acceptance test with SARIF checked
# against the SARIF 2.1.0 schema, and the pre-commit hooks run by pre-commit
# try-repo; both install what they need into build/venv. One step each.
run_ci_checks() {
  echo "==> [ci] tests/ci/check_ci.sh, tests/ci/pre_commit_check.sh"
  count_step ci-formats tests/ci/check_ci.sh build/release/bin
  count_step pre-commit tests/ci/pre_commit_check.sh build/release/bin
}

# The Python package (scripts/test-python.sh): pytest's summary line gives the counts.
run_python_suite() {
  echo "==> [python] scripts/test-python.sh"
  local log status=0
  log=$(mktemp)
  ./scripts/test-python.sh 2>&1 | tee "$log" || status=$?
  local line passed failed errors
  line=$(grep -E '[0-9]+ (passed|failed|errors?)' "$log" | grep -E ' in [0-9.]+s' | tail -n 1)
  if [ -z "$line" ]; then
    echo "test: pytest printed no summary (exit $status)"
    failed_steps+=("python")
    total_failed=$((total_failed + 1))
  else
    passed=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)
    failed=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || echo 0)
    errors=$(echo "$line" | grep -oE '[0-9]+ errors?' | grep -oE '[0-9]+' || echo 0)
    total_passed=$((total_passed + ${passed:-0}))
    total_failed=$((total_failed + ${failed:-0} + ${errors:-0}))
    if [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ] && [ "${errors:-0}" -eq 0 ]; then
      total_failed=$((total_failed + 1))  # a non-zero exit with no failure counted
    fi
    [ "$status" -eq 0 ] || failed_steps+=("python")
  fi
  rm -f "$log"
}

start=$(date +%s)
run_suite release
require_language_tests
run_reference_check
run_ci_checks
run_python_suite
if [ $quick -eq 0 ]; then
  run_suite asan
  run_threads_suite
  if [ -x fuzz/ci_smoke.sh ]; then
    echo "==> [fuzz] libFuzzer smoke run of every target"
    count_step fuzz fuzz/ci_smoke.sh
  fi
fi
end=$(date +%s)

echo "==> finished in $((end - start)) s"
if [ ${#failed_steps[@]} -gt 0 ]; then echo "failed steps: ${failed_steps[*]}"; fi
echo "stguard: $total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
