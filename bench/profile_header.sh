#!/usr/bin/env bash
# bench/profile_header.sh: where strict header validation spends its
# instructions and its memory (docs/PERFORMANCE.md, "Where the time goes").
#
# Instruction counts from callgrind do not move with the machine's load, so
# this profile can be rerun on the shared machine and compared before/after
# a change (the [perf] notes of docs/PERFORMANCE.md). Steps:
#   1. builds profile_header, st-validate and make_bench_files (release
#      preset with -DSTGUARD_BUILD_BENCH=ON) unless --skip-build;
#   2. writes the header series (make_bench_files --only headers);
#   3. callgrind with simulated caches (D1 48 KiB 12-way, last level 32 MiB
#      16-way: the L1d and L3 of this machine's current Zen 5 host) of strict
#      validation, collecting only inside one validate-and-free call: 10 calls
#      on headers-1k, 1 call on headers-200k; profile_report.py prints layers
#      and top functions;
#   4. the instruction ladder: the same count for each JSON stage alone
#      (RapidJSON no-op iterative and recursive, over CursorStream, the whole
#      tokenizer with a no-op sink; bench/json_stages.hpp; then st-validate's
#      summary storage), so "% of the no-op ceiling" is in instructions too;
#   5. peak resident memory of `st-validate headers-200k.safetensors`
#      (GNU time -v) and massif's heap at its peak, by allocating function.
# Everything lands in build/profile/ (raw callgrind.out and massif files
# for callgrind_annotate / kcachegrind / ms_print, and profile.md, which is
# also printed). The corpus is removed afterwards unless --keep is given.
#
#   bench/profile_header.sh [--skip-build] [--keep] [--compat] [--top N]
# Environment: STGUARD_BENCH_DIR (corpus folder, default bench/work).
# Needs valgrind and GNU time (scripts/install-deps.sh). Not part of the tests.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"  # ROOT, WORK, BIN, build_release_bench, require_built, commit_label
OUT="$ROOT/build/profile"
SKIP_BUILD=0
KEEP=0
PROFILE_FLAG=()
PROFILE_NAME=strict
TOP=12

while [ $# -gt 0 ]; do
  case "$1" in
    --skip-build) SKIP_BUILD=1 ;;
    --keep) KEEP=1 ;;
    --compat) PROFILE_FLAG=(--stage compat); PROFILE_NAME=compat ;;
    --top) TOP="$2"; shift ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "profile_header.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
log() { echo "profile_header.sh: $*" >&2; }

for tool in valgrind callgrind_annotate ms_print /usr/bin/time; do
  command -v "$tool" >/dev/null || { log "missing $tool: scripts/install-deps.sh"; exit 1; }
done

cleanup() {
  if [ "$KEEP" -eq 0 ] && [ -d "$WORK" ]; then
    rm -f -- "$WORK"/headers-*.safetensors "$WORK"/corpus.tsv
    rmdir -- "$WORK" 2>/dev/null || true
  fi
}
trap cleanup EXIT

if [ "$SKIP_BUILD" -eq 0 ]; then
  log "building profile_header, st-validate, make_bench_files"
  build_release_bench profile_header st-validate make_bench_files
fi
require_built profile_header st-validate make_bench_files

"$BIN/make_bench_files" --dir "$WORK" --only headers >/dev/null
mkdir -p "$OUT"
REPORT="$OUT/profile.md"
{
  echo "## Header validation profile ($PROFILE_NAME): callgrind instruction counts"
  echo
  echo "commit $(commit_label),"
  echo "$(valgrind --version), $(g++ --version | head -1), release preset; $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$REPORT"

profile() {  # label, file, calls, tensors
  local label="$1" file="$2" calls="$3" tensors="$4" out="$OUT/callgrind-$PROFILE_NAME-$1.out"
  log "callgrind: $label ($calls call(s))"
  valgrind --tool=callgrind --cache-sim=yes --D1=49152,12,64 --LL=33554432,16,64 \
    --toggle-collect='stguard::bench::run_once(*' --callgrind-out-file="$out" \
    "$BIN/profile_header" "$file" --calls "$calls" "${PROFILE_FLAG[@]}" > /dev/null 2> "$out.log"
  { echo; python3 "$ROOT/bench/profile_report.py" callgrind "$out" --calls "$calls" --tensors "$tensors" \
      --top "$TOP" --cache-sim --title "$label: $(basename "$file"), $tensors tensors"; } >> "$REPORT"
}
profile 1k "$WORK/headers-1k.safetensors" 10 1000
profile 200k "$WORK/headers-200k.safetensors" 1 200000

instructions() {  # stage, file, calls: instructions per call
  local log="$OUT/ladder.log"
  valgrind --tool=callgrind --toggle-collect='stguard::bench::run_once(*' --callgrind-out-file=/dev/null \
    "$BIN/profile_header" "$2" --stage "$1" --calls "$3" > /dev/null 2> "$log"
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$log" | awk -v c="$3" '{printf "%.0f", $1 / c}'
}
log "callgrind: the instruction ladder of the JSON stages"
{
  echo
  echo "#### Instructions per tensor, stage by stage (each stage alone, scratch copy included)"
  echo
  echo "| stage | headers-1k | headers-200k | share of $PROFILE_NAME, 1k | share of $PROFILE_NAME, 200k |"
  echo "|---|---|---|---|---|"
  full_1k="$(instructions "$PROFILE_NAME" "$WORK/headers-1k.safetensors" 10)"
  full_200k="$(instructions "$PROFILE_NAME" "$WORK/headers-200k.safetensors" 1)"
  for stage in rapidjson rapidjson-recursive rapidjson-cursor tokenizer summary "$PROFILE_NAME"; do
    a="$(instructions "$stage" "$WORK/headers-1k.safetensors" 10)"
    b="$(instructions "$stage" "$WORK/headers-200k.safetensors" 1)"
    awk -v s="$stage" -v a="$a" -v b="$b" -v fa="$full_1k" -v fb="$full_200k" \
      'BEGIN {printf "| %s | %.0f | %.0f | %.0f%% | %.0f%% |\n", s, a / 1000, b / 200000, 100 * a / fa, 100 * b / fb}'
  done
} >> "$REPORT"

log "peak resident memory and heap of st-validate on headers-200k"
file="$WORK/headers-200k.safetensors"
header_bytes="$(od -An -t u8 -N 8 "$file" | tr -d ' ')"
/usr/bin/time -v "$BIN/st-validate" "$file" > /dev/null 2> "$OUT/time-v-200k.txt"
rss_kb="$(sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$OUT/time-v-200k.txt")"
valgrind --tool=massif --massif-out-file="$OUT/massif-200k.out" "$BIN/st-validate" "$file" \
  > /dev/null 2> "$OUT/massif-200k.log"
{
  echo
  echo "#### st-validate on headers-200k.safetensors: memory"
  echo
  echo "Peak resident set size (GNU time -v): $rss_kb KB = $(awk -v k="$rss_kb" -v h="$header_bytes" \
    'BEGIN {printf "%.1f MB, %.2fx the %.1f MB header", k * 1024 / 1e6, k * 1024 / h, h / 1e6}')."
  echo
  python3 "$ROOT/bench/profile_report.py" massif "$OUT/massif-200k.out" --tensors 200000
} >> "$REPORT"

cat "$REPORT"
