#!/usr/bin/env python3
"""Checks that the reference reader accepts what the installed library saves.

Runs tests/install/check_install.sh on build/release (install into a temporary
prefix, build the consumer against it, run it), which leaves the consumer's
round trip (load a BF16 model, read it as float, slice a row, change it,
save_file) in a folder. The reference (`safetensors.deserialize` from the PyPI
package, in build/venv like scripts/check-reference.py) must then load the
saved file, with the same tensors, dtypes and shapes as the input, the
untouched tensors' bytes identical and the changed row exactly doubled.
Exit status 0 when all of that holds, 1 otherwise. Needs build/release built;
scripts/test.sh runs it after the reference check.
"""
import json
import os
import subprocess
import sys
import tempfile

import importlib.util

_spec = importlib.util.spec_from_file_location(
    "check_reference", os.path.join(os.path.dirname(os.path.abspath(__file__)), "check-reference.py"))
check_reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_reference)

ROOT = check_reference.ROOT
PYTHON = check_reference.PYTHON

READER = r"""
import json, struct, sys
from safetensors import deserialize
def load(path):
    return {name: (t["dtype"], list(t["shape"]), bytes(t["data"])) for name, t in deserialize(open(path, "rb").read())}
source, edited = load(sys.argv[1]), load(sys.argv[2])
problems = []
if sorted(source) != sorted(edited):
    problems.append("tensor names differ: %s vs %s" % (sorted(source), sorted(edited)))
for name in sorted(set(source) & set(edited)):
    (dtype, shape, data), (dtype2, shape2, data2) = source[name], edited[name]
    if (dtype, shape) != (dtype2, shape2):
        problems.append("%s: %s %s became %s %s" % (name, dtype, shape, dtype2, shape2))
    elif name != "embed" and data != data2:
        problems.append("%s: untouched, but its bytes changed" % name)
if "embed" in source and "embed" in edited:
    def floats(raw):
        return [struct.unpack("<f", b"\0\0" + raw[i:i + 2])[0] for i in range(0, len(raw), 2)]
    before, after = floats(source["embed"][2]), floats(edited["embed"][2])
    expected = [v * 2 if 8 <= i < 16 else v for i, v in enumerate(before)]
    if after != expected:
        problems.append("embed: row 1 is not exactly doubled, or another row changed")
print(json.dumps(problems))
"""


def main():
    check_reference.ensure_venv()
    build = os.path.join(ROOT, "build", "release")
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, STGUARD_ROUND_TRIP_DIR=folder)
        subprocess.run([os.path.join(ROOT, "tests", "install", "check_install.sh"), build], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        result = subprocess.run([PYTHON, "-c", READER, os.path.join(folder, "input.safetensors"),
                                 os.path.join(folder, "edited.safetensors")], capture_output=True, text=True)
        if result.returncode != 0:
            print("the reference reader refused the consumer's saved file:\n" + result.stderr)
            return 1
        problems = json.loads(result.stdout)
    for problem in problems:
        print(problem)
    print("round trip: the reference reader accepts the saved file" if not problems else "round trip: FAILED")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
