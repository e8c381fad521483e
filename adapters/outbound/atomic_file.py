"""Replace a file's contents all at once: a reader (or a process killed mid-write) sees the old file or the new.

The bytes go to a scratch file in the same directory (so `os.replace` is a rename on one file system), which
then replaces the target. Without `durable` that survives a killed process, which is what the page cache
survives; `durable=True` also fsyncs the file before the rename and the directory after it, for power loss.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path


def write_file(path: Path, data: bytes | bytearray | memoryview, *, mode: int | None = None, durable: bool = False,
               scratch: Path | None = None) -> None:
    """Replace `path` with `data`; on any failure `path` is untouched and the scratch file is gone.

    `mode`: None creates the file as `open()` would (0o666 less the umask); a number sets exactly that mode
    (0o600 for a secret) before any byte is written. `scratch` defaults to a name unique to this process and
    thread; a caller that writes under its own exclusive lock may fix it, so a killed writer's leftover is
    reused instead of piling up.
    """
    path = Path(path)
    scratch = scratch or path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666 if mode is None else mode)
        try:
            if mode is not None:
                os.fchmod(fd, mode)  # the umask, or a leftover scratch file, may have set another
            _write_all(fd, memoryview(data).cast("B"))
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(scratch, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(scratch)
        raise
    if durable:
        fsync_directory(path.parent)


def fsync_directory(directory: Path) -> None:
    """Make a rename, creation or removal in `directory` survive power loss."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: memoryview) -> None:
    """os.write may write less than asked (a full disk raises only on the next call): loop until done."""
    while len(data):
        data = data[os.write(fd, data):]
