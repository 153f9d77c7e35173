"""The scan's driver: plans the tasks, keeps a bounded number in flight,
assembles each file's record from its tasks, and writes it once, when the
file is complete. Workers never write: a task that ran twice (its worker
died and Dask ran it again) still gives one record."""
from __future__ import annotations

import json
import os
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Deque, Dict, List, Optional, Tuple

import stguard

from . import _tasks
from ._inputs import ScanItem
from ._journal import Journal
from ._progress import Progress

_SEVERITIES = ("info", "low", "medium", "high")


@dataclass
class _SplitFile:
    """A large file in flight as several tasks."""

    item: ScanItem
    report: Dict[str, Any]
    tensors: List[Tuple[Any, ...]]
    ranges: List[Tuple[int, int]]
    outcomes: Dict[int, List[Any]] = field(default_factory=dict)
    file_sha256: Optional[str] = None
    waiting: int = 0
    seconds: float = 0.0
    failed: bool = False


class _Task:
    """A submitted call and what it is for; resubmitted as it is after a crash."""

    __slots__ = ("tag", "function", "args", "crashes")

    def __init__(self, tag: Tuple[Any, ...], function: Any, args: Tuple[Any, ...]):
        self.tag = tag
        self.function = function
        self.args = args
        self.crashes = 0

    @property
    def is_batch(self) -> bool:
        return self.tag[0] == "files" and len(self.tag[1]) > 1


@dataclass
class RunCounts:
    recorded: int = 0
    errors: int = 0
    data_bytes: int = 0
    verdicts: Dict[str, int] = field(default_factory=dict)


class Driver:
    def __init__(self, backend: Any, journal: Journal, options: "_tasks.ScanOptions", *, batch_files: int,
                 batch_bytes: int, window: int, crash_attempts: int, progress: Progress,
                 inflight_path: Optional[str]):
        self.backend = backend
        self.journal = journal
        self.options = options
        self.batch_files = max(1, batch_files)
        self.batch_bytes = batch_bytes
        self.window = max(1, window)
        self.crash_attempts = crash_attempts
        self.progress = progress
        self.counts = RunCounts()
        self._queue: Deque[Tuple[str, List[ScanItem]]] = deque()
        self._in_flight = 0
        self._started: Dict[str, float] = {}
        self._pending_records: List[Dict[str, Any]] = []
        # Kept open: one line per file started, flushed before its task is submitted.
        self._inflight = open(inflight_path, "a", encoding="utf-8") if inflight_path is not None else None

    # -- planning ------------------------------------------------------------
    def enqueue(self, items: List[ScanItem]) -> None:
        batch: List[ScanItem] = []
        batch_size = 0
        for item in items:
            if item.is_url:
                self._queue.append(("url", [item]))
                continue
            alone = self.options.reads_data and (item.size or 0) > self.options.split_bytes
            if alone:
                self._queue.append(("files", [item]))
                continue
            cost = item.size if self.options.reads_data else 0
            if batch and (len(batch) >= self.batch_files or batch_size + (cost or 0) > self.batch_bytes):
                self._queue.append(("files", batch))
                batch, batch_size = [], 0
            batch.append(item)
            batch_size += cost or 0
        if batch:
            self._queue.append(("files", batch))

    def _submit(self, tag: Tuple[Any, ...], function: Any, *args: Any) -> None:
        self._send(_Task(tag, function, args))

    def _send(self, task: "_Task") -> None:
        self.backend.submit(task, task.function, *task.args)
        self._in_flight += 1

    def _submit_next(self) -> None:
        kind, items = self._queue.popleft()
        now = time.perf_counter()
        for item in items:
            self._started.setdefault(item.path, now)
        if self._inflight is not None:
            self._inflight.write("".join(json.dumps([item.path, item.size, item.mtime_ns]) + "\n" for item in items))
            self._inflight.flush()
        if kind == "url":
            self._submit(("url", items[0]), _tasks.validate_url, items[0].path, self.options)
        else:
            self._submit(("files", items), _tasks.audit_files,
                         [(item.path, item.size, item.mtime_ns) for item in items], self.options)

    # -- the loop ------------------------------------------------------------
    def run(self) -> None:
        try:
            while self._queue or self._in_flight:
                while self._queue and self._in_flight < self.window:
                    self._submit_next()
                task, status, value = self.backend.next_done()
                self._in_flight -= 1
                if status == "crashed" and not task.is_batch:
                    # Dask gave up on it (KilledWorker). Its worker may have
                    # died of another task while this one only waited there,
                    # so it is tried again, up to crash_attempts times.
                    task.crashes += 1
                    if task.crashes < self.crash_attempts:
                        self._send(task)
                        continue
                self._handle(task.tag, status, value, task.crashes)
                self.flush_records()
        finally:
            if self._inflight is not None:
                self._inflight.close()

    def flush_records(self) -> None:
        """Writes the records completed by the last task (one write and flush)."""
        if self._pending_records:
            self.journal.append(self._pending_records, time.monotonic())
            self._pending_records = []
            counts = self.counts
            self.progress.update(counts.recorded, counts.data_bytes, counts.errors)

    def _handle(self, tag: Tuple[Any, ...], status: str, value: Any, crashes: int) -> None:
        kind = tag[0]
        if kind == "files":
            self._files_done(tag[1], status, value, crashes)
        elif kind == "url":
            self._url_done(tag[1], status, value, crashes)
        else:
            split: _SplitFile = tag[1]
            if split.failed:
                return
            if status != "ok":
                split.failed = True
                self._record_failure(split.item, status, value, tasks=len(split.ranges) + 2, crashes=crashes)
                return
            split.seconds += value["seconds"]
            split.waiting -= 1
            if kind == "range":
                split.outcomes[tag[2]] = value["outcomes"]
            elif kind == "hash":
                split.file_sha256 = value["sha256"]
            elif kind == "values":
                split.report["findings"].extend(value["findings"])
                split.report["suppressed_findings"] += value["suppressed"]
                split.report["values_scanned"] = True
                self._finish_split(split)
                return
            if split.waiting == 0:
                if self.options.values:
                    outcomes = [outcome for index in range(len(split.ranges)) for outcome in split.outcomes[index]]
                    split.waiting = 1
                    self._submit(("values", split), _tasks.value_findings, split.item.path, split.item.size,
                                 split.item.mtime_ns, self.options, outcomes)
                else:
                    self._finish_split(split)

    def _files_done(self, items: List[ScanItem], status: str, value: Any, crashes: int) -> None:
        if status != "ok":
            if len(items) > 1:
                # One file of the batch may be the cause: try each alone, so
                # that only that one is recorded as crashing.
                for item in items:
                    self._queue.appendleft(("files", [item]))
                return
            self._record_failure(items[0], status, value, tasks=1, crashes=crashes)
            return
        for item, result in zip(items, value):
            if result["kind"] == "done":
                self._record(item, result["report"], tasks=1, seconds=result["seconds"])
            elif result["kind"] == "failed":
                self._record_error(item, result["failure"], tasks=1)
            else:
                self._start_split(item, result)

    def _start_split(self, item: ScanItem, plan: Dict[str, Any]) -> None:
        split = _SplitFile(item, plan["report"], plan["tensors"], [tuple(r) for r in plan["ranges"]],
                           seconds=plan["seconds"])
        tensor_count = len(split.tensors)
        for index, (first, count) in enumerate(split.ranges):
            split.waiting += 1
            self._submit(("range", split, index), _tasks.audit_range, item.path, item.size, item.mtime_ns,
                         self.options, tensor_count, first, count)
        if self.options.digests:
            split.waiting += 1
            self._submit(("hash", split), _tasks.hash_file, item.path, item.size, item.mtime_ns)

    def _finish_split(self, split: _SplitFile) -> None:
        report = split.report
        if self.options.digests:
            outcomes = [outcome for index in range(len(split.ranges)) for outcome in split.outcomes[index]]
            # The digests audit() gives: the file's chain and each tensor's, by name.
            report["digests"] = {"file": split.file_sha256,
                                 "tensors": {tensor[0]: outcome[0] for tensor, outcome in zip(split.tensors, outcomes)}}
        tasks = 1 + len(split.ranges) + (1 if self.options.digests else 0) + (1 if self.options.values else 0)
        self._record(split.item, report, tasks=tasks, seconds=split.seconds)

    def _url_done(self, item: ScanItem, status: str, value: Any, crashes: int) -> None:
        if status != "ok":
            self._record_failure(item, status, value, tasks=1, crashes=crashes)
        elif value["kind"] == "failed":
            self._record_error(item, value["failure"], tasks=1)
        else:
            self._record(item, value["report"], tasks=1, seconds=value["seconds"], size=value["size"],
                         etag=value["etag"])

    # -- records -------------------------------------------------------------
    def _record_failure(self, item: ScanItem, status: str, failure: Any, tasks: int, crashes: int) -> None:
        if status == "crashed":
            fields = {"code": "WORKER_CRASHED",
                      "message": f"Dask gave up on this file {crashes} times: its worker died while it ran "
                                 f"({type(failure).__name__}); not tried again"}
        else:
            fields = _tasks.failure_fields(failure)
        self._record_error(item, fields, tasks=tasks, attempts=crashes if status == "crashed" else None)

    def _record_error(self, item: ScanItem, failure: Dict[str, Any], tasks: int,
                      attempts: Optional[int] = None) -> None:
        report = {"verdict": "error", "error_code": failure["code"], "error": {"message": failure["message"]},
                  "tensor_count": None, "findings": [], "suppressed_findings": 0, "values_scanned": False,
                  "digests": None}
        if attempts is not None:
            report["attempts"] = attempts
        self._record(item, report, tasks=tasks, seconds=0.0)

    def record_unscanned(self, item: ScanItem, code: str, message: str) -> None:
        self._record_error(item, {"code": code, "message": message}, tasks=0)

    def _record(self, item: ScanItem, report: Dict[str, Any], tasks: int, seconds: float,
                size: Optional[int] = None, etag: Optional[str] = None) -> None:
        now = time.perf_counter()
        started = self._started.pop(item.path, now)
        severities = [finding["severity"] for finding in report["findings"]]
        record: Dict[str, Any] = {
            "path": item.path,
            "url": item.is_url,
            "size": item.size if size is None else size,
            "mtime_ns": item.mtime_ns,
            "etag": etag,
            "profile": self.options.profile,
        }
        record.update(report)
        record["max_severity"] = max(severities, key=_SEVERITIES.index) if severities else None
        record["tasks"] = tasks
        record["timings"] = {"work_s": round(seconds, 6), "wall_s": round(now - started, 6)}
        self._pending_records.append(record)
        counts = self.counts
        counts.recorded += 1
        counts.data_bytes += record["size"] or 0
        counts.verdicts[record["verdict"]] = counts.verdicts.get(record["verdict"], 0) + 1
        if record["verdict"] == "error":
            counts.errors += 1
