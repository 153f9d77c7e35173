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
# for the targets that take whole files, inputs already in corpus/ (the shared
# conformance corpus, replayed directly) are not copied into the seeds.
# Seeds are renamed to their SHA-1 only when they are new: names given by
# fuzz/make_seeds.py are kept. Review with `git status fuzz/corpus` afterwards.
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

  mkdir -p "$tmp/out"
  if fuzz_is_file_target "$target"; then
    # Pre-load corpus/ so that only seeds adding coverage beyond it survive.
    for file in corpus/*.safetensors; do [ -f "$file" ] && cp "$file" "$tmp/out/corpus__$(basename "$file")"; done
  fi
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
    if fuzz_is_file_target "$target"; then  # afl-cmin cannot pre-load: drop copies of corpus/ files
      for file in corpus/*.safetensors; do
        [ -f "$file" ] || continue
        for kept in "$tmp/out"/*; do cmp -s "$file" "$kept" && rm -f "$kept"; done
      done
    fi
  fi
  rm -f "$tmp/out"/corpus__*

  # Keep the existing names of surviving seeds; new ones are named by content.
  local file sum name
  declare -A known=()
  for file in "$seeds"/*; do
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
