from datetime import date, datetime

import numpy as np
import pytest

from domain.candles import CandleFrame, merge_frames
from domain.clock_time import IST, day_start, from_datetime
from domain.date_range import DateRange
from domain.errors import InvalidInput
from domain.instrument import SeriesKey, check_symbol
from domain.interval import Interval
from domain.market import Exchange, Segment


def test_values_validate_themselves():
    with pytest.raises(InvalidInput):
        Interval.parse("7minute")
    with pytest.raises(InvalidInput):
        Interval.parse("30 minute")
    with pytest.raises(InvalidInput):
        Exchange.parse("MCX")
    with pytest.raises(InvalidInput):
        Segment.parse("FOO")
    with pytest.raises(InvalidInput, match="after"):
        DateRange(date(2024, 2, 1), date(2024, 1, 1))
    assert Exchange.parse("nfo").segment is Segment.DERIVATIVES
    assert Segment.EQUITY.exchanges == (Exchange.NSE, Exchange.BSE)
    assert str(DateRange(date(2024, 1, 1), date(2024, 1, 31))) == "2024-01-01 to 2024-01-31"


@pytest.mark.parametrize("bad", ["", "   ", "x" * 65, "a\nb"])
def test_bad_symbols_are_refused(bad):
    with pytest.raises(InvalidInput):
        check_symbol(bad)


def test_series_key_parses_the_callers_text():
    assert SeriesKey.parse("nfo", " NIFTY24JUNFUT ", "15minute") == SeriesKey(
        Exchange.NFO, "NIFTY24JUNFUT", Interval.MINUTE_15)
    for bad in (("MCX", "X", "day"), ("NSE", "", "day"), ("NSE", "X", "7minute")):
        with pytest.raises(InvalidInput):
            SeriesKey.parse(*bad)


def test_ist_day_start():
    assert day_start(date(2024, 1, 1)) == from_datetime(datetime(2024, 1, 1, tzinfo=IST))


def ts(h: int, m: int, d: date = date(2024, 1, 8)) -> int:
    return from_datetime(datetime(d.year, d.month, d.day, h, m, tzinfo=IST))


def test_complete_until_excludes_the_forming_candle():
    now = ts(10, 7) + 30
    assert Interval.MINUTE.complete_until(now) == ts(10, 7) - 1
    assert Interval.MINUTE_5.complete_until(now) == ts(10, 5) - 1
    assert Interval.MINUTE_60.complete_until(now) == ts(9, 15) - 1
    assert Interval.DAY.complete_until(now) == day_start(date(2024, 1, 8)) - 1
    assert Interval.DAY.complete_until(ts(16, 0)) == day_start(date(2024, 1, 9)) - 1
    assert Interval.MINUTE.complete_until(ts(8, 0)) == day_start(date(2024, 1, 8)) - 1


def test_merge_keeps_existing_and_counts_new():
    a = CandleFrame.from_columns({"ts": [1, 3], "open": [1, 3], "high": [1, 3], "low": [1, 3], "close": [1, 3],
                                  "volume": [1, 3]})
    b = CandleFrame.from_columns({"ts": [2, 3], "open": [2, 9], "high": [2, 9], "low": [2, 9], "close": [2, 9],
                                  "volume": [2, 9]})
    merged, written = merge_frames(a, b)
    assert written == 1 and list(merged.ts) == [1, 2, 3] and list(merged.close) == [1, 2, 3]
    replaced, written = merge_frames(a, b, 3, 3)
    assert written == 2 and list(replaced.close) == [1, 2, 9]


def test_sorted_unique_prefers_the_last_duplicate():
    f = CandleFrame.from_columns({"ts": [2, 1, 2], "open": [1, 1, 7], "high": [1, 1, 7], "low": [1, 1, 7],
                                  "close": [1, 1, 7], "volume": [0, 0, 0]})
    u = f.sorted_unique()
    assert list(u.ts) == [1, 2] and np.array_equal(u.close, [1, 7])
