"""Where a scan's tasks run: a dask.distributed Client, or a thread pool in
this process. Both offer submit() and next_done(); a finished task is
("ok", result), ("error", exception) or ("crashed", exception) - the last
when Dask gave up on a task whose workers kept dying (KilledWorker: it was
tried allowed-failures + 1 times)."""
from __future__ import annotations

import queue
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Dict, Tuple

Done = Tuple[Any, str, Any]  # (tag, "ok" | "error" | "crashed", result or exception)


class ThreadBackend:
    """Tasks on threads of this process (the C++ work releases the GIL)."""

    name = "threads"

    def __init__(self, workers: int):
        self.workers = max(1, workers)
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="stguard-scan")
        self._done: "queue.Queue[Done]" = queue.Queue()

    def submit(self, tag: Any, function: Callable[..., Any], *args: Any) -> None:
        future = self._pool.submit(function, *args)

        def finished(done: "Future[Any]") -> None:
            failure = done.exception()
            self._done.put((tag, "ok", done.result()) if failure is None else (tag, "error", failure))

        future.add_done_callback(finished)

    def next_done(self) -> Done:
        return self._done.get()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskBackend:
    """Tasks on a dask.distributed cluster through `client`."""

    name = "dask"

    def __init__(self, client: Any):
        from distributed import as_completed

        self.client = client
        self.workers = max(1, len(client.scheduler_info().get("workers", {})))
        # with_results: results are gathered in the background, in batches,
        # not by one blocking round trip per finished task.
        self._completed = as_completed(with_results=True, raise_errors=False)
        self._iterator = iter(self._completed)
        self._tags: Dict[str, Any] = {}

    def submit(self, tag: Any, function: Callable[..., Any], *args: Any) -> None:
        future = self.client.submit(function, *args, pure=False)
        self._tags[future.key] = tag
        self._completed.add(future)

    def next_done(self) -> Done:
        future, result = next(self._iterator)
        tag = self._tags.pop(future.key)
        try:
            if future.status == "error":
                failure = result if isinstance(result, BaseException) else future.exception()
                crashed = type(failure).__name__ == "KilledWorker"
                return (tag, "crashed" if crashed else "error", failure)
            if future.status == "cancelled":
                return (tag, "crashed", RuntimeError("the task was cancelled (its worker or the scheduler went away)"))
            return (tag, "ok", result)
        finally:
            future.release()

    def close(self) -> None:
        pass


def local_cluster_client(workers: int, allowed_failures: int = 0) -> Tuple[Any, Any]:
    """A LocalCluster of `workers` processes (one thread each) and its Client.
    `allowed_failures`: how many times a task may be on a worker that dies
    before Dask gives up on it (KilledWorker; the driver counts those)."""
    import dask
    from distributed import Client, LocalCluster

    # worker-saturation 1.0: a worker holds only the task it runs, so a
    # worker that dies takes no queued task down with it.
    with dask.config.set({"distributed.scheduler.allowed-failures": allowed_failures,
                          "distributed.scheduler.worker-saturation": 1.0,
                          "distributed.worker.daemon": False}):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    return cluster, client


def connect(address: str) -> Any:
    from distributed import Client

    return Client(address)


def dask_available() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True
