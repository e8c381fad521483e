"""A rollback journal under HDF5, so a writer killed at any instant leaves the file as it was before.

HDF5 has no journal: a process killed while HDF5 rewrites its metadata leaves a file that may not open.
`JournaledFile` is the file object h5py's "fileobj" driver writes through. Nothing reaches the real file
while HDF5 works: writes land in an in-memory page overlay (reads see them). `commit()` then
  1. writes the original bytes of every page about to change, and the original length, to `<file>-journal`,
     ending with a checksum;
  2. writes the new pages into the file and sets its new length;
  3. deletes the journal: this is the commit point.
`recover()` (run before any access) finds a journal with a valid checksum and copies the original pages
back, restoring the file exactly; a journal without one means step 1 never finished and the file was not
touched. This is SQLite's rollback journal. Without fsync (the default) it survives a killed process, which
is what the page cache survives; `durable=True` adds fsyncs between the steps for power loss as well.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

PAGE = 4096
_MAGIC = b"KFJOURNAL1"
_HEADER = struct.Struct("<10sQQ")  # magic, original size, page count
_ENTRY = struct.Struct("<Q")  # page index, followed by the page's original bytes
_TRAILER = struct.Struct("<I")  # crc32 of everything before it


def journal_path(path: Path) -> Path:
    return path.with_name(path.name + "-journal")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def recover(path: Path, durable: bool = False) -> bool:
    """Roll back an interrupted commit; returns True if there was one. Callers hold the exclusive lock."""
    journal = journal_path(path)
    try:
        raw = journal.read_bytes()
    except FileNotFoundError:
        return False
    complete = len(raw) >= _HEADER.size + _TRAILER.size and raw[:len(_MAGIC)] == _MAGIC and (
        _TRAILER.unpack_from(raw, len(raw) - _TRAILER.size)[0] == zlib.crc32(raw[:-_TRAILER.size]))
    if complete:
        _, size, count = _HEADER.unpack_from(raw, 0)
        with open(path, "r+b") as data:
            offset = _HEADER.size
            for _ in range(count):
                (index,) = _ENTRY.unpack_from(raw, offset)
                offset += _ENTRY.size
                length = min(PAGE, size - index * PAGE)
                data.seek(index * PAGE)
                data.write(raw[offset:offset + length])
                offset += length
            data.truncate(size)
            data.flush()
            if durable:
                os.fsync(data.fileno())
    journal.unlink()
    if durable:
        _fsync_dir(path)
    return complete


class JournaledFile(io.RawIOBase):
    """The file object h5py writes through; see the module docstring."""

    def __init__(self, path: Path, durable: bool = False) -> None:
        super().__init__()
        self.path = Path(path)
        self.durable = durable
        self._file = open(self.path, "rb")  # noqa: SIM115 - closed in close()
        self._original_size = os.fstat(self._file.fileno()).st_size
        self._size = self._original_size
        self._pages: dict[int, bytearray] = {}
        self._pos = 0

    # -- io.RawIOBase -----------------------------------------------------------------------------

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = base + offset
        return self._pos

    def _original(self, index: int) -> bytearray:
        self._file.seek(index * PAGE)
        page = bytearray(self._file.read(PAGE))
        page.extend(bytes(PAGE - len(page)))
        return page

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        wanted = max(0, min(len(view), self._size - self._pos))
        done = 0
        while done < wanted:
            index, within = divmod(self._pos + done, PAGE)
            page = self._pages.get(index)
            step = min(PAGE - within, wanted - done)
            if page is not None:
                view[done:done + step] = page[within:within + step]
            else:
                # A run of clean pages is read from the file in one call.
                run_end = self._pos + wanted
                end = min(run_end, next((i * PAGE for i in sorted(self._pages) if i > index), run_end))
                step = end - (self._pos + done)
                self._file.seek(self._pos + done)
                chunk = self._file.read(step)
                view[done:done + len(chunk)] = chunk
                view[done + len(chunk):done + step] = bytes(step - len(chunk))
            done += step
        self._pos += wanted
        return wanted

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            index, within = divmod(self._pos + done, PAGE)
            page = self._pages.get(index)
            if page is None:
                page = self._pages[index] = (self._original(index) if index * PAGE < self._original_size
                                             else bytearray(PAGE))
            step = min(PAGE - within, len(view) - done)
            page[within:within + step] = view[done:done + step]
            done += step
        self._pos += len(view)
        self._size = max(self._size, self._pos)
        return len(view)

    def truncate(self, size: int | None = None) -> int:
        self._size = self._pos if size is None else size
        for index in [i for i in self._pages if i * PAGE >= self._size]:
            del self._pages[index]
        return self._size

    def flush(self) -> None:
        """HDF5 flushes often; nothing reaches the real file before commit()."""

    # -- transaction ------------------------------------------------------------------------------

    def commit(self) -> None:
        if not self._pages and self._size == self._original_size:
            return
        journal = journal_path(self.path)
        touched = sorted(i for i in self._pages if i * PAGE < self._original_size)
        parts = [_HEADER.pack(_MAGIC, self._original_size, len(touched))]
        for index in touched:
            parts.append(_ENTRY.pack(index))
            parts.append(bytes(self._original(index)[:min(PAGE, self._original_size - index * PAGE)]))
        body = b"".join(parts)
        with open(journal, "wb") as handle:
            handle.write(body + _TRAILER.pack(zlib.crc32(body)))
            handle.flush()
            if self.durable:
                os.fsync(handle.fileno())
        if self.durable:
            _fsync_dir(self.path)
        with open(self.path, "r+b") as data:
            for index in sorted(self._pages):
                self._write_page(data, index)
            data.truncate(self._size)
            data.flush()
            if self.durable:
                os.fsync(data.fileno())
        journal.unlink()
        if self.durable:
            _fsync_dir(self.path)
        self._original_size = self._size
        self._pages.clear()

    def _write_page(self, data, index: int) -> None:
        data.seek(index * PAGE)
        data.write(self._pages[index][:max(0, min(PAGE, self._size - index * PAGE))])

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()
