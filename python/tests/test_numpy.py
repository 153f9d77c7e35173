"""stguard.numpy: drop-in load/save against safetensors.numpy."""
from __future__ import annotations

import io
import os

import numpy as np
import pytest
import safetensors.numpy as reference

import stguard
import stguard.numpy as sn

ALL_DTYPES = [np.bool_, np.uint8, np.int8, np.int16, np.uint16, np.float16, np.int32, np.uint32, np.float32,
              np.complex64, np.float64, np.int64, np.uint64]


def sample_tensors(seed: int = 0):
    rng = np.random.default_rng(seed)
    tensors = {}
    for index, dtype in enumerate(ALL_DTYPES):
        shape = tuple(int(d) for d in rng.integers(0, 4, size=index % 4))
        tensors[f"t{index}.{np.dtype(dtype).name}"] = np.asarray(rng.random(shape) * 100).astype(dtype)
    tensors["scalar"] = np.array(3.5)
    tensors["empty"] = np.zeros((0, 3), dtype=np.float32)
    return tensors


def assert_same_dicts(got, expected):
    # Order: both give data order, but tensors at one offset (empty ones) tie.
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name].dtype == expected[name].dtype and got[name].shape == expected[name].shape, name
        np.testing.assert_array_equal(got[name], expected[name])


@pytest.mark.parametrize("metadata", [None, {"format": "np"}, {"note": "é \n\t\u2028\""}])
def test_save_matches_the_reference_byte_for_byte(metadata):
    tensors = sample_tensors()
    assert sn.save(tensors, metadata=metadata) == reference.save(tensors, metadata=metadata)


def test_metadata_with_several_keys_is_written_in_key_order():
    # The reference writes metadata in hash-map order (varies); stguard sorts the keys.
    metadata = {"z": "1", "a": "2", "m": "3"}
    data = sn.save({"t": np.zeros(1)}, metadata=metadata)
    assert data.index(b'"a"') < data.index(b'"m"') < data.index(b'"z"')
    assert stguard.validate(data).metadata == metadata
    assert stguard.validate(reference.save({"t": np.zeros(1)}, metadata=metadata)).metadata == metadata


def test_empty_metadata_writes_no_block():
    # Documented difference: the reference writes "__metadata__":{} for {}.
    data = sn.save({"t": np.zeros(1)}, metadata={})
    assert data == sn.save({"t": np.zeros(1)}) and b"__metadata__" not in data


def test_load_matches_the_reference(tmp_path):
    tensors = sample_tensors(1)
    path = tmp_path / "ref.safetensors"
    reference.save_file(tensors, str(path), metadata={"a": "b"})
    assert stguard.validate(path).valid  # the reference writer's files pass strict
    assert_same_dicts(sn.load_file(path), reference.load_file(str(path)))
    data = path.read_bytes()
    assert_same_dicts(sn.load(data), reference.load(data))
    assert_same_dicts(sn.load(bytearray(data)), reference.load(data))
    assert_same_dicts(sn.load(memoryview(data)), reference.load(data))
    assert_same_dicts(sn.load(io.BytesIO(data)), reference.load(data))
    loaded = sn.load_file(path)
    assert all(array.flags.writeable for array in loaded.values())


def test_our_files_load_in_the_reference(tmp_path):
    tensors = sample_tensors(2)
    path = tmp_path / "ours.safetensors"
    sn.save_file(tensors, path, metadata={"k": "v"})
    assert_same_dicts(reference.load_file(str(path)), sn.load_file(path))
    for name, array in tensors.items():
        np.testing.assert_array_equal(reference.load_file(str(path))[name], array)
    from safetensors import safe_open

    with safe_open(str(path), framework="numpy") as opened:
        assert opened.metadata() == {"k": "v"}


def test_layout_and_views_are_normalised():
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    tensors = {"strided": base[:, ::2], "transposed": base.T, "big_endian": base.astype(">f4"),
               "same_a": base, "same_b": base, "overlap": base[1:]}
    data = sn.save(tensors)
    # safetensors.numpy 0.8 writes a non-C-contiguous array's memory order (its
    # load gives other values back); stguard writes the C-order values.
    assert data == reference.save({name: np.ascontiguousarray(array) for name, array in tensors.items()})
    loaded = sn.load(data)
    for name, array in tensors.items():
        np.testing.assert_array_equal(loaded[name], array)
    assert loaded["big_endian"].dtype == np.dtype("<f4")


def test_stream_to_a_file_object_equals_save():
    tensors = sample_tensors(3)
    out = io.BytesIO()
    sn.save_file(tensors, out, metadata={"m": "1"})
    assert out.getvalue() == sn.save(tensors, metadata={"m": "1"})


class PartialWriter(io.RawIOBase):
    """Accepts at most 5 bytes per write() call, as a raw socket may."""

    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, chunk):
        part = bytes(chunk[:5])
        self.data += part
        return len(part)


class FailingWriter(io.RawIOBase):
    def writable(self):
        return True

    def write(self, chunk):
        raise BrokenPipeError("peer went away")


def test_stream_handles_partial_writes_and_propagates_errors():
    tensors = {"a": np.arange(10, dtype=np.int16)}
    partial = PartialWriter()
    sn.save_file(tensors, partial)
    assert bytes(partial.data) == sn.save(tensors)
    with pytest.raises(BrokenPipeError):
        sn.save_file(tensors, FailingWriter())


def test_save_file_is_atomic(tmp_path):
    path = tmp_path / "model.safetensors"
    sn.save_file({"a": np.ones(3, dtype=np.float32)}, path)
    before = path.read_bytes()
    with pytest.raises(stguard.WriteError) as caught:
        sn.save_file({"": np.ones(3, dtype=np.float32)}, path)  # strict refuses an empty name
    assert caught.value.code == "INVALID_TENSOR_NAME"
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.safetensors"]  # no temporary file left
    sn.save_file({"b": np.zeros(2, dtype=np.int8)}, str(path))
    assert list(sn.load_file(path)) == ["b"]


@pytest.mark.parametrize("tensors,metadata,error", [
    ({"a": np.array(["text"])}, None, ValueError),
    ({"a": np.zeros(2, dtype=np.complex128)}, None, ValueError),
    ({"a": np.zeros(2, dtype=object)}, None, ValueError),
    ({"a": [1, 2]}, None, TypeError),
    ({1: np.zeros(2)}, None, TypeError),
    ({"a": np.zeros(2)}, {"k": 1}, TypeError),
    ({"a": np.zeros(2)}, ["k"], TypeError),
    ({"a\n": np.zeros(2)}, None, stguard.WriteError),
    ({"__metadata__": np.zeros(2)}, None, stguard.WriteError),
    ({"a": np.zeros(2)}, {"k": "\0"}, stguard.WriteError),
    ({"a" * 4097: np.zeros(2)}, None, stguard.WriteError),
    ({"\udcff": np.zeros(2)}, None, (stguard.WriteError, UnicodeError)),
])
def test_save_refuses_bad_input(tmp_path, tensors, metadata, error):
    with pytest.raises(error):
        sn.save(tensors, metadata=metadata)
    with pytest.raises(error):
        sn.save_file(tensors, tmp_path / "x.safetensors", metadata=metadata)
    assert not (tmp_path / "x.safetensors").exists()


def test_load_refuses_invalid_files_and_bad_types(tmp_path):
    data = sn.save({"a": np.zeros(2, dtype=np.float32)})
    for broken in (data[:-1], data + b"\0", b"", b"\xff" * 16):
        with pytest.raises(stguard.InvalidFileError):
            sn.load(broken)
    with pytest.raises(TypeError):
        sn.load("a string")
    with pytest.raises(FileNotFoundError):
        sn.load_file(tmp_path / "missing.safetensors")
    unknown = data.replace(b'"data_offsets"', b'"x":1,"data_offsets"')
    unknown = (int.from_bytes(unknown[:8], "little") + 6).to_bytes(8, "little") + unknown[8:]
    with pytest.raises(stguard.InvalidFileError):
        sn.load(unknown)
    assert list(sn.load(unknown, profile="compat")) == ["a"]
