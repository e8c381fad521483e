"""Data dirs filled from the sandbox through the real client and FetchHistory, for `kitefetch.open()` to read.

`sandbox_data`: NSE M&M minute candles over three windows holding a two-block DR Saturday (2024-03-02), a Muhurat
evening (2024-11-01 18:00-19:00) and the Budget Saturday (2025-02-01), 5minute candles over the last one, and
day candles from 2023-01-02 (a Monday, the first trading day of its year) to 2025-12-31. Not earlier: the
sandbox serves no Muhurat evening before 2023's, which kitefetch's calendar lists (2022-10-24 was a Monday, so
its week would start there).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from adapters.outbound.calendar.library_calendar import LibraryCalendar
from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from adapters.outbound.instruments.cache import InstrumentCache
from adapters.outbound.kite.market_data import KiteMarketData
from adapters.outbound.kite.rate_limiter import SharedRateLimiter
from adapters.outbound.system_clock import SystemClock
from application.fetch_history import FetchHistory
from application.fetch_request import FetchRequest
from application.ports import Clock
from domain.clock_time import IST, from_datetime
from domain.date_range import DateRange
from domain.interval import Interval
from domain.market import Exchange, Segment

WINDOWS = [(date(2024, 2, 26), date(2024, 3, 8)), (date(2024, 10, 28), date(2024, 11, 8)),
           (date(2025, 1, 27), date(2025, 2, 7))]
DAYS = (date(2023, 1, 2), date(2025, 12, 31))


def fetcher(sandbox_url: str, data_dir: Path, clock: Clock | None = None) -> FetchHistory:
    source = KiteMarketData("sandbox", "sandbox-secret", sandbox_url, f"{sandbox_url}/connect/login",
                            lambda: "sandbox-token", SharedRateLimiter(data_dir / ".rate", 3))
    stores = {s: Hdf5SegmentStore(data_dir / f"{s.value}.h5", s) for s in Segment}
    clock = clock or SystemClock()
    return FetchHistory(source, stores, InstrumentCache(source, data_dir / "instruments", clock), clock,
                        LibraryCalendar(), concurrency=2)


def fetch_all(fetch: FetchHistory, requests: Sequence[FetchRequest]) -> None:
    for request in requests:
        result = fetch.execute(request)
        assert result.records > 0 and result.rejected == 0, result


@pytest.fixture(scope="session")
def sandbox_data(kite_sandbox, tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("pyapi") / "hdf5"
    data_dir.mkdir()
    minute = [FetchRequest(Segment.EQUITY, "M&M", DateRange(*w), Interval.MINUTE) for w in WINDOWS]
    five = [FetchRequest(Segment.EQUITY, "M&M", DateRange(*WINDOWS[-1]), Interval.MINUTE_5)]
    day = [FetchRequest(Segment.EQUITY, "M&M", DateRange(*DAYS), Interval.DAY),
           FetchRequest(Segment.EQUITY, "NIFTY 50", DateRange(date(2025, 1, 1), date(2025, 3, 31)), Interval.DAY)]
    fetch_all(fetcher(kite_sandbox.url, data_dir), minute + five + day)
    return data_dir


class SandboxDay(Clock):
    """The evening of the day a sandbox is pinned to: its dump is the latest, its candles are complete."""

    def __init__(self, day: date) -> None:
        self._now = from_datetime(datetime.datetime.combine(day, datetime.time(20, 0), IST))

    def now_ts(self) -> int:
        return self._now


# Monthly NIFTY futures expire on the last Tuesday; a sandbox pinned to an expiry day still lists that contract.
EXPIRIES = {"NIFTY25JANFUT": date(2025, 1, 28), "NIFTY25FEBFUT": date(2025, 2, 25),
            "NIFTY25MARFUT": date(2025, 3, 25)}


@pytest.fixture(scope="session")
def futures_data(tmp_path_factory) -> Path:
    """Each contract captured on its expiry day, by a sandbox pinned to that day (its dump lists it, live):
    the instrument cache ends up knowing all three, the older ones as expired, as it would for a real user."""
    from kite_sandbox import SandboxConfig, start_sandbox

    data_dir = tmp_path_factory.mktemp("futures") / "hdf5"
    data_dir.mkdir()
    for symbol, expiry in EXPIRIES.items():
        sandbox = start_sandbox(SandboxConfig(port=0, cost_ms_per_1000_candles=0, today=expiry))
        try:
            request = FetchRequest(Segment.DERIVATIVES, symbol, DateRange(date(2024, 10, 1), expiry), Interval.DAY,
                                   exchange=Exchange.NFO)
            fetch_all(fetcher(sandbox.url, data_dir, SandboxDay(expiry)), [request])
        finally:
            sandbox.stop()
    return data_dir
