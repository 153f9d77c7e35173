#!/usr/bin/env bash
# Source-based coverage of lib/ from the test suite plus the replay of every
# fuzz corpus: builds the `coverage` preset (clang, -fprofile-instr-generate
# -fcoverage-mapping; fuzz targets get their replay main), runs ctest there
# (the Catch2 suite and every fuzz_replay_<target>), merges the raw profiles
# with llvm-profdata and prints llvm-cov's per-file report for lib/: regions,
# functions, lines and branches, with the TOTAL line last. A second report
# covers only the parsing core (PARSING_CORE below: the code every untrusted
# byte goes through before a verdict), the scope of the coverage aim in
# fuzz/CAMPAIGNS.md.
#
# Usage: fuzz/coverage.sh [--fuzz-only] [--with-campaigns] [--html]
#   --fuzz-only       only the fuzz_replay_* tests (what the corpora alone reach)
#   --with-campaigns  also replay the grown corpora in fuzz/work/campaigns/*/
#   --html            also write build/coverage/html/index.html
# The reports are also saved as build/coverage/coverage-<mode>.txt and
# build/coverage/coverage-<mode>-core.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
. fuzz/common.sh

fuzz_only=0 campaigns=0 html=0
for arg in "$@"; do
  case "$arg" in
    --fuzz-only) fuzz_only=1 ;;
    --with-campaigns) campaigns=1 ;;
    --html) html=1 ;;
    *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done

tool() {  # llvm-profdata / llvm-cov, version 14 preferred
  local name
  for name in "$1-14" "/usr/lib/llvm-14/bin/$1" "$1"; do
    if command -v "$name" >/dev/null; then echo "$name"; return; fi
  done
  echo "coverage: $1 not found (Debian: llvm)" >&2
  exit 1
}
# The hermetic parsing core: cursor, UTF-8, JSON layer, schema and layout,
# dtype and name rules, whole/prefix/stream validation, slice and shard-index
# parsers. I/O, the reader, the writer and error texts are reported above.
PARSING_CORE=(
  lib/include/stguard/cursor.hpp lib/src/core/utf8.cpp lib/src/core/json_tokenizer.hpp lib/src/core/json_tokenizer.cpp
  lib/src/core/header_schema.cpp lib/src/core/header_layout.cpp lib/src/core/tensor_rules.hpp lib/src/core/tensor_rules.cpp lib/src/core/dtype.cpp
  lib/src/core/validate.cpp lib/src/core/stream_validator.cpp lib/src/core/slice_parse.cpp lib/src/shards/shard_index.cpp
)

profdata=$(tool llvm-profdata)
cov=$(tool llvm-cov)

build=build/coverage
echo "coverage: building the coverage preset"
cmake --preset coverage >/dev/null
cmake --build --preset coverage -j2 >"$build/build.log" 2>&1 || { tail -n 30 "$build/build.log"; exit 1; }

profiles="$PWD/$build/profiles"
rm -rf "$profiles"
mkdir -p "$profiles"
export LLVM_PROFILE_FILE="$profiles/%p-%m.profraw"

mode=all
filter=()
if [ $fuzz_only -eq 1 ]; then
  mode=fuzz-only
  filter=(-R '^fuzz_replay_')
fi
echo "coverage: running ctest ${filter[*]}"
# Failures are reported but do not stop the report: coverage of a red suite is still coverage.
ctest --test-dir "$build" -j2 "${filter[@]}" --output-on-failure >"$build/ctest.log" 2>&1 ||
  echo "coverage: warning: some tests failed (see $build/ctest.log)"
grep -E 'tests passed|tests failed' "$build/ctest.log" | tail -n 1

if [ $campaigns -eq 1 ]; then
  mode="$mode+campaigns"
  for dir in fuzz/work/campaigns/*-libfuzzer/corpus; do
    [ -d "$dir" ] || continue
    target=$(basename "$(dirname "$dir")" -libfuzzer)
    [ -x "$build/bin/${target}_fuzzer" ] || continue
    echo "coverage: replaying $dir"
    "$build/bin/${target}_fuzzer" "$dir" >/dev/null || echo "coverage: warning: $target replay failed"
  done
fi

"$profdata" merge -sparse "$profiles"/*.profraw -o "$build/coverage.profdata"
objects=()
for binary in "$build"/bin/*; do
  [ -x "$binary" ] && [ -f "$binary" ] && objects+=(-object "$binary")
done
[ ${#objects[@]} -gt 0 ] || { echo "coverage: no binaries in $build/bin"; exit 1; }

report="$build/coverage-$mode.txt"
"$cov" report "${objects[@]:1}" -instr-profile="$build/coverage.profdata" -show-branch-summary \
  "$PWD/lib" >"$report"
echo "coverage: lib/ ($mode), saved to $report"
cat "$report"
core_report="$build/coverage-$mode-core.txt"
"$cov" report "${objects[@]:1}" -instr-profile="$build/coverage.profdata" -show-branch-summary \
  "${PARSING_CORE[@]/#/$PWD/}" >"$core_report"
echo "coverage: parsing core ($mode), saved to $core_report"
cat "$core_report"
# Every line never run and every branch with a side never taken in the core,
# for the explanations in fuzz/CAMPAIGNS.md.
uncovered="$build/uncovered-$mode-core.txt"
for file in "${PARSING_CORE[@]}"; do
  echo "== $file"
  "$cov" show "${objects[@]:1}" -instr-profile="$build/coverage.profdata" -show-branches=count \
    -show-line-counts "$PWD/$file" 2>/dev/null | grep -E '^ +[0-9]+\| +0\||(True|False): 0[],]' || true
done >"$uncovered"
echo "coverage: uncovered lines and branch sides of the parsing core: $uncovered"
if [ $html -eq 1 ]; then
  "$cov" show "${objects[@]:1}" -instr-profile="$build/coverage.profdata" -format=html \
    -output-dir="$build/html" -show-branches=count "$PWD/lib"
  echo "coverage: HTML in $build/html/index.html"
fi
