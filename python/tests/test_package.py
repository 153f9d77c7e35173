"""The installed package: one version shared with the C++ library."""
from __future__ import annotations

import re

import stguard
import stguard.numpy
from conftest import REPO


def test_version_is_the_cmake_project_version():
    text = (REPO / "CMakeLists.txt").read_text(encoding="utf-8")
    match = re.search(r"project\(stguard VERSION ([0-9]+\.[0-9]+\.[0-9]+)", text)
    assert match and stguard.__version__ == match.group(1)


def test_public_names():
    for name in stguard.__all__:
        assert getattr(stguard, name) is not None
    assert set(stguard.numpy.__all__) == {"load", "load_file", "save", "save_file"}
