"""The package supports Python 3.9 (requires-python in pyproject.toml):
nothing in python/ or the Python benchmarks needs a newer interpreter.
Tested on the machine's interpreter; this checks the source for 3.9, with a
positive control each time so the check itself is known to bite."""
from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

SOURCES = sorted((REPO / "python").rglob("*.py")) + sorted((REPO / "bench").glob("*.py"))
NEWER = "def f(x):\n    match x:\n        case 1:\n            return 1\n"  # 3.10 syntax


def test_requires_python_is_3_9():
    text = (REPO / "python" / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^requires-python = ">=3\.9"$', text, re.MULTILINE)
    assert "find_package(Python 3.9" in (REPO / "python" / "CMakeLists.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(REPO)))
def test_source_parses_with_the_python_3_9_grammar(path):
    ast.parse(path.read_text(encoding="utf-8"), filename=str(path), feature_version=(3, 9))


def test_the_grammar_check_bites():
    with pytest.raises(SyntaxError):
        ast.parse(NEWER, feature_version=(3, 9))


def _vermin(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import sys; from vermin import main; sys.exit(main())",
                           "-t=3.9-", "--violations", "--no-tips", *arguments], capture_output=True, text=True)


@pytest.mark.skipif(importlib.util.find_spec("vermin") is None, reason="vermin is not installed")
def test_vermin_finds_nothing_newer_than_3_9(tmp_path):
    # Library calls too (str.removeprefix is 3.9, zip(strict=) 3.10, ...), not only syntax.
    run = _vermin(*map(str, SOURCES))
    assert run.returncode == 0, run.stdout + run.stderr
    control = tmp_path / "newer.py"
    control.write_text("import itertools\nprint(list(itertools.pairwise([1, 2, 3])))\n", encoding="utf-8")
    refused = _vermin(str(control))
    assert refused.returncode != 0 and "pairwise" in refused.stdout, refused.stdout + refused.stderr
