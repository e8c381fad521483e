from datetime import date, datetime

import numpy as np

from domain.clock_time import IST, day_start, from_datetime
from domain.interval import Interval
from domain.provisional import next_marker, provisional_from
from domain.sessions import regular_sessions, weekdays

SESSIONS = regular_sessions(weekdays(date(2024, 5, 1), date(2024, 7, 31)), 33_300, 55_800)


def at(year: int, month: int, day: int, hour: int, minute: int) -> int:
    return from_datetime(datetime(year, month, day, hour, minute, tzinfo=IST))


DAYS = np.array([day_start(date(2024, 6, d)) for d in (12, 13, 14)], dtype=np.int64)  # Wed, Thu, Fri


def test_a_day_candle_is_provisional_until_eight_on_the_next_trading_day():
    assert provisional_from(DAYS, Interval.DAY, at(2024, 6, 14, 18, 0), SESSIONS) == DAYS[-1]
    assert provisional_from(DAYS, Interval.DAY, at(2024, 6, 15, 10, 0), SESSIONS) == DAYS[-1]  # Saturday
    assert provisional_from(DAYS, Interval.DAY, at(2024, 6, 17, 7, 59), SESSIONS) == DAYS[-1]
    assert provisional_from(DAYS, Interval.DAY, at(2024, 6, 17, 8, 0), SESSIONS) is None


def test_fetched_before_eight_yesterdays_close_is_still_provisional():
    assert provisional_from(DAYS[:2], Interval.DAY, at(2024, 6, 14, 7, 0), SESSIONS) == DAYS[1]


def test_intraday_candles_are_provisional_while_their_session_runs():
    minutes = np.arange(at(2024, 6, 14, 9, 15), at(2024, 6, 14, 11, 0), 60, dtype=np.int64)
    assert provisional_from(minutes, Interval.MINUTE, at(2024, 6, 14, 11, 0), SESSIONS) == minutes[0]
    assert provisional_from(minutes, Interval.MINUTE, at(2024, 6, 14, 15, 30), SESSIONS) is None
    yesterday = minutes - 86_400
    assert provisional_from(yesterday, Interval.MINUTE, at(2024, 6, 14, 11, 0), SESSIONS) is None


def test_the_marker_after_a_write():
    assert next_marker(None, None, 5) == 5
    assert next_marker(5, None, None) == 5
    assert next_marker(5, (0, 9), None) is None  # replaced
    assert next_marker(5, (6, 9), 8) == 5
    assert next_marker(5, (5, 9), 8) == 8
