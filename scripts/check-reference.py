#!/usr/bin/env python3
"""Checks docs/profiles.md's claim about compat and the reference reader.

Loads every corpus file with the reference (`safetensors.deserialize` from the
PyPI package, which runs the reference's Rust reader) and compares its verdict
with the compat column of corpus/MANIFEST.tsv. The files on which they differ
must be exactly the corpus files named in the table of docs/profiles.md,
section "Compat and the reference". Exit status 0 when they are, 1 otherwise.

Needs network access the first time: it creates build/venv (or reuses it) and
installs `safetensors` and `numpy` there, skipping what is present. Not part of
ctest (tests run offline); scripts/test.sh runs it after the release suite.
"""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, "build", "venv")
PYTHON = os.path.join(VENV, "bin", "python")


def ensure_venv():
    if not os.path.exists(PYTHON):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    for package in ("safetensors", "numpy"):
        probe = subprocess.run([PYTHON, "-c", "import " + package], capture_output=True)
        if probe.returncode != 0:
            subprocess.run([PYTHON, "-m", "pip", "install", "-q", package], check=True)


def documented_differences():
    text = open(os.path.join(ROOT, "docs", "profiles.md"), encoding="utf-8").read()
    section = text.split("\n## Compat and the reference\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return {name for row in rows for name in re.findall(r"`([yni]_[a-z0-9_]+)`", row.rsplit("|", 2)[1])}


def reference_verdicts():
    """Runs the reference in the venv: file name -> (accepted, message)."""
    script = r"""
import os, sys, json
from safetensors import deserialize
folder = sys.argv[1]
out = {}
for name in sorted(os.listdir(folder)):
    if not name.endswith(".safetensors"):
        continue
    try:
        deserialize(open(os.path.join(folder, name), "rb").read())
        out[name] = [True, ""]
    except Exception as error:
        out[name] = [False, str(error)]
print(json.dumps(out))
"""
    result = subprocess.run([PYTHON, "-c", script, os.path.join(ROOT, "corpus")], capture_output=True, text=True,
                            check=True)
    return json.loads(result.stdout)


def main():
    ensure_venv()
    version = subprocess.run([PYTHON, "-c", "import safetensors; print(safetensors.__version__)"],
                             capture_output=True, text=True, check=True).stdout.strip()
    verdicts = reference_verdicts()
    differing = set()
    for line in open(os.path.join(ROOT, "corpus", "MANIFEST.tsv"), encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        name, _strict, compat = line.rstrip("\n").split("\t")
        accepted, message = verdicts[name]
        if accepted != (compat == "OK"):
            differing.add(name.removesuffix(".safetensors"))
            print(f"{name}: compat {compat}, reference {'OK' if accepted else message}")
    expected = documented_differences()
    print(f"safetensors {version}: {len(verdicts)} corpus files, {len(differing)} verdicts differ from compat")
    if differing != expected:
        print("docs/profiles.md#compat-and-the-reference is out of date:")
        for name in sorted(differing - expected):
            print(f"  differs but not documented: {name}")
        for name in sorted(expected - differing):
            print(f"  documented but does not differ: {name}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
