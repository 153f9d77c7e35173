"""Differential test against the real reference, the `safetensors` package.

On every corpus file and on a few thousand generated and mutated files
(seeded): compat accepts exactly what the reference's deserialize and
safe_open accept, strict accepts a subset, and wherever both accept, the
tensors (names, dtypes, shapes, bytes) and metadata are identical.

The one documented class of disagreement (docs/profiles.md, "Compat and the
reference": a number beyond the double range inside an unknown field, which
compat skips and the reference refuses) is counted and allowed; on the corpus
it must be exactly the documented files (scripts/check-reference.py's list).
"""
from __future__ import annotations

import importlib.util
import json
import random
import struct
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np
import pytest
import safetensors

import stguard
import stguard.numpy
from conftest import CORPUS, REPO, corpus_manifest

BITS = {"BOOL": 8, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8,
        "F8_E8M0": 8, "F8_E4M3FNUZ": 8, "F8_E5M2FNUZ": 8, "I16": 16, "U16": 16, "F16": 16, "BF16": 16,
        "I32": 32, "U32": 32, "F32": 32, "C64": 64, "F64": 64, "I64": 64, "U64": 64}

Content = Tuple[Dict[str, Tuple[str, Tuple[int, ...], bytes]], Optional[Dict[str, str]]]


def documented_corpus_differences() -> set:
    spec = importlib.util.spec_from_file_location("check_reference", REPO / "scripts" / "check-reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {name + ".safetensors" for name in module.documented_differences()}


def reference_content(data: bytes, path: Path) -> Tuple[Optional[Content], Optional[Content]]:
    """What safetensors.deserialize and safetensors.safe_open make of the file (None: refused)."""
    try:
        tensors = {name: (info["dtype"], tuple(info["shape"]), bytes(info["data"]))
                   for name, info in safetensors.deserialize(data)}
        deserialized: Optional[Content] = (tensors, None)
    except Exception:  # noqa: BLE001 - any refusal is a verdict
        deserialized = None
    path.write_bytes(data)
    try:
        with safetensors.safe_open(str(path), framework="numpy") as opened:
            opened_content: Optional[Content] = ({name: None for name in opened.keys()}, opened.metadata())
    except Exception:  # noqa: BLE001
        opened_content = None
    return deserialized, opened_content


def stguard_content(data: bytes, profile: str) -> Optional[Content]:
    result = stguard.validate(data, profile=profile)
    if not result.valid:
        return None
    try:
        arrays = stguard.numpy.load(data, profile=profile)
    except stguard.UnrepresentableShapeError:
        arrays = None  # compat accepts shapes numpy cannot hold
    tensors = {}
    for tensor in result.tensors:
        begin, end = (result.data_offset + offset for offset in tensor.data_offsets)
        assert arrays is None or arrays[tensor.name].tobytes() == data[begin:end]
        tensors[tensor.name] = (tensor.dtype, tensor.shape, data[begin:end])
    return tensors, result.metadata


def has_overflowing_number(data: bytes) -> bool:
    """True when the header holds a JSON number beyond the double range."""
    overflow = []

    def parse_float(text):
        value = float(text)
        if value in (float("inf"), float("-inf")):
            overflow.append(text)
        return value

    def parse_int(text):
        try:
            float(int(text))
        except OverflowError:
            overflow.append(text)
        return int(text)

    try:
        length = struct.unpack("<Q", data[:8])[0]
        json.loads(data[8:8 + length].decode("utf-8"), parse_float=parse_float, parse_int=parse_int)
    except Exception:  # noqa: BLE001 - not JSON at all: not this class
        return False
    return bool(overflow)


class Tally:
    def __init__(self):
        self.files = 0
        self.accepted = 0
        self.strict_accepted = 0
        self.known_differences: List[str] = []
        self.disagreements: List[str] = []


def compare(label: str, data: bytes, path: Path, tally: Tally, expected_difference: Optional[bool] = None) -> None:
    tally.files += 1
    deserialized, opened = reference_content(data, path)
    assert (deserialized is None) == (opened is None), f"{label}: the reference's deserialize and safe_open differ"
    compat = stguard_content(data, "compat")
    strict = stguard_content(data, "strict")
    if strict is not None:
        tally.strict_accepted += 1
        assert strict == compat, f"{label}: strict and compat read the file differently"
    reference_accepts = deserialized is not None
    if (compat is not None) != reference_accepts:
        known = compat is not None and has_overflowing_number(data)
        if expected_difference is not None:
            known = expected_difference
        note = f"{label}: compat {'accepts' if compat else 'refuses'}, reference {'accepts' if reference_accepts else 'refuses'}"
        (tally.known_differences if known else tally.disagreements).append(note)
        return
    if compat is None:
        return
    tally.accepted += 1
    assert compat[0] == deserialized[0], f"{label}: tensors differ"
    assert sorted(compat[0]) == sorted(opened[0]), f"{label}: names differ"
    assert compat[1] == opened[1], f"{label}: metadata differs"


def test_corpus_against_the_reference(tmp_path):
    documented = documented_corpus_differences()
    tally = Tally()
    differing = set()
    for name, strict, compat in corpus_manifest():
        before = len(tally.known_differences) + len(tally.disagreements)
        compare(name, (CORPUS / name).read_bytes(), tmp_path / "f.safetensors", tally,
                expected_difference=name in documented)
        if len(tally.known_differences) + len(tally.disagreements) > before:
            differing.add(name)
    assert tally.files == len(corpus_manifest()) > 100
    assert differing == documented, tally.disagreements + tally.known_differences
    print(f"\ncorpus: {tally.files} files, {tally.accepted} accepted by both, "
          f"{len(tally.known_differences)} documented differences")


# --- generated files -------------------------------------------------------

def random_text(rng: random.Random, allow_controls: bool) -> str:
    alphabet = "abcXYZ09._-/ é€𝄞\"\\"
    if allow_controls:
        alphabet += "\n\t\x00\x1b\x7f\x85"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))


def random_file(rng: random.Random) -> bytes:
    """A file that the reference accepts (most of the time: some names and
    metadata use control characters, which only strict refuses)."""
    entries = []
    offset = 0
    names = set()
    for _ in range(rng.randint(0, 6)):
        dtype = rng.choice(list(BITS))
        shape = [rng.randint(0, 4) for _ in range(rng.randint(0, 3))]
        count = int(np.prod(shape)) if shape else 1
        if (count * BITS[dtype]) % 8:
            shape = shape + [8]
            count *= 8
        size = count * BITS[dtype] // 8
        name = random_text(rng, rng.random() < 0.2) or "t"
        if name in names:
            continue
        names.add(name)
        entries.append((name, dtype, shape, size))
    rng.shuffle(entries)
    header: Dict = {}
    if rng.random() < 0.5:
        header["__metadata__"] = {random_text(rng, rng.random() < 0.1): random_text(rng, rng.random() < 0.1)
                                  for _ in range(rng.randint(0, 3))}
    data = bytearray()
    for name, dtype, shape, size in entries:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + size]}
        data += bytes(rng.getrandbits(8) for _ in range(size))
        offset += size
    items = list(header.items())
    rng.shuffle(items)
    separators = (",", ":") if rng.random() < 0.7 else (", ", ": ")
    text = json.dumps(dict(items), separators=separators, ensure_ascii=rng.random() < 0.5).encode()
    text += b" " * (rng.choice([0, 0, 1, 7]) if rng.random() < 0.3 else -len(text) % 8)
    return struct.pack("<Q", len(text)) + text + bytes(data)


INTERESTING = [b"{", b"}", b"[", b"]", b",", b":", b'"', b"\\", b" ", b"\n", b"0", b"1", b"9", b"-", b"e", b".",
               b"\x00", b"\xff", b"\xc3"]
NUMBERS = [b"18446744073709551615", b"18446744073709551616", b"9007199254740993", b"-0", b"1e2", b"1.0", b"01",
           b"1e400", b"100e307", b"-1", b"4294967296"]
FIELDS = [b'"x":1,', b'"x":1e400,', b'"x":100e307,', b'"x":[{"a":null}],', b'"offsets":[0,1],', b'"dtype":"F32",',
          b'"x":"\\u0000",', b'"x":123456789012345678901234567890,']


def with_header(data: bytes, header: bytes) -> bytes:
    length = struct.unpack("<Q", data[:8])[0]
    return struct.pack("<Q", len(header)) + header + data[8 + length:]


def mutate(rng: random.Random, data: bytes) -> bytes:
    if len(data) < 8:
        return data + bytes([rng.getrandbits(8)])
    length = struct.unpack("<Q", data[:8])[0]
    header = data[8:8 + length]
    choice = rng.randrange(9)
    if choice == 0 and header:  # replace one header byte, keeping N
        at = rng.randrange(len(header))
        return with_header(data, header[:at] + rng.choice(INTERESTING) + header[at + 1:])
    if choice == 1:  # truncate
        return data[:rng.randrange(len(data) + 1)]
    if choice == 2:  # append bytes
        return data + bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 9)))
    if choice == 3:  # change N
        return struct.pack("<Q", max(0, length + rng.choice([-9, -1, 1, 8, 2**40]))) + data[8:]
    if choice == 4 and header:  # insert a byte (N follows)
        at = rng.randrange(len(header) + 1)
        return with_header(data, header[:at] + rng.choice(INTERESTING) + header[at:])
    if choice == 5:  # replace a number
        digits = [i for i, byte in enumerate(header) if 48 <= byte <= 57]
        if digits:
            at = rng.choice(digits)
            end = at
            while end < len(header) and 48 <= header[end] <= 57:
                end += 1
            return with_header(data, header[:at] + rng.choice(NUMBERS) + header[end:])
    if choice == 6:  # add a field to a tensor object
        at = header.find(b'"dtype"')
        if at >= 0:
            return with_header(data, header[:at] + rng.choice(FIELDS) + header[at:])
    if choice == 7:  # duplicate a tensor entry or a metadata key
        start = header.find(b"{", 1)
        if start > 0:
            end = header.find(b"}", start) + 1
            key_start = header.rfind(b",", 0, start) + 1 or 1
            entry = header[max(key_start, 1):end]
            return with_header(data, header[:end] + b"," + entry + header[end:])
    if choice == 8 and header:  # leading or trailing whitespace
        return with_header(data, rng.choice([b" ", b"\n", b"\t"]) + header if rng.random() < 0.5
                           else header.rstrip(b" ") + rng.choice([b"\n", b"\r", b"\t", b"\x00"]))
    return data[:-1] if data else data


def test_generated_and_mutated_files_against_the_reference(tmp_path):
    rng = random.Random(20261201)
    tally = Tally()
    path = tmp_path / "g.safetensors"
    for index in range(300):
        base = random_file(rng)
        compare(f"generated {index}", base, path, tally)
        for round_ in range(10):
            mutated = mutate(rng, base)
            if rng.random() < 0.3:
                mutated = mutate(rng, mutated)
            compare(f"mutated {index}.{round_}", mutated, path, tally)
    print(f"\ngenerated: {tally.files} files, {tally.accepted} accepted by both ({tally.strict_accepted} by strict), "
          f"{len(tally.known_differences)} known differences (numbers beyond the double range in unknown fields), "
          f"{len(tally.disagreements)} other disagreements")
    for note in tally.known_differences[:5]:
        print("  known:", note)
    assert tally.files == 3300
    assert tally.accepted > 500 and tally.strict_accepted > 200  # the generator reaches acceptance often
    assert not tally.disagreements, "\n".join(tally.disagreements[:20])


@pytest.mark.parametrize("seed", range(20))
def test_reference_writer_output_passes_strict_and_reads_identically(tmp_path, seed):
    rng = np.random.default_rng(seed)
    tensors = {f"layer{i}.weight": rng.standard_normal(tuple(rng.integers(0, 5, size=rng.integers(0, 4))))
               .astype(rng.choice([np.float32, np.float16, np.int64, np.uint8, np.bool_])) for i in range(8)}
    path = tmp_path / "ref.safetensors"
    import safetensors.numpy

    safetensors.numpy.save_file(tensors, str(path), metadata={"seed": str(seed)})
    assert stguard.validate(path).valid
    loaded = stguard.numpy.load_file(path)
    for name, array in tensors.items():
        np.testing.assert_array_equal(loaded[name], array)
        assert loaded[name].dtype == array.dtype
    ours = tmp_path / "ours.safetensors"
    stguard.numpy.save_file(tensors, ours, metadata={"seed": str(seed)})
    again = safetensors.numpy.load_file(str(ours))
    for name, array in tensors.items():
        np.testing.assert_array_equal(again[name], array)
