"""Replace a file's contents all at once: a reader, a killed process or a power cut sees the old file or the new.

The bytes go to a scratch file in the same directory (so `os.replace` is a rename on one file system), which
then replaces the target. `durable` (the default) orders it for power loss: the scratch file is fsynced before
the rename (else the rename could reach the disk before the bytes, leaving an empty or partial file under the
real name) and the directory after it (else the rename itself could be lost, the old file coming back after a
write was acknowledged). Without it, what survives is what the page cache survives: a killed process.
`durable=False` is for benchmarks only (KITEFETCH_DURABLE=0).
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

from adapters.outbound.file_io import OS_IO, FileIO


def write_file(path: Path, data: bytes | bytearray | memoryview, *, mode: int | None = None, durable: bool = True,
               scratch: Path | None = None, file_io: FileIO = OS_IO) -> None:
    """Replace `path` with `data`; on any failure `path` is untouched and the scratch file is gone.

    `mode`: None creates the file as `open()` would (0o666 less the umask); a number sets exactly that mode
    (0o600 for a secret) before any byte is written. `scratch` defaults to a name unique to this process and
    thread; a caller that writes under its own exclusive lock may fix it, so a killed writer's leftover is
    reused instead of piling up. `file_io`: see file_io.py.
    """
    path = Path(path)
    scratch = scratch or path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        fd = file_io.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666 if mode is None else mode)
        try:
            if mode is not None:
                os.fchmod(fd, mode)  # the umask, or a leftover scratch file, may have set another
            file_io.write_all(fd, memoryview(data).cast("B"))
            if durable:
                file_io.fsync(fd)
        finally:
            file_io.close(fd)
        file_io.replace(scratch, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            file_io.unlink(scratch)
        raise
    if durable:
        file_io.fsync_directory(path.parent)


def append_line(path: Path, line: bytes, *, durable: bool = True, file_io: FileIO = OS_IO) -> None:
    """Append one line (ending in a newline) with one write, so appends from several processes interleave whole.

    A power cut can tear the last line, leaving it without its newline; the next append then starts on a line
    of its own instead of gluing itself to the torn one (a reader skips the torn line, and keeps this one).
    `durable` fsyncs the file after the write (and its directory when the append created it): one fsync per
    line appended, which a fetch pays once per series (measured: bench/batch.py). `file_io`: see file_io.py.
    """
    fd = file_io.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            line = b"\n" + line
        file_io.write_all(fd, memoryview(line))
        if durable:
            file_io.fsync(fd)
    finally:
        file_io.close(fd)
    if durable and size == 0:
        file_io.fsync_directory(path.parent)  # a first line may have created the file


def make_directory(directory: Path, *, durable: bool = True) -> None:
    """`mkdir -p`; with `durable`, each new directory's entry in its parent is synced, so the files about to be
    synced into it cannot vanish with it."""
    directory = Path(directory)
    if directory.is_dir():
        return
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for new in reversed(missing):
        with contextlib.suppress(FileExistsError):
            new.mkdir()
        if durable:
            OS_IO.fsync_directory(new.parent)

