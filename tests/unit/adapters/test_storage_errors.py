"""OS errors from writes become storage errors with messages the user can act on, at both edges alike."""

from __future__ import annotations

import errno
import os

import pytest

from adapters.inbound.cli.output import EXIT_FAILURE, fail
from adapters.inbound.http.errors import status_for
from adapters.outbound.storage_errors import storage_errors, unwritable_reason
from domain.errors import StorageFull, StorageUnavailable


@pytest.mark.parametrize(("code", "kind", "start"), [
    (errno.ENOSPC, StorageFull, "disk full: {d} has "),
    (errno.EDQUOT, StorageFull, "disk full: {d} has "),
    (errno.EROFS, StorageUnavailable, "{d} is on a read-only file system: remount it read-write"),
    (errno.EACCES, StorageUnavailable, "{d} is not writable by this process (user id "),
    (errno.EPERM, StorageUnavailable, "{d} is not writable by this process"),
    (errno.ENOTDIR, StorageUnavailable, "{d} is not a directory"),
    (errno.EIO, StorageUnavailable, "the file system under {d} failed: Input/output error (check the disk"),
])
def test_an_os_error_becomes_the_storage_error_it_means(tmp_path, code, kind, start):
    with pytest.raises(kind) as raised, storage_errors(tmp_path):
        raise OSError(code, os.strerror(code))
    assert raised.value.error_type == "storage" and raised.value.message.startswith(start.format(d=tmp_path))
    assert raised.value.__cause__.errno == code  # the original stays attached


def test_hdf5s_complaints_about_contents_are_not_storage_errors(tmp_path):
    with pytest.raises(OSError, match="file signature not found"), storage_errors(tmp_path):
        raise OSError("Unable to open file (file signature not found)")


def test_full_is_507_and_unavailable_503_and_both_exit_1(capsys):
    full, unavailable = StorageFull("disk full: /d has 0 MB free"), StorageUnavailable("/d is read-only")
    assert (status_for(full), status_for(unavailable)) == (507, 503)
    assert fail(full, as_json=False) == fail(unavailable, as_json=True) == EXIT_FAILURE
    said = capsys.readouterr()
    assert said.err == "error (storage): disk full: /d has 0 MB free\n"
    assert '"error_type": "storage"' in said.out


def test_a_data_dir_not_created_yet_is_writable_and_is_not_created(tmp_path):
    assert unwritable_reason(tmp_path / "a" / "b") is None
    assert not (tmp_path / "a").exists()


def test_a_data_dir_under_a_file_says_so(tmp_path):
    (tmp_path / "file").write_text("")
    assert unwritable_reason(tmp_path / "file" / "data").startswith(f"{tmp_path / 'file' / 'data'} is not a directory")


@pytest.mark.parametrize(("code", "kind", "start"), [
    (errno.EACCES, StorageUnavailable, "could not read {f}: permission denied to this process (user id "),
    (errno.EPERM, StorageUnavailable, "could not read {f}: permission denied"),
    (errno.EIO, StorageUnavailable, "could not read {f}: Input/output error (check the disk, then try again)"),
    (errno.ENOENT, StorageUnavailable, "could not read {f}: it was removed while kitefetch read it; try again"),
    # Taking a reader's lock may create its file: these keep the words a write gets.
    (errno.ENOSPC, StorageFull, "disk full: {d} has "),
    (errno.EROFS, StorageUnavailable, "{d} is on a read-only file system"),
    (errno.ENOTDIR, StorageUnavailable, "{d} is not a directory"),
])
def test_a_refused_read_says_could_not_read_the_file(tmp_path, code, kind, start):
    file = tmp_path / "EQUITY.h5"
    with pytest.raises(kind) as raised, storage_errors(tmp_path, reading=True):
        raise OSError(code, os.strerror(code), str(file))
    assert raised.value.message.startswith(start.format(d=tmp_path, f=file)), raised.value.message
    assert "writable" not in raised.value.message


def test_a_read_error_without_a_file_name_names_the_directory(tmp_path):
    with pytest.raises(StorageUnavailable, match=f"^could not read {tmp_path}: Input/output error"), \
            storage_errors(tmp_path, reading=True):
        raise OSError(errno.EIO, os.strerror(errno.EIO))


def test_the_segment_stores_reads_and_writes_are_told_apart():
    """in_data_dir infers from the method's name: a new method of the store must land on the right side here."""
    from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore

    decorated = {name: member.reading for name, member in vars(Hdf5SegmentStore).items()
                 if hasattr(member, "reading")}
    assert decorated == {"info": True, "write": False, "mark_stale": False, "instrument": True, "read": True,
                         "count": True, "candles_per_day": True, "describe": True}
