"""Gaps by session day, from the ledger, the calendar (a fake one here) and counts per day."""

from datetime import date

import numpy as np

from domain.clock_time import day_end, day_start
from domain.coverage import Coverage
from domain.gaps import PartialDay, expected_candles, find_gaps
from domain.interval import Interval
from domain.market import Exchange
from domain.sessions import candles_per_day
from tests.fakes.calendar import FakeCalendar

MON, FRI = date(2025, 1, 13), date(2025, 1, 17)


def days(first: date, last: date) -> tuple[int, int]:
    return day_start(first), day_end(last)


def test_the_issues_example_week():
    """Mon-Tue fetched (Tue short), Wed fetched and empty, Thu-Fri never fetched."""
    sessions = FakeCalendar().sessions(Exchange.NSE, MON, FRI)
    coverage = Coverage.of([days(MON, date(2025, 1, 15))])
    gaps = find_gaps(MON, FRI, sessions, coverage, [(MON, 375), (date(2025, 1, 14), 362)], Interval.MINUTE)
    assert (gaps.sessions_expected, gaps.sessions_with_candles) == (5, 2)
    assert gaps.never_fetched == ((date(2025, 1, 16), FRI),)
    assert gaps.fetched_empty == (date(2025, 1, 15),)
    assert gaps.partial == (PartialDay(date(2025, 1, 14), 362, 375),)
    assert not gaps.estimated and gaps.held_back == ()


def test_runs_of_never_fetched_session_days_step_over_weekends_and_closures():
    calendar = FakeCalendar(closed={date(2025, 1, 22)})
    first, last = date(2025, 1, 16), date(2025, 1, 28)
    sessions = calendar.sessions(Exchange.NSE, first, last)
    coverage = Coverage.of([days(date(2025, 1, 21), date(2025, 1, 21)), days(date(2025, 1, 24), date(2025, 1, 26))])
    gaps = find_gaps(first, last, sessions, coverage, [(date(2025, 1, 21), 75), (date(2025, 1, 24), 75)],
                     Interval.MINUTE_5)
    assert gaps.never_fetched == ((date(2025, 1, 16), date(2025, 1, 20)),  # Thu..Mon over the weekend
                                  (date(2025, 1, 23), date(2025, 1, 23)),  # Wed 22 closed, not a break either
                                  (date(2025, 1, 27), date(2025, 1, 28)))
    assert gaps.sessions_expected == 8 and gaps.fetched_empty == () and gaps.partial == ()


def test_expected_counts_follow_each_days_sessions():
    """A two-block Saturday, a Muhurat hour: their own grids; day candles have no partial days."""
    saturday, muhurat = date(2024, 3, 2), date(2024, 11, 1)
    calendar = FakeCalendar({saturday: [("09:15", "10:00"), ("11:30", "12:30")], muhurat: [("18:00", "19:00")]})
    for day, interval, expected in ((saturday, Interval.MINUTE, 105), (saturday, Interval.MINUTE_60, 2),
                                    (saturday, Interval.MINUTE_5, 21), (muhurat, Interval.MINUTE, 60),
                                    (muhurat, Interval.MINUTE_15, 4), (date(2024, 3, 1), Interval.MINUTE_60, 7)):
        gaps = find_gaps(day, day, calendar.sessions(Exchange.NSE, day, day), Coverage.of([days(day, day)]),
                         [(day, 1)], interval)
        assert gaps.partial == (PartialDay(day, 1, expected),), (day, interval)
    day_gaps = find_gaps(saturday, saturday, calendar.sessions(Exchange.NSE, saturday, saturday),
                         Coverage.of([days(saturday, saturday)]), [(saturday, 1)], Interval.DAY)
    assert (day_gaps.sessions_with_candles, day_gaps.partial) == (1, ())
    two_blocks = calendar.sessions(Exchange.NSE, date(2024, 3, 1), date(2024, 3, 4))
    assert expected_candles(two_blocks, Interval.DAY).tolist() == [1, 1, 0, 1]  # one day candle a day
    assert expected_candles(two_blocks, Interval.MINUTE_60).tolist() == [7, 1, 1, 7]


def test_a_day_is_fetched_when_any_of_its_session_time_is_covered():
    """Today, fetched up to a candle still forming: partial, not never fetched."""
    coverage = Coverage.of([(day_start(MON), day_start(MON) + 11 * 3600)])  # to 11:00
    sessions = FakeCalendar().sessions(Exchange.NSE, MON, MON)
    gaps = find_gaps(MON, MON, sessions, coverage, [(MON, 105)], Interval.MINUTE)
    assert gaps.never_fetched == () and gaps.partial == (PartialDay(MON, 105, 375),)
    before_open = Coverage.of([(day_start(MON), day_start(MON) + 9 * 3600)])  # ends before 09:15
    assert find_gaps(MON, MON, sessions, before_open, [], Interval.MINUTE).never_fetched == ((MON, MON),)


def test_held_back_days_in_the_range_are_reported_and_sessionless_candles_are_no_sessions():
    saturday = date(2025, 1, 18)
    sessions = FakeCalendar().sessions(Exchange.NSE, MON, date(2025, 1, 19))
    gaps = find_gaps(MON, date(2025, 1, 19), sessions, Coverage.of([days(MON, FRI)]),
                     [(MON, 1), (saturday, 1)], Interval.DAY, held_back=[(saturday, 1), (date(2024, 6, 1), 9)])
    assert gaps.held_back == ((saturday, 1),)
    assert gaps.sessions_with_candles == 1 and gaps.fetched_empty == (date(2025, 1, 14), date(2025, 1, 15),
                                                                      date(2025, 1, 16), FRI)


def test_a_range_without_sessions_has_no_gaps():
    sessions = FakeCalendar().sessions(Exchange.NSE, date(2025, 1, 18), date(2025, 1, 19))
    gaps = find_gaps(date(2025, 1, 18), date(2025, 1, 19), sessions, Coverage(), [], Interval.MINUTE)
    assert (gaps.sessions_expected, gaps.never_fetched, gaps.fetched_empty) == (0, (), ())


def test_candles_per_day_groups_sorted_stamps_by_ist_day():
    monday = day_start(MON)
    stamps = np.array([monday + 9 * 3600, monday + 15 * 3600, monday + 86_400 + 10, monday + 3 * 86_400])
    assert candles_per_day(stamps) == ((MON, 2), (date(2025, 1, 14), 1), (date(2025, 1, 16), 1))
    assert candles_per_day(np.array([], dtype=np.int64)) == ()
