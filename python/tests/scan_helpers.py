"""Shared by the stguard.scan tests: a generated tree of files (valid,
compat-only, invalid, with NaN, ties and all-zero tensors, and a few large
files the scan splits into tensor runs), and what the st-audit tool says
about each of them."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np

import stguard.numpy
from conftest import CORPUS, REPO

# Large files are split above this many bytes (the scan's split_bytes).
SPLIT_BYTES = 64 << 10


def st_audit_path() -> Optional[str]:
    """The built st-audit: STGUARD_ST_AUDIT (set by scripts/test-python.sh), else build/release/bin."""
    candidate = os.environ.get("STGUARD_ST_AUDIT") or str(REPO / "build" / "release" / "bin" / "st-audit")
    return candidate if os.access(candidate, os.X_OK) else None


def make_tree(root: Path, count: int, seed: int = 22) -> List[Path]:
    """`count` small files of every kind, the corpus, and 4 large files."""
    rng = np.random.default_rng(seed)
    paths: List[Path] = []
    folders = [root / f"shard{index}" for index in range(4)]
    for folder in folders:
        folder.mkdir(parents=True)
    for index in range(count):
        path = folders[index % 4] / f"m{index:05d}.safetensors"
        kind = index % 10
        dtype = [np.float32, np.float16, np.int64, np.float64][index % 4]
        tensors = {f"layer.{j}": rng.standard_normal(int(rng.integers(1, 64))).astype(dtype) for j in range(3)}
        if kind == 1 and dtype != np.int64:
            tensors["layer.0"][0] = np.nan
        elif kind == 2:
            tensors["tied"] = tensors["layer.1"].copy()
        elif kind == 3:
            tensors["zeros"] = np.zeros(8, dtype=np.float32)
        elif kind == 4 and dtype != np.int64:
            tensors["layer.2"][-1] = np.inf
        stguard.numpy.save_file(tensors, path, metadata={"index": str(index)})
        if kind == 5:  # truncated: DATA_TRUNCATED
            data = path.read_bytes()
            path.write_bytes(data[:-3])
        elif kind == 6 and index % 20 == 6:  # not safetensors at all
            path.write_bytes(b"PK\x03\x04" + bytes(rng.integers(0, 256, 60, dtype=np.uint8)))
        paths.append(path)
    corpus_copy = root / "corpus"
    corpus_copy.mkdir()
    for source in sorted(CORPUS.glob("*.safetensors")):
        shutil.copyfile(source, corpus_copy / source.name)
        paths.append(corpus_copy / source.name)
    large = root / "large"
    large.mkdir()
    for index in range(4):
        tensors = {f"block.{j:03d}": rng.standard_normal(2048).astype(np.float32) for j in range(96)}
        tensors["block.090"] = tensors["block.003"].copy()  # a tie across tensor runs
        tensors["block.050"][17] = np.nan
        if index == 3:
            tensors["block.010"][:] = 0
        path = large / f"big{index}.safetensors"
        stguard.numpy.save_file(tensors, path)
        paths.append(path)
    return paths


def _st_audit_one(tool: str, path: Path, manifest_folder: Path) -> Dict[str, Any]:
    manifest = manifest_folder / (path.name + f".{abs(hash(str(path)))}.json")
    run = subprocess.run([tool, "--values", "--format", "json", "--fail-on", "high", "--no-progress", "--manifest",
                          str(manifest), str(path)], capture_output=True, text=True, check=False)
    assert run.returncode in (0, 1), run.stderr
    entry = json.loads(run.stdout)["files"][0]
    entry["manifest"] = json.loads(manifest.read_text()) if manifest.exists() else None
    return entry


def st_audit_reports(tool: str, paths: List[Path], manifest_folder: Path) -> Dict[str, Dict[str, Any]]:
    """st-audit --values --manifest on each file (its JSON entry and manifest)."""
    manifest_folder.mkdir(exist_ok=True)
    with ThreadPoolExecutor(max_workers=2) as pool:
        entries = list(pool.map(lambda path: _st_audit_one(tool, path, manifest_folder), paths))
    return {str(path): entry for path, entry in zip(paths, entries)}


def comparable_findings(findings: List[Dict[str, Any]]) -> List[tuple]:
    return [(finding["rule"], finding["severity"], finding["message"], finding.get("offset"), finding.get("tensor"),
             finding.get("evidence") or "") for finding in findings]


def assert_record_matches_st_audit(record: Dict[str, Any], expected: Dict[str, Any]) -> None:
    path = record["path"]
    assert record["verdict"] == expected["status"], path
    expected_code = expected["error"]["code"] if expected.get("error") else None
    assert record["error_code"] == expected_code, path
    assert comparable_findings(record["findings"]) == comparable_findings(expected["findings"]), path
    assert record["suppressed_findings"] == expected["suppressed_findings"], path
    manifest = expected["manifest"]
    if manifest is None:
        assert record["digests"] is None, path
    else:
        assert record["digests"]["file"] == manifest["file"]["sha256"], path
        assert record["digests"]["tensors"] == {tensor["name"]: tensor["sha256"] for tensor in manifest["tensors"]}, path


def stable(record: Dict[str, Any]) -> str:
    """A record without what differs from run to run (timings)."""
    return json.dumps({key: value for key, value in record.items() if key != "timings"}, sort_keys=True)


def load_records(path: Path) -> List[Dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]
