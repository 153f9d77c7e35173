"""framework="pt": tensors as torch tensors, handed over from numpy through
DLPack (no copy). torch is optional: it is imported only when asked for.

torch tensors cannot be read-only, and the mapped mode's memory is a
read-only mapping of the file: a write through a tensor over it would kill
the process. So in the mapped and snapshot modes each tensor is copied once
into memory of its own (then handed over without a further copy); in the
pread mode, with copy=True and for slices, the array already owns writable
memory and the tensor shares it.
"""
from __future__ import annotations

from typing import Any

import numpy as np

# Dtypes numpy lacks (carried raw) and that torch has: the raw tensor is
# reinterpreted, bit for bit, as torch's dtype of that name when this torch has it.
_TORCH_DTYPE_NAMES = {
    "BF16": "bfloat16",
    "F8_E5M2": "float8_e5m2",
    "F8_E4M3": "float8_e4m3fn",
    "F8_E4M3FNUZ": "float8_e4m3fnuz",
    "F8_E5M2FNUZ": "float8_e5m2fnuz",
    "F8_E8M0": "float8_e8m0fnu",
}


def torch_module() -> Any:
    try:
        import torch
    except ImportError:
        raise ModuleNotFoundError("framework='pt' needs torch, which is not installed "
                                  "(numpy arrays: framework='numpy')") from None
    return torch


def to_torch(array: np.ndarray, dtype_name: str, dtypes: str) -> Any:
    """The torch tensor of a tensor's numpy array (see the module's note on copies)."""
    torch = torch_module()
    if not array.flags.writeable:
        array = array.copy()
    torch_name = _TORCH_DTYPE_NAMES.get(dtype_name)
    reinterpret = dtypes == "raw" and torch_name is not None and hasattr(torch, torch_name)
    if reinterpret and array.dtype == np.uint16:
        array = array.view(np.int16)  # the same bits; older torch lacks uint16 in DLPack
    tensor = torch.from_dlpack(array)
    return tensor.view(getattr(torch, torch_name)) if reinterpret else tensor
