#!/usr/bin/env python3
"""bench/reference-py/time_safe_open.py: times the Python safetensors package.

One call is what a Python user does to list a file's tensors:
`safe_open(path, framework="numpy")` as a context manager, then `keys()`.
That opens and maps the file and parses its header in the package's Rust
core, so it includes an open/mmap/close the in-memory readers do not pay
(a few microseconds, against 0.5 ms and more for the smallest header here).

Same method and JSON shape as bench/reference-rs (read by bench/summarize.py):
a warm-up picks how many calls make one repetition of at least --rep-ms, then
--reps repetitions are timed, wall clock and thread CPU time, per call.

  time_safe_open.py [--reps N] [--warmup-ms MS] [--rep-ms MS] FILE...

Runs in the venv bench/run.sh creates (bench/reference-py/requirements.txt).
"""

import argparse
import json
import os
import statistics
import time
from importlib import metadata

from safetensors import safe_open


def list_tensors(path):
    with safe_open(path, framework="numpy") as handle:
        return handle.keys()


def measure(path, reps, warmup_s, rep_s):
    tensors = len(list_tensors(path))
    with open(path, "rb") as handle:
        header_bytes = int.from_bytes(handle.read(8), "little")
    started = time.perf_counter()
    warmup_calls = 0
    while warmup_calls == 0 or time.perf_counter() - started < warmup_s:
        list_tensors(path)
        warmup_calls += 1
    per_call = (time.perf_counter() - started) / warmup_calls
    calls = max(1, int(-(-rep_s // per_call)))
    wall, cpu = [], []
    for _ in range(reps):
        cpu_start = time.thread_time_ns()
        wall_start = time.perf_counter_ns()
        for _ in range(calls):
            list_tensors(path)
        wall.append((time.perf_counter_ns() - wall_start) / calls)
        cpu.append((time.thread_time_ns() - cpu_start) / calls)
    median_wall = statistics.median(wall)
    return {
        "file": os.path.basename(path),
        "file_bytes": os.path.getsize(path),
        "header_bytes": header_bytes,
        "tensors": tensors,
        "reps": reps,
        "calls_per_rep": calls,
        "median_ns": median_wall,
        "min_ns": min(wall),
        "cpu_median_ns": statistics.median(cpu),
        "cpu_min_ns": min(cpu),
        "median_ns_per_tensor": median_wall / max(1, tensors),
        "min_ns_per_tensor": min(wall) / max(1, tensors),
        "wall_ns": wall,
        "cpu_ns": cpu,
    }


def main():
    parser = argparse.ArgumentParser(description="Times safe_open(path, framework='numpy') + keys().")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--warmup-ms", type=float, default=200)
    parser.add_argument("--rep-ms", type=float, default=200)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    results = [measure(path, max(1, args.reps), args.warmup_ms / 1e3, args.rep_ms / 1e3) for path in args.files]
    print(json.dumps({
        "reader": "safetensors package (Python)",
        "call": 'safe_open(path, framework="numpy") + keys()',
        "version": metadata.version("safetensors"),
        "results": results,
    }, indent=2))


if __name__ == "__main__":
    main()
