"""Shared helpers: the repository's corpus and small hand-made files."""
from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"


def corpus_manifest() -> List[Tuple[str, str, str]]:
    """(file name, strict verdict, compat verdict) for every corpus file."""
    rows = []
    for line in (CORPUS / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, strict, compat = line.split("\t")
        rows.append((name, strict, compat))
    return rows


def make_file(header: Dict, data: bytes = b"", pad_to: int = 8, header_text: Optional[str] = None) -> bytes:
    """A safetensors file from a header dict (or literal header text) and data bytes."""
    text = (header_text if header_text is not None else json.dumps(header, separators=(",", ":"))).encode()
    text += b" " * (-len(text) % pad_to)
    return struct.pack("<Q", len(text)) + text + data


@pytest.fixture
def f32_file(tmp_path: Path) -> Path:
    """A 2x3 F32 tensor "w" (0..5), an I64 scalar "s" (7), metadata {"k": "v"}."""
    import numpy as np

    import stguard.numpy

    path = tmp_path / "model.safetensors"
    stguard.numpy.save_file({"w": np.arange(6, dtype=np.float32).reshape(2, 3), "s": np.array(7)}, path,
                            metadata={"k": "v"})
    return path
