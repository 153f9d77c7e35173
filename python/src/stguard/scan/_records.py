"""A scan's record as the JSON line the output holds, built where the file
was audited (on the worker for a batch of small files: the driver then only
joins text) and finished by the driver, which alone knows when a file's
record is written: the "wall_s" timing is a placeholder, WALL_MARK, that
fill_wall() replaces in a whole batch's text at once. The mark is a raw
NUL character, which JSON text with ensure_ascii never holds (it escapes
every control character), so no path or message can contain it."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

_SEVERITIES = ("info", "low", "medium", "high")
WALL_MARK = "\x00"

# One encoder for every record. ASCII: names may hold U+2028 or U+0085,
# which line splitters other than "\n" treat as line ends, and surrogate
# escapes of raw bytes.
_encode = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), default=str).encode

_FINDING_OPTIONAL = ("offset", "tensor", "metadata_key", "json_path", "evidence")


def finding_fields(finding: Dict[str, Any]) -> Dict[str, Any]:
    """A finding as a record holds it: rule, severity, message, and the
    optional fields that are set."""
    fields = {"rule": finding["rule"], "severity": finding["severity"], "message": finding["message"]}
    for name in _FINDING_OPTIONAL:
        value = finding.get(name)
        if value is not None:
            fields[name] = value
    return fields


def error_fields(code: str, error_class: str, message: str, offset: Optional[int],
                 tensor: Optional[str]) -> Dict[str, Any]:
    """A library error as a record's "error"."""
    fields: Dict[str, Any] = {"code": code, "class": error_class, "message": message}
    if offset is not None:
        fields["offset"] = offset
    if tensor is not None:
        fields["tensor"] = tensor
    return fields


def report_from_audit(audit: Dict[str, Any]) -> Dict[str, Any]:
    """The part of a record the extension's audit dict gives (the fields of
    stguard.AuditReport, without building its objects)."""
    error = audit["error"]  # (code, number, class, message, offset, tensor) or None
    return {
        "verdict": audit["verdict"],
        "error_code": error[0] if error is not None else None,
        "error": error_fields(error[0], error[2], error[3], error[4], error[5]) if error is not None else None,
        "tensor_count": audit["tensor_count"],
        "findings": [finding_fields(finding) for finding in audit["findings"]],
        "suppressed_findings": audit["suppressed_findings"],
        "values_scanned": audit["values_scanned"],
        "digests": audit["digests"],
    }


def error_report(code: str, message: str, attempts: Optional[int] = None) -> Dict[str, Any]:
    """The report part of a file that could not be scanned (verdict "error")."""
    report: Dict[str, Any] = {"verdict": "error", "error_code": code, "error": {"message": message},
                              "tensor_count": None, "findings": [], "suppressed_findings": 0,
                              "values_scanned": False, "digests": None}
    if attempts is not None:
        report["attempts"] = attempts
    return report


def max_severity(findings: List[Dict[str, Any]]) -> Optional[str]:
    worst = -1
    for finding in findings:
        worst = max(worst, _SEVERITIES.index(finding["severity"]))
    return _SEVERITIES[worst] if worst >= 0 else None


def encode(path: str, is_url: bool, size: Optional[int], mtime_ns: Optional[int], etag: Optional[str],
           profile: str, report: Dict[str, Any], tasks: int, work_seconds: float) -> str:
    """One record as its line (with its newline), "wall_s" left as WALL_MARK."""
    record: Dict[str, Any] = {"path": path, "url": is_url, "size": size, "mtime_ns": mtime_ns, "etag": etag,
                              "profile": profile}
    record.update(report)
    record["max_severity"] = max_severity(report["findings"])
    record["tasks"] = tasks
    text = _encode(record)
    return f'{text[:-1]},"timings":{{"work_s":{round(work_seconds, 6)!r},"wall_s":{WALL_MARK}}}}}\n'


def fill_wall(text: str, wall_seconds: float) -> str:
    """Records' text with every "wall_s" set to `wall_seconds`."""
    return text.replace(WALL_MARK, repr(round(wall_seconds, 6)))
