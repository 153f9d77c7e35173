"""Replays the binding fuzz target (python/fuzz/fuzz_binding.py) on the
corpus and on every kept find, without atheris."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from conftest import CORPUS, REPO

FUZZ = REPO / "python" / "fuzz"
SEEDS = (sorted(CORPUS.glob("*.safetensors")) + sorted((FUZZ / "seeds").glob("*")) +
         sorted((FUZZ / "regressions").glob("*")))


def load_target():
    spec = importlib.util.spec_from_file_location("fuzz_binding", FUZZ / "fuzz_binding.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TARGET = load_target()


@pytest.mark.parametrize("seed", SEEDS, ids=lambda path: path.name)
def test_fuzz_target_replays(seed: Path):
    try:
        TARGET.one_input(seed.read_bytes())
    except TARGET.EXPECTED:
        pass
