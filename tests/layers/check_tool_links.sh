#!/usr/bin/env bash
# Only st-audit links the audit library and with it OpenSSL (libcrypto),
# utf8proc and libyaml; st-validate, st-inspect, st-rewrite and st-shard
# neither link any of them directly (tools/CMakeLists.txt). (With
# STGUARD_BUILD_REMOTE they link libcurl for URL operands, and libcurl itself
# loads a TLS library: that is libcurl's dependency, not the audit's; build
# with -DSTGUARD_BUILD_REMOTE=OFF for tools without it.) Checked twice per
# tool, because the linker's --as-needed would hide a wrong link line from the
# binary: the link command the build system runs (Ninja's build.ninja, or a
# Makefile generator's link.txt) and the executable's NEEDED entries
# (readelf -d). All output is read into variables: no pipe into grep -q.
# Usage: check_tool_links.sh BUILD_DIR [--with-audit]
# --with-audit adds the control: st-audit itself must link and need all
# three, which proves both readings find what they look for.
set -euo pipefail
build_dir=$1
with_audit=${2:-}
audit_libraries='lib(crypto|ssl|utf8proc|yaml|stguard_audit)[.-]'

# The link command of executable $1: its build statement and the variables
# indented under it, or its link.txt.
link_command_of() {
  if [ -f "$build_dir/build.ninja" ]; then
    awk -v head="build bin/$1:" 'index($0, head) == 1 { on = 1; print; next }
                                 on && /^  / { print; next }
                                 { on = 0 }' "$build_dir/build.ninja"
  else
    find "$build_dir" -path "*/CMakeFiles/$1.dir/link.txt" -exec cat {} +
  fi
}
needed_of() {
  local dynamic
  dynamic=$(readelf -d "$build_dir/bin/$1")
  sed -nE 's/.*\(NEEDED\).*Shared library: \[([^]]+)\].*/\1/p' <<<"$dynamic"
}

status=0
for tool in st-validate st-inspect st-rewrite st-shard; do
  link=$(link_command_of "$tool")
  needed=$(needed_of "$tool")
  if [ -z "$link" ] || [ -z "$needed" ]; then
    echo "check_tool_links: $tool: no link command or no NEEDED entries found"
    status=1
    continue
  fi
  linked=$(grep -oE "$audit_libraries" <<<"$link" | sort -u || true)
  loaded=$(grep -E "^$audit_libraries" <<<"$needed" || true)
  if [ -n "$linked" ] || [ -n "$loaded" ]; then
    echo "check_tool_links: $tool links [$(echo $linked)] and loads [$(echo $loaded)]: the audit's dependencies"
    status=1
  fi
done
if [ "$with_audit" = "--with-audit" ]; then
  link=$(link_command_of st-audit)
  needed=$(needed_of st-audit)
  for library in libcrypto libutf8proc libyaml; do
    if ! grep -E "$library[.-]" <<<"$link" >/dev/null || ! grep -E "^$library[.-]" <<<"$needed" >/dev/null; then
      echo "check_tool_links: control failed: st-audit does not link or load $library"
      status=1
    fi
  done
fi
[ "$status" -eq 0 ] && echo "check_tool_links: only st-audit links and loads libcrypto, libutf8proc and libyaml"
exit "$status"
