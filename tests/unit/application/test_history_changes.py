"""FetchHistory when Kite changed the past: detection at no extra request, healing, provisional candles, warnings."""

from datetime import date, datetime

import numpy as np
import pytest

from application.fetch_history import FetchHistory
from application.fetch_request import FetchRequest
from domain.adjustments import ChangeKind, ChangeStatus
from domain.candles import CandleFrame
from domain.clock_time import IST, day_start, from_datetime
from domain.date_range import DateRange
from domain.errors import UpstreamFailure
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from domain.planner import minimal_request_count
from tests.fakes.fetch_log import InMemoryFetchLog
from tests.fakes.stores import InMemoryCandleStore

DAY = SeriesKey(Exchange.NSE, "RELIANCE", Interval.DAY)
MINUTE = SeriesKey(Exchange.NSE, "RELIANCE", Interval.MINUTE)
TCS = SeriesKey(Exchange.NSE, "TCS", Interval.DAY)
FRIDAY_EVENING = from_datetime(datetime(2024, 6, 14, 18, 0, tzinfo=IST))
LATER = from_datetime(datetime(2024, 6, 21, 18, 0, tzinfo=IST))  # a week on


def fetch(symbol="RELIANCE", start=date(2024, 1, 1), end=date(2024, 6, 30), interval=Interval.DAY) -> FetchRequest:
    return FetchRequest(Segment.EQUITY, symbol, DateRange(start, end), interval)


def fresh_download(source, catalog, clock, calendar, key: SeriesKey, span: DateRange) -> CandleFrame:
    store = {Segment.EQUITY: InMemoryCandleStore(Segment.EQUITY),
             Segment.DERIVATIVES: InMemoryCandleStore(Segment.DERIVATIVES)}
    FetchHistory(source, store, catalog, clock, calendar).execute(
        FetchRequest(Segment.EQUITY, key.symbol, span, key.interval))
    return store[Segment.EQUITY].read(key)


def assert_equal(a: CandleFrame, b: CandleFrame) -> None:
    assert len(a) == len(b) and len(a) > 0
    for name in ("ts", "open", "high", "low", "close", "volume"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


@pytest.fixture
def history(fetch_history, stores, source, clock):
    """RELIANCE day since January and minute candles since April, stored a week ago."""
    clock.now = FRIDAY_EVENING
    fetch_history.execute(fetch())
    fetch_history.execute(fetch(start=date(2024, 4, 1), interval=Interval.MINUTE))
    fetch_history.execute(fetch("TCS"))
    clock.now = LATER
    source.calls.clear()
    return stores[Segment.EQUITY]


def test_an_up_to_date_series_costs_nothing(fetch_history, source, history, clock):
    clock.now = from_datetime(datetime(2024, 6, 17, 9, 0, tzinfo=IST))  # Monday 09:00: Friday's close is final
    result = fetch_history.execute(fetch())
    assert result.requests == 1  # Friday's close was provisional: asked once more
    assert fetch_history.execute(fetch()).requests == 0 and len(source.calls) == 1


def test_a_split_is_found_by_the_request_that_was_due_and_healed_everywhere(
        fetch_history, source, catalog, clock, calendar, history):
    source.actions.append((date(2024, 6, 12), 2.0))
    result = fetch_history.execute(fetch())
    (event,) = result.adjustments
    assert (event.kind, event.ex_date, event.factor, event.status) == (
        ChangeKind.CORPORATE_ACTION, date(2024, 6, 12), 2.0, ChangeStatus.HEALED)
    assert set(event.series) == {str(DAY), str(MINUTE)} and event.pending == ()
    # The day request already reached back over all 2024: only the minute history before the ex-date is asked again.
    minute_requests = minimal_request_count([(day_start(date(2024, 4, 1)), day_start(date(2024, 6, 12)) - 1)],
                                            Interval.MINUTE)
    assert minute_requests == 2 and result.requests == 1 + minute_requests == event.requests + 1
    assert result.records == 5  # June 17-21
    assert history.info(DAY).stale is None and history.info(DAY).healed_at == clock.now
    assert history.instrument(Exchange.NSE, "RELIANCE").events == (event,)
    assert_equal(history.read(DAY), fresh_download(source, catalog, clock, calendar, DAY,
                                                   DateRange(date(2024, 1, 1), date(2024, 6, 21))))
    assert_equal(history.read(MINUTE), fresh_download(source, catalog, clock, calendar, MINUTE,
                                                      DateRange(date(2024, 4, 1), date(2024, 6, 14))))
    assert history.instrument(Exchange.NSE, "TCS").events == ()  # another instrument is untouched


def test_with_no_unchanged_candle_the_ex_date_is_the_earliest_it_can_be_and_all_is_healed(
        fetch_history, source, catalog, clock, calendar, history):
    source.actions.append((date(2024, 6, 19), 2.0))  # after every stored candle
    (event,) = fetch_history.execute(fetch()).adjustments
    assert event.ex_date == date(2024, 6, 17) and event.status is ChangeStatus.HEALED  # the first day never held
    assert_equal(history.read(MINUTE), fresh_download(source, catalog, clock, calendar, MINUTE,  # all of it
                                                      DateRange(date(2024, 4, 1), date(2024, 6, 14))))


def test_another_instrument_costs_only_its_due_request(fetch_history, source, history):
    source.actions.append((date(2024, 6, 12), 2.0))
    tcs = fetch_history.execute(fetch("TCS"))
    assert tcs.requests == 1 and len(source.calls) == 1  # the synthetic source adjusts every instrument alike
    # ... and TCS's own detection heals TCS only: RELIANCE waits for its own fetch
    assert history.info(DAY).stale is None and history.instrument(Exchange.NSE, "RELIANCE").events == ()


def test_a_revised_close_is_replaced_and_recorded(fetch_history, source, history, clock):
    revised_ts = day_start(date(2024, 6, 12))
    source.revised[revised_ts] = 77.0
    result = fetch_history.execute(fetch())
    (event,) = result.adjustments
    assert (event.kind, event.candles_replaced, event.requests, event.status) == (
        ChangeKind.REVISION, 1, 0, ChangeStatus.HEALED)
    assert event.series == (str(DAY),) and event.ex_date is None and event.factor is None
    assert result.requests == 1 and result.records == 5
    assert history.read(DAY, revised_ts, revised_ts).close[0] == 77.0


def test_a_kite_failure_mid_heal_keeps_the_old_history_and_the_next_fetch_heals(
        fetch_history, source, catalog, clock, calendar, history):
    old_day, old_minute = history.read(DAY), history.read(MINUTE)
    source.actions.append((date(2024, 6, 12), 2.0))
    source.fail_with, source.fail_on_call = UpstreamFailure("Kite failed"), 2  # the first heal request
    with pytest.raises(UpstreamFailure):
        fetch_history.execute(fetch(interval=Interval.MINUTE))
    assert_equal(history.read(DAY), old_day)
    assert_equal(history.read(MINUTE), old_minute)
    assert history.info(MINUTE).stale is not None and history.info(DAY).stale is not None
    (event,) = history.instrument(Exchange.NSE, "RELIANCE").events
    assert event.status is ChangeStatus.STALE
    source.fail_with = None
    result = fetch_history.execute(fetch())  # resumes: both series, then what is due
    assert history.info(DAY).stale is None and history.info(MINUTE).stale is None
    assert history.instrument(Exchange.NSE, "RELIANCE").events[0].status is ChangeStatus.HEALED
    assert result.adjustments[0].id == event.id
    assert_equal(history.read(MINUTE), fresh_download(source, catalog, clock, calendar, MINUTE,
                                                      DateRange(date(2024, 4, 1), date(2024, 6, 14))))
    assert_equal(history.read(DAY), fresh_download(source, catalog, clock, calendar, DAY,
                                                   DateRange(date(2024, 1, 1), date(2024, 6, 21))))


def test_a_failed_write_leaves_the_series_stale(fetch_history, source, history):
    source.actions.append((date(2024, 6, 12), 2.0))
    history.fail_next_write = OSError("disk full")
    with pytest.raises(OSError):
        fetch_history.execute(fetch())
    assert history.info(DAY).stale is not None


def test_a_provisional_close_is_asked_again_and_replaced(fetch_history, source, stores, clock):
    clock.now = FRIDAY_EVENING
    fetch_history.execute(fetch(start=date(2024, 6, 3), end=date(2024, 6, 14)))
    store = stores[Segment.EQUITY]
    friday = day_start(date(2024, 6, 14))
    assert store.info(DAY).provisional_from == friday
    clock.now += 3600  # the same evening: Kite's value is not final yet, asking again would bring the same
    assert fetch_history.execute(fetch(start=date(2024, 6, 3), end=date(2024, 6, 14))).requests == 0
    source.revised[friday] = 111.0  # the close Kite publishes the next morning
    clock.now = from_datetime(datetime(2024, 6, 17, 9, 0, tzinfo=IST))  # Monday 09:00: final now
    result = fetch_history.execute(fetch(start=date(2024, 6, 3), end=date(2024, 6, 14)))
    assert result.requests == 1 and result.records == 0 and result.adjustments == ()
    assert store.read(DAY, friday, friday).close[0] == 111.0
    assert store.info(DAY).provisional_from is None
    assert fetch_history.execute(fetch(start=date(2024, 6, 3), end=date(2024, 6, 14))).requests == 0


def test_a_running_sessions_candles_are_provisional(fetch_history, source, stores, clock):
    clock.now = from_datetime(datetime(2024, 6, 14, 11, 0, tzinfo=IST))
    fetch_history.execute(fetch(start=date(2024, 6, 14), end=date(2024, 6, 14), interval=Interval.MINUTE))
    opened = day_start(date(2024, 6, 14)) + 33_300
    assert stores[Segment.EQUITY].info(MINUTE).provisional_from == opened
    clock.now = from_datetime(datetime(2024, 6, 14, 12, 0, tzinfo=IST))  # still running, new candles due:
    result = fetch_history.execute(fetch(start=date(2024, 6, 14), end=date(2024, 6, 14), interval=Interval.MINUTE))
    assert result.requests == 1 and source.calls[-1][2] <= opened  # the due request takes the provisional ones too
    assert result.records == 60 and stores[Segment.EQUITY].info(MINUTE).provisional_from == opened
    clock.now = from_datetime(datetime(2024, 6, 14, 16, 0, tzinfo=IST))
    result = fetch_history.execute(fetch(start=date(2024, 6, 14), end=date(2024, 6, 14), interval=Interval.MINUTE))
    assert result.records == 375 - 165 and stores[Segment.EQUITY].info(MINUTE).provisional_from is None


def test_a_big_move_with_no_recorded_event_is_a_warning(source, stores, clock, calendar, catalog):
    log = InMemoryFetchLog()
    fetch_history = FetchHistory(source, stores, catalog, clock, calendar, fetch_log=log)
    clock.now = FRIDAY_EVENING
    fetch_history.execute(fetch(end=date(2024, 6, 7)))
    source.revised[day_start(date(2024, 6, 11))] = 40.0  # a crash Kite serves as it was
    result = fetch_history.execute(fetch())
    assert result.records == 5 and result.adjustments == ()
    assert len(result.warnings) == 2  # down to 40, and back the next day
    assert result.warnings[0].startswith("NSE:RELIANCE:day 2024-06-11: close 40 is -6")
    assert result.warnings[1].startswith("NSE:RELIANCE:day 2024-06-12: close 113")
    assert log.records[-1].warnings == result.warnings
    assert stores[Segment.EQUITY].read(DAY, day_start(date(2024, 6, 11)), day_start(date(2024, 6, 11))).close[0] == 40


def test_a_healed_split_warns_of_nothing(fetch_history, source, history):
    source.actions.append((date(2024, 6, 12), 2.0))
    assert fetch_history.execute(fetch()).warnings == ()
