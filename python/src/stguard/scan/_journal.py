"""The scan's output: JSON Lines, one record per file (_records encodes
them), appended and flushed as soon as a task's files are complete, so
that an interrupted scan keeps everything it recorded and a re-run knows
what is done. A torn last line (the process died mid-write) is cut off on
open and its file scanned again."""
from __future__ import annotations

import json
import os
from collections import Counter
from typing import IO, Any, Dict, Iterable, Iterator, List, Optional, Tuple

# fsync at most this often: a flushed record survives the process dying;
# the sync bounds what a machine crash can take.
_SYNC_SECONDS = 1.0


def record_key(record: Dict[str, Any]) -> Tuple[Any, ...]:
    """What must match for a recorded file to count as done: the path, size
    and modification time (a URL: its ETag when the server sent one)."""
    if record.get("url"):
        return (record["path"], record.get("etag"))
    return (record["path"], record.get("size"), record.get("mtime_ns"))


def iter_records(path: str) -> Iterator[Tuple[Dict[str, Any], int]]:
    """The complete records of a journal, each with the byte offset where
    its line ends (everything after the last is a torn line). A line that is
    not a JSON object ends the good part too: nothing after a damaged line
    is trusted."""
    try:
        journal = open(path, "rb")
    except FileNotFoundError:
        return
    with journal:
        position = 0
        for line in journal:
            if not line.endswith(b"\n"):
                return  # torn
            try:
                record = json.loads(line)
            except ValueError:
                return
            if not isinstance(record, dict) or "path" not in record:
                return
            position += len(line)
            yield record, position


def read_records(path: str) -> Tuple[List[Dict[str, Any]], int]:
    """The complete records of a journal and the byte length they cover."""
    records: List[Dict[str, Any]] = []
    good_length = 0
    for record, good_length in iter_records(path):
        records.append(record)
    return records, good_length


class Journal:
    """Appends records to a JSON Lines file (created if missing). Keeps, per
    path, only the latest record's verdict (not the records: a hub's journal
    does not fit in memory), and the identity of the latest record the file
    held when opened (what a restart compares)."""

    def __init__(self, path: str):
        self.path = path
        # Strings only: a dict the garbage collector does not track, however
        # many millions of files are recorded.
        self.latest: Dict[str, str] = {}
        self._opened_keys: Dict[str, Tuple[Any, ...]] = {}
        good_length = 0
        for record, good_length in iter_records(path):
            # The newest wins.
            self._opened_keys[record["path"]] = record_key(record)
            self.latest[record["path"]] = record.get("verdict", "error")
        self.torn_bytes = 0
        if os.path.exists(path):
            self.torn_bytes = os.path.getsize(path) - good_length
            if self.torn_bytes:
                os.truncate(path, good_length)
        self._out: IO[str] = open(path, "a", encoding="utf-8", newline="\n")
        self._last_sync = 0.0

    def done_keys(self, include_errors: bool = True) -> set:
        """The record_key of every path's latest record when the journal was opened."""
        latest = self.latest
        return {key for path, key in self._opened_keys.items() if include_errors or latest[path] != "error"}

    def verdicts(self) -> Dict[str, int]:
        """Verdict counts over the latest record of every path."""
        return dict(Counter(self.latest.values()))

    def append(self, text: str, paths: List[str], verdicts: List[str], now: float) -> None:
        """Writes records that completed together (their JSON lines, as
        _records encodes them), then flushes: once this returns they
        survive the process. ``paths``, ``verdicts``: each record's path and
        verdict, in the order written. A kill halfway leaves at most a torn
        last line, which the next open cuts off."""
        self._out.write(text)
        self._out.flush()
        if now - self._last_sync >= _SYNC_SECONDS:
            os.fsync(self._out.fileno())
            self._last_sync = now
        # One C-level update for thousands of records; a path recorded
        # again takes the newer value (the order of `latest` does not matter).
        self.latest.update(zip(paths, verdicts))

    def close(self) -> None:
        if not self._out.closed:
            self._out.flush()
            os.fsync(self._out.fileno())
            self._out.close()


def latest_records(records: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """One record per path, the last one written (a file re-scanned after it changed)."""
    latest: Dict[str, Dict[str, Any]] = {}
    for record in records:
        latest.pop(record["path"], None)
        latest[record["path"]] = record
    return list(latest.values())


def write_parquet(records: List[Dict[str, Any]], path: str) -> None:
    """The records as a Parquet table (pyarrow). Nested fields (findings,
    digests, timings, error) are JSON text columns, so every row has one schema."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns: Dict[str, List[Any]] = {}
    names: List[str] = []
    for record in records:
        for name in record:
            if name not in columns:
                columns[name] = []
                names.append(name)
    for record in records:
        for name in names:
            value: Optional[Any] = record.get(name)
            if isinstance(value, (dict, list)):
                value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            columns[name].append(value)
    temporary = path + ".tmp"
    pq.write_table(pa.table({name: columns[name] for name in names}), temporary)
    os.replace(temporary, path)
