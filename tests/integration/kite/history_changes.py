"""What the tests of Kite changing the past share: kitefetch's real parts wired to a sandbox, and the final check."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import requests

from adapters.outbound.calendar.library_calendar import LibraryCalendar
from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from adapters.outbound.instruments.cache import InstrumentCache
from adapters.outbound.kite.market_data import KiteMarketData
from adapters.outbound.kite.rate_limiter import RateLimiter
from adapters.outbound.kite.retry import RetryPolicy
from adapters.outbound.system_clock import SystemClock
from application.fetch_history import FetchHistory, FetchResult
from application.fetch_request import FetchRequest
from application.ports import Clock
from domain.clock_time import IST, from_datetime, ist_date
from domain.date_range import DateRange
from domain.interval import Interval
from domain.market import Segment
from tests.fakes.market import FixedClock


def at(day: date, hour: int, minute: int = 0) -> int:
    return from_datetime(datetime(day.year, day.month, day.day, hour, minute, tzinfo=IST))


class Kitefetch:
    """FetchHistory over HDF5 files in `data_dir`, the real Kite client against `url`, a clock the test sets."""

    def __init__(self, url: str, data_dir: Path, clock: Clock | None = None, attempts: int = 5,
                 rate: int = 1000) -> None:
        self.url = url
        self.clock = clock or SystemClock()
        self.source = KiteMarketData("sandbox", "sandbox-secret", url, f"{url}/connect/login", lambda: "sandbox-token",
                                     RateLimiter(rate, 1.0), retry=RetryPolicy(attempts, 0.01, 0.05), timeout=5.0)
        self.stores = {s: Hdf5SegmentStore(data_dir / f"{s.value}.h5", s) for s in Segment}
        self.catalog = InstrumentCache(self.source, data_dir / "instruments", SystemClock())
        self.calendar = LibraryCalendar()
        self.equity = self.stores[Segment.EQUITY]

    def history(self, concurrency: int = 1) -> FetchHistory:
        return FetchHistory(self.source, self.stores, self.catalog, self.clock, self.calendar, concurrency)

    def fetch(self, symbol: str, start: date, end: date, interval: Interval = Interval.DAY) -> FetchResult:
        return self.history().execute(FetchRequest(Segment.EQUITY, symbol, DateRange(start, end), interval))

    def historical_requests(self) -> int:
        return int(requests.get(f"{self.url}/__sandbox/stats", timeout=5).json()["historical"])

    def post(self, route: str, body: dict) -> None:
        requests.post(f"{self.url}/__sandbox/{route}", json=body, timeout=5).raise_for_status()


def assert_equals_a_fresh_download(kitefetch: Kitefetch, tmp_path: Path) -> int:
    """Every stored series equals a fresh full download from the sandbox: the same candles, nothing stale.
    Returns how many series were compared."""
    fresh = Kitefetch(kitefetch.url, tmp_path / f"fresh-{len(list(tmp_path.iterdir()))}",
                      FixedClock(kitefetch.clock.now_ts()))
    compared = 0
    for segment, store in kitefetch.stores.items():
        for info in store.describe().series:
            assert info.stale is None, info
            assert info.first_ts is not None and info.last_ts is not None
            span = DateRange(ist_date(info.first_ts), ist_date(info.last_ts))
            fresh.history().execute(FetchRequest(segment, info.key.symbol, span, info.key.interval,
                                                 info.key.exchange))
            mine, theirs = store.read(info.key), fresh.stores[segment].read(info.key)
            assert len(mine) == len(theirs) > 0, (info.key, len(mine), len(theirs))
            for name in ("ts", "open", "high", "low", "close", "volume"):
                assert np.array_equal(getattr(mine, name), getattr(theirs, name)), (info.key, name)
            compared += 1
    assert compared
    return compared
