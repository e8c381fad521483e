"""One segment file's locks and handles: the shared lock for reads, the exclusive one and the journal for writes.

A write opens the file, writes and closes it: HDF5 marks a file open for writing and other processes'
readers (pandas in a notebook) refuse to open it while that mark is set, so it must never outlive a write.
Reads keep a read-only handle until `idle_close_seconds` pass without use; every access first checks the
file's signature (generation.py) and reopens if another process has written since. Writes go through h5py
(see layout.py for why) over a rollback journal (journal.py): a writer killed at any instant leaves the file
exactly as it was before that write, and a write that raises changes nothing. HDF5's own file locking is off
on every handle (`locking=False`): InterProcessLock replaces it, and HDF5 reads its environment variable only
once, when the library starts, so setting it from here would be too late to count on. With `durable` (the
default) a commit also survives a power cut (journal.py has the order of writes and fsyncs); every change to
the file, its journal and its `.gen` goes through `file_io` (file_io.py), which the crash simulator replaces.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import h5py

from adapters.outbound.file_io import OS_IO, FileIO
from adapters.outbound.hdf5 import generation, journal, layout
from adapters.outbound.hdf5.file_lock import InterProcessLock
from adapters.outbound.hdf5.generation import Generation, Signature
from adapters.outbound.hdf5.readonly import ReadOnlyFile
from domain.errors import StoreBusy, StoreConflict


class ReadHandle(ReadOnlyFile):
    """The read-only file plus the series lookup every read starts with."""

    def series(self, path: str) -> h5py.Group | None:
        group = self.h5.get(path)
        if group is None:
            return None
        if not isinstance(group, h5py.Group) or not layout.is_series(group):
            raise StoreConflict(f"{path} in {self.path.name} was not written by kitefetch")
        return group


class Transaction:
    """One write: h5py over the journaled file, and what to do once it has committed (still under the lock)."""

    def __init__(self, h5: h5py.File, before: Generation) -> None:
        self.h5 = h5
        self.before = before  # the file's generation when this write began
        self._on_commit: list[Callable[[Generation], None]] = []

    def on_commit(self, hook: Callable[[Generation], None]) -> None:
        """`hook(generation the commit set)`; never called if the write raises or dies."""
        self._on_commit.append(hook)

    def committed(self, after: Generation) -> None:
        for hook in self._on_commit:
            hook(after)


class SegmentFile:
    """Safe across threads (`guard`) and processes (InterProcessLock on `<file>.lock`)."""

    def __init__(self, path: Path, lock_timeout: float, idle_close_seconds: float, durable: bool,
                 file_io: FileIO = OS_IO) -> None:
        self.path = Path(path)
        self.guard = threading.RLock()  # the read handle, and the caches kept beside it
        self._durable = durable
        self._io = file_io
        self._lock = InterProcessLock(self.path.with_name(self.path.name + ".lock"), lock_timeout)
        self._h5: ReadHandle | None = None
        self._h5_signature: Signature | None = None
        self._idle_close_seconds = idle_close_seconds
        self._idle_timer: threading.Timer | None = None
        self._last_read = 0.0

    def signature(self) -> Signature | None:
        return generation.signature(self.path)

    def _read_handle(self) -> ReadHandle | None:
        """The cached read-only handle if the file is unchanged since it was opened, else a fresh one."""
        current = self.signature()
        if self._h5 is not None and current != self._h5_signature:
            self.close()
        if self._h5 is None and current is not None:
            self._h5 = ReadHandle(self.path)
            self._h5_signature = current
        return self._h5

    def _schedule_close(self) -> None:
        """Close the read handle once idle; one pending timer at most (not a new thread per read)."""
        self._last_read = time.monotonic()
        if self._idle_timer is None or not self._idle_timer.is_alive():
            self._idle_timer = threading.Timer(self._idle_close_seconds, self._close_if_idle)
            self._idle_timer.daemon = True
            self._idle_timer.start()

    def _close_if_idle(self) -> None:
        with self.guard:
            idle = time.monotonic() - self._last_read
            if idle >= self._idle_close_seconds:
                self.close()
                return
            self._idle_timer = threading.Timer(self._idle_close_seconds - idle, self._close_if_idle)
            self._idle_timer.daemon = True
            self._idle_timer.start()

    def _recover(self) -> None:
        """Roll back a dead writer's half-done commit; callers hold the exclusive lock."""
        if journal.recover(self.path, self._durable, self._io):
            generation.bump(self.path, self._io)

    def _recover_if_needed(self) -> None:
        """A writer died mid-commit (its journal is still there): restore the file before anyone reads it."""
        if journal.journal_path(self.path).exists():
            with self._lock.hold(exclusive=True), self.guard:
                self.close()
                self._recover()

    @contextmanager
    def shared(self) -> Iterator[None]:
        """The shared lock on a file no dead writer left half-committed (one may die between our look at the
        journal and our lock: look again under the lock)."""
        for _ in range(5):
            self._recover_if_needed()
            with self._lock.hold(exclusive=False):
                if not journal.journal_path(self.path).exists():
                    yield
                    return
        raise StoreBusy(f"{self.path.name} keeps being left half-written; try again")

    @contextmanager
    def reading(self) -> Iterator[ReadHandle | None]:
        """The cached read handle under the shared lock; None when there is no file, without taking the lock (a
        read creates nothing, not even the lock file). A file created after that look is news for the next read."""
        if not self.path.exists():
            yield None
            return
        with self.shared(), self.guard:
            try:
                yield self._read_handle()
            finally:
                self._schedule_close()

    @contextmanager
    def writing(self) -> Iterator[Transaction]:
        """h5py over a journaled view of the file; committed only if the body returns."""
        with self._lock.hold(exclusive=True), self.guard:
            self.close()  # drop our read handle: its cached metadata is about to go stale
            self._recover()
            if not self.path.exists():
                layout.create_file(self.path, self._durable, self._io)
            view = journal.JournaledFile(self.path, self._durable, self._io)
            try:
                before = generation.file_generation(self.path)
                with h5py.File(view, "r+", locking=False) as h5:
                    transaction = Transaction(h5, before)
                    yield transaction
                # A new generation before the commit point: should the commit not complete, the next writer
                # rolls it back and whatever was kept against the old one (here and in other processes) is
                # no longer trusted.
                generation.bump(self.path, self._io)
                view.commit()
                transaction.committed(generation.file_generation(self.path))
            finally:
                view.close()

    def close(self) -> None:
        """Close the read handle now; the next access reopens it."""
        with self.guard:
            if self._h5 is not None:
                self._h5.close()
                self._h5 = None
                self._h5_signature = None
