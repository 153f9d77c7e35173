#!/usr/bin/env bash
# Remote validation on loopback (docs/PERFORMANCE.md#8-remote-validation):
# builds bench_remote (in build/remote-bench: Release, benchmarks on, no
# tests, fuzzers or tools), then,
# inside tests/remote/with_servers.sh (nginx on 127.0.0.1), writes a sparse
# LLaMA-7B-layout file (32 layers, BF16: 13.5 GB of holes) and a 30-shard
# checkpoint of the same layout, and times them. Results: stdout and
# bench/results/remote.txt.
# Usage: bench/remote_bench.sh [RUNS]   (default 50)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-50}
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
  build/remote-bench/bin/bench_remote "$STGUARD_TEST_NGINX/llama-7b.safetensors" \
    "$STGUARD_TEST_NGINX/sharded/model.safetensors.index.json" '"$runs"'
' | tee bench/results/remote.txt
