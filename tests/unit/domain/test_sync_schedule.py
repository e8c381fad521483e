"""next_slot: the next scheduled sync the dashboard announces, on trading days only (weekends, holidays)."""

from __future__ import annotations

from datetime import date, datetime, time

from domain.clock_time import IST, from_datetime
from domain.market import Exchange
from domain.sync_schedule import latest_slot, next_slot
from tests.fakes.calendar import FakeCalendar

TIMES = (time(9, 0), time(16, 5), time(18, 30))
HOLIDAY = date(2024, 6, 17)  # a Monday (Bakri Id in 2024)


def at(day: int, hour: int, minute: int = 0) -> int:
    return from_datetime(datetime(2024, 6, day, hour, minute, tzinfo=IST))  # June 2024: the 14th is a Friday


def trading(day: date) -> bool:
    return bool(FakeCalendar(closed={HOLIDAY}).sessions_on(Exchange.NSE, day))


def test_the_next_of_several_times_the_same_day():
    assert next_slot(at(13, 8), TIMES, trading) == at(13, 9)  # Thursday, before the first time
    assert next_slot(at(13, 12), TIMES, trading) == at(13, 16, 5)
    assert next_slot(at(13, 17), TIMES, trading) == at(13, 18, 30)


def test_after_the_last_time_of_the_day_it_is_the_next_trading_days_first():
    assert next_slot(at(12, 19), TIMES, trading) == at(13, 9)  # Wednesday evening: Thursday morning


def test_a_slot_at_now_is_owed_not_next():
    assert latest_slot(at(13, 16, 5), TIMES, trading) == at(13, 16, 5)
    assert next_slot(at(13, 16, 5), TIMES, trading) == at(13, 18, 30)


def test_the_weekend_and_a_holiday_are_skipped():
    assert next_slot(at(14, 19), TIMES, trading) == at(18, 9)  # Friday evening: not Sat, Sun, nor Monday's holiday
    assert next_slot(at(15, 10), (time(16, 5),), trading) == at(18, 16, 5)  # Saturday
    assert next_slot(at(17, 8), (time(16, 5),), trading) == at(18, 16, 5)  # on the holiday itself


def test_no_times_no_next_run():
    assert next_slot(at(13, 8), (), trading) is None


def test_no_trading_day_within_the_lookahead_is_none():
    assert next_slot(at(13, 8), TIMES, lambda day: False) is None
