"""stguard: strict validation, zero-copy reading and atomic writing of
safetensors files, from the stguard C++ library. See docs/python.md."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version as _version

from ._audit import AuditReport, Finding, audit, audit_index
from ._errors import (
    Error,
    FileChangedError,
    InvalidFileError,
    IOFailureError,
    SliceError,
    StguardError,
    TensorNotFoundError,
    UsageError,
    WriteError,
)
from ._manifest import Difference, Manifest, TensorDigest, VerifyResult, read_manifest, verify
from ._open import TensorSlice, UnrepresentableShapeError, safe_open
from ._validate import StreamValidator, TensorInfo, ValidationResult, validate, validate_prefix

try:
    __version__ = _version("stguard")
except PackageNotFoundError:  # pragma: no cover - an uninstalled source tree
    __version__ = "0+unknown"

__all__ = [
    "AuditReport", "Difference", "Error", "Finding", "FileChangedError", "InvalidFileError", "IOFailureError", "SliceError", "StguardError",
    "StreamValidator", "TensorInfo", "TensorNotFoundError", "TensorSlice", "UsageError", "ValidationResult",
    "UnrepresentableShapeError", "WriteError", "audit", "audit_index", "safe_open", "validate", "validate_prefix",
    "Manifest", "TensorDigest", "VerifyResult", "read_manifest", "verify",
]

# Remote validation (validate_url needs the extension built with libcurl).
from ._remote import AVAILABLE as _HAVE_REMOTE, RemoteError  # noqa: E402

if _HAVE_REMOTE:
    from ._remote import validate_url  # noqa: E402

    __all__ += ["RemoteError", "validate_url"]
else:  # pragma: no cover - a build without libcurl
    __all__ += ["RemoteError"]
