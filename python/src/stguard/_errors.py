"""Errors as values (``Error``) and the exceptions raised for misuse and I/O.

Codes are the C++ library's stable codes (docs/errors.md): ``code`` is the
symbolic name ("HEADER_PAST_EOF"), ``number`` the numeric code (103), and
``error_class`` the class name ("framing", ..., "limit", "io", "usage").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Tuple


@dataclass(frozen=True)
class Error:
    """Why a file was rejected (or an operation refused)."""

    code: str
    number: int
    error_class: str
    message: str
    offset: Optional[int] = None  # byte offset in the file, when one applies
    tensor: Optional[str] = None  # the tensor involved, when one is

    @classmethod
    def _from_tuple(cls, fields: Tuple) -> "Error":
        return cls(*fields)

    def __str__(self) -> str:
        where = f" at offset {self.offset}" if self.offset is not None else ""
        who = f" (tensor {self.tensor!r})" if self.tensor is not None else ""
        return f"{self.code}{where}{who}: {self.message}"


class StguardError(Exception):
    """Base of stguard's exceptions; ``error`` is the ``Error`` value."""

    def __init__(self, error: Error) -> None:
        super().__init__(str(error))
        self.error = error

    def __reduce__(self) -> Tuple[Any, Tuple[Error]]:
        # Pickled with its Error (not its message): stguard.scan's tasks raise
        # these on Dask workers and the driver reads the code.
        return (type(self), (self.error,))

    @property
    def code(self) -> str:
        return self.error.code

    @property
    def offset(self) -> Optional[int]:
        return self.error.offset

    @property
    def tensor(self) -> Optional[str]:
        return self.error.tensor


class InvalidFileError(StguardError, ValueError):
    """The file is not a valid safetensors file under the profile in force."""


class WriteError(StguardError, ValueError):
    """The writer refused its input (it never writes a file strict rejects)."""


class TensorNotFoundError(StguardError, KeyError):
    """No tensor of that name in the file."""

    def __str__(self) -> str:  # KeyError would show the repr of the message
        return str(self.error)


class SliceError(StguardError, IndexError):
    """A slice that the tensor's shape or dtype cannot satisfy."""


class FileChangedError(StguardError, OSError):
    """The file changed (size or content) after it was validated."""


class IOFailureError(StguardError, OSError):
    """An I/O failure the library reported while reading or writing."""


_BY_CODE = {
    "TENSOR_NOT_FOUND": TensorNotFoundError,
    "IO_FILE_CHANGED": FileChangedError,
}


def exception_for(fields: Tuple, writing: bool = False) -> StguardError:
    """The exception for an error raised by the extension (called from C++).

    ``writing`` is set for the writer's errors: every non-I/O refusal there
    is a ``WriteError``, whatever rule (schema, limit, layout) refused it.
    """
    error = Error._from_tuple(fields)
    if error.code in _BY_CODE:
        return _BY_CODE[error.code](error)
    if error.error_class == "io":
        return IOFailureError(error)
    if writing:
        return WriteError(error)
    if error.code.startswith("SLICE_"):
        return SliceError(error)
    if error.error_class == "usage":
        return UsageError(error)
    return InvalidFileError(error)


class UsageError(StguardError, ValueError):
    """An argument the library refused (not a property of the file)."""
