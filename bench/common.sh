# bench/common.sh: sourced by bench/run.sh and bench/profile_header.sh, so
# both find the corpus and the binaries in the same places and build them the
# same way. Sets ROOT (and cd's there), WORK and BIN.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WORK="${STGUARD_BENCH_DIR:-$ROOT/bench/work}"
BIN="$ROOT/build/release/bin"

# The release preset with the benchmarks: every target, or only those named.
build_release_bench() {
  cmake --preset release -DSTGUARD_BUILD_BENCH=ON >/dev/null
  if [ $# -eq 0 ]; then
    cmake --build --preset release -j2
  else
    cmake --build --preset release -j2 --target "$@"
  fi
}

# Exits with a hint when one of the named tools is not built in BIN.
require_built() {
  local tool
  for tool in "$@"; do
    [ -x "$BIN/$tool" ] || { echo "$(basename "$0"): missing $BIN/$tool (build with -DSTGUARD_BUILD_BENCH=ON)" >&2; exit 1; }
  done
}

# The commit measured, and whether the sources differed from it. The results
# folder is left out: a run rewrites it before it records the machine.
commit_label() {
  echo "$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet -- . ':(exclude)bench/results' 2>/dev/null ||
    echo ' + uncommitted changes')"
}
