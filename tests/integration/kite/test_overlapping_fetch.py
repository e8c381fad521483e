"""Requests in flight at once (one process-wide limiter) store exactly what one-at-a-time fetching stores."""

from __future__ import annotations

from datetime import date

import numpy as np
import requests

from adapters.outbound.calendar.library_calendar import LibraryCalendar
from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from adapters.outbound.instruments.cache import InstrumentCache
from adapters.outbound.kite.market_data import KiteMarketData
from adapters.outbound.kite.rate_limiter import SharedRateLimiter
from adapters.outbound.system_clock import SystemClock
from application.batch_fetch import BatchFetch
from application.fetch_history import FetchHistory
from application.fetch_request import FetchRequest
from domain.date_range import DateRange
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment

SYMBOLS = ["RELIANCE", "INFY", "TCS"]


class _Remote:
    def __init__(self, process) -> None:
        self.url = process.url

    def stats(self) -> dict:
        return requests.get(f"{self.url}/__sandbox/stats", timeout=5).json()


def run(sandbox, data_dir, concurrency: int, workers: int):
    source = KiteMarketData("sandbox", "sandbox-secret", sandbox.url, f"{sandbox.url}/connect/login",
                            lambda: "sandbox-token", SharedRateLimiter(data_dir / ".rate", 3))
    stores = {s: Hdf5SegmentStore(data_dir / f"{s.value}.h5", s) for s in Segment}
    fetch = FetchHistory(source, stores, InstrumentCache(source, data_dir / "instruments", SystemClock()),
                         SystemClock(), LibraryCalendar(), concurrency=concurrency)
    span = DateRange(date(2024, 1, 1), date(2024, 12, 31))
    result = BatchFetch(fetch, workers=workers).execute(
        [FetchRequest(Segment.EQUITY, s, span, Interval.MINUTE_5) for s in SYMBOLS])
    assert result.failed == 0
    return stores[Segment.EQUITY], result


def test_overlapping_requests_store_the_same_candles(tmp_path, sandbox_process):
    """Against the sandbox in its own process: in-process, client and server threads share one GIL."""
    sandbox = _Remote(sandbox_process)
    sequential, _ = run(sandbox, tmp_path / "seq", concurrency=1, workers=1)
    requests.post(f"{sandbox.url}/__sandbox/reset", timeout=5)
    overlapped, result = run(sandbox, tmp_path / "par", concurrency=4, workers=3)
    after = sandbox.stats()
    assert sum(r.requests for r in result.results) == 3 * 4  # 366 days / 100 per request, per symbol
    assert after["throttled"] == 0
    assert after["max_admitted_per_second"] <= 3
    for symbol in SYMBOLS:
        key = SeriesKey(Exchange.NSE, symbol, Interval.MINUTE_5)
        a, b = sequential.read(key), overlapped.read(key)
        assert len(a) == len(b) > 18_000 and b.is_sorted_unique()
        assert np.array_equal(a.ts, b.ts) and np.array_equal(a.close, b.close)
        assert overlapped.info(key).coverage.spans == sequential.info(key).coverage.spans
