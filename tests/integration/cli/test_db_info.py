"""`kitefetch db-info` with a page of the series, as the REST route gives it."""

from __future__ import annotations

import json
import os
import subprocess

from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from tests.integration.processes import KITEFETCH
from tests.integration.store.test_catalog import candles, span


def test_a_page_of_series(tmp_path):
    store = Hdf5SegmentStore(tmp_path / "DERIVATIVES.h5", Segment.DERIVATIVES, durable=False)
    for i in range(5):
        frame = candles(0, 4, seed=i)
        store.write(SeriesKey(Exchange.NFO, f"NIFTY{i}CE", Interval.MINUTE), frame, [span(frame)])
    store.close()
    env = {**os.environ, "KITEFETCH_DATA_DIR": str(tmp_path)}

    def db_info(*flags: str) -> subprocess.CompletedProcess:
        return subprocess.run([KITEFETCH, "db-info", "derivatives", *flags], env=env, capture_output=True, text=True,
                              timeout=60)

    everything = json.loads(db_info("--json").stdout)
    page = json.loads(db_info("--offset", "1", "--limit", "2", "--json").stdout)
    assert page["datasets"] == everything["datasets"][1:3] and (page["offset"], page["limit"]) == (1, 2)
    assert "offset" not in everything and everything["total_datasets"] == page["total_datasets"] == 5
    human = db_info("--offset", "1", "--limit", "2").stdout.splitlines()
    assert human[0].endswith("5 series, 2-3 shown)") and len(human) == 3 and "NFO:NIFTY1CE minute" in human[1]
    assert db_info("--offset", "9", "--limit", "2").stdout.splitlines()[0].endswith("5 series, none shown)")
    for bad in (["--limit", "0"], ["--offset", "-1"], ["--limit", "x"]):
        refused = db_info(*bad)
        assert refused.returncode == 2 and bad[0] in refused.stderr
