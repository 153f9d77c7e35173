"""Throughput of stguard.scan on this machine (docs/scale.md):

  * header-only scans of many small files: files/s with 1 and 2 workers,
    on a dask LocalCluster (scheduler and client in this process) and on
    the in-process thread pool;
  * digest scans (SHA-256 of every file and tensor, as st-audit --manifest):
    GB/s with 1 and 2 workers, beside `st-audit --manifest` run on the same
    files one after another (its own thread pool: one thread per core).

    build/py-venv/bin/python bench/scan_throughput.py --st-audit build/release/bin/st-audit \\
        [--files 5000] [--big-files 4] [--big-mb 256] [--work DIR] [--json OUT]

Files are generated once in --work and read warm (page cache). A cluster
is started before its timed scans (start-up is reported apart). CPU time of
the driver (this process, with the LocalCluster's scheduler) and of the
workers is reported per file: on a shared machine it moves far less than
wall time.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

import numpy as np

import stguard.numpy
import stguard.scan


def make_small(folder: Path, count: int) -> None:
    if folder.exists() and len(list(folder.glob("*.safetensors"))) == count:
        return
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(5)
    for index in range(count):
        stguard.numpy.save_file({f"layer.{j}.weight": rng.standard_normal(64).astype(np.float32) for j in range(8)},
                                folder / f"m{index:06d}.safetensors", metadata={"format": "pt"})


def make_big(folder: Path, count: int, megabytes: int) -> List[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    rng = np.random.default_rng(6)
    for index in range(count):
        path = folder / f"big{index}.safetensors"
        paths.append(path)
        if path.exists():
            continue
        tensor_bytes = 8 << 20
        tensors = {f"block.{j:04d}": rng.standard_normal(tensor_bytes // 4).astype(np.float32)
                   for j in range(megabytes * (1 << 20) // tensor_bytes)}
        stguard.numpy.save_file(tensors, path)
    return paths


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def workers_cpu_seconds(client: Any) -> float:
    return sum(client.run(cpu_seconds).values())


def timed_scan(inputs: List[str], work: Path, name: str, client: Any = None, **options: Any) -> Dict[str, Any]:
    """One scan; with CPU time (this process: the driver, and for a
    LocalCluster its scheduler; the workers' processes), which a busy shared
    machine does not inflate the way it inflates wall time."""
    output = work / f"{name}.jsonl"
    for leftover in (output, Path(str(output) + ".summary.json")):
        if leftover.exists():
            leftover.unlink()
    driver_before = cpu_seconds()
    workers_before = workers_cpu_seconds(client) if client is not None else 0.0
    summary = stguard.scan.scan(inputs, output, progress=False, client=client, **options)
    driver = cpu_seconds() - driver_before
    workers = workers_cpu_seconds(client) - workers_before if client is not None else 0.0
    assert summary.errors == 0, summary
    return {"files": summary.recorded, "bytes": summary.data_bytes, "seconds": summary.seconds,
            "files_per_s": summary.files_per_second, "gb_per_s": summary.data_bytes / summary.seconds / 1e9,
            "driver_cpu_us_per_file": driver / summary.recorded * 1e6,
            "workers_cpu_us_per_file": workers / summary.recorded * 1e6}


def dask_scans(inputs: List[str], work: Path, label: str, workers: int, **options: Any) -> Dict[str, Any]:
    import dask
    from distributed import Client, LocalCluster

    started = time.perf_counter()
    with dask.config.set({"distributed.scheduler.allowed-failures": 0,
                          "distributed.scheduler.worker-saturation": 1.0}):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    startup = time.perf_counter() - started
    try:
        timed_scan(inputs, work, f"{label}-warm", client=client, **options)  # imports on the workers
        result = timed_scan(inputs, work, label, client=client, **options)
    finally:
        client.close()
        cluster.close()
    result["cluster_startup_s"] = startup
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--st-audit", required=True)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--big-files", type=int, default=4)
    parser.add_argument("--big-mb", type=int, default=256)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="stguard-scanbench-"))
    small = work / "small"
    make_small(small, args.files)
    big = make_big(work / "big", args.big_files, args.big_mb)
    results: Dict[str, Any] = {"load_average_before": os.getloadavg()}

    for workers in (1, 2):
        results[f"header_threads_{workers}"] = timed_scan([str(small)], work, f"ht{workers}", backend="threads",
                                                          workers=workers)
        results[f"header_dask_{workers}"] = dask_scans([str(small)], work, f"hd{workers}", workers)
    split = 64 << 20
    for workers in (1, 2):
        results[f"digests_threads_{workers}"] = timed_scan([str(path) for path in big], work, f"dt{workers}",
                                                           backend="threads", workers=workers, digests=True,
                                                           split_bytes=split)
        results[f"digests_dask_{workers}"] = dask_scans([str(path) for path in big], work, f"dd{workers}", workers,
                                                        digests=True, split_bytes=split)
    started = time.perf_counter()
    total = 0
    for path in big:
        subprocess.run([args.st_audit, "--no-progress", "--manifest", str(work / "manifest.json"), str(path)],
                       check=True, stdout=subprocess.DEVNULL)
        total += path.stat().st_size
    seconds = time.perf_counter() - started
    results["st_audit_manifest"] = {"bytes": total, "seconds": seconds, "gb_per_s": total / seconds / 1e9}
    results["load_average_after"] = os.getloadavg()

    for name, value in results.items():
        if isinstance(value, dict):
            shown = ", ".join(f"{key} {number:.3f}" if isinstance(number, float) else f"{key} {number}"
                              for key, number in value.items())
            print(f"{name:22s} {shown}")
        else:
            print(f"{name:22s} {value}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
