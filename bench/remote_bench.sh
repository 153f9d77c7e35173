#!/usr/bin/env bash
# Remote validation on loopback (docs/PERFORMANCE.md#8-remote-validation):
# builds bench_remote (in build/remote-bench: Release, benchmarks on, no
# tests, fuzzers or tools), then,
# inside tests/remote/with_servers.sh (nginx on 127.0.0.1), writes a sparse
# LLaMA-7B-layout file (32 layers, BF16: 13.5 GB of holes) and a 30-shard
# checkpoint of the same layout, and times them: once through nginx, then
# once more through tests/remote/hostile_server.py --slow-root, which serves
# the same files after a fixed delay per request (DELAY_MS, default 20 ms:
# a network round trip, on loopback), where checking the 30 shards with 8
# connections overlaps the waits that 1 connection pays one after another.
# Results: stdout and bench/results/remote.txt.
# Usage: bench/remote_bench.sh [RUNS [DELAY_MS]]   (defaults 50, 20)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-50}
delay_ms=${2:-20}
cmake -S . -B build/remote-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTGUARD_BUILD_BENCH=ON \
  -DSTGUARD_BUILD_TESTS=OFF -DSTGUARD_BUILD_FUZZERS=OFF -DSTGUARD_BUILD_TOOLS=OFF >/dev/null
cmake --build build/remote-bench -j2 --target bench_remote >/dev/null
tests/remote/with_servers.sh bash -c '
  set -euo pipefail
  python3 - "$STGUARD_TEST_NGINX_ROOT" <<PY
import json, os, sys
sys.path.insert(0, "tests/remote")
import sparse_model
root = sys.argv[1]
layout = sparse_model.llama_layout(layers=32)
sparse_model.write_sparse(os.path.join(root, "llama-7b.safetensors"), layout)
os.makedirs(os.path.join(root, "sharded"))
shards = [layout[i::30] for i in range(30)]
weight_map, total = {}, 0
for number, tensors in enumerate(shards, 1):
    name = f"model-{number:05d}-of-00030.safetensors"
    sparse_model.write_sparse(os.path.join(root, "sharded", name), tensors)
    for tensor, shape in tensors:
        count = 1
        for dim in shape:
            count *= dim
        weight_map[tensor] = name
        total += 2 * count
with open(os.path.join(root, "sharded", "model.safetensors.index.json"), "w") as out:
    json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, out)
PY
  echo "== nginx on 127.0.0.1 (no added latency)"
  build/remote-bench/bin/bench_remote "$STGUARD_TEST_NGINX/llama-7b.safetensors" \
    "$STGUARD_TEST_NGINX/sharded/model.safetensors.index.json" '"$runs"'

  # The same files behind a server that waits before every answer.
  slow_port_file=$(mktemp -u "${TMPDIR:-/tmp}/stguard-slow.XXXXXX")
  python3 tests/remote/hostile_server.py "$slow_port_file" --slow-root "$STGUARD_TEST_NGINX_ROOT" \
    --delay-ms '"$delay_ms"' &
  slow_pid=$!
  trap "kill $slow_pid 2>/dev/null || true; rm -f \"$slow_port_file\" \"$slow_port_file.auth\"" EXIT
  for _ in $(seq 400); do [ -s "$slow_port_file" ] && break; sleep 0.05; done
  slow="http://127.0.0.1:$(cat "$slow_port_file")/slow"
  echo "== the same files with '"$delay_ms"' ms per request (hostile_server.py --slow-root)"
  build/remote-bench/bin/bench_remote "$slow/llama-7b.safetensors" \
    "$slow/sharded/model.safetensors.index.json" '"$runs"'
' | tee bench/results/remote.txt
