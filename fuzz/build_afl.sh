#!/usr/bin/env bash
# Builds every fuzz target for AFL++ from the same sources as libFuzzer:
# afl-clang-fast++ instruments the library and the targets, and each target is
# linked with AFL++'s libFuzzer-compatible driver (/usr/lib/afl/libAFLDriver.a,
# cache variable STGUARD_AFL_DRIVER), which supplies main() and calls
# LLVMFuzzerTestOneInput. ASan + UBSan are on by default, as in the libFuzzer
# preset; --no-sanitizers builds a faster, uninstrumented-by-sanitizers variant
# (AFL++ then still finds the property violations, which are aborts).
#
# Usage: fuzz/build_afl.sh [--no-sanitizers] [BUILD_DIR]   (default build/afl)
# Then:  fuzz/run_campaign.sh <target> afl <seconds>, or by hand:
#        afl-fuzz -i SEEDS -o OUT -x fuzz/safetensors.dict -- build/afl/bin/<target>_fuzzer
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize="address;undefined"
if [ "${1:-}" = "--no-sanitizers" ]; then
  sanitize=""
  shift
fi
build_dir=${1:-build/afl}

if ! command -v afl-clang-fast++ >/dev/null; then
  echo "build_afl: afl-clang-fast++ not found (Debian package afl++; scripts/install-deps.sh installs it)" >&2
  exit 1
fi

echo "build_afl: configuring $build_dir (afl-clang-fast++, engine afl, sanitizers: ${sanitize:-none})"
# AFL_QUIET: no banner per compiled file. The RapidJSON note of
# cmake/Sanitizers.cmake applies here too (it keys on STGUARD_SANITIZE).
export AFL_QUIET=1
cmake -S . -B "$build_dir" -G Ninja \
  -DCMAKE_CXX_COMPILER=afl-clang-fast++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DSTGUARD_SANITIZE="$sanitize" \
  -DSTGUARD_FUZZ_ENGINE=afl \
  -DSTGUARD_BUILD_TESTS=OFF \
  -DSTGUARD_BUILD_TOOLS=OFF >/dev/null
cmake --build "$build_dir" -j2 --target stguard_fuzzers
echo "build_afl: targets in $build_dir/bin:"
ls "$build_dir/bin" | grep '_fuzzer$' | sed 's/^/  /'
