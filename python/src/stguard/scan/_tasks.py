"""The work of a scan, as plain functions of plain values: they run on Dask
workers (pickled by reference: every worker needs this package installed)
or on the threads of the in-process fallback, and return small dicts. The
C++ calls release the GIL.

A file is one task, except when values or digests are asked for and the
file is larger than the split size: then a planning task audits the header
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
from typing import Any, Dict, List, Optional, Sequence, Tuple

import stguard
from stguard import _stguard


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


def check_unchanged(path: str, size: int, mtime_ns: int) -> None:
    status = os.stat(path)
    if status.st_size != size or status.st_mtime_ns != mtime_ns:
        raise FileChangedDuringScan(f"{path} changed during the scan (size {size} -> {status.st_size})")


def _finding_fields(finding: Any) -> Dict[str, Any]:
    fields = {"rule": finding.rule, "severity": finding.severity, "message": finding.message}
    for name in ("offset", "tensor", "metadata_key", "json_path", "evidence"):
        value = getattr(finding, name)
        if value is not None:
            fields[name] = value
    return fields


def error_fields(error: Any) -> Dict[str, Any]:
    """A stguard.Error as a record's "error"."""
    fields = {"code": error.code, "class": error.error_class, "message": error.message}
    if error.offset is not None:
        fields["offset"] = error.offset
    if error.tensor is not None:
        fields["tensor"] = error.tensor
    return fields


def report_fields(report: Any) -> Dict[str, Any]:
    """The part of a record an AuditReport gives."""
    return {
        "verdict": report.verdict,
        "error_code": report.error.code if report.error is not None else None,
        "error": error_fields(report.error) if report.error is not None else None,
        "tensor_count": report.tensor_count,
        "findings": [_finding_fields(finding) for finding in report.findings],
        "suppressed_findings": report.suppressed_findings,
        "values_scanned": report.values_scanned,
        "digests": report.digests,
    }


def audit_files(items: Sequence[Tuple[str, int, int]], options: ScanOptions) -> List[Dict[str, Any]]:
    """Audits whole files (path, size, mtime_ns), one result each: a final
    record part ("kind": "done"), a plan for splitting ("kind": "split"),
    or the exception that stopped it ("kind": "failed")."""
    return [_audit_one(path, size, mtime_ns, options) for path, size, mtime_ns in items]


def _audit_one(path: str, size: int, mtime_ns: int, options: ScanOptions) -> Dict[str, Any]:
    started = time.perf_counter()
    try:
        check_unchanged(path, size, mtime_ns)
        split = options.reads_data and size > options.split_bytes
        report = stguard.audit(path, values=options.values and not split, profile=options.profile,
                               digests=options.digests and not split, threads=options.threads_per_task,
                               **options.limits)
        result: Dict[str, Any] = {"kind": "done", "report": report_fields(report)}
        if split and report.verdict != "invalid":
            tensors, ranges = _stguard.plan_tensor_ranges(path, options.profile, options.limit_overrides,
                                                          options.split_bytes)
            result = {"kind": "split", "report": report_fields(report), "tensors": tensors, "ranges": ranges}
        check_unchanged(path, size, mtime_ns)
    except Exception as failure:  # noqa: BLE001 - every failure becomes that file's record
        result = {"kind": "failed", "failure": failure_fields(failure)}
    result["seconds"] = time.perf_counter() - started
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
    return {"findings": [_finding_fields(stguard.Finding(**finding)) for finding in findings],
            "suppressed": suppressed, "seconds": time.perf_counter() - started}


def validate_url(url: str, options: ScanOptions) -> Dict[str, Any]:
    """Header validation of a remote file (stguard.validate_url: two range
    requests, no data read, so no findings, values or digests)."""
    started = time.perf_counter()
    try:
        result = stguard.validate_url(url, profile=options.profile)  # type: ignore[attr-defined]
        part: Dict[str, Any] = {
            "kind": "done",
            "size": result.file_size or None,
            "etag": getattr(result, "etag", None),
            "report": {
                "verdict": "valid" if result.valid else "invalid",
                "error_code": None if result.error is None else result.error.code,
                "error": None if result.error is None else error_fields(result.error),
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

    Codes: the library's (IO_* for a file it could not read), FILE_CHANGED,
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
