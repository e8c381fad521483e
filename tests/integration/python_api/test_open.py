"""`kitefetch.open()`: where it looks, what it creates (nothing but a missing lock file), a read-only disk, a writer
in another process, and what `import kitefetch` loads."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kitefetch
from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from domain.candles import CandleFrame
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment

KEY = SeriesKey(Exchange.NSE, "M&M", Interval.MINUTE)
PIECE = 375  # a session of minute candles
CONTEXT = multiprocessing.get_context("fork")


def sessions(n: int) -> CandleFrame:
    """n weekday sessions of minute candles from 2025-01-06 (a Monday), a random walk."""
    days = np.array([d for d in range(20_094, 20_094 + n * 2) if (d + 3) % 7 < 5][:n], dtype=np.int64)
    ts = (days[:, None] * 86_400 - 19_800 + 9 * 3600 + 15 * 60 + np.arange(PIECE) * 60).ravel()
    rng = np.random.default_rng(5)
    close = np.round(1000 + np.cumsum(rng.normal(0, 1, len(ts))), 2)
    return CandleFrame(ts, close, close + 1, close - 1, close, rng.integers(0, 1000, len(ts)))


def write(data_dir: Path, frame: CandleFrame) -> None:
    Hdf5SegmentStore(data_dir / "EQUITY.h5", Segment.EQUITY).write(KEY, frame, [(int(frame.ts[0]),
                                                                                 int(frame.ts[-1]) + 59)])


def files(where: Path) -> list[str]:
    return sorted(str(p.relative_to(where)) for p in where.rglob("*"))


def test_the_data_dir_is_found_as_the_cli_finds_it(tmp_path, monkeypatch):
    (tmp_path / "from-env").mkdir()
    (tmp_path / "from-dotenv").mkdir()
    (tmp_path / "data" / "hdf5").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KITEFETCH_DATA_DIR", raising=False)
    monkeypatch.delenv("KITE_API_SECRET", raising=False)
    assert kitefetch.open().data_dir == Path("data/hdf5")  # the default
    (tmp_path / ".env").write_text("KITEFETCH_DATA_DIR=from-dotenv\nKITE_API_SECRET=not-for-notebooks\n")
    assert kitefetch.open().data_dir == Path("from-dotenv")
    assert "KITE_API_SECRET" not in os.environ  # .env is read, not loaded into the environment
    monkeypatch.setenv("KITEFETCH_DATA_DIR", str(tmp_path / "from-env"))
    assert kitefetch.open().data_dir == tmp_path / "from-env"
    assert kitefetch.open(tmp_path / "data" / "hdf5").data_dir == tmp_path / "data" / "hdf5"
    with pytest.raises(FileNotFoundError, match=r"No kitefetch data dir at .*nowhere \(from the data_dir argument\)"):
        kitefetch.open(tmp_path / "nowhere")
    monkeypatch.setenv("KITEFETCH_DATA_DIR", str(tmp_path / "gone"))
    with pytest.raises(FileNotFoundError, match=r"gone \(from KITEFETCH_DATA_DIR\)"):
        kitefetch.open()
    assert not (tmp_path / "nowhere").exists() and not (tmp_path / "gone").exists()


def test_reading_creates_nothing_but_a_missing_lock_file(tmp_path):
    write(tmp_path, sessions(3))
    before = files(tmp_path)
    with kitefetch.open(tmp_path) as store:
        store.series()
        assert len(store.candles("NSE", "M&M", "minute", resample="75minute")) == 15
        with pytest.raises(kitefetch.SeriesNotFound):
            store.continuous("NFO", "NIFTY", "day")  # no DERIVATIVES.h5, no instrument cache
        with pytest.raises(kitefetch.SeriesNotFound):
            store.candles("NFO", "NIFTY25JANFUT", "day")
    assert files(tmp_path) == before
    (tmp_path / "EQUITY.h5.lock").unlink()  # a database copied without its lock file
    with kitefetch.open(tmp_path) as store:
        assert len(store.candles("NSE", "M&M", "minute")) == 3 * PIECE
    assert files(tmp_path) == before  # the lock, again: what keeps a writer from committing mid-read


@contextmanager
def read_only_disk(where: Path):
    """A tmpfs filled by `yield`'s caller, then remounted read-only (root only)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(where)], capture_output=True,
                             text=True, check=False)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield lambda: subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)
    finally:
        if subprocess.run(["umount", str(where)], capture_output=True, check=False).returncode:
            subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.mark.parametrize("lock_file", ["kept", "missing"])
def test_a_read_only_file_system_still_reads(tmp_path, lock_file):
    disk = tmp_path / "disk"
    with read_only_disk(disk) as remount_read_only:
        write(disk, sessions(2))
        if lock_file == "missing":
            (disk / "EQUITY.h5.lock").unlink()
        remount_read_only()
        with pytest.raises(OSError, match="Read-only"):
            (disk / "probe").touch()
        with kitefetch.open(disk) as store:
            assert store.series()["rows"].tolist() == [2 * PIECE]
            pd.testing.assert_frame_equal(store.candles("NSE", "M&M", "minute"),
                                          pd.read_hdf(disk / "EQUITY.h5", "/NSE/M_26M/minute"))
            assert len(store.candles("NSE", "M&M", resample="week")) == 1


def appender(data_dir: Path, pieces: int) -> None:
    frame = sessions(pieces)
    for k in range(1, pieces):
        write(data_dir, frame.take(slice(k * PIECE, (k + 1) * PIECE)))
        time.sleep(0.003)  # a fetch's chunks arrive apart: let the reader in between


@pytest.mark.timeout(120)
def test_reads_while_another_process_writes_are_never_torn(tmp_path):
    pieces = 150
    everything = sessions(pieces)
    write(tmp_path, everything.take(slice(0, PIECE)))
    writer = CONTEXT.Process(target=appender, args=(tmp_path, pieces))
    reads, seen = 0, set()
    with kitefetch.open(tmp_path) as store:
        writer.start()
        while writer.is_alive() or reads == 0:
            frame = store.candles("NSE", "M&M", "minute")
            rows = len(frame)
            assert rows % PIECE == 0, rows  # whole commits only
            assert np.array_equal(frame.index.as_unit("s").asi8, everything.ts[:rows])
            assert np.array_equal(frame["close"].to_numpy(), everything.close[:rows])
            bars = store.candles("NSE", "M&M", "minute", end=frame.index[-1], resample="day")
            assert len(bars) == rows // PIECE and bars["volume"].sum() == frame["volume"].sum()
            reads += 1
            seen.add(rows)
        writer.join(timeout=60)
    assert writer.exitcode == 0
    assert len(store.candles("NSE", "M&M", "minute")) == pieces * PIECE
    assert reads > 20 and len(seen) > 5, (reads, len(seen))  # the reads did interleave with the commits


def test_import_kitefetch_loads_no_web_server_kite_client_or_pandas():
    code = ("import json, sys, time\nstarted = time.perf_counter()\nimport kitefetch\n"
            "took = time.perf_counter() - started\n"
            "print(json.dumps({'seconds': took, 'loaded': sorted(m for m in ('flask', 'werkzeug', 'gunicorn', "
            "'kiteconnect', 'dependency_injector', 'marshmallow', 'pandas', 'pyarrow', 'structlog', "
            "'exchange_calendars') if m in sys.modules)}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seen = json.loads(result.stdout)
    assert seen["loaded"] == []
    assert seen["seconds"] < 2.0  # ~0.15 s here; bench/python_api.py measures it against the 0.5 s target


def test_the_store_imports_nothing_of_the_web_edge(tmp_path):
    """gaps and adjustments share their shapes with the REST bodies through adapters/shapes.py, not presenters.py
    (lint-imports checks the same with no exception left for it)."""
    code = ("import json, sys, kitefetch\nstore = kitefetch.open(sys.argv[1])\n"
            "try:\n    store.gaps('NSE', 'TCS', 'day')\nexcept KeyError:\n    pass\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('adapters.inbound'))))")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout.splitlines()[-1]) == []
