"""stguard.scan: a few thousand generated files on a LocalCluster of 2
workers give exactly st-audit's verdicts, findings and digests; the thread
fallback gives the same records; restarts skip what is recorded and cut a
torn last line; a worker killed mid-file loses and duplicates nothing; a
file that always kills its worker is recorded as WORKER_CRASHED."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import stguard
import stguard.scan
from scan_helpers import (SPLIT_BYTES, assert_record_matches_st_audit, load_records, make_tree, st_audit_path,
                          st_audit_reports, stable)

distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed")
import cloudpickle  # noqa: E402  (comes with distributed)

# The worker plugin below travels to the workers by value: they cannot import the tests.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

FILE_COUNT = 2000


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("scan-tree")
    return root, make_tree(root / "models", FILE_COUNT)


@pytest.fixture(scope="module")
def dask_scan(tree):
    root, paths = tree
    output = root / "dask.jsonl"
    summary = stguard.scan.scan([root / "models"], output, values=True, digests=True, workers=2,
                                split_bytes=SPLIT_BYTES, progress=False)
    return summary, output


def test_dask_scan_matches_st_audit(tree, dask_scan):
    tool = st_audit_path()
    if tool is None:
        pytest.skip("no st-audit binary (scripts/test-python.sh builds it and sets STGUARD_ST_AUDIT)")
    root, paths = tree
    summary, output = dask_scan
    assert summary.backend == "dask" and summary.workers == 2
    assert summary.recorded == len(paths) and summary.errors == 0 and summary.skipped == 0
    records = load_records(output)
    assert sorted(record["path"] for record in records) == sorted(str(path) for path in paths)
    expected = st_audit_reports(tool, paths, root / "manifests")
    for record in records:
        assert_record_matches_st_audit(record, expected[record["path"]])
    verdicts = Counter(record["verdict"] for record in records)
    # The tree holds every verdict, findings of the value rules, and split files.
    assert verdicts["valid"] > 1000 and verdicts["invalid"] > 200 and verdicts["compat-only"] > 0
    rules = Counter(finding["rule"] for record in records for finding in record["findings"])
    for rule in ("STG-VAL-001", "STG-VAL-002", "STG-VAL-004", "STG-VAL-005", "STG-STRICT-001"):
        assert rules[rule] > 0, rule
    split = [record for record in records if record["tasks"] > 1]
    assert len(split) == 4 and all(record["tasks"] >= 10 for record in split)
    assert all(any(f["rule"] == "STG-VAL-005" for f in record["findings"]) for record in split)


def test_thread_fallback_gives_the_same_records(tree, dask_scan):
    root, paths = tree
    _, dask_output = dask_scan
    output = root / "threads.jsonl"
    summary = stguard.scan.scan([root / "models"], output, values=True, digests=True, backend="threads", workers=2,
                                split_bytes=SPLIT_BYTES, progress=False)
    assert summary.backend == "threads" and summary.recorded == len(paths)
    assert sorted(map(stable, load_records(output))) == sorted(map(stable, load_records(dask_output)))
    assert not Path(str(output) + ".inflight").exists()
    written = json.loads(Path(str(output) + ".summary.json").read_text())
    assert written["recorded"] == len(paths) and written["all_verdicts"] == summary.all_verdicts


def test_restart_skips_recorded_files_and_cuts_a_torn_line(tree, dask_scan):
    root, paths = tree
    _, dask_output = dask_scan
    output = root / "restart.jsonl"
    lines = dask_output.read_text(encoding="utf-8").split("\n")
    lines = [line + "\n" for line in lines if line]
    # An interrupted run: 1500 records, then half of the next one.
    output.write_text("".join(lines[:1500]) + lines[1500][: len(lines[1500]) // 2], encoding="utf-8")
    summary = stguard.scan.scan([root / "models"], output, values=True, digests=True, backend="threads", workers=2,
                                split_bytes=SPLIT_BYTES, progress=False)
    assert summary.skipped == 1500 and summary.recorded == len(paths) - 1500 and summary.torn_bytes > 0
    records = load_records(output)  # every line parses: the torn one is gone
    assert sorted(map(stable, records)) == sorted(map(stable, load_records(dask_output)))
    again = stguard.scan.scan([root / "models"], output, backend="threads", values=True, digests=True,
                              split_bytes=SPLIT_BYTES, progress=False)
    assert again.skipped == len(paths) and again.recorded == 0 and len(load_records(output)) == len(paths)
    # A file that changed since it was recorded is scanned again (and the new record wins).
    changed = next(path for path in paths if path.name.endswith("00007.safetensors"))
    os.utime(changed, ns=(changed.stat().st_atime_ns, changed.stat().st_mtime_ns + 1_000_000))
    third = stguard.scan.scan([root / "models"], output, backend="threads", values=True, digests=True,
                              split_bytes=SPLIT_BYTES, progress=False)
    assert third.recorded == 1 and third.skipped == len(paths) - 1


class _KillWorkers(distributed.WorkerPlugin):
    """Makes a worker kill its own process (SIGKILL) while auditing chosen
    files: "kill-once" files the first time only (a marker file records it),
    "kill-always" files every time. Registered plugins also run on the
    workers the nanny starts in place of the dead ones."""

    def __init__(self, marker_folder: str):
        self.marker_folder = marker_folder

    def setup(self, worker):
        from stguard.scan import _tasks

        original = getattr(_tasks, "_unpatched_audit_one", _tasks._audit_one)
        marker_folder = self.marker_folder

        def audit_one(path, size, mtime_ns, options):
            name = os.path.basename(path)
            if name.startswith("kill-always"):
                os.kill(os.getpid(), signal.SIGKILL)
            if name.startswith("kill-once"):
                marker = os.path.join(marker_folder, name + ".killed")
                if not os.path.exists(marker):
                    open(marker, "w").close()
                    os.kill(os.getpid(), signal.SIGKILL)
            return original(path, size, mtime_ns, options)

        _tasks._unpatched_audit_one = original
        _tasks._audit_one = audit_one


@pytest.fixture
def killing_cluster(tmp_path):
    import dask

    # As stguard.scan sets up its own LocalCluster: Dask gives up at the first
    # death (the driver counts), workers hold only the task they run.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0,
                          "distributed.scheduler.worker-saturation": 1.0}):
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        client = distributed.Client(cluster)
    client.register_plugin(_KillWorkers(str(tmp_path)))
    yield client
    client.close()
    cluster.close()


def _small_tree(folder: Path, names):
    import numpy as np

    import stguard.numpy

    folder.mkdir()
    for index, name in enumerate(names):
        stguard.numpy.save_file({"w": np.full(4, index, dtype=np.float32)}, folder / name)


@pytest.mark.parametrize("digests", [True, False], ids=["digests (driver stats)", "header-only (workers stat)"])
def test_a_worker_killed_mid_file_loses_and_duplicates_nothing(tmp_path, killing_cluster, digests):
    names = [f"m{index:03d}.safetensors" for index in range(150)]
    names[10] = "kill-once-a.safetensors"
    names[120] = "kill-once-b.safetensors"
    _small_tree(tmp_path / "models", names)
    output = tmp_path / "out.jsonl"
    summary = stguard.scan.scan([tmp_path / "models"], output, client=killing_cluster, digests=digests,
                                crash_attempts=2, progress=False, batch_files=8)
    assert (tmp_path / "kill-once-a.safetensors.killed").exists()  # the kill happened
    assert (tmp_path / "kill-once-b.safetensors.killed").exists()
    records = load_records(output)
    assert sorted(os.path.basename(record["path"]) for record in records) == sorted(names)
    assert all(record["verdict"] == "valid" and bool(record["digests"]) == digests for record in records)
    assert summary.recorded == 150 and summary.errors == 0 and summary.skipped == 0


def test_a_file_that_always_kills_its_worker_is_recorded_as_crashed(tmp_path, killing_cluster):
    names = [f"m{index:02d}.safetensors" for index in range(20)]
    names[5] = "kill-always.safetensors"
    _small_tree(tmp_path / "models", names)
    output = tmp_path / "out.jsonl"
    summary = stguard.scan.scan([tmp_path / "models"], output, client=killing_cluster, crash_attempts=2,
                                progress=False, batch_files=8)
    records = {os.path.basename(record["path"]): record for record in load_records(output)}
    assert len(records) == 20 and len(load_records(output)) == 20
    crashed = records.pop("kill-always.safetensors")
    assert crashed["verdict"] == "error" and crashed["error_code"] == "WORKER_CRASHED" and crashed["attempts"] == 2
    # Its batch mates were re-run alone.
    assert all(record["verdict"] == "valid" for record in records.values()), [
        (name, record["error_code"]) for name, record in records.items() if record["verdict"] != "valid"]
    assert summary.errors == 1


def test_in_process_crash_bookkeeping(tmp_path):
    """Threads: a file in flight when the scan died crash_attempts times is recorded, not tried again."""
    _small_tree(tmp_path / "models", ["a.safetensors", "b.safetensors"])
    output = tmp_path / "out.jsonl"
    victim = tmp_path / "models" / "a.safetensors"
    entry = json.dumps([str(victim), victim.stat().st_size, victim.stat().st_mtime_ns])
    Path(str(output) + ".inflight").write_text((entry + "\n") * 3, encoding="utf-8")
    summary = stguard.scan.scan([tmp_path / "models"], output, backend="threads", crash_attempts=3, progress=False)
    records = {os.path.basename(record["path"]): record for record in load_records(output)}
    assert records["a.safetensors"]["error_code"] == "WORKER_CRASHED"
    assert records["b.safetensors"]["verdict"] == "valid" and summary.errors == 1
    assert not Path(str(output) + ".inflight").exists()


def test_inputs_lists_missing_files_and_urls_without_remote(tmp_path, monkeypatch):
    _small_tree(tmp_path / "models", ["a.safetensors", "b.safetensors"])
    listing = tmp_path / "inputs.txt"
    listing.write_text(f"# a listing\n{tmp_path / 'models' / 'a.safetensors'}\n{tmp_path / 'missing.safetensors'}\n"
                       f"http://127.0.0.1:9/model.safetensors\n@{listing}\n", encoding="utf-8")
    monkeypatch.delattr(stguard, "validate_url", raising=False)
    output = tmp_path / "out.jsonl"
    summary = stguard.scan.scan([listing, tmp_path / "models"], output, backend="threads", progress=False)
    records = {record["path"]: record for record in load_records(output)}
    assert summary.inputs == 4 and len(records) == 4
    assert records[str(tmp_path / "missing.safetensors")]["error_code"] == "IO_ERROR"
    url = records["http://127.0.0.1:9/model.safetensors"]
    assert url["verdict"] == "error" and url["error_code"] == "URL_UNSUPPORTED" and url["url"] is True
    assert records[str(tmp_path / "models" / "b.safetensors")]["verdict"] == "valid"


def test_command_line(tmp_path):
    _small_tree(tmp_path / "models", ["a.safetensors"])
    (tmp_path / "models" / "bad.safetensors").write_bytes(b"\x10" + b"\0" * 7 + b"{}")
    output = tmp_path / "out.jsonl"
    run = subprocess.run([sys.executable, "-m", "stguard.scan", "--threads", "--digests", "-o", str(output),
                          str(tmp_path / "models")], capture_output=True, text=True, check=False)
    assert run.returncode == 1, run.stderr  # one file is invalid
    summary = json.loads(run.stdout)
    assert summary["recorded"] == 2 and summary["verdicts"] == {"valid": 1, "invalid": 1}
    assert run.stderr == ""  # no progress line when stderr is not a terminal
    (tmp_path / "models" / "bad.safetensors").unlink()
    os.remove(output)
    ok = subprocess.run([sys.executable, "-m", "stguard.scan", "--threads", "-o", str(output),
                         str(tmp_path / "models")], capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    usage = subprocess.run([sys.executable, "-m", "stguard.scan", "--workers", "0", "-o", str(output), "x"],
                           capture_output=True, text=True, check=False)
    assert usage.returncode == 2 and "--workers" in usage.stderr
    helped = subprocess.run([sys.executable, "-m", "stguard.scan", "--help"], capture_output=True, text=True, check=True)
    assert "--scheduler" in helped.stdout and "docs/scale.md" in helped.stdout


def test_one_input_given_alone(tmp_path):
    _small_tree(tmp_path / "models", ["a.safetensors"])
    summary = stguard.scan.scan(tmp_path / "models", tmp_path / "out.jsonl", backend="threads", progress=False)
    assert summary.inputs == 1 and summary.verdicts == {"valid": 1}


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError):
        stguard.scan.scan([], tmp_path / "out.jsonl", profile="lenient", backend="threads")
    with pytest.raises(ValueError):
        stguard.scan.scan([], tmp_path / "out.jsonl", backend="spark")
    with pytest.raises(ValueError):
        stguard.scan.scan([], tmp_path / "out.jsonl", backend="threads", crash_attempts=0)


def test_parquet_output(tmp_path):
    pyarrow_parquet = pytest.importorskip("pyarrow.parquet", reason="pyarrow is not installed (Parquet is optional)")
    _small_tree(tmp_path / "models", ["a.safetensors", "b.safetensors"])
    summary = stguard.scan.scan([tmp_path / "models"], tmp_path / "out.jsonl", backend="threads", digests=True,
                                parquet=tmp_path / "out.parquet", progress=False)
    table = pyarrow_parquet.read_table(tmp_path / "out.parquet").to_pylist()
    assert summary.recorded == 2 and sorted(row["verdict"] for row in table) == ["valid", "valid"]
    assert json.loads(table[0]["digests"])["file"]


def _serve(folder: Path):
    """A loopback HTTP server of `folder` that answers Range requests (what remote validation sends)."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _send(self, with_body: bool) -> None:
            target = folder / self.path.lstrip("/")
            if not target.is_file():
                self.send_error(404)
                return
            data = target.read_bytes()
            begin, end, status = 0, len(data) - 1, 200
            wanted = self.headers.get("Range")
            if wanted and wanted.startswith("bytes="):
                first, _, last = wanted[len("bytes="):].partition("-")
                begin = int(first)
                end = min(int(last), len(data) - 1) if last else len(data) - 1
                status = 206
            self.send_response(status)
            self.send_header("Content-Length", str(end - begin + 1))
            self.send_header("ETag", f'"{len(data)}-{target.stat().st_mtime_ns}"')
            if status == 206:
                self.send_header("Content-Range", f"bytes {begin}-{end}/{len(data)}")
            self.end_headers()
            if with_body:
                self.wfile.write(data[begin:end + 1])

        def do_GET(self):
            self._send(True)

        def do_HEAD(self):
            self._send(False)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.skipif(not hasattr(stguard, "validate_url"),
                    reason="stguard.validate_url (remote validation, issue 20) is not in this build")
def test_url_inputs_over_loopback_http(tmp_path):
    names = ["a.safetensors", "b.safetensors"]
    _small_tree(tmp_path / "models", names)
    (tmp_path / "models" / "bad.safetensors").write_bytes(b"\x10" + b"\0" * 7 + b"{}")
    server = _serve(tmp_path / "models")
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        urls = [f"{base}/{name}" for name in names + ["bad.safetensors"]]
        output = tmp_path / "out.jsonl"
        summary = stguard.scan.scan(urls, output, backend="threads", progress=False)
        records = {record["path"]: record for record in load_records(output)}
        assert summary.recorded == 3
        for name in names + ["bad.safetensors"]:
            local = stguard.validate(tmp_path / "models" / name)
            record = records[f"{base}/{name}"]
            assert record["url"] is True
            assert record["verdict"] == ("valid" if local.valid else "invalid")
            assert record["error_code"] == (None if local.valid else local.error.code)
        again = stguard.scan.scan(urls, output, backend="threads", progress=False)
        assert again.skipped == 3 and again.recorded == 0
        # The scan's limits reach the remote validation too, as they reach a file's.
        limits = {"max_header_bytes": 16}
        local = stguard.validate(tmp_path / "models" / names[0], **limits)
        assert not local.valid
        limited = tmp_path / "limited.jsonl"
        stguard.scan.scan(urls[:1], limited, backend="threads", progress=False, limits=limits)
        (record,) = load_records(limited)
        assert record["verdict"] == "invalid" and record["error_code"] == local.error.code
    finally:
        server.shutdown()


def test_progress_line_only_when_enabled():
    import io

    from stguard.scan._progress import Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    shown = Terminal()
    meter = Progress(10, stream=shown)
    meter.update(3, 2_000_000_000, 1, force=True)
    meter.close()
    assert shown.getvalue().startswith("\r[stguard.scan] 3/10 files, 2.00 GB,") and "1 errors" in shown.getvalue()
    piped = io.StringIO()
    quiet = Progress(10, stream=piped)
    quiet.update(3, 0, 0, force=True)
    quiet.close()
    assert piped.getvalue() == ""


def test_journal_stops_at_a_damaged_line(tmp_path):
    from stguard.scan._journal import Journal

    output = tmp_path / "out.jsonl"
    good = json.dumps({"path": "a", "size": 1, "mtime_ns": 2, "verdict": "valid"})
    output.write_text(good + "\n" + "{not json}\n" + good.replace('"a"', '"b"') + "\n", encoding="utf-8")
    journal = Journal(str(output))
    try:
        assert list(journal.latest) == ["a"] and journal.verdicts() == {"valid": 1}
        assert journal.torn_bytes == len("{not json}\n") + len(good) + 1
    finally:
        journal.close()
    assert output.read_text(encoding="utf-8") == good + "\n"


def test_a_file_changed_during_a_split_scan_is_an_error_not_a_mixed_record(tmp_path, monkeypatch):
    import numpy as np

    import stguard.numpy
    from stguard.scan import _tasks

    models = tmp_path / "models"
    models.mkdir()
    big = models / "big.safetensors"
    stguard.numpy.save_file({f"t{index}": np.full(4096, index, dtype=np.float32) for index in range(8)}, big)
    original = _tasks.audit_range

    def touching_audit_range(path, size, mtime_ns, *rest):
        os.utime(path, ns=(mtime_ns, mtime_ns + 1))  # someone rewrites the file meanwhile
        return original(path, size, mtime_ns, *rest)

    monkeypatch.setattr(_tasks, "audit_range", touching_audit_range)
    output = tmp_path / "out.jsonl"
    summary = stguard.scan.scan([models], output, digests=True, backend="threads", split_bytes=16 << 10,
                                progress=False)
    records = load_records(output)
    assert len(records) == 1 and summary.errors == 1
    assert records[0]["verdict"] == "error" and records[0]["error_code"] == "IO_FILE_CHANGED"
    assert records[0]["digests"] is None


def test_command_line_on_a_local_cluster(tmp_path):
    """The default backend from the command line: Dask's spawned workers re-import `-m stguard.scan`."""
    _small_tree(tmp_path / "models", ["a.safetensors", "b.safetensors"])
    output = tmp_path / "out.jsonl"
    run = subprocess.run([sys.executable, "-m", "stguard.scan", "--workers", "1", "--digests", "--no-progress", "-o",
                          str(output), str(tmp_path / "models")], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert summary["backend"] == "dask" and summary["workers"] == 1 and summary["verdicts"] == {"valid": 2}
    assert all(record["digests"] for record in load_records(output))


class _PoisonBackend:
    """Runs tasks in this process, one at a time, except that a task whose
    files include a poison path "crashes" (as Dask reports a task whose
    worker died: KilledWorker) without running. Counts tasks and crashes."""

    name = "fake"

    def __init__(self, poison, workers=1):
        self.poison = set(poison)
        self.workers = workers
        self.submitted = []  # the files of each task, in order
        self.crashes = 0
        self._queue = []

    def submit(self, tag, function, *args):
        from stguard.scan import _tasks

        batch = args[0] if isinstance(args[0], _tasks.FileBatch) else None
        self.submitted.append(list(batch.paths) if batch is not None else [])
        self._queue.append((tag, function, args, batch))

    def next_done(self):
        tag, function, args, batch = self._queue.pop(0)
        if batch is not None and self.poison.intersection(batch.paths):
            self.crashes += 1
            return (tag, "crashed", RuntimeError("KilledWorker: the worker died"))
        return (tag, "ok", function(*args))

    def close(self):
        pass


def _run_driver(tmp_path, backend, paths, batch_files, crash_attempts=3, window=4):
    from stguard.scan._driver import Driver
    from stguard.scan._inputs import expand_inputs
    from stguard.scan._journal import Journal
    from stguard.scan._progress import Progress
    from stguard.scan._tasks import ScanOptions

    output = tmp_path / "out.jsonl"
    journal = Journal(str(output))
    try:
        driver = Driver(backend, journal, ScanOptions(), batch_files=batch_files, batch_bytes=1 << 30, window=window,
                        crash_attempts=crash_attempts, progress=Progress(0, enabled=False), inflight_path=None)
        driver.enqueue(expand_inputs(str(path) for path in paths))
        driver.run()
        driver.flush_records()
    finally:
        journal.close()
    return driver, load_records(output)


def test_a_crashing_batch_is_cut_down_to_its_culprit(tmp_path):
    """A batch holding a file that always kills its worker: cut in eight
    parts, again and again, down to that file alone, which is recorded as
    WORKER_CRASHED after crash_attempts tries; every other file of the batch
    is recorded once, valid. Far fewer tasks than one per file."""
    names = [f"m{index:03d}.safetensors" for index in range(600)]
    _small_tree(tmp_path / "models", names)
    paths = [tmp_path / "models" / name for name in names]
    poison = str(paths[40])
    backend = _PoisonBackend([poison])
    driver, records = _run_driver(tmp_path, backend, paths, batch_files=150)
    # 4 batches of 150; the first dies, then the one of its 8 parts (19
    # files: 38..56) holding the poison, then the one of that part's 7
    # parts (3 files: 38..40), then the poison alone, 3 times.
    assert [len(files) for files in backend.submitted[:4]] == [150] * 4
    assert backend.crashes == 1 + 1 + 1 + 3
    assert len(backend.submitted) == 4 + 8 + 7 + 3 + 2
    assert sorted(record["path"] for record in records) == sorted(map(str, paths))  # each once
    by_path = {record["path"]: record for record in records}
    crashed = by_path.pop(poison)
    assert crashed["error_code"] == "WORKER_CRASHED" and crashed["attempts"] == 3
    assert all(record["verdict"] == "valid" for record in by_path.values())
    assert driver.counts.recorded == 600 and driver.counts.errors == 1
    assert driver.counts.verdicts == {"valid": 599, "error": 1}


def test_two_culprits_in_one_batch_and_batch_sizes(tmp_path):
    """Two crashing files in one batch are both isolated; batches are cut
    so that every worker gets a few (100 files, 2 workers: 13 per batch)."""
    names = [f"m{index:03d}.safetensors" for index in range(100)]
    _small_tree(tmp_path / "models", names)
    paths = [tmp_path / "models" / name for name in names]
    poison = {str(paths[2]), str(paths[9])}
    backend = _PoisonBackend(poison, workers=2)
    driver, records = _run_driver(tmp_path, backend, paths, batch_files=4096, crash_attempts=2, window=8)
    assert [len(files) for files in backend.submitted[:8]] == [13] * 7 + [9]
    assert len(records) == 100 and len({record["path"] for record in records}) == 100
    crashed = {record["path"] for record in records if record["verdict"] == "error"}
    assert crashed == poison
    assert all(record["error_code"] == "WORKER_CRASHED" and record["attempts"] == 2
               for record in records if record["verdict"] == "error")


def test_batch_records_of_files_that_fail_or_change(tmp_path):
    """audit_files: one record per file, finished on the worker: a file gone
    since it was listed fails as Python's open fails (IO_ERROR), one changed
    is IO_FILE_CHANGED, a directory the library's IO_NOT_REGULAR_FILE."""
    from stguard.scan import _records, _tasks

    _small_tree(tmp_path / "models", ["good.safetensors", "changed.safetensors"])
    good = tmp_path / "models" / "good.safetensors"
    changed = tmp_path / "models" / "changed.safetensors"
    folder = tmp_path / "models"
    entries = [(str(good), good.stat().st_size, good.stat().st_mtime_ns),
               (str(tmp_path / "gone.safetensors"), 80, 1),
               (str(changed), changed.stat().st_size + 1, changed.stat().st_mtime_ns),
               (str(folder), folder.stat().st_size, folder.stat().st_mtime_ns)]
    batch = _tasks.FileBatch(*map(list, zip(*entries)))
    result = _tasks.audit_files(batch, _tasks.ScanOptions())
    assert result.verdicts == ["valid", "error", "error", "error"] and result.splits == {}
    assert result.paths == [entry[0] for entry in entries] and result.skipped == 0
    assert result.data_bytes == sum(entry[1] for entry in entries)
    assert result.text.count(_records.WALL_MARK) == 4
    records = [json.loads(line) for line in _records.fill_wall(result.text, 0.25).splitlines()]
    assert [record["path"] for record in records] == [entry[0] for entry in entries]
    assert [record["error_code"] for record in records] == [None, "IO_ERROR", "IO_FILE_CHANGED",
                                                             "IO_NOT_REGULAR_FILE"]
    assert all(record["timings"]["wall_s"] == 0.25 and record["tasks"] == 1 for record in records)


def test_record_text_holds_any_string_and_one_wall_mark(tmp_path):
    """The wall_s mark (a raw NUL) cannot collide with a record's strings:
    JSON text with ensure_ascii escapes every control character."""
    from stguard.scan import _records

    report = _records.error_report("SCAN_FAILED", "a \x00 b \u2028 c \udcff d")
    line = _records.encode("dir/\u2028\x01name\udcff.safetensors", False, 3, 4, None, "strict", report, 1, 1e-7)
    assert line.count(_records.WALL_MARK) == 1 and line.endswith("\n") and line.count("\n") == 1
    record = json.loads(_records.fill_wall(line, 1.5))
    assert record["path"] == "dir/\u2028\x01name\udcff.safetensors"
    assert record["error"]["message"] == "a \x00 b \u2028 c \udcff d"
    assert record["timings"] == {"work_s": 0.0, "wall_s": 1.5} and record["max_severity"] is None
    assert list(record) == ["path", "url", "size", "mtime_ns", "etag", "profile", "verdict", "error_code", "error",
                            "tensor_count", "findings", "suppressed_findings", "values_scanned", "digests",
                            "max_severity", "tasks", "timings"]


def test_header_scan_on_dask_stats_on_the_workers_and_skips_what_is_recorded(tmp_path):
    """A header-only scan on Dask lists names only: the workers stat each
    file and skip those the output records with the same size and mtime.
    On a re-run where the batch holds recorded files, one that changed size
    since and new ones, only the changed and new ones are audited again."""
    from stguard.scan import _inputs

    names = [f"m{index:02d}.safetensors" for index in range(30)]
    _small_tree(tmp_path / "models", names)
    (tmp_path / "models" / "sub").mkdir()
    _small_tree(tmp_path / "models" / "sub" / "deeper", ["z.safetensors"])
    (tmp_path / "models" / "notes.txt").write_text("not a model")
    listed = _inputs.expand_inputs([str(tmp_path / "models")], stat_files=False)
    assert [item.path for item in listed] == [item.path for item in _inputs.expand_inputs([str(tmp_path / "models")])]
    assert all(item.size is None and item.mtime_ns is None for item in listed)

    output = tmp_path / "out.jsonl"
    first = stguard.scan.scan([tmp_path / "models"], output, backend="dask", workers=2, progress=False)
    assert first.recorded == 31 and first.skipped == 0 and first.verdicts == {"valid": 31}
    records = load_records(output)
    for record in records:  # the identity the worker stat'ed, as the driver's stat would give
        status = os.stat(record["path"])
        assert (record["size"], record["mtime_ns"]) == (status.st_size, status.st_mtime_ns)

    import numpy as np
    from stguard.numpy import save_file

    changed = tmp_path / "models" / "m07.safetensors"
    save_file({"w": np.zeros(9, dtype=np.float32)}, changed)  # another size
    _small_tree(tmp_path / "models" / "new", ["n1.safetensors", "n2.safetensors"])
    (tmp_path / "models" / "m20.safetensors").unlink()
    second = stguard.scan.scan([tmp_path / "models"], output, backend="dask", workers=2, progress=False,
                               batch_files=4096)
    assert second.skipped == 29 and second.recorded == 3 and second.inputs == 32
    added = load_records(output)[len(records):]
    assert sorted(os.path.basename(record["path"]) for record in added) == ["m07.safetensors", "n1.safetensors",
                                                                            "n2.safetensors"]
    assert next(r for r in added if r["path"] == str(changed))["size"] == changed.stat().st_size
    third = stguard.scan.scan([tmp_path / "models"], output, backend="dask", workers=2, progress=False)
    assert third.skipped == 32 and third.recorded == 0


def test_a_batch_listed_by_name_only(tmp_path):
    """audit_files with the files' identity left to it: a file recorded as it
    is now is skipped, one recorded with another size is audited, one that
    cannot be stat'ed is recorded as IO_ERROR as the driver records it."""
    from stguard.scan import _records, _tasks

    _small_tree(tmp_path / "models", ["same.safetensors", "grown.safetensors", "new.safetensors"])
    same, grown, new = (tmp_path / "models" / name for name in ("same.safetensors", "grown.safetensors",
                                                                 "new.safetensors"))
    gone = tmp_path / "gone.safetensors"
    recorded = {str(same): (same.stat().st_size, same.stat().st_mtime_ns),
                str(grown): (grown.stat().st_size - 1, grown.stat().st_mtime_ns)}
    batch = _tasks.FileBatch([str(same), str(grown), str(gone), str(new)], None, None, recorded)
    result = _tasks.audit_files(batch, _tasks.ScanOptions())
    assert result.skipped == 1 and result.verdicts == ["valid", "error", "valid"] and result.splits == {}
    assert result.paths == [str(grown), str(gone), str(new)]
    assert result.data_bytes == grown.stat().st_size + new.stat().st_size
    records = [json.loads(line) for line in _records.fill_wall(result.text, 0.5).splitlines()]
    assert [(record["size"], record["mtime_ns"]) for record in (records[0], records[2])] == [
        (grown.stat().st_size, grown.stat().st_mtime_ns), (new.stat().st_size, new.stat().st_mtime_ns)]
    assert records[1]["error_code"] == "IO_ERROR" and records[1]["error"]["message"].startswith("FileNotFoundError")
    assert records[1]["size"] is None and records[1]["tasks"] == 0
    driver_listed = stguard.scan.expand_inputs([str(gone)])[0]  # the driver's record of the same file says the same
    assert records[1]["error"]["message"] == driver_listed.error
