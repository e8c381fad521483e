"""HDF5's own file locking is off on every handle the store opens, and importing the store changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys

from adapters.outbound.hdf5.readonly import ReadOnlyFile
from adapters.outbound.hdf5.segment_file import SegmentFile
from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from domain.market import Segment
from tests.contracts.candle_store import JAN, RELIANCE, candles

UNLOCKED = (0, 0)  # (use file locking, ignore when the file system cannot lock)


def test_reads_and_writes_open_the_file_without_hdf5_locking(tmp_path):
    path = tmp_path / "EQUITY.h5"
    Hdf5SegmentStore(path, Segment.EQUITY).write(RELIANCE, candles(JAN), [JAN])
    with ReadOnlyFile(path) as handle:
        assert handle.h5.id.get_access_plist().get_file_locking() == UNLOCKED
    with SegmentFile(path, 5.0, 0.25, durable=False).writing() as transaction:
        assert transaction.h5.id.get_access_plist().get_file_locking() == UNLOCKED


def test_importing_the_store_leaves_the_environment_alone():
    env = {k: v for k, v in os.environ.items() if k != "HDF5_USE_FILE_LOCKING"}
    code = ("import os, adapters.outbound.hdf5.segment_store, bootstrap.container; "
            "print(os.environ.get('HDF5_USE_FILE_LOCKING'))")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "None"
