"""A Kite retry logged from a fetch pool thread still names the request that caused it."""

from __future__ import annotations

from datetime import date

import requests
import structlog
from structlog.processors import CallsiteParameter, CallsiteParameterAdder
from structlog.testing import capture_logs

from adapters.outbound.calendar.library_calendar import LibraryCalendar
from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from adapters.outbound.instruments.cache import InstrumentCache
from adapters.outbound.kite.market_data import KiteMarketData
from adapters.outbound.kite.rate_limiter import RateLimiter
from adapters.outbound.kite.retry import RetryPolicy
from adapters.outbound.system_clock import SystemClock
from application.fetch_history import FetchHistory
from application.fetch_request import FetchRequest
from domain.date_range import DateRange
from domain.interval import Interval
from domain.market import Segment
from kite_sandbox import SandboxConfig, start_sandbox


def test_retry_lines_from_pool_threads_carry_the_request_id(tmp_path):
    with start_sandbox(SandboxConfig(port=0, cost_ms_per_1000_candles=0)) as sandbox:
        source = KiteMarketData("sandbox", "sandbox-secret", sandbox.url, f"{sandbox.url}/connect/login",
                                lambda: "sandbox-token", RateLimiter(3, 1.0),
                                retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05))
        stores = {s: Hdf5SegmentStore(tmp_path / f"{s.value}.h5", s) for s in Segment}
        fetch = FetchHistory(source, stores, InstrumentCache(source, tmp_path / "instruments", SystemClock()),
                             SystemClock(), LibraryCalendar(), concurrency=3)
        requests.post(f"{sandbox.url}/__sandbox/fault", data={"kind": "error500", "count": 3},
                      timeout=5).raise_for_status()
        structlog.contextvars.bind_contextvars(request_id="req-42")
        try:
            with capture_logs(processors=[structlog.contextvars.merge_contextvars,
                                          CallsiteParameterAdder([CallsiteParameter.THREAD_NAME])]) as logs:
                result = fetch.execute(FetchRequest(Segment.EQUITY, "RELIANCE",
                                                    DateRange(date(2024, 1, 1), date(2024, 5, 29)), Interval.MINUTE))
        finally:
            structlog.contextvars.clear_contextvars()
    retries = [e for e in logs if e["event"] == "kite_retry"]
    assert result.requests == 3 and len(retries) == 3
    assert all(e["thread_name"].startswith("fetch") for e in retries), retries
    assert all(e.get("request_id") == "req-42" for e in retries), retries
