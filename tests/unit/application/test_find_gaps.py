from datetime import date

import pytest

from application.fetch_request import FetchRequest
from application.find_gaps import FindGaps
from domain.clock_time import day_start
from domain.date_range import DateRange
from domain.errors import InvalidInput, NotFound
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from tests.unit.application.test_fetch_history import _candles

TCS_MINUTE = SeriesKey(Exchange.NSE, "TCS", Interval.MINUTE)


@pytest.fixture
def find_gaps(stores, calendar):
    return FindGaps(stores, calendar)


def fetch(fetch_history, start: date, end: date, symbol: str = "TCS", interval: Interval = Interval.MINUTE):
    return fetch_history.execute(FetchRequest(Segment.EQUITY, symbol, DateRange(start, end), interval))


def test_the_default_range_is_the_stored_span_and_holes_are_never_fetched(find_gaps, fetch_history):
    fetch(fetch_history, date(2024, 1, 1), date(2024, 1, 5))
    fetch(fetch_history, date(2024, 1, 15), date(2024, 1, 19))
    found = find_gaps.execute(TCS_MINUTE)
    gaps = found.gaps
    assert found.key == TCS_MINUTE and (gaps.start, gaps.end) == (date(2024, 1, 1), date(2024, 1, 19))
    assert gaps.never_fetched == ((date(2024, 1, 8), date(2024, 1, 12)),)
    assert (gaps.sessions_expected, gaps.sessions_with_candles) == (15, 10)
    assert gaps.fetched_empty == () and gaps.partial == ()


def test_fetched_days_without_candles_reach_the_default_span(find_gaps, fetch_history, calendar):
    """The span runs to the last fetched day even past the last candle (a stock suspended since)."""
    calendar.special[date(2024, 1, 6)] = [("09:15", "15:30")]  # a Saturday the fake source never trades
    fetch(fetch_history, date(2024, 1, 1), date(2024, 1, 7))
    gaps = find_gaps.execute(TCS_MINUTE).gaps
    assert (gaps.end, gaps.fetched_empty, gaps.sessions_expected) == (date(2024, 1, 7), (date(2024, 1, 6),), 6)


def test_one_bound_given_takes_the_other_from_the_span(find_gaps, fetch_history):
    fetch(fetch_history, date(2024, 1, 1), date(2024, 1, 12))
    tail = find_gaps.execute(TCS_MINUTE, start=date(2024, 1, 8)).gaps
    assert (tail.start, tail.end) == (date(2024, 1, 8), date(2024, 1, 12))
    later = find_gaps.execute(TCS_MINUTE, start=date(2024, 2, 1)).gaps  # after the span: the given day alone
    assert (later.start, later.end, later.never_fetched) == (date(2024, 2, 1), date(2024, 2, 1),
                                                             ((date(2024, 2, 1), date(2024, 2, 1)),))
    earlier = find_gaps.execute(TCS_MINUTE, end=date(2023, 12, 29)).gaps
    assert (earlier.start, earlier.end) == (date(2023, 12, 29), date(2023, 12, 29))
    with pytest.raises(InvalidInput):
        find_gaps.execute(TCS_MINUTE, start=date(2024, 1, 12), end=date(2024, 1, 8))


def test_a_series_never_written_is_not_found_and_a_symbol_in_any_case_is_found(find_gaps, fetch_history):
    with pytest.raises(NotFound):
        find_gaps.execute(TCS_MINUTE)
    fetch(fetch_history, date(2024, 1, 1), date(2024, 1, 5))
    assert find_gaps.execute(SeriesKey(Exchange.NSE, "tcs", Interval.MINUTE)).key == TCS_MINUTE
    with pytest.raises(NotFound):
        find_gaps.execute(SeriesKey(Exchange.NSE, "TCS", Interval.MINUTE_5))


def test_held_back_days_are_listed(find_gaps, fetch_history, source):
    source.extra_candles = _candles([day_start(date(2024, 1, 6))])
    fetch(fetch_history, date(2024, 1, 1), date(2024, 1, 12), interval=Interval.DAY)
    gaps = find_gaps.execute(SeriesKey(Exchange.NSE, "TCS", Interval.DAY)).gaps
    assert gaps.held_back == ((date(2024, 1, 6), 1),) and gaps.never_fetched == () and gaps.sessions_expected == 10
