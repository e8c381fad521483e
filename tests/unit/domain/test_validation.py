from datetime import date

import numpy as np

from domain.candles import CandleFrame
from domain.clock_time import SESSION_CLOSE_SECONDS, SESSION_OPEN_SECONDS, day_start
from domain.interval import Interval
from domain.market import Segment
from domain.sessions import regular_sessions, weekdays
from domain.validation import validate_candles as validate

MONDAY = day_start(date(2024, 1, 8))
JANUARY = regular_sessions(weekdays(date(2024, 1, 1), date(2024, 1, 31)), SESSION_OPEN_SECONDS,
                           SESSION_CLOSE_SECONDS)


def validate_candles(f: CandleFrame, segment: Segment, interval: Interval):
    """The rules other than the calendar's, against January 2024's weekdays at 09:15-15:30."""
    return validate(f, segment, interval, JANUARY)


def frame(ts, o, h, lo, c, v, oi=None) -> CandleFrame:
    return CandleFrame.from_columns({"ts": ts, "open": o, "high": h, "low": lo, "close": c, "volume": v,
                                     **({"oi": oi} if oi is not None else {})})


def minutes(n: int) -> list[int]:
    return [MONDAY + SESSION_OPEN_SECONDS + 60 * i for i in range(n)]


def test_valid_candles_pass_untouched():
    f = frame(minutes(3), [10, 11, 12], [11, 12, 13], [9, 10, 11], [10.5, 11.5, 12.5], [1, 2, 3])
    report = validate_candles(f, Segment.EQUITY, Interval.MINUTE)
    assert report.rejected == 0 and len(report.valid) == 3


def test_each_rule_rejects_its_candle():
    ts = minutes(6)
    ts[4] = MONDAY + 8 * 3600  # 08:00, before the session
    ts[5] = ts[0]  # duplicate timestamp
    f = frame(ts, [10, 10, 10, 10, 10, 10], [11, 9, 11, 11, 11, 11], [9, 9.5, 9, 9, 9, 9], [10] * 6,
              [1, 1, -5, 1, 1, 1])
    report = validate_candles(f, Segment.EQUITY, Interval.MINUTE)
    assert report.rejected == 4
    assert report.reasons == {"ohlc": 1, "negative_volume": 1, "out_of_session": 1, "duplicate_timestamp": 1}
    assert list(report.valid.ts) == [ts[0], ts[3]]


def test_price_range_depends_on_segment():
    f = frame(minutes(2), [0.0, 10], [0.0, 10], [0.0, 10], [0.0, 10], [1, 1])
    assert validate_candles(f, Segment.EQUITY, Interval.MINUTE).rejected == 1
    assert validate_candles(f, Segment.DERIVATIVES, Interval.MINUTE).rejected == 0
    nan = frame(minutes(1), [np.nan], [1], [1], [1], [1])
    assert validate_candles(nan, Segment.DERIVATIVES, Interval.MINUTE).rejected == 1


def test_day_candles_must_be_weekday_midnight():
    saturday = day_start(date(2024, 1, 13))
    f = frame([MONDAY, saturday, MONDAY + 86400 + 3600], [1] * 3, [1] * 3, [1] * 3, [1] * 3, [0] * 3)
    report = validate_candles(f, Segment.EQUITY, Interval.DAY)
    assert report.rejected == 2 and list(report.valid.ts) == [MONDAY]


def test_n_minute_candles_must_align_to_session_open():
    ts = [MONDAY + SESSION_OPEN_SECONDS, MONDAY + SESSION_OPEN_SECONDS + 300, MONDAY + SESSION_OPEN_SECONDS + 120]
    f = frame(ts, [1] * 3, [1] * 3, [1] * 3, [1] * 3, [0] * 3)
    assert validate_candles(f, Segment.EQUITY, Interval.MINUTE_5).rejected == 1


def test_negative_open_interest_is_rejected():
    f = frame(minutes(2), [1, 1], [1, 1], [1, 1], [1, 1], [0, 0], oi=[5, -1])
    assert validate_candles(f, Segment.DERIVATIVES, Interval.MINUTE).rejected == 1


def test_output_is_sorted():
    ts = minutes(3)[::-1]
    f = frame(ts, [1] * 3, [1] * 3, [1] * 3, [1] * 3, [0] * 3)
    assert validate_candles(f, Segment.EQUITY, Interval.MINUTE).valid.is_sorted_unique()
