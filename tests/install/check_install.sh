#!/usr/bin/env bash
# Installs the build at $1 into a temporary prefix, then builds consumers
# against it: with find_package(stguard CONFIG) (C++ with the audit component,
# and C shared and static), the C++ library alone with the audit's
# dependencies hidden (core_consumer), and with pkg-config (stguard.pc and
# stguard-c.pc).
set -euo pipefail
build_dir=$1
source_dir=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/consumer" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
# The consumer's round trip leaves input.safetensors and edited.safetensors in
# STGUARD_ROUND_TRIP_DIR when it is set (scripts/check-round-trip.py reads them).
"$work/build/consumer" "${STGUARD_ROUND_TRIP_DIR:-$work}"
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

# A consumer of the C++ library alone, on a machine without the audit's
# dependencies: OpenSSL, utf8proc and libyaml are hidden from find_package and
# pkg-config searches nowhere. It must configure, build, and name none of
# them on its link line.
hidden=(-DCMAKE_DISABLE_FIND_PACKAGE_OpenSSL=TRUE -DCMAKE_DISABLE_FIND_PACKAGE_utf8proc=TRUE
  -DCMAKE_DISABLE_FIND_PACKAGE_yaml=TRUE -DCMAKE_DISABLE_FIND_PACKAGE_LibYAML=TRUE)
no_pkg_config=(env PKG_CONFIG_LIBDIR= PKG_CONFIG_PATH=)
if ! "${no_pkg_config[@]}" cmake -S "$source_dir/core_consumer" -B "$work/core-build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" "${hidden[@]}" >"$work/core.log" 2>&1; then
  echo "core consumer: configuring with the audit's dependencies hidden failed:"
  cat "$work/core.log"
  exit 1
fi
core_build_log=$("${no_pkg_config[@]}" cmake --build "$work/core-build" --verbose)
if ! grep -E -- '-o core_consumer( |$)' <<<"$core_build_log" >/dev/null; then
  echo "core consumer: no link line in the build log"
  echo "$core_build_log"
  exit 1
fi
if grep -E -- '-l(crypto|ssl|utf8proc|yaml)\b|lib(crypto|ssl|utf8proc|yaml)[.-]' <<<"$core_build_log"; then
  echo "core consumer: the link line above names a dependency of the audit library"
  exit 1
fi
"$work/core-build/core_consumer" "$work"
# The control: in the same setting, asking for the audit component fails, and
# the message says what is missing.
if "${no_pkg_config[@]}" cmake -S "$source_dir/core_consumer" -B "$work/core-audit-build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DSTGUARD_CONSUMER_WANTS_AUDIT=ON "${hidden[@]}" >"$work/audit.log" 2>&1; then
  echo "core consumer: COMPONENTS audit configured although its dependencies are hidden"
  exit 1
fi
if ! grep -F 'stguard::audit needs OpenSSL' "$work/audit.log" >/dev/null; then
  echo "core consumer: COMPONENTS audit failed without naming its dependencies:"
  cat "$work/audit.log"
  exit 1
fi
echo "core consumer without OpenSSL, utf8proc, libyaml: OK"
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
