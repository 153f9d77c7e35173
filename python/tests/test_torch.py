"""framework="pt": torch tensors through DLPack. torch is optional and not
installed by scripts/test-python.sh (too big): without it these tests check
the clear error and skip the rest with the reason."""
from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import stguard
import stguard.numpy
from conftest import make_file

HAVE_TORCH = importlib.util.find_spec("torch") is not None
needs_torch = pytest.mark.skipif(not HAVE_TORCH, reason="torch is not installed (optional; too big for the test venv)")


@pytest.mark.skipif(HAVE_TORCH, reason="torch is installed")
def test_pt_without_torch_is_a_clear_error(f32_file):
    with pytest.raises(ModuleNotFoundError, match="needs torch"):
        stguard.safe_open(f32_file, framework="pt")
    with stguard.safe_open(f32_file, framework="numpy") as opened:  # numpy still works
        assert opened.get_tensor("w").shape == (2, 3)


@needs_torch
@pytest.mark.parametrize("mode", ["mapped", "snapshot", "pread"])
def test_pt_tensors_equal_the_numpy_arrays(f32_file, mode):
    import torch

    with stguard.safe_open(f32_file, framework="pt", mode=mode) as opened:
        w = opened.get_tensor("w")
        assert isinstance(w, torch.Tensor) and w.dtype == torch.float32
        assert w.tolist() == np.arange(6, dtype=np.float32).reshape(2, 3).tolist()
        w += 1  # writable in every mode: never the read-only mapping
        assert opened.get_tensor("w").tolist()[0] == [0.0, 1.0, 2.0]  # the file is untouched
        assert opened.get_slice("w")[1:2].tolist() == [[3.0, 4.0, 5.0]]
        assert int(opened.get_tensor("s")) == 7


@needs_torch
def test_pt_shares_memory_with_a_writable_array(tmp_path):
    import torch

    path = tmp_path / "m.safetensors"
    stguard.numpy.save_file({"w": np.arange(4, dtype=np.int32)}, path)
    array = np.arange(4, dtype=np.int32)
    tensor = stguard._torch.to_torch(array, "I32", "raw")
    array[0] = 42  # zero-copy: the tensor sees it
    assert int(tensor[0]) == 42
    with stguard.safe_open(path, framework="pt", mode="pread") as opened:
        assert opened.get_tensor("w").dtype == torch.int32


@needs_torch
def test_pt_bfloat16_is_torch_bfloat16(tmp_path):
    import torch

    bits = np.array([0x3F80, 0xC000], dtype="<u2")  # 1.0, -2.0 in bfloat16
    path = tmp_path / "bf16.safetensors"
    path.write_bytes(make_file({"x": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}, bits.tobytes()))
    assert stguard.validate(path).valid
    with stguard.safe_open(path, framework="pt") as opened:
        x = opened.get_tensor("x")
        assert x.dtype == torch.bfloat16 and x.float().tolist() == [1.0, -2.0]
    with stguard.safe_open(path, framework="pt", dtypes="float32") as opened:
        assert opened.get_tensor("x").dtype == torch.float32
