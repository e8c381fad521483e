"""Inter-process reader/writer lock on a side file, with a bounded wait.

HDF5 has no concurrency control of its own beyond refusing to open a file another process is
writing, so every kitefetch process (API workers, CLI, benches) takes this lock around file access:
shared for readers, exclusive for writers. The small files changed by read-change-write (the tracked list,
the fetch log) take it exclusively too. The wait is bounded: a holder that never lets go (a process stopped
with the lock, a stuck disk) is a StoreBusy after `timeout` seconds (HTTP 503 `busy`), never a hung request.
"""

from __future__ import annotations

import errno
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from adapters.outbound import atomic_file
from domain.errors import StoreBusy


class InterProcessLock:
    """`what` names the guarded thing in the busy error (default: "The store <file>", from the lock's name)."""

    def __init__(self, path: Path, timeout: float = 30.0, what: str | None = None, durable: bool = True) -> None:
        self._path = path
        self._timeout = timeout
        self._what = what or f"The store {path.stem}"
        self._durable = durable  # sync a data dir a writer creates into its parent (atomic_file.make_directory)
        self._thread_lock = threading.RLock()

    def _open(self, exclusive: bool) -> int | None:
        """The lock file's descriptor; a reader makes do with a read-only one on a read-only data dir (flock does
        not care how the file was opened), so stored candles stay readable there, and with none where there is
        no lock file and none can be made: no writer can work there either."""
        try:
            return os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            if exclusive or error.errno not in (errno.EROFS, errno.EACCES):
                raise
        try:
            return os.open(self._path, os.O_RDONLY)
        except FileNotFoundError:
            return None

    @contextmanager
    def hold(self, exclusive: bool) -> Iterator[None]:
        # Threads of one process serialise here; processes serialise on flock below.
        deadline = time.monotonic() + self._timeout
        if not self._thread_lock.acquire(timeout=self._timeout):
            raise StoreBusy(f"{self._what} is busy; try again shortly")
        try:
            if exclusive:  # a writer creates the data dir (synced into its parent); a reader never creates one
                atomic_file.make_directory(self._path.parent, durable=self._durable)
            fd = self._open(exclusive)
            if fd is None:
                yield
                return
            try:
                mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
                delay = 0.002
                while True:
                    try:
                        fcntl.flock(fd, mode | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() >= deadline:
                            raise StoreBusy(f"{self._what} is locked by another process; try again shortly") from None
                        time.sleep(delay)
                        delay = min(delay * 2, 0.05)
                try:
                    yield
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
        finally:
            self._thread_lock.release()
