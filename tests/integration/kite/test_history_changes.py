"""Kite changes the past; kitefetch follows. Each test ends with every stored series equal to a fresh full download.

The sandbox plays Kite (`POST /__sandbox/corporate-action`, `/__sandbox/revise`, `/__sandbox/fault`); kitefetch
runs its real parts: the kiteconnect client over HTTP, HDF5 files, the library calendar.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import requests

from domain.adjustments import ChangeKind, ChangeStatus
from domain.clock_time import day_start
from domain.errors import UpstreamFailure
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange
from domain.planner import minimal_request_count
from kite_sandbox import RunningSandbox, start_sandbox
from tests.fakes.market import FixedClock
from tests.integration.processes import KITEFETCH, Process, free_port
from tests.integration.sandbox.conftest import fast_config

from .history_changes import Kitefetch, assert_equals_a_fresh_download, at

TODAY = date(2026, 11, 20)  # a Friday; the sandbox's "now" is 15:30 that day
NEXT_TRADING_DAY = date(2026, 11, 23)
DAY = SeriesKey(Exchange.NSE, "RELIANCE", Interval.DAY)
MINUTE = SeriesKey(Exchange.NSE, "RELIANCE", Interval.MINUTE)
QUARTER = SeriesKey(Exchange.NSE, "RELIANCE", Interval.MINUTE_15)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(fast_config(today=TODAY)) as running:
        yield running


@pytest.fixture(autouse=True)
def clean(sandbox: RunningSandbox) -> Iterator[None]:
    yield
    requests.post(f"{sandbox.url}/__sandbox/reset", timeout=5).raise_for_status()


@pytest.fixture
def kitefetch(sandbox: RunningSandbox, tmp_path) -> Kitefetch:
    return Kitefetch(sandbox.url, tmp_path / "data", FixedClock(at(TODAY, 18)))


def first_session(kitefetch: Kitefetch, day: date) -> date:
    """The first day from `day` on that has a session: what a fetch can see as an ex-date."""
    sessions = kitefetch.calendar.sessions(Exchange.NSE, day, day + timedelta(days=15))
    return next(iter(sessions)).day


def action(kind: str, ex_date: date, factor: float, symbol: str = "RELIANCE") -> dict:
    return {"exchange": "NSE", "symbol": symbol, "ex_date": ex_date.isoformat(), "factor": factor, "kind": kind}


def store_reliance(kitefetch: Kitefetch, until: date) -> None:
    """Day candles since 2018, minute candles since July, 15minute since May: as fetched by `until`."""
    kitefetch.fetch("RELIANCE", date(2018, 1, 1), until)
    kitefetch.fetch("RELIANCE", date(2026, 7, 1), until, Interval.MINUTE)
    kitefetch.fetch("RELIANCE", date(2026, 5, 1), until, Interval.MINUTE_15)


def heal_requests(kitefetch: Kitefetch, ex_date: date, detecting: SeriesKey, request_start: int) -> int:
    """The fewest requests that download every stored series' history before `ex_date` again, minus what the
    detecting request (from `request_start`) brought back."""
    total = 0
    for key in (DAY, MINUTE, QUARTER):
        info = kitefetch.equity.info(key)
        assert info is not None and info.coverage.first is not None
        first = info.coverage.first
        until = request_start if key == detecting else day_start(ex_date)
        total += minimal_request_count([(first, until - 1)], key.interval) if first < until else 0
    return total


def test_a_split_is_found_by_the_due_request_and_healed_in_every_interval(kitefetch, tmp_path):
    store_reliance(kitefetch, date(2026, 11, 13))  # a daily fetch, last on Friday
    ex_date = date(2026, 11, 16)  # Monday
    kitefetch.post("corporate-action", action("split", ex_date, 2.0))
    kitefetch.clock.now = at(ex_date, 18)
    before = kitefetch.historical_requests()
    result = kitefetch.fetch("RELIANCE", date(2026, 11, 1), TODAY)
    (event,) = result.adjustments
    assert (event.kind, event.ex_date, event.factor, event.status) == (
        ChangeKind.CORPORATE_ACTION, ex_date, 2.0, ChangeStatus.HEALED)
    assert set(event.series) == {str(DAY), str(MINUTE), str(QUARTER)}
    reach = day_start(ex_date - timedelta(days=1999))  # the due day request reached back 2000 days
    expected = heal_requests(kitefetch, ex_date, DAY, reach)
    assert expected == 1 + 3 + 1  # day 2018..2021, minute July..ex-date, 15minute May..ex-date
    assert result.requests == 1 + expected == kitefetch.historical_requests() - before
    assert event.requests == expected and event.candles_replaced > 1000
    assert result.warnings == ()
    assert assert_equals_a_fresh_download(kitefetch, tmp_path) == 3


def test_a_bonus_found_by_a_minute_fetch(kitefetch, tmp_path):
    store_reliance(kitefetch, date(2026, 11, 17))
    ex_date = date(2026, 11, 18)
    kitefetch.post("corporate-action", action("bonus", ex_date, 2.0))
    kitefetch.clock.now = at(ex_date, 18)
    before = kitefetch.historical_requests()
    result = kitefetch.fetch("RELIANCE", date(2026, 11, 1), TODAY, Interval.MINUTE)
    (event,) = result.adjustments
    assert (event.ex_date, event.factor, event.status) == (ex_date, 2.0, ChangeStatus.HEALED)
    reach = day_start(ex_date - timedelta(days=59))
    assert result.requests == 1 + heal_requests(kitefetch, ex_date, MINUTE, reach)
    assert kitefetch.historical_requests() - before == result.requests
    assert_equals_a_fresh_download(kitefetch, tmp_path)


def test_a_demerger_adjusted_three_weeks_late(kitefetch, tmp_path):
    store_reliance(kitefetch, date(2026, 11, 19))
    ex_date = first_session(kitefetch, TODAY - timedelta(days=21))
    kitefetch.post("corporate-action", action("demerger", ex_date, 1.25))
    result = kitefetch.fetch("RELIANCE", date(2026, 11, 1), TODAY)
    (event,) = result.adjustments
    assert (event.ex_date, event.factor, event.status) == (ex_date, 1.25, ChangeStatus.HEALED)
    events = kitefetch.equity.instrument(Exchange.NSE, "RELIANCE").events
    assert events == (event,)
    assert_equals_a_fresh_download(kitefetch, tmp_path)


def test_a_revised_day_close_is_replaced_at_no_extra_request(kitefetch, tmp_path):
    kitefetch.fetch("RELIANCE", date(2026, 1, 1), date(2026, 11, 17))
    revised = first_session(kitefetch, date(2026, 11, 12))
    kitefetch.post("revise", {"exchange": "NSE", "symbol": "RELIANCE", "interval": "day",
                              "timestamp": revised.isoformat(), "close": 1234.55})
    before = kitefetch.historical_requests()
    result = kitefetch.fetch("RELIANCE", date(2026, 1, 1), TODAY)
    (event,) = result.adjustments
    assert (event.kind, event.candles_replaced, event.requests, event.status) == (
        ChangeKind.REVISION, 1, 0, ChangeStatus.HEALED)
    assert result.requests == 1 == kitefetch.historical_requests() - before
    assert kitefetch.equity.read(DAY, day_start(revised), day_start(revised)).close[0] == 1234.55
    assert_equals_a_fresh_download(kitefetch, tmp_path)


def test_a_provisional_close_is_fetched_again_and_replaced(kitefetch, tmp_path):
    kitefetch.fetch("RELIANCE", date(2026, 11, 2), TODAY)  # Friday 18:00: today's close is provisional
    assert kitefetch.equity.info(DAY).provisional_from == day_start(TODAY)
    assert kitefetch.fetch("RELIANCE", date(2026, 11, 2), TODAY).requests == 0  # not final: nothing to ask yet
    kitefetch.post("revise", {"exchange": "NSE", "symbol": "RELIANCE", "interval": "day",
                              "timestamp": TODAY.isoformat(), "close": 1111.1})
    kitefetch.clock.now = at(NEXT_TRADING_DAY, 9)  # Monday after 08:00: Kite's value is final
    result = kitefetch.fetch("RELIANCE", date(2026, 11, 2), TODAY)
    assert (result.requests, result.records, result.adjustments) == (1, 0, ())
    assert kitefetch.equity.read(DAY, day_start(TODAY), day_start(TODAY)).close[0] == 1111.1
    assert kitefetch.equity.info(DAY).provisional_from is None
    assert kitefetch.fetch("RELIANCE", date(2026, 11, 2), TODAY).requests == 0
    assert_equals_a_fresh_download(kitefetch, tmp_path)


def test_of_two_instruments_only_the_changed_one_costs_more(kitefetch, tmp_path):
    for symbol in ("INFY", "TCS"):
        kitefetch.fetch(symbol, date(2025, 1, 1), date(2026, 11, 13))
        kitefetch.fetch(symbol, date(2026, 9, 1), date(2026, 11, 13), Interval.MINUTE)
    kitefetch.post("corporate-action", action("split", first_session(kitefetch, date(2026, 11, 17)), 5.0, "INFY"))
    before = kitefetch.historical_requests()
    tcs = kitefetch.fetch("TCS", date(2025, 1, 1), TODAY)
    assert tcs.requests == 1 == kitefetch.historical_requests() - before and tcs.adjustments == ()
    infy = kitefetch.fetch("INFY", date(2025, 1, 1), TODAY)
    assert infy.adjustments[0].factor == 5.0 and infy.requests > 1
    assert kitefetch.equity.instrument(Exchange.NSE, "TCS").events == ()
    before = kitefetch.historical_requests()
    assert kitefetch.fetch("TCS", date(2026, 9, 1), TODAY, Interval.MINUTE).requests == 1
    assert kitefetch.historical_requests() - before == 1
    assert_equals_a_fresh_download(kitefetch, tmp_path)


def test_a_kite_failure_mid_heal_keeps_the_old_history_then_the_next_fetch_heals(tmp_path):
    with start_sandbox(fast_config(today=TODAY, latency_ms=300)) as slow:
        kitefetch = Kitefetch(slow.url, tmp_path / "data", FixedClock(at(TODAY, 18)), attempts=2)
        store_reliance(kitefetch, date(2026, 11, 10))
        old = {key: kitefetch.equity.read(key) for key in (DAY, MINUTE, QUARTER)}
        kitefetch.post("corporate-action", action("split", first_session(kitefetch, date(2026, 11, 16)), 2.0))
        start = kitefetch.historical_requests()

        def fail_the_heal() -> None:  # once the due request is in, the next two fail: one heal request, twice
            while kitefetch.historical_requests() == start:
                time.sleep(0.005)
            requests.post(f"{slow.url}/__sandbox/fault", data={"kind": "error500", "count": 2}, timeout=5)

        saboteur = threading.Thread(target=fail_the_heal)
        saboteur.start()
        with pytest.raises(UpstreamFailure):
            kitefetch.fetch("RELIANCE", date(2026, 11, 1), TODAY)
        saboteur.join()
        for key, candles in old.items():
            assert kitefetch.equity.info(key).stale is not None
            assert (kitefetch.equity.read(key).close == candles.close).all() and len(candles)
        (event,) = kitefetch.equity.instrument(Exchange.NSE, "RELIANCE").events
        assert event.status is ChangeStatus.STALE and len(event.pending) == 3
        result = kitefetch.fetch("RELIANCE", date(2026, 11, 1), TODAY)  # resumes the heal, then what is due
        assert result.adjustments[0].id == event.id and result.adjustments[0].status is ChangeStatus.HEALED
        assert_equals_a_fresh_download(kitefetch, tmp_path)


def test_a_kill_mid_heal_leaves_the_old_history_readable_and_the_next_fetch_heals(tmp_path):
    port = free_port()
    sandbox = Process(["sandbox", "--port", str(port), "--cost-ms-per-1000-candles", "0", "--latency-ms", "300",
                       "--rate-limit", "1000"], {}, f"http://127.0.0.1:{port}/__sandbox/stats",
                      tmp_path / "sandbox.log")
    url = f"http://127.0.0.1:{port}"
    try:
        data = tmp_path / "data"
        kitefetch = Kitefetch(url, data)  # the real clock, as the killed process has; a past range only
        kitefetch.fetch("RELIANCE", date(2018, 1, 1), date(2026, 10, 16))
        kitefetch.fetch("RELIANCE", date(2026, 5, 1), date(2026, 10, 16), Interval.MINUTE)
        old = {key: kitefetch.equity.read(key) for key in (DAY, MINUTE)}
        ex_date = first_session(kitefetch, date(2026, 10, 12))
        kitefetch.post("corporate-action", action("split", ex_date, 2.0))
        env = {"KITE_API_KEY": "sandbox", "KITE_API_SECRET": "sandbox-secret", "KITE_ACCESS_TOKEN": "sandbox-token",
               "KITE_API_ROOT": url, "KITEFETCH_DATA_DIR": str(data)}
        log = tmp_path / "fetch.log"
        with open(log, "wb") as out:
            fetch = subprocess.Popen([KITEFETCH, "fetch", "equity", "RELIANCE", "--from", "2026-10-01", "--to",
                                      "2026-10-30", "--interval", "minute"], env={**_environ(), **env},
                                     stdout=out, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 60
            while "corporate_action_found" not in log.read_text(errors="replace"):
                assert fetch.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
                time.sleep(0.01)
            fetch.send_signal(signal.SIGKILL)  # healing: its history requests are on their way
            fetch.wait()
        healed_already = 0
        for key, candles in old.items():
            info = kitefetch.equity.info(key)
            if info.stale is not None:  # the old history, whole and readable
                stored = kitefetch.equity.read(key)
                assert len(stored) == len(candles) and (stored.close == candles.close).all()
            else:
                healed_already += 1
        assert healed_already < 2  # the kill landed inside the heal
        assert kitefetch.equity.instrument(Exchange.NSE, "RELIANCE").events[0].status is ChangeStatus.STALE
        kitefetch.fetch("RELIANCE", date(2026, 10, 1), date(2026, 10, 30), Interval.MINUTE)
        assert kitefetch.equity.instrument(Exchange.NSE, "RELIANCE").events[0].status is ChangeStatus.HEALED
        kitefetch.clock = FixedClock(kitefetch.clock.now_ts())
        assert_equals_a_fresh_download(kitefetch, tmp_path)
    finally:
        sandbox.stop()


def _environ() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("KITE", "KITEFETCH"))}
