#!/usr/bin/env python3
"""bench/profile_report.py: valgrind profiles of header validation as markdown
(bench/profile_header.sh).

  profile_report.py callgrind OUT_FILE --calls N --tensors N [--top N] [--title T] [--cache-sim]
  profile_report.py massif OUT_FILE --tensors N [--top N]

callgrind: reads callgrind_annotate's report (exclusive and inclusive),
shortens the C++ names (template arguments and parameter lists dropped; a
std:: sort keeps the stguard function whose comparison it runs), and prints
  * the share of instructions by layer (UTF-8 check, JSON tokenizer, schema,
    layout, malloc/free, mem* calls): exclusive counts, so the rows add up;
  * the top functions by exclusive and by inclusive instruction count, with
    instructions per tensor, and (with --cache-sim) the simulated D1 and
    last-level data-cache misses per tensor.

massif: the heap at its peak snapshot, split by the function that allocated
(massif's first level below malloc/new), largest first, with bytes per
tensor (which tells a per-tensor allocation from a copy of the header).

Only the standard library and valgrind's callgrind_annotate are used.
"""

import argparse
import re
import subprocess

# (layer, pattern on the full demangled name), first match wins.
LAYERS = [
    ("UTF-8 check (find_invalid_utf8)", r"find_invalid_utf8"),
    ("memcmp/memchr/memcpy/memset (libc)", r"^(__)?(mem|str)[a-z]*(_|$)"),
    ("malloc/free/new/delete", r"malloc|_int_free|^free$|^cfree|operator new|operator delete|alloc_perturb|"
                               r"sysmalloc|sbrk|brk|morecore|unlink_chunk|munmap_chunk|mmap"),
    ("layout: duplicate sort, offset sort, contiguity, name index",
     r"resolve_duplicate|check_layout|HeaderBuilder::finish\(|sorted_indexes|__introsort|__insertion_sort|"
     r"__unguarded|__adjust_heap|__final_insertion"),
    ("schema: HeaderBuilder token handlers (names, dtypes, integers)",
     r"HeaderBuilder::|dtype_from_name|parse_json_uint|dtype_bits|tensor_rules|has_control_character|header_tensor_name_fault|checked_byte_size"),
    ("JSON tokenizer: RapidJSON reader + CursorStream/SaxAdapter",
     r"rapidjson::|tokenize_json|SaxAdapter|CursorStream|has_encoded_surrogate"),
]

ROW = re.compile(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$")


def annotate(path, inclusive, event):
    """[(count, full name)] from callgrind_annotate, every function (no threshold)."""
    command = ["callgrind_annotate", "--threshold=100", f"--show={event}", f"--sort={event}"]
    if inclusive:
        command.append("--inclusive=yes")
    text = subprocess.run(command + [path], check=True, capture_output=True, text=True).stdout
    rows = []
    started = False
    for line in text.splitlines():
        if line.rstrip().endswith("file:function"):
            started = True
            continue
        match = ROW.match(line) if started else None
        if match:
            rows.append((int(match.group(1).replace(",", "")), match.group(2).strip()))
    return rows


def strip_nested(text, opening, closing):
    out, depth = [], 0
    for char in text:
        if char == opening:
            depth += 1
        elif char == closing and depth:
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)


def function_of(full):
    """The demangled name without file prefix, object suffix or recursion mark."""
    name = re.sub(r"\s*\[[^\]]*\]\s*$", "", full)
    name = re.sub(r"^[^:]*\.[A-Za-z]+:|^\?\?\?:", "", name)  # "./malloc/malloc.c:" or "???:"
    return re.sub(r"'\d+$", "", name)


def short(full):
    name = function_of(full)
    owner = ""
    if name.startswith(("void std::", "std::")) and "stguard::" in name:
        found = re.findall(r"stguard::[A-Za-z_:]*::([A-Za-z_]+)\(\)", name)
        owner = f" [in {found[0]}]" if found else ""
    base = strip_nested(strip_nested(name, "<", ">"), "(", ")")
    base = re.sub(r"^(void|bool|rapidjson::ParseResult|std::optional|unsigned long|long) ", "", base)
    if base.strip() == "stguard::bench::run_once":
        return "~Header (inlined into profile_header's run_once)"
    return base.strip() + owner


def layer_of(full):
    name = function_of(full)
    for label, pattern in LAYERS:
        if re.search(pattern, name):
            return label
    return "other"


def merge(rows):
    """Sums rows that are the same function (recursion levels show as name'2)."""
    totals = {}
    for count, full in rows:
        key = function_of(full)
        entry = totals.setdefault(key, [0, full])
        entry[0] += count
    return sorted(((count, full) for count, full in totals.values()), reverse=True)


SNAPSHOT = re.compile(r"^\s*(\d+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s*$")
SITE = re.compile(r"^->\s*([\d.]+)% \(([\d,]+)B\) (?:0x[0-9A-Fa-f]+: )?(.*?)(?: \(in [^)]*\))?$")


def massif_report(args):
    """The peak snapshot of a massif profile, by allocating function."""
    text = subprocess.run(["ms_print", "--threshold=0.5", args.out_file], check=True, capture_output=True,
                          text=True).stdout
    lines = text.splitlines()
    # The peak is the snapshot row with the largest total; a detailed
    # snapshot's row is followed by its allocation tree.
    snapshots = [(i, SNAPSHOT.match(line)) for i, line in enumerate(lines)]
    snapshots = [(i, m) for i, m in snapshots if m]
    peak_index = max(snapshots, key=lambda item: int(item[1].group(3).replace(",", "")))[0]
    number = lambda text: int(text.replace(",", ""))  # noqa: E731
    row = SNAPSHOT.match(lines[peak_index])
    total, useful, extra = number(row.group(3)), number(row.group(4)), number(row.group(5))
    out = [f"Heap at its peak: {total / 1e6:,.1f} MB ({useful / 1e6:,.1f} MB requested, "
           f"{extra / 1e6:,.1f} MB malloc overhead and alignment).", "",
           "| allocated by | MB | share of the peak | bytes per tensor |", "|---|---|---|---|"]
    for line in lines[peak_index + 1:]:
        if SNAPSHOT.match(line) or line.startswith("-----"):
            break
        site = SITE.match(line)
        if site:
            name = site.group(3)
            label = "(smaller sites)" if "all below" in name else f"`{short(name)}`"
            size = number(site.group(2))
            out.append(f"| {label} | {size / 1e6:,.1f} | {float(site.group(1)):.1f}% | "
                       f"{size / args.tensors:,.1f} |")
    print("\n".join(out[:4 + args.top]))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="kind", required=True)
    callgrind = sub.add_parser("callgrind")
    callgrind.add_argument("out_file")
    callgrind.add_argument("--calls", type=int, required=True)
    callgrind.add_argument("--tensors", type=int, required=True)
    callgrind.add_argument("--top", type=int, default=12)
    callgrind.add_argument("--title", default="")
    callgrind.add_argument("--cache-sim", action="store_true", help="the profile has D1/LL miss events")
    massif = sub.add_parser("massif")
    massif.add_argument("out_file")
    massif.add_argument("--tensors", type=int, required=True)
    massif.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    if args.kind == "massif":
        massif_report(args)
        return

    exclusive = merge(annotate(args.out_file, False, "Ir"))
    total = sum(count for count, _ in exclusive)
    per_call = total / args.calls
    scale = args.calls * args.tensors
    out = [f"#### {args.title}" if args.title else "",
           f"{total:,} instructions in {args.calls} call(s): {per_call:,.0f} per call, "
           f"{per_call / args.tensors:,.0f} per tensor."]

    misses = {}
    if args.cache_sim:
        for event in ("D1mr", "D1mw", "DLmr", "DLmw"):
            for count, full in merge(annotate(args.out_file, False, event)):
                misses.setdefault(function_of(full), {})[event] = count
        d1 = sum(m.get("D1mr", 0) + m.get("D1mw", 0) for m in misses.values())
        ll = sum(m.get("DLmr", 0) + m.get("DLmw", 0) for m in misses.values())
        out.append(f"Simulated data-cache misses per tensor: D1 {d1 / scale:.1f}, last level {ll / scale:.2f}.")

    layers = {}
    for count, full in exclusive:
        layers[layer_of(full)] = layers.get(layer_of(full), 0) + count
    out += ["", "| layer (exclusive instructions) | share | per tensor |", "|---|---|---|"]
    for label, count in sorted(layers.items(), key=lambda item: -item[1]):
        out.append(f"| {label} | {count / total * 100:.1f}% | {count / scale:,.0f} |")

    def listing(rows, heading, with_misses):
        columns = ["function", heading, "per tensor"]
        if with_misses:
            columns += ["D1 misses / tensor", "LL misses / tensor"]
        lines = ["", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        for count, full in rows[:args.top]:
            cells = [f"`{short(full)}`", f"{count / total * 100:.1f}%", f"{count / scale:,.0f}"]
            if with_misses:
                m = misses.get(function_of(full), {})
                cells += [f"{(m.get('D1mr', 0) + m.get('D1mw', 0)) / scale:.2f}",
                          f"{(m.get('DLmr', 0) + m.get('DLmw', 0)) / scale:.3f}"]
            lines.append("| " + " | ".join(cells) + " |")
        return lines

    out += listing(exclusive, "exclusive share", args.cache_sim)
    if args.cache_sim:
        # Where memory stalls come from: instruction counts do not show a
        # miss, and at 200k tensors misses are what grows per tensor.
        by_misses = sorted(misses.items(), key=lambda item: -(item[1].get("DLmr", 0) + item[1].get("DLmw", 0)))
        ll_total = max(1, sum(m.get("DLmr", 0) + m.get("DLmw", 0) for m in misses.values()))
        out += ["", "| function | share of last-level misses | LL read misses / tensor | LL write misses / tensor |",
                "|---|---|---|---|"]
        for name, m in by_misses[:min(args.top, 8)]:
            ll = m.get("DLmr", 0) + m.get("DLmw", 0)
            if ll == 0:
                break
            out.append(f"| `{short(name)}` | {ll / ll_total * 100:.1f}% | {m.get('DLmr', 0) / scale:.2f} | "
                       f"{m.get('DLmw', 0) / scale:.2f} |")
    # Inclusive: from the validated call down; the frames above it (main,
    # libc start) are 100% by construction and say nothing.
    # A recursive function's deeper levels (name'2) are inside its first
    # level's inclusive count already: adding them would count them twice.
    inclusive = [(count, full) for count, full in annotate(args.out_file, True, "Ir")
                 if not re.search(r"'\d+(\s*\[[^\]]*\])?\s*$", full)
                 and not re.search(r"\bmain\b|below main|libc_start|^0x|run_once", function_of(full))]
    out += listing(inclusive, "inclusive share", False)
    print("\n".join(line for line in out if line is not None))


if __name__ == "__main__":
    main()
