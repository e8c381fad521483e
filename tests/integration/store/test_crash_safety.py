"""Writers killed with SIGKILL at random instants, and several processes on one file at once."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time

import numpy as np
import pandas as pd
import pytest

from adapters.outbound.hdf5.journal import JournaledFile, journal_path
from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from domain.candles import CandleFrame
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from tests.integration.store.catalog_check import assert_catalog_is_the_walk

KEY = SeriesKey(Exchange.NSE, "CRASH", Interval.MINUTE)
PIECE = 500
KILLS = int(os.environ.get("KITEFETCH_CRASH_KILLS", "20"))
CONTEXT = multiprocessing.get_context("fork")


def candles(n: int, seed: int = 3) -> CandleFrame:
    rng = np.random.default_rng(seed)
    ts = 1_704_080_700 + np.arange(n, dtype=np.int64) * 60
    close = np.round(1000 + np.cumsum(rng.normal(0, 1, n)), 2)
    return CandleFrame.from_columns({"ts": ts, "open": close, "high": close + 1, "low": close - 1, "close": close,
                                     "volume": rng.integers(0, 1000, n)})


FRAME = candles(400 * PIECE)


def piece(k: int) -> CandleFrame:
    return FRAME.take(slice(k * PIECE, (k + 1) * PIECE))


def writer(path, conn, slow_commit: bool) -> None:
    """Append pieces forever, acknowledging each; every 5th write also rewrites the series (merge path).

    With `slow_commit`, each run of pages written during a commit takes 2 ms longer, so a random kill
    lands inside the commit (journal written, file half updated) far more often than it would by chance.
    """
    if slow_commit:
        original = JournaledFile._write_run

        def slow(self, run):
            original(self, run)  # a raw pwrite: in the page cache, so a kill now leaves it half applied
            time.sleep(0.002)

        JournaledFile._write_run = slow  # type: ignore[method-assign]
    store = Hdf5SegmentStore(path, Segment.EQUITY)
    k = 0
    while True:
        p = piece(k)
        if k % 5 == 4:  # an already stored piece again: goes through the full-series rewrite, adds nothing
            old = piece(k - 2)
            store.write(KEY, old, [(int(old.ts[0]), int(old.ts[-1]))])
        store.write(KEY, p, [(int(p.ts[0]), int(p.ts[-1]) + 59)])
        conn.send(k)
        k += 1


def journal_is_complete(path) -> bool:
    import zlib

    raw = path.read_bytes()
    return len(raw) > 4 and int.from_bytes(raw[-4:], "little") == zlib.crc32(raw[:-4])


def test_kill_at_random_points_keeps_exactly_the_acknowledged_candles(tmp_path):
    path = tmp_path / "EQUITY.h5"
    rng = random.Random(20261124)
    rollbacks = 0
    for round_no in range(KILLS):
        parent, child = CONTEXT.Pipe(duplex=False)
        proc = CONTEXT.Process(target=writer, args=(path, child, round_no % 2 == 1))
        proc.start()
        time.sleep(rng.uniform(0.02, 0.35))
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
        acknowledged = -1
        while parent.poll():
            acknowledged = parent.recv()
        rollbacks += journal_path(path).exists() and journal_is_complete(journal_path(path))
        store = Hdf5SegmentStore(path, Segment.EQUITY)
        stored = store.read(KEY)  # recovers first if the writer died mid-commit
        info = store.info(KEY)
        listed = list(store.describe().series)
        store.close()
        assert not journal_path(path).exists()
        assert_catalog_is_the_walk(path, Segment.EQUITY)
        assert listed == ([info] if info is not None else [])
        # A new process starts from scratch (fresh file per round would hide accumulated damage: keep it).
        pieces = len(stored) // PIECE
        assert len(stored) % PIECE == 0, f"round {round_no}: a partial write survived"
        assert pieces in (acknowledged + 1, acknowledged + 2), (round_no, pieces, acknowledged)
        expected = FRAME.take(slice(0, pieces * PIECE))
        assert np.array_equal(stored.ts, expected.ts) and np.array_equal(stored.close, expected.close)
        if pieces:
            assert info.rows == len(stored) and stored.is_sorted_unique()
            assert len(pd.read_hdf(path, "/NSE/CRASH/minute")) == len(stored)
        else:  # killed before its first commit (a loaded machine starts it slowly): an empty file at most
            assert info is None
        path.unlink(missing_ok=True)  # the next round starts a new series from the first piece again
    print(f"{KILLS} kills, {rollbacks} interrupted commits rolled back")
    assert rollbacks >= KILLS // 10, "the kills never landed inside a commit: the test proves too little"


def appender(path, symbol: str, count: int) -> None:
    store = Hdf5SegmentStore(path, Segment.EQUITY, lock_timeout=60)
    key = SeriesKey(Exchange.NSE, symbol, Interval.MINUTE)
    for k in range(count):
        p = piece(k)
        store.write(key, p, [(int(p.ts[0]), int(p.ts[-1]) + 59)])


def reader(path, stop, errors) -> None:
    store = Hdf5SegmentStore(path, Segment.EQUITY, lock_timeout=60)
    keys = [SeriesKey(Exchange.NSE, s, Interval.MINUTE) for s in ("ALPHA", "BETA")]
    while not stop.is_set():
        try:
            for key in keys:
                frame = store.read(key)
                info = store.info(key)
                if len(frame) % PIECE or not frame.is_sorted_unique() or (info and info.rows < len(frame)):
                    errors.put(f"torn read of {key}: {len(frame)} rows")
            store.describe()
        except Exception as error:  # noqa: BLE001 - any failure is the finding
            errors.put(repr(error))
        time.sleep(0.005)


@pytest.mark.timeout(120)
def test_two_writers_and_a_reader_on_one_file(tmp_path):
    path = tmp_path / "EQUITY.h5"
    stop, errors = CONTEXT.Event(), CONTEXT.Queue()
    procs = [CONTEXT.Process(target=appender, args=(path, "ALPHA", 60)),
             CONTEXT.Process(target=appender, args=(path, "BETA", 60)),
             CONTEXT.Process(target=reader, args=(path, stop, errors))]
    for p in procs:
        p.start()
    for p in procs[:2]:
        p.join(timeout=100)
        assert p.exitcode == 0
    stop.set()
    procs[2].join(timeout=10)
    found = []
    while not errors.empty():
        found.append(errors.get())
    assert not found, found[:5]
    store = Hdf5SegmentStore(path, Segment.EQUITY)
    for symbol in ("ALPHA", "BETA"):
        stored = store.read(SeriesKey(Exchange.NSE, symbol, Interval.MINUTE))
        assert np.array_equal(stored.ts, FRAME.ts[:60 * PIECE])


def test_a_held_lock_is_a_clear_busy_error_not_a_hang(tmp_path):
    import fcntl

    from domain.errors import StoreBusy

    path = tmp_path / "EQUITY.h5"
    Hdf5SegmentStore(path, Segment.EQUITY).write(KEY, piece(0), [])
    holder = open(path.with_name("EQUITY.h5.lock"), "a")  # noqa: SIM115 - another "process" holding the lock
    fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
    try:
        store = Hdf5SegmentStore(path, Segment.EQUITY, lock_timeout=0.2)
        started = time.monotonic()
        with pytest.raises(StoreBusy, match="try again"):
            store.write(KEY, piece(1), [])
        assert time.monotonic() - started < 2
    finally:
        holder.close()
    assert Hdf5SegmentStore(path, Segment.EQUITY).write(KEY, piece(1), []) == PIECE


def test_notebook_reader_recovers_and_reads_under_the_lock(tmp_path):
    from adapters.outbound.hdf5.notebook import read_hdf

    path = tmp_path / "EQUITY.h5"
    store = Hdf5SegmentStore(path, Segment.EQUITY)
    store.write(KEY, piece(0), [])
    before = path.read_bytes()
    view = JournaledFile(path)
    view.seek(0)
    view.write(b"\xff" * 64)  # a commit that dies after the journal and half the pages

    def die(run):
        JournaledFile._write_run(view, run)
        raise KeyboardInterrupt

    view._write_run = die
    with pytest.raises(KeyboardInterrupt):
        view.commit()
    view.close()
    assert path.read_bytes() != before
    assert len(read_hdf(path, "/NSE/CRASH/minute")) == PIECE
    assert path.read_bytes() == before
