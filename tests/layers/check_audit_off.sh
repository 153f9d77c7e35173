#!/usr/bin/env bash
# STGUARD_BUILD_AUDIT=OFF: the project configures with OpenSSL, utf8proc and
# libyaml hidden (find_package disabled, pkg-config searching nowhere), and
# the build it generates has the core library and st-validate, st-inspect,
# st-rewrite, st-shard, but neither st-audit nor the audit library, and names
# none of those dependencies. Configure only, to stay quick (building the
# same sources is what the rest of the suite does).
# Usage: check_audit_off.sh SOURCE_DIR
set -euo pipefail
source_dir=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! env PKG_CONFIG_LIBDIR= PKG_CONFIG_PATH= cmake -S "$source_dir" -B "$work/build" -G Ninja \
  -DSTGUARD_BUILD_AUDIT=OFF -DSTGUARD_BUILD_TESTS=OFF -DSTGUARD_BUILD_FUZZERS=OFF -DSTGUARD_BUILD_BENCH=OFF \
  -DCMAKE_DISABLE_FIND_PACKAGE_OpenSSL=TRUE -DCMAKE_DISABLE_FIND_PACKAGE_utf8proc=TRUE \
  -DCMAKE_DISABLE_FIND_PACKAGE_yaml=TRUE -DCMAKE_DISABLE_FIND_PACKAGE_LibYAML=TRUE >"$work/configure.log" 2>&1; then
  echo "check_audit_off: configuring with STGUARD_BUILD_AUDIT=OFF failed:"
  cat "$work/configure.log"
  exit 1
fi
ninja_file=$(cat "$work/build/build.ninja")
status=0
for target in lib/libstguard_core.a lib/libstguard.a bin/st-validate bin/st-inspect bin/st-rewrite bin/st-shard; do
  if ! grep -F "build $target:" <<<"$ninja_file" >/dev/null; then
    echo "check_audit_off: $target is not built"
    status=1
  fi
done
unexpected=$(grep -oE 'bin/st-audit|libstguard_audit|lib(crypto|ssl|utf8proc|yaml)[.-]' <<<"$ninja_file" | sort -u || true)
if [ -n "$unexpected" ]; then
  echo "check_audit_off: the build names" $unexpected
  status=1
fi
[ "$status" -eq 0 ] && echo "check_audit_off: core library and four tools, no audit and none of its dependencies"
exit "$status"
