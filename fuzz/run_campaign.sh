#!/usr/bin/env bash
# One fuzzing campaign: a target, an engine, a duration.
#
# Usage: fuzz/run_campaign.sh TARGET ENGINE SECONDS
#   TARGET   header_parser, validate_file, ... (fuzz/<TARGET>_fuzzer.cc)
#   ENGINE   libfuzzer (preset fuzz, build/fuzz) or afl (fuzz/build_afl.sh, build/afl)
#   SECONDS  wall-clock duration
# Environment:
#   STGUARD_FUZZ_NICE=19       niceness (CPU is shared; 0 on a dedicated machine)
#   STGUARD_FUZZ_WORKERS=1     libFuzzer: N > 1 runs -fork=N (N processes);
#                              AFL++: one main instance (run more by hand with -S)
#   STGUARD_FUZZ_NO_BUILD=1    use the existing build
#
# Everything goes to fuzz/work/campaigns/TARGET-ENGINE/ (git-ignored):
#   corpus/ (libFuzzer) or afl/ (AFL++ output: queue/, crashes/, hangs/), kept
#   and grown across runs, so campaigns add up; artifacts/ (libFuzzer crashes);
#   logs/. The seeds and tests/regressions/TARGET are (re)added at every start.
# At the end it prints the numbers fuzz/CAMPAIGNS.md records (CPU-seconds,
# exec/s, corpus size, coverage, findings) as a Markdown table row, and
# appends that row to fuzz/work/campaigns/log.md. Exit status 1 if anything
# was found: minimise it and follow tests/regressions/README.md.
set -uo pipefail
cd "$(dirname "$0")/.."
. fuzz/common.sh

if [ $# -ne 3 ]; then
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
target=$1 engine=$2 seconds=$3
nice_level=${STGUARD_FUZZ_NICE:-19}
workers=${STGUARD_FUZZ_WORKERS:-1}
[ -f "fuzz/${target}_fuzzer.cc" ] || { echo "run_campaign: no target $target"; exit 2; }
case "$engine" in libfuzzer | afl) ;; *) echo "run_campaign: engine must be libfuzzer or afl"; exit 2 ;; esac

dir="fuzz/work/campaigns/$target-$engine"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$dir/logs"
# The PID keeps apart two runs of one target started in the same second
# (parallel runs sharing a campaign corpus).
log="$dir/logs/$stamp-$$.log"
# Findings are the artifacts written after this file: earlier runs' stay put.
started="$dir/logs/$stamp-$$.started"
touch "$started"
max_len=$(fuzz_option "$target" max_len)
malloc_limit=$(fuzz_option "$target" malloc_limit_mb)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git status --porcelain -- lib fuzz 2>/dev/null)" ] && commit="$commit+local"

if [ "$engine" = libfuzzer ]; then
  binary=build/fuzz/bin/${target}_fuzzer
  if [ -z "${STGUARD_FUZZ_NO_BUILD:-}" ]; then
    cmake --preset fuzz >/dev/null && cmake --build --preset fuzz -j2 --target "${target}_fuzzer" >/dev/null ||
      { echo "run_campaign: build failed"; exit 1; }
  fi
else
  binary=build/afl/bin/${target}_fuzzer
  [ -n "${STGUARD_FUZZ_NO_BUILD:-}" ] || fuzz/build_afl.sh >/dev/null || { echo "run_campaign: AFL++ build failed"; exit 1; }
fi
[ -x "$binary" ] || { echo "run_campaign: $binary was not built"; exit 1; }

fuzz_sanitizer_env
TIMEFORMAT='%U %S'
if [ "$engine" = libfuzzer ]; then
  mkdir -p "$dir/corpus" "$dir/artifacts"
  fuzz_fill_corpus "$target" "$dir/corpus"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -dict=fuzz/safetensors.dict -artifact_prefix="$dir/artifacts/")
  [ -n "$max_len" ] && args+=(-max_len="$max_len")
  [ -n "$malloc_limit" ] && args+=(-malloc_limit_mb="$malloc_limit")
  [ "$workers" -gt 1 ] && args+=(-fork="$workers" -ignore_crashes=1)
  command="$binary ${args[*]} $dir/corpus"
  echo "run_campaign: $command"
  cpu=$( { time nice -n "$nice_level" "$binary" "${args[@]}" "$dir/corpus" >"$log" 2>&1; } 2>&1 )
  status=$?
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  last=$(grep -E '^#[0-9]+' "$log" | grep -E 'cov: ' | tail -n 1)
  cov=$(echo "$last" | sed -n -E 's/.* cov: ([0-9]+).*/\1/p')
  ft=$(echo "$last" | sed -n -E 's/.* ft: ([0-9]+).*/\1/p')
  corpus_size=$(find "$dir/corpus" -type f | wc -l)
  findings=$(find "$dir/artifacts" -type f -newer "$started" | wc -l)
  coverage="cov $cov, ft $ft"
else
  seeds="$dir/seeds"
  rm -rf "$seeds"
  fuzz_fill_corpus "$target" "$seeds"
  # AFL++ wants ASan to abort and not to symbolise; leaks are not its business.
  export ASAN_OPTIONS="abort_on_error=1:symbolize=0:detect_leaks=0"
  export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
  input=(-i "$seeds")
  [ -d "$dir/afl/default/queue" ] && input=(-i -)  # resume the previous campaign
  args=("${input[@]}" -o "$dir/afl" -x fuzz/safetensors.dict -V "$seconds" -m none -t 2000)
  [ -n "$max_len" ] && args+=(-G "$max_len")
  command="afl-fuzz ${args[*]} -- $binary"
  echo "run_campaign: $command"
  cpu=$( { time nice -n "$nice_level" afl-fuzz "${args[@]}" -- "$binary" >"$log" 2>&1; } 2>&1 )
  status=$?
  stats="$dir/afl/default/fuzzer_stats"
  stat() { sed -n -E "s/^$1 *: *//p" "$stats" 2>/dev/null | head -n 1; }
  execs=$(stat execs_done)
  rate=$(stat execs_per_sec)
  corpus_size=$(stat corpus_count)
  findings=$(( $(find "$dir/afl/default/crashes" "$dir/afl/default/hangs" -type f ! -name README.txt -newer "$started" \
    2>/dev/null | wc -l) ))
  coverage="edges $(stat edges_found), bitmap $(stat bitmap_cvg)"
  [ -f "$stats" ] || status=1
fi

# CPU-seconds: user + system of the fuzzer and its children. AFL++'s targets
# run under its fork server, whose children `time` does not see; one AFL++
# instance keeps one core busy, so its wall time is its CPU time.
cpu_seconds=$(echo "$cpu" | awk '{printf "%.0f", $1 + $2}')
[ "$engine" = afl ] && cpu_seconds=$seconds
row="| $(date -u +%Y-%m-%d) | $engine | $target | $seconds | ${cpu_seconds:-?} | ${execs:-?} | ${rate:-?} | $corpus_size | $coverage | $findings | $commit |"
echo "run_campaign: $target/$engine: ${seconds}s wall, ${cpu_seconds}s CPU, ${execs} execs, ${rate} exec/s, corpus $corpus_size, $coverage, findings $findings (exit $status)"
echo "run_campaign: log $log"
echo "$row"
echo "$row  \`$command\`" >>fuzz/work/campaigns/log.md
if [ "$findings" -gt 0 ]; then
  echo "run_campaign: FINDINGS in $dir ($( [ "$engine" = afl ] && echo afl/default/crashes or hangs || echo artifacts))"
  exit 1
fi
[ "$status" -eq 0 ] || { echo "run_campaign: the fuzzer exited with $status; see $log"; exit 1; }
