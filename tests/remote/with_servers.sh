#!/usr/bin/env bash
# Runs a command with the remote-validation test servers up, all on
# 127.0.0.1 and on free ports, and stops them and removes every file they
# made when the command ends (or fails, or is interrupted):
#   - nginx (Debian's, unprivileged: master_process off, pid, logs and temp
#     paths in a temporary folder) serving corpus/ as /corpus/, an 8 GiB
#     sparse file with a 7B-class header as /big.safetensors, and redirect
#     chains /r/N/PATH (N redirects, nginx `return 302`, then PATH);
#   - two hostile servers (tests/remote/hostile_server.py), the second the
#     other origin a redirect leads to, and a third speaking HTTPS with a
#     self-signed certificate for 127.0.0.1 made here by `openssl req`.
# The command sees:
#   STGUARD_TEST_NGINX=http://127.0.0.1:PORT   STGUARD_TEST_NGINX_LOG=access log
#     (one line per request: URI, status, body bytes sent, Range header)
#   STGUARD_TEST_NGINX_ROOT: the folder nginx serves (tests may add files)
#   STGUARD_TEST_HOSTILE=http://127.0.0.1:PORT STGUARD_TEST_HOSTILE_OTHER=...
#   STGUARD_TEST_HOSTILE_AUTH_LOG, STGUARD_TEST_HOSTILE_OTHER_AUTH_LOG (one line
#     per request: path, then "credentials" or "none")
#   STGUARD_TEST_TLS=https://127.0.0.1:PORT (the hostile routes over TLS)
#   STGUARD_TEST_TLS_CA: the certificate it presents (PEM), to pass as --ca-file
# Proxies are switched off for the command (loopback must stay loopback).
# Usage: tests/remote/with_servers.sh COMMAND [ARG...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "with_servers.sh: nginx is not installed (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d "${TMPDIR:-/tmp}/stguard-remote.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost

mkdir -p "$work/www" "$work/tmp"
ln -s "$root/corpus" "$work/www/corpus"
python3 - "$work/www/big.safetensors" <<PY
import sys
sys.path.insert(0, "$here")
import sparse_model
# 20 LLaMA-7B layers in BF16: 8.03 GiB, the header of a 7B-class checkpoint.
size = sparse_model.write_sparse(sys.argv[1], sparse_model.llama_layout(layers=20))
assert size > 8 << 30, size
PY

# Waits until a TCP port on 127.0.0.1 accepts connections (20 s at most: the machine may be busy).
wait_for_port() {
  local port=$1 tries=0
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -gt 400 ]; then return 1; fi
    sleep 0.05
  done
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_nginx() {
  local port=$1 redirects="" n
  for n in 1 2 3 4 5 6 7 8 9; do
    if [ "$n" -eq 1 ]; then
      redirects+="    location ~ ^/r/1/(.*)\$ { return 302 /\$1; }"$'\n'
    else
      redirects+="    location ~ ^/r/$n/(.*)\$ { return 302 /r/$((n - 1))/\$1; }"$'\n'
    fi
  done
  cat >"$work/nginx.conf" <<CONF
master_process off;
daemon off;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 256; }
http {
  log_format stguard '\$request_uri \$status \$body_bytes_sent "\$http_range"';
  access_log $work/access.log stguard;
  client_body_temp_path $work/tmp/body;
  proxy_temp_path $work/tmp/proxy;
  fastcgi_temp_path $work/tmp/fastcgi;
  uwsgi_temp_path $work/tmp/uwsgi;
  scgi_temp_path $work/tmp/scgi;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$port;
    root $work/www;
$redirects  }
}
CONF
  "$nginx_bin" -p "$work" -c "$work/nginx.conf" -e "$work/error.log" &
  pids+=($!)
  wait_for_port "$port"
}

# A port picked by the kernel may be taken again before nginx binds it: retry.
nginx_port=""
for attempt in 1 2 3 4 5; do
  candidate=$(free_port)
  if start_nginx "$candidate"; then nginx_port=$candidate; break; fi
  echo "with_servers.sh: nginx did not start on port $candidate (attempt $attempt)" >&2
  cat "$work/error.log" >&2 || true
done
[ -n "$nginx_port" ] || { echo "with_servers.sh: nginx would not start" >&2; exit 1; }

start_hostile() {
  local port_file=$1 tries=0
  shift
  python3 "$here/hostile_server.py" "$port_file" "$@" &
  pids+=($!)
  until [ -s "$port_file" ]; do
    tries=$((tries + 1))
    if [ "$tries" -gt 600 ]; then echo "with_servers.sh: the hostile server did not start" >&2; exit 1; fi
    sleep 0.05
  done
  wait_for_port "$(cat "$port_file")"
}
start_hostile "$work/hostile.port"
start_hostile "$work/other.port"
# A certificate for IP 127.0.0.1 that no system store trusts.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$work/tls-key.pem" -out "$work/tls-cert.pem" 2>/dev/null
start_hostile "$work/tls.port" --tls "$work/tls-cert.pem" "$work/tls-key.pem"

export STGUARD_TEST_NGINX="http://127.0.0.1:$nginx_port"
export STGUARD_TEST_NGINX_LOG="$work/access.log"
export STGUARD_TEST_NGINX_ROOT="$work/www"
export STGUARD_TEST_HOSTILE="http://127.0.0.1:$(cat "$work/hostile.port")"
export STGUARD_TEST_HOSTILE_OTHER="http://127.0.0.1:$(cat "$work/other.port")"
export STGUARD_TEST_HOSTILE_AUTH_LOG="$work/hostile.port.auth"
export STGUARD_TEST_HOSTILE_OTHER_AUTH_LOG="$work/other.port.auth"
export STGUARD_TEST_TLS="https://127.0.0.1:$(cat "$work/tls.port")"
export STGUARD_TEST_TLS_CA="$work/tls-cert.pem"
"$@"
