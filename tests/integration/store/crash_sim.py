"""A power cut, simulated in SQLite's manner (its test VFS's "crash" mode): record every change made to the
files of one directory, then build the directories a power cut at any point of it could leave.

`RecordingIO` is the FileIO handed to the store: it makes each call for real and logs it. The model of the
disk: what a file held at its last fsync is safe; each write or truncate since then may have reached the disk
or not, independently of the others, and the last one that did may be torn at a 512-byte boundary (some of
its sectors written); likewise each creation, rename and removal of a name since the directory's last fsync.
Nothing is assumed about the order in which unsynced writes reach the disk. `Crash.images()` builds, after
every call of the log, the extremes (everything unsynced lost; all kept; all kept with each file's last write
torn) and `random_per_point` random combinations from a seeded generator.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from adapters.outbound.file_io import FileIO

SECTOR = 512
Op = tuple  # ("write", inode, offset, bytes) | ("truncate", inode, size) | ("sync", inode) | ("link", name, inode)
#            | ("unlink", name) | ("rename", source, target, inode) | ("dirsync",)


class RecordingIO(FileIO):
    """Makes every call and logs the ones on files of `directory` (lock files aside: they hold no data)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.start: dict[int, bytes] = {}  # inode -> bytes when recording began (taken as synced)
        self.names: dict[str, int] = {}
        for path in sorted(self.directory.iterdir()):
            if path.is_file() and not path.name.endswith(".lock"):
                self.names[path.name] = self._inode(path.read_bytes())
        self.start_names = dict(self.names)
        self.ops: list[Op] = []
        self._fds: dict[int, int] = {}
        self._appending: set[int] = set()  # opened with O_APPEND: every write lands at the end

    def _inode(self, content: bytes) -> int:
        inode = len(self.start)
        self.start[inode] = content
        return inode

    def _name(self, path) -> str | None:
        path = Path(path)
        return path.name if path.parent == self.directory else None

    def open(self, path, flags, mode=0o777):
        name = self._name(path)
        existed = name in self.names
        fd = os.open(path, flags, mode)
        if name is not None:
            if not existed:
                self.names[name] = self._inode(b"")
                self.ops.append(("link", name, self.names[name]))
            elif flags & os.O_TRUNC:
                self.ops.append(("truncate", self.names[name], 0))
            self._fds[fd] = self.names[name]
            if flags & os.O_APPEND:
                self._appending.add(fd)
        return fd

    def close(self, fd):
        self._fds.pop(fd, None)
        self._appending.discard(fd)
        os.close(fd)

    def write(self, fd, data):
        offset = os.fstat(fd).st_size if fd in self._appending else os.lseek(fd, 0, os.SEEK_CUR)
        written = os.write(fd, data)
        self._written(fd, offset, data[:written])
        return written

    def pwrite(self, fd, data, offset):
        written = os.pwrite(fd, data, offset)
        self._written(fd, offset, data[:written])
        return written

    def _written(self, fd: int, offset: int, data) -> None:
        if fd in self._fds:
            self.ops.append(("write", self._fds[fd], offset, bytes(data)))

    def ftruncate(self, fd, size):
        os.ftruncate(fd, size)
        if fd in self._fds:
            self.ops.append(("truncate", self._fds[fd], size))

    def fsync(self, fd):  # nothing of this directory outlives the test: the model is what counts
        if fd in self._fds:
            self.ops.append(("sync", self._fds[fd]))

    def fsync_directory(self, directory):
        if Path(directory) == self.directory:
            self.ops.append(("dirsync",))

    def replace(self, source, target):
        os.replace(source, target)
        source_name, target_name = self._name(source), self._name(target)
        if source_name is not None and target_name is not None:
            inode = self.names.pop(source_name)
            self.names[target_name] = inode
            self.ops.append(("rename", source_name, target_name, inode))

    def unlink(self, path):
        os.unlink(path)
        name = self._name(path)
        if name is not None:
            self.names.pop(name, None)
            self.ops.append(("unlink", name))

    def crash(self, seed: int = 0) -> Crash:
        return Crash(self.start, self.start_names, list(self.ops), random.Random(seed))


@dataclass(frozen=True)
class Point:
    """The disk after the first `calls` logged calls: synced bytes and names, and what is not synced yet."""

    calls: int
    synced: dict[int, bytes]
    pending: dict[int, tuple[Op, ...]]
    names: dict[str, int]
    pending_names: tuple[Op, ...]


def _apply(content: bytearray, op: Op, cut: int | None = None) -> None:
    if op[0] == "truncate":
        del content[op[2]:]
        content.extend(bytes(op[2] - len(content)))
        return
    _, _, offset, data = op
    if cut is not None:
        data = data[:cut]
    if len(content) < offset:
        content.extend(bytes(offset - len(content)))
    content[offset:offset + len(data)] = data


def _apply_name(names: dict[str, int], op: Op) -> None:
    if op[0] == "link":
        names[op[1]] = op[2]
    elif op[0] == "rename":
        names.pop(op[1], None)
        names[op[2]] = op[3]
    else:
        names.pop(op[1], None)


def _cuts(op: Op) -> list[int]:
    """Where a write can tear: the 512-byte boundaries strictly inside it, as lengths kept."""
    if op[0] != "write":
        return []
    offset, length = op[2], len(op[3])
    first = -(-(offset + 1) // SECTOR) * SECTOR
    return [boundary - offset for boundary in range(first, offset + length, SECTOR)]


class Crash:
    def __init__(self, start: dict[int, bytes], names: dict[str, int], ops: list[Op], rng: random.Random) -> None:
        self.start, self.start_names, self.ops, self._rng = start, names, ops, rng

    def points(self) -> Iterator[Point]:
        synced = dict(self.start)
        pending: dict[int, tuple[Op, ...]] = {}
        names = dict(self.start_names)
        pending_names: tuple[Op, ...] = ()
        yield Point(0, dict(synced), dict(pending), dict(names), pending_names)
        for calls, op in enumerate(self.ops, 1):
            kind = op[0]
            if kind == "sync":
                content = bytearray(synced.get(op[1], b""))
                for change in pending.pop(op[1], ()):
                    _apply(content, change)
                synced[op[1]] = bytes(content)
            elif kind == "dirsync":
                for change in pending_names:
                    _apply_name(names, change)
                pending_names = ()
            elif kind in ("write", "truncate"):
                pending[op[1]] = (*pending.get(op[1], ()), op)
            else:
                pending_names = (*pending_names, op)
            yield Point(calls, dict(synced), dict(pending), dict(names), pending_names)

    def image(self, point: Point, kept: dict[int, list[bool]], torn: dict[int, int | None],
              kept_names: list[bool]) -> dict[str, bytes]:
        """The files under their names, given which unsynced changes reached the disk and where the last
        write kept of each file tore (a length kept, or None)."""
        contents: dict[int, bytes] = {}
        for inode, changes in point.pending.items():
            content = bytearray(point.synced.get(inode, b""))
            chosen = [change for change, keep in zip(changes, kept[inode], strict=True) if keep]
            for n, change in enumerate(chosen):
                _apply(content, change, torn.get(inode) if n == len(chosen) - 1 else None)
            contents[inode] = bytes(content)
        names = dict(point.names)
        for change, keep in zip(point.pending_names, kept_names, strict=True):
            if keep:
                _apply_name(names, change)
        return {name: contents.get(inode, point.synced.get(inode, b"")) for name, inode in names.items()}

    def _torn(self, point: Point, kept: dict[int, list[bool]]) -> dict[int, int | None]:
        torn: dict[int, int | None] = {}
        for inode, changes in point.pending.items():
            last = [change for change, keep in zip(changes, kept[inode], strict=True) if keep][-1:]
            cuts = _cuts(last[0]) if last else []
            torn[inode] = self._rng.choice(cuts) if cuts else None
        return torn

    def images(self, random_per_point: int) -> Iterator[tuple[Point, str, dict[str, bytes]]]:
        """(point, how, files) for every point: the extremes, then random combinations."""
        rng = self._rng
        for point in self.points():
            everything = {inode: [True] * len(changes) for inode, changes in point.pending.items()}
            nothing = {inode: [False] * len(changes) for inode, changes in point.pending.items()}
            all_names = [True] * len(point.pending_names)
            yield point, "all lost", self.image(point, nothing, {}, [False] * len(point.pending_names))
            yield point, "all kept", self.image(point, everything, {}, all_names)
            yield point, "all kept, last writes torn", self.image(point, everything, self._torn(point, everything),
                                                                   all_names)
            for _ in range(random_per_point):
                kept = {inode: [rng.random() < 0.5 for _ in changes] for inode, changes in point.pending.items()}
                torn = {inode: cut for inode, cut in self._torn(point, kept).items() if rng.random() < 0.5}
                yield point, "random", self.image(point, kept, torn, [rng.random() < 0.5 for _ in point.pending_names])


def fingerprint(files: dict[str, bytes]) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.blake2b(files[name], digest_size=16).digest())
    return digest.digest()
