#!/usr/bin/env python3
"""st-audit side by side with ModelAudit on one clean and one planted corpus.

Creates (or reuses) the venv build/venv, installs what is missing of
modelaudit, safetensors and numpy from PyPI (and uses the real MLX writer
too when "mlx[cpu]" is installed there; optional), writes the corpus to
build/compare_modelaudit/, runs both scanners over it once, and prints a
Markdown table: per planted file what each tool reports, then detections,
false positives and wall time. Not part of the test command (it needs the
network the first time and takes seconds to minutes).

Usage: bench/compare_modelaudit.py [--st-audit build/release/bin/st-audit]
"""
import argparse
import hashlib
import io
import json
import os
import pathlib
import shutil
import struct
import subprocess
import sys
import time
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
VENV = ROOT / "build" / "venv"
WORK = ROOT / "build" / "compare_modelaudit"
PACKAGES = ["modelaudit", "safetensors", "numpy"]


def venv_python():
    return VENV / "bin" / "python"


def ensure_venv():
    """Creates build/venv and installs what it lacks; re-runs this script inside it."""
    if not venv_python().exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    missing = []
    for package in PACKAGES:
        probe = subprocess.run([str(venv_python()), "-m", "pip", "show", package], capture_output=True)
        if probe.returncode != 0:
            missing.append(package)
    if missing:
        result = subprocess.run([str(venv_python()), "-m", "pip", "install", "-q", *missing])
        if result.returncode != 0:
            sys.exit("pip install %s failed (exit %d); see the pip output above" % (" ".join(missing), result.returncode))
    if pathlib.Path(sys.prefix).resolve() != VENV.resolve():
        os.execv(str(venv_python()), [str(venv_python()), __file__, *sys.argv[1:]])


# ---------------------------------------------------------------- writers

def reference_bytes(tensors, metadata=None):
    """The real reference writer (safetensors.numpy)."""
    from safetensors.numpy import save
    return save(tensors, metadata=metadata)


def dtype_code(array):
    import numpy as np
    codes = {np.dtype(np.float32): "F32", np.dtype(np.float16): "F16", np.dtype(np.float64): "F64",
             np.dtype(np.int32): "I32", np.dtype(np.int64): "I64", np.dtype(np.uint32): "U32",
             np.dtype(np.uint8): "U8", np.dtype(np.int8): "I8", np.dtype(np.bool_): "BOOL"}
    return codes[array.dtype]


def layout_bytes(tensors, metadata, order, sort_keys, null_metadata=False, pad=False):
    """Hand-laid files: MLX (sorted keys, hash order, no padding) and writers before 0.3."""
    names = order(list(tensors))
    offsets, data, position = {}, b"", 0
    for name in names:
        raw = tensors[name].tobytes()
        offsets[name] = [position, position + len(raw)]
        data += raw
        position += len(raw)
    entries = []
    if metadata or null_metadata:
        entries.append(("__metadata__", metadata if metadata else None))
    for name in names:
        entries.append((name, {"dtype": dtype_code(tensors[name]), "shape": list(tensors[name].shape),
                               "data_offsets": offsets[name]}))
    if sort_keys:
        entries.sort(key=lambda item: item[0].encode())
    header = "{" + ",".join(json.dumps(k) + ":" + json.dumps(v, separators=(",", ":"), ensure_ascii=False)
                            for k, v in entries) + "}"
    header = header.encode()
    if pad:
        header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header + data


def mlx_bytes(tensors, metadata=None):
    order = lambda names: sorted(names, key=lambda n: hashlib.md5(n.encode()).hexdigest())
    return layout_bytes(tensors, metadata, order, sort_keys=True, null_metadata=not metadata)


def pre_0_3_bytes(tensors, metadata=None):
    return layout_bytes(tensors, metadata, sorted, sort_keys=False)


def with_header_length(tensors, length):
    """A reference-writer file whose header is exactly `length` bytes (metadata filler)."""
    base = reference_bytes(tensors, {"format": "pt", "config": ""})
    json_length = len(base[8:8 + struct.unpack("<Q", base[:8])[0]].rstrip(b" "))
    filler = length - json_length
    data = reference_bytes(tensors, {"format": "pt", "config": "c" * filler})
    assert struct.unpack("<Q", data[:8])[0] == length, length
    return data


# ---------------------------------------------------------------- corpus

def model(family, width, dtype, rng):
    import numpy as np
    n = width
    t = {}
    if family == "llama":
        emb = rng.normal(0, 0.02, (64, n)).astype(dtype)
        t["model.embed_tokens.weight"] = emb
        t["lm_head.weight"] = emb.copy()
        for i in range(2):
            p = "model.layers.%d." % i
            for proj in ("q_proj", "k_proj", "v_proj", "o_proj"):
                t[p + "self_attn.%s.weight" % proj] = rng.normal(0, 0.02, (n, n)).astype(dtype)
            t[p + "input_layernorm.weight"] = np.ones(n, dtype)
        t["model.norm.weight"] = np.ones(n, dtype)
    elif family == "gpt2":
        t["wte.weight"] = rng.normal(0, 0.02, (64, n)).astype(dtype)
        t["h.0.attn.c_attn.weight"] = rng.normal(0, 0.02, (n, 3 * n)).astype(dtype)
        t["h.0.attn.c_attn.bias"] = np.zeros(3 * n, dtype)
        t["h.0.attn.bias"] = np.tril(np.ones((1, 1, 8, 8), np.bool_))
        t["h.0.attn.masked_bias"] = np.array(-1e4, np.float32)
    elif family == "lora":
        for i in range(2):
            p = "base_model.model.model.layers.%d.self_attn.q_proj." % i
            t[p + "lora_A.weight"] = rng.normal(0, 0.02, (8, n)).astype(dtype)
            t[p + "lora_B.weight"] = np.zeros((n, 8), dtype)
    elif family == "gptq":
        p = "model.layers.0.self_attn.q_proj."
        t[p + "qweight"] = rng.integers(-2**31, 2**31 - 1, (n // 8, n), dtype=np.int32)
        t[p + "qzeros"] = rng.integers(-2**31, 2**31 - 1, (1, n // 8), dtype=np.int32)
        t[p + "scales"] = rng.normal(0.05, 0.01, (1, n)).astype(np.float16)
        t[p + "g_idx"] = np.zeros(n, np.int32)
    elif family == "mlx4bit":
        p = "model.layers.0.mlp.up_proj."
        t[p + "weight"] = rng.integers(0, 2**32 - 1, (n, n // 8), dtype=np.uint32)
        t[p + "scales"] = rng.normal(0.05, 0.01, (n, 1)).astype(np.float16)
        t[p + "biases"] = rng.normal(0, 0.01, (n, 1)).astype(np.float16)
    else:  # vision
        t["features.0.conv.weight"] = rng.normal(0, 0.1, (n, 3, 3, 3)).astype(dtype)
        t["features.0.bn.running_var"] = np.ones(n, np.float32)
        t["features.0.bn.num_batches_tracked"] = np.array(100, np.int64)
        t["classifier.bias"] = np.zeros(10, np.int8)
    return t


def torch_like_zip(pickle_bytes):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("archive/data.pkl", pickle_bytes)
        archive.writestr("archive/version", "3\n")
    return buffer.getvalue()


def malicious_pickle():
    # GLOBAL os.system, a string, TUPLE1, REDUCE: what a booby-trapped checkpoint holds (never loaded here).
    return b"\x80\x02cos\nsystem\nX\x04\x00\x00\x00echo\x85R."


def planted(clean):
    """name -> (bytes, the rule st-audit documents for it)."""
    import numpy as np
    weights = {"w": np.full(4, 0.25, np.float32)}
    p = {}
    zip_bytes = torch_like_zip(malicious_pickle())
    p["trailing_zip"] = (clean + zip_bytes, "STG-POLY-001")
    p["embedded_zip"] = (reference_bytes({"w": weights["w"], "z": np.frombuffer(zip_bytes, np.uint8)}), "STG-POLY-001")
    p["renamed_torch_zip"] = (zip_bytes, "STG-POLY-003")
    p["renamed_pickle"] = (malicious_pickle() + b"\x00" * 32, "STG-POLY-004")
    p["nan"] = (reference_bytes({"w": np.array([1.0, np.nan], np.float32)}), "STG-VAL-001")
    p["inf"] = (reference_bytes({"w": np.array([1.0, np.inf], np.float32)}), "STG-VAL-002")
    bad_bool = bytearray(reference_bytes({"m": np.array([True, False, True], np.bool_)}))
    bad_bool[-1] = 2
    p["bad_bool"] = (bytes(bad_bool), "STG-VAL-003")
    p["bidi_name"] = (reference_bytes({"lm_head\u202e.weight": weights["w"]}), "STG-NAME-003")
    p["tag_name"] = (reference_bytes({"w\U000e0041\U000e0042": weights["w"]}), "STG-NAME-004")
    p["bidi_metadata_value"] = (reference_bytes(weights, {"license": "mit \u2066evil\u2069"}), "STG-META-004")
    p["tag_metadata_value"] = (reference_bytes(weights, {"description": "ok\U000e0069\U000e0067"}), "STG-META-005")
    p["huge_header"] = (reference_bytes(weights, {"blob": "a" * 25_000_100}), "STG-HDR-002")
    dup = b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}'
    p["duplicate_name"] = (struct.pack("<Q", len(dup)) + dup + b"\x00\x00\x80\x3f", "STG-STRICT-001")
    probe = reference_bytes({"x": np.zeros(4096, np.uint8)})
    data_start = len(probe) - 4096
    blob = bytearray(b"\x42" * 4096)
    blob[512 - data_start:512 - data_start + 16] = b"\x89HDF\r\n\x1a\n\x00\x00\x00\x00\x00\x08\x08\x00"
    p["hdf5_superblock"] = (reference_bytes({"x": np.frombuffer(bytes(blob), np.uint8)}), "STG-POLY-005")
    tail = np.frombuffer(b" " * 57 + b"\n%%EOF\n", np.uint8)
    p["pdf"] = (reference_bytes({"x": tail}, {"doc": "%PDF-1.7\n1 0 obj"}), "STG-POLY-006")
    p["base64_pickle_metadata"] = (reference_bytes(weights, {"extra": "gASVCgAAAAAAAAB9lIwBYZRLAXMu"}), "STG-META-003")
    return p


def build_corpus():
    import numpy as np
    if WORK.exists():
        shutil.rmtree(WORK)
    clean_dir, planted_dir = WORK / "clean", WORK / "planted"
    clean_dir.mkdir(parents=True)
    planted_dir.mkdir(parents=True)
    rng = np.random.default_rng(1234)
    count = 0
    for family in ("llama", "gpt2", "lora", "gptq", "mlx4bit", "vision"):
        for dtype in (np.float32, np.float16):
            for width in (8, 16, 24, 32):
                tensors = model(family, width, dtype, rng)
                for writer, write in (("ref", reference_bytes), ("mlx", mlx_bytes), ("pre03", pre_0_3_bytes)):
                    metadata = {"format": "mlx" if writer == "mlx" else "pt"} if width % 16 == 0 else None
                    name = "%s_%s_%s_%d.safetensors" % (writer, family, np.dtype(dtype).name, width)
                    (clean_dir / name).write_bytes(write(tensors, metadata))
                    count += 1
    # The real MLX writer, when the venv has it (pip install "mlx[cpu]"; optional).
    try:
        import mlx.core as mx
    except ImportError:
        mx = None
    if mx is not None:
        for family in ("llama", "gptq", "mlx4bit"):
            for with_metadata in (False, True):
                arrays = {k: mx.array(v) for k, v in model(family, 16, np.float16, rng).items()}
                name = "mlxreal_%s_%s.safetensors" % (family, "meta" if with_metadata else "nometa")
                mx.save_safetensors(str(clean_dir / name), arrays, metadata={"format": "mlx"} if with_metadata else None)
                count += 1
    # Header lengths whose bytes spell what sniffers key on: pickle PROTO 2..5,
    # zlib 78 01/5e/9c/da, "PK", each also + 65,536.
    tensors = {"model.embed_tokens.weight": rng.normal(0, 0.02, (16, 8)).astype(np.float16),
               "model.norm.weight": np.ones(8, np.float16)}
    for base in (0x0280, 0x0380, 0x0480, 0x0580, 0x0178, 0x5E78, 0x9C78, 0xDA78, 0x4B50):
        for extra in (0, 65536):
            length = base + extra
            (clean_dir / ("length_%d.safetensors" % length)).write_bytes(with_header_length(tensors, length))
            count += 1
    clean_sample = reference_bytes({"w": np.full(4, 0.25, np.float32)}, {"format": "pt"})
    for name, (data, rule) in planted(clean_sample).items():
        (planted_dir / (name + ".safetensors")).write_bytes(data)
    return count


# ---------------------------------------------------------------- running

SERIOUS_MODELAUDIT = {"warning", "critical", "error"}


def run_st_audit(binary):
    files = sorted(str(p) for p in WORK.rglob("*.safetensors"))
    started = time.monotonic()
    result = subprocess.run([binary, "--values", "--format", "json", "--fail-on", "low", *files],
                            capture_output=True, text=True)
    elapsed = time.monotonic() - started
    report = json.loads(result.stdout)
    by_file = {}
    for entry in report["files"]:
        rules = {f["rule"] for f in entry["findings"] if f["severity"] != "info"}
        info = {f["rule"] for f in entry["findings"] if f["severity"] == "info"}
        by_file[entry["path"]] = {"status": entry["status"], "rules": rules, "info": info}
    return by_file, elapsed


def run_modelaudit():
    env = dict(os.environ, PROMPTFOO_DISABLE_TELEMETRY="1", NO_COLOR="1")
    binary = VENV / "bin" / "modelaudit"
    started = time.monotonic()
    result = subprocess.run([str(binary), "scan", "--format", "json", "--no-cache", str(WORK)],
                            capture_output=True, text=True, env=env)
    elapsed = time.monotonic() - started
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        sys.exit("modelaudit printed no JSON (exit %d): %s" % (result.returncode, result.stderr[-2000:]))
    by_file = {}
    for issue in report.get("issues", []):
        location = str(issue.get("location") or "")
        path = location.split(" ")[0].split(":")[0]
        entry = by_file.setdefault(path, {"serious": [], "info": []})
        bucket = "serious" if str(issue.get("severity")).lower() in SERIOUS_MODELAUDIT else "info"
        entry[bucket].append("%s %s" % (issue.get("rule_code") or "-", issue.get("message", "")[:70]))
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, env=env).stdout.strip()
    return by_file, elapsed, version


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--st-audit", default=str(ROOT / "build" / "release" / "bin" / "st-audit"))
    args = parser.parse_args()
    ensure_venv()
    clean_count = build_corpus()
    ours, our_time = run_st_audit(args.st_audit)
    theirs, their_time, version = run_modelaudit()

    import numpy as np  # noqa: F401  (the corpus needed it; keeps the venv honest)
    planted_names = planted(b"")
    print("st-audit vs %s (%d clean files, %d planted)\n" % (version or "modelaudit", clean_count, len(planted_names)))
    print("| planted file | st-audit documented rule | st-audit | ModelAudit (warning or above) |")
    print("|---|---|---|---|")
    our_hits = their_hits = 0
    for name, (_, rule) in planted_names.items():
        path = str(WORK / "planted" / (name + ".safetensors"))
        mine = ours.get(path, {"status": "?", "rules": set()})
        found = rule in mine["rules"]
        our_hits += found
        other = theirs.get(path, {"serious": [], "info": []})
        their_hits += bool(other["serious"])
        shown = "; ".join(sorted(set(other["serious"])))[:140] or ("info only: " + "; ".join(sorted(set(other["info"])))[:100] if other["info"] else "nothing")
        print("| %s | %s | %s (%s) | %s |" % (name, rule, "found" if found else "MISSED", mine["status"], shown.replace("|", "/")))
    clean_paths = [str(p) for p in sorted((WORK / "clean").glob("*.safetensors"))]
    our_fp = [p for p in clean_paths if ours.get(p, {}).get("rules") or ours.get(p, {}).get("status") == "invalid"]
    their_fp = [p for p in clean_paths if theirs.get(p, {}).get("serious")]
    print("\n| | st-audit | ModelAudit |")
    print("|---|---|---|")
    print("| planted problems detected | %d / %d | %d / %d |" % (our_hits, len(planted_names), their_hits, len(planted_names)))
    print("| clean files flagged (false positives) | %d / %d | %d / %d |" % (len(our_fp), len(clean_paths), len(their_fp), len(clean_paths)))
    our_info = [p for p in clean_paths if ours.get(p, {}).get("info")]
    their_info = [p for p in clean_paths if theirs.get(p, {}).get("info") and not theirs[p]["serious"]]
    print("| clean files with info-level notes only | %d / %d | %d / %d |" % (len(our_info), len(clean_paths), len(their_info), len(clean_paths)))
    print("| wall time, whole corpus | %.2f s | %.2f s |" % (our_time, their_time))
    if their_fp:
        print("\nModelAudit false positives (first 5):")
        for path in their_fp[:5]:
            print("- %s: %s" % (pathlib.Path(path).name, "; ".join(sorted(set(theirs[path]["serious"])))[:200]))
    if their_info:
        print("\nModelAudit info-level notes on clean files (first 3):")
        for path in their_info[:3]:
            print("- %s: %s" % (pathlib.Path(path).name, "; ".join(sorted(set(theirs[path]["info"])))[:200]))
    if our_fp:
        print("\nst-audit false positives:")
        for path in our_fp:
            print("- %s: %s" % (pathlib.Path(path).name, ", ".join(sorted(ours[path]["rules"]))))


if __name__ == "__main__":
    main()
