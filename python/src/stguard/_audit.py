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
    fields["findings"] = [Finding(**finding) for finding in fields["findings"]]
    fields["error"] = None if fields["error"] is None else Error._from_tuple(fields["error"])
    return AuditReport(**fields)
