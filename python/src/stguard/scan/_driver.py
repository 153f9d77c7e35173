"""The scan's driver: plans the tasks, keeps a bounded number in flight,
and writes each file's record once, when the file is complete. A batch of
small files comes back as its records' text (encoded on the worker: the
driver only joins text and counts verdicts); a split file's record is
assembled here from its tasks. Workers never write: a task that ran twice
(its worker died and Dask ran it again) still gives one record."""
from __future__ import annotations

import json
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Deque, Dict, List, Optional, Tuple

from . import _records, _tasks
from ._inputs import ScanItem, stat_item
from ._journal import Journal
from ._progress import Progress


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
    started: float = 0.0  # when the file was first submitted
    failed: bool = False


class _Task:
    """A submitted call and what it is for; resubmitted as it is after a
    crash. ``started``: when its files were first submitted (the records'
    "wall_s" counts from there, across retries)."""

    __slots__ = ("tag", "function", "args", "crashes", "started")

    def __init__(self, tag: Tuple[Any, ...], function: Any, args: Tuple[Any, ...], started: float):
        self.tag = tag
        self.function = function
        self.args = args
        self.crashes = 0
        self.started = started

    @property
    def is_batch(self) -> bool:
        return self.tag[0] == "files" and len(self.tag[1]) > 1


@dataclass
class RunCounts:
    recorded: int = 0
    skipped: int = 0  # found recorded as they are by the workers that stat'ed them
    data_bytes: int = 0
    verdicts: Counter = field(default_factory=Counter)

    @property
    def errors(self) -> int:
        return self.verdicts["error"]


# A batch whose worker died is cut into this many parts, each submitted
# again: the part holding the culprit dies again and is cut again, down to
# the culprit alone, whose crashes are counted; the rest complete. A batch
# of n costs about log8(n) extra deaths, not n tasks.
_CRASH_SPLIT_WAYS = 8
# Batches are made small enough that every worker gets a few of them.
_BATCHES_PER_WORKER = 4


class Driver:
    def __init__(self, backend: Any, journal: Journal, options: "_tasks.ScanOptions", *, batch_files: int,
                 batch_bytes: int, window: int, crash_attempts: int, progress: Progress,
                 inflight_path: Optional[str], recorded: Optional[Dict[str, Tuple[int, int]]] = None):
        self.backend = backend
        self.journal = journal
        self.options = options
        self.batch_files = max(1, batch_files)
        self.batch_bytes = batch_bytes
        self.window = max(1, window)
        self.crash_attempts = crash_attempts
        self.progress = progress
        # The output's (size, mtime_ns) by path, for the files listed by
        # name only: their batch carries it, and its worker skips a file
        # still as recorded.
        self.recorded = recorded or {}
        self.counts = RunCounts()
        # (kind, items, started): started is None until first submitted.
        self._queue: Deque[Tuple[str, List[ScanItem], Optional[float]]] = deque()
        self._in_flight = 0
        # Records completed since the last write: their text, and per file
        # the path and verdict the journal remembers.
        self._pending_text: List[str] = []
        self._pending_paths: List[str] = []
        self._pending_verdicts: List[str] = []
        # Kept open: one line per file started, flushed before its task is submitted.
        self._inflight = open(inflight_path, "a", encoding="utf-8") if inflight_path is not None else None

    # -- planning ------------------------------------------------------------
    def enqueue(self, items: List[ScanItem]) -> None:
        """Queues the tasks for `items`: URLs and files to split alone, the
        other files in batches of at most batch_files files (fewer when
        that leaves a worker without a few batches) and, when data is read,
        batch_bytes bytes."""
        reads_data = self.options.reads_data
        split_bytes = self.options.split_bytes
        batchable = sum(1 for item in items if not item.is_url)
        per_batch = min(self.batch_files, max(1, -(-batchable // (self.backend.workers * _BATCHES_PER_WORKER))))
        if not reads_data:
            # Batches cut by count alone: slices, not a step per file.
            self._queue.extend(("url", [item], None) for item in items if item.is_url)
            files = [item for item in items if not item.is_url] if batchable < len(items) else items
            self._queue.extend(("files", files[first:first + per_batch], None)
                               for first in range(0, len(files), per_batch))
            return
        batch: List[ScanItem] = []
        batch_size = 0
        for item in items:
            if item.is_url:
                self._queue.append(("url", [item], None))
                continue
            size = item.size or 0
            if size > split_bytes:
                self._queue.append(("files", [item], None))
                continue
            if batch and (len(batch) >= per_batch or batch_size + size > self.batch_bytes):
                self._queue.append(("files", batch, None))
                batch, batch_size = [], 0
            batch.append(item)
            batch_size += size
        if batch:
            self._queue.append(("files", batch, None))

    def _submit(self, tag: Tuple[Any, ...], function: Any, *args: Any, started: float) -> None:
        self._send(_Task(tag, function, args, started))

    def _send(self, task: "_Task") -> None:
        self.backend.submit(task, task.function, *task.args)
        self._in_flight += 1

    def _submit_next(self) -> None:
        kind, items, started = self._queue.popleft()
        if started is None:
            started = time.perf_counter()
        if self._inflight is not None:
            self._inflight.write("".join(json.dumps([item.path, item.size, item.mtime_ns]) + "\n" for item in items))
            self._inflight.flush()
        if kind == "url":
            self._submit(("url", items[0]), _tasks.validate_url, items[0].path, self.options, started=started)
        else:
            paths = [item.path for item in items]
            if items[0].size is None:  # listed by name only (a whole scan is, or none of it)
                recorded = self.recorded
                batch = _tasks.FileBatch(paths, None, None, {path: recorded[path] for path in paths
                                                             if path in recorded} if recorded else None)
            else:
                batch = _tasks.FileBatch(paths, [item.size for item in items], [item.mtime_ns for item in items])
            self._submit(("files", items, batch), _tasks.audit_files, batch, self.options, started=started)

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
                self._handle(task, status, value)
                self.flush_records()
        finally:
            if self._inflight is not None:
                self._inflight.close()

    def flush_records(self) -> None:
        """Writes the records completed by the last task (one write and flush)."""
        if self._pending_text:
            self.journal.append("".join(self._pending_text), self._pending_paths, self._pending_verdicts,
                                time.monotonic())
            self._pending_text = []
            self._pending_paths = []
            self._pending_verdicts = []
            counts = self.counts
            self.progress.update(counts.recorded + counts.skipped, counts.data_bytes, counts.errors)

    def _handle(self, task: _Task, status: str, value: Any) -> None:
        tag = task.tag
        kind = tag[0]
        if kind == "files":
            self._files_done(task, status, value)
        elif kind == "url":
            self._url_done(task, status, value)
        else:
            split: _SplitFile = tag[1]
            if split.failed:
                return
            if status != "ok":
                split.failed = True
                self._record_failure(split.item, status, value, tasks=len(split.ranges) + 2, crashes=task.crashes,
                                     started=split.started)
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
                                 split.item.mtime_ns, self.options, outcomes, started=split.started)
                else:
                    self._finish_split(split)

    def _files_done(self, task: _Task, status: str, value: Any) -> None:
        items: List[ScanItem] = task.tag[1]
        if status != "ok":
            if len(items) > 1:
                # One file of the batch may be the cause: the batch is cut
                # into parts, tried again first, so that only that file is
                # recorded as crashing.
                step = -(-len(items) // _CRASH_SPLIT_WAYS)
                for first in reversed(range(0, len(items), step)):
                    self._queue.appendleft(("files", items[first:first + step], task.started))
                return
            # Its record needs the file's identity, which a name-only listing left to the worker.
            self._record_failure(stat_item(items[0]), status, value, tasks=1, crashes=task.crashes,
                                 started=task.started)
            return
        result: _tasks.BatchResult = value
        if result.text:
            self._pending_text.append(_records.fill_wall(result.text, time.perf_counter() - task.started))
        # Whole lists at once (no Python step per file): a batch is thousands
        # of files. A split file's record comes when it is complete.
        self._count(result.paths, result.verdicts, result.data_bytes)
        self.counts.skipped += result.skipped
        for index, plan in result.splits.items():
            item = items[index]._replace(size=plan["size"], mtime_ns=plan["mtime_ns"])
            self._start_split(item, plan, task.started)

    def _start_split(self, item: ScanItem, plan: Dict[str, Any], started: float) -> None:
        split = _SplitFile(item, plan["report"], plan["tensors"], [tuple(r) for r in plan["ranges"]],
                           seconds=plan["seconds"], started=started)
        tensor_count = len(split.tensors)
        for index, (first, count) in enumerate(split.ranges):
            split.waiting += 1
            self._submit(("range", split, index), _tasks.audit_range, item.path, item.size, item.mtime_ns,
                         self.options, tensor_count, first, count, started=started)
        if self.options.digests:
            split.waiting += 1
            self._submit(("hash", split), _tasks.hash_file, item.path, item.size, item.mtime_ns, started=started)

    def _finish_split(self, split: _SplitFile) -> None:
        report = split.report
        if self.options.digests:
            outcomes = [outcome for index in range(len(split.ranges)) for outcome in split.outcomes[index]]
            # The digests audit() gives: the file's chain and each tensor's, by name.
            report["digests"] = {"file": split.file_sha256,
                                 "tensors": {tensor[0]: outcome[0] for tensor, outcome in zip(split.tensors, outcomes)}}
        tasks = 1 + len(split.ranges) + (1 if self.options.digests else 0) + (1 if self.options.values else 0)
        self._record(split.item, report, tasks=tasks, seconds=split.seconds, started=split.started)

    def _url_done(self, task: _Task, status: str, value: Any) -> None:
        item: ScanItem = task.tag[1]
        if status != "ok":
            self._record_failure(item, status, value, tasks=1, crashes=task.crashes, started=task.started)
        elif value["kind"] == "failed":
            self._record_error(item, value["failure"], tasks=1, started=task.started)
        else:
            self._record(item, value["report"], tasks=1, seconds=value["seconds"], started=task.started,
                         size=value["size"], etag=value["etag"])

    # -- records -------------------------------------------------------------
    def _record_failure(self, item: ScanItem, status: str, failure: Any, tasks: int, crashes: int,
                        started: float) -> None:
        if status == "crashed":
            fields = {"code": "WORKER_CRASHED",
                      "message": f"Dask gave up on this file {crashes} times: its worker died while it ran "
                                 f"({type(failure).__name__}); not tried again"}
        else:
            fields = _tasks.failure_fields(failure)
        self._record_error(item, fields, tasks=tasks, started=started,
                           attempts=crashes if status == "crashed" else None)

    def _record_error(self, item: ScanItem, failure: Dict[str, Any], tasks: int, started: float,
                      attempts: Optional[int] = None) -> None:
        self._record(item, _records.error_report(failure["code"], failure["message"], attempts), tasks=tasks,
                     seconds=0.0, started=started)

    def record_unscanned(self, item: ScanItem, code: str, message: str) -> None:
        self._record_error(item, {"code": code, "message": message}, tasks=0, started=time.perf_counter())

    def _record(self, item: ScanItem, report: Dict[str, Any], tasks: int, seconds: float, started: float,
                size: Optional[int] = None, etag: Optional[str] = None) -> None:
        """A record the driver assembles (a split file, a URL, a file that
        could not be scanned); a batch's records come as text from its task."""
        size = item.size if size is None else size
        line = _records.encode(item.path, item.is_url, size, item.mtime_ns, etag, self.options.profile, report,
                               tasks, seconds)
        self._pending_text.append(_records.fill_wall(line, time.perf_counter() - started))
        self._count([item.path], [report["verdict"]], size or 0)

    def _count(self, paths: List[str], verdicts: List[str], data_bytes: int) -> None:
        """Counts records about to be written and keeps what the journal remembers of them."""
        counts = self.counts
        counts.recorded += len(verdicts)
        counts.data_bytes += data_bytes
        counts.verdicts.update(verdicts)
        self._pending_paths.extend(paths)
        self._pending_verdicts.extend(verdicts)
