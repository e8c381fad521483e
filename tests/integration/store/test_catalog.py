"""The file's catalog (`/_kf_catalog`) against the groups it stands for, on real HDF5 files: equal after every kind of
write, migrated from files written before it, rebuilt when an older writer left it behind, read by other processes
a tail at a time, and invisible to pandas and PyTables."""

from __future__ import annotations

import random
import subprocess
import sys
import warnings
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest

from adapters.outbound.hdf5 import catalog, metadata
from adapters.outbound.hdf5.naming import series_path
from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from application.ports import SeriesSummary
from domain.adjustments import Adjustment, ChangeKind
from domain.candles import CandleFrame
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment

EXCHANGES = tuple(e.value for e in Segment.DERIVATIVES.exchanges)
START = 1_735_702_500  # 2025-01-01 09:05 IST


def candles(start: int, n: int, seed: int = 0) -> CandleFrame:
    rng = np.random.default_rng(seed)
    ts = START + (start + np.arange(n, dtype=np.int64)) * 60
    close = np.round(100 + np.cumsum(rng.normal(0, 1, n)), 2)
    return CandleFrame.from_columns({"ts": ts, "open": close, "high": close + 1, "low": close - 1, "close": close,
                                     "volume": rng.integers(0, 1000, n), "oi": rng.integers(0, 10_000, n)})


def span(frame: CandleFrame) -> tuple[int, int]:
    return int(frame.ts[0]), int(frame.ts[-1]) + 59


def key(i: int, interval: Interval = Interval.MINUTE, exchange: Exchange = Exchange.NFO) -> SeriesKey:
    return SeriesKey(exchange, f"NIFTY25JAN{20000 + 50 * i}CE", interval)


def walked(path: Path) -> dict[bytes, bytes]:
    with h5py.File(path, "r") as h5:
        return dict(catalog.walk(h5, EXCHANGES))


def catalogued(path: Path) -> dict[bytes, bytes] | None:
    """The catalog's entries if it is there and current, else None."""
    with h5py.File(path, "r") as h5:
        log = catalog.open_log(h5)
        return None if log is None else catalog.parse(catalog.read(log))


def listed_by_walk(path: Path) -> list:
    """What describe() listed before the catalog: each group's kf_meta decoded, in the walk's order."""
    with h5py.File(path, "r") as h5:
        return [metadata.decode(SeriesKey(Exchange(p.split(b"/")[1].decode()), "?",
                                          Interval(p.split(b"/")[3].decode())), raw)
                for p, raw in catalog.walk(h5, EXCHANGES)]


def assert_catalog_is_the_walk(path: Path, reader: Hdf5SegmentStore | None = None) -> None:
    assert catalogued(path) == walked(path)
    fresh = Hdf5SegmentStore(path, Segment.DERIVATIVES)
    expected = listed_by_walk(path)
    assert list(fresh.describe().series) == expected
    summaries = [SeriesSummary.of(info) for info in expected]  # the listing's fast path, straight from the JSON
    description = fresh.describe()
    assert description.summarize is not None and list(description.summaries()) == summaries
    assert list(description.summaries(3, 4)) == summaries[3:7] and list(description.summaries(5)) == summaries[5:]
    if reader is not None:  # a store that listed the file before: it read the new tail, or the new epoch
        assert list(reader.describe().series) == expected
    for info in expected:
        assert fresh.info(info.key) == info


def drop_catalog(path: Path) -> None:
    """The file as a kitefetch from before the catalog left it."""
    with h5py.File(path, "r+") as h5:
        del h5[catalog.NAME]


def test_the_catalog_follows_every_kind_of_write(tmp_path):
    """Random appends, merges, replaces, coverage-only writes, new series and stale marks; the catalog stays equal to
    the groups, compacting itself on the way; a second store's listing follows by tails and epochs."""
    path = tmp_path / "DERIVATIVES.h5"
    store = Hdf5SegmentStore(path, Segment.DERIVATIVES, durable=False)
    reader = Hdf5SegmentStore(path, Segment.DERIVATIVES)
    rng = random.Random(13)
    rows: dict[SeriesKey, int] = {}
    epochs = set()
    for step in range(240):
        k = key(rng.randrange(12), rng.choice([Interval.MINUTE, Interval.DAY]),
                rng.choice([Exchange.NFO, Exchange.NFO, Exchange.BFO]))
        kind = rng.choice(["append", "append", "append", "merge", "replace", "coverage", "stale"])
        done = rows.get(k, 0)
        if kind == "stale" and done:
            event = Adjustment(f"e{step}", ChangeKind.CORPORATE_ACTION, START, (str(k),))
            store.mark_stale([k], START + 60 * done // 2, event)
        elif kind == "coverage":
            store.write(k, CandleFrame.empty(True), [(START - 86_400 * (step + 1), START - 86_400 * step - 1)])
        elif kind in ("merge", "replace") and done:
            frame = candles(done // 3, 5, seed=step)
            store.write(k, frame, [span(frame)], replace=span(frame) if kind == "replace" else None)
        else:
            frame = candles(done, rng.randrange(1, 30), seed=step)
            store.write(k, frame, [span(frame)])
            rows[k] = done + len(frame)
        if step % 20 == 19:
            assert_catalog_is_the_walk(path, reader)
        with h5py.File(path, "r") as h5:
            epochs.add(catalog.open_log(h5).header.epoch)
    assert_catalog_is_the_walk(path, reader)
    assert len(epochs) > 2, "the log never compacted: the test proves too little"


def test_compaction_keeps_the_log_within_twice_its_live_bytes(tmp_path):
    path = tmp_path / "DERIVATIVES.h5"
    store = Hdf5SegmentStore(path, Segment.DERIVATIVES, durable=False)
    for i in range(5):
        store.write(key(i), candles(0, 3), [(START, START + 179)])
    for step in range(400):
        store.write(key(step % 5), CandleFrame.empty(True), [(step * 60, step * 60 + 59)])
    with h5py.File(path, "r") as h5:
        log = catalog.open_log(h5)
        chunk = log.dataset.get_create_plist().get_chunk()[0]
        assert log.length <= 2 * log.header.live + chunk
        assert log.header.live == sum(len(p) + len(m) + 2 for p, m in walked(path).items())
    assert_catalog_is_the_walk(path)


def test_chunks_grow_with_the_log(tmp_path, monkeypatch):
    """A file of a few series keeps a small log; a long one is rewritten in larger chunks (fewer reads)."""
    monkeypatch.setattr(catalog, "MIN_CHUNK", 256)
    path = tmp_path / "DERIVATIVES.h5"
    store = Hdf5SegmentStore(path, Segment.DERIVATIVES, durable=False)
    store.write(key(0), candles(0, 3), [(START, START + 179)])
    chunks = []
    for i in range(1, 120):
        store.write(key(i), candles(0, 3), [(START, START + 179)])
        with h5py.File(path, "r") as h5:
            chunks.append(catalog.open_log(h5).dataset.get_create_plist().get_chunk()[0])
    assert chunks[0] == 256 and chunks[-1] >= 1024 and chunks == sorted(chunks)
    assert len(set(chunks)) <= 3  # rewritten when chunks 4 times larger would do, not at every write
    assert_catalog_is_the_walk(path)


def test_a_file_from_before_the_catalog_is_listed_by_its_groups_then_migrated_at_its_first_write(tmp_path):
    path = tmp_path / "DERIVATIVES.h5"
    store = Hdf5SegmentStore(path, Segment.DERIVATIVES, durable=False)
    for i in range(30):
        store.write(key(i), candles(0, 10, seed=i), [(START, START + 599)])
    store.close()
    drop_catalog(path)
    before = path.read_bytes()
    reader = Hdf5SegmentStore(path, Segment.DERIVATIVES)
    assert list(reader.describe().series) == listed_by_walk(path)
    assert reader.info(key(3)).rows == 10
    assert path.read_bytes() == before  # reading migrates nothing
    Hdf5SegmentStore(path, Segment.DERIVATIVES).write(key(3), candles(10, 5), [])
    assert len(catalogued(path)) == 30
    assert_catalog_is_the_walk(path, reader)


def test_a_deleted_catalog_is_rebuilt_by_the_next_write(tmp_path):
    """The remedy for a catalog an older kitefetch left stale (see catalog.py): delete it."""
    path = tmp_path / "DERIVATIVES.h5"
    store = Hdf5SegmentStore(path, Segment.DERIVATIVES, durable=False)
    for i in range(3):
        store.write(key(i), candles(0, 10), [(START, START + 599)])
    store.close()
    with h5py.File(path, "r+") as h5:  # an old kitefetch's new series: its kf_meta, no catalog record
        h5.copy(h5[series_path("NFO", key(0).symbol, "minute")], series_path("NFO", "OLDWRITER", "minute"))
        h5[series_path("NFO", "OLDWRITER", "minute")].attrs[metadata.META] = metadata.encode_info(
            Hdf5SegmentStore(path, Segment.DERIVATIVES).info(key(0))).replace(key(0).symbol, "OLDWRITER")
        del h5[catalog.NAME]
    reader = Hdf5SegmentStore(path, Segment.DERIVATIVES)
    assert "OLDWRITER" in [s.key.symbol for s in reader.describe().series]
    store.write(key(1), candles(10, 5), [])
    assert len(catalogued(path)) == 4
    assert_catalog_is_the_walk(path, reader)


_OTHER_PROCESS = """
import sys
import numpy as np
from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from domain.market import Segment
from tests.integration.store.test_catalog import candles, key
store = Hdf5SegmentStore(sys.argv[1], Segment.DERIVATIVES, durable=False)
for i in range(int(sys.argv[2]), int(sys.argv[3])):
    store.write(key(i % 50), candles(1000 + i, 1), [])
"""


def test_another_processs_writes_are_read_as_a_tail_and_a_compaction_as_a_new_epoch(tmp_path, monkeypatch):
    path = tmp_path / "DERIVATIVES.h5"
    store = Hdf5SegmentStore(path, Segment.DERIVATIVES, durable=False)
    for i in range(50):
        store.write(key(i), candles(0, 10), [(START, START + 599)])
    reads: list[int] = []
    real_read = catalog.read
    monkeypatch.setattr(catalog, "read", lambda log, start=0: reads.append(start) or real_read(log, start))
    reader = Hdf5SegmentStore(path, Segment.DERIVATIVES)
    assert len(reader.describe().series) == 50 and reads == [0]

    def other_process(first: int, end: int) -> None:
        subprocess.run([sys.executable, "-c", _OTHER_PROCESS, str(path), str(first), str(end)], check=True,
                       cwd=Path(__file__).parents[3])

    length = catalog_length(path)
    other_process(0, 3)
    assert [s.rows for s in reader.describe().series][:3] == [11, 11, 11] and reads == [0, length]
    assert_catalog_is_the_walk(path, reader)
    epoch = catalog_epoch(path)
    other_process(3, 150)  # enough records to compact the log
    assert catalog_epoch(path) != epoch
    reads.clear()
    assert sum(s.rows for s in reader.describe().series) == 50 * 10 + 150 and reads == [0]
    assert_catalog_is_the_walk(path, reader)


def the_log(h5: h5py.File) -> catalog.Log:
    log = catalog.open_log(h5)
    assert log is not None
    return log


def catalog_length(path: Path) -> int:
    with h5py.File(path, "r") as h5:
        return the_log(h5).length


def catalog_epoch(path: Path) -> str:
    with h5py.File(path, "r") as h5:
        return the_log(h5).header.epoch


def test_pandas_and_pytables_read_a_file_with_a_catalog_unchanged(tmp_path):
    import tables

    path = tmp_path / "DERIVATIVES.h5"
    store = Hdf5SegmentStore(path, Segment.DERIVATIVES)
    frames = {key(i): candles(0, 20, seed=i) for i in range(3)}
    for k, frame in frames.items():
        store.write(k, frame, [span(frame)])
    store.close()
    assert catalogued(path) is not None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # PyTables warns about nodes it cannot map: none may
        with pd.HDFStore(path, "r") as hdf:
            assert sorted(hdf.keys()) == sorted(series_path("NFO", k.symbol, "minute") for k in frames)
        for k, frame in frames.items():
            df = pd.read_hdf(path, series_path("NFO", k.symbol, "minute"))
            assert np.array_equal(df["oi"].to_numpy(), frame.oi) and len(df) == 20
        with tables.open_file(path) as h5:
            nodes = [node._v_pathname for node in h5.walk_nodes("/")]
            assert f"/{catalog.NAME}" in nodes
            assert isinstance(h5.get_node(f"/{catalog.NAME}"), tables.EArray)


def test_a_listing_decodes_only_what_is_read(tmp_path, monkeypatch):
    path = tmp_path / "DERIVATIVES.h5"
    store = Hdf5SegmentStore(path, Segment.DERIVATIVES, durable=False)
    for i in range(40):
        store.write(key(i), candles(0, 5), [(START, START + 299)])
    expected = listed_by_walk(path)
    decoded = []
    real_parse = metadata.parse
    monkeypatch.setattr(metadata, "parse", lambda raw, *a: decoded.append(raw) or real_parse(raw, *a))
    reader = Hdf5SegmentStore(path, Segment.DERIVATIVES)
    series = reader.describe().series
    assert len(series) == 40 and decoded == []
    assert series[10:15] == tuple(expected[10:15]) and len(decoded) == 5
    assert series[-1] == expected[-1] and len(decoded) == 6
    list(series)
    list(series)
    assert len(decoded) == 40  # each once
    store.write(key(0), candles(5, 1), [])
    decoded.clear()
    assert sum(s.rows for s in reader.describe().series) == 40 * 5 + 1 and len(decoded) == 1  # the changed one


def test_info_answers_from_a_current_listing_without_opening_the_series(tmp_path, monkeypatch):
    path = tmp_path / "DERIVATIVES.h5"
    store = Hdf5SegmentStore(path, Segment.DERIVATIVES, durable=False)
    for i in range(5):
        store.write(key(i), candles(0, 5), [(START, START + 299)])
    reader = Hdf5SegmentStore(path, Segment.DERIVATIVES)
    reader.describe()
    monkeypatch.setattr(metadata, "decode", lambda *a: pytest.fail("read a group for what the listing knows"))
    assert reader.info(key(2)).rows == 5
    assert reader.info(key(7)) is None
    monkeypatch.undo()
    store.write(key(2), candles(5, 1), [])
    assert reader.info(key(2)).rows == 6  # the listing is of an older file now: the group answers


def test_the_lean_decoder_reads_every_field_as_before(tmp_path):
    """metadata.parse (orjson, coverage as stored) against the decoder it replaced (json, Coverage.of)."""
    import json
    from datetime import date

    from application.ports import SeriesInfo
    from domain.adjustments import StaleMark
    from domain.coverage import Coverage

    def before(k: SeriesKey, raw: str) -> SeriesInfo:
        meta = json.loads(raw)
        stale = meta.get("stale")
        return SeriesInfo(SeriesKey(k.exchange, meta.get("symbol", k.symbol), k.interval), int(meta["rows"]),
                          meta["first_ts"], meta["last_ts"], Coverage.of((a, b) for a, b in meta["coverage"]),
                          tuple((date.fromisoformat(d), int(c)) for d, c in meta.get("held_back", ())),
                          StaleMark(int(stale["before_ts"]), tuple(stale["events"])) if stale else None,
                          meta.get("provisional_from"), meta.get("healed_at"))

    rng = random.Random(5)
    interned: dict = {}  # shared by every entry, as a listing shares it
    for _ in range(300):
        k = key(rng.randrange(5), rng.choice(list(Interval)))
        coverage = Coverage.of((a, a + rng.randrange(1, 10_000)) for a in rng.sample(range(0, 10**6, 100), 4)
                               if rng.random() < 0.5)
        coverage = rng.choice([coverage, Coverage(((0, 59),)), Coverage(((0, 59), (120, 179)))])
        rows = rng.randrange(3)
        raw = metadata.encode(k, rows, START if rows else None, START + 60 if rows else None, coverage,
                              [(date(2025, 1, d), rng.randrange(1, 9)) for d in range(1, rng.randrange(1, 4))],
                              rng.choice([None, StaleMark(START, ("a", "b"))]), rng.choice([None, START + 7]),
                              rng.choice([None, START + 9]))
        assert metadata.parse(raw, k.exchange, k.interval) == before(k, raw) == metadata.decode(k, raw)
        assert metadata.parse(raw.encode(), k.exchange, k.interval) == before(k, raw)
        assert metadata.parse(raw.encode(), k.exchange, k.interval, None, interned) == before(k, raw)
    assert 0 < len(interned) < 300
