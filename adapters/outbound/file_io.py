"""The system calls that change files, behind one object a test can replace.

The rollback journal (hdf5/journal.py), the generation file (hdf5/generation.py) and atomic_file make every
change to a file through a `FileIO`: opens that create or truncate, writes, syncs, truncates, renames and
unlinks. `OS_IO` makes the real calls; its methods are the `os` functions themselves, so the hot path pays no
extra Python call (1,000-row appends measured the same through it). The crash simulator
(tests/integration/store/crash_sim.py) passes a layer that makes the calls too and records them, then builds
the files a power cut could leave. Reads stay plain `os.pread`s: a replaced layer still writes the real file.
"""

from __future__ import annotations

import os
from pathlib import Path


class FileIO:
    open = staticmethod(os.open)
    close = staticmethod(os.close)
    write = staticmethod(os.write)
    pwrite = staticmethod(os.pwrite)
    ftruncate = staticmethod(os.ftruncate)
    fsync = staticmethod(os.fsync)
    replace = staticmethod(os.replace)
    unlink = staticmethod(os.unlink)

    def fsync_directory(self, directory: Path) -> None:
        """Make a creation, rename or removal in `directory` survive power loss."""
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def write_all(self, fd: int, data: memoryview) -> None:
        """os.write may write less than asked (a full disk raises only on the next call): loop until done."""
        while len(data):
            data = data[self.write(fd, data):]

    def pwrite_all(self, fd: int, data: memoryview, offset: int) -> None:
        while len(data):
            written = self.pwrite(fd, data, offset)
            data, offset = data[written:], offset + written


OS_IO = FileIO()
