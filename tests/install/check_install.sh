#!/usr/bin/env bash
# Installs the build at $1 into a temporary prefix, then builds the consumer
# project against it twice: with find_package(stguard CONFIG) (C++, and C
# shared and static) and with pkg-config (stguard.pc and stguard-c.pc).
set -euo pipefail
build_dir=$1
source_dir=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/consumer" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/consumer"
"$work/build/consumer_c"
# awk reads all of ldd's output: `ldd | grep -q` under pipefail fails at random
# when grep exits first and ldd dies of SIGPIPE. Paths are compared canonically
# because the temporary folder may be reached through a symlink.
loaded=$(ldd "$work/build/consumer_c" | awk '$1 == "libstguard.so.0" { print $3 }')
if [[ -z "$loaded" || "$(realpath "$loaded")" != "$(realpath "$work/prefix")"/* ]]; then
  echo "consumer_c does not load the installed libstguard.so.0 (loads '${loaded:-nothing}')"
  ldd "$work/build/consumer_c"
  readelf -d "$work/build/consumer_c" | grep -E 'RPATH|RUNPATH' || true
  echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
  exit 1
fi
"$work/build/consumer_c_static"
PKG_CONFIG_PATH=$(dirname "$(find "$work/prefix" -name stguard.pc)")
export PKG_CONFIG_PATH
# The .pc file covers the core library (the audit library has its own deps).
cat >"$work/core_only.cpp" <<'CPP'
#include <stguard/stguard.hpp>
int main() { return stguard::validate_file({}).ok() ? 1 : 0; }
CPP
# shellcheck disable=SC2046
c++ -o "$work/consumer-pc" "$work/core_only.cpp" $(pkg-config --cflags --libs stguard)
"$work/consumer-pc"
echo "pkg-config consumer: OK"
# The C API's .pc file: a strict C99 program against libstguard.so.
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -pedantic -Werror -o "$work/consumer-c-pc" "$source_dir/consumer/main.c" \
  $(pkg-config --cflags --libs stguard-c) -Wl,-rpath,"$(pkg-config --variable=libdir stguard-c)"
"$work/consumer-c-pc"
echo "pkg-config C consumer: OK"
