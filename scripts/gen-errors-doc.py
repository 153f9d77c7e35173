#!/usr/bin/env python3
"""Regenerates the code table of docs/errors.md from lib/src/core/error.cpp.

The prose around the table is kept; only the lines between the markers
'<!-- codes:begin -->' and '<!-- codes:end -->' are rewritten.
tests/error_table_test.cpp checks that every code has its row.
"""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLASSES = {1: "framing", 2: "encoding", 3: "syntax", 4: "schema", 5: "layout", 6: "limit", 7: "io",
           8: "usage", 9: "write"}


def class_of(number):
    if number >= 9900:
        return "internal"
    if number >= 1000:
        return "index"
    return CLASSES[number // 100]


def main():
    header = open(os.path.join(ROOT, "lib/include/stguard/error.hpp")).read()
    numbers = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s+(\w+) = (\d+),", header, re.M)}
    table = open(os.path.join(ROOT, "lib/src/core/error.cpp")).read()
    rows = re.findall(r'ErrorRow\{C::(\w+), "(\w+)",\s*"((?:[^"\\]|\\.)*)"\}', table)
    lines = ["| number | name | class | meaning |", "|---|---|---|---|"]
    for enum, name, summary in rows:
        number = numbers[enum]
        summary = summary.replace('\\"', '"').replace("|", "\\|")
        lines.append(f"| {number} | `{name}` | {class_of(number)} | {summary} |")
    path = os.path.join(ROOT, "docs/errors.md")
    doc = open(path).read()
    begin, end = "<!-- codes:begin -->", "<!-- codes:end -->"
    head, rest = doc.split(begin)
    _, tail = rest.split(end)
    open(path, "w").write(head + begin + "\n" + "\n".join(lines) + "\n" + end + tail)
    print(f"{len(rows)} codes written to docs/errors.md")


if __name__ == "__main__":
    main()
