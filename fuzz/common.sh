# Shared by the fuzz scripts (sourced, not run): where each target's inputs
# live and how it is run. Keep in step with fuzz/CMakeLists.txt.
#   fuzz_targets            every target with a source file (fuzz/<name>_fuzzer.cc)
#   fuzz_is_file_target T   true when T's input is a whole safetensors file
#   fuzz_input_dirs T       seeds, regressions, and corpus/ for file targets
#   fuzz_option T KEY       a value from fuzz/T_fuzzer.options ([libfuzzer] key = value)
#   fuzz_fill_corpus T DIR  copies every input of T into DIR (no dotfiles, no
#                           corpus/ extras such as MANIFEST.tsv)
#   fuzz_sanitizer_env      exports ASAN_OPTIONS / UBSAN_OPTIONS: abort on any report
# The caller must have done: cd "$(dirname "$0")/.." (the repository root).

FUZZ_FILE_TARGETS="validate_file prefix_vs_whole profile_relation audit_bytes capi"

fuzz_targets() {
  local source
  for source in fuzz/*_fuzzer.cc; do
    basename "$source" _fuzzer.cc
  done
}

fuzz_is_file_target() {
  case " $FUZZ_FILE_TARGETS " in *" $1 "*) return 0 ;; *) return 1 ;; esac
}

fuzz_input_dirs() {
  local dir
  for dir in "fuzz/corpus/$1" "tests/regressions/$1"; do
    [ -d "$dir" ] && echo "$dir"
  done
  if fuzz_is_file_target "$1" && [ -d corpus ]; then echo corpus; fi
}

fuzz_option() {
  local file="fuzz/$1_fuzzer.options"
  [ -f "$file" ] || return 0
  sed -n -E "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*([^[:space:]#]+).*/\1/p" "$file" | head -n 1
}

fuzz_fill_corpus() {
  local target=$1 out=$2 dir file
  mkdir -p "$out"
  for dir in $(fuzz_input_dirs "$target"); do
    for file in "$dir"/*; do
      [ -f "$file" ] || continue
      if [ "$dir" = corpus ]; then
        case "$file" in *.safetensors) ;; *) continue ;; esac
      fi
      cp "$file" "$out/$(basename "$dir")__$(basename "$file")"
    done
  done
}

fuzz_sanitizer_env() {
  export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:symbolize=1:${ASAN_OPTIONS:-}"
  export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"
}
