"""The sandbox, validation, the fetch and the gaps agree on the special sessions and closures (issue 11).

Each day is fetched at every interval through FetchHistory with real parts (kiteconnect against the sandbox over
HTTP, HDF5 in tmp_path, the real calendar): nothing rejected, the store holds exactly what the sandbox serves
for that day, and that is the count the calendar's grid expects (FindGaps finds nothing missing); a closure or a
weekend costs no request, stores nothing, is covered, and is not a session FindGaps expects.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest
from kiteconnect import KiteConnect

from adapters.outbound.calendar.library_calendar import SHIPPED, LibraryCalendar
from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from adapters.outbound.instruments.cache import InstrumentCache
from adapters.outbound.kite.market_data import KiteMarketData
from adapters.outbound.kite.rate_limiter import RateLimiter
from adapters.outbound.system_clock import SystemClock
from application.fetch_history import FetchHistory
from application.fetch_request import FetchRequest
from application.find_gaps import FindGaps
from domain.clock_time import day_end, day_start
from domain.date_range import DateRange
from domain.gaps import expected_candles
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from kite_sandbox import SandboxConfig, start_sandbox

SPECIAL_DAYS = [date(2024, 1, 20), date(2025, 2, 1), date(2026, 2, 1), date(2024, 3, 2), date(2024, 5, 18),
                date(2023, 11, 12), date(2024, 11, 1), date(2025, 10, 21)]
NOTHING_DAYS = [date(2024, 1, 22), date(2024, 5, 20), date(2024, 11, 20), date(2026, 1, 15), date(2025, 2, 2)]
SYMBOLS = [(Exchange.NSE, "RELIANCE"), (Exchange.BSE, "RELIANCE")]


@pytest.fixture(scope="module")
def sandbox():
    with start_sandbox(SandboxConfig(port=0, cost_ms_per_1000_candles=0, rate_limit=100,
                                     other_rate_limit=100)) as running:
        yield running


@pytest.fixture(scope="module")
def kite(sandbox) -> KiteConnect:
    return KiteConnect("sandbox", access_token="sandbox-token", root=sandbox.url)


def fetcher(sandbox, data_dir: Path, calendar: LibraryCalendar) -> tuple[FetchHistory, Hdf5SegmentStore]:
    source = KiteMarketData("sandbox", "sandbox-secret", sandbox.url, f"{sandbox.url}/connect/login",
                            lambda: "sandbox-token", RateLimiter(100, 1.0))
    stores = {s: Hdf5SegmentStore(data_dir / f"{s.value}.h5", s) for s in Segment}
    catalog = InstrumentCache(source, data_dir / "instruments", SystemClock())
    return FetchHistory(source, stores, catalog, SystemClock(), calendar), stores[Segment.EQUITY]


@pytest.fixture(scope="module")
def fetch(sandbox, tmp_path_factory) -> tuple[FetchHistory, Hdf5SegmentStore]:
    return fetcher(sandbox, tmp_path_factory.mktemp("agreement"), LibraryCalendar())


TOKENS: dict[tuple[Exchange, str], int] = {}


def served(kite: KiteConnect, exchange: Exchange, symbol: str, first: date, last: date, interval: Interval) -> list:
    """What the sandbox serves for the days, asked directly through kiteconnect."""
    if (exchange, symbol) not in TOKENS:
        TOKENS.update({(exchange, i["tradingsymbol"]): i["instrument_token"] for i in kite.instruments(exchange.value)})
    token = TOKENS[(exchange, symbol)]
    return kite.historical_data(token, datetime.combine(first, time()), datetime.combine(last, time(23, 59, 59)),
                                interval.value)


def fetch_day(fetch, exchange: Exchange, symbol: str, day: date, interval: Interval, **flags):
    return fetch.execute(FetchRequest(Segment.EQUITY, symbol, DateRange(day, day), interval, exchange=exchange,
                                      **flags))


def gaps_of(store: Hdf5SegmentStore, calendar: LibraryCalendar, key: SeriesKey, first: date, last: date):
    return FindGaps({Segment.EQUITY: store}, calendar).execute(key, first, last).gaps


@pytest.mark.parametrize("interval", list(Interval))
def test_special_sessions_are_stored_as_served_and_as_the_calendar_expects(fetch, kite, interval):
    history, store = fetch
    calendar = LibraryCalendar()
    for exchange, symbol in SYMBOLS:
        key = SeriesKey(exchange, symbol, interval)
        for day in SPECIAL_DAYS:
            result = fetch_day(history, exchange, symbol, day, interval)
            expected = len(served(kite, exchange, symbol, day, day, interval))
            assert expected > 0, (exchange, day)
            assert (result.rejected, result.requests, result.out_of_session) == (0, 1, ()), (exchange, day, result)
            assert store.count(key, day_start(day), day_end(day)) == result.records == expected, (exchange, day)
            grid = int(expected_candles(calendar.sessions(exchange, day, day), interval).sum())
            assert grid == expected, (exchange, day, grid)
            gaps = gaps_of(store, calendar, key, day, day)
            assert (gaps.sessions_expected, gaps.sessions_with_candles, gaps.never_fetched, gaps.fetched_empty,
                    gaps.partial, gaps.held_back) == (1, 1, (), (), (), ()), (exchange, day, gaps)
    if interval is Interval.MINUTE:  # the Muhurat hours: 60 minute candles each
        for muhurat in (date(2024, 11, 1), date(2025, 10, 21)):
            assert int(expected_candles(calendar.sessions(Exchange.NSE, muhurat, muhurat), interval).sum()) == 60


@pytest.mark.parametrize("interval", list(Interval))
def test_closures_and_weekends_cost_no_request_and_store_nothing(fetch, kite, interval):
    history, store = fetch
    key = SeriesKey(Exchange.NSE, "INFY", interval)
    for day in NOTHING_DAYS:
        assert served(kite, Exchange.NSE, "INFY", day, day, interval) == []
        result = fetch_day(history, Exchange.NSE, "INFY", day, interval)
        assert (result.records, result.rejected, result.requests) == (0, 0, 0), (day, result)
        assert result.message == "Nothing to fetch: the range holds no trading session"
        assert store.info(key).coverage.covers(day_start(day), day_end(day))  # covered: never asked again
        gaps = gaps_of(store, LibraryCalendar(), key, day, day)
        assert (gaps.sessions_expected, gaps.never_fetched, gaps.fetched_empty) == (0, (), ()), (day, gaps)


@pytest.mark.parametrize("interval", list(Interval))
def test_a_fetch_across_a_muhurat_evening_stores_its_candles(fetch, kite, interval):
    history, store = fetch
    first, last, muhurat = date(2024, 10, 30), date(2024, 11, 4), date(2024, 11, 1)
    result = history.execute(FetchRequest(Segment.EQUITY, "TCS", DateRange(first, last), interval))
    assert (result.rejected, result.requests) == (0, 1)
    key = SeriesKey(Exchange.NSE, "TCS", interval)
    assert result.records == len(served(kite, Exchange.NSE, "TCS", first, last, interval))
    evening = served(kite, Exchange.NSE, "TCS", muhurat, muhurat, interval)
    assert store.count(key, day_start(muhurat), day_end(muhurat)) == len(evening) > 0
    if interval.is_intraday:
        assert evening[0]["date"].strftime("%H:%M") == "18:00"


def test_off_hours_candles_are_rejected_and_reported_and_session_days_stay_covered(fetch):
    history, store = fetch
    week = DateRange(date(2025, 6, 2), date(2025, 6, 8))  # Mon..Sun
    minutes = history.execute(FetchRequest(Segment.EQUITY, "ZZOFFHOURS", week, Interval.MINUTE_15))
    assert minutes.out_of_session == tuple((date(2025, 6, d), 1) for d in range(2, 7))  # an 08:00 candle a day
    assert history.execute(FetchRequest(Segment.EQUITY, "ZZOFFHOURS", week, Interval.MINUTE_15)).requests == 0
    days = history.execute(FetchRequest(Segment.EQUITY, "ZZOFFHOURS", week, Interval.DAY))
    assert days.out_of_session == ((date(2025, 6, 7), 1),) and days.records == 5  # the Saturday's extra candle
    info = store.info(SeriesKey(Exchange.NSE, "ZZOFFHOURS", Interval.DAY))
    assert info.coverage.missing(week.start_ts, week.end_ts) == [(day_start(date(2025, 6, 7)),
                                                                  day_end(date(2025, 6, 7)))]
    assert history.execute(FetchRequest(Segment.EQUITY, "ZZOFFHOURS", week, Interval.DAY)).requests == 0


def test_a_session_the_calendar_learns_is_stored_by_a_plain_incremental_fetch(sandbox, kite, tmp_path):
    """A release whose sessions.toml lacks the Budget Sunday: Kite's candles are rejected and reported, the day
    stays unfetched; once the user's calendar.toml adds the session, a plain incremental fetch stores them."""
    sunday = date(2026, 2, 1)
    entry = ('[[calendars.india.session]]\ndate = 2026-02-01\nblocks = [["09:15", "15:30"]]\nkind = "special"\n'
             'source = "Sun, Union Budget (NSE circular, 16 Jan 2026: live trading session, normal timings)"\n')
    assert entry in SHIPPED.read_text()
    older = tmp_path / "sessions.toml"
    older.write_text(SHIPPED.read_text().replace(entry, ""))
    data_dir = tmp_path / "data"
    user_file = data_dir / "calendar.toml"
    week = FetchRequest(Segment.EQUITY, "HDFCBANK", DateRange(date(2026, 1, 29), date(2026, 2, 3)), Interval.MINUTE)
    history, store = fetcher(sandbox, data_dir, LibraryCalendar(user_file, shipped=older))
    first = history.execute(week)
    assert first.out_of_session == ((sunday, 375),) and first.rejected == 375
    key = SeriesKey(Exchange.NSE, "HDFCBANK", Interval.MINUTE)
    assert store.count(key, day_start(sunday), day_end(sunday)) == 0 and store.info(key).held_back == ((sunday, 375),)
    assert history.execute(week).requests == 0  # still unknown to the calendar: not asked, still not covered
    assert store.info(key).held_back == ((sunday, 375),)
    user_file.write_text('[[calendars.india.session]]\ndate = 2026-02-01\nblocks = [["09:15", "15:30"]]\n'
                         'kind = "special"\n')
    history, store = fetcher(sandbox, data_dir, LibraryCalendar(user_file, shipped=older))  # the next start
    learned = history.execute(week)
    assert (learned.requests, learned.records, learned.rejected) == (1, 375, 0)
    assert store.count(key, day_start(sunday), day_end(sunday)) == len(
        served(kite, Exchange.NSE, "HDFCBANK", sunday, sunday, Interval.MINUTE)) == 375
    assert store.info(key).coverage.covers(week.date_range.start_ts, week.date_range.end_ts)
    assert store.info(key).held_back == ()


def test_a_held_back_saturday_waits_for_a_user_calendar_override(sandbox, kite, tmp_path):
    """The Budget Saturday, closed by the user's calendar.toml (as a calendar lacking it would have it): Kite's
    candles are held back, an incremental fetch asks nothing and keeps them so, a fetch of the weekend alone covers
    the Sunday but not the Saturday; once the override adds the session the next plain incremental fetch stores it."""
    saturday, sunday = date(2025, 2, 1), date(2025, 2, 2)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    user_file = data_dir / "calendar.toml"
    user_file.write_text("[[calendars.india.closed]]\ndate = 2025-02-01\n")
    week = FetchRequest(Segment.EQUITY, "SBIN", DateRange(date(2025, 1, 29), date(2025, 2, 4)), Interval.MINUTE_5)
    key = SeriesKey(Exchange.NSE, "SBIN", Interval.MINUTE_5)
    history, store = fetcher(sandbox, data_dir, LibraryCalendar(user_file))
    first = history.execute(week)
    assert (first.requests, first.rejected, first.out_of_session) == (1, 75, ((saturday, 75),))
    assert store.info(key).held_back == ((saturday, 75),)
    for again in (week, FetchRequest(Segment.EQUITY, "SBIN", DateRange(saturday, sunday), Interval.MINUTE_5)):
        assert history.execute(again).requests == 0
        info = store.info(key)
        assert info.held_back == ((saturday, 75),)
        assert info.coverage.missing(week.date_range.start_ts, week.date_range.end_ts) == [
            (day_start(saturday), day_end(saturday))]
    gaps = gaps_of(store, LibraryCalendar(user_file), key, week.date_range.start, week.date_range.end)
    assert (gaps.held_back, gaps.never_fetched, gaps.sessions_expected) == (((saturday, 75),), (), 5)
    user_file.write_text('[[calendars.india.session]]\ndate = 2025-02-01\nblocks = [["09:15", "15:30"]]\n'
                         'kind = "special"\n')
    history, store = fetcher(sandbox, data_dir, LibraryCalendar(user_file))  # the next start
    learned = history.execute(week)
    assert (learned.requests, learned.records, learned.rejected) == (1, 75, 0)
    assert store.count(key, day_start(saturday), day_end(saturday)) == len(
        served(kite, Exchange.NSE, "SBIN", saturday, saturday, Interval.MINUTE_5)) == 75
    info = store.info(key)
    assert info.held_back == () and info.coverage.covers(week.date_range.start_ts, week.date_range.end_ts)
    gaps = gaps_of(store, LibraryCalendar(user_file), key, week.date_range.start, week.date_range.end)
    assert (gaps.held_back, gaps.never_fetched, gaps.sessions_expected, gaps.sessions_with_candles) == ((), (), 6, 6)
