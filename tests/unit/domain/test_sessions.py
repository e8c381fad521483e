"""Session tables: which candle stamps a day's sessions allow, on grids anchored at each session's open."""

from datetime import date, datetime

import numpy as np
import pytest

from domain.candles import CandleFrame
from domain.clock_time import IST, day_end, day_start, from_datetime
from domain.interval import Interval
from domain.market import Segment
from domain.sessions import Session, SessionKind, SessionTable, merge, regular_sessions, weekdays, without_days
from domain.validation import validate_candles

MUHURAT = date(2024, 11, 1)  # Fri, 18:00-19:00 only
SATURDAY = date(2024, 3, 2)  # 09:15-10:00 and 11:30-12:30
BUDGET = date(2025, 2, 1)  # Sat, full session


def at(day: date, hhmm: str) -> int:
    h, m = map(int, hhmm.split(":"))
    return from_datetime(datetime(day.year, day.month, day.day, h, m, tzinfo=IST))


def block(day: date, a: str, b: str, kind=SessionKind.SPECIAL) -> Session:
    return Session(day, at(day, a), at(day, b), kind)


def table(start: date, end: date, *special: Session) -> SessionTable:
    """Weekdays 09:15-15:30 in [start, end]; the days of `special` get their blocks instead."""
    regular = regular_sessions(weekdays(start, end), 9 * 3600 + 15 * 60, 15 * 3600 + 30 * 60)
    days = np.array(sorted({(s.day - date(1970, 1, 1)).days for s in special}), dtype=np.int64)
    return merge(without_days(regular, days), SessionTable.of(special))


CALENDAR = table(date(2024, 1, 1), date(2025, 12, 31), block(MUHURAT, "18:00", "19:00", SessionKind.MUHURAT),
                 block(SATURDAY, "09:15", "10:00"), block(SATURDAY, "11:30", "12:30"),
                 block(BUDGET, "09:15", "15:30"))


def frame(stamps: list[int]) -> CandleFrame:
    n = len(stamps)
    return CandleFrame.from_columns({"ts": np.array(stamps, dtype=np.int64), "open": np.full(n, 10.0),
                                     "high": np.full(n, 11.0), "low": np.full(n, 9.0), "close": np.full(n, 10.5),
                                     "volume": np.ones(n, dtype=np.int64)})


def valid(stamps: list[int], interval: Interval) -> list[int]:
    return list(validate_candles(frame(stamps), Segment.EQUITY, interval, CALENDAR).valid.ts)


def test_a_muhurat_evening_has_5minute_candles_from_its_own_open():
    grid = [at(MUHURAT, f"18:{m:02d}") for m in range(0, 60, 5)]
    assert valid(grid, Interval.MINUTE_5) == grid
    off = [at(MUHURAT, "18:02"), at(MUHURAT, "19:00"), at(MUHURAT, "09:15"), at(MUHURAT, "17:55")]
    report = validate_candles(frame(off), Segment.EQUITY, Interval.MINUTE_5, CALENDAR)
    assert report.rejected == 4 and report.out_of_session == ((MUHURAT, 4),)


def test_the_second_block_of_a_two_block_saturday_opens_its_own_60minute_grid():
    assert valid([at(SATURDAY, "09:15"), at(SATURDAY, "11:30")], Interval.MINUTE_60) == [
        at(SATURDAY, "09:15"), at(SATURDAY, "11:30")]
    # 10:15 and 11:15 lie on the 09:15 grid but between the blocks; 12:15 is on no block's grid
    assert valid([at(SATURDAY, "10:15"), at(SATURDAY, "11:15"), at(SATURDAY, "12:15")], Interval.MINUTE_60) == []
    minutes = [at(SATURDAY, "09:59"), at(SATURDAY, "10:00"), at(SATURDAY, "11:29"), at(SATURDAY, "12:29")]
    assert valid(minutes, Interval.MINUTE) == [at(SATURDAY, "09:59"), at(SATURDAY, "12:29")]


def test_day_candles_are_valid_on_any_day_with_a_session():
    days = [day_start(d) for d in (SATURDAY, MUHURAT, BUDGET, date(2025, 2, 3))]
    assert valid(days, Interval.DAY) == days
    sunday = day_start(date(2025, 2, 2))
    report = validate_candles(frame([sunday, day_start(BUDGET) + 3600]), Segment.EQUITY, Interval.DAY, CALENDAR)
    assert report.rejected == 2 and report.out_of_session == ((BUDGET, 1), (date(2025, 2, 2), 1))


def test_an_empty_table_rejects_everything():
    empty = SessionTable.of(())
    stamps = np.array([at(BUDGET, "09:15"), day_start(BUDGET)])
    assert not empty.candle_mask(stamps, 60).any() and not empty.candle_mask(stamps, None).any()


def test_slices_and_days():
    feb = CALENDAR.between(date(2025, 1, 31), date(2025, 2, 3))
    assert [s.day for s in feb] == [date(2025, 1, 31), BUDGET, date(2025, 2, 3)]
    assert [s.kind for s in CALENDAR.on(SATURDAY)] == [SessionKind.SPECIAL] * 2
    assert CALENDAR.on(date(2024, 11, 2)) == ()
    assert len(CALENDAR.between(SATURDAY, SATURDAY).session_days()) == 1


def test_holds_candles_asks_whether_any_candle_can_start_in_a_span():
    assert not CALENDAR.holds_candles(day_start(date(2024, 11, 2)), day_end(date(2024, 11, 3)), True)  # weekend
    assert CALENDAR.holds_candles(at(MUHURAT, "18:59"), day_end(MUHURAT), True)
    assert not CALENDAR.holds_candles(at(MUHURAT, "19:00"), day_end(MUHURAT), True)  # close is exclusive
    assert not CALENDAR.holds_candles(at(SATURDAY, "10:00"), at(SATURDAY, "11:29"), True)  # the break
    assert CALENDAR.holds_candles(day_start(MUHURAT), day_start(MUHURAT), False)
    assert not CALENDAR.holds_candles(day_start(MUHURAT) + 1, day_end(MUHURAT), False)  # its 00:00 lies before


def test_a_session_must_open_on_its_day_before_it_closes():
    with pytest.raises(ValueError):
        Session(BUDGET, at(BUDGET, "10:00"), at(BUDGET, "09:15"))
    with pytest.raises(ValueError):
        Session(BUDGET, at(date(2025, 2, 2), "09:15"), at(date(2025, 2, 2), "10:00"))


def test_complete_until_follows_the_days_sessions():
    muhurat = CALENDAR.on(MUHURAT)
    assert Interval.MINUTE_5.complete_until(at(MUHURAT, "18:32"), muhurat) == at(MUHURAT, "18:30") - 1
    assert Interval.MINUTE.complete_until(at(MUHURAT, "16:00"), muhurat) == day_start(MUHURAT) - 1
    assert Interval.DAY.complete_until(at(MUHURAT, "16:00"), muhurat) == day_start(MUHURAT) - 1  # still to come
    assert Interval.DAY.complete_until(at(MUHURAT, "19:00"), muhurat) == day_end(MUHURAT)
    assert Interval.MINUTE_60.complete_until(at(MUHURAT, "19:05"), muhurat) == day_end(MUHURAT)
    saturday = CALENDAR.on(SATURDAY)
    assert Interval.MINUTE.complete_until(at(SATURDAY, "11:00"), saturday) == at(SATURDAY, "10:00") - 1
    assert Interval.MINUTE_60.complete_until(at(SATURDAY, "12:00"), saturday) == at(SATURDAY, "11:30") - 1
    # a day the calendar knows no session on is taken to trade the regular hours
    assert Interval.MINUTE.complete_until(at(date(2024, 11, 2), "10:07")) == at(date(2024, 11, 2), "10:07") - 1
