"""One status line on stderr while a scan runs, only on a terminal."""
from __future__ import annotations

import sys
import time
from typing import IO, Optional


class Progress:
    _INTERVAL = 0.2

    def __init__(self, total: int, enabled: Optional[bool] = None, stream: Optional[IO[str]] = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total = total
        self.started = time.monotonic()
        self._shown = 0.0

    def update(self, files: int, data_bytes: int, errors: int, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._shown < self._INTERVAL:
            return
        self._shown = now
        elapsed = max(now - self.started, 1e-9)
        self.stream.write(f"\r[stguard.scan] {files}/{self.total} files, {data_bytes / 1e9:.2f} GB, "
                          f"{files / elapsed:.0f} files/s, {errors} errors ")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
