"""Manifests, verification and sharded checkpoints in stguard.audit (the
audit library's, bound): the manifest is the one st-audit --manifest
writes, verification names every tensor that changed, and an index's
audit reports every inconsistency."""
from __future__ import annotations

import hashlib
import json
import subprocess

import numpy as np
import pytest

import stguard
import stguard.numpy
from scan_helpers import st_audit_path


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "model.safetensors"
    stguard.numpy.save_file({"w": np.arange(12, dtype=np.float32).reshape(3, 4), "b": np.ones(4, dtype=np.float16),
                             "n": np.array([1, 2], dtype=np.int64)}, path)
    return path


def test_report_manifest_holds_every_tensor(model):
    report = stguard.audit(model, digests=True)
    manifest = report.manifest
    assert manifest.file_size == model.stat().st_size
    assert manifest.file_sha256 == hashlib.sha256(model.read_bytes()).hexdigest() == report.digests["file"]
    assert [tensor.name for tensor in manifest.tensors] == [info.name for info in stguard.validate(model).tensors]
    with stguard.safe_open(model) as opened:
        for tensor in manifest.tensors:
            array = opened.get_tensor(tensor.name)
            assert tensor.sha256 == hashlib.sha256(array.tobytes()).hexdigest()
            assert tensor.size == array.nbytes and tuple(tensor.shape) == array.shape
    assert manifest.tensor_digests == report.digests["tensors"]
    assert stguard.audit(model).manifest is None  # digests not asked for


def test_manifest_json_round_trip_and_st_audit(model, tmp_path):
    manifest = stguard.audit(model, digests=True).manifest
    assert stguard.Manifest.from_json(manifest.to_json()) == manifest
    manifest.write(tmp_path / "m.json")
    assert stguard.read_manifest(tmp_path / "m.json") == manifest
    parsed = json.loads(manifest.to_json())
    assert parsed["manifest"] == "stguard-digests" and parsed["file"]["sha256"] == manifest.file_sha256
    tool = st_audit_path()
    if tool is None:
        pytest.skip("no st-audit binary (scripts/test-python.sh builds it and sets STGUARD_ST_AUDIT)")
    subprocess.run([tool, "--manifest", str(tmp_path / "tool.json"), str(model)], check=True, capture_output=True)
    assert (tmp_path / "tool.json").read_text() == manifest.to_json()  # byte for byte
    verified = subprocess.run([tool, "--verify", str(tmp_path / "m.json"), str(model)], capture_output=True)
    assert verified.returncode == 0, verified.stdout


def test_verify_names_what_changed(model, tmp_path):
    manifest = stguard.audit(model, digests=True).manifest
    assert stguard.verify(model, manifest) and stguard.verify(model, manifest).ok
    manifest.write(tmp_path / "m.json")
    assert stguard.verify(model, tmp_path / "m.json").ok
    stguard.numpy.save_file({"w": np.arange(12, dtype=np.float32).reshape(4, 3), "b": np.zeros(4, dtype=np.float16),
                             "extra": np.ones(1, dtype=np.uint8)}, model)
    result = stguard.verify(model, manifest)
    assert not result and not result.file_digest_matches and not result.file_size_matches
    kinds = {difference.tensor: difference.kind for difference in result.differences}
    assert kinds == {"b": "changed", "w": "layout-changed", "n": "missing", "extra": "extra"}
    assert [difference.tensor for difference in result.differences] == sorted(kinds)


def test_verify_an_invalid_file_and_bad_manifests(model, tmp_path):
    manifest = stguard.audit(model, digests=True).manifest
    model.write_bytes(model.read_bytes()[:-1])
    result = stguard.verify(model, manifest)
    assert not result.ok and result.error.code == "DATA_TRUNCATED" and result.differences == []
    for text in ["", "{}", '{"manifest": "stguard-digests"}', manifest.to_json().replace('"sha256"', '"sha1"', 1),
                 manifest.to_json().replace(manifest.file_sha256, "00" * 31), "[" * 100000]:
        with pytest.raises(ValueError):
            stguard.Manifest.from_json(text)
    bad = stguard.Manifest(10, "zz" * 32)
    with pytest.raises(ValueError):
        bad.to_json()
    with pytest.raises(FileNotFoundError):
        stguard.verify(model, tmp_path / "missing.json")


SHARD1 = "model-00001-of-00002.safetensors"
SHARD2 = "model-00002-of-00002.safetensors"


def _shards(folder, weight_map, total_size=None):
    stguard.numpy.save_file({"a": np.arange(4, dtype=np.uint8), "b": np.array([5, 6], dtype=np.uint8)}, folder / SHARD1)
    stguard.numpy.save_file({"c": np.array([7], dtype=np.uint8)}, folder / SHARD2)
    index = {"weight_map": weight_map}
    if total_size is not None:
        index["metadata"] = {"total_size": total_size}
    path = folder / "model.safetensors.index.json"
    path.write_text(json.dumps(index))
    return path


def test_audit_index_of_a_consistent_set(tmp_path):
    index = _shards(tmp_path, {"a": SHARD1, "b": SHARD1, "c": SHARD2}, total_size=7)
    reports = stguard.audit_index(index, digests=True)
    assert [report.path.rsplit("/", 1)[-1] for report in reports] == [index.name, SHARD1, SHARD2]
    assert reports[0].verdict == "valid" and reports[0].findings == []
    assert all(report.verdict == "valid" and report.manifest is not None for report in reports[1:])
    assert stguard.audit_index(index, require_total_size=True)[0].verdict == "valid"


def test_audit_index_reports_every_inconsistency(tmp_path):
    index = _shards(tmp_path, {"a": SHARD1, "c": SHARD1, "z": SHARD2})
    reports = stguard.audit_index(index)
    rules = sorted((finding.rule, finding.tensor) for finding in reports[0].findings)
    assert ("STG-SHARD-003", "z") in rules  # listed, in no shard
    assert ("STG-SHARD-004", "b") in rules  # in a shard, not listed
    assert ("STG-SHARD-005", "c") in rules  # listed in the wrong shard
    assert reports[0].verdict == "invalid"
    assert stguard.audit_index(_shards(tmp_path, {"a": SHARD1, "b": SHARD1, "c": SHARD2}),
                               require_total_size=True)[0].verdict == "invalid"
    (tmp_path / "model.safetensors.index.json").write_text("{not json")
    broken = stguard.audit_index(tmp_path / "model.safetensors.index.json")
    assert broken[0].verdict == "invalid" and broken[0].findings[0].rule == "STG-SHARD-001" and len(broken) == 1
    with pytest.raises(FileNotFoundError):
        stguard.audit_index(tmp_path / "missing.index.json")
    with pytest.raises(TypeError):
        stguard.audit_index(b"{}")
