"""The rollback journal on its own, with the failure points staged by hand."""

from __future__ import annotations

import contextlib
import os

from adapters.outbound.file_io import FileIO
from adapters.outbound.hdf5.journal import PAGE, JournaledFile, journal_path, recover


def make(path, size: int) -> bytes:
    original = os.urandom(size)
    path.write_bytes(original)
    return original



def die_while_applying(view: JournaledFile) -> None:
    """Commit, and be killed after the journal is written, while the new pages go into the file."""
    def die(run):
        raise KeyboardInterrupt("killed while applying")

    view._write_run = die  # type: ignore[method-assign]  # the kill, at the one step it stands for
    with contextlib.suppress(KeyboardInterrupt):
        view.commit()

def test_nothing_reaches_the_file_before_commit(tmp_path):
    path = tmp_path / "f"
    original = make(path, 3 * PAGE + 10)
    view = JournaledFile(path)
    view.seek(PAGE - 2)
    view.write(b"x" * 5)
    view.seek(0, 2)
    view.write(b"tail")
    view.seek(PAGE - 2)
    assert view.read(5) == b"x" * 5
    assert path.read_bytes() == original
    view.close()  # no commit: the change is dropped
    assert path.read_bytes() == original and not journal_path(path).exists()


def test_commit_applies_and_removes_the_journal(tmp_path):
    path = tmp_path / "f"
    original = make(path, 2 * PAGE + 100)
    view = JournaledFile(path)
    view.seek(PAGE + 50)
    view.write(b"new")
    view.truncate(2 * PAGE + 50)
    view.commit()
    view.close()
    expected = bytearray(original[: 2 * PAGE + 50])
    expected[PAGE + 50:PAGE + 53] = b"new"
    assert path.read_bytes() == bytes(expected) and not journal_path(path).exists()


def test_a_complete_journal_rolls_a_half_applied_commit_back(tmp_path):
    path = tmp_path / "f"
    original = make(path, 5 * PAGE + 7)
    view = JournaledFile(path)
    for offset in (10, 2 * PAGE + 3, 4 * PAGE + 1, 7 * PAGE):
        view.seek(offset)
        view.write(b"changed")
    applied = []

    def crash_after_two_runs(run):
        if len(applied) == 2:
            raise KeyboardInterrupt("killed")  # stands in for SIGKILL between two writes
        applied.append(run)
        JournaledFile._write_run(view, run)

    view._write_run = crash_after_two_runs
    with contextlib.suppress(KeyboardInterrupt):
        view.commit()
    view.close()
    assert journal_path(path).exists() and path.read_bytes() != original
    assert recover(path) is True
    assert path.read_bytes() == original and not journal_path(path).exists()


def test_a_torn_journal_means_the_file_was_never_touched(tmp_path):
    path = tmp_path / "f"
    original = make(path, PAGE)
    journal_path(path).write_bytes(b"KFJOURNAL1" + b"\x00" * 20)  # killed while writing the journal
    assert recover(path) is False
    assert path.read_bytes() == original and not journal_path(path).exists()


def test_a_large_extension_goes_to_the_file_behind_a_length_journal(tmp_path):
    from adapters.outbound.hdf5.journal import DIRECT_WRITE_MIN

    path = tmp_path / "f"
    original = make(path, 2 * PAGE)
    view = JournaledFile(path)
    view.seek(2 * PAGE)
    view.write(b"z" * (DIRECT_WRITE_MIN + 10))
    assert path.stat().st_size > len(original)  # already in the file...
    assert journal_path(path).exists()  # ...behind a journal that knows the old length
    view.seek(2 * PAGE + 5)
    assert view.read(3) == b"zzz"
    view.close()  # killed before commit
    assert recover(path) is True and path.read_bytes() == original


def test_a_shrink_is_rolled_back_too(tmp_path):
    """HDF5 sometimes truncates below the original size: the pages cut off must be in the journal."""

    class TruncateThenDie(FileIO):
        def ftruncate(self, fd, size):
            os.ftruncate(fd, size)
            raise KeyboardInterrupt("killed after the truncate")

    path = tmp_path / "f"
    original = make(path, 6 * PAGE + 123)
    view = JournaledFile(path, file_io=TruncateThenDie())
    view.seek(10)
    view.write(b"head")
    view.truncate(2 * PAGE + 5)
    with contextlib.suppress(KeyboardInterrupt):
        view.commit()
    view.close()
    assert len(path.read_bytes()) == 2 * PAGE + 5
    assert recover(path) is True and path.read_bytes() == original


def test_a_short_write_of_the_journal_is_finished(tmp_path):
    """os.write may write part of a buffer; a journal cut short would be taken for one never finished."""

    class ShortWrites(FileIO):
        def write(self, fd, data):
            return os.write(fd, bytes(data[:1000]))

    path = tmp_path / "f"
    original = make(path, 8 * PAGE)
    view = JournaledFile(path, file_io=ShortWrites())
    for page in range(8):
        view.seek(page * PAGE + 1)
        view.write(b"changed")
    die_while_applying(view)
    view.close()
    assert recover(path) is True and path.read_bytes() == original


def test_the_journal_is_written_as_its_own_name_dot_new_then_renamed(tmp_path):
    """`EQUITY.h5-journal.new`, not `EQUITY.new` (with_suffix on `EQUITY.h5-journal` replaced `.h5-journal`)."""
    from tests.integration.store.crash_sim import RecordingIO

    path = tmp_path / "EQUITY.h5"
    make(path, 2 * PAGE)
    recorder = RecordingIO(tmp_path)
    view = JournaledFile(path, file_io=recorder)
    view.seek(5)
    view.write(b"changed")
    view.commit()
    view.close()
    assert [op[1] for op in recorder.ops if op[0] == "link"] == ["EQUITY.h5-journal.new"]
    assert [op[1:3] for op in recorder.ops if op[0] == "rename"] == [("EQUITY.h5-journal.new", "EQUITY.h5-journal")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["EQUITY.h5"]


def test_recovery_removes_a_killed_writers_scratch_of_the_new_name_and_of_the_old_one(tmp_path):
    path = tmp_path / "EQUITY.h5"
    original = make(path, 3 * PAGE)
    (tmp_path / "EQUITY.h5-journal.new").write_bytes(b"KFJOURNAL1" + b"\x00" * 100)  # killed before the rename
    (tmp_path / "EQUITY.new").write_bytes(b"KFJOURNAL1" + b"\x01" * 50)  # the same, by kitefetch before the rename
    assert recover(path) is False
    assert sorted(p.name for p in tmp_path.iterdir()) == ["EQUITY.h5"] and path.read_bytes() == original
    (tmp_path / "EQUITY.new").write_bytes(b"KFJOUR")  # torn within the magic
    assert recover(path) is False and not (tmp_path / "EQUITY.new").exists()
    (tmp_path / "EQUITY.new").write_bytes(b"")  # killed before its first byte
    assert recover(path) is False and not (tmp_path / "EQUITY.new").exists()


def test_recovery_with_a_journal_and_an_old_scratch_rolls_back_and_removes_both(tmp_path):
    path = tmp_path / "EQUITY.h5"
    original = make(path, 3 * PAGE)
    view = JournaledFile(path)
    view.seek(PAGE + 1)
    view.write(b"changed")
    die_while_applying(view)
    view.close()
    (tmp_path / "EQUITY.new").write_bytes(b"KFJOURNAL1 an older kitefetch's scratch")
    assert recover(path) is True and path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["EQUITY.h5"]


def test_a_file_of_the_users_that_bears_the_old_name_is_left_alone(tmp_path):
    path = tmp_path / "EQUITY.h5"
    make(path, PAGE)
    (tmp_path / "EQUITY.new").write_bytes(b"my notes on new equities")
    assert recover(path) is False
    assert (tmp_path / "EQUITY.new").read_bytes() == b"my notes on new equities"


def test_the_next_write_through_the_store_clears_an_old_scratch(tmp_path):
    import numpy as np

    from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
    from domain.candles import CandleFrame
    from domain.instrument import SeriesKey
    from domain.interval import Interval
    from domain.market import Exchange, Segment

    key = SeriesKey(Exchange.NSE, "TCS", Interval.DAY)
    ts = 1_704_067_200 + 86_400 * np.arange(4, dtype=np.int64)
    frame = CandleFrame.from_columns({"ts": ts, "open": np.ones(4), "high": np.ones(4) * 2, "low": np.ones(4) / 2,
                                      "close": np.ones(4), "volume": np.arange(4)})
    store = Hdf5SegmentStore(tmp_path / "EQUITY.h5", Segment.EQUITY)
    store.write(key, frame.take(slice(0, 2)), [(int(ts[0]), int(ts[1]) + 86_399)])
    (tmp_path / "EQUITY.new").write_bytes(b"KFJOURNAL1" + b"\x00" * 64)
    store.write(key, frame.take(slice(2, 4)), [(int(ts[2]), int(ts[3]) + 86_399)])
    assert not (tmp_path / "EQUITY.new").exists() and len(store.read(key)) == 4
