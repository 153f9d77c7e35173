"""Digest manifests (the JSON ``st-audit --manifest`` writes) and
verification of a file against one, from the audit library."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, List, Optional, Tuple, Union

from . import _stguard
from ._errors import Error


@dataclass(frozen=True)
class TensorDigest:
    name: str
    dtype: str
    shape: Tuple[int, ...]
    offset: int  # absolute file offset of the tensor's first byte (8 + N + begin)
    size: int  # bytes
    sha256: str  # 64 lowercase hex digits


@dataclass(frozen=True)
class Manifest:
    """SHA-256 of a whole file (equal to ``sha256sum``) and of every tensor, in data order."""

    file_size: int
    file_sha256: str
    tensors: Tuple[TensorDigest, ...] = ()

    @classmethod
    def _from_tuple(cls, fields: Tuple[Any, Any, Any]) -> "Manifest":
        size, sha256, tensors = fields
        return cls(size, sha256, tuple(TensorDigest(*tensor) for tensor in tensors))

    def _to_tuple(self) -> Tuple[Any, Any, Any]:
        return (self.file_size, self.file_sha256,
                [(t.name, t.dtype, tuple(t.shape), t.offset, t.size, t.sha256) for t in self.tensors])

    def to_json(self) -> str:
        """The manifest as ``st-audit --manifest`` writes it (byte for byte)."""
        return _stguard.manifest_json(self._to_tuple())

    @classmethod
    def from_json(cls, data: Union[str, bytes, bytearray, memoryview]) -> "Manifest":
        """Parses a manifest (untrusted input: bounded, strict). A malformed
        one is ``stguard.UsageError`` (a ValueError) saying what is wrong."""
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        return cls._from_tuple(_stguard.parse_manifest(data))

    def write(self, path: Union[str, "os.PathLike[str]"]) -> None:
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            out.write(self.to_json())

    @property
    def tensor_digests(self) -> dict:
        """{name: sha256 hex}."""
        return {tensor.name: tensor.sha256 for tensor in self.tensors}


def read_manifest(path: Union[str, "os.PathLike[str]"]) -> Manifest:
    with open(path, "rb") as source:
        return Manifest.from_json(source.read())


@dataclass(frozen=True)
class Difference:
    kind: str  # "changed", "layout-changed", "missing", "extra"
    tensor: str
    detail: str


@dataclass(frozen=True)
class VerifyResult:
    """A file checked against a manifest. ``bool(result)`` is ``result.ok``."""

    file_size_matches: bool = False
    file_digest_matches: bool = False
    differences: List[Difference] = field(default_factory=list)  # by tensor name
    error: Optional[Error] = None  # set when the file is invalid (nothing was compared)

    @property
    def ok(self) -> bool:
        return self.error is None and self.file_size_matches and self.file_digest_matches and not self.differences

    def __bool__(self) -> bool:
        return self.ok


def compare(expected: Manifest, actual: Manifest) -> VerifyResult:
    """What differs between two manifests (``actual``: what a file holds now)."""
    size_ok, digest_ok, differences = _stguard.compare_digests(expected._to_tuple(), actual._to_tuple())
    return VerifyResult(size_ok, digest_ok, [Difference(*difference) for difference in differences])


def verify(path: Union[str, "os.PathLike[str]"], manifest: Union[Manifest, str, "os.PathLike[str]"],
           profile: str = "strict", *, threads: int = 0, **limits: int) -> VerifyResult:
    """Checks the file at ``path`` against ``manifest`` (a Manifest or the
    path of a manifest file), as ``st-audit --verify`` does: every tensor
    whose bytes, dtype or shape changed, and every tensor missing or added.
    An invalid file is a result with ``error`` set; OSError when a file
    cannot be read."""
    from ._audit import audit

    expected = manifest if isinstance(manifest, Manifest) else read_manifest(manifest)
    report = audit(path, profile=profile, digests=True, threads=threads, **limits)
    if report.manifest is None:
        return VerifyResult(error=report.error)
    return compare(expected, report.manifest)
