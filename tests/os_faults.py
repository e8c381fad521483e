"""The OS, as a test stands it in with pytest-mock: a disk under `root` that fills up at the Nth write."""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

from adapters.outbound.file_io import FileIO

NEEDS_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT})


class FullDisk:
    """From the `fail_at`th write on (0-based, counting os.write and os.pwrite to files under `root`), every write
    fails with `code` (ENOSPC; the first of them after writing half its bytes, as a disk that fills mid-write does);
    `free()` makes room again. `fail_at=None` only counts. Writes anywhere else pass through untouched.

    A full disk (ENOSPC, EDQUOT) refuses only writes that need room: those reaching past the end of their file.
    Rewriting bytes a file already has takes no new block on ext4, xfs or tmpfs, and a real full disk lets it
    through; the store's rollback (journal.recover) relies on that, as SQLite's does. Such writes are neither
    refused nor counted. Copy-on-write file systems (btrfs, ZFS) are not modelled: there a rollback refused too
    is left to the next access. Any other `code` (EROFS, EACCES) counts and refuses every write.
    """

    def __init__(self, mocker, root: Path, fail_at: int | None = None, code: int = errno.ENOSPC) -> None:
        self.root = str(Path(root).resolve())
        self.fail_at = fail_at
        self.code = code
        self.writes = 0
        self.failed = 0
        self._real_write, self._real_pwrite = os.write, os.pwrite
        # `new=`, not a MagicMock: one would keep every buffer it was called with (HDF5's bytearrays could then
        # no longer be resized).
        mocker.patch.object(os, "write", new=self._write)
        mocker.patch.object(os, "pwrite", new=self._pwrite)
        # The store's and atomic_file's writes go through FileIO, which holds the os functions themselves.
        mocker.patch.object(FileIO, "write", new=staticmethod(self._write))
        mocker.patch.object(FileIO, "pwrite", new=staticmethod(self._pwrite))

    def arm(self, fail_at: int | None) -> None:
        """Start counting again: the `fail_at`th write from now on fails (None: none does)."""
        self.fail_at, self.writes, self.failed = fail_at, 0, 0

    def free(self) -> None:
        self.fail_at = None

    def _ours(self, fd: int) -> bool:
        try:
            return os.readlink(f"/proc/self/fd/{fd}").startswith(self.root)
        except OSError:
            return False

    def _needs_room(self, fd: int, length: int, offset: int | None) -> bool:
        """Whether the write reaches past the file's end (`offset` None: at the descriptor's position)."""
        if self.code not in NEEDS_ROOM:
            return True
        size = os.fstat(fd).st_size
        if offset is None:
            offset = size if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_APPEND else os.lseek(fd, 0, os.SEEK_CUR)
        return offset + length > size

    def _refused(self, fd: int, data, offset: int | None) -> int | None:
        """None to let the write through; else how many bytes to write before the disk is full."""
        if not self._ours(fd):
            return None
        length = memoryview(data).nbytes
        if not self._needs_room(fd, length, offset):
            return None
        index = self.writes
        self.writes += 1
        if self.fail_at is None or index < self.fail_at:
            return None
        self.failed += 1
        if self.failed == 1 and length > 1 and self.code == errno.ENOSPC:
            return length // 2
        raise OSError(self.code, os.strerror(self.code))

    def _write(self, fd: int, data) -> int:
        part = self._refused(fd, data, None)
        return self._real_write(fd, data if part is None else memoryview(data).cast("B")[:part])

    def _pwrite(self, fd: int, data, offset: int) -> int:
        part = self._refused(fd, data, offset)
        return self._real_pwrite(fd, data if part is None else memoryview(data).cast("B")[:part], offset)
