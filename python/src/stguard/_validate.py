"""Validation: a verdict for a path, bytes, or a file object; never an
exception for an invalid file (only for misuse and I/O)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, NamedTuple, Optional, Tuple, Union

from . import _stguard
from ._errors import Error, IOFailureError

_CHUNK_BYTES = 1 << 20
_BUFFER_TYPES = (bytes, bytearray, memoryview)

Source = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, Any]


class TensorInfo(NamedTuple):
    """One tensor of a validated header (a named tuple: cheap for headers
    with a million tensors)."""

    name: str
    dtype: str  # the safetensors spelling: "F32", "BF16", "F8_E4M3", ...
    shape: Tuple[int, ...]
    data_offsets: Tuple[int, int]  # [begin, end) relative to the data region

    @property
    def nbytes(self) -> int:
        return self.data_offsets[1] - self.data_offsets[0]


@dataclass(frozen=True)
class ValidationResult:
    """The verdict. ``bool(result)`` is ``result.valid``."""

    valid: bool
    profile: str
    error: Optional[Error] = None
    tensors: List[TensorInfo] = field(default_factory=list)  # in data order
    metadata: Optional[Dict[str, str]] = None  # None when the header has no __metadata__
    header_length: int = 0  # N (the JSON text and its padding)
    data_offset: int = 0  # 8 + N
    data_size: int = 0  # bytes the tensors cover
    file_size: int = 0  # 8 + N + data_size
    # compat only: what strict would have rejected, in the order met.
    strict_violations: List[Error] = field(default_factory=list)

    @property
    def tensor_count(self) -> int:
        return len(self.tensors)

    def __bool__(self) -> bool:
        return self.valid


def _limits_dict(limits: Dict[str, int]) -> Optional[Dict[str, int]]:
    return dict(limits) if limits else None


def _result(profile: str, verdict: Tuple[Any, Any]) -> ValidationResult:
    error_fields, header = verdict
    if header is None:
        return ValidationResult(valid=False, profile=profile, error=Error._from_tuple(error_fields))
    return result_from_header(header)


def result_from_header(header: Any) -> ValidationResult:
    """A ValidationResult for a validated _stguard.Header."""
    tensors = list(map(TensorInfo._make, header.tensors()))
    return ValidationResult(
        valid=True,
        profile=header.profile,
        tensors=tensors,
        metadata=header.metadata(),
        header_length=header.header_length,
        data_offset=header.data_offset,
        data_size=header.data_size,
        file_size=header.file_size,
        strict_violations=[Error._from_tuple(fields) for fields in header.strict_violations()],
    )


def open_readonly(path: Any) -> int:
    """A descriptor for ``path``; FileNotFoundError and the like as Python raises them.

    O_NONBLOCK keeps a FIFO from blocking the open: the library then reports
    it as not a regular file.
    """
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
    return os.open(os.fspath(path), flags)


def _validate_path(path: Any, profile: str, limits: Optional[Dict[str, int]]) -> ValidationResult:
    fd = open_readonly(path)
    try:
        verdict = _stguard.validate_fd(fd, profile, limits)
    finally:
        os.close(fd)
    result = _result(profile, verdict)
    if result.error is not None and result.error.error_class == "io":
        raise IOFailureError(result.error)
    return result


def validate(source: Source, profile: str = "strict", **limits: int) -> ValidationResult:
    """Validates a safetensors file given as a path, its bytes, or a readable
    binary file object (read to its end in chunks; only the header is kept).

    Returns a ValidationResult; an invalid file is ``valid=False`` with
    ``error`` set, never an exception. Raises TypeError/ValueError for wrong
    arguments (an unknown profile or limit) and OSError when a path cannot be
    opened or read. ``limits``: max_header_bytes, max_tensors, max_rank,
    max_name_bytes, max_integer, max_depth (docs/profiles.md).
    """
    limit_overrides = _limits_dict(limits)
    if isinstance(source, _BUFFER_TYPES):
        return _result(profile, _stguard.validate_bytes(source, profile, limit_overrides))
    if isinstance(source, (str, os.PathLike)):
        return _validate_path(source, profile, limit_overrides)
    if callable(getattr(source, "read", None)):
        stream = StreamValidator(profile, **limits)
        while True:
            chunk = source.read(_CHUNK_BYTES)
            if not chunk:
                break
            if not isinstance(chunk, _BUFFER_TYPES):
                raise TypeError("the file object must be opened in binary mode")
            if not stream.feed(chunk):
                break
        return stream.finish()
    raise TypeError(f"validate() takes a path, bytes or a binary file object, not {type(source).__name__}")


def validate_prefix(first_bytes: Union[bytes, bytearray, memoryview], file_size: int,
                    profile: str = "strict", **limits: int) -> ValidationResult:
    """Validates a file of ``file_size`` bytes from its first bytes only: at
    least the 8-byte prefix and the N header bytes (more is ignored). The
    verdict is the one the whole file gets. Too few bytes to decide is an
    IO_READ_FAILED verdict saying so."""
    if not isinstance(first_bytes, _BUFFER_TYPES):
        raise TypeError("first_bytes must be bytes, bytearray or memoryview")
    if not isinstance(file_size, int) or isinstance(file_size, bool) or file_size < 0:
        raise ValueError("file_size must be a non-negative int")
    return _result(profile, _stguard.validate_prefix(first_bytes, file_size, profile, _limits_dict(limits)))


class StreamValidator:
    """Validates a file that arrives in chunks (an upload, a pipe, a socket)
    without knowing its size and without keeping its tensor data.

    ``feed(chunk)`` returns False once the file is known to be invalid (the
    caller may stop sending); ``finish()`` gives the verdict for everything
    fed, exactly what ``validate`` gives on the concatenation.
    """

    def __init__(self, profile: str = "strict", **limits: int) -> None:
        self._profile = profile
        self._core = _stguard.StreamValidator(profile, _limits_dict(limits))

    def feed(self, chunk: Union[bytes, bytearray, memoryview]) -> bool:
        if not isinstance(chunk, _BUFFER_TYPES):
            raise TypeError("chunks must be bytes, bytearray or memoryview")
        return self._core.feed(chunk)

    @property
    def failed(self) -> bool:
        return self._core.failed

    @property
    def bytes_seen(self) -> int:
        return self._core.bytes_seen

    def finish(self) -> ValidationResult:
        return _result(self._profile, self._core.finish())
