#!/usr/bin/env python3
"""bench/summarize.py: turns one bench/run.sh results folder into markdown tables.

Owns the arithmetic of docs/PERFORMANCE.md: every library number is printed
beside its physical reference (memcpy, page-cache read, `openssl speed`,
process spawn) and the ratio between them, and every target is judged here,
by the benchmark run, never by a test. Inputs (all in the results folder):

  bench-<family>.json   Google Benchmark JSON, aggregates only (median, mean,
                        stddev, cv over --benchmark_repetitions runs)
  hyperfine-*.json      hyperfine exports (st-validate process runs)
  openssl-speed*.txt    `openssl speed -evp sha256` outputs
  dd.txt                dd's report of a page-cache read
  rss.tsv               peak resident memory per tool run (/usr/bin/time %M)
  corpus.tsv            the files (make_bench_files)
  machine.txt, load.tsv the machine and the load average around each phase
  compare-stguard.json  the header comparison: stguard strict/compat and the
                        RapidJSON no-op on headers-1k/20k/200k, every repetition
  compare-crate.json    the same files through the safetensors crate
                        (bench/reference-rs) and the Python package
  compare-python.json   (bench/reference-py), per call, wall and CPU time
  compare-machine.txt, compare-load.tsv  the machine and load of that run

  summarize.py [FOLDER]                  everything (bench/run.sh)
  summarize.py --compare-only [FOLDER]   the comparison alone (bench/run.sh header)

Only the standard library is used. Missing inputs leave their table out.
"""

import json
import math
import os
import re
import sys

GB = 1e9
TIME_UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def normalise(name):
    """Drops the option suffixes Google Benchmark appends, leaving family/variant/subject."""
    return re.sub(r"/(iterations:\d+|repeats:\d+|process_time|real_time|min_time:[0-9.]+)", "", name)


def load_benchmarks(folder):
    """run_name -> {aggregate_name -> entry} over every bench-*.json."""
    runs = {}
    for name in sorted(os.listdir(folder)):
        if not (name.startswith("bench-") and name.endswith(".json")):
            continue
        with open(os.path.join(folder, name)) as handle:
            data = json.load(handle)
        # bench-thp.json repeats some benchmarks with transparent huge pages
        # for malloc (GLIBC_TUNABLES=glibc.malloc.hugetlb=1): keep them apart.
        prefix = "thp/" if name == "bench-thp.json" else ""
        for entry in data.get("benchmarks", []):
            run = prefix + normalise(entry.get("run_name", entry["name"]))
            aggregate = entry.get("aggregate_name", "single")
            runs.setdefault(run, {})[aggregate] = entry
    return runs


class Result:
    """Median and spread of one benchmark."""

    def __init__(self, aggregates):
        self.median = aggregates.get("median") or aggregates.get("single")
        self.cv = aggregates.get("cv")
        self.error = self.median is None or self.median.get("error_occurred", False)

    def seconds(self, field="real_time"):
        return self.median[field] * TIME_UNITS[self.median["time_unit"]]

    def rate(self):
        """Bytes per second from SetBytesProcessed (wall time)."""
        return self.median.get("bytes_per_second", float("nan"))

    def counter(self, name):
        return self.median.get(name, float("nan"))

    def spread(self):
        """Coefficient of variation of the wall time, in percent."""
        if not self.cv or "real_time" not in self.cv:
            return float("nan")
        return self.cv["real_time"] * 100.0


def get(runs, name):
    aggregates = runs.get(name)
    if not aggregates:
        return None
    result = Result(aggregates)
    return None if result.error else result


def fmt(value, digits=2):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:,.{digits}f}"


def pct(value, digits=0):
    return "n/a" if value is None or math.isnan(value) else f"{value * 100:.{digits}f}%"


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(cell) for cell in row) + " |")
    return "\n".join(lines)


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path) as handle:
        lines = [line.rstrip("\n").split("\t") for line in handle if line.strip()]
    if not lines:
        return []
    header = lines[0]
    return [dict(zip(header, line)) for line in lines[1:]]


def report_text(path):
    """A tool's saved report, or None when that phase did not run."""
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        return handle.read()


def openssl_rate(path):
    """Bytes/s from an `openssl speed -evp sha256 -bytes N` report (sum over -multi)."""
    text = report_text(path)
    if text is None:
        return None
    found = re.findall(r"^sha256\s+([0-9.]+)k\s*$", text, re.MULTILINE)
    return float(found[-1]) * 1000.0 if found else None


def dd_rate(path):
    text = report_text(path)
    if text is None:
        return None
    found = re.findall(r"^(\d+) bytes .* copied, ([0-9.]+) s", text, re.MULTILINE)
    if not found:
        return None
    size, seconds = found[-1]
    return int(size) / float(seconds)


def hyperfine(path):
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        return json.load(handle)["results"][0]


def section(title, body, out):
    out.append(f"\n### {title}\n\n{body}\n")


def memcpy_target(target, result, memcpy, note):
    """A Targets row: `result` must reach 80% of the rate of `memcpy`."""
    return [target, f"{fmt(result.rate() / GB)} GB/s = {pct(result.rate() / memcpy.rate(), 1)}",
            f"memcpy {fmt(memcpy.rate() / GB)} GB/s" + note,
            "met" if result.rate() >= 0.8 * memcpy.rate() else "MISSED"]


# --- stguard beside the reference readers (the compare family) -------------------------
COMPARE_FILES = ["headers-1k.safetensors", "headers-20k.safetensors", "headers-200k.safetensors"]
COMPARE_STGUARD = [("strict", "header/strict"), ("compat", "header/compat"), ("noop", "json/rapidjson_insitu_noop")]


class Timing:
    """Nanoseconds per call of one reader on one file, one value per repetition,
    as wall time and as the CPU time of the calling thread."""

    def __init__(self, wall, cpu, tensors):
        self.wall, self.cpu, self.tensors = wall, cpu, tensors

    def median(self, clock):
        values = sorted(self.cpu if clock == "cpu" else self.wall)
        middle = len(values) // 2
        return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2

    def minimum(self, clock):
        return min(self.cpu if clock == "cpu" else self.wall)


def load_compare_stguard(path):
    """(reader, file) -> Timing from Google Benchmark JSON written without
    --benchmark_report_aggregates_only (every repetition is an entry)."""
    if not os.path.exists(path):
        return {}
    with open(path) as handle:
        data = json.load(handle)
    found = {}
    for entry in data.get("benchmarks", []):
        if entry.get("run_type") != "iteration" or entry.get("error_occurred"):
            continue
        run = normalise(entry.get("run_name", entry["name"]))
        for reader, prefix in COMPARE_STGUARD:
            if run.startswith(prefix + "/"):
                key = (reader, run[len(prefix) + 1:])
                scale = TIME_UNITS[entry["time_unit"]] * 1e9
                timing = found.setdefault(key, Timing([], [], entry.get("tensors", float("nan"))))
                timing.wall.append(entry["real_time"] * scale)
                timing.cpu.append(entry["cpu_time"] * scale)
    return found


def load_compare_reference(path):
    """(file -> Timing, version) from bench/reference-rs or bench/reference-py JSON."""
    if not os.path.exists(path):
        return {}, None
    with open(path) as handle:
        data = json.load(handle)
    timings = {row["file"]: Timing(row["wall_ns"], row["cpu_ns"], row["tensors"]) for row in data["results"]}
    layouts = {row["file"]: row.get("reference_layout") for row in data["results"]}
    return timings, (data.get("version"), layouts)


def compare_section(folder, out, targets):
    """The header comparison: stguard strict/compat, RapidJSON's no-op ceiling,
    the crate and the Python package, on the same files in one run."""
    stguard = load_compare_stguard(os.path.join(folder, "compare-stguard.json"))
    crate, crate_info = load_compare_reference(os.path.join(folder, "compare-crate.json"))
    python, python_info = load_compare_reference(os.path.join(folder, "compare-python.json"))
    files = [f for f in COMPARE_FILES if ("strict", f) in stguard]
    if not files:
        return
    crate_version = crate_info[0] if crate_info else "?"
    python_version = python_info[0] if python_info else "?"

    def ratio(numerator, denominator, clock):
        if numerator is None or denominator is None:
            return float("nan")
        return numerator.median(clock) / denominator.median(clock)

    def times(clock):
        rows = []
        for file in files:
            strict, compat, noop = (stguard.get((reader, file)) for reader, _ in COMPARE_STGUARD)
            ref, py = crate.get(file), python.get(file)
            us = lambda t: fmt(t.median(clock) / 1e3, 1) if t else "n/a"  # noqa: E731
            rows.append([file, f"{int(strict.tensors):,}", us(strict), us(compat), us(noop), us(ref), us(py),
                         f"{fmt(ratio(ref, strict, clock))}x", f"{fmt(ratio(py, strict, clock))}x",
                         fmt(ratio(compat, strict, clock), 3), pct(ratio(noop, strict, clock))])
        return table(["file", "tensors", "strict µs", "compat µs", "RapidJSON no-op µs", "crate µs", "Python µs",
                      "crate / strict", "Python / strict", "compat / strict", "strict % of no-op ceiling"], rows)

    def per_tensor(clock):
        rows = []
        for file in files:
            cells = [file]
            for timing in [stguard.get(("strict", file)), stguard.get(("compat", file)), crate.get(file),
                           python.get(file)]:
                if timing:
                    cells.append(f"{fmt(timing.median(clock) / timing.tensors, 0)} "
                                 f"({fmt(timing.minimum(clock) / timing.tensors, 0)})")
                else:
                    cells.append("n/a")
            rows.append(cells)
        return table(["file", "strict", "compat", "crate", "Python"], rows)

    reps = len(stguard[("strict", files[0])].wall)
    body = (f"Per call, median of {reps} repetitions. crate: safetensors {crate_version} (Rust), "
            "`SafeTensors::read_metadata` on the file in memory; Python: safetensors "
            f"{python_version}, `safe_open(path, framework=\"numpy\")` + `keys()` (includes open and mmap). "
            "A / strict above 1 means stguard's strict validation is that many times faster. "
            "CPU time is the calling thread's: what a call costs a core, and the basis of the verdicts, since "
            "wall time also counts the time other processes on this shared machine hold the core.\n\n"
            "Thread CPU time:\n\n" + times("cpu") + "\n\nWall time:\n\n" + times("wall")
            + "\n\nns per tensor, CPU time, median (minimum):\n\n" + per_tensor("cpu"))
    layouts = crate_info[1] if crate_info else {}
    if layouts and all(layouts.get(f) for f in files):
        body += ("\n\nEvery file's header is byte for byte what the reference writer emits for its tensors "
                 "(checked by bench/reference-rs against serde_json's rendering of the parsed metadata).")
    loads = read_tsv(os.path.join(folder, "compare-load.tsv"))
    if loads:
        values = [float(row["load1"]) for row in loads]
        body += (f"\n\n1-minute load average during the comparison: {min(values):.2f}–{max(values):.2f} "
                 f"on {os.cpu_count()} CPUs ({', '.join(r['phase'] + ' ' + r['when'] + ' ' + r['load1'] for r in loads)}).")
    section("Header validation against the reference readers (same bytes, one run)", body, out)

    first, last = files[0], files[-1]
    for file in (first, last):
        strict, ref = stguard.get(("strict", file)), crate.get(file)
        if ref:
            speedup = ratio(ref, strict, "cpu")
            targets.append([f"strict >= 5x the crate's read_metadata, {file}",
                            f"{fmt(speedup)}x (CPU time; {fmt(ratio(ref, strict, 'wall'))}x wall)",
                            f"crate {fmt(ref.median('cpu') / 1e3, 1)} µs, strict {fmt(strict.median('cpu') / 1e3, 1)} µs",
                            "met" if speedup >= 5 else "MISSED"])
    if first != last:
        a, b = stguard[("strict", first)], stguard[("strict", last)]
        growth = (b.median("cpu") / b.tensors) / (a.median("cpu") / a.tensors) - 1
        targets.append([f"strict ns per tensor flat from {int(a.tensors):,} to {int(b.tensors):,} tensors (within 10%)",
                        f"{fmt(a.median('cpu') / a.tensors, 0)} -> {fmt(b.median('cpu') / b.tensors, 0)} ns "
                        f"({growth * 100:+.0f}%)", "CPU time", "met" if abs(growth) <= 0.10 else "MISSED"])
    worst = max(ratio(stguard.get(("compat", f)), stguard[("strict", f)], "cpu") for f in files)
    if not math.isnan(worst):
        targets.append(["compat within 5% of strict", f"compat / strict up to {fmt(worst, 3)}", "CPU time",
                        "met" if worst <= 1.05 else "MISSED"])
    noop = stguard.get(("noop", first))
    if noop:
        share = ratio(noop, stguard[("strict", first)], "cpu")
        targets.append([f"strict >= 70% of the RapidJSON no-op ceiling, {first}", pct(share),
                        f"no-op {fmt(noop.median('cpu') / 1e3, 1)} µs", "met" if share >= 0.7 else "MISSED"])


def compare_only(folder):
    """bench/run.sh header: the comparison and its targets alone."""
    out = ["## stguard header validation beside the reference readers"]
    targets = []
    machine_path = os.path.join(folder, "compare-machine.txt")
    if os.path.exists(machine_path):
        with open(machine_path) as handle:
            section("Machine", "```\n" + handle.read().strip() + "\n```", out)
    compare_section(folder, out, targets)
    if targets:
        section("Targets", table(["target", "measured", "reference", "verdict"], targets), out)
    print("\n".join(out))


def main():
    arguments = sys.argv[1:]
    if arguments and arguments[0] == "--compare-only":
        compare_only(arguments[1] if len(arguments) > 1 else "bench/results")
        return
    folder = arguments[0] if arguments else "bench/results"
    runs = load_benchmarks(folder)
    corpus = {row["file"]: row for row in read_tsv(os.path.join(folder, "corpus.tsv"))}
    out = ["## stguard benchmark summary"]
    targets = []  # (target, measured, reference, verdict)

    machine_path = os.path.join(folder, "machine.txt")
    if os.path.exists(machine_path):
        with open(machine_path) as handle:
            section("Machine", "```\n" + handle.read().strip() + "\n```", out)
    loads = read_tsv(os.path.join(folder, "load.tsv"))
    if loads:
        section("Load average (1, 5, 15 min) when each phase started and ended",
                table(["phase", "when", "1 min", "5 min", "15 min", "time"],
                      [[r["phase"], r["when"], r["load1"], r["load5"], r["load15"], r["time"]] for r in loads]), out)

    # --- references -------------------------------------------------------
    memcpy_big = get(runs, "ref/memcpy_prefaulted/536870912")
    memcpy_l3 = get(runs, "ref/memcpy_prefaulted/8388608")
    memcpy_fresh = get(runs, "ref/memcpy_fresh/536870912")
    pread_cache = get(runs, "ref/pread_pagecache/gpt2-small.safetensors")
    pread_big = get(runs, "ref/pread_into_prefaulted/gpt2-small.safetensors")
    ssl_one = openssl_rate(os.path.join(folder, "openssl-speed.txt"))
    ssl_two = openssl_rate(os.path.join(folder, "openssl-speed-multi2.txt"))
    dd = dd_rate(os.path.join(folder, "dd.txt"))
    rows = []
    for label, result in [("memcpy, 512 MiB, resident buffers (memory bandwidth)", memcpy_big),
                          ("memcpy, 8 MiB, resident buffers (L3)", memcpy_l3),
                          ("memcpy, 512 MiB into a fresh allocation (+ page faults)", memcpy_fresh),
                          ("pread of a cached file into a 1 MiB buffer (page-cache read)", pread_cache),
                          ("pread of a cached file's data into a resident 498 MB buffer", pread_big)]:
        if result:
            rows.append([label, fmt(result.rate() / GB), fmt(result.spread(), 1)])
    if dd:
        rows.append(["dd if=gpt2-small of=/dev/null bs=1M, file cached", fmt(dd / GB), "one run"])
    if ssl_one:
        rows.append(["openssl speed -evp sha256 -bytes 1048576, 1 process", fmt(ssl_one / GB), "one run"])
    if ssl_two:
        rows.append(["openssl speed -evp sha256 -bytes 1048576 -multi 2 (sum)", fmt(ssl_two / GB), "one run"])
    if rows:
        section("Physical references", table(["reference", "GB/s (median)", "cv %"], rows), out)

    # --- header validation --------------------------------------------------
    header_files = ["headers-1k.safetensors", "headers-20k.safetensors", "headers-200k.safetensors",
                    "gpt2-small.safetensors", "llama-7b-bf16.safetensors", "all-dtypes.safetensors"]
    rows = []
    per_tensor = {}
    for file in header_files:
        strict = get(runs, f"header/strict/{file}")
        compat = get(runs, f"header/compat/{file}")
        noop = get(runs, f"json/rapidjson_insitu_noop/{file}")
        if not strict:
            continue
        tensors = strict.counter("tensors")
        per_tensor[file] = strict.seconds() / tensors * 1e9
        rows.append([file, f"{int(tensors):,}", f"{int(strict.counter('header_bytes')):,}",
                     fmt(strict.seconds() * 1e6, 1), fmt(strict.rate() / GB, 3), fmt(per_tensor[file], 0),
                     fmt(strict.spread(), 1),
                     fmt(compat.seconds() * 1e6, 1) if compat else "n/a",
                     fmt(compat.rate() / GB, 3) if compat else "n/a",
                     fmt(noop.rate() / GB, 3) if noop else "n/a",
                     pct(strict.rate() / noop.rate()) if noop else "n/a"])
    if rows:
        body = table(["file", "tensors", "header bytes", "strict µs", "strict GB/s", "strict ns/tensor", "cv %",
                      "compat µs", "compat GB/s", "RapidJSON no-op GB/s", "strict / RapidJSON"], rows)
        series = [f for f in header_files[:3] if f in per_tensor]
        if len(series) >= 2:
            first, last = series[0], series[-1]
            t_first = get(runs, f"header/strict/{first}")
            t_last = get(runs, f"header/strict/{last}")
            n_first, n_last = t_first.counter("tensors"), t_last.counter("tensors")
            slope = math.log(t_last.seconds() / t_first.seconds()) / math.log(n_last / n_first)
            body += (f"\n\nGrowth: time ~ tensors^{slope:.2f} from {int(n_first):,} to {int(n_last):,} tensors "
                     f"(1.00 is linear); ns per tensor {fmt(per_tensor[first], 0)} -> {fmt(per_tensor[last], 0)}.")
        section("Header validation (parse_header on the header bytes in memory)", body, out)
        one_k = get(runs, "header/strict/headers-1k.safetensors")
        noop_1k = get(runs, "json/rapidjson_insitu_noop/headers-1k.safetensors")
        if one_k:
            targets.append(["strict validation of a 1,000-tensor header >= 1 GB/s",
                            f"{fmt(one_k.rate() / GB, 3)} GB/s",
                            f"RapidJSON 1.1 SAX no-op on the same bytes: {fmt(noop_1k.rate() / GB, 3)} GB/s"
                            if noop_1k else "", "met" if one_k.rate() >= GB else "MISSED"])

    stages = [("json/copy_header", "scratch copy"), ("json/utf8_check", "UTF-8 check"),
              ("json/rapidjson_insitu_noop", "RapidJSON no-op (iterative)"),
              ("json/rapidjson_recursive_insitu_noop", "RapidJSON no-op (recursive)"),
              ("json/rapidjson_cursor_noop", "RapidJSON no-op over CursorStream"),
              ("json/tokenizer_noop_sink", "tokenize_json, no-op sink"),
              ("header/strict", "parse_header strict (all)")]
    rows = []
    for file in header_files:
        cells = []
        for stage, _ in stages:
            result = get(runs, f"{stage}/{file}")
            cells.append(fmt(result.rate() / GB, 3) if result else "n/a")
        if any(cell != "n/a" for cell in cells[:-1]):
            rows.append([file] + cells)
    if rows:
        section("Header validation by stage (GB/s of header bytes, each stage alone)",
                table(["file"] + [label for _, label in stages], rows), out)

    compare_section(folder, out, targets)

    # --- open ---------------------------------------------------------------
    sizes = ["1MB", "16MB", "256MB", "1GB", "8GB", "llama-7b-13.5GB"]
    rows = []
    columns = {"validate_path": [], "reader_mapped": [], "reader_pread": []}  # (file bytes, seconds)
    for size in sizes:
        cells = [size]
        present = False
        for variant in columns:
            result = get(runs, f"open/{variant}/{size}")
            if result:
                present = True
                columns[variant].append((result.counter("file_bytes"), result.seconds()))
                cells += [fmt(result.seconds() * 1e6, 1), fmt(result.spread(), 1)]
            else:
                cells += ["n/a", "n/a"]
        if present:
            rows.append(cells)
    if rows:
        body = table(["data size", "validate_path µs", "cv %", "Reader::open mapped µs", "cv %",
                      "Reader::open pread µs", "cv %"], rows)
        # Least-squares slope of log(time) over log(file size): 0 is flat, 1 is
        # linear in the data. Timing noise on a shared machine moves single
        # points by tens of percent, which over four decades of size is a
        # slope of a few hundredths; any real per-byte cost would be far above 0.1.
        slopes = {}
        body += "\n"
        for variant, points in columns.items():
            if len(points) < 2:
                continue
            xs = [math.log(size) for size, _ in points]
            ys = [math.log(seconds) for _, seconds in points]
            mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
            slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / sum((x - mean_x) ** 2 for x in xs)
            times = [seconds for _, seconds in points]
            slopes[variant] = slope
            body += (f"\n- {variant}: time ~ size^{slope:.3f}; slowest / fastest = "
                     f"{max(times) / min(times):.2f} over {points[-1][0] / points[0][0]:,.0f}x the bytes")
        section("Open + validate as the data grows (288-tensor header, sparse files)", body, out)
        if slopes:
            worst = max(slopes.values())
            targets.append(["open + validate flat in the data size (0.9 MB .. 13.5 GB)",
                            f"time ~ size^{worst:.3f} (worst of the three)", "0 = flat, 1 = linear",
                            "met" if worst < 0.1 else "MISSED"])

    # --- st-validate processes -------------------------------------------------
    batch = hyperfine(os.path.join(folder, "hyperfine-validate-batch.json"))
    single = hyperfine(os.path.join(folder, "hyperfine-validate-single.json"))
    per_process = hyperfine(os.path.join(folder, "hyperfine-validate-per-process.json"))
    spawn = hyperfine(os.path.join(folder, "hyperfine-true-per-process.json"))
    rows = []
    if single:
        rows.append(["st-validate -q ONE_FILE (process start + 1 file)", fmt(single["median"] * 1e3, 3) + " ms",
                     fmt(single["stddev"] * 1e3, 3) + " ms", ""])
    if batch:
        per_file = batch["median"] / 1000.0
        note = ""
        if single:
            note = f"{fmt((batch['median'] - single['median']) / 999 * 1e6, 1)} µs per extra file"
        rows.append(["st-validate -q 1,000 files (one process)", fmt(batch["median"] * 1e3, 2) + " ms",
                     fmt(batch["stddev"] * 1e3, 2) + " ms", f"{fmt(per_file * 1e6, 1)} µs/file; {note}"])
    if per_process:
        rows.append(["sh loop: st-validate -q FILE, 1,000 processes", fmt(per_process["median"] * 1e3, 1) + " ms",
                     fmt(per_process["stddev"] * 1e3, 1) + " ms",
                     f"{fmt(per_process['median'] / 1000 * 1e3, 3)} ms/file"])
    if spawn:
        rows.append(["sh loop: /bin/true FILE, 1,000 processes (spawn reference)",
                     fmt(spawn["median"] * 1e3, 1) + " ms", fmt(spawn["stddev"] * 1e3, 1) + " ms",
                     f"{fmt(spawn['median'] / 1000 * 1e3, 3)} ms/process"])
    if rows:
        section("st-validate as a whole process (hyperfine, 1,000 small files of 19 KB)",
                table(["command", "median", "stddev", "per file"], rows), out)

    # --- copy-out -----------------------------------------------------------------
    gpt2 = "gpt2-small.safetensors"
    copy_ref = get(runs, f"copy/memcpy_prefaulted/{gpt2}")
    per_tensor_ref = get(runs, f"copy/memcpy_per_tensor/{gpt2}")
    # (benchmark, label, the floor that allocates the same way, or None)
    variants = [("copy/memcpy_prefaulted", "memcpy of the data region, one call (reference)", None),
                ("copy/memcpy_per_tensor", "memcpy, one call per tensor (reference)", None),
                ("copy/read_mapped", "TensorView::read, mapped, into a resident buffer", "copy/memcpy_per_tensor"),
                ("copy/read_pread", "TensorView::read, pread, into a resident buffer", "copy/memcpy_per_tensor"),
                ("copy/new_vector_each", "std::vector(first, last) per tensor, freed (reference)", None),
                ("copy/copy_bytes_mapped", "TensorView::copy_bytes, mapped (new vector each)", "copy/new_vector_each"),
                ("copy/new_vectors_held", "std::vector(first, last) per tensor, all held (reference)", None),
                ("copy/copy_all_mapped", "Reader::copy_all, mapped", "copy/new_vectors_held"),
                ("copy/copy_all_pread", "Reader::copy_all, pread", "copy/new_vectors_held"),
                ("copy/load_file", "load_file (open + validate + pread + copy_all)", "copy/new_vectors_held")]
    rows = []
    for name, label, floor_name in variants:
        result = get(runs, f"{name}/{gpt2}")
        if not result:
            continue
        floor = get(runs, f"{floor_name}/{gpt2}") if floor_name else None
        rows.append([label, fmt(result.seconds() * 1e3, 1), fmt(result.rate() / GB), fmt(result.spread(), 1),
                     pct(result.rate() / copy_ref.rate()) if copy_ref else "n/a",
                     pct(result.rate() / per_tensor_ref.rate()) if per_tensor_ref else "n/a",
                     pct(result.rate() / floor.rate()) if floor else ""])
    if rows:
        body = table(["variant", "ms", "GB/s", "cv %", "vs memcpy (one call)", "vs memcpy per tensor",
                      "vs same allocation pattern"], rows)
        if memcpy_fresh:
            body += (f"\n\nmemcpy into freshly allocated memory (ref/memcpy_fresh): {fmt(memcpy_fresh.rate() / GB)} GB/s: "
                     "every variant that returns new memory pays this page-fault floor.")
        section("Copy-out of all 148 tensors of GPT-2 small (498 MB, file in the page cache)", body, out)
        for name, label in [("copy/copy_all_mapped", "Reader::copy_all"), ("copy/copy_bytes_mapped", "copy_bytes"),
                            ("copy/read_mapped", "TensorView::read into caller memory")]:
            result = get(runs, f"{name}/{gpt2}")
            if result and copy_ref:
                targets.append(memcpy_target(
                    f"copy-out >= 80% of memcpy: {label}", result, copy_ref, " (one call)"
                    + (f"; {pct(result.rate() / per_tensor_ref.rate(), 1)} of memcpy per tensor" if per_tensor_ref else "")))

    thp_rows = []
    for name, label in [("ref/memcpy_fresh/536870912", "memcpy into fresh memory (512 MiB)"),
                        (f"copy/new_vectors_held/{gpt2}", "std::vector per tensor, all held"),
                        (f"copy/copy_bytes_mapped/{gpt2}", "TensorView::copy_bytes"),
                        (f"copy/copy_all_mapped/{gpt2}", "Reader::copy_all, mapped"),
                        (f"copy/load_file/{gpt2}", "load_file"),
                        (f"write/save_to_memory/{gpt2}", "FileBuilder::save() to a vector")]:
        plain, huge = get(runs, name), get(runs, "thp/" + name)
        if plain and huge:
            thp_rows.append([label, fmt(plain.rate() / GB), fmt(huge.rate() / GB), f"{huge.rate() / plain.rate():.2f}x"])
    if thp_rows:
        section("Fresh memory with transparent huge pages (GLIBC_TUNABLES=glibc.malloc.hugetlb=1)",
                table(["variant", "GB/s, default malloc", "GB/s, malloc with THP", "speed-up"], thp_rows)
                + "\n\nThe machine's THP mode is `madvise`: glibc only asks for huge pages when told to.", out)

    # --- writer ----------------------------------------------------------------------
    write_ref = get(runs, "write/memcpy_prefaulted/gpt2-small.safetensors")
    pairs = [("write/memcpy_prefaulted", "memcpy of the file (reference)", None),
             ("write/save_to_memory", "FileBuilder::save() to a vector", "ref/memcpy_fresh/536870912"),
             ("write/raw_write_tmpfs", "write(2) to a tmpfs file (reference)", None),
             ("write/save_to_fd_tmpfs", "FileBuilder::save_to_fd, tmpfs file", "write/raw_write_tmpfs"),
             ("write/save_to_path_tmpfs", "FileBuilder::save_to_path, tmpfs, no fsync", "write/raw_write_tmpfs"),
             ("write/raw_write_tmpfs_overwrite", "write(2) over an existing tmpfs file (reference)", None),
             ("write/save_to_fd_tmpfs_overwrite", "FileBuilder::save_to_fd over an existing tmpfs file",
              "write/raw_write_tmpfs_overwrite"),
             ("write/raw_write_pipe", "write(2) into a pipe, drain thread (reference)", None),
             ("write/stream_writer_pipe", "StreamWriter over FdSink into the pipe", "write/raw_write_pipe"),
             ("write/save_to_fd_pipe", "FileBuilder::save_to_fd into the pipe", "write/raw_write_pipe"),
             ("write/raw_write_fsync_disk", "write(2) + fsync on the disk (reference)", None),
             ("write/save_to_path_fsync_disk", "FileBuilder::save_to_path, durable, disk",
              "write/raw_write_fsync_disk")]
    rows = []
    for name, label, own_ref in pairs:
        result = get(runs, f"{name}/gpt2-small.safetensors")
        if not result:
            continue
        ref = None
        if own_ref:
            ref = get(runs, f"{own_ref}/gpt2-small.safetensors") or get(runs, own_ref)
        rows.append([label, fmt(result.seconds() * 1e3, 1), fmt(result.rate() / GB), fmt(result.spread(), 1),
                     pct(result.rate() / write_ref.rate()) if write_ref else "n/a",
                     pct(result.rate() / ref.rate()) if ref else ""])
    if rows:
        section("Writing GPT-2 small (148 tensors, 498 MB from memory)",
                table(["variant", "ms", "GB/s", "cv %", "vs memcpy", "vs the same destination's floor"], rows)
                + "\n\nFloors: raw write(2) of the same bytes to the same kind of destination; for save() to a "
                  "vector, memcpy into freshly allocated memory (ref/memcpy_fresh).", out)
        for name, label, raw_name in [("write/save_to_fd_tmpfs", "writer to a page-cache file", "write/raw_write_tmpfs"),
                                      ("write/stream_writer_pipe", "streaming writer to a pipe", "write/raw_write_pipe")]:
            result = get(runs, f"{name}/gpt2-small.safetensors")
            raw = get(runs, f"{raw_name}/gpt2-small.safetensors")
            if result and write_ref:
                targets.append(memcpy_target(
                    f"{label} >= 80% of memcpy", result, write_ref,
                    f"; raw write(2) to the same place {fmt(raw.rate() / GB)} GB/s, "
                    f"the writer reaches {pct(result.rate() / raw.rate(), 1)} of it" if raw else ""))

    # --- hashing and value scan ------------------------------------------------------------
    rows = []
    digest_rates = {}
    for threads in (1, 2):
        result = get(runs, f"audit/digests/t{threads}/gpt2-small.safetensors")
        if not result:
            continue
        hashed = result.counter("hashed_bytes")
        wall = hashed / result.seconds()
        per_core = hashed / result.seconds("cpu_time")
        digest_rates[threads] = (wall, per_core)
        rows.append([f"audit digests, threads={threads}", fmt(result.seconds() * 1e3, 0), fmt(hashed / GB, 3),
                     fmt(wall / GB), fmt(per_core / GB), fmt(result.spread(), 1),
                     pct(per_core / ssl_one) if ssl_one else "n/a"])
    for name, label in [("audit/sha256_evp_oneshot", "EVP SHA-256 one call, file in memory"),
                        ("audit/sha256_evp_pread", "EVP SHA-256 over pread 1 MiB chunks")]:
        result = get(runs, f"{name}/gpt2-small.safetensors")
        if not result:
            continue
        per_core = result.rate() * result.seconds() / result.seconds("cpu_time")
        rows.append([label, fmt(result.seconds() * 1e3, 0), fmt(result.rate() * result.seconds() / GB, 3),
                     fmt(result.rate() / GB), fmt(per_core / GB), fmt(result.spread(), 1),
                     pct(per_core / ssl_one) if ssl_one else "n/a"])
    if rows:
        body = table(["variant", "ms", "GB hashed", "GB/s wall", "GB/s per core (CPU time)", "cv %",
                      "per core vs openssl speed"], rows)
        if ssl_one:
            body += f"\n\n`openssl speed -evp sha256 -bytes 1048576`: {fmt(ssl_one / GB)} GB/s on one core"
            if ssl_two:
                body += f", {fmt(ssl_two / GB)} GB/s with -multi 2"
            body += "."
        if 1 in digest_rates and 2 in digest_rates:
            body += (f" Scaling of the audit's digests from threads=1 to threads=2: "
                     f"{digest_rates[2][0] / digest_rates[1][0]:.2f}x wall. (The whole-file digest always has a "
                     "thread of its own, so threads=1 already runs two hashing threads.)")
        section("SHA-256 of all tensors and of the file (st-audit --manifest's data pass), GPT-2 small cached",
                body, out)
        if 1 in digest_rates and ssl_one:
            best_core = max(rate[1] for rate in digest_rates.values())
            targets.append(["hashing >= 90% of openssl speed per core",
                            f"{fmt(best_core / GB, 3)} GB/s per core = {pct(best_core / ssl_one, 1)}",
                            f"openssl speed {fmt(ssl_one / GB)} GB/s",
                            "met" if best_core >= 0.9 * ssl_one else "MISSED"])
    rows = []
    for threads in (1, 2):
        result = get(runs, f"audit/scan_values/t{threads}/gpt2-small.safetensors")
        if not result:
            continue
        scanned = result.counter("scanned_bytes")
        rows.append([f"audit scan_values, threads={threads} (pread + scan + SHA-256 of same-size tensors)",
                     fmt(result.seconds() * 1e3, 0), fmt(scanned / result.seconds() / GB),
                     fmt(scanned / result.seconds("cpu_time") / GB), fmt(result.spread(), 1)])
    kernel = get(runs, "audit/scan_kernel/gpt2-small.safetensors")
    if kernel:
        scanned = kernel.counter("scanned_bytes")
        rows.append(["value classifier alone, file in memory (audit/src value_scan)", fmt(kernel.seconds() * 1e3, 0),
                     fmt(scanned / kernel.seconds() / GB), fmt(scanned / kernel.seconds("cpu_time") / GB),
                     fmt(kernel.spread(), 1)])
    header_only = get(runs, "audit/header_only/gpt2-small.safetensors")
    if header_only:
        rows.append(["audit, header rules only (fixed cost)", fmt(header_only.seconds() * 1e3, 2), "", "",
                     fmt(header_only.spread(), 1)])
    if rows:
        body = table(["variant", "ms", "GB/s wall", "GB/s per core (CPU time)", "cv %"], rows)
        if memcpy_big:
            body += f"\n\nFor scale: memcpy moves {fmt(memcpy_big.rate() / GB)} GB/s on one core."
        section("Value scan (NaN/Inf counts, all-zero and identical tensors), GPT-2 small F32 cached", body, out)

    # --- resident memory ----------------------------------------------------------------------
    rss = read_tsv(os.path.join(folder, "rss.tsv"))
    if rss:
        rows = []
        for row in rss:
            kb = int(row["max_rss_kb"])
            rows.append([f"`{row['command']}`", f"{int(row['file_bytes']) / GB:,.2f} GB", f"{kb:,} KB",
                         f"{kb / 1024:.1f} MB", row["exit"]])
        section("Peak resident memory (/usr/bin/time -f %M), sparse multi-GB files",
                table(["command", "file size", "peak RSS", "", "exit status"], rows), out)
        validate_rows = [r for r in rss if r["command"].startswith("st-validate") and int(r["file_bytes"]) > GB]
        if validate_rows:
            worst = max(int(r["max_rss_kb"]) for r in validate_rows)
            targets.append(["st-validate on a multi-GB file < 10 MB resident", f"{worst / 1024:.1f} MB",
                            "", "met" if worst < 10 * 1024 else "MISSED"])

    if targets:
        section("Targets", table(["target", "measured", "reference", "verdict"], targets), out)

    print("\n".join(out))


if __name__ == "__main__":
    main()
