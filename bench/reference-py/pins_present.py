#!/usr/bin/env python3
"""Exits 0 when every `name==version` pin of a requirements file is installed
in this interpreter, 1 otherwise: bench/run.sh then reuses its venv as it is
and asks PyPI for nothing."""

import sys
from importlib import metadata


def main():
    with open(sys.argv[1]) as handle:
        for line in handle:
            pin = line.split("#")[0].strip()
            if not pin:
                continue
            name, version = pin.split("==")
            try:
                if metadata.version(name) != version:
                    return 1
            except metadata.PackageNotFoundError:
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
