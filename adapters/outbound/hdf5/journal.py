"""A rollback journal under HDF5: a writer killed at any instant, or a power cut, leaves the file as it was
before the commit or as the commit left it.

HDF5 has no journal: a process killed while HDF5 rewrites its metadata leaves a file that may not open.
`JournaledFile` is the file object h5py's "fileobj" driver writes through. While HDF5 works, writes to the
file's existing pages land in an in-memory page overlay (reads see them); writes past the original end land
in one in-memory extension buffer, or, once that outgrows DIRECT_WRITE_MIN (bulk loads), go straight to
the file after a journal recording the original length exists (undoing them is a truncate).
`commit()` then follows SQLite's order for a rollback journal (sqlite.org/atomiccommit.html, 3.7-3.11; its
pager's rule: every write to the database is synced before the journal is deleted):
  1. the original bytes of every overlaid page, and the original length, ending with a checksum, go to a
     scratch file (`<file>-journal.new`), which is fsynced, renamed to `<file>-journal` (atomically replacing a
     length-only one),
     and the directory fsynced: the journal is on the disk, whole, before any page of the file is overwritten.
     (SQLite syncs its journal, then writes and syncs the header's page count, so a journal never looks
     complete before it is; the checksum and the rename of a synced file do that here.)
  2. the overlaid pages and the extension are written into the file, its new length set, and it is fsynced;
  3. the journal is deleted and the directory fsynced. The delete is the commit point; the sync makes the
     commit durable once commit() returns (SQLite's synchronous=EXTRA: without it a power cut could bring the
     journal back and roll an acknowledged commit back).
A length-only journal is written as in step 1 before the first direct write past the original end.
`recover()` (run before any access, under the exclusive lock) finds a journal with a valid checksum, copies
the original pages back, truncates, fsyncs the file, then deletes the journal and fsyncs the directory; a crash
during recovery leaves the journal to do it again. A journal without a valid checksum was never renamed into
place whole (only a killed process without fsyncs leaves one) and the file was never touched. Recovery also
removes a scratch file a killed writer left (never renamed, so never a journal), including one of the name
kitefetch used before (`EQUITY.new`).

The crash simulator (tests/integration/store/test_power_loss.py) checks this against every file a power cut
could leave: any of the writes since each file's last fsync lost, the last one torn at a 512-byte boundary.
`durable=False` drops the fsyncs (benchmarks only: KITEFETCH_DURABLE=0); it then survives a killed process,
which is what the page cache survives, but not power loss. All file changes go through `file_io` (file_io.py).
Cost of the 4 fsyncs a commit (ext4 on a virtio disk, 2-core VM under load; bench/store.py and bench/batch.py,
each measuring both ways in one invocation): 1,000-row appends 0.56-0.61M -> 0.26-0.30M rows/s (+1.7-2.0 ms a
commit); a rate-limited batch fetch (42 requests at 3/s, one commit per response) 14.36 s -> 14.37 s.
"""

from __future__ import annotations

import bisect
import contextlib
import io
import os
import struct
import zlib
from pathlib import Path

from adapters.outbound import atomic_file
from adapters.outbound.file_io import OS_IO, FileIO

PAGE = 4096
DIRECT_WRITE_MIN = 1024 * 1024
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


def scratch_path(path: Path) -> Path:
    """Where the journal is written before it is renamed into place: `EQUITY.h5-journal.new`."""
    return path.with_name(journal_path(path).name + ".new")


def _remove_leftover_scratch(path: Path, file_io: FileIO) -> None:
    """A killed writer's scratch file. Before, it was named `journal.with_suffix(".new")` (EQUITY.h5-journal ->
    EQUITY.new): one of that name goes too, if it holds the start of a journal (or nothing), so no file of the
    user's that happens to bear the name is touched."""
    with contextlib.suppress(FileNotFoundError):
        file_io.unlink(scratch_path(path))
    old = journal_path(path).with_suffix(".new")
    try:
        with open(old, "rb") as handle:
            head = handle.read(len(_MAGIC))
    except FileNotFoundError:
        return
    if _MAGIC.startswith(head):
        file_io.unlink(old)


def recover(path: Path, durable: bool = True, file_io: FileIO = OS_IO) -> bool:
    """Roll back an interrupted commit; returns True if there was one. Callers hold the exclusive lock."""
    _remove_leftover_scratch(path, file_io)
    journal = journal_path(path)
    try:
        raw = journal.read_bytes()
    except FileNotFoundError:
        return False
    complete = len(raw) >= _HEADER.size + _TRAILER.size and raw[:len(_MAGIC)] == _MAGIC and (
        _TRAILER.unpack_from(raw, len(raw) - _TRAILER.size)[0] == zlib.crc32(raw[:-_TRAILER.size]))
    if complete:
        _, size, count = _HEADER.unpack_from(raw, 0)
        fd = file_io.open(path, os.O_RDWR)
        try:
            offset = _HEADER.size
            for _ in range(count):
                (index,) = _ENTRY.unpack_from(raw, offset)
                offset += _ENTRY.size
                length = min(PAGE, size - index * PAGE)
                file_io.pwrite_all(fd, memoryview(raw)[offset:offset + length], index * PAGE)
                offset += length
            file_io.ftruncate(fd, size)
            if durable:
                file_io.fsync(fd)
        finally:
            file_io.close(fd)
    file_io.unlink(journal)
    if durable:
        file_io.fsync_directory(path.parent)
    return complete


class JournaledFile(io.RawIOBase):
    """The file object h5py writes through; see the module docstring.

    HDF5 calls it ~40 times per append (metadata reads and writes of a few hundred bytes), so the common
    cases are kept to one system call on a raw descriptor: a read of clean pages is one `preadv` straight
    into HDF5's buffer.
    """

    def __init__(self, path: Path, durable: bool = True, file_io: FileIO = OS_IO) -> None:
        super().__init__()
        self.path = Path(path)
        self.durable = durable
        self._io = file_io
        self._fd = file_io.open(self.path, os.O_RDWR)
        self._original_size = os.fstat(self._fd).st_size
        self._direct_from = -(-self._original_size // PAGE) * PAGE  # first page wholly past the original end
        self._size = self._original_size
        self._pages: dict[int, bytearray] = {}
        self._page_order: list[int] = []  # sorted keys of _pages, for reads that skip to the next dirty page
        self._originals: dict[int, bytes] = {}
        self._extension = bytearray()  # bytes from _direct_from on, until they outgrow DIRECT_WRITE_MIN
        self._extended = False  # True once the extension went to the file behind a length-only journal
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
        if whence == io.SEEK_SET:
            self._pos = offset
        else:
            self._pos = (self._pos if whence == io.SEEK_CUR else self._size) + offset
        return self._pos

    def _original(self, index: int) -> bytes:
        """The page as it was before this transaction (read once, kept for the journal)."""
        page = self._originals.get(index)
        if page is None:
            raw = os.pread(self._fd, PAGE, index * PAGE)
            page = self._originals[index] = raw + bytes(PAGE - len(raw))
        return page

    def _read_file(self, view: memoryview, offset: int) -> None:
        """Bytes of the file itself; zeros past its end (HDF5 may read space it allocated but never wrote)."""
        got = os.preadv(self._fd, [view], offset)
        if got < len(view):
            view[got:] = bytes(len(view) - got)

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        pos = self._pos
        wanted = max(0, min(len(view), self._size - pos))
        below = max(0, min(wanted, self._direct_from - pos))
        if below:
            self._read_overlaid(view[:below], pos)
        if wanted > below:
            at, part = pos + below, view[below:wanted]
            if self._extended:
                self._read_file(part, at)
            else:
                offset = at - self._direct_from
                got = self._extension[offset:offset + len(part)]
                part[:len(got)] = got
                part[len(got):] = bytes(len(part) - len(got))
        self._pos = pos + wanted
        return wanted

    def _read_overlaid(self, view: memoryview, pos: int) -> None:
        """Bytes before the original end: overlaid pages where HDF5 wrote, the file elsewhere."""
        wanted = len(view)
        order = self._page_order
        following = bisect.bisect_left(order, pos // PAGE)
        if following == len(order) or order[following] > (pos + wanted - 1) // PAGE:  # nothing overlaid
            self._read_file(view, pos)
            return
        done = 0
        while done < wanted:
            index, within = divmod(pos + done, PAGE)
            page = self._pages.get(index)
            if page is not None:
                step = min(PAGE - within, wanted - done)
                view[done:done + step] = page[within:within + step]
            else:
                # A run of clean pages is read from the file in one call.
                following = bisect.bisect_right(order, index)
                end = pos + wanted if following == len(order) else min(pos + wanted, order[following] * PAGE)
                step = end - (pos + done)
                self._read_file(view[done:done + step], pos + done)
            done += step

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        length = len(view)
        pos = self._pos
        boundary = self._direct_from
        if pos + length > boundary:
            at = max(pos, boundary)
            self._extend(view[at - pos:], at - boundary)
            view = view[:at - pos]
        done = 0
        pages = self._pages
        while done < len(view):
            index, within = divmod(pos + done, PAGE)
            page = pages.get(index)
            if page is None:
                page = pages[index] = (bytearray(self._original(index)) if index * PAGE < self._original_size
                                       else bytearray(PAGE))
                bisect.insort(self._page_order, index)
            step = min(PAGE - within, len(view) - done)
            page[within:within + step] = view[done:done + step]
            done += step
        self._pos = pos + length
        if self._pos > self._size:
            self._size = self._pos
        return length

    def _extend(self, data: memoryview, offset: int) -> None:
        """Bytes past the original end (`offset` from _direct_from): buffered, or in the file once it is large."""
        extension = self._extension
        if not self._extended and offset + len(data) > DIRECT_WRITE_MIN:
            self._write_journal([])
            self._extended = True
            self._io.pwrite_all(self._fd, memoryview(extension), self._direct_from)
            extension.clear()
        if self._extended:
            self._io.pwrite_all(self._fd, data, self._direct_from + offset)
            return
        if len(extension) < offset:
            extension.extend(bytes(offset - len(extension)))
        extension[offset:offset + len(data)] = data

    def truncate(self, size: int | None = None) -> int:
        self._size = self._pos if size is None else size
        for index in [i for i in self._pages if i * PAGE >= self._size]:
            del self._pages[index]
        self._page_order = sorted(self._pages)
        del self._extension[max(0, self._size - self._direct_from):]
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
        journal = journal_path(self.path)
        # Written under the exclusive lock, so one fixed scratch name: a killed writer's leftover is reused.
        atomic_file.write_file(journal, body + _TRAILER.pack(zlib.crc32(body)), durable=self.durable,
                               scratch=scratch_path(self.path), file_io=self._io)

    def commit(self) -> None:
        if not self._pages and self._size == self._original_size and not self._extended and not self._extension:
            return
        touched = {i for i in self._pages if i * PAGE < self._original_size}
        if self._size < self._original_size:  # HDF5 shrank the file: what the truncate cuts off must come back too
            touched.update(range(self._size // PAGE, -(-self._original_size // PAGE)))
        self._write_journal(sorted(touched))
        for run in _runs(sorted(self._pages)):
            self._write_run(run)
        fio = self._io
        if self._extension:
            fio.pwrite_all(self._fd, memoryview(self._extension), self._direct_from)
        fio.ftruncate(self._fd, self._size)
        if self.durable:
            fio.fsync(self._fd)  # every page in place before the journal goes: SQLite's pager rule
        fio.unlink(journal_path(self.path))  # the commit point
        if self.durable:
            fio.fsync_directory(self.path.parent)
        self._original_size = self._size
        self._direct_from = -(-self._size // PAGE) * PAGE
        self._pages.clear()
        self._page_order.clear()
        self._originals.clear()
        self._extension = bytearray()
        self._extended = False

    def _write_run(self, run: list[int]) -> None:
        """Consecutive overlaid pages in one write, cut at the new end of the file."""
        start = run[0] * PAGE
        data = b"".join(self._pages[i] for i in run)[:max(0, self._size - start)]
        self._io.pwrite_all(self._fd, memoryview(data), start)

    def close(self) -> None:
        if not self.closed:
            self._io.close(self._fd)
        super().close()
