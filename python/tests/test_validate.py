"""stguard.validate, validate_prefix and StreamValidator."""
from __future__ import annotations

import io
import os
import threading

import pytest

import stguard
from conftest import CORPUS, corpus_manifest, make_file

VALID = make_file({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "__metadata__": {"k": "v"}},
                  b"\0" * 8)


@pytest.mark.parametrize("name,strict,compat", corpus_manifest())
def test_corpus_verdicts_match_manifest(name, strict, compat):
    path = CORPUS / name
    for profile, expected in (("strict", strict), ("compat", compat)):
        result = stguard.validate(path, profile=profile)
        assert result.valid == (expected == "OK"), (profile, result.error)
        if expected != "OK":
            assert result.error.code == expected
            assert not result.tensors
        # bytes, a file object and chunks give the same verdict as the path
        data = path.read_bytes()
        assert stguard.validate(data, profile=profile) == result
        assert stguard.validate(io.BytesIO(data), profile=profile).valid == result.valid
        stream = stguard.StreamValidator(profile)
        for at in range(0, len(data), 7):
            stream.feed(data[at:at + 7])
        assert stream.finish() == result
        assert stream.bytes_seen == len(data) or stream.failed


def test_valid_result_fields():
    result = stguard.validate(VALID)
    assert result and result.valid and result.error is None
    assert result.tensor_count == 1
    tensor = result.tensors[0]
    assert (tensor.name, tensor.dtype, tensor.shape, tensor.data_offsets, tensor.nbytes) == ("a", "F32", (2,), (0, 8), 8)
    assert result.metadata == {"k": "v"}
    assert result.data_offset == 8 + result.header_length
    assert result.file_size == len(VALID) and result.data_size == 8


def test_invalid_result_never_raises_and_carries_the_error():
    truncated = VALID[:-1]
    result = stguard.validate(truncated)
    assert not result and result.error is not None
    error = result.error
    assert (error.code, error.number, error.error_class) == ("DATA_TRUNCATED", 506, "layout")
    assert error.message and str(error).startswith("DATA_TRUNCATED")
    for garbage in (b"", b"\xff" * 3, b"\xff" * 64, bytes(range(256)) * 4):
        assert not stguard.validate(garbage).valid


def test_error_offset_and_tensor():
    data = make_file({"a": {"dtype": "F99", "shape": [], "data_offsets": [0, 4]}}, b"\0" * 4)
    error = stguard.validate(data).error
    assert error.code == "UNKNOWN_DTYPE" and error.tensor == "a" and error.offset is not None and error.offset >= 8


def test_buffer_types_and_paths(tmp_path):
    path = tmp_path / "v.safetensors"
    path.write_bytes(VALID)
    expected = stguard.validate(VALID)
    for source in (bytearray(VALID), memoryview(VALID), str(path), path, open(path, "rb")):
        assert stguard.validate(source) == expected
    with pytest.raises(TypeError):
        stguard.validate(io.StringIO("text"))


def test_profiles_and_limits():
    unknown_field = make_file({"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1], "x": 1}}, b"\0")
    assert stguard.validate(unknown_field).error.code == "UNKNOWN_TENSOR_FIELD"
    compat = stguard.validate(unknown_field, profile="compat")
    assert compat.valid and [v.code for v in compat.strict_violations] == ["UNKNOWN_TENSOR_FIELD"]
    assert stguard.validate(VALID, max_tensors=0).error.code == "LIMIT_TENSOR_COUNT"
    assert stguard.validate(VALID, max_tensors=0).error.error_class == "limit"
    assert stguard.validate(VALID, max_header_bytes=8).error.code == "LIMIT_HEADER_BYTES"


@pytest.mark.parametrize("bad", [{"profile": "lenient"}, {"max_tensor": 1}, {"max_rank": -1}, {"max_rank": 2**64},
                                 {"max_rank": "3"}, {"max_rank": True}])
def test_bad_arguments_raise(bad):
    with pytest.raises((TypeError, ValueError)):
        stguard.validate(VALID, **bad)


def test_wrong_source_types_raise():
    for source in (None, 42, 1.5, ["a"]):
        with pytest.raises(TypeError):
            stguard.validate(source)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError):
        stguard.validate(tmp_path / "missing.safetensors")
    with pytest.raises(OSError):
        stguard.validate(tmp_path)


def test_fifo_is_not_a_regular_file(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(stguard.IOFailureError) as caught:
        stguard.validate(fifo)
    assert caught.value.code == "IO_NOT_REGULAR_FILE"


def test_validate_prefix():
    header_end = 8 + int.from_bytes(VALID[:8], "little")
    assert stguard.validate_prefix(VALID[:header_end], len(VALID)) == stguard.validate(VALID)
    assert stguard.validate_prefix(VALID[:header_end], len(VALID) - 1).error.code == "DATA_TRUNCATED"
    assert stguard.validate_prefix(VALID[:header_end], len(VALID) + 1).error.code == "TRAILING_BYTES"
    short = stguard.validate_prefix(VALID[:10], len(VALID))
    assert short.error.code == "IO_READ_FAILED"
    with pytest.raises(ValueError):
        stguard.validate_prefix(VALID, -1)
    with pytest.raises(TypeError):
        stguard.validate_prefix("text", 10)


def test_stream_validator_stops_early_and_rejects_wrong_types():
    stream = stguard.StreamValidator()
    assert stream.feed(b"\xff" * 8) is False  # N above the format maximum: known at once
    assert stream.failed
    assert stream.finish().error.code == "HEADER_TOO_LARGE"
    with pytest.raises(TypeError):
        stream.feed("text")
    empty = stguard.StreamValidator()
    assert empty.finish().error.code == "FILE_TOO_SMALL"


def test_validate_from_threads_gives_one_verdict():
    big = make_file({f"t{i}": {"dtype": "U8", "shape": [1], "data_offsets": [i, i + 1]} for i in range(2000)},
                    b"\0" * 2000)
    expected = stguard.validate(big)
    results = []

    def run():
        results.append(stguard.validate(big))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4 and expected.tensor_count == 2000


def test_exceptions_pickle_with_their_error():
    """stguard.scan's tasks raise these on Dask workers; the driver reads the code."""
    import pickle

    with pytest.raises(stguard.InvalidFileError) as raised:
        stguard.safe_open(CORPUS / "n_data_truncated.safetensors")
    copy = pickle.loads(pickle.dumps(raised.value))
    assert type(copy) is stguard.InvalidFileError and copy.error == raised.value.error
    assert copy.code == "DATA_TRUNCATED" and str(copy) == str(raised.value)
