"""safe_open: the safetensors reading API over a strictly validated file."""
from __future__ import annotations

import operator
import os
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from . import _dtypes, _stguard, _torch
from ._validate import ValidationResult, open_readonly, result_from_header

_FRAMEWORKS = ("numpy", "np", "pt", "torch")
_MODES = ("mapped", "snapshot", "pread")


class UnrepresentableShapeError(ValueError):
    """The tensor is valid but numpy cannot hold an array of its shape.

    numpy allows 64 dimensions whose product (zeros aside) times the item
    size stays below 2**63; compat accepts more (an empty tensor may have a
    dimension of 2**64 - 1).
    """


def _shaped(data: np.ndarray, dtype: np.dtype, shape: Tuple[int, ...]) -> np.ndarray:
    try:
        return data.view(dtype).reshape(shape)
    except ValueError as error:  # numpy's limits, checked by numpy itself
        raise UnrepresentableShapeError(f"numpy cannot hold an array of shape {list(shape)}: {error}") from None


def _as_array(raw: Any, dtype_name: str, shape: Tuple[int, ...], dtypes: str) -> np.ndarray:
    """The tensor's numpy array from its raw bytes (a uint8 array or a bytearray)."""
    data = raw if isinstance(raw, np.ndarray) else np.frombuffer(raw, dtype=np.uint8)
    if dtype_name in _dtypes.SUBBYTE:
        if dtypes == "float32":
            raise ValueError(f"no float32 conversion for {dtype_name}: use dtypes='raw' (packed bytes)")
        return data
    if dtype_name in _dtypes.NATIVE:
        return _shaped(data, _dtypes.NATIVE[dtype_name], shape)
    carrier = _shaped(data, _dtypes.RAW[dtype_name], shape)
    return _dtypes.to_float32(carrier, dtype_name) if dtypes == "float32" else carrier


def _check_dtypes(dtypes: str) -> None:
    if dtypes not in _dtypes.DTYPE_MODES:
        raise ValueError("dtypes must be 'raw' or 'float32'")


class safe_open:  # noqa: N801 - the safetensors name
    """Opens and validates a safetensors file; tensors come out as numpy arrays.

    ``mode``: "mapped" (default; read-only zero-copy arrays over a private
    mapping), "snapshot" (the file is copied into memory and validated again;
    zero-copy arrays over the copy), "pread" (no mapping; every tensor is
    read into a new writable array). Arrays keep the file's memory alive
    after close() or the end of a ``with`` block. ``dtypes``: "raw" or
    "float32" for the dtypes numpy lacks (see stguard._dtypes).

    Raises FileNotFoundError (and other OSError) when the file cannot be
    opened, stguard.InvalidFileError when it is not valid under ``profile``.
    """

    def __init__(self, filename: Any, framework: str = "numpy", device: str = "cpu", *,
                 profile: str = "strict", mode: str = "mapped", dtypes: str = "raw", **limits: int) -> None:
        if framework not in _FRAMEWORKS:
            raise ValueError(f"framework must be 'numpy' (or 'np') or 'pt' (or 'torch'), not {framework!r}")
        if device != "cpu":
            raise ValueError("only device='cpu' is supported")
        if mode not in _MODES:
            raise ValueError("mode must be 'mapped', 'snapshot' or 'pread'")
        _check_dtypes(dtypes)
        self._torch = framework in ("pt", "torch")
        if self._torch:
            _torch.torch_module()  # ModuleNotFoundError now, not at the first tensor
        fd = open_readonly(filename)
        try:
            reader = _stguard.Reader.open_fd(fd, mode, profile, dict(limits) if limits else None)
        finally:
            os.close(fd)
        self._init(reader, dtypes)

    @classmethod
    def _from_reader(cls, reader: Any, dtypes: str = "raw") -> "safe_open":
        opened = cls.__new__(cls)
        opened._torch = False
        opened._init(reader, dtypes)
        return opened

    def _init(self, reader: Any, dtypes: str) -> None:
        self._reader: Optional[Any] = reader
        self._dtypes = dtypes
        self._header = reader.header()
        self._info_by_name: Optional[Dict[str, Tuple[str, Tuple[int, ...]]]] = None
        self._result = result_from_header(self._header)

    @property
    def _info(self) -> Dict[str, Tuple[str, Tuple[int, ...]]]:
        # Built at the first tensor asked for: keys() alone never needs it.
        if self._info_by_name is None:
            self._info_by_name = {name: (dtype, shape) for name, dtype, shape, _ in self._header.tensors()}
        return self._info_by_name

    # -- context manager ---------------------------------------------------
    def __enter__(self) -> "safe_open":
        self._open_reader()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        """Ends this handle; arrays already handed out stay valid."""
        self._reader = None

    def _open_reader(self) -> Any:
        if self._reader is None:
            raise ValueError("the file is closed")
        return self._reader

    # -- the safetensors API -----------------------------------------------
    def keys(self) -> List[str]:
        """Tensor names, sorted (as safetensors does)."""
        self._open_reader()
        return sorted(self._header.names())

    def offset_keys(self) -> List[str]:
        """Tensor names in the order of their data in the file."""
        self._open_reader()
        return self._header.names()

    def metadata(self) -> Optional[Dict[str, str]]:
        """The __metadata__ block (None when the file has none)."""
        self._open_reader()
        return None if self._result.metadata is None else dict(self._result.metadata)

    def header(self) -> ValidationResult:
        """The validated header: tensors with offsets, sizes, violations."""
        self._open_reader()
        return self._result

    def _tensor_info(self, name: str) -> Tuple[str, Tuple[int, ...]]:
        if not isinstance(name, str):
            raise TypeError("tensor names are str")
        reader = self._open_reader()
        if name not in self._info:
            reader.tensor_bytes(name)  # raises TensorNotFoundError with the library's message
        return self._info[name]

    def _framework_tensor(self, array: np.ndarray, dtype_name: str) -> Any:
        return _torch.to_torch(array, dtype_name, self._dtypes) if self._torch else array

    def get_tensor(self, name: str, *, copy: bool = False) -> Any:
        """The tensor as a numpy array: read-only and zero-copy in the mapped
        and snapshot modes (``copy=True`` gives a writable copy). With
        framework="pt" a torch tensor (stguard._torch says when it is a copy)."""
        dtype_name, shape = self._tensor_info(name)
        array = _as_array(self._open_reader().tensor_bytes(name), dtype_name, shape, self._dtypes)
        if copy and not array.flags.writeable:
            array = array.copy()
        return self._framework_tensor(array, dtype_name)

    def get_slice(self, name: str) -> "TensorSlice":
        """A lazy slice handle: ``get_slice(name)[0:2, 1]`` reads only those bytes."""
        dtype_name, shape = self._tensor_info(name)
        return TensorSlice(self, name, dtype_name, shape)


class TensorSlice:
    """Slicing on a tensor's dimensions: ints (negative count from the end)
    and ranges with step 1, an Ellipsis; the result is a new array."""

    def __init__(self, opened: safe_open, name: str, dtype_name: str, shape: Tuple[int, ...]) -> None:
        self._opened = opened
        self._name = name
        self._dtype = dtype_name
        self._shape = shape

    def get_shape(self) -> List[int]:
        return list(self._shape)

    def get_dtype(self) -> str:
        return self._dtype

    def __len__(self) -> int:
        if not self._shape:
            raise TypeError("len() of a scalar tensor")
        return self._shape[0]

    def _spec(self, key: Any) -> List[Tuple[bool, int, Optional[int]]]:
        entries = list(key) if isinstance(key, tuple) else [key]
        if sum(entry is Ellipsis for entry in entries) > 1:
            raise IndexError("an index can only have a single ellipsis ('...')")
        if Ellipsis in entries:
            at = next(i for i, entry in enumerate(entries) if entry is Ellipsis)
            fill = len(self._shape) - (len(entries) - 1)
            entries[at:at + 1] = [slice(None)] * max(fill, 0)
        if len(entries) > len(self._shape):
            raise IndexError(f"too many indices: {len(entries)} for a tensor of rank {len(self._shape)}")
        spec: List[Tuple[bool, int, Optional[int]]] = []
        for dimension, entry in zip(self._shape, entries):
            if isinstance(entry, slice):
                if entry.step not in (None, 1):
                    raise ValueError("slices with a step other than 1 are not supported")
                start, stop, _ = entry.indices(dimension)
                spec.append((False, start, max(stop, start)))
                continue
            if entry is None or isinstance(entry, (bool, np.bool_)):
                raise TypeError("only integers, slices and '...' index a tensor")
            index = operator.index(entry)
            if index < 0:
                index += dimension
            if not 0 <= index < dimension:
                raise IndexError(f"index {operator.index(entry)} is out of range for a dimension of {dimension}")
            spec.append((True, index, None))
        return spec

    def __getitem__(self, key: Any) -> Any:
        spec = self._spec(key)
        raw, shape = self._opened._open_reader().slice_bytes(self._name, spec)
        return self._opened._framework_tensor(_as_array(raw, self._dtype, shape, self._opened._dtypes), self._dtype)
