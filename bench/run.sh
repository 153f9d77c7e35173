#!/usr/bin/env bash
# bench/run.sh: the whole benchmark suite in one command (docs/PERFORMANCE.md).
#
# Builds the release preset with the benchmarks, writes the corpus
# (make_bench_files: real data for GPT-2 small, sparse files up to 13.5 GB),
# waits for a quiet machine, measures the physical references (memcpy,
# page-cache read, openssl speed, process spawn) and every benchmark, times
# the reference readers (the safetensors crate in bench/reference-rs, the
# Python package in a venv under build/) on the header series beside
# stguard, records peak resident memory of the tools, and prints a markdown
# summary that is also saved as bench/results/summary.md. The corpus,
# including every multi-GB sparse file, is deleted on exit unless --keep is
# given.
#
# Never part of the test command: timings on a shared machine are
# experiments, and targets are judged in the summary, not by a test.
#
#   bench/run.sh [--skip-build] [--keep] [--reps N] [--max-wait N] [--only FAMILIES]
#   bench/run.sh header [--skip-build] [--keep] [--reps N] [--max-wait N]
#     header         only the header comparison (the `compare` family, about
#                    a minute): stguard strict and compat, RapidJSON's no-op
#                    SAX reader, the crate and the Python package on
#                    headers-1k/20k/200k; corpus of those three files only;
#                    3 repetitions and no wait for a quiet machine unless
#                    --reps / --max-wait say otherwise; the table is printed
#                    and saved as bench/results/compare.md
#     --skip-build   use the binaries already built (build/release/bin,
#                    build/reference-rs/release/reference-rs)
#     --keep         keep bench/work (the corpus) afterwards
#     --reps N       repetitions of every measurement (default 5; medians and spread)
#     --max-wait N   how many 60 s waits for the 1-minute load to drop below
#                    1.5 before measuring anyway (default 3; each family
#                    then waits at most 20 s more)
#     --only LIST    comma-separated subset of: ref,header,compare,open,copy,
#                    write,audit,thp,process,rss (default all)
# Environment: STGUARD_BENCH_DIR (corpus folder, default bench/work),
# STGUARD_BENCH_TMPDIR (page-cache-only folder for the writer, default /dev/shm).
# The reference readers need cargo (crates.io) and python3 with venv (PyPI):
# the crate is built with CARGO_TARGET_DIR=build/reference-rs from the
# committed Cargo.lock, the package installed into build/bench-venv from
# bench/reference-py/requirements.txt (reused when its pins are present).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"  # ROOT, WORK, BIN, build_release_bench, require_built, commit_label
TMP_TARGET="${STGUARD_BENCH_TMPDIR:-/dev/shm}"
RESULTS="$ROOT/bench/results"
REF_RS_DIR="$ROOT/bench/reference-rs"
REF_RS_BIN="$ROOT/build/reference-rs/release/reference-rs"
REF_PY="$ROOT/bench/reference-py/time_safe_open.py"
VENV="$ROOT/build/bench-venv"
ALL_FAMILIES="ref,header,compare,open,copy,write,audit,thp,process,rss"
REPS=""
MAX_WAIT=""
SKIP_BUILD=0
KEEP=0
HEADER_ONLY=0
ONLY="$ALL_FAMILIES"
QUIET_LOAD=1.5

if [ "${1:-}" = "header" ]; then
  HEADER_ONLY=1
  ONLY="compare"
  shift
fi
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-build) SKIP_BUILD=1 ;;
    --keep) KEEP=1 ;;
    --reps) REPS="$2"; shift ;;
    --max-wait) MAX_WAIT="$2"; shift ;;
    --only) [ "$HEADER_ONLY" -eq 0 ] || { echo "run.sh: 'header' runs one family; --only does not apply" >&2; exit 2; }
            ONLY="$2"; shift ;;
    -h|--help) sed -n '2,41p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
# The quick comparison is meant to be run while working: few repetitions, no
# waiting for the machine to calm down (the load is recorded beside it).
if [ "$HEADER_ONLY" -eq 1 ]; then
  REPS="${REPS:-3}"
  MAX_WAIT="${MAX_WAIT:-0}"
else
  REPS="${REPS:-5}"
  MAX_WAIT="${MAX_WAIT:-3}"
fi

wanted() { [[ ",$ONLY," == *",$1,"* ]]; }
log() { echo "run.sh: $*" >&2; }

cleanup() {
  # The sparse files cost no disk, but a 13.5 GB name left behind is a trap
  # for the next `du` or backup: remove the whole corpus unless asked to keep it.
  # Only the names make_bench_files and the benchmarks create are removed,
  # so a mistyped STGUARD_BENCH_DIR cannot cost anything else.
  if [ "$KEEP" -eq 0 ] && [ -d "$WORK" ]; then
    rm -f -- "$WORK"/*.safetensors "$WORK"/.stguard-bench-* "$WORK"/corpus.tsv
    rm -f -- "$WORK"/small/mlp-*.safetensors
    rmdir -- "$WORK/small" "$WORK" 2>/dev/null || true
    log "removed the corpus in $WORK"
  fi
  rm -f -- "$TMP_TARGET"/stguard-bench-*.safetensors "$TMP_TARGET"/.stguard-bench-*
}
trap cleanup EXIT

# --- build ------------------------------------------------------------------
if [ "$SKIP_BUILD" -eq 0 ]; then
  log "building the release preset with the benchmarks"
  build_release_bench
  if wanted compare; then
    command -v cargo >/dev/null || { log "cargo is missing: install Rust, or leave out the compare family (--only)"; exit 1; }
    log "building the reference reader (bench/reference-rs: the safetensors crate, Cargo.lock)"
    CARGO_TARGET_DIR="$ROOT/build/reference-rs" cargo build --release --locked --quiet \
      --manifest-path "$REF_RS_DIR/Cargo.toml"
  fi
fi
require_built stguard_bench make_bench_files st-validate st-inspect st-audit
command -v /usr/bin/time >/dev/null || { log "GNU time is missing: scripts/install-deps.sh"; exit 1; }

# The Python package in its own venv: reused as it is when every pin of
# requirements.txt is installed, so a rerun asks PyPI for nothing.
ensure_venv() {
  local requirements="$ROOT/bench/reference-py/requirements.txt"
  if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" "$ROOT/bench/reference-py/pins_present.py" "$requirements"; then
    return 0
  fi
  log "installing bench/reference-py/requirements.txt into $VENV"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
}
if wanted compare; then
  [ -x "$REF_RS_BIN" ] || { log "missing $REF_RS_BIN (run without --skip-build once)"; exit 1; }
  ensure_venv
fi

mkdir -p "$RESULTS"
# A full run replaces every result; --only replaces the families it runs and
# keeps the others (load.tsv then shows when each was measured).
FULL_RUN=0
[ "$ONLY" = "$ALL_FAMILIES" ] && FULL_RUN=1
if [ "$FULL_RUN" -eq 1 ]; then
  rm -f "$RESULTS"/bench-*.json "$RESULTS"/hyperfine-*.json "$RESULTS"/openssl-speed*.txt "$RESULTS"/dd.txt \
    "$RESULTS"/rss.tsv "$RESULTS"/load.tsv "$RESULTS"/summary.md "$RESULTS"/compare-* "$RESULTS"/compare.md
fi

# --- corpus ------------------------------------------------------------------
if [ "$HEADER_ONLY" -eq 1 ]; then
  # Only the header series: seconds, not the minutes of the whole corpus.
  # corpus.tsv in the results keeps describing the last full corpus.
  log "writing the header series to $WORK"
  "$BIN/make_bench_files" --dir "$WORK" --only headers
else
  log "writing the corpus to $WORK"
  "$BIN/make_bench_files" --dir "$WORK"
  cp "$WORK/corpus.tsv" "$RESULTS/corpus.tsv"
fi

# --- machine -----------------------------------------------------------------
describe_machine() {
  echo "date:        $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu:         $(lscpu | sed -n 's/^Model name: *//p') ($(lscpu | sed -n 's/^Hypervisor vendor: *//p') guest)"
  echo "cpus:        $(nproc) ($(lscpu | sed -n 's/^Thread(s) per core: *//p') thread(s) per core), shared with other users"
  echo "caches:      L2 $(lscpu | sed -n 's/^L2 cache: *//p'), L3 $(lscpu | sed -n 's/^L3 cache: *//p')"
  echo "cpu flags:   $(grep -o -w -E 'avx2|avx512f|sha_ni|vaes' /proc/cpuinfo | sort -u | tr '\n' ' ')"
  echo "memory:      $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "kernel:      $(uname -r)"
  echo "compiler:    $(g++ --version | head -1)"
  echo "openssl:     $(openssl version)"
  echo "benchmark:   Google Benchmark $(dpkg-query -W -f='${Version}' libbenchmark-dev 2>/dev/null || echo '?')"
  echo "corpus fs:   $(df -T "$WORK" | awk 'NR==2 {print $2}') ($WORK); writer tmp: $(df -T "$TMP_TARGET" | awk 'NR==2 {print $2}') ($TMP_TARGET)"
  echo "commit:      $(commit_label)"
  echo "rust:        $(rustc --version 2>/dev/null || echo 'not installed')"
  echo "python:      $(python3 --version 2>&1)"
  echo "repetitions: $REPS"
}
[ "$HEADER_ONLY" -eq 1 ] || describe_machine > "$RESULTS/machine.txt"

LOAD_COLUMNS='phase\twhen\tload1\tload5\tload15\ttime\n'
[ "$HEADER_ONLY" -eq 1 ] || [ -f "$RESULTS/load.tsv" ] || printf "$LOAD_COLUMNS" > "$RESULTS/load.tsv"
record_load() {  # phase, start|end, [file: default load.tsv]
  local file="${3:-$RESULTS/load.tsv}" l1 l5 l15
  read -r l1 l5 l15 _ < /proc/loadavg
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$l1" "$l5" "$l15" "$(date +%H:%M:%S)" >> "$file"
}
# Waits up to `$1` seconds, polling every `$2`, for the 1-minute load
# average to drop below QUIET_LOAD: other people's compiles on this 2-core
# machine distort timings. Gives up and measures anyway (load.tsv records it).
wait_for_quiet() {
  local budget="$1" step="$2" waited=0 l1
  while :; do
    read -r l1 _ < /proc/loadavg
    if awk -v l="$l1" -v q="$QUIET_LOAD" 'BEGIN {exit !(l < q)}'; then return 0; fi
    if [ "$waited" -ge "$budget" ]; then
      log "load average $l1 >= $QUIET_LOAD: measuring anyway (recorded in load.tsv)"
      return 0
    fi
    log "load average $l1 >= $QUIET_LOAD; waiting ${step} s (${waited}/${budget} s so far)"
    sleep "$step"
    waited=$((waited + step))
  done
}

# Each family waits at most this long more for a quiet moment (none in the
# quick header comparison).
FAMILY_WAIT=20
[ "$HEADER_ONLY" -eq 0 ] || FAMILY_WAIT=0
BENCH_FLAGS=(--dir="$WORK" --tmpdir="$TMP_TARGET" --benchmark_repetitions="$REPS"
             --benchmark_report_aggregates_only=true --benchmark_out_format=json)
run_family() {  # family, filter regex, min time in seconds, [VAR=value for the environment...]
  local family="$1" filter="$2" min_time="$3"
  shift 3
  wait_for_quiet "$FAMILY_WAIT" 10
  record_load "$family" start
  log "benchmarks: $family $*"
  env "$@" "$BIN/stguard_bench" "${BENCH_FLAGS[@]}" --benchmark_filter="$filter" --benchmark_min_time="$min_time" \
    --benchmark_out="$RESULTS/bench-$family.json" >&2
  record_load "$family" end
}

wait_for_quiet $((MAX_WAIT * 60)) 60

# --- references outside the harness ----------------------------------------------
if wanted ref; then
  record_load reference start
  log "openssl speed -evp sha256 (1 process, then 2)"
  openssl speed -evp sha256 -bytes 1048576 -seconds 3 > "$RESULTS/openssl-speed.txt" 2>&1
  openssl speed -multi 2 -evp sha256 -bytes 1048576 -seconds 3 > "$RESULTS/openssl-speed-multi2.txt" 2>&1
  log "page-cache read with dd"
  cat "$WORK/gpt2-small.safetensors" > /dev/null
  dd if="$WORK/gpt2-small.safetensors" of=/dev/null bs=1M 2> "$RESULTS/dd.txt"
  record_load reference end
  run_family ref '^ref/' 0.3
fi

# --- benchmarks ---------------------------------------------------------------------
# Stages of the JSON layer only on the header series and GPT-2 (the rest add
# nothing); parse_header on every file.
wanted header && run_family header '^(header/|json/.*(headers-|gpt2))' 0.2

# --- stguard beside the reference readers ------------------------------------------
# One run over the same three files: stguard strict and compat and RapidJSON's
# no-op SAX reader (the tokenizer's ceiling) in stguard_bench, then the crate's
# read_metadata, then the Python package. Every repetition is kept (not only
# the aggregates) so the summary can give the minimum beside the median, and
# the load around each reader goes to compare-load.tsv.
if wanted compare; then
  compare_files=("$WORK/headers-1k.safetensors" "$WORK/headers-20k.safetensors" "$WORK/headers-200k.safetensors")
  compare_load="$RESULTS/compare-load.tsv"
  printf "$LOAD_COLUMNS" > "$compare_load"
  describe_machine > "$RESULTS/compare-machine.txt"
  wait_for_quiet "$FAMILY_WAIT" 10
  record_load stguard start "$compare_load"
  log "header comparison: stguard strict, compat, RapidJSON no-op ($REPS repetitions)"
  "$BIN/stguard_bench" --dir="$WORK" --benchmark_filter='^(header/(strict|compat)|json/rapidjson_insitu_noop)/headers-' \
    --benchmark_repetitions="$REPS" --benchmark_min_time=0.2 --benchmark_out_format=json \
    --benchmark_out="$RESULTS/compare-stguard.json" >&2
  record_load stguard end "$compare_load"
  record_load crate start "$compare_load"
  log "header comparison: the safetensors crate (SafeTensors::read_metadata)"
  "$REF_RS_BIN" --reps "$REPS" --warmup-ms 200 --rep-ms 200 "${compare_files[@]}" > "$RESULTS/compare-crate.json"
  record_load crate end "$compare_load"
  record_load python start "$compare_load"
  log "header comparison: the Python package (safe_open + keys)"
  "$VENV/bin/python" "$REF_PY" --reps "$REPS" --warmup-ms 200 --rep-ms 200 "${compare_files[@]}" \
    > "$RESULTS/compare-python.json"
  record_load python end "$compare_load"
fi

wanted open && run_family open '^open/' 0.2
wanted copy && run_family copy '^copy/' 0.5
wanted write && run_family write '^write/' 0.5
wanted audit && run_family audit '^audit/' 0.5
# Every copy that returns new memory is bound by first-touch page faults on
# this VM; the same benchmarks with malloc asking for transparent huge pages
# show how much of that a user can recover without any code change.
wanted thp && run_family thp '^(ref/memcpy_fresh|copy/(new_vectors_held|copy_bytes_mapped|copy_all_mapped|load_file)|write/save_to_memory)' \
  0.5 GLIBC_TUNABLES=glibc.malloc.hugetlb=1

# --- st-validate as a process ----------------------------------------------------------
if wanted process; then
  wait_for_quiet 20 10
  record_load process start
  log "st-validate over 1,000 small files (hyperfine)"
  small=("$WORK"/small/*.safetensors)
  # -N: no shell between hyperfine and the tool, so neither a shell start nor
  # the glob expansion is timed; the loops below need the shell by design.
  hyperfine -N --style basic --warmup 3 --runs 30 --export-json "$RESULTS/hyperfine-validate-single.json" \
    "$BIN/st-validate -q ${small[0]}" >&2
  hyperfine -N --style basic --warmup 3 --runs 30 --export-json "$RESULTS/hyperfine-validate-batch.json" \
    "$BIN/st-validate -q ${small[*]}" >&2
  hyperfine --style basic --warmup 1 --runs 5 --export-json "$RESULTS/hyperfine-validate-per-process.json" \
    "for f in $WORK/small/*.safetensors; do $BIN/st-validate -q \"\$f\"; done" >&2
  hyperfine --style basic --warmup 1 --runs 5 --export-json "$RESULTS/hyperfine-true-per-process.json" \
    "for f in $WORK/small/*.safetensors; do /bin/true \"\$f\"; done" >&2
  record_load process end
fi

# --- peak resident memory -----------------------------------------------------------------
if wanted rss; then
  record_load rss start
  printf 'command\tfile_bytes\tmax_rss_kb\texit\n' > "$RESULTS/rss.tsv"
  measure_rss() {  # label, file, command...
    local label="$1" file="$2"
    shift 2
    local out status=0
    out="$(mktemp)"
    /usr/bin/time -f '%M' -o "$out" "$@" > /dev/null 2>&1 || status=$?
    printf '%s\t%s\t%s\t%s\n' "$label" "$(stat -c %s "$file")" "$(tail -1 "$out")" "$status" >> "$RESULTS/rss.tsv"
    rm -f "$out"
  }
  log "peak resident memory of the tools"
  llama="$WORK/llama-7b-bf16.safetensors"
  grow8="$WORK/grow-8GB.safetensors"
  measure_rss "st-validate llama-7b-bf16 (13.5 GB)" "$llama" "$BIN/st-validate" "$llama"
  measure_rss "st-validate grow-8GB" "$grow8" "$BIN/st-validate" "$grow8"
  measure_rss "st-validate headers-200k (23.6 MB header)" "$WORK/headers-200k.safetensors" \
    "$BIN/st-validate" "$WORK/headers-200k.safetensors"
  measure_rss "st-inspect llama-7b-bf16 (13.5 GB)" "$llama" "$BIN/st-inspect" "$llama"
  measure_rss "st-inspect grow-8GB" "$grow8" "$BIN/st-inspect" "$grow8"
  measure_rss "st-audit llama-7b-bf16 (13.5 GB)" "$llama" "$BIN/st-audit" --no-progress "$llama"
  # The data pass reads through bounded buffers: 1 GB of data shows it (reading
  # 13.5 GB of holes would fill the shared page cache for nothing).
  measure_rss "st-audit --values grow-1GB (reads 1 GB)" "$WORK/grow-1GB.safetensors" \
    "$BIN/st-audit" --no-progress --values "$WORK/grow-1GB.safetensors"
  measure_rss "st-audit --manifest gpt2-small (hashes 1 GB)" "$WORK/gpt2-small.safetensors" \
    "$BIN/st-audit" --no-progress --manifest "$TMP_TARGET/stguard-bench-manifest.json" "$WORK/gpt2-small.safetensors"
  rm -f "$TMP_TARGET/stguard-bench-manifest.json"
  record_load rss end
fi

if [ "$HEADER_ONLY" -eq 1 ]; then
  python3 "$ROOT/bench/summarize.py" --compare-only "$RESULTS" | tee "$RESULTS/compare.md"
else
  python3 "$ROOT/bench/summarize.py" "$RESULTS" | tee "$RESULTS/summary.md"
fi
