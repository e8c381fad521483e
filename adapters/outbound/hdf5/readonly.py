"""Read-only h5py handles that never share HDF5's open-file state with another handle.

HDF5 keeps one open file (with its metadata cache) per file per process and hands it to every later open of
the same path while any handle is still open: a handle opened after another process wrote would read the
old metadata (old row counts, old chunk addresses) for as long as an older handle lives. Through h5py's
file-object driver each handle has its own state. Its descriptor also serves chunk_io's `pread`s.
"""

from __future__ import annotations

import atexit
import threading
import weakref
from pathlib import Path

import h5py

from adapters.outbound.hdf5 import chunk_io


class ReadOnlyFile:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._raw = open(path, "rb", buffering=0)  # noqa: SIM115 - closed in close()
        try:
            self.h5 = h5py.File(self._raw, "r", locking=False)  # InterProcessLock replaces it
        except BaseException:
            self._raw.close()
            raise
        self.raw_chunk = chunk_io.pread_from(self._raw.fileno())
        with _OPEN_LOCK:
            _OPEN.add(self)

    def close(self) -> None:
        with _OPEN_LOCK:
            _OPEN.discard(self)
        try:
            self.h5.close()
        finally:
            self._raw.close()

    def __enter__(self) -> ReadOnlyFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# HDF5 calls back into the Python file object when it closes the file: left to interpreter shutdown, that
# happens after Python has torn the object down (a segfault at exit). Close what is still open first.
_OPEN: weakref.WeakSet[ReadOnlyFile] = weakref.WeakSet()
_OPEN_LOCK = threading.Lock()


@atexit.register
def _close_all() -> None:
    with _OPEN_LOCK:
        handles = list(_OPEN)
    for handle in handles:
        handle.close()
