from datetime import date

import pytest

from domain.clock_time import day_end, day_start
from domain.coverage import Coverage
from domain.interval import Interval
from domain.planner import minimal_request_count, plan_fetch, split_span
from domain.sessions import regular_sessions, weekdays


def days(start: date, end: date) -> tuple[int, int]:
    return day_start(start), day_end(end)


@pytest.mark.parametrize(("interval", "span"), [
    (Interval.MINUTE, 60), (Interval.MINUTE_3, 100), (Interval.MINUTE_5, 100), (Interval.MINUTE_10, 100),
    (Interval.MINUTE_15, 200), (Interval.MINUTE_30, 200), (Interval.MINUTE_60, 400), (Interval.DAY, 2000),
])
def test_each_interval_has_kites_span(interval, span):
    assert interval.max_span_days == span


def test_span_counting_is_inclusive():
    # 60 days inclusive (Jan 1 .. Feb 29, 2024) fit one minute request; one more day needs a second.
    assert len(split_span(*days(date(2024, 1, 1), date(2024, 2, 29)), Interval.MINUTE)) == 1
    chunks = split_span(*days(date(2024, 1, 1), date(2024, 3, 1)), Interval.MINUTE)
    assert len(chunks) == 2
    assert chunks[0].end_ts == day_end(date(2024, 2, 29))
    assert chunks[1].start_ts == day_start(date(2024, 3, 1))


def test_chunks_tile_the_span_without_gaps_or_overlap():
    start, end = days(date(2015, 1, 1), date(2024, 12, 31))
    chunks = split_span(start, end, Interval.MINUTE)
    assert chunks[0].start_ts == start and chunks[-1].end_ts == end
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert b.start_ts == a.end_ts + 1
    assert len(chunks) == minimal_request_count([(start, end)], Interval.MINUTE) == 61


def test_day_interval_needs_one_request_for_five_years():
    assert len(plan_fetch(days(date(2019, 1, 1), date(2024, 1, 1)), Coverage(), Interval.DAY)) == 1


def test_only_holes_are_planned():
    wanted = days(date(2024, 1, 1), date(2024, 12, 31))
    coverage = Coverage.of([days(date(2024, 3, 1), date(2024, 3, 31)), days(date(2024, 6, 1), date(2024, 6, 30))])
    chunks = plan_fetch(wanted, coverage, Interval.DAY)
    assert [(c.start_ts, c.end_ts) for c in chunks] == [
        days(date(2024, 1, 1), date(2024, 2, 29)),
        days(date(2024, 4, 1), date(2024, 5, 31)),
        days(date(2024, 7, 1), date(2024, 12, 31)),
    ]


def test_before_first_and_after_last_are_planned():
    wanted = days(date(2024, 1, 1), date(2024, 1, 31))
    coverage = Coverage.of([days(date(2024, 1, 10), date(2024, 1, 20))])
    chunks = plan_fetch(wanted, coverage, Interval.MINUTE)
    assert [(c.start_ts, c.end_ts) for c in chunks] == [
        days(date(2024, 1, 1), date(2024, 1, 9)), days(date(2024, 1, 21), date(2024, 1, 31))]


def test_fully_covered_plans_nothing_and_non_incremental_plans_everything():
    wanted = days(date(2024, 1, 1), date(2024, 1, 31))
    coverage = Coverage.of([days(date(2023, 12, 1), date(2024, 2, 1))])
    assert plan_fetch(wanted, coverage, Interval.MINUTE) == []
    assert len(plan_fetch(wanted, coverage, Interval.MINUTE, incremental=False)) == 1


def test_hole_count_is_minimal():
    wanted = days(date(2020, 1, 1), date(2024, 12, 31))
    coverage = Coverage.of([days(date(2021, 5, 5), date(2022, 8, 8))])
    for interval in Interval:
        chunks = plan_fetch(wanted, coverage, interval)
        gaps = coverage.missing(*wanted)
        assert len(chunks) == minimal_request_count(gaps, interval)


def test_empty_wanted_range_plans_nothing():
    assert plan_fetch((10, 5), Coverage(), Interval.DAY) == []


def weekday_sessions(start: date, end: date):
    return regular_sessions(weekdays(start, end), 9 * 3600 + 15 * 60, 15 * 3600 + 30 * 60)


def test_a_range_without_sessions_plans_no_request():
    weekend = days(date(2024, 1, 6), date(2024, 1, 7))
    sessions = weekday_sessions(date(2024, 1, 6), date(2024, 1, 7))
    for interval in Interval:
        assert plan_fetch(weekend, Coverage(), interval, sessions=sessions) == []
        assert len(plan_fetch(weekend, Coverage(), interval)) == 1  # without a calendar: one request for nothing


def test_chunks_without_sessions_are_dropped_and_the_rest_keep_their_shape():
    # minute: Jan 2 .. Mar 3 2024 is 62 days, cut 60 + 2; the second chunk (Sat Mar 2 .. Sun Mar 3) has no session
    wanted = days(date(2024, 1, 2), date(2024, 3, 3))
    sessions = weekday_sessions(date(2024, 1, 1), date(2024, 3, 3))
    chunks = plan_fetch(wanted, Coverage(), Interval.MINUTE, sessions=sessions)
    assert [(c.start_ts, c.end_ts) for c in chunks] == [days(date(2024, 1, 2), date(2024, 3, 1))]
    # a gap that is only a weekend between two fetched weeks costs nothing
    coverage = Coverage.of([days(date(2024, 1, 1), date(2024, 1, 5)), days(date(2024, 1, 8), date(2024, 1, 12))])
    assert plan_fetch(days(date(2024, 1, 1), date(2024, 1, 12)), coverage, Interval.MINUTE, sessions=sessions) == []


def test_sessions_never_add_requests():
    wanted = days(date(2020, 1, 1), date(2024, 12, 31))
    coverage = Coverage.of([days(date(2021, 5, 5), date(2022, 8, 8))])
    sessions = weekday_sessions(date(2020, 1, 1), date(2024, 12, 31))
    for interval in Interval:
        with_sessions = plan_fetch(wanted, coverage, interval, sessions=sessions)
        assert len(with_sessions) <= minimal_request_count(coverage.missing(*wanted), interval)
        assert set(with_sessions) <= set(plan_fetch(wanted, coverage, interval))
