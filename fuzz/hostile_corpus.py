#!/usr/bin/env python3
"""Writes a corpus of hostile inputs that owes nothing to corpus/ or the seeds.

The fuzz targets are checked against it (fuzz/CAMPAIGNS.md, "Hostile corpus"):
every target must run every file without a finding, and a short campaign
seeded with it must stay clean. Independence matters: the seeds were made by
the same people as the harnesses, so a wrong assumption in a harness (see
findings H1-H4, F5) hides from them. Sources:

  * JSON documents found on this machine (package metadata, schemas, ...),
    as they are and wrapped as a safetensors header (8-byte length + JSON +
    random data bytes);
  * non-JSON files found on this machine (zip, gzip, PDF, PNG, shared
    objects), raw and with their first 4 KiB wrapped as a header;
  * extremes written here: header lengths of 2^64-1 and 2^62, deep nesting
    (100,000 levels), 20,000 tensors, 2,000 metadata keys of 1 KB, shapes and
    offsets at 2^64-1, 5,000-digit and 1e400 numbers, NUL and invalid UTF-8
    in names, surrogate escapes, a BOM, 100 KB of padding before '{', 1 MiB of
    zeros / 0xFF / random bytes, hostile shard indexes;
  * 200 random byte strings and 200 headers with up to 3 random bytes changed.

The machine-found part depends on the installed packages; the written part is
the same on every run (fixed seed).

Usage: fuzz/hostile_corpus.py OUT_DIR [--max-found N]   (default N = 300)
"""
import argparse
import json
import os
import random
import struct
import subprocess


def as_header(header: bytes, data: bytes = b"") -> bytes:
    return struct.pack("<Q", len(header)) + header + data


def found_files(find_expression: str) -> list[str]:
    command = (
        "find / -xdev \\( -path /proc -o -path /sys -o -path /work -o -path /tmp \\) -prune -o "
        f"-type f \\( {find_expression} \\) -size -300k -print"
    )
    listing = subprocess.run(command, shell=True, capture_output=True, text=True).stdout.split()
    return sorted(listing)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    parser.add_argument("--max-found", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(7)
    os.makedirs(args.out_dir, exist_ok=True)

    def put(name: str, data: bytes) -> None:
        with open(os.path.join(args.out_dir, name), "wb") as out:
            out.write(data)

    def random_bytes(count: int) -> bytes:
        return bytes(rng.randrange(256) for _ in range(count))

    jsons = found_files("-name '*.json'")
    rng.shuffle(jsons)
    for i, path in enumerate(jsons[: args.max_found]):
        with open(path, "rb") as f:
            body = f.read()
        put(f"found_json_{i}", body)
        put(f"found_json_as_header_{i}", as_header(body, random_bytes(rng.randint(0, 64))))

    others = found_files("-name '*.zip' -o -name '*.pdf' -o -name '*.gz' -o -name '*.png' -o -name '*.so*'")
    rng.shuffle(others)
    for i, path in enumerate(others[: args.max_found // 4]):
        with open(path, "rb") as f:
            body = f.read()
        put(f"found_binary_{i}", body)
        put(f"found_binary_as_header_{i}", as_header(body[:4096]))

    put("length_all_ones", b"\xff" * 8 + b"{}")
    put("length_2_62", struct.pack("<Q", 1 << 62) + b"{}")
    put("length_100MB_short_file", struct.pack("<Q", 100_000_001) + b"{" + b" " * 100)
    put("deep_arrays", as_header(b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}"))
    put("deep_objects", as_header(b'{"a":' + b'{"a":' * 50_000 + b"1" + b"}" * 50_001))
    put("unclosed_arrays", as_header(b"[" * 200_000))
    many = {f"t{i}": {"dtype": "U8", "shape": [1], "data_offsets": [i, i + 1]} for i in range(20_000)}
    put("tensors_20000", as_header(json.dumps(many).encode(), b"\0" * 20_000))
    put("shape_2_96_elements", as_header(b'{"a":{"dtype":"F64","shape":[4294967296,4294967296,4294967296],'
                                         b'"data_offsets":[0,0]}}'))
    put("shape_u64_max", as_header(b'{"a":{"dtype":"F64","shape":[18446744073709551615,2],"data_offsets":[0,16]}}'))
    put("offset_u64_max", as_header(b'{"a":{"dtype":"U8","shape":[1],"data_offsets":[18446744073709551615,0]}}'))
    put("integer_5000_digits", as_header(b'{"__metadata__":{"x":"y"},"a":{"dtype":"U8","shape":[' + b"9" * 5000 +
                                         b'],"data_offsets":[0,1]}}', b"\0"))
    put("number_1e400", as_header(b'{"a":{"dtype":"U8","shape":[1e400],"data_offsets":[0,1]}}', b"\0"))
    put("nul_in_name", as_header(b'{"a\x00b":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', b"\0"))
    put("overlong_utf8_name", as_header(b'{"\xc0\xaf":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', b"\0"))
    put("surrogate_escapes", as_header(b'{"\\ud800\\udc00\\udfff\\ud800":{"dtype":"U8","shape":[1],'
                                       b'"data_offsets":[0,1]}}', b"\0"))
    put("bom_before_header", as_header(b"\xef\xbb\xbf{}"))
    metadata = {"__metadata__": {f"k{i}": "v" * 1000 for i in range(2000)}}
    put("metadata_2000_keys", as_header(json.dumps(metadata).encode()))
    put("empty", b"")
    put("one_byte", b"\x00")
    put("seven_bytes", b"\x01" * 7)
    put("zeros_1MiB", b"\0" * (1 << 20))
    put("ff_1MiB", b"\xff" * (1 << 20))
    put("random_1MiB", random_bytes(1 << 20))
    put("spaces_before_header", as_header(b" " * 100_000 + b"{}"))
    weight_map = {f"w{i}": f"model-{i:05d}-of-99999.safetensors" for i in range(5000)}
    put("index_total_2_70", json.dumps({"metadata": {"total_size": 2**70}, "weight_map": weight_map}).encode())
    put("index_path_traversal", json.dumps({"metadata": {}, "weight_map": {
        "a": "../../etc/passwd", "b": "/abs", "c": "x\\..\\y", "d": "C:model.safetensors"}}).encode())

    dtypes = ["F32", "BF16", "F8_E4M3", "I64", "BOOL", "C64", "Q4", "f32", ""]
    for i in range(200):
        put(f"random_{i}", random_bytes(rng.randint(0, 4000)))
        shape = [rng.randint(0, 5) for _ in range(rng.randint(0, 4))]
        header = {"a": {"dtype": rng.choice(dtypes), "shape": shape, "data_offsets": [0, rng.randint(0, 200)]}}
        text = bytearray(json.dumps(header).encode())
        for _ in range(rng.randint(0, 3)):
            text[rng.randrange(len(text))] = rng.randrange(256)
        put(f"mutated_{i}", as_header(bytes(text), random_bytes(rng.randint(0, 200))))
    print(f"hostile_corpus: {len(os.listdir(args.out_dir))} files in {args.out_dir}")


if __name__ == "__main__":
    main()
