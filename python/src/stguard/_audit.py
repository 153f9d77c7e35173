"""stguard.audit: findings about a file (what is odd about it), not only a
verdict. The file is parsed as the reference reader parses it (compat), and
everything ``profile`` would refuse is a finding; docs/audit-rules.md lists
the rules."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from . import _stguard
from ._errors import Error
from ._manifest import Manifest
from ._validate import open_readonly

_BUFFER_TYPES = (bytes, bytearray, memoryview)


@dataclass(frozen=True)
class Finding:
    rule: str  # "STG-STRICT-001", ...
    severity: str  # "info", "low", "medium", "high"
    message: str  # one line, untrusted text already escaped
    offset: Optional[int] = None
    tensor: Optional[str] = None
    metadata_key: Optional[str] = None
    json_path: Optional[str] = None
    evidence: Optional[str] = None


@dataclass(frozen=True)
class AuditReport:
    path: str
    file_size: int
    verdict: str  # "valid", "compat-only" or "invalid"
    error: Optional[Error]  # why the file is invalid
    findings: List[Finding] = field(default_factory=list)
    suppressed_findings: int = 0
    values_scanned: bool = False
    # {"file": sha256 hex, "tensors": {name: sha256 hex}} when digests=True and the file is not invalid.
    digests: Optional[Dict[str, Any]] = None
    tensor_count: Optional[int] = None
    # The same digests with each tensor's dtype, shape, offset and size (what
    # `st-audit --manifest` writes: ``report.manifest.to_json()``).
    manifest: Optional[Manifest] = None

    def count_at_least(self, severity: str) -> int:
        order = ["info", "low", "medium", "high"]
        if severity not in order:
            raise ValueError(f"severity must be one of {order}")
        return sum(order.index(finding.severity) >= order.index(severity) for finding in self.findings)


def audit(source: Any, values: bool = False, profile: str = "strict", *, digests: bool = False, threads: int = 0,
          **limits: int) -> AuditReport:
    """Audits a file given as a path or its bytes. ``values`` reads every
    tensor (NaN/Inf, BOOL bytes, all-zero and identical tensors); ``digests``
    computes SHA-256 of the file and of each tensor. An invalid file is a
    report with verdict "invalid"; OSError when the path cannot be read."""
    limit_overrides = dict(limits) if limits else None
    if isinstance(source, _BUFFER_TYPES):
        fields = _stguard.audit_bytes(source, profile, limit_overrides, bool(values), bool(digests), threads)
    elif isinstance(source, (str, os.PathLike)):
        os.close(open_readonly(source))  # FileNotFoundError and the like, as Python raises them
        fields = _stguard.audit_path(os.fsdecode(os.fspath(source)), profile, limit_overrides, bool(values),
                                     bool(digests), threads)
    else:
        raise TypeError(f"audit() takes a path or bytes, not {type(source).__name__}")
    return report_from_fields(fields)


def report_from_fields(fields: Dict[str, Any]) -> AuditReport:
    """An AuditReport from the extension's dict (taken over, not copied)."""
    fields["findings"] = [Finding(**finding) for finding in fields["findings"]]
    fields["error"] = None if fields["error"] is None else Error._from_tuple(fields["error"])
    fields["manifest"] = None if fields["manifest"] is None else Manifest._from_tuple(fields["manifest"])
    return AuditReport(**fields)


def audit_index(index_path: Any, values: bool = False, profile: str = "strict", *, digests: bool = False,
                threads: int = 0, require_total_size: bool = False, **limits: int) -> List[AuditReport]:
    """Audits a sharded checkpoint: the index (``model.safetensors.index.json``)
    and every shard it names, in the index's folder. The first report is the
    index's own (cross-check findings STG-SHARD-*; verdict "invalid" when the
    index does not parse, or the index's shard check fails), then one report
    per shard that could be read, in shard-name order. OSError when the index
    cannot be read; ``require_total_size``: the index must state
    metadata.total_size (as ``st-shard check --require-total-size``)."""
    if not isinstance(index_path, (str, os.PathLike)):
        raise TypeError(f"audit_index() takes a path, not {type(index_path).__name__}")
    os.close(open_readonly(index_path))
    limit_overrides = dict(limits) if limits else None
    reports = _stguard.audit_index(os.fsdecode(os.fspath(index_path)), profile, limit_overrides, bool(values),
                                   bool(digests), threads, bool(require_total_size))
    return [report_from_fields(fields) for fields in reports]
