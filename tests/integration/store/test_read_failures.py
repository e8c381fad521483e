"""A read the OS refuses says "could not read <file>", through the real adapters: a process of another user (nobody)
reads a store and a tracked list it may not open. Needs root to become that user (as the test machines run)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import pytest

from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from adapters.outbound.tracked_file import TrackedFile
from application.tracked import TrackedSeries
from domain.candles import CandleFrame
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment

NOBODY = 65534
KEY = SeriesKey(Exchange.NSE, "TCS", Interval.DAY)
CHILD = """
import json, os, sys
from pathlib import Path
import structlog  # everything imported before becoming nobody: this Python may live where nobody cannot read
from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from adapters.outbound.tracked_file import TrackedFile
from domain.errors import StorageUnavailable
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
os.setgid(65534); os.setuid(65534)
data = Path(sys.argv[1])
said = {}
for name, read in [("read", lambda: Hdf5SegmentStore(data / "EQUITY.h5", Segment.EQUITY).read(
                        SeriesKey(Exchange.NSE, "TCS", Interval.DAY))),
                   ("tracked", lambda: TrackedFile(data / "tracked.json").load())]:
    try:
        read()
        said[name] = "read"
    except StorageUnavailable as error:
        said[name] = error.message
print(json.dumps(said))
"""


@pytest.fixture
def data_dir():
    """A data dir another user may enter (pytest's tmp_path is root's alone): its files are root's, mode 0600."""
    directory = Path(tempfile.mkdtemp(prefix="kf-read-"))
    directory.chmod(0o755)
    yield directory
    shutil.rmtree(directory)


@pytest.mark.skipif(os.geteuid() != 0, reason="becoming another user needs root")
def test_another_user_reading_files_it_may_not_open_is_told_it_could_not_read_them(data_dir):
    ts = [1_704_067_200 + 86_400 * n for n in range(3)]
    frame = CandleFrame.from_columns({"ts": ts, "open": [1.0] * 3, "high": [2.0] * 3, "low": [0.5] * 3,
                                      "close": [1.5] * 3, "volume": [10] * 3})
    Hdf5SegmentStore(data_dir / "EQUITY.h5", Segment.EQUITY).write(KEY, frame, [(ts[0], ts[-1] + 86_399)])
    TrackedFile(data_dir / "tracked.json").update(lambda t: t.add(TrackedSeries(
        "t1", Exchange.NSE, "TCS", (Interval.DAY,), date(2024, 1, 1))))
    for name in ("EQUITY.h5", "tracked.json"):
        (data_dir / name).chmod(0o600)
    root = Path(__file__).resolve().parents[3]
    child = subprocess.run([sys.executable, "-c", CHILD, str(data_dir)], capture_output=True, text=True,
                           timeout=60, cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
    assert child.returncode == 0, child.stderr
    said = json.loads(child.stdout.splitlines()[-1])  # after the log lines
    assert said["read"] == (f"could not read {data_dir / 'EQUITY.h5'}: permission denied to this process (user id "
                            f"{NOBODY}); fix its permissions or point KITEFETCH_DATA_DIR elsewhere")
    assert said["tracked"].startswith(f"could not read {data_dir / 'tracked.json'}: permission denied")
