"""Reading never creates anything, and reading metadata never loads the chunk codecs."""

from __future__ import annotations

import json
import subprocess
import sys

from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from domain.market import Segment
from tests.contracts.candle_store import JAN, RELIANCE, candles


def test_reads_of_a_missing_database_create_nothing(tmp_path):
    store = Hdf5SegmentStore(tmp_path / "data" / "hdf5" / "EQUITY.h5", Segment.EQUITY)
    assert store.info(RELIANCE) is None
    assert len(store.read(RELIANCE)) == 0 and store.count(RELIANCE) == 0
    assert list(store.iter_range(RELIANCE)) == []
    described = store.describe()
    assert (described.exists, described.size_bytes, described.series) == (False, 0, ())
    assert list(tmp_path.iterdir()) == []  # no directory, no lock file


def test_a_read_of_an_existing_database_adds_no_directory(tmp_path):
    path = tmp_path / "EQUITY.h5"
    Hdf5SegmentStore(path, Segment.EQUITY).write(RELIANCE, candles(JAN), [JAN])
    before = sorted(p.name for p in tmp_path.iterdir())
    reader = Hdf5SegmentStore(path, Segment.EQUITY)
    assert reader.describe().exists and len(reader.read(RELIANCE)) > 0
    reader.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == before


_PROBE = """
import json, sys
from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from domain.market import Segment
from tests.contracts.candle_store import RELIANCE
codecs = lambda: [m for m in ("blosc2", "hdf5plugin") if m in sys.modules]
store = Hdf5SegmentStore(sys.argv[1], Segment.EQUITY)
seen = {"metadata": (store.info(RELIANCE).rows, len(store.describe().series), codecs())}
seen["candles"] = (len(store.read(RELIANCE)), codecs())
print(json.dumps(seen))
"""


def test_metadata_reads_leave_the_codecs_unloaded_and_candle_reads_load_them(tmp_path):
    path = tmp_path / "EQUITY.h5"
    Hdf5SegmentStore(path, Segment.EQUITY).write(RELIANCE, candles(JAN), [JAN])
    result = subprocess.run([sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True, check=True)
    seen = json.loads(result.stdout)
    rows = seen["metadata"][0]
    assert seen["metadata"] == [rows, 1, []]  # blosc2 and hdf5plugin: ~0.2 s of imports a metadata read skips
    assert seen["candles"] == [rows, ["blosc2", "hdf5plugin"]]
