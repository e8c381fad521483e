"""When Kite changes the past: what detecting it costs, and how many requests healing a split sends.

Run: `.venv/bin/python -m bench.revisions` (part of `make bench`). Two parts:

1. Detection. An incremental fetch asks back over stored candles inside the requests it sends anyway: the plan's
   request count with and without the overlap, and the cost of comparing one request's worth of minute candles
   (60 days, 22,500) with the store: nothing changed, a split, one revised close (domain/revisions.py), beside
   reading those candles from an HDF5 store.
2. Healing. A sandbox process (no response cost, no rate limit: the figure is requests, not seconds) serves
   RELIANCE; kitefetch stores its minute history since 2015 and day history since 2000, the sandbox splits it 2:1,
   and one incremental fetch (of the day series, then, on a copy of the same files, of the minute series) finds and
   heals it. Its requests are counted by the sandbox and set beside the minimum: ceil(days / span) for each
   series' history before the ex-date, minus what the detecting request already brought back. Memory: peak RSS
   growth and numpy's peak allocation (tracemalloc) during the heal.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import requests

from adapters.outbound.calendar.library_calendar import LibraryCalendar
from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from adapters.outbound.instruments.cache import InstrumentCache
from adapters.outbound.kite.market_data import KiteMarketData
from adapters.outbound.kite.rate_limiter import RateLimiter
from adapters.outbound.system_clock import SystemClock
from application.fetch_history import FetchHistory
from application.fetch_request import FetchRequest
from bench.common import minute_candles, peak_rss_mb, table, timed
from bootstrap.logging_setup import configure_logging
from domain.candles import CandleFrame
from domain.clock_time import IST, day_start, from_datetime
from domain.coverage import Coverage
from domain.date_range import DateRange
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from domain.planner import minimal_request_count, plan_fetch
from domain.revisions import compare

TODAY = date(2026, 11, 20)
EX_DATE = date(2026, 11, 16)  # a Monday; the history was last fetched on Friday the 13th
STORED_UNTIL = date(2026, 11, 13)
DAY = SeriesKey(Exchange.NSE, "RELIANCE", Interval.DAY)
MINUTE = SeriesKey(Exchange.NSE, "RELIANCE", Interval.MINUTE)


class _Clock:
    def __init__(self, now: int) -> None:
        self.now = now

    def now_ts(self) -> int:
        return self.now


def _halved(frame: CandleFrame, before: int) -> CandleFrame:
    """Kite's 2:1 adjustment of the candles before `before`, tick-rounded as the sandbox does it."""
    moved = frame.ts < before
    cols = {name: getattr(frame, name).copy() for name in ("open", "high", "low", "close")}
    for name, rounding in (("open", np.rint), ("close", np.rint), ("high", np.ceil), ("low", np.floor)):
        cols[name][moved] = rounding(np.round(cols[name][moved] * 20) / 2) / 20
    return CandleFrame(frame.ts, cols["open"], cols["high"], cols["low"], cols["close"],
                       np.where(moved, frame.volume * 2, frame.volume))


def detection(runs: int, tmp: Path) -> None:
    stored = minute_candles(22_500)
    split = _halved(stored, int(stored.ts[11_250]))
    revised_close = stored.close.copy()
    revised_close[-1] += 1.0
    revised = CandleFrame(stored.ts, stored.open, np.maximum(stored.high, revised_close), stored.low, revised_close,
                          stored.volume)
    store = Hdf5SegmentStore(tmp / "EQUITY.h5", Segment.EQUITY, durable=False)
    store.write(MINUTE, minute_candles(900_000), [])
    read_from = int(minute_candles(900_000).ts[-22_500])
    assert compare(stored, stored) is None and compare(stored, split) is not None
    rows = [["nothing changed", f"{timed(lambda: compare(stored, stored), runs) * 1e3:.2f}"],
            ["a split halfway", f"{timed(lambda: compare(stored, split), runs) * 1e3:.2f}"],
            ["one revised close", f"{timed(lambda: compare(stored, revised), runs) * 1e3:.2f}"],
            ["(reading them from a 900k-row series)",
             f"{timed(lambda: store.read(MINUTE, read_from), runs) * 1e3:.2f}"]]
    table(f"Comparing one minute request's overlap, 22,500 candles (median of {runs}), ms; allowed: 5", ["case", "ms"],
          rows)
    coverage = Coverage.of([(day_start(date(2015, 1, 1)), day_start(STORED_UNTIL + timedelta(days=1)) - 1)])
    plans = []
    for days_missing in (1, 7, 59, 61, 150):
        wanted = (day_start(date(2015, 1, 1)), day_start(STORED_UNTIL + timedelta(days=days_missing + 1)) - 1)
        plain = plan_fetch(wanted, coverage, Interval.MINUTE)
        widened = plan_fetch(wanted, coverage, Interval.MINUTE, stored_from=coverage.first)
        back = (widened[0].start_ts - widened[0].request_start) // 86_400
        plans.append([days_missing, len(plain), len(widened), back])
    table("Incremental minute fetch: requests planned without and with the overlap", ["days due", "without",
                                                                                      "with", "days asked back"],
          plans)


def _sandbox(port: int) -> subprocess.Popen:
    proc = subprocess.Popen([str(Path(sys.executable).with_name("kitefetch")), "sandbox", "--port", str(port),
                             "--cost-ms-per-1000-candles", "0", "--rate-limit", "100000", "--today", TODAY.isoformat()],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            requests.get(f"http://127.0.0.1:{port}/__sandbox/stats", timeout=1)
            return proc
        except requests.RequestException:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("sandbox did not start")


def _fetch_history(url: str, data: Path, clock: _Clock) -> tuple[FetchHistory, Hdf5SegmentStore]:
    source = KiteMarketData("sandbox", "sandbox-secret", url, f"{url}/connect/login", lambda: "sandbox-token",
                            RateLimiter(100_000, 1.0))
    stores = {s: Hdf5SegmentStore(data / f"{s.value}.h5", s) for s in Segment}
    catalog = InstrumentCache(source, data / "instruments", SystemClock())
    return FetchHistory(source, stores, catalog, clock, LibraryCalendar(), concurrency=4), stores[Segment.EQUITY]


def _historical(url: str) -> int:
    return int(requests.get(f"{url}/__sandbox/stats", timeout=5).json()["historical"])


def healing(port: int, tmp: Path) -> None:
    url = f"http://127.0.0.1:{port}"
    proc = _sandbox(port)
    try:
        clock = _Clock(from_datetime(datetime(2026, 11, 13, 18, 0, tzinfo=IST)))
        fetch, store = _fetch_history(url, tmp / "base", clock)
        started = time.perf_counter()
        fetch.execute(FetchRequest(Segment.EQUITY, "RELIANCE", DateRange(date(2000, 1, 1), STORED_UNTIL)))
        fetch.execute(FetchRequest(Segment.EQUITY, "RELIANCE", DateRange(date(2015, 1, 1), STORED_UNTIL),
                                   Interval.MINUTE))
        rows_day, rows_minute = store.info(DAY).rows, store.info(MINUTE).rows  # type: ignore[union-attr]
        print(f"\nstored RELIANCE: {rows_day:,} day and {rows_minute:,} minute candles in "
              f"{time.perf_counter() - started:.1f} s")
        store.close()
        shutil.copytree(tmp / "base", tmp / "by-minute")
        requests.post(f"{url}/__sandbox/corporate-action", json={"exchange": "NSE", "symbol": "RELIANCE",
                                                                 "ex_date": EX_DATE.isoformat(), "factor": 2.0,
                                                                 "kind": "split"}, timeout=5).raise_for_status()
        rows = []
        for detecting, data in ((DAY, tmp / "base"), (MINUTE, tmp / "by-minute")):
            clock = _Clock(from_datetime(datetime(2026, 11, 16, 18, 0, tzinfo=IST)))
            fetch, store = _fetch_history(url, data, clock)
            first = {key: store.info(key).coverage.first for key in (DAY, MINUTE)}  # type: ignore[union-attr]
            reach = day_start(EX_DATE - timedelta(days=detecting.interval.max_span_days - 1))
            minimum = {key: minimal_request_count([(first[key], (reach if key == detecting else day_start(EX_DATE))
                                                    - 1)], key.interval) for key in (DAY, MINUTE)}
            before, rss = _historical(url), peak_rss_mb()
            tracemalloc.start()
            started = time.perf_counter()
            result = fetch.execute(FetchRequest(Segment.EQUITY, "RELIANCE", DateRange(date(2026, 11, 1), TODAY),
                                                detecting.interval))
            seconds = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            sent = _historical(url) - before
            (event,) = result.adjustments
            assert event.status.value == "healed" and event.factor == 2.0 and event.ex_date == EX_DATE, event
            rows.append([detecting.interval.value, 1, minimum[DAY], minimum[MINUTE], 1 + sum(minimum.values()), sent,
                         f"{event.candles_replaced:,}", f"{seconds:.1f}", f"{peak / 2**20:.0f}",
                         f"{peak_rss_mb() - rss:.0f}"])
            assert sent == 1 + sum(minimum.values()), (sent, minimum)
        table("Healing a 2:1 split of RELIANCE (day since 2000, minute since 2015) found by one incremental fetch",
              ["found by", "due", "day min", "minute min", "minimum", "sent", "candles replaced", "s",
               "numpy peak MB", "RSS growth MB"], rows)
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--port", type=int, default=8799)
    args = parser.parse_args()
    configure_logging(False, logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        detection(args.runs, Path(tmp))
        healing(args.port, Path(tmp))


if __name__ == "__main__":
    main()
