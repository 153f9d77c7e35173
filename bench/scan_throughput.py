"""Throughput of stguard.scan on this machine (docs/scale.md):

  * header-only scans of many small files: files/s with 1 and 2 workers,
    on a dask LocalCluster (scheduler and client in this process) and on
    the in-process thread pool;
  * digest scans (SHA-256 of every file and tensor, as st-audit --manifest):
    GB/s with 1 and 2 workers, beside `st-audit --manifest` run on the same
    files one after another (its own thread pool: one thread per core).

    build/py-venv/bin/python bench/scan_throughput.py --st-audit build/release/bin/st-audit \\
        [--files 20000] [--big-files 4] [--big-mb 256] [--repeat 3] [--work DIR] [--json OUT] [--header-only]

(--header-only: the header-only scans alone, no digest scans nor st-audit.)

Files are generated once in --work and read warm (page cache). A cluster
is started before its timed scans (start-up is reported apart). Each scan
runs --repeat times: the fastest wall time is reported, with the load
average when it ran. CPU time per file is reported too (the median of the
runs): of the driver (this process, all threads: with a LocalCluster also
its scheduler), of the driver's main thread alone (listing, planning,
writing records) and of the workers' processes; on a shared machine it
moves far less than wall time. From those, "quiet_2core_ratio" is what 2
workers can gain over 1 on a machine with 2 idle cores: every file costs W
of worker CPU and D of driver CPU, so 1 worker runs at 1/W files/s (the
driver has the other core) and 2 workers share the 2 cores with the
driver: 2/(W + D). The ratio is 2W / (W + D) (quiet_rate: the general bound).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
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


def one_scan(inputs: List[str], output: Path, client: Any, options: Dict[str, Any]) -> Dict[str, Any]:
    for leftover in (output, Path(str(output) + ".summary.json")):
        if leftover.exists():
            leftover.unlink()
    load = os.getloadavg()[0]
    driver_before = cpu_seconds()
    main_before = time.thread_time()
    workers_before = workers_cpu_seconds(client) if client is not None else 0.0
    summary = stguard.scan.scan(inputs, output, progress=False, client=client, **options)
    main_thread = time.thread_time() - main_before
    driver = cpu_seconds() - driver_before
    workers = workers_cpu_seconds(client) - workers_before if client is not None else 0.0
    assert summary.errors == 0, summary
    return {"files": summary.recorded, "bytes": summary.data_bytes, "seconds": summary.seconds,
            "files_per_s": summary.files_per_second, "gb_per_s": summary.data_bytes / summary.seconds / 1e9,
            "load_1min": load, "driver_cpu_us_per_file": driver / summary.recorded * 1e6,
            "driver_main_thread_cpu_us_per_file": main_thread / summary.recorded * 1e6,
            "workers_cpu_us_per_file": workers / summary.recorded * 1e6}


def timed_scan(inputs: List[str], work: Path, name: str, client: Any = None, repeat: int = 1,
               **options: Any) -> Dict[str, Any]:
    """The fastest of `repeat` scans, with the median CPU times per file
    (this process: the driver, and for a LocalCluster its scheduler; the
    workers' processes), which a busy shared machine does not inflate the
    way it inflates wall time."""
    runs = [one_scan(inputs, work / f"{name}.jsonl", client, options) for _ in range(max(1, repeat))]
    best = dict(min(runs, key=lambda run: run["seconds"]))
    for key in ("driver_cpu_us_per_file", "driver_main_thread_cpu_us_per_file", "workers_cpu_us_per_file"):
        best[key] = statistics.median(run[key] for run in runs)
    best["runs"] = len(runs)
    return best


def quiet_rate(workers: int, result: Dict[str, Any], cores: int = 2) -> float:
    """Files/s on `cores` idle cores from the CPU per file: each worker is
    one process on at most one core, the driver one more; all share the cores."""
    worker = result["workers_cpu_us_per_file"] / 1e6
    driver = result["driver_cpu_us_per_file"] / 1e6
    return min(workers / worker, 1 / driver, cores / (worker + driver))


def quiet_ratio(one: Dict[str, Any], two: Dict[str, Any]) -> float:
    return quiet_rate(2, two) / quiet_rate(1, one)


def dask_scans(inputs: List[str], work: Path, label: str, workers: int, repeat: int, **options: Any) -> Dict[str, Any]:
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
        result = timed_scan(inputs, work, label, client=client, repeat=repeat, **options)
    finally:
        client.close()
        cluster.close()
    result["cluster_startup_s"] = startup
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--st-audit", required=True)
    parser.add_argument("--files", type=int, default=20000)
    parser.add_argument("--big-files", type=int, default=4)
    parser.add_argument("--big-mb", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--header-only", action="store_true", help="skip the digest scans and st-audit")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="stguard-scanbench-"))
    small = work / "small"
    make_small(small, args.files)
    big = [] if args.header_only else make_big(work / "big", args.big_files, args.big_mb)
    results: Dict[str, Any] = {"load_average_before": os.getloadavg()}

    repeat = args.repeat
    for workers in (1, 2):
        results[f"header_threads_{workers}"] = timed_scan([str(small)], work, f"ht{workers}", backend="threads",
                                                          workers=workers, repeat=repeat)
        results[f"header_dask_{workers}"] = dask_scans([str(small)], work, f"hd{workers}", workers, repeat)
    one, two = results["header_dask_1"], results["header_dask_2"]
    results["header_dask_scaling"] = {"wall_ratio_2_over_1": two["files_per_s"] / one["files_per_s"],
                                      "quiet_2core_ratio": quiet_ratio(one, two)}
    split = 64 << 20
    for workers in (1, 2) if big else ():
        results[f"digests_threads_{workers}"] = timed_scan([str(path) for path in big], work, f"dt{workers}",
                                                           backend="threads", workers=workers, digests=True,
                                                           split_bytes=split, repeat=repeat)
        results[f"digests_dask_{workers}"] = dask_scans([str(path) for path in big], work, f"dd{workers}", workers,
                                                        repeat, digests=True, split_bytes=split)
    best = None
    for _ in range(max(1, repeat)) if big else ():
        load = os.getloadavg()[0]
        started = time.perf_counter()
        total = 0
        for path in big:
            subprocess.run([args.st_audit, "--no-progress", "--manifest", str(work / "manifest.json"), str(path)],
                           check=True, stdout=subprocess.DEVNULL)
            total += path.stat().st_size
        seconds = time.perf_counter() - started
        if best is None or seconds < best["seconds"]:
            best = {"bytes": total, "seconds": seconds, "gb_per_s": total / seconds / 1e9, "load_1min": load}
    if best is not None:
        results["st_audit_manifest"] = best
        results["digests_dask_2_over_st_audit"] = results["digests_dask_2"]["gb_per_s"] / best["gb_per_s"]
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
