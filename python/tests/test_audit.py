"""stguard.audit: verdicts, findings, value scan and digests."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

import stguard
import stguard.numpy
from conftest import CORPUS


def test_clean_file_has_no_serious_findings(f32_file):
    report = stguard.audit(f32_file)
    assert report.verdict == "valid" and report.error is None and report.tensor_count == 2
    assert report.count_at_least("medium") == 0
    assert report.file_size == f32_file.stat().st_size and report.values_scanned is False


def test_strict_rejection_is_a_finding_with_the_gate_severity():
    path = CORPUS / "i_unknown_field.safetensors"
    strict = stguard.audit(path)
    assert strict.verdict == "compat-only"
    found = [finding for finding in strict.findings if finding.rule == "STG-STRICT-001"]
    assert found and found[0].severity == "high" and found[0].tensor
    compat = stguard.audit(path, profile="compat")
    assert [f.severity for f in compat.findings if f.rule == "STG-STRICT-001"] == ["low"] * len(found)


def test_invalid_file_is_a_report_not_an_exception():
    report = stguard.audit(CORPUS / "n_data_truncated.safetensors")
    assert report.verdict == "invalid" and report.error.code == "DATA_TRUNCATED" and report.tensor_count is None
    data = (CORPUS / "n_data_truncated.safetensors").read_bytes()
    assert stguard.audit(data).error == report.error


def test_values_and_digests(tmp_path):
    path = tmp_path / "nan.safetensors"
    stguard.numpy.save_file({"bad": np.array([1.0, np.nan], dtype=np.float32), "ok": np.ones(2)}, path)
    assert not any(f.rule == "STG-VAL-001" for f in stguard.audit(path).findings)
    report = stguard.audit(path, values=True, digests=True)
    assert report.values_scanned
    nan = [finding for finding in report.findings if finding.rule == "STG-VAL-001"]
    assert [finding.tensor for finding in nan] == ["bad"]
    data = path.read_bytes()
    assert report.digests["file"] == hashlib.sha256(data).hexdigest()
    with stguard.safe_open(path) as opened:
        assert report.digests["tensors"]["bad"] == hashlib.sha256(opened.get_tensor("bad").tobytes()).hexdigest()


def test_bad_arguments(tmp_path, f32_file):
    with pytest.raises(FileNotFoundError):
        stguard.audit(tmp_path / "missing.safetensors")
    with pytest.raises(TypeError):
        stguard.audit(42)
    with pytest.raises(ValueError):
        stguard.audit(f32_file, profile="nope")
    with pytest.raises(ValueError):
        stguard.audit(f32_file).count_at_least("critical")


def test_metadata_config_findings_carry_key_and_path(tmp_path):
    """Issue 23's rules reach Python: a Hydra target in a metadata config."""
    path = tmp_path / "config.safetensors"
    config = '{"model": {"layers": [{}, {}, {"_target_": "builtins.exec", "_args_": ["print(1)"]}]}}'
    stguard.numpy.save_file({"w": np.zeros(2, dtype=np.float32)}, path, metadata={"config": config})
    report = stguard.audit(path)
    dangerous = [finding for finding in report.findings if finding.rule == "STG-CFG-001"]
    assert len(dangerous) == 1
    assert dangerous[0].severity == "high"
    assert dangerous[0].metadata_key == "config"
    assert dangerous[0].json_path == "model.layers[2]._target_"
    assert "builtins.exec" in dangerous[0].message
    benign = tmp_path / "benign.safetensors"
    stguard.numpy.save_file({"w": np.zeros(2, dtype=np.float32)}, benign,
                            metadata={"config": '{"_target_": "torch.nn.Linear", "in_features": 4}'})
    assert stguard.audit(benign).count_at_least("low") == 0
