"""stguard.scan: validate and audit many safetensors files - a folder, a
listing, a hub's worth - on a dask.distributed cluster, a LocalCluster, or
threads of this process, into a JSON Lines file with one record per file
(docs/scale.md). ``python -m stguard.scan --help`` is the command line.

    summary = stguard.scan.scan(["models/"], "results.jsonl", digests=True, workers=2)
"""
from __future__ import annotations

import json
import os
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Union

import stguard

from . import _backends
from ._driver import Driver
from ._inputs import ScanItem, expand_inputs
from ._journal import Journal, iter_records, latest_records, read_records, write_parquet
from ._progress import Progress
from ._tasks import ScanOptions

__all__ = ["ScanOptions", "ScanSummary", "expand_inputs", "read_records", "scan"]

# KilledWorker results of one file's task before it is recorded as WORKER_CRASHED.
DEFAULT_CRASH_ATTEMPTS = 3


@dataclass
class ScanSummary:
    output: str
    backend: str  # "dask" or "threads"
    workers: int
    inputs: int  # files and URLs named or found
    skipped: int  # already recorded in the output (same path, size and mtime)
    recorded: int  # records written by this run
    errors: int  # of those, files that could not be scanned (verdict "error")
    data_bytes: int  # bytes of the files recorded by this run
    seconds: float
    verdicts: Dict[str, int] = field(default_factory=dict)  # this run
    all_verdicts: Dict[str, int] = field(default_factory=dict)  # the whole output, latest record per path
    torn_bytes: int = 0  # a torn last line cut from the output on start

    @property
    def files_per_second(self) -> float:
        return self.recorded / self.seconds if self.seconds > 0 else 0.0

    @property
    def bytes_per_second(self) -> float:
        return self.data_bytes / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> Dict[str, Any]:
        fields = asdict(self)
        fields["files_per_second"] = round(self.files_per_second, 3)
        fields["bytes_per_second"] = round(self.bytes_per_second, 1)
        return fields


def _crash_counts(inflight_path: str) -> Counter:
    """How often each file was in flight when an in-process scan died."""
    counts: Counter = Counter()
    try:
        with open(inflight_path, encoding="utf-8") as inflight:
            for line in inflight:
                try:
                    counts[tuple(json.loads(line))] += 1
                except ValueError:
                    continue  # a torn line
    except FileNotFoundError:
        pass
    return counts


def scan(inputs: Iterable[Union[str, "os.PathLike[str]"]], output: Union[str, "os.PathLike[str]"], *,
         profile: str = "strict", values: bool = False, digests: bool = False, client: Any = None,
         scheduler: Optional[str] = None, workers: Optional[int] = None, backend: str = "auto",
         split_bytes: int = 256 << 20, batch_files: int = 4096, crash_attempts: int = DEFAULT_CRASH_ATTEMPTS,
         retry_errors: bool = False, parquet: Optional[Union[str, "os.PathLike[str]"]] = None,
         progress: Optional[bool] = None, limits: Optional[Dict[str, int]] = None) -> ScanSummary:
    """Scans ``inputs`` (paths, directories, http(s) URLs, list files) into
    the JSON Lines file ``output`` and returns the summary (also written
    to ``output + ".summary.json"``).

    Where: ``client`` (a dask.distributed Client), else ``scheduler`` (an
    address), else ``backend``: "dask" (a LocalCluster of ``workers``
    processes), "threads" (this process), or "auto" (dask when installed).
    A re-run with the same output skips every file recorded with the same
    size and modification time (``retry_errors``: except files recorded as
    errors). ``crash_attempts``: how often Dask may give up on a file's
    task (KilledWorker: its worker died while it ran; on the LocalCluster
    that is each death) before the file is recorded as WORKER_CRASHED. ``batch_files``: at most
    this many small files per Dask task (fewer when a worker would get
    less than 4 batches); a batch that crashes is cut down to its culprit.
    ``parquet``: also write the records (latest per path) as Parquet (needs
    pyarrow).
    """
    if backend not in ("auto", "dask", "threads"):
        raise ValueError('backend must be "auto", "dask" or "threads"')
    if crash_attempts < 1:
        raise ValueError("crash_attempts must be at least 1")
    if parquet is not None:
        import pyarrow  # noqa: F401  - fail before scanning, not after
    options = ScanOptions(profile=profile, values=bool(values), digests=bool(digests), limits=dict(limits or {}),
                          split_bytes=int(split_bytes))
    stguard.validate(b"", profile=profile, **options.limits)  # a bad profile or limit fails here, not per file
    output = os.fspath(output)
    started = time.perf_counter()
    if isinstance(inputs, (str, bytes, os.PathLike)):
        inputs = [inputs]  # one input, not its characters
    use_dask = client is not None or scheduler is not None or backend == "dask" or (
        backend == "auto" and _backends.dask_available())
    # A header-only scan on Dask leaves each file's stat (and the restart
    # check) to its worker: the driver lists names only and does next to
    # nothing per file, so that workers scale. Threads keep the stat here
    # (the in-flight log needs each file's identity), and so do data
    # scans (batches are cut by bytes, large files split by size).
    stat_in_driver = not use_dask or options.reads_data
    items = expand_inputs((os.fsdecode(entry) for entry in inputs), stat_files=stat_in_driver)
    journal = Journal(output)
    cluster = None
    own_client = None
    try:
        done = journal.done_keys(include_errors=not retry_errors)
        done_urls = {key[0] for key in done if len(key) == 2}
        recorded = {} if stat_in_driver else {key[0]: key[1:] for key in done if len(key) == 3}
        todo = [item for item in items
                if not (item.path in done_urls if item.is_url else item.key in done)] if done else items
        skipped = len(items) - len(todo)

        inflight_path = None
        if client is not None:
            runner = _backends.DaskBackend(client)
        elif scheduler is not None:
            own_client = _backends.connect(scheduler)
            runner = _backends.DaskBackend(own_client)
        elif use_dask:
            cluster, own_client = _backends.local_cluster_client(workers or os.cpu_count() or 1)
            runner = _backends.DaskBackend(own_client)
        else:
            runner = _backends.ThreadBackend(workers or os.cpu_count() or 1)
            # A file that crashes this process takes the scan down; the
            # in-flight log lets the next run count that and give up on it.
            inflight_path = output + ".inflight"
        meter = Progress(len(todo), enabled=progress)
        driver = Driver(runner, journal, options,
                        batch_files=batch_files if use_dask else 1,
                        batch_bytes=max(options.split_bytes, 1), window=runner.workers * (8 if use_dask else 2),
                        crash_attempts=crash_attempts, progress=meter, inflight_path=inflight_path,
                        recorded=recorded)
        scannable: List[ScanItem] = []
        crashes = _crash_counts(inflight_path) if inflight_path else Counter()
        for item in todo:
            if item.error is not None:
                driver.record_unscanned(item, "IO_ERROR", item.error)
            elif item.is_url and not hasattr(stguard, "validate_url"):
                driver.record_unscanned(item, "URL_UNSUPPORTED",
                                        "this stguard has no remote validation (stguard.validate_url); "
                                        "URLs cannot be scanned")
            elif crashes and not item.is_url and crashes[(item.path, item.size, item.mtime_ns)] >= crash_attempts:
                driver.record_unscanned(item, "WORKER_CRASHED",
                                        f"the scan died {crashes[(item.path, item.size, item.mtime_ns)]} times "
                                        "with this file in flight; not tried again")
            else:
                scannable.append(item)
        driver.flush_records()
        driver.enqueue(scannable)
        try:
            driver.run()
        finally:
            counts = driver.counts
            meter.update(counts.recorded + counts.skipped, counts.data_bytes, counts.errors, force=True)
            meter.close()
            runner.close()
        if inflight_path is not None and os.path.exists(inflight_path):
            os.remove(inflight_path)  # the run completed: nothing crashed it
        summary = ScanSummary(
            output=output, backend=runner.name, workers=runner.workers, inputs=len(items),
            skipped=skipped + driver.counts.skipped,
            recorded=driver.counts.recorded, errors=driver.counts.errors, data_bytes=driver.counts.data_bytes,
            seconds=time.perf_counter() - started, verdicts=dict(driver.counts.verdicts),
            all_verdicts=journal.verdicts(), torn_bytes=journal.torn_bytes)
    finally:
        journal.close()
        if own_client is not None:
            own_client.close()
        if cluster is not None:
            cluster.close()
    if parquet is not None:
        write_parquet(latest_records(record for record, _ in iter_records(output)), os.fspath(parquet))
    summary_path = output + ".summary.json"
    with open(summary_path + ".tmp", "w", encoding="utf-8") as out:
        json.dump(summary.to_dict(), out, indent=2)
        out.write("\n")
    os.replace(summary_path + ".tmp", summary_path)
    return summary
