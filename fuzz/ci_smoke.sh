#!/usr/bin/env bash
# CI smoke fuzzing (run by scripts/test.sh): builds the `fuzz` preset (clang,
# ASan + UBSan, libFuzzer) and fuzzes every target for a short fixed time on a
# fresh copy of its inputs (seeds, regressions, and corpus/ for the targets
# that take whole files), with the shared dictionary and the max_len and
# malloc limit of its .options file. Any finding fails the run: a property
# violation (abort), a sanitizer report, a leak, a timeout (-timeout=10), an
# allocation above the malloc limit, or an RSS above 2 GB; the crashing input
# is left in fuzz/work/ci_smoke/<target>/ and its path is printed.
#
# Only the fuzz targets are built (--target stguard_fuzzers): the tools and
# tests are built and tested by the other presets already. Targets run two at
# a time (CI has 2 cores), so the total is about the build plus
# ceil(targets / 2) x SECONDS: under 5 minutes for 12 targets at 20 s.
#
# Usage: fuzz/ci_smoke.sh [SECONDS]   SECONDS per target, default 20
#        (or STGUARD_FUZZ_SMOKE_SECONDS); STGUARD_FUZZ_SMOKE_JOBS, default 2.
set -uo pipefail
cd "$(dirname "$0")/.."
. fuzz/common.sh

seconds=${1:-${STGUARD_FUZZ_SMOKE_SECONDS:-20}}
parallel=${STGUARD_FUZZ_SMOKE_JOBS:-2}
work=fuzz/work/ci_smoke
bin=build/fuzz/bin
start=$(date +%s)

echo "ci_smoke: building the fuzz preset (clang, ASan + UBSan, libFuzzer)"
mkdir -p "$work"
log="$work/build.log"
if ! cmake --preset fuzz >"$log" 2>&1 || ! cmake --build --preset fuzz -j2 --target stguard_fuzzers >>"$log" 2>&1; then
  tail -n 40 "$log"
  echo "ci_smoke: FAILED to build the fuzz preset (log: $log)"
  exit 1
fi

targets=()
for target in $(fuzz_targets); do
  if [ -x "$bin/${target}_fuzzer" ]; then
    targets+=("$target")
  else
    echo "ci_smoke: note: $target is not built in this configuration (its dependencies are missing)"
  fi
done
if [ ${#targets[@]} -eq 0 ]; then
  echo "ci_smoke: FAILED: no fuzz target was built"
  exit 1
fi

fuzz_sanitizer_env

# One target: fresh corpus copy, fixed time, stats in $work/$target/fuzz.log.
run_target() {
  local target=$1 dir="$work/$1"
  rm -rf "$dir"
  mkdir -p "$dir/artifacts"
  fuzz_fill_corpus "$target" "$dir/corpus"
  local max_len malloc_limit
  max_len=$(fuzz_option "$target" max_len)
  malloc_limit=$(fuzz_option "$target" malloc_limit_mb)
  local args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
              -dict=fuzz/safetensors.dict -artifact_prefix="$dir/artifacts/")
  [ -n "$max_len" ] && args+=(-max_len="$max_len")
  [ -n "$malloc_limit" ] && args+=(-malloc_limit_mb="$malloc_limit")
  echo "$bin/${target}_fuzzer ${args[*]} $dir/corpus" >"$dir/command"
  "$bin/${target}_fuzzer" "${args[@]}" "$dir/corpus" >"$dir/fuzz.log" 2>&1
  echo $? >"$dir/status"
}

echo "ci_smoke: fuzzing ${#targets[@]} targets for ${seconds} s each, $parallel at a time"
running=0
for target in "${targets[@]}"; do
  run_target "$target" &
  running=$((running + 1))
  if [ "$running" -ge "$parallel" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait

failed=()
printf '%-20s %-6s %10s %8s %8s %8s %6s\n' target status execs exec/s cov ft corpus
for target in "${targets[@]}"; do
  dir="$work/$target"
  status=$(cat "$dir/status" 2>/dev/null || echo 99)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/fuzz.log" | tail -n 1)
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$dir/fuzz.log" | tail -n 1)
  cov=$(echo "$done_line" | sed -n -E 's/.* cov: ([0-9]+).*/\1/p')
  ft=$(echo "$done_line" | sed -n -E 's/.* ft: ([0-9]+).*/\1/p')
  corp=$(echo "$done_line" | sed -n -E 's/.* corp: ([0-9]+).*/\1/p')
  verdict=ok
  [ "$status" -eq 0 ] || verdict=FAIL
  printf '%-20s %-6s %10s %8s %8s %8s %6s\n' "$target" "$verdict" "${execs:--}" "${rate:--}" "${cov:--}" "${ft:--}" "${corp:--}"
  [ "$status" -eq 0 ] || failed+=("$target")
done

for target in "${failed[@]}"; do
  dir="$work/$target"
  echo
  echo "ci_smoke: ---- $target failed (exit $(cat "$dir/status")); command: $(cat "$dir/command")"
  grep -E 'ERROR|stguard-fuzz|SUMMARY|Test unit written|artifact_prefix' "$dir/fuzz.log" | head -n 20
  echo "ci_smoke: reproduce with: $bin/${target}_fuzzer $(ls "$dir"/artifacts/* 2>/dev/null | head -n 1)"
done

end=$(date +%s)
echo "ci_smoke: ${#targets[@]} targets, ${#failed[@]} failed, $((end - start)) s in total"
[ ${#failed[@]} -eq 0 ]
