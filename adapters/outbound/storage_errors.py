"""OSError under the data dir -> StorageFull / StorageUnavailable, with a message the user can act on.

Every adapter wraps its file access in `storage_errors(directory)`, reads with `reading=True`: a read the disk
refuses says "could not read <file>" (a permission or a failing disk), never that the data dir is not writable.
What the user sees names the directory or file and what to do (a full disk: how much is free); the log line keeps
what the OS said (errno name and text), which the domain error's message does not carry. A missing file is no
failure where it is normal (no tracked list, no such job yet): those callers catch FileNotFoundError before it
gets here; what reaches here on a read is a file removed while it was read. structlog is imported only when an
access has failed: the CLI's queries go through the store without it.
"""

from __future__ import annotations

import errno
import functools
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from domain.errors import StorageFailure, StorageFull, StorageUnavailable

FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
NOT_WRITABLE = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})
F = TypeVar("F", bound=Callable[..., Any])


def _existing(directory: Path) -> Path:
    """`directory`, or its nearest existing ancestor (what a data dir not created yet will live on)."""
    path = Path(directory).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def free_bytes(directory: Path) -> int:
    """Free bytes an unprivileged writer may use on the file system holding `directory`."""
    return shutil.disk_usage(_existing(directory)).free


def _free_mb(directory: Path) -> str:
    try:
        return str(free_bytes(directory) // 1_048_576)
    except OSError:
        return "no"


def describe(error: OSError, directory: Path, reading: bool = False) -> StorageFailure:
    """The domain error for `error`, raised by a write (or with `reading`, a read) under `directory`."""
    code = error.errno
    if reading and code not in FULL and code not in (errno.EROFS, errno.ENOTDIR):
        return _read_failure(error, directory)
    if code in FULL:
        return StorageFull(f"disk full: {directory} has {_free_mb(directory)} MB free; free some space there (or "
                           "point KITEFETCH_DATA_DIR at a larger disk) and try again: nothing was half written")
    if code == errno.EROFS:
        return StorageUnavailable(f"{directory} is on a read-only file system: remount it read-write (or point "
                                  "KITEFETCH_DATA_DIR elsewhere) to store anything")
    if code == errno.ENOTDIR:
        return StorageUnavailable(f"{directory} is not a directory (or a part of its path is a file): point "
                                  "KITEFETCH_DATA_DIR at a directory")
    if code in NOT_WRITABLE:
        return StorageUnavailable(f"{directory} is not writable by this process (user id {os.getuid()}): fix its "
                                  "permissions or point KITEFETCH_DATA_DIR elsewhere")
    return StorageUnavailable(f"the file system under {directory} failed: {os.strerror(code) if code else error} "
                              "(check the disk, then try again)")


def _read_failure(error: OSError, directory: Path) -> StorageUnavailable:
    """A read refused: the file (as the OS named it) or the directory, and why. Creating a lock file can fill a
    disk or meet a read-only file system even on a read: those keep the words above."""
    code = error.errno
    target = error.filename if isinstance(error.filename, (str, os.PathLike)) else directory
    if code in NOT_WRITABLE:
        return StorageUnavailable(f"could not read {target}: permission denied to this process (user id "
                                  f"{os.getuid()}); fix its permissions or point KITEFETCH_DATA_DIR elsewhere")
    if code == errno.ENOENT:
        return StorageUnavailable(f"could not read {target}: it was removed while kitefetch read it; try again")
    return StorageUnavailable(f"could not read {target}: {os.strerror(code) if code else error} (check the disk, "
                              "then try again)")


def storage_error(error: OSError, directory: Path, reading: bool = False) -> StorageFailure:
    """`describe(error, directory, reading)`, logged with the OS's own words (errno name and text)."""
    import structlog  # here: see the module docstring

    structlog.get_logger(__name__).warning("storage_os_error", directory=str(directory),
                                           errno=errno.errorcode.get(error.errno or 0, error.errno),
                                           error=str(error), reading=reading)
    return describe(error, directory, reading)


def translates(error: OSError) -> bool:
    """An OSError from the OS itself (with an errno); HDF5's complaints about a file's contents have none."""
    return error.errno is not None


@contextmanager
def storage_errors(directory: Path, reading: bool = False) -> Iterator[None]:
    """Raise an OS failure in the body as the domain error it means; `reading`: the body only reads."""
    try:
        yield
    except OSError as error:
        if not translates(error):
            raise
        raise storage_error(error, directory, reading) from error


WRITING_METHODS = frozenset({"write", "mark_stale"})  # the CandleStore port's writes; its other methods read


def in_data_dir(method: F) -> F:
    """`storage_errors(self.path.parent)` around a method of an adapter that keeps one file at `self.path`; a
    method named in WRITING_METHODS writes, any other reads (`reading=True`). The wrapper's `reading` says which."""
    reading = method.__name__ not in WRITING_METHODS

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with storage_errors(self.path.parent, reading):
            return method(self, *args, **kwargs)

    wrapper.reading = reading  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def unwritable_reason(directory: Path) -> str | None:
    """Why kitefetch could not write under `directory` (or create it), or None. Asked once at start-up, so that a
    read-only or foreign data dir is one clear line rather than a traceback at the first fetch; creates nothing."""
    existing = _existing(directory)
    try:
        if os.statvfs(existing).f_flag & os.ST_RDONLY:
            code = errno.EROFS
        elif not existing.is_dir():
            code = errno.ENOTDIR
        elif not os.access(existing, os.W_OK | os.X_OK):
            code = errno.EACCES
        else:
            return None
    except OSError as error:
        code = error.errno or errno.EIO
    return describe(OSError(code, os.strerror(code)), Path(directory)).message
