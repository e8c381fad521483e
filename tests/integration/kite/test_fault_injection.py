"""Kite faults: a batch through 20% transient failures stores exactly what a fault-free batch stores."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
import requests

from adapters.outbound.calendar.library_calendar import LibraryCalendar
from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from adapters.outbound.instruments.cache import InstrumentCache
from adapters.outbound.kite.market_data import KiteMarketData
from adapters.outbound.kite.rate_limiter import RateLimiter
from adapters.outbound.kite.retry import RetryPolicy
from adapters.outbound.system_clock import SystemClock
from application.batch_fetch import BatchFetch, ItemFailure
from application.fetch_history import FetchHistory
from application.fetch_request import FetchRequest
from domain.date_range import DateRange
from domain.errors import AuthRequired
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from kite_sandbox import SandboxConfig, start_sandbox
from kite_sandbox.faults import FAULT_KINDS

SYMBOLS = ("RELIANCE", "INFY", "TCS", "M&M", "BAJAJ-AUTO", "ZZBADOHLC")
SPAN = DateRange(date(2024, 1, 1), date(2024, 12, 31))


def batch(sandbox, data_dir, attempts: int = 8, symbols: tuple[str, ...] = SYMBOLS):
    source = KiteMarketData("sandbox", "sandbox-secret", sandbox.url, f"{sandbox.url}/connect/login",
                            lambda: "sandbox-token", RateLimiter(3, 1.0),
                            retry=RetryPolicy(attempts=attempts, base_delay=0.05, max_delay=0.4), timeout=1.0)
    stores = {s: Hdf5SegmentStore(data_dir / f"{s.value}.h5", s) for s in Segment}
    fetch = FetchHistory(source, stores, InstrumentCache(source, data_dir / "instruments", SystemClock()),
                         SystemClock(), LibraryCalendar(), concurrency=3)
    items = [FetchRequest(Segment.EQUITY, s, SPAN, Interval.MINUTE_5) for s in symbols]
    return BatchFetch(fetch, workers=2).execute(items), stores[Segment.EQUITY]


def test_twenty_percent_faults_change_nothing_stored(tmp_path):
    config = SandboxConfig(port=0, cost_ms_per_1000_candles=0, stall_seconds=1.5)
    with start_sandbox(config) as clean:
        expected, clean_store = batch(clean, tmp_path / "clean")
    with start_sandbox(SandboxConfig(**{**config.__dict__, "fault_rate": 0.2})) as faulty:
        for kind in FAULT_KINDS:  # one of each kind for sure, then 20% at random (seeded)
            requests.post(f"{faulty.url}/__sandbox/fault", data={"kind": kind}, timeout=5).raise_for_status()
        result, faulty_store = batch(faulty, tmp_path / "faulty")
        stats = faulty.stats()
    assert result.failed == 0 and expected.failed == 0
    assert all(stats["faults"][kind] >= 1 for kind in FAULT_KINDS), stats["faults"]
    assert stats["faults"]["total"] >= len(FAULT_KINDS) + 2, stats["faults"]
    for symbol in SYMBOLS:
        key = SeriesKey(Exchange.NSE, symbol, Interval.MINUTE_5)
        a, b = clean_store.read(key), faulty_store.read(key)
        assert len(a) > 18_000 and np.array_equal(a.ts, b.ts) and np.array_equal(a.close, b.close)
        assert np.array_equal(a.volume, b.volume)
        assert clean_store.info(key).coverage == faulty_store.info(key).coverage
    print(f"faults injected and recovered: {stats['faults']}")


def test_exhausted_retries_report_api_and_store_nothing_for_the_chunk(tmp_path):
    with start_sandbox(SandboxConfig(port=0, cost_ms_per_1000_candles=0, fault_rate=1.0, stall_seconds=1.5)) as s:
        result, store = batch(s, tmp_path, attempts=3, symbols=SYMBOLS[:2])
    assert result.failed == 2
    assert all(isinstance(r, ItemFailure) and r.error.error_type == "api" for r in result.results)
    for symbol in SYMBOLS[:2]:
        assert store.info(SeriesKey(Exchange.NSE, symbol, Interval.MINUTE_5)) is None


def test_an_expired_token_stops_the_batch_without_a_retry_storm(tmp_path):
    with start_sandbox(SandboxConfig(port=0, cost_ms_per_1000_candles=0)) as sandbox:
        source = KiteMarketData("sandbox", "sandbox-secret", sandbox.url, f"{sandbox.url}/connect/login",
                                lambda: "sandbox-token", RateLimiter(3, 1.0))
        catalog = InstrumentCache(source, tmp_path / "instruments", SystemClock())
        catalog.instruments(Exchange.NSE)
        requests.post(f"{sandbox.url}/__sandbox/expire-tokens", timeout=5)
        stores = {s: Hdf5SegmentStore(tmp_path / f"{s.value}.h5", s) for s in Segment}
        fetch = FetchHistory(source, stores, catalog, SystemClock(), LibraryCalendar())
        items = [FetchRequest(Segment.EQUITY, s, SPAN, Interval.MINUTE_15) for s in SYMBOLS]
        with pytest.raises(AuthRequired, match="log in again"):
            BatchFetch(fetch, workers=1).execute(items)
        assert sandbox.stats()["routes"]["historical"] == 1
