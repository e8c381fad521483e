"""How a process tells that a segment file changed since it last looked: its identity and a generation.

A reader reuses its handle, a store its metadata, and a writer the partly filled last chunks it kept, only
while the file is the one they saw. mtime alone ticks too coarsely (a few ms) to tell apart two same-size
writes, so every commit (and every recovery) also writes 8 random bytes to `<file>.gen`.

`.gen` is never fsynced, on purpose: it tells apart states of the file that live processes have cached, and
no process, and no cache, outlives a power cut; whatever it holds afterwards (the old value, the new one,
nothing, no file) is simply the generation the next processes start from. The crash simulator loses it too.
"""

from __future__ import annotations

import os
from pathlib import Path

from adapters.outbound.file_io import OS_IO, FileIO

Signature = tuple[int, int, int, int, bytes]  # device, inode, size, mtime_ns, generation
Generation = tuple[int, int, bytes]  # device, inode, generation
NO_GENERATION: Generation = (0, 0, b"")


def generation_path(path: Path) -> Path:
    return path.with_name(path.name + ".gen")


def _generation(path: Path) -> bytes:
    try:
        return generation_path(path).read_bytes()
    except FileNotFoundError:
        return b""


def signature(path: Path) -> Signature | None:
    """The file's identity plus its generation; None when there is no file. A reader must never trust a
    handle opened under another signature."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, _generation(path))


def file_generation(path: Path) -> Generation:
    """The generation, and the file's identity in case it was replaced by something other than kitefetch."""
    st = path.stat()
    return (st.st_dev, st.st_ino, _generation(path))


def bump(path: Path, file_io: FileIO = OS_IO) -> None:
    """Called under the exclusive lock by every write (before its commit point) and every recovery."""
    fd = file_io.open(generation_path(path), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        file_io.pwrite(fd, os.urandom(8), 0)  # readers wait on the shared lock, so they never see half of it
    finally:
        file_io.close(fd)
