from datetime import date

import numpy as np

from domain.candles import CandleFrame
from domain.clock_time import day_start
from domain.price_jumps import price_jumps


def frame(closes: list[float], first: date = date(2024, 6, 10)) -> CandleFrame:
    ts = np.array([day_start(first) + i * 86_400 for i in range(len(closes))], dtype=np.int64)
    c = np.array(closes)
    return CandleFrame(ts, c, c, c, c, np.ones(len(c), dtype=np.int64))


def test_a_halving_is_a_jump_a_bad_day_is_not():
    jumps = price_jumps(frame([100, 90, 45, 46]), 0)
    assert [(j.day, j.previous_day, round(j.change, 2)) for j in jumps] == [(date(2024, 6, 12), date(2024, 6, 11),
                                                                             -0.5)]
    assert "2024-06-12" in jumps[0].describe("NSE:X:day") and "-50.0%" in jumps[0].describe("NSE:X:day")
    assert price_jumps(frame([100, 70, 94]), 0) == []


def test_only_days_from_since_are_reported_and_a_rise_counts_too():
    f = frame([100, 40, 41, 100])
    assert [j.day for j in price_jumps(f, int(f.ts[2]))] == [date(2024, 6, 13)]


def test_intraday_compares_each_days_last_close():
    base = day_start(date(2024, 6, 10)) + 33_300
    ts = np.array([base, base + 60, base + 86_400, base + 86_460], dtype=np.int64)
    c = np.array([100.0, 50.0, 52.0, 51.0])  # -50% inside a day is no day-over-day move
    assert price_jumps(CandleFrame(ts, c, c, c, c, np.ones(4, dtype=np.int64)), 0) == []
