"""The HDF5 segment store against the shared CandleStore contract, on real files in a temp dir."""

import json
import time

import pandas as pd
import pytest

from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from domain.market import Segment
from tests.contracts.candle_store import JAN, RELIANCE, CandleStoreContract, candles


class TestHdf5SegmentStore(CandleStoreContract):
    @pytest.fixture(autouse=True)
    def _tmp(self, tmp_path):
        self.tmp = tmp_path

    def make_store(self, segment: Segment):
        return Hdf5SegmentStore(self.tmp / f"{segment.value}.h5", segment)


def test_idle_store_releases_the_file(tmp_path):
    store = Hdf5SegmentStore(tmp_path / "EQUITY.h5", Segment.EQUITY, idle_close_seconds=0.05)
    store.write(RELIANCE, candles(JAN), [JAN])
    time.sleep(0.3)
    assert len(pd.read_hdf(tmp_path / "EQUITY.h5", "/NSE/RELIANCE/day")) == 23


def test_appends_reuse_freed_space(tmp_path):
    """A series growing a row at a time must not leak the rewritten partial chunks."""
    store = Hdf5SegmentStore(tmp_path / "EQUITY.h5", Segment.EQUITY)
    year = candles((JAN[0], JAN[0] + 365 * 86_400))
    for i in range(len(year)):
        store.write(RELIANCE, year.take(slice(i, i + 1)), [])
        store.close()  # a new session per append, like a daily cron job
    size = (tmp_path / "EQUITY.h5").stat().st_size
    assert store.info(RELIANCE).rows == len(year) == 262
    assert size < 200_000, size


def test_plain_pandas_reads_a_series(tmp_path):
    store = Hdf5SegmentStore(tmp_path / "EQUITY.h5", Segment.EQUITY)
    jan = candles(JAN)
    store.write(RELIANCE, jan, [JAN])
    store.close()  # pandas (PyTables) will not open a file this process holds open for writing
    df = pd.read_hdf(tmp_path / "EQUITY.h5", "/NSE/RELIANCE/day")
    assert list(df.columns) == ["open", "high", "low", "close", "volume"]
    assert df.index.name == "timestamp"
    assert str(df.index.tz) == "Asia/Kolkata"
    assert df.index[0].hour == 0 and len(df) == len(jan)
    assert df.index.is_monotonic_increasing and df.index.is_unique


def test_awkward_symbol_is_encoded_and_kept(tmp_path):
    import tables

    from domain.instrument import SeriesKey
    from domain.interval import Interval
    from domain.market import Exchange

    store = Hdf5SegmentStore(tmp_path / "EQUITY.h5", Segment.EQUITY)
    store.write(SeriesKey(Exchange.NSE, "../M&M", Interval.DAY), candles(JAN), [JAN])
    store.close()
    with tables.open_file(tmp_path / "EQUITY.h5") as h5:
        groups = [g._v_pathname for g in h5.walk_groups()]
        assert "/NSE/_2E_2E_2FM_26M/day" in groups
        meta = json.loads(h5.get_node("/NSE/_2E_2E_2FM_26M/day")._v_attrs.kf_meta)
        assert meta["symbol"] == "../M&M" and meta["rows"] == 23
    assert not any(p.name != "EQUITY.h5" and p.suffix == ".h5" for p in tmp_path.iterdir())


def test_a_foreign_group_is_a_conflict_not_a_crash(tmp_path):
    from domain.errors import StoreConflict

    path = tmp_path / "EQUITY.h5"
    frame_index = pd.date_range("2024-01-01", periods=3, freq="D", tz="Asia/Kolkata", name="timestamp")
    pd.DataFrame({"close": [1.0, 2.0, 3.0]}, index=frame_index).to_hdf(path, key="/NSE/RELIANCE/day", format="table")
    store = Hdf5SegmentStore(path, Segment.EQUITY)
    with pytest.raises(StoreConflict):
        store.write(RELIANCE, candles(JAN), [JAN])
    with pytest.raises(StoreConflict):
        store.read(RELIANCE)
    assert store.info(RELIANCE) is None
    assert len(pd.read_hdf(path, "/NSE/RELIANCE/day")) == 3  # untouched


def _append_elsewhere(path, start: int) -> None:
    year = candles((JAN[0], JAN[0] + 400 * 86_400))
    Hdf5SegmentStore(path, Segment.EQUITY).write(RELIANCE, year.take(slice(start, start + 20)), [])


def test_another_process_write_is_seen_while_our_read_handle_is_open(tmp_path):
    """HDF5 shares one open file per process: a handle opened after another process wrote must not get the
    metadata of the one still open from before."""
    import multiprocessing

    path = tmp_path / "EQUITY.h5"
    year = candles((JAN[0], JAN[0] + 400 * 86_400))
    Hdf5SegmentStore(path, Segment.EQUITY).write(RELIANCE, year.take(slice(0, 100)), [])
    api = Hdf5SegmentStore(path, Segment.EQUITY, idle_close_seconds=60)
    assert len(api.read(RELIANCE)) == api.info(RELIANCE).rows == 100  # the read handle stays open
    other = multiprocessing.get_context("spawn").Process(target=_append_elsewhere, args=(path, 100))
    other.start()
    other.join()
    assert other.exitcode == 0
    assert api.info(RELIANCE).rows == 120
    assert [s.rows for s in api.describe().series] == [120]
    assert Hdf5SegmentStore(path, Segment.EQUITY).info(RELIANCE).rows == 120
    assert len(Hdf5SegmentStore(path, Segment.EQUITY).read(RELIANCE)) == 120
    assert len(api.read(RELIANCE)) == 120
    api.close()
