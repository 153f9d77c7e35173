"""Validation: a verdict for a path, bytes, or a file object; never an
exception for an invalid file (only for misuse and I/O)."""
from __future__ import annotations

import os
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


_RESULT_FIELDS = ("valid", "profile", "error", "tensors", "metadata", "header_length", "data_offset", "data_size",
                  "file_size", "strict_violations")


class ValidationResult:
    """The verdict. ``bool(result)`` is ``result.valid``. Read-only.

    ``tensors``, ``metadata`` and ``strict_violations`` are built from the
    validated header when first read: a caller that only wants the verdict
    of a file with a million tensors does not pay for a million objects.
    """

    __slots__ = ("valid", "profile", "error", "header_length", "data_offset", "data_size", "file_size", "_header",
                 "_tensors", "_metadata", "_violations")

    valid: bool
    profile: str
    error: Optional[Error]  # why the file is invalid
    header_length: int  # N (the JSON text and its padding)
    data_offset: int  # 8 + N
    data_size: int  # bytes the tensors cover
    file_size: int  # 8 + N + data_size

    def __init__(self, valid: bool, profile: str, error: Optional[Error] = None,
                 tensors: Optional[List[TensorInfo]] = None, metadata: Optional[Dict[str, str]] = None,
                 header_length: int = 0, data_offset: int = 0, data_size: int = 0, file_size: int = 0,
                 strict_violations: Optional[List[Error]] = None, *, _header: Any = None) -> None:
        setter = object.__setattr__
        for name, value in (("valid", valid), ("profile", profile), ("error", error),
                            ("header_length", header_length), ("data_offset", data_offset),
                            ("data_size", data_size), ("file_size", file_size), ("_header", _header),
                            ("_tensors", tensors), ("_metadata", metadata), ("_violations", strict_violations)):
            setter(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("ValidationResult is read-only")

    @property
    def tensors(self) -> List[TensorInfo]:
        """Every tensor, in data order."""
        if self._tensors is None:
            built = [] if self._header is None else list(map(TensorInfo._make, self._header.tensors()))
            object.__setattr__(self, "_tensors", built)
        return self._tensors

    @property
    def metadata(self) -> Optional[Dict[str, str]]:
        """The __metadata__ block; None when the header has none."""
        if self._metadata is None and self._header is not None:
            object.__setattr__(self, "_metadata", self._header.metadata())
        return self._metadata

    @property
    def strict_violations(self) -> List[Error]:
        """compat only: what strict would have rejected, in the order met."""
        if self._violations is None:
            built = [] if self._header is None else [Error._from_tuple(f) for f in self._header.strict_violations()]
            object.__setattr__(self, "_violations", built)
        return self._violations

    @property
    def tensor_count(self) -> int:
        return self._header.tensor_count if self._tensors is None and self._header is not None else len(self.tensors)

    def __bool__(self) -> bool:
        return self.valid

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ValidationResult):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in _RESULT_FIELDS)

    __hash__ = None  # type: ignore[assignment]  # mutable-looking contents (lists), as the dataclass was

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in _RESULT_FIELDS)
        return f"ValidationResult({fields})"


def _limits_dict(limits: Dict[str, int]) -> Optional[Dict[str, int]]:
    return dict(limits) if limits else None


def _result(profile: str, verdict: Tuple[Any, Any]) -> ValidationResult:
    error_fields, header = verdict
    if header is None:
        return ValidationResult(valid=False, profile=profile, error=Error._from_tuple(error_fields))
    return result_from_header(header)


def result_from_header(header: Any) -> ValidationResult:
    """A ValidationResult for a validated _stguard.Header."""
    return ValidationResult(valid=True, profile=header.profile, header_length=header.header_length,
                            data_offset=header.data_offset, data_size=header.data_size, file_size=header.file_size,
                            _header=header)


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
