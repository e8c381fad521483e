"""The OS refusing a write (a full disk, at any write of a commit) is a StorageFull, and the file is as before.

The stand-in for the OS (tests/os_faults.py) fails the Nth write to the data dir, for every N a commit makes, the
first failing write half done as on a disk that fills mid-write. After each failure the file must hold exactly what
it held before, when opened by pandas with no kitefetch recovery in between, and the same write must then succeed.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from domain.errors import StorageFull
from domain.market import Segment
from tests.contracts.candle_store import FEB, JAN, RELIANCE, candles
from tests.integration.store.test_crash_safety import FRAME, KEY
from tests.os_faults import FullDisk

BULK = FRAME.take(slice(0, 150_000))  # ~1.7 MB of chunks: past the journal's buffer, written straight to the file
SCENARIOS = {  # what is stored first, then the write the disk refuses
    "first write of a new file": ([], (RELIANCE, candles(JAN), [JAN])),
    "append": ([(RELIANCE, candles(JAN), [JAN])], (RELIANCE, candles(FEB), [FEB])),
    "merge before (rewrite)": ([(RELIANCE, candles(FEB), [FEB])], (RELIANCE, candles(JAN), [JAN])),
    "bulk load": ([(RELIANCE, candles(JAN), [JAN])], (KEY, BULK, [(int(BULK.ts[0]), int(BULK.ts[-1]))])),
}


def _stored(path) -> dict[str, int]:
    """Rows per series as pandas reads them straight from the file."""
    if not path.exists():
        return {}
    with pd.HDFStore(path, "r") as h5:
        return {name: len(h5[name]) for name in h5}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_full_disk_at_any_write_of_a_commit_changes_nothing(tmp_path, mocker, scenario):
    before, (key, frame, covered) = SCENARIOS[scenario]
    base = tmp_path / "base"
    for args in before:
        Hdf5SegmentStore(base / "EQUITY.h5", Segment.EQUITY).write(*args)
    base.mkdir(exist_ok=True)
    expected_before = _stored(base / "EQUITY.h5")
    disk = FullDisk(mocker, tmp_path)
    shutil.copytree(base, tmp_path / "count")
    Hdf5SegmentStore(tmp_path / "count" / "EQUITY.h5", Segment.EQUITY).write(key, frame, covered)
    writes = disk.writes
    assert writes >= 2
    for n in range(writes):
        data = tmp_path / f"at-{n}"
        shutil.copytree(base, data)
        path = data / "EQUITY.h5"
        store = Hdf5SegmentStore(path, Segment.EQUITY)
        disk.arm(n)
        with pytest.raises(StorageFull) as raised:
            store.write(key, frame, covered)
        assert raised.value.message.startswith(f"disk full: {data} has ")
        assert _stored(path) == expected_before, f"write {n} of {writes}: the file changed"
        assert sorted(p.name for p in data.iterdir() if not p.name.startswith("EQUITY.h5.")) == (
            ["EQUITY.h5"] if path.exists() else []), f"write {n} of {writes}: a scratch file or journal was left"
        disk.free()
        assert store.write(key, frame, covered) == len(frame)  # space freed: the same write succeeds
        assert len(store.read(key)) == sum(len(f) for k, f, _ in before if k == key) + len(frame)
        store.close()
        shutil.rmtree(data)
    print(f"{scenario}: the disk filled at each of {writes} writes")
