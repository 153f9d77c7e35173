#!/usr/bin/env bash
# Minimises the seed corpus of a target (or of all): keeps the smallest set of
# inputs that reaches the coverage of the current seeds plus what a campaign
# found, and writes it back to fuzz/corpus/<target>/.
#
# Usage: fuzz/minimize_corpus.sh [--afl] TARGET|all [EXTRA_DIR...]
#   default engine: libFuzzer -merge=1 (build/fuzz, preset fuzz)
#   --afl:          afl-cmin (build/afl, fuzz/build_afl.sh)
#   EXTRA_DIR:      more inputs to merge in; by default the campaign corpus of
#                   fuzz/run_campaign.sh when it exists
#                   (fuzz/work/campaigns/<target>-libfuzzer/corpus, or for
#                   --afl .../<target>-afl/afl/default/queue)
# Rules: tests/regressions/ is never touched (findings stay whole and named);
# the named seeds of fuzz/make_seeds.py (one per dtype, rejection class, ...)
# are always kept, so only inputs adding coverage beyond them (and, for the
# targets that take whole files, beyond corpus/, replayed directly) are merged
# in, named by their SHA-1. Review with `git status fuzz/corpus` afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
. fuzz/common.sh

engine=libfuzzer
if [ "${1:-}" = "--afl" ]; then
  engine=afl
  shift
fi
[ $# -ge 1 ] || { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
which=$1
shift
extra_dirs=("$@")

if [ "$engine" = libfuzzer ]; then
  cmake --preset fuzz >/dev/null && cmake --build --preset fuzz -j2 --target stguard_fuzzers >/dev/null
  bin=build/fuzz/bin
else
  fuzz/build_afl.sh >/dev/null
  bin=build/afl/bin
fi
fuzz_sanitizer_env

stats() {  # "<files> files, <bytes> bytes"
  local count bytes
  count=$(find "$1" -maxdepth 1 -type f ! -name '.*' | wc -l)
  bytes=$(find "$1" -maxdepth 1 -type f ! -name '.*' -exec cat {} + 2>/dev/null | wc -c)
  echo "$count files, $bytes bytes"
}

minimize() {
  local target=$1 seeds="fuzz/corpus/$1" binary="$bin/${1}_fuzzer"
  [ -x "$binary" ] || { echo "minimize: $target is not built, skipped"; return; }
  mkdir -p "$seeds"
  local tmp  # under fuzz/work: afl-cmin refuses to run in /tmp
  mkdir -p fuzz/work
  tmp=$(mktemp -d "$PWD/fuzz/work/minimize.XXXXXX")
  local inputs=("$seeds")
  local dir
  if [ ${#extra_dirs[@]} -gt 0 ]; then
    inputs+=("${extra_dirs[@]}")
  elif [ "$engine" = libfuzzer ] && [ -d "fuzz/work/campaigns/$target-libfuzzer/corpus" ]; then
    inputs+=("fuzz/work/campaigns/$target-libfuzzer/corpus")
  elif [ "$engine" = afl ] && [ -d "fuzz/work/campaigns/$target-afl/afl/default/queue" ]; then
    inputs+=("fuzz/work/campaigns/$target-afl/afl/default/queue")
  fi
  echo "minimize: $target ($engine) from ${inputs[*]}: before $(stats "$seeds")"

  # The kept inputs: the named seeds, and corpus/ for the whole-file targets
  # (removed again after the merge). Only inputs adding coverage beyond them survive.
  mkdir -p "$tmp/out" "$tmp/keep"
  find "$seeds" -maxdepth 1 -type f ! -name '.*' -regextype posix-extended \
    ! -regex '.*/[0-9a-f]{40}' -exec cp {} "$tmp/keep/" \;
  if fuzz_is_file_target "$target"; then
    for file in corpus/*.safetensors; do [ -f "$file" ] && cp "$file" "$tmp/keep/corpus__$(basename "$file")"; done
  fi
  cp "$tmp/keep"/. "$tmp/out/" -r
  local max_len
  max_len=$(fuzz_option "$target" max_len)
  if [ "$engine" = libfuzzer ]; then
    "$binary" -merge=1 ${max_len:+-max_len=$max_len} -timeout=10 "$tmp/out" "${inputs[@]}" >"$tmp/merge.log" 2>&1 ||
      { tail -n 20 "$tmp/merge.log"; echo "minimize: merge failed for $target"; rm -rf "$tmp"; return 1; }
  else
    mkdir -p "$tmp/in"
    for dir in "${inputs[@]}"; do
      find "$dir" -maxdepth 1 -type f ! -name '.*' ! -name README.txt -exec cp {} "$tmp/in/" \;
    done
    rm -rf "$tmp/out"
    AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 ASAN_OPTIONS="abort_on_error=1:symbolize=0:detect_leaks=0" \
      afl-cmin -i "$tmp/in" -o "$tmp/out" -m none -t 2000 -- "$binary" >"$tmp/merge.log" 2>&1 ||
      { tail -n 20 "$tmp/merge.log"; echo "minimize: afl-cmin failed for $target"; rm -rf "$tmp"; return 1; }
    # afl-cmin cannot pre-load: drop what it kept of the kept inputs, add them back below.
    for file in "$tmp/keep"/*; do
      [ -f "$file" ] || continue
      for kept in "$tmp/out"/*; do cmp -s "$file" "$kept" && rm -f "$kept"; done
    done
    cp "$tmp/keep"/. "$tmp/out/" -r
  fi
  rm -f "$tmp/out"/corpus__*

  # Named seeds keep their names; merged inputs are named by content.
  local file sum name
  declare -A known=()
  for file in "$tmp/keep"/*; do
    [ -f "$file" ] && known[$(sha1sum <"$file" | cut -c1-40)]=$(basename "$file")
  done
  rm -f "$seeds"/*
  for file in "$tmp/out"/*; do
    [ -f "$file" ] || continue
    sum=$(sha1sum <"$file" | cut -c1-40)
    name=${known[$sum]:-$sum}
    cp "$file" "$seeds/$name"
  done
  rm -rf "$tmp"
  echo "minimize: $target: after $(stats "$seeds")"
}

if [ "$which" = all ]; then
  for target in $(fuzz_targets); do minimize "$target"; done
else
  [ -f "fuzz/${which}_fuzzer.cc" ] || { echo "minimize: no target $which"; exit 2; }
  minimize "$which"
fi
