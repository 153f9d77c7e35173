"""The work of a scan, as plain functions of plain values: they run on Dask
workers (pickled by reference: every worker needs this package installed)
or on the threads of the in-process fallback. The C++ calls release the GIL.

A batch of whole files is one task (audit_files), which returns its files'
records already encoded (_records), so that the driver does next to nothing
per file. A file is audited whole, except when values or digests are asked
for and it is larger than the split size: then a planning task audits the header
and cuts the tensors (data order) into runs of about the split size, one
task per run reads them, one task hashes the whole file (SHA-256 is one
chain and cannot be split), and a last task turns the runs' value
statistics into the findings audit() would give (identical tensors are
found across runs). Every task checks that the file still has the size and
modification time the scan planned with."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

import stguard
from stguard import _stguard
from stguard._validate import open_readonly

from . import _records
from ._inputs import stat_failure_message


@dataclass(frozen=True)
class ScanOptions:
    profile: str = "strict"
    values: bool = False
    digests: bool = False
    limits: Dict[str, int] = field(default_factory=dict)
    split_bytes: int = 256 << 20  # files above this are split when data is read
    threads_per_task: int = 1  # the audit's data-pass threads inside one task

    @property
    def reads_data(self) -> bool:
        return self.values or self.digests

    @property
    def limit_overrides(self) -> Optional[Dict[str, int]]:
        return dict(self.limits) if self.limits else None


class FileChangedDuringScan(OSError):
    """The file's size or modification time is not the one the scan planned with."""


def _check_identity(path: str, status: os.stat_result, size: int, mtime_ns: int) -> None:
    if status.st_size != size or status.st_mtime_ns != mtime_ns:
        raise FileChangedDuringScan(f"{path} changed during the scan (size {size} -> {status.st_size})")


def check_unchanged(path: str, size: int, mtime_ns: int) -> None:
    _check_identity(path, os.stat(path), size, mtime_ns)


def check_openable_unchanged(path: str, size: int, mtime_ns: int) -> None:
    """check_unchanged through a descriptor, so that a file that cannot be
    opened fails as Python's open does (FileNotFoundError, PermissionError),
    as it does before stguard.audit."""
    descriptor = open_readonly(path)
    try:
        _check_identity(path, os.fstat(descriptor), size, mtime_ns)
    finally:
        os.close(descriptor)


class FileBatch:
    """The files of one task: lists, not a list of tuples, and an object
    Dask passes as it is (it walks lists and tuples of a task's arguments
    element by element, looking for futures). ``sizes`` and ``mtimes``
    None: the files were listed by name only and the worker stats them,
    skipping those whose (size, mtime_ns) is the one ``recorded`` holds
    for their path (what the output already has: empty on a fresh scan)."""

    __slots__ = ("paths", "sizes", "mtimes", "recorded")

    def __init__(self, paths: List[str], sizes: Optional[List[int]], mtimes: Optional[List[int]],
                 recorded: Optional[Dict[str, Tuple[int, int]]] = None):
        self.paths = paths
        self.sizes = sizes
        self.mtimes = mtimes
        self.recorded = recorded or {}

    def __len__(self) -> int:
        return len(self.paths)

    def __getstate__(self) -> Tuple[Any, ...]:
        return (self.paths, self.sizes, self.mtimes, self.recorded)

    def __setstate__(self, state: Tuple[Any, ...]) -> None:
        self.paths, self.sizes, self.mtimes, self.recorded = state


class BatchResult(NamedTuple):
    """What audit_files returns: the finished records' text ("wall_s" still
    WALL_MARK), and for each record its path and verdict, in the order of
    the text (the journal keeps no more of it); the split plans by
    position in the batch; how many files were skipped as recorded; the
    bytes of the recorded files."""

    text: str
    paths: List[str]
    verdicts: List[str]
    splits: Dict[int, Dict[str, Any]]
    skipped: int
    data_bytes: int


def audit_files(batch: FileBatch, options: ScanOptions) -> BatchResult:
    """Audits whole files. A file's outcome is its record, finished here
    (an audit's verdict, or "error" with why it could not be scanned), a
    plan for splitting it into tasks, or (listed by name only) nothing when
    the output already records it as it is now."""
    lines: List[str] = []
    paths: List[str] = []
    verdicts: List[str] = []
    splits: Dict[int, Dict[str, Any]] = {}
    skipped = 0
    data_bytes = 0
    profile = options.profile
    sizes, mtimes, recorded = batch.sizes, batch.mtimes, batch.recorded
    for index, path in enumerate(batch.paths):
        if sizes is None or mtimes is None:
            try:
                status = os.stat(path)
            except OSError as failure:
                # As the driver records a file it cannot stat: no size, no task ran.
                report = _records.error_report("IO_ERROR", stat_failure_message(failure))
                lines.append(_records.encode(path, False, None, None, None, profile, report, 0, 0.0))
                paths.append(path)
                verdicts.append("error")
                continue
            size, mtime_ns = status.st_size, status.st_mtime_ns
            if recorded and recorded.get(path) == (size, mtime_ns):
                skipped += 1
                continue
        else:
            size, mtime_ns = sizes[index], mtimes[index]
        started = time.perf_counter()
        try:
            outcome = _audit_one(path, size, mtime_ns, options)
        except Exception as failure:  # noqa: BLE001 - every failure becomes that file's record
            failed = failure_fields(failure)
            outcome = {"kind": "done", "report": _records.error_report(failed["code"], failed["message"])}
        seconds = time.perf_counter() - started
        if outcome["kind"] == "split":
            outcome.update(seconds=seconds, size=size, mtime_ns=mtime_ns)
            splits[index] = outcome
            continue
        report = outcome["report"]
        lines.append(_records.encode(path, False, size, mtime_ns, None, profile, report, 1, seconds))
        paths.append(path)
        verdicts.append(report["verdict"])
        data_bytes += size
    return BatchResult("".join(lines), paths, verdicts, splits, skipped, data_bytes)


def _audit_one(path: str, size: int, mtime_ns: int, options: ScanOptions) -> Dict[str, Any]:
    """One file's audit ("kind": "done", its report) or split plan ("kind": "split")."""
    split = options.reads_data and size > options.split_bytes
    try:
        # The extension's audit, as stguard.audit() runs it, without building
        # the AuditReport objects only to take them apart again.
        audited = _stguard.audit_path(path, options.profile, options.limit_overrides,
                                      options.values and not split, options.digests and not split,
                                      options.threads_per_task)
    except Exception:
        # As stguard.audit(): a file that cannot be opened (or no longer is
        # the one planned) fails as Python's open fails, not as the library's
        # IO_OPEN_FAILED. Checked only on failure: one open fewer per file.
        check_openable_unchanged(path, size, mtime_ns)
        raise
    result: Dict[str, Any] = {"kind": "done", "report": _records.report_from_audit(audited)}
    if split and audited["verdict"] != "invalid":
        tensors, ranges = _stguard.plan_tensor_ranges(path, options.profile, options.limit_overrides,
                                                      options.split_bytes)
        result = {"kind": "split", "report": result["report"], "tensors": tensors, "ranges": ranges}
    check_unchanged(path, size, mtime_ns)
    return result


def audit_range(path: str, size: int, mtime_ns: int, options: ScanOptions, tensor_count: int, first: int,
                count: int) -> Dict[str, Any]:
    """The data pass over tensors [first, first + count): their outcomes."""
    started = time.perf_counter()
    check_unchanged(path, size, mtime_ns)
    outcomes = _stguard.audit_tensor_range(path, options.profile, options.limit_overrides, tensor_count, first,
                                           count, options.values, options.digests, options.threads_per_task)
    check_unchanged(path, size, mtime_ns)
    return {"outcomes": outcomes, "seconds": time.perf_counter() - started}


def hash_file(path: str, size: int, mtime_ns: int) -> Dict[str, Any]:
    started = time.perf_counter()
    check_unchanged(path, size, mtime_ns)
    digest = _stguard.file_sha256(path)
    check_unchanged(path, size, mtime_ns)
    return {"sha256": digest, "seconds": time.perf_counter() - started}


def value_findings(path: str, size: int, mtime_ns: int, options: ScanOptions,
                   outcomes: List[Any]) -> Dict[str, Any]:
    """STG-VAL-* findings of the whole file from every run's outcomes."""
    started = time.perf_counter()
    check_unchanged(path, size, mtime_ns)
    findings, suppressed = _stguard.value_findings(path, options.profile, options.limit_overrides, outcomes)
    return {"findings": [_records.finding_fields(finding) for finding in findings],
            "suppressed": suppressed, "seconds": time.perf_counter() - started}


def validate_url(url: str, options: ScanOptions) -> Dict[str, Any]:
    """Header validation of a remote file (stguard.validate_url: two range
    requests, no data read, so no findings, values or digests)."""
    started = time.perf_counter()
    try:
        result = stguard.validate_url(  # type: ignore[attr-defined]
            url, profile=options.profile, limits=options.limit_overrides)
        part: Dict[str, Any] = {
            "kind": "done",
            "size": result.file_size or None,
            "etag": getattr(result, "etag", None),
            "report": {
                "verdict": "valid" if result.valid else "invalid",
                "error_code": None if result.error is None else result.error.code,
                "error": None if result.error is None else _records.error_fields(
                    result.error.code, result.error.error_class, result.error.message, result.error.offset,
                    result.error.tensor),
                "tensor_count": result.tensor_count if result.valid else None,
                "findings": [], "suppressed_findings": 0, "values_scanned": False, "digests": None,
            },
        }
    except Exception as failure:  # noqa: BLE001
        part = {"kind": "failed", "failure": failure_fields(failure)}
    part["seconds"] = time.perf_counter() - started
    return part


def failure_fields(failure: BaseException) -> Dict[str, Any]:
    """Why a file could not be scanned, as a record's error_code and error.

    Codes: the library's (IO_* for a file it could not read), IO_FILE_CHANGED,
    REMOTE_ERROR (stguard.RemoteError), IO_ERROR (another OSError),
    SCAN_FAILED (anything else)."""
    library_error = getattr(failure, "error", None)
    if isinstance(failure, FileChangedDuringScan):
        code = "IO_FILE_CHANGED"
    elif isinstance(library_error, stguard.Error):
        code = library_error.code
    elif type(failure).__name__ == "RemoteError":
        code = "REMOTE_ERROR"
    elif isinstance(failure, OSError):
        code = "IO_ERROR"
    else:
        code = "SCAN_FAILED"
    return {"code": code, "message": f"{type(failure).__name__}: {failure}"}
