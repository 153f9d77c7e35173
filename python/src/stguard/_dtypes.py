"""safetensors dtypes as numpy dtypes.

numpy has no bfloat16, float8, float6 or float4. Tensors of those dtypes are
handed out as raw unsigned integers holding the file's bits ("raw", the
default): BF16 as uint16, every F8_* as uint8, and the packed sub-byte F4 and
F6_* as a flat uint8 array of their bytes. With dtypes="float32" BF16 and the
F8_* kinds are converted to float32 values instead (a copy); F4/F6 stay raw.
"""
from __future__ import annotations

from typing import Dict, Optional

import numpy as np

# Dtypes numpy holds natively, little-endian as in the file.
NATIVE: Dict[str, np.dtype] = {
    "BOOL": np.dtype("bool"),
    "U8": np.dtype("u1"),
    "I8": np.dtype("i1"),
    "I16": np.dtype("<i2"),
    "U16": np.dtype("<u2"),
    "F16": np.dtype("<f2"),
    "I32": np.dtype("<i4"),
    "U32": np.dtype("<u4"),
    "F32": np.dtype("<f4"),
    "C64": np.dtype("<c8"),
    "F64": np.dtype("<f8"),
    "I64": np.dtype("<i8"),
    "U64": np.dtype("<u8"),
}
# The raw carriers of the others.
RAW: Dict[str, np.dtype] = {
    "BF16": np.dtype("<u2"),
    "F8_E5M2": np.dtype("u1"),
    "F8_E4M3": np.dtype("u1"),
    "F8_E8M0": np.dtype("u1"),
    "F8_E4M3FNUZ": np.dtype("u1"),
    "F8_E5M2FNUZ": np.dtype("u1"),
}
SUBBYTE = frozenset({"F4", "F6_E2M3", "F6_E3M2"})
DTYPE_MODES = ("raw", "float32")

# numpy dtype kind+size -> safetensors name, for the writer.
_FROM_NUMPY: Dict[str, str] = {
    "b1": "BOOL", "u1": "U8", "i1": "I8", "i2": "I16", "u2": "U16", "f2": "F16", "i4": "I32",
    "u4": "U32", "f4": "F32", "c8": "C64", "f8": "F64", "i8": "I64", "u8": "U64",
}


def safetensors_dtype_of(dtype: np.dtype) -> Optional[str]:
    """The safetensors name for a numpy dtype (None when it has none)."""
    return _FROM_NUMPY.get(f"{dtype.kind}{dtype.itemsize}")


def _minifloat_table(exponent_bits: int, mantissa_bits: int, bias: int, kind: str) -> np.ndarray:
    """float32 value of every byte of an 8-bit float format.

    kind: "fn" (no infinity, all-ones exponent and mantissa is NaN),
    "ieee" (all-ones exponent: infinity or NaN), "fnuz" (0x80 is the only NaN,
    no negative zero, no infinity).
    """
    values = np.empty(256, dtype=np.float32)
    top = (1 << exponent_bits) - 1
    for byte in range(256):
        sign = -1.0 if byte & 0x80 else 1.0
        exponent = (byte >> mantissa_bits) & top
        mantissa = byte & ((1 << mantissa_bits) - 1)
        if exponent == 0:
            value = mantissa / (1 << mantissa_bits) * 2.0 ** (1 - bias)
        else:
            value = (1 + mantissa / (1 << mantissa_bits)) * 2.0 ** (exponent - bias)
        if kind == "ieee" and exponent == top:
            value = float("inf") if mantissa == 0 else float("nan")
        if kind == "fn" and exponent == top and mantissa == (1 << mantissa_bits) - 1:
            value = float("nan")
        values[byte] = sign * value
    if kind == "fnuz":
        values[0x80] = np.nan
    return values


def _e8m0_table() -> np.ndarray:
    # 0..254 are 2**-127 .. 2**127; 255 is NaN.
    return np.array([2.0 ** (byte - 127) for byte in range(255)] + [float("nan")], dtype=np.float32)


_F8_TABLES: Dict[str, np.ndarray] = {}


def _f8_table(name: str) -> np.ndarray:
    if name not in _F8_TABLES:
        builders = {
            "F8_E4M3": lambda: _minifloat_table(4, 3, 7, "fn"),
            "F8_E5M2": lambda: _minifloat_table(5, 2, 15, "ieee"),
            "F8_E4M3FNUZ": lambda: _minifloat_table(4, 3, 8, "fnuz"),
            "F8_E5M2FNUZ": lambda: _minifloat_table(5, 2, 16, "fnuz"),
            "F8_E8M0": _e8m0_table,
        }
        _F8_TABLES[name] = builders[name]()
    return _F8_TABLES[name]


def to_float32(raw: np.ndarray, dtype_name: str) -> np.ndarray:
    """float32 values of a raw BF16 or F8_* array (a new array)."""
    if dtype_name == "BF16":
        return (raw.astype("<u4") << 16).view("<f4")
    return _f8_table(dtype_name)[raw]
