from datetime import date

import numpy as np
import pytest

from application.fetch_history import FetchHistory
from application.fetch_record import FetchRecord, FetchStatus
from application.fetch_request import FetchRequest
from domain.candles import CandleFrame
from domain.clock_time import day_end, day_start
from domain.date_range import DateRange
from domain.errors import AuthRequired, InvalidInput, NotFound, UpstreamFailure
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from tests.fakes.fetch_log import InMemoryFetchLog

RELIANCE_DAY = SeriesKey(Exchange.NSE, "RELIANCE", Interval.DAY)


def request(symbol="RELIANCE", start=date(2024, 1, 1), end=date(2024, 3, 31), interval=Interval.DAY,
            segment=Segment.EQUITY, **flags) -> FetchRequest:
    return FetchRequest(segment, symbol, DateRange(start, end), interval, **flags)


def test_first_fetch_stores_everything_in_one_day_request(fetch_history, source, stores):
    result = fetch_history.execute(request())
    assert result.records == 65 and result.requests == 1 and len(source.calls) == 1
    assert result.exchange is Exchange.NSE and str(result.date_range) == "2024-01-01 to 2024-03-31"
    assert stores[Segment.EQUITY].info(RELIANCE_DAY).rows == 65


def test_second_identical_fetch_sends_nothing(fetch_history, source):
    fetch_history.execute(request())
    again = fetch_history.execute(request())
    assert again.records == 0 and again.requests == 0 and len(source.calls) == 1
    assert again.message


def test_a_weekend_inside_a_request_is_covered_once_fetched(fetch_history, source):
    week = request(start=date(2024, 1, 22), end=date(2024, 1, 28))  # Mon..Sun
    assert fetch_history.execute(week).requests == 1
    assert fetch_history.execute(week).requests == 0
    assert len(source.calls) == 1


def test_a_range_without_sessions_sends_no_request_and_is_covered(fetch_history, source, stores):
    weekend = request(start=date(2024, 1, 6), end=date(2024, 1, 7))
    result = fetch_history.execute(weekend)
    assert (result.records, result.requests) == (0, 0) and source.calls == []
    assert result.message == "Nothing to fetch: the range holds no trading session"
    info = stores[Segment.EQUITY].info(RELIANCE_DAY)
    assert (info.rows, info.coverage.spans, info.held_back) == (0, ((day_start(date(2024, 1, 6)),
                                                                     day_end(date(2024, 1, 7))),), ())


def test_only_sessionless_chunks_are_covered_without_a_request(fetch_history, source, stores, calendar):
    """Kite's 60-day minute chunks: the one over a closed stretch is covered unasked, the others fetched."""
    calendar.closed.update(date.fromordinal(d) for d in range(date(2024, 3, 1).toordinal(),
                                                               date(2024, 4, 30).toordinal()))  # to Apr 29
    minute = request(start=date(2024, 1, 1), end=date(2024, 4, 30), interval=Interval.MINUTE)
    result = fetch_history.execute(minute)
    assert result.requests == 2 and [c[2] for c in source.calls] == [day_start(date(2024, 1, 1)),
                                                                      day_start(date(2024, 4, 30))]
    info = stores[Segment.EQUITY].info(SeriesKey(Exchange.NSE, "RELIANCE", Interval.MINUTE))
    assert info.coverage.covers(day_start(date(2024, 1, 1)), day_end(date(2024, 4, 30)))
    assert fetch_history.execute(minute).requests == 0


def test_only_the_missing_edges_are_fetched(fetch_history, source):
    fetch_history.execute(request(start=date(2024, 2, 1), end=date(2024, 2, 29)))
    result = fetch_history.execute(request(start=date(2024, 1, 1), end=date(2024, 3, 31)))
    assert result.requests == 2
    assert [(c[2], c[3]) for c in source.calls[1:]] == [
        (day_start(date(2024, 1, 1)), day_end(date(2024, 1, 31))),
        (day_start(date(2024, 3, 1)), day_end(date(2024, 3, 31)))]
    assert result.records == 23 + 21


def test_minute_year_is_split_by_span(fetch_history, source):
    result = fetch_history.execute(request(start=date(2023, 1, 1), end=date(2023, 12, 31), interval=Interval.MINUTE))
    assert result.requests == 7  # 365 days / 60 per request, rounded up
    assert result.records == 260 * 375


def test_future_end_is_clamped_to_completed_candles(fetch_history, source, clock):
    result = fetch_history.execute(request(start=date(2024, 6, 10), end=date(2024, 12, 31)))
    assert source.calls[0][3] == day_end(date(2024, 6, 14))
    assert result.records == 5
    clock.now += 3 * 86400  # Monday evening: only the new days are fetched
    assert fetch_history.execute(request(start=date(2024, 6, 10), end=date(2024, 12, 31))).records == 1


def test_range_entirely_in_the_future_fetches_nothing(fetch_history, source):
    result = fetch_history.execute(request(start=date(2025, 1, 1), end=date(2025, 1, 5)))
    assert result.requests == 0 and result.records == 0 and "Nothing to fetch" in result.message


def test_overwrite_replaces_stored_candles(fetch_history, stores, source):
    fetch_history.execute(request())
    result = fetch_history.execute(request(start=date(2024, 2, 1), end=date(2024, 2, 29), overwrite=True))
    assert result.requests == 1 and result.records == 21
    assert stores[Segment.EQUITY].info(RELIANCE_DAY).rows == 65


def test_non_incremental_refetches_but_writes_only_new(fetch_history, source):
    fetch_history.execute(request(start=date(2024, 2, 1), end=date(2024, 2, 29)))
    result = fetch_history.execute(request(incremental=False))
    assert result.requests == 1 and result.records == 65 - 21


def test_invalid_candles_are_rejected_and_reported(fetch_history, source, stores):
    bad_ts = day_start(date(2024, 1, 2))
    source.extra_candles = CandleFrame.from_columns(
        {"ts": [bad_ts], "open": [10], "high": [5], "low": [9], "close": [10], "volume": [1]})
    result = fetch_history.execute(request(start=date(2024, 1, 1), end=date(2024, 1, 5)))
    assert result.rejected == 1 and result.rejected_reasons == {"ohlc": 1}
    assert result.records == 5
    stored = stores[Segment.EQUITY].read(RELIANCE_DAY)
    assert stored.is_sorted_unique() and bool((stored.high >= stored.low).all())


def test_without_validation_duplicates_are_still_collapsed(fetch_history, source, stores):
    source.extra_candles = CandleFrame.from_columns(
        {"ts": [day_start(date(2024, 1, 2))], "open": [1], "high": [1], "low": [1], "close": [1], "volume": [1]})
    result = fetch_history.execute(request(start=date(2024, 1, 1), end=date(2024, 1, 5), validate=False))
    assert result.rejected == 0 and result.records == 5
    assert stores[Segment.EQUITY].read(RELIANCE_DAY).is_sorted_unique()


def test_equity_falls_back_to_bse(fetch_history):
    assert fetch_history.execute(request(symbol="ONLYBSE")).exchange is Exchange.BSE


def test_unknown_symbol_is_not_found(fetch_history):
    with pytest.raises(NotFound):
        fetch_history.execute(request(symbol="NOPE"))


def test_derivatives_need_a_derivatives_exchange(fetch_history):
    with pytest.raises(InvalidInput):
        fetch_history.execute(request(symbol="NIFTY24JUNFUT", segment=Segment.DERIVATIVES))
    with pytest.raises(InvalidInput):
        fetch_history.execute(request(symbol="RELIANCE", exchange=Exchange.NFO))


def test_derivatives_store_open_interest_and_expired_contracts_resolve(fetch_history, stores, source):
    result = fetch_history.execute(request(symbol="NIFTY24MAYFUT", segment=Segment.DERIVATIVES,
                                           exchange=Exchange.NFO, start=date(2024, 5, 1), end=date(2024, 5, 30),
                                           interval=Interval.MINUTE_15))
    assert result.records > 0 and source.calls[0][4] is True
    stored = stores[Segment.DERIVATIVES].read(SeriesKey(Exchange.NFO, "NIFTY24MAYFUT", Interval.MINUTE_15))
    assert stored.oi is not None


def test_failure_midway_keeps_earlier_chunks(fetch_history, source, stores):
    source.fail_with, source.fail_on_call = UpstreamFailure("Kite failed"), 2
    with pytest.raises(UpstreamFailure):
        fetch_history.execute(request(start=date(2024, 1, 1), end=date(2024, 3, 31), interval=Interval.MINUTE))
    info = stores[Segment.EQUITY].info(SeriesKey(Exchange.NSE, "RELIANCE", Interval.MINUTE))
    assert info.rows == (23 + 21) * 375  # the first chunk (Jan 1 - Feb 29, 44 weekdays) was stored
    source.fail_with = None
    again = fetch_history.execute(request(start=date(2024, 1, 1), end=date(2024, 3, 31), interval=Interval.MINUTE))
    assert again.requests == 1


def test_concurrent_chunks_give_the_same_store(source, stores, catalog, clock, calendar):
    concurrent = FetchHistory(source, stores, catalog, clock, calendar, concurrency=4)
    result = concurrent.execute(request(start=date(2023, 1, 1), end=date(2023, 12, 31), interval=Interval.MINUTE))
    assert result.requests == 7 and result.records == 260 * 375
    stored = stores[Segment.EQUITY].read(SeriesKey(Exchange.NSE, "RELIANCE", Interval.MINUTE))
    assert stored.is_sorted_unique() and len(stored) == 260 * 375


def test_progress_callback_sees_every_chunk(fetch_history):
    seen = []
    fetch_history.execute(request(start=date(2023, 1, 1), end=date(2023, 6, 30), interval=Interval.MINUTE),
                          on_chunk=lambda done, total, records: seen.append((done, total, records)))
    assert [(done, total) for done, total, _ in seen] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert [records for *_, records in seen] == sorted(records for *_, records in seen) and seen[-1][2] > 0


@pytest.fixture
def logged(source, stores, catalog, clock, calendar):
    fetch_log = InMemoryFetchLog()
    return FetchHistory(source, stores, catalog, clock, calendar, fetch_log=fetch_log), fetch_log


def test_a_successful_fetch_is_logged_ok(logged, clock):
    fetch_history, fetch_log = logged
    result = fetch_history.execute(request(symbol="ONLYBSE"))
    assert fetch_log.records == [FetchRecord(clock.now, "BSE", "ONLYBSE", "day", result.records, 0, 1,
                                             result.elapsed_seconds, FetchStatus.OK)]


def test_an_unknown_symbol_is_logged_failed_as_asked(logged, clock):
    fetch_history, fetch_log = logged
    with pytest.raises(NotFound):
        fetch_history.execute(request(symbol="NOPE"))
    with pytest.raises(NotFound):
        fetch_history.execute(request(symbol="NOPE", exchange=Exchange.BSE, interval=Interval.MINUTE))
    first, second = fetch_log.records
    assert (first.status, first.error_type, first.exchange, first.symbol, first.interval) == (
        FetchStatus.FAILED, "not_found", None, "NOPE", "day")
    assert "NOPE" in first.error and (first.records, first.requests, first.time) == (0, 0, clock.now)
    assert (second.exchange, second.interval) == ("BSE", "minute")


def test_a_failure_midway_is_logged_with_what_was_stored(logged, source):
    fetch_history, fetch_log = logged
    source.fail_with, source.fail_on_call = AuthRequired("Kite rejected the access token: log in again"), 2
    with pytest.raises(AuthRequired):
        fetch_history.execute(request(start=date(2024, 1, 1), end=date(2024, 3, 31), interval=Interval.MINUTE))
    (record,) = fetch_log.records
    assert (record.status, record.error_type, record.exchange, record.symbol) == (
        FetchStatus.FAILED, "auth", "NSE", "RELIANCE")
    assert record.error == "Kite rejected the access token: log in again"
    assert (record.requests, record.records) == (2, (23 + 21) * 375)


def test_an_interruption_by_the_caller_is_not_a_failed_fetch(logged):
    fetch_history, fetch_log = logged

    class Stop(Exception):
        pass

    def stop(done, total, records):
        raise Stop

    with pytest.raises(Stop):
        fetch_history.execute(request(), on_chunk=stop)
    assert fetch_log.records == []


def _candles(stamps: list[int]) -> CandleFrame:
    n = len(stamps)
    return CandleFrame.from_columns({"ts": np.array(stamps, dtype=np.int64), "open": np.full(n, 10.0),
                                     "high": np.full(n, 11.0), "low": np.full(n, 9.0), "close": np.full(n, 10.5),
                                     "volume": np.ones(n, dtype=np.int64)})


def test_candles_on_a_day_the_calendar_calls_closed_are_held_back(logged, source, stores, calendar):
    fetch_history, fetch_log = logged
    saturday = date(2024, 1, 6)
    source.extra_candles = _candles([day_start(saturday)])  # Kite trades a Saturday the calendar lacks
    result = fetch_history.execute(request(start=date(2024, 1, 1), end=date(2024, 1, 12)))
    assert (result.records, result.rejected, result.requests) == (10, 1, 1)
    assert result.out_of_session == ((saturday, 1),) and result.rejected_reasons == {"out_of_session": 1}
    assert fetch_log.records[-1].out_of_session == ((saturday, 1),)
    info = stores[Segment.EQUITY].info(RELIANCE_DAY)
    assert info.held_back == ((saturday, 1),)
    assert info.coverage.missing(day_start(date(2024, 1, 1)), day_end(date(2024, 1, 12))) == [
        (day_start(saturday), day_end(saturday))]  # the Sunday, asked and empty, is covered
    for again in (request(start=date(2024, 1, 1), end=date(2024, 1, 12)), request(start=saturday, end=saturday)):
        assert fetch_history.execute(again).requests == 0  # no session known there: nothing to ask for
        info = stores[Segment.EQUITY].info(RELIANCE_DAY)  # and the session-less Saturday is not covered
        assert info.held_back == ((saturday, 1),) and not info.coverage.covers(day_start(saturday), day_end(saturday))
    calendar.special[saturday] = [("09:15", "15:30")]  # the calendar learns it (a user's calendar.toml)
    learned = fetch_history.execute(request(start=date(2024, 1, 1), end=date(2024, 1, 12)))
    assert (learned.requests, learned.records, learned.rejected) == (1, 1, 0)
    info = stores[Segment.EQUITY].info(RELIANCE_DAY)
    assert info.coverage.covers(day_start(date(2024, 1, 1)), day_end(date(2024, 1, 12))) and info.held_back == ()


def test_an_overwrite_keeps_held_back_days_uncovered(fetch_history, source, stores):
    saturday = date(2024, 1, 6)
    source.extra_candles = _candles([day_start(saturday)])
    fetch_history.execute(request(start=date(2024, 1, 1), end=date(2024, 1, 12)))
    result = fetch_history.execute(request(start=date(2024, 1, 6), end=date(2024, 1, 7), overwrite=True))
    assert result.requests == 0
    info = stores[Segment.EQUITY].info(RELIANCE_DAY)
    assert info.held_back == ((saturday, 1),) and not info.coverage.covers(day_start(saturday), day_end(saturday))


def test_stray_off_hours_candles_on_a_session_day_are_reported_and_the_day_stays_covered(fetch_history, source,
                                                                                         stores):
    monday = date(2024, 1, 8)
    source.extra_candles = _candles([day_start(monday) + 8 * 3600])  # 08:00, before the open
    result = fetch_history.execute(request(start=monday, end=monday, interval=Interval.MINUTE))
    assert (result.records, result.rejected, result.out_of_session) == (375, 1, ((monday, 1),))
    key = SeriesKey(Exchange.NSE, "RELIANCE", Interval.MINUTE)
    assert stores[Segment.EQUITY].info(key).coverage.covers(day_start(monday), day_end(monday))
    assert fetch_history.execute(request(start=monday, end=monday, interval=Interval.MINUTE)).requests == 0


def test_a_muhurat_evening_is_stored_up_to_its_forming_candle(fetch_history, source, stores, calendar, clock):
    sunday = date(2023, 11, 12)
    calendar.special[sunday] = [("18:15", "19:15")]
    evening = day_start(sunday) + 18 * 3600 + 15 * 60
    source.extra_candles = _candles([evening + 300 * i for i in range(12)])  # 18:15 .. 19:10, as Kite would
    clock.now = evening + 32 * 60 + 20  # 18:47:20: the 18:45 candle is still forming
    first = fetch_history.execute(request(start=sunday, end=sunday, interval=Interval.MINUTE_5))
    assert (first.records, first.rejected) == (6, 0)  # 18:15 .. 18:40
    clock.now = evening + 65 * 60  # 19:20, the session closed at 19:15
    second = fetch_history.execute(request(start=sunday, end=sunday, interval=Interval.MINUTE_5))
    assert (second.records, second.rejected, second.requests) == (6, 0, 1)
    source.extra_candles = _candles([day_start(sunday)])
    clock.now = evening + 30 * 60  # 18:45: the day candle is not final before the evening session closes
    assert fetch_history.execute(request(start=sunday, end=sunday)).requests == 0
    clock.now = evening + 60 * 60
    day = fetch_history.execute(request(start=sunday, end=sunday))
    assert (day.records, day.rejected, day.requests) == (1, 0, 1)
