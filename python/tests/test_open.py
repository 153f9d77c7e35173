"""stguard.safe_open: keys, metadata, tensors, slices, modes, lifetimes."""
from __future__ import annotations

import gc
import itertools
import os
import struct

import numpy as np
import pytest

import stguard
import stguard.numpy
from conftest import CORPUS, make_file

MODES = ["mapped", "snapshot", "pread"]


@pytest.mark.parametrize("mode", MODES)
def test_keys_metadata_tensors(f32_file, mode):
    with stguard.safe_open(f32_file, framework="numpy", mode=mode) as opened:
        assert opened.keys() == ["s", "w"]
        assert opened.offset_keys() == ["s", "w"]  # I64 before F32: the reference layout
        assert opened.metadata() == {"k": "v"}
        w = opened.get_tensor("w")
        assert w.dtype == np.float32 and w.shape == (2, 3)
        np.testing.assert_array_equal(w, np.arange(6, dtype=np.float32).reshape(2, 3))
        s = opened.get_tensor("s")
        assert s.shape == () and s.dtype == np.int64 and int(s) == 7
        # zero-copy views are read-only; pread copies are new writable arrays
        assert w.flags.writeable == (mode == "pread")
        copied = opened.get_tensor("w", copy=True)
        assert copied.flags.writeable
        copied[0, 0] = 42
        assert opened.get_tensor("w")[0, 0] == 0
        assert opened.header().tensor_count == 2


def test_mapped_arrays_share_memory_and_refuse_writes(f32_file):
    with stguard.safe_open(f32_file) as opened:
        first, second = opened.get_tensor("w"), opened.get_tensor("w")
        assert np.shares_memory(first, second)
        with pytest.raises(ValueError):
            first[0, 0] = 1


@pytest.mark.parametrize("mode", MODES)
def test_arrays_outlive_the_with_block_and_the_file(f32_file, mode):
    with stguard.safe_open(f32_file, mode=mode) as opened:
        w = opened.get_tensor("w")
    del opened
    os.unlink(f32_file)
    gc.collect()
    np.testing.assert_array_equal(w, np.arange(6, dtype=np.float32).reshape(2, 3))


def test_closed_handle_refuses_use(f32_file):
    opened = stguard.safe_open(f32_file)
    opened.close()
    for call in (opened.keys, opened.metadata, lambda: opened.get_tensor("w"), lambda: opened.get_slice("w")):
        with pytest.raises(ValueError, match="closed"):
            call()
    with pytest.raises(ValueError):
        opened.__enter__()


def test_missing_tensor_and_bad_names(f32_file):
    with stguard.safe_open(f32_file) as opened:
        with pytest.raises(KeyError) as caught:
            opened.get_tensor("nope")
        assert isinstance(caught.value, stguard.TensorNotFoundError) and caught.value.code == "TENSOR_NOT_FOUND"
        with pytest.raises(KeyError):
            opened.get_slice("nope")
        with pytest.raises(TypeError):
            opened.get_tensor(b"w")


def test_open_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        stguard.safe_open(tmp_path / "missing.safetensors")
    with pytest.raises(stguard.InvalidFileError) as caught:
        stguard.safe_open(CORPUS / "n_data_truncated.safetensors")
    assert caught.value.code == "DATA_TRUNCATED" and caught.value.offset is not None
    assert isinstance(caught.value, ValueError)
    with pytest.raises(stguard.InvalidFileError) as caught:
        stguard.safe_open(CORPUS / "i_unknown_field.safetensors")
    assert caught.value.code == "UNKNOWN_TENSOR_FIELD" and caught.value.tensor
    assert stguard.safe_open(CORPUS / "i_unknown_field.safetensors", profile="compat").keys()
    with pytest.raises(stguard.InvalidFileError) as caught:
        stguard.safe_open(CORPUS / "y_single_f32.safetensors", max_tensors=0)
    assert caught.value.error.error_class == "limit"
    for bad in ({"framework": "tf"}, {"device": "cuda"}, {"mode": "lazy"}, {"dtypes": "float16"},
                {"profile": "loose"}):
        with pytest.raises(ValueError):
            stguard.safe_open(CORPUS / "y_single_f32.safetensors", **bad)


def _file_with(dtype: str, shape, data: bytes, tmp_path):
    path = tmp_path / f"{dtype}.safetensors"
    path.write_bytes(make_file({"t": {"dtype": dtype, "shape": list(shape), "data_offsets": [0, len(data)]}}, data))
    return path


def test_bf16_raw_and_float32(tmp_path):
    values = np.array([1.0, -2.5, 3.140625, 0.0], dtype=np.float32)
    bits = (values.view(np.uint32) >> 16).astype("<u2")
    path = _file_with("BF16", [2, 2], bits.tobytes(), tmp_path)
    with stguard.safe_open(path) as opened:
        raw = opened.get_tensor("t")
        assert raw.dtype == np.dtype("<u2") and raw.shape == (2, 2)
        np.testing.assert_array_equal(raw.ravel(), bits)
    with stguard.safe_open(path, dtypes="float32") as opened:
        converted = opened.get_tensor("t")
        assert converted.dtype == np.float32
        np.testing.assert_array_equal(converted.ravel(), values)
        np.testing.assert_array_equal(opened.get_slice("t")[1], values[2:])


@pytest.mark.parametrize("dtype,byte,value", [
    ("F8_E4M3", 0x38, 1.0), ("F8_E4M3", 0x7E, 448.0), ("F8_E4M3", 0xB8, -1.0), ("F8_E4M3", 0x01, 2.0 ** -9),
    ("F8_E5M2", 0x3C, 1.0), ("F8_E5M2", 0x7B, 57344.0), ("F8_E5M2", 0x7C, float("inf")),
    ("F8_E4M3FNUZ", 0x40, 1.0), ("F8_E5M2FNUZ", 0x40, 1.0), ("F8_E8M0", 127, 1.0), ("F8_E8M0", 130, 8.0),
])
def test_f8_conversion(tmp_path, dtype, byte, value):
    path = _file_with(dtype, [1], bytes([byte]), tmp_path)
    with stguard.safe_open(path) as opened:
        assert opened.get_tensor("t").dtype == np.uint8 and opened.get_tensor("t")[0] == byte
    with stguard.safe_open(path, dtypes="float32") as opened:
        assert opened.get_tensor("t")[0] == np.float32(value)


@pytest.mark.parametrize("dtype,byte", [("F8_E4M3", 0x7F), ("F8_E5M2", 0x7D), ("F8_E4M3FNUZ", 0x80),
                                        ("F8_E5M2FNUZ", 0x80), ("F8_E8M0", 0xFF)])
def test_f8_nan(tmp_path, dtype, byte):
    with stguard.safe_open(_file_with(dtype, [1], bytes([byte]), tmp_path), dtypes="float32") as opened:
        assert np.isnan(opened.get_tensor("t")[0])


def test_subbyte_dtypes_are_packed_bytes(tmp_path):
    path = _file_with("F4", [2, 4], bytes([0x12, 0x34, 0x56, 0x78]), tmp_path)
    with stguard.safe_open(path) as opened:
        packed = opened.get_tensor("t")
        assert packed.dtype == np.uint8 and packed.tolist() == [0x12, 0x34, 0x56, 0x78]
        assert opened.get_slice("t")[1].tolist() == [0x56, 0x78]
        with pytest.raises(stguard.SliceError) as caught:
            opened.get_slice("t")[0, 1]  # half a byte
        assert caught.value.code == "SLICE_NOT_BYTE_ALIGNED"
    with stguard.safe_open(path, dtypes="float32") as opened:
        with pytest.raises(ValueError):
            opened.get_tensor("t")


@pytest.mark.parametrize("mode", MODES)
def test_slices_match_numpy(tmp_path, mode):
    full = np.arange(4 * 3 * 5, dtype=np.int32).reshape(4, 3, 5)
    path = tmp_path / "s.safetensors"
    stguard.numpy.save_file({"x": full}, path)
    keys = [0, -1, 3, slice(None), slice(1, 3), slice(-2, None), slice(2, 2), slice(3, 1), slice(None, 99),
            (1, 2), (slice(0, 2), 1), (Ellipsis, 4), (1, Ellipsis), (slice(None), slice(1, 3), 0),
            (np.int64(2), slice(0, 1)), ()]
    with stguard.safe_open(path, mode=mode) as opened:
        view = opened.get_slice("x")
        assert view.get_shape() == [4, 3, 5] and view.get_dtype() == "I32" and len(view) == 4
        for key in keys:
            got = view[key]
            np.testing.assert_array_equal(got, full[key], err_msg=repr(key))
            assert got.shape == full[key].shape and got.dtype == full.dtype


def test_slice_errors(f32_file):
    with stguard.safe_open(f32_file) as opened:
        view = opened.get_slice("w")
        for key, error in ((2, IndexError), (-3, IndexError), ((0, 0, 0), IndexError), (slice(0, 2, 2), ValueError),
                           (None, TypeError), ("0", TypeError), (1.0, TypeError), ((Ellipsis, Ellipsis), IndexError),
                           (True, TypeError)):
            with pytest.raises(error):
                view[key]
        scalar = opened.get_slice("s")
        assert scalar[()] == 7 and scalar[...] == 7
        with pytest.raises(TypeError):
            len(scalar)


def test_random_slices_against_numpy(tmp_path):
    rng = np.random.default_rng(7)
    tensors = {f"t{i}": rng.standard_normal(tuple(rng.integers(1, 5, size=rng.integers(1, 4)))).astype(np.float32)
               for i in range(10)}
    path = tmp_path / "r.safetensors"
    stguard.numpy.save_file(tensors, path)
    with stguard.safe_open(path) as opened:
        for name, array in tensors.items():
            view = opened.get_slice(name)
            for _ in range(20):
                key = tuple(slice(*sorted(int(v) for v in rng.integers(-d - 1, d + 2, size=2))) if rng.random() < 0.6
                            else int(rng.integers(-d, d)) for d in array.shape[:rng.integers(1, array.ndim + 1)])
                np.testing.assert_array_equal(view[key], array[key], err_msg=repr(key))


def test_repeated_open_close_does_not_leak_descriptors_or_mappings(f32_file):
    def resources():
        return len(os.listdir("/proc/self/fd")), len(open("/proc/self/maps").read().splitlines())

    for mode in MODES:  # warm up
        with stguard.safe_open(f32_file, mode=mode) as opened:
            opened.get_tensor("w")
    gc.collect()
    before = resources()
    for _, mode in itertools.product(range(200), MODES):
        with stguard.safe_open(f32_file, mode=mode) as opened:
            opened.get_tensor("w")
            opened.get_slice("w")[0]
    gc.collect()
    after = resources()
    assert after[0] <= before[0] and after[1] <= before[1] + 5


def test_pread_sees_a_truncated_file_as_changed(tmp_path):
    path = tmp_path / "big.safetensors"
    stguard.numpy.save_file({"a": np.zeros(1000, dtype=np.float32)}, path)
    with stguard.safe_open(path, mode="pread") as opened:
        os.truncate(path, os.path.getsize(path) - 100)
        with pytest.raises(stguard.FileChangedError) as caught:
            opened.get_tensor("a")
        assert isinstance(caught.value, OSError) and caught.value.code == "IO_FILE_CHANGED"


def test_snapshot_does_not_see_later_writes(tmp_path):
    path = tmp_path / "snap.safetensors"
    stguard.numpy.save_file({"a": np.zeros(4, dtype=np.float32)}, path)
    with stguard.safe_open(path, mode="snapshot") as opened:
        with open(path, "r+b") as handle:
            handle.seek(-4, os.SEEK_END)
            handle.write(struct.pack("<f", 9.0))
        assert opened.get_tensor("a").tolist() == [0.0] * 4


@pytest.mark.parametrize("shape", [[0, 2**64 - 1], [0, 184467440737095115, 562], [1] * 65])
def test_shapes_numpy_cannot_hold_raise_a_clear_error(tmp_path, shape):
    size = 1 if shape == [1] * 65 else 0
    path = _file_with("U8", shape, b"\0" * size, tmp_path)
    with pytest.raises(stguard.InvalidFileError):
        stguard.safe_open(path)  # strict: beyond max_integer or max_rank
    with stguard.safe_open(path, profile="compat") as opened:
        assert opened.get_slice("t").get_shape() == shape
        with pytest.raises(stguard.UnrepresentableShapeError) as caught:
            opened.get_tensor("t")
        assert isinstance(caught.value, ValueError)


def test_buffer_protocol_and_dlpack_exports(f32_file):
    with stguard.safe_open(f32_file) as opened:
        view = opened.get_tensor("w")
        assert memoryview(view).readonly and memoryview(view).nbytes == 24
        writable = opened.get_tensor("w", copy=True)
        np.testing.assert_array_equal(np.from_dlpack(writable), view)


@pytest.mark.parametrize("mode", MODES)
def test_reads_from_threads_on_one_open_file(tmp_path, mode):
    import threading

    tensors = {f"t{i}": np.full((64, 32), i, dtype=np.float32) for i in range(16)}
    path = tmp_path / "threads.safetensors"
    stguard.numpy.save_file(tensors, path)
    failures = []
    with stguard.safe_open(path, mode=mode) as opened:
        def read_all():
            for _ in range(20):
                for name, expected in tensors.items():
                    if not (np.array_equal(opened.get_tensor(name), expected)
                            and np.array_equal(opened.get_slice(name)[3:5], expected[3:5])):
                        failures.append(name)

        threads = [threading.Thread(target=read_all) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not failures
