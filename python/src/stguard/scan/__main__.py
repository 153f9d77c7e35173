"""python -m stguard.scan: the command line of stguard.scan.scan."""
from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional

from . import DEFAULT_CRASH_ATTEMPTS, scan

_EPILOG = """\
inputs: files, directories (every *.safetensors below), http(s) URLs, and
list files (@FILE, or a .txt/.lst file: one input per line, # comments).
Output: one JSON record per file in OUTPUT (appended; a re-run skips files
recorded with the same size and mtime), the summary in OUTPUT.summary.json
and on standard output. Progress goes to stderr when it is a terminal.
Exit status: 0 every file valid, 1 a file invalid, compat-only under strict,
with a finding at or above --fail-on, or not scannable; 2 usage.
See docs/scale.md."""


def _parse(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m stguard.scan", description=(
        "Validate and audit many safetensors files on Dask (a LocalCluster by default) or threads."),
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="file, directory, URL or list file")
    parser.add_argument("-o", "--output", required=True, help="JSON Lines file of records (appended)")
    parser.add_argument("--profile", choices=["strict", "compat"], default="strict",
                        help="the gate's profile (default strict: strict rejections are high findings)")
    parser.add_argument("--values", action="store_true", help="read every tensor: NaN/Inf, BOOL bytes, ties")
    parser.add_argument("--digests", action="store_true", help="SHA-256 of each file and tensor (as st-audit --manifest)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="a running dask scheduler (tcp://host:8786)")
    where.add_argument("--threads", action="store_true", help="no Dask: a thread pool in this process")
    parser.add_argument("--workers", type=int, help="LocalCluster workers or threads (default: CPU count)")
    parser.add_argument("--split-mb", type=int, default=256,
                        help="with --values/--digests, split files above this into tensor runs of this size")
    parser.add_argument("--crash-attempts", type=int, default=DEFAULT_CRASH_ATTEMPTS,
                        help="times Dask may give up on a file whose worker died running it before the file "
                             "is recorded as WORKER_CRASHED (LocalCluster: each death)")
    parser.add_argument("--retry-errors", action="store_true", help="scan again files recorded as errors")
    parser.add_argument("--parquet", metavar="FILE", help="also write the records as Parquet (needs pyarrow)")
    parser.add_argument("--fail-on", choices=["info", "low", "medium", "high", "never"], default="high",
                        help="exit 1 when a file has a finding of this severity or higher (default high)")
    parser.add_argument("--no-progress", action="store_true", help="no status line on stderr, even on a terminal")
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = _parse(argv)
    if args.workers is not None and args.workers < 1:
        print("python -m stguard.scan: --workers must be at least 1", file=sys.stderr)
        return 2
    if args.split_mb < 1:
        print("python -m stguard.scan: --split-mb must be at least 1", file=sys.stderr)
        return 2
    try:
        summary = scan(args.inputs, args.output, profile=args.profile, values=args.values, digests=args.digests,
                       scheduler=args.scheduler, workers=args.workers, backend="threads" if args.threads else "auto",
                       split_bytes=args.split_mb << 20, crash_attempts=args.crash_attempts,
                       retry_errors=args.retry_errors, parquet=args.parquet,
                       progress=False if args.no_progress else None)
    except ImportError as missing:
        print(f"python -m stguard.scan: {missing}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as failure:
        print(f"python -m stguard.scan: {failure}", file=sys.stderr)
        return 2
    json.dump(summary.to_dict(), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0 if _all_pass(summary.output, args.profile, args.fail_on) else 1


def _all_pass(output: str, profile: str, fail_on: str) -> bool:
    """True when the latest record of every path in the output passes."""
    from ._journal import iter_records

    order = ["info", "low", "medium", "high"]
    failing = {}
    for record, _ in iter_records(output):
        worst = record.get("max_severity")
        failing[record["path"]] = (
            record["verdict"] in ("invalid", "error") or (record["verdict"] == "compat-only" and profile == "strict")
            or (fail_on != "never" and worst is not None and order.index(worst) >= order.index(fail_on)))
    return not any(failing.values())


if __name__ == "__main__":
    sys.exit(main())
