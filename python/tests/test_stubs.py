"""The committed stub of the extension module matches the built module."""
from __future__ import annotations

import subprocess
import sys

from conftest import REPO

STUB = REPO / "python" / "src" / "stguard" / "_stguard.pyi"


def test_stub_is_current(tmp_path):
    generated = tmp_path / "_stguard.pyi"
    subprocess.run([sys.executable, "-m", "nanobind.stubgen", "-q", "-m", "stguard._stguard", "-o", str(generated)],
                   check=True, cwd=tmp_path)
    committed = "".join(line for line in STUB.read_text().splitlines(keepends=True) if not line.startswith("#"))
    assert generated.read_text() == committed, "regenerate python/src/stguard/_stguard.pyi (see its first lines)"
