"""Drop-in replacements for ``safetensors.numpy``: the same functions, the
same signatures and results, with strict validation before anything is read
and a writer that never produces a file strict would reject.

Differences, all on the side of safety: ``load``/``load_file`` refuse what
the strict profile refuses (pass ``profile="compat"`` for the reference's
acceptance set); tensors of dtypes numpy lacks (BF16, F8_*, F4, F6_*) load as
raw unsigned arrays instead of failing; ``save_file`` replaces its target
atomically and also takes a writable binary file object, to which it streams.
"""
from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from . import _dtypes, _stguard
from ._open import safe_open

__all__ = ["load", "load_file", "save", "save_file"]


def _tensor_entries(tensor_dict: Dict[str, np.ndarray]) -> List[Tuple[str, str, Tuple[int, ...], Any]]:
    """(name, dtype, shape, C-contiguous little-endian buffer) for the writer.

    Arrays sharing memory are fine in numpy (each is saved with its own
    bytes, as safetensors.numpy does): overlapping ones are copied, because
    the library's writer refuses aliased inputs (tied weights).
    """
    if not isinstance(tensor_dict, dict):
        raise TypeError("tensor_dict must be a dict of str -> numpy.ndarray")
    entries = []
    for name, value in tensor_dict.items():
        if not isinstance(name, str):
            raise TypeError(f"tensor names must be str, not {type(name).__name__}")
        if not isinstance(value, np.ndarray):
            raise TypeError(f"tensor {name!r} is a {type(value).__name__}, not a numpy.ndarray")
        dtype_name = _dtypes.safetensors_dtype_of(value.dtype)
        if dtype_name is None:
            raise ValueError(f"tensor {name!r}: numpy dtype {value.dtype} has no safetensors dtype")
        # ascontiguousarray makes a 0-d array 1-d: keep the caller's shape.
        array = np.ascontiguousarray(value, dtype=value.dtype.newbyteorder("<")).reshape(value.shape)
        entries.append((name, dtype_name, tuple(array.shape), array))
    _untie(entries)
    return [(name, dtype_name, shape, array.reshape(-1).view(np.uint8)) for name, dtype_name, shape, array in entries]


def _untie(entries: List[Tuple[str, str, Tuple[int, ...], np.ndarray]]) -> None:
    spans = sorted(
        ((array.__array_interface__["data"][0], array.nbytes, at) for at, (_, _, _, array) in enumerate(entries)),
    )
    reach = -1
    for start, size, at in spans:
        if size == 0:
            continue
        if start < reach:
            name, dtype_name, shape, array = entries[at]
            entries[at] = (name, dtype_name, shape, array.copy())
        else:
            reach = start + size


def _metadata_entries(metadata: Optional[Dict[str, str]]) -> List[Tuple[str, str]]:
    if metadata is None:
        return []
    if not isinstance(metadata, dict):
        raise TypeError("metadata must be a dict of str -> str")
    for key, value in metadata.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError("metadata keys and values must be str")
    return list(metadata.items())


def save(tensor_dict: Dict[str, np.ndarray], metadata: Optional[Dict[str, str]] = None) -> bytes:
    """The safetensors file for ``tensor_dict`` as bytes."""
    return _stguard.write(_tensor_entries(tensor_dict), _metadata_entries(metadata), None)


def save_file(tensor_dict: Dict[str, np.ndarray], filename: Any, metadata: Optional[Dict[str, str]] = None) -> None:
    """Writes ``tensor_dict`` to ``filename`` atomically (a reader sees the old
    file or the complete new one; on failure the old file is untouched and no
    temporary file remains). ``filename`` may also be a writable binary file
    object: the file is streamed to it, never built whole in memory."""
    entries = _tensor_entries(tensor_dict)
    metadata_entries = _metadata_entries(metadata)
    if callable(getattr(filename, "write", None)):
        _stguard.write(entries, metadata_entries, filename)
        return
    _stguard.write(entries, metadata_entries, os.fsdecode(os.fspath(filename)))


def _copy_all(opened: safe_open) -> Dict[str, np.ndarray]:
    # Writable arrays independent of the file, in data order, as safetensors does.
    return {name: opened.get_tensor(name, copy=True) for name in opened.offset_keys()}


def load(data: Any, *, profile: str = "strict") -> Dict[str, np.ndarray]:
    """Tensors of a whole file given as bytes, bytearray, memoryview or a
    readable binary file object."""
    if callable(getattr(data, "read", None)):
        data = data.read()
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("load() takes bytes, bytearray, memoryview or a binary file object")
    return _copy_all(safe_open._from_reader(_stguard.Reader.from_bytes(data, profile, None)))


def load_file(filename: Any, *, profile: str = "strict") -> Dict[str, np.ndarray]:
    """Tensors of the file at ``filename`` (writable copies)."""
    # pread: each tensor is read straight into its own new array (one copy,
    # and no page faults on a mapping of the file: on a busy machine those
    # made the mapped copy 2x slower than the reference).
    with safe_open(filename, framework="numpy", profile=profile, mode="pread") as opened:
        return _copy_all(opened)
