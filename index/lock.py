"""One index writer at a time: an advisory lock file (`fcntl.flock`) in the data folder.

`index build`, the app's start-up build and its uploads and deletions all write the same Chroma store; two at once
would embed everything twice and race on each document's record. A second writer waits for the lock up to a
timeout (`writer_lock_timeout`), then gives up with a message naming the holder. The lock is tied to an open file
description, so it is exclusive between threads of one process as well as between processes, and the kernel
releases it when a holder dies, even by `kill -9`.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = "index.lock"
_POLL = 0.1


class IndexBusy(RuntimeError):
    """Another writer held the index lock for longer than the timeout."""


class WriterLock:
    """The writer lock of one data folder; `hold()` is a context manager that waits up to `timeout` seconds."""

    def __init__(self, data_dir: Path, timeout: float) -> None:
        if timeout < 0:
            raise ValueError("the lock timeout cannot be negative")
        self.path = Path(data_dir) / LOCK_NAME
        self.timeout = timeout

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Hold the lock for the block, waiting up to `timeout` seconds for it; raises IndexBusy after that."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            self._acquire(fd)
            try:
                # The holder's pid, for the message a waiting writer gives up with.
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _acquire(self, fd: int) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusy(self._busy_message()) from None
                time.sleep(_POLL)

    def _busy_message(self) -> str:
        try:
            holder = self.path.read_text(encoding="ascii").strip()
        except OSError:
            holder = ""
        who = f"process {holder}" if holder.isdigit() else "another process"
        return (
            f"the index in {self.path.parent} is being written by {who} (an `index build`, or an upload or deletion "
            f"in the app); gave up after {self.timeout:g}s (writer_lock_timeout; raise it with "
            f"POLICY_WRITER_LOCK_TIMEOUT)"
        )
