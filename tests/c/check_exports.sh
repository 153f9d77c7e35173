#!/usr/bin/env bash
# The shared C library's ABI surface: its SONAME is libstguard.so.0 and every
# dynamic symbol it defines is stg_-prefixed (the C++ core, the C++ standard
# library and RapidJSON stay internal). Usage: check_exports.sh LIBRARY
set -euo pipefail
library=$1
soname=$(objdump -p "$library" | awk '$1 == "SONAME" { print $2 }')
if [ "$soname" != "libstguard.so.0" ]; then
  echo "check_exports: SONAME is '$soname', expected libstguard.so.0"
  exit 1
fi
defined=$(nm -D --defined-only "$library" | awk '{ print $NF }')
count=$(echo "$defined" | grep -c '^stg_' || true)
others=$(echo "$defined" | grep -v '^stg_' || true)
if [ -n "$others" ]; then
  echo "check_exports: symbols outside stg_*:"
  echo "$others"
  exit 1
fi
# Every function stguard.h declares is exported (and nothing it does not declare).
header=$(dirname "$0")/../../lib/include/stguard/stguard.h
declared=$(grep -oE 'STG_API stg_status (stg_[a-z0-9_]+)' "$header" | awk '{ print $3 }' | sort)
if [ "$declared" != "$(echo "$defined" | sort)" ]; then
  echo "check_exports: exported and declared functions differ:"
  diff <(echo "$declared") <(echo "$defined" | sort) || true
  exit 1
fi
echo "check_exports: SONAME $soname, $count symbols, all stg_*, all declared in stguard.h"
