"""A rollback journal under HDF5, so a writer killed at any instant leaves the file as it was before.

HDF5 has no journal: a process killed while HDF5 rewrites its metadata leaves a file that may not open.
`JournaledFile` is the file object h5py's "fileobj" driver writes through. While HDF5 works, writes to the
file's existing pages land in an in-memory page overlay (reads see them); writes past the original end go
straight to the file, after a journal recording the original length exists (undoing them is a truncate).
`commit()` then
  1. writes the original bytes of every overlaid page, and the original length, to `<file>-journal`
     (atomically replacing the length-only one), ending with a checksum;
  2. writes the overlaid pages into the file and sets its new length;
  3. deletes the journal: this is the commit point.
`recover()` (run before any access) finds a journal with a valid checksum and copies the original pages
back, restoring the file exactly; a journal without one means step 1 never finished and the file was not
touched. This is SQLite's rollback journal. Without fsync (the default) it survives a killed process, which
is what the page cache survives; `durable=True` adds fsyncs between the steps for power loss as well.
"""

from __future__ import annotations

import bisect
import io
import os
import struct
import zlib
from pathlib import Path

PAGE = 4096
DIRECT_WRITE_MIN = 256 * 1024
_MAGIC = b"KFJOURNAL1"
_HEADER = struct.Struct("<10sQQ")  # magic, original size, page count
_ENTRY = struct.Struct("<Q")  # page index, followed by the page's original bytes
_TRAILER = struct.Struct("<I")  # crc32 of everything before it


def _runs(indexes: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for index in indexes:
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


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
        self._file = open(self.path, "r+b")  # noqa: SIM115 - closed in close()
        self._original_size = os.fstat(self._file.fileno()).st_size
        self._direct_from = -(-self._original_size // PAGE) * PAGE  # first page wholly past the original end
        self._size = self._original_size
        self._pages: dict[int, bytearray] = {}
        self._page_order: list[int] = []  # sorted keys of _pages, for reads that skip to the next dirty page
        self._originals: dict[int, bytes] = {}
        self._extended = False
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

    def _original(self, index: int) -> bytes:
        """The page as it was before this transaction (read once, kept for the journal)."""
        page = self._originals.get(index)
        if page is None:
            self._file.seek(index * PAGE)
            raw = self._file.read(PAGE)
            page = self._originals[index] = raw + bytes(PAGE - len(raw))
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
                following = bisect.bisect_right(self._page_order, index)
                end = run_end if following == len(self._page_order) else min(
                    run_end, self._page_order[following] * PAGE)
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
        direct_at = max(self._pos, self._direct_from)
        # Large writes past the original end go straight to the file (bulk loads); small ones stay in the overlay,
        # which spares a commit that only appends a little the length-only journal written before direct writes.
        if self._pos + len(view) - direct_at >= DIRECT_WRITE_MIN:
            if not self._extended:
                self._write_journal([])
                self._extended = True
            self._file.seek(direct_at)
            self._file.write(view[direct_at - self._pos:])
            view = view[:max(0, direct_at - self._pos)]
            end = self._pos + len(memoryview(data).cast("B"))
        else:
            end = self._pos + len(view)
        done = 0
        while done < len(view):
            index, within = divmod(self._pos + done, PAGE)
            page = self._pages.get(index)
            if page is None:
                page = self._pages[index] = (bytearray(self._original(index)) if index * PAGE < self._original_size
                                             else bytearray(PAGE))
                bisect.insort(self._page_order, index)
            step = min(PAGE - within, len(view) - done)
            page[within:within + step] = view[done:done + step]
            done += step
        written = end - self._pos
        self._pos = end
        self._size = max(self._size, self._pos)
        return written

    def truncate(self, size: int | None = None) -> int:
        self._size = self._pos if size is None else size
        for index in [i for i in self._pages if i * PAGE >= self._size]:
            del self._pages[index]
        self._page_order = sorted(self._pages)
        return self._size

    def flush(self) -> None:
        """HDF5 flushes often; nothing reaches the real file before commit()."""

    # -- transaction ------------------------------------------------------------------------------

    def _write_journal(self, touched: list[int]) -> None:
        """The original length and the original bytes of `touched` pages, replacing any earlier journal."""
        parts = [_HEADER.pack(_MAGIC, self._original_size, len(touched))]
        for index in touched:
            parts.append(_ENTRY.pack(index))
            parts.append(self._original(index)[:min(PAGE, self._original_size - index * PAGE)])
        body = b"".join(parts)
        scratch = journal_path(self.path).with_suffix(".new")
        with open(scratch, "wb") as handle:
            handle.write(body + _TRAILER.pack(zlib.crc32(body)))
            handle.flush()
            if self.durable:
                os.fsync(handle.fileno())
        os.replace(scratch, journal_path(self.path))
        if self.durable:
            _fsync_dir(self.path)

    def commit(self) -> None:
        if not self._pages and self._size == self._original_size and not self._extended:
            return
        self._write_journal(sorted(i for i in self._pages if i * PAGE < self._original_size))
        self._file.flush()
        for run in _runs(sorted(self._pages)):
            self._write_run(run)
        self._file.truncate(self._size)
        self._file.flush()
        if self.durable:
            os.fsync(self._file.fileno())
        journal_path(self.path).unlink()
        if self.durable:
            _fsync_dir(self.path)
        self._original_size = self._size
        self._direct_from = -(-self._size // PAGE) * PAGE
        self._pages.clear()
        self._page_order.clear()
        self._originals.clear()
        self._extended = False

    def _write_run(self, run: list[int]) -> None:
        """Consecutive overlaid pages in one write, cut at the new end of the file."""
        start = run[0] * PAGE
        data = b"".join(self._pages[i] for i in run)[:max(0, self._size - start)]
        self._file.seek(start)
        self._file.write(data)

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()
