"""Bars built by domain/bars.py equal a pandas groupby written from the rules, on random candle subsets."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import bars
from domain.bar_spec import BarSpec, BarUnit
from domain.candles import CandleFrame
from domain.clock_time import day_start
from domain.errors import InvalidInput
from domain.interval import Interval
from domain.market import Exchange
from domain.sessions import SessionTable
from tests.fakes.calendar import FakeCalendar, hm

# A Muhurat evening, a Saturday session, a two-block Saturday and a holiday among regular weekdays.
SPECIAL = {date(2024, 11, 1): [("18:00", "19:00")], date(2025, 2, 1): [("09:15", "15:30")],
           date(2024, 3, 2): [("09:15", "10:00"), ("11:30", "12:30")]}
CALENDAR = FakeCalendar(SPECIAL, closed={date(2024, 11, 15)})
WINDOWS = [(date(2024, 2, 26), date(2024, 3, 8)), (date(2024, 10, 28), date(2024, 11, 19)),
           (date(2025, 1, 27), date(2025, 2, 7))]


def sessions_of(start: date, end: date) -> SessionTable:
    return CALENDAR.sessions(Exchange.NSE, start, end)


def minute_candles(start: date, end: date, keep: float, seed: int, step: int = 60) -> CandleFrame:
    """Candles on every session's grid in [start, end], each kept with probability `keep`."""
    table = sessions_of(start, end)
    ts = np.concatenate([np.arange(s.open_ts, s.close_ts, step) for s in table]).astype(np.int64)
    rng = np.random.default_rng(seed)
    ts = ts[rng.random(len(ts)) < keep]
    close = np.round(100 + np.cumsum(rng.normal(0, 1, len(ts))), 2)
    return CandleFrame(ts, close + 0.5, close + 2, close - 2, close, rng.integers(0, 1000, len(ts)),
                       rng.integers(0, 50, len(ts)))


def frame_df(frame: CandleFrame) -> pd.DataFrame:
    return pd.DataFrame({"ts": frame.ts, "open": frame.open, "high": frame.high, "low": frame.low,
                         "close": frame.close, "volume": frame.volume, "oi": frame.oi})


def reference(frame: CandleFrame, spec: BarSpec, table: SessionTable) -> pd.DataFrame:
    """The rules, spelled out with a loop over sessions and pandas' groupby."""
    df = frame_df(frame)
    ist = pd.to_datetime(df.ts, unit="s", utc=True).dt.tz_convert("Asia/Kolkata")
    if spec.is_intraday:
        opens = pd.Series(np.nan, index=df.index)
        for s in table:
            opens[(df.ts >= s.open_ts) & (df.ts < s.close_ts)] = s.open_ts
        assert not opens.isna().any()
        label = opens + (df.ts - opens) // spec.step_seconds * spec.step_seconds
    elif spec.unit is BarUnit.DAY:
        label = ist.dt.normalize().map(lambda t: int(t.timestamp()))
    else:
        freq = {BarUnit.WEEK: "W-SUN", BarUnit.MONTH: "M", BarUnit.QUARTER: "Q", BarUnit.YEAR: "Y"}[spec.unit]
        period = ist.dt.tz_localize(None).dt.to_period(freq)
        session_days = pd.Series([s.day for s in table])
        first_day = session_days.groupby(pd.PeriodIndex(pd.to_datetime(session_days), freq=freq)).min()
        day = ist.dt.date
        first_candle = day.groupby(period).transform("min")
        label = pd.Series([day_start(min(first_day.get(p, fc), fc)) for p, fc in zip(period, first_candle,
                                                                                      strict=True)])
    grouped = df.assign(label=np.asarray(label, dtype=np.int64)).groupby("label", sort=True)
    return grouped.agg(open=("open", "first"), high=("high", "max"), low=("low", "min"), close=("close", "last"),
                       volume=("volume", "sum"), oi=("oi", "last")).reset_index().rename(columns={"label": "ts"})


def assert_same(got: CandleFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(frame_df(got), want, check_dtype=False)


@settings(max_examples=60, deadline=None)
@given(window=st.sampled_from(WINDOWS), minutes=st.integers(1, 400), keep=st.sampled_from([1.0, 0.7, 0.05]),
       seed=st.integers(0, 10_000))
def test_intraday_bars_match_the_rules(window, minutes, keep, seed):
    frame = minute_candles(*window, keep, seed)
    spec = BarSpec(BarUnit.MINUTE, minutes)
    table = sessions_of(*window)
    assert_same(bars.resample(frame, spec, table), reference(frame, spec, table))


@pytest.mark.parametrize("unit", [u for u in BarUnit if u is not BarUnit.MINUTE])
@pytest.mark.parametrize("window", WINDOWS)
def test_day_and_longer_bars_match_the_rules(unit, window):
    frame = minute_candles(*window, 0.5, seed=11)
    spec = BarSpec(unit)
    start = bars.period_start(spec, window[0])
    table = sessions_of(start, window[1])
    assert_same(bars.resample(frame, spec, table), reference(frame, spec, table))


def test_75minute_bars_of_a_regular_day_a_muhurat_evening_and_a_two_block_saturday():
    spec = BarSpec.parse("75minute")
    for day, want in [(date(2024, 10, 31), ["09:15", "10:30", "11:45", "13:00", "14:15"]),
                      (date(2024, 11, 1), ["18:00"]), (date(2024, 3, 2), ["09:15", "11:30"])]:
        frame = minute_candles(day, day, 1.0, seed=1)
        got = bars.resample(frame, spec, sessions_of(day, day))
        assert [pd.Timestamp(t, unit="s", tz="Asia/Kolkata").strftime("%H:%M") for t in got.ts] == want
    day = date(2024, 10, 31)
    two_hours = bars.resample(minute_candles(day, day, 1.0, 1), BarSpec.parse("2hour"), sessions_of(day, day))
    assert [pd.Timestamp(t, unit="s", tz="Asia/Kolkata").strftime("%H:%M") for t in two_hours.ts] == [
        "09:15", "11:15", "13:15", "15:15"]  # the last one 15 minutes long


def test_a_candle_no_session_explains_gets_its_own_grid_not_a_sessions_bar():
    day = date(2024, 10, 31)
    frame = minute_candles(day, day, 1.0, seed=2)
    stray = day_start(day) + hm("08:00")
    frame = CandleFrame.concat([CandleFrame(np.array([stray, stray + 60]), *(np.ones(2),) * 4,
                                            np.array([7, 8]), np.array([1, 1])), frame], True)
    got = bars.resample(frame, BarSpec.parse("2hour"), sessions_of(day, day))
    assert list(got.ts[:2]) == [stray, day_start(day) + hm("09:15")] and got.volume[0] == 15


def test_week_bars_are_labelled_by_the_first_trading_day_even_before_the_first_candle():
    frame = minute_candles(date(2024, 11, 13), date(2024, 11, 19), 1.0, seed=3)  # from a Wednesday
    table = sessions_of(date(2024, 11, 11), date(2024, 11, 19))
    got = bars.resample(frame, BarSpec.parse("week"), table)
    assert list(got.ts) == [day_start(date(2024, 11, 11)), day_start(date(2024, 11, 18))]
    closed_monday = sessions_of(date(2024, 11, 11), date(2024, 11, 19))
    closed_monday = SessionTable(closed_monday.opens[1:], closed_monday.closes[1:], closed_monday.kinds[1:],
                                 closed_monday.estimated[1:])  # as if Monday had been a holiday
    got = bars.resample(frame, BarSpec.parse("week"), closed_monday)
    assert got.ts[0] == day_start(date(2024, 11, 12))


def test_streaming_in_pieces_gives_the_same_bars_as_one_pass():
    frame = minute_candles(date(2024, 10, 28), date(2024, 11, 19), 0.8, seed=4)
    spec = BarSpec.parse("125minute")
    table = sessions_of(date(2024, 10, 28), date(2024, 11, 19))
    whole = bars.resample(frame, spec, table)
    pieces, carry = [], frame.take(slice(0, 0))
    for lo in range(0, len(frame), 997):
        chunk = CandleFrame.concat([carry, frame.take(slice(lo, lo + 997))], True)
        grouping = bars.group(chunk.ts, spec, table)
        cut = int(grouping.starts[-1])
        pieces.append(bars.reduce(chunk.take(slice(0, cut)), grouping.without_last()))
        carry = chunk.take(slice(cut, len(chunk)))
    pieces.append(bars.resample(carry, spec, table))
    streamed = CandleFrame.concat(pieces, True)
    assert_same(streamed, frame_df(whole))


def test_empty_candles_make_no_bars():
    empty = CandleFrame.empty(with_oi=True)
    for text in ("75minute", "day", "week", "year"):
        assert len(bars.resample(empty, BarSpec.parse(text), SessionTable.of(()))) == 0


@pytest.mark.parametrize("text, unit, minutes", [("75minute", BarUnit.MINUTE, 75), ("minute", BarUnit.MINUTE, 1),
                                                 ("2hour", BarUnit.MINUTE, 120), ("hour", BarUnit.MINUTE, 60),
                                                 ("1440minute", BarUnit.MINUTE, 1440), ("day", BarUnit.DAY, 0),
                                                 ("week", BarUnit.WEEK, 0), ("quarter", BarUnit.QUARTER, 0)])
def test_resample_forms(text, unit, minutes):
    assert BarSpec.parse(text) == BarSpec(unit, minutes)


@pytest.mark.parametrize("text", ["0minute", "1441minute", "25hour", "75 minute", "75min", "Week", "75MINUTE",
                                  "075minute", "", "weekly", "-5minute"])
def test_bad_resample_strings_list_the_accepted_forms(text):
    with pytest.raises(InvalidInput, match="Nminute .* Nhour .* day, week, month, quarter or year"):
        BarSpec.parse(text)


def test_which_intervals_build_which_bars():
    assert BarSpec.parse("15minute").sources() == (Interval.MINUTE_15, Interval.MINUTE_5, Interval.MINUTE_3,
                                                   Interval.MINUTE)
    assert BarSpec.parse("75minute").sources() == (Interval.MINUTE_15, Interval.MINUTE_5, Interval.MINUTE_3,
                                                   Interval.MINUTE)
    assert not BarSpec.parse("75minute").builds_from(Interval.MINUTE_10)
    assert not BarSpec.parse("minute").builds_from(Interval.DAY)
    assert BarSpec.parse("week").sources()[0] is Interval.DAY and BarSpec.parse("day").builds_from(Interval.MINUTE)
    assert BarSpec.parse("60minute").same_as(Interval.MINUTE_60) and BarSpec.parse("day").same_as(Interval.DAY)


def test_period_starts():
    day = date(2025, 8, 14)  # a Thursday
    assert [bars.period_start(BarSpec(u), day) for u in (BarUnit.WEEK, BarUnit.MONTH, BarUnit.QUARTER, BarUnit.YEAR)] \
        == [day - timedelta(days=3), date(2025, 8, 1), date(2025, 7, 1), date(2025, 1, 1)]


def test_the_documented_pattern_accepts_exactly_what_parses():
    import re

    from domain.bar_spec import PATTERN

    texts = [f"{n}{unit}" for n in range(0, 1500) for unit in ("minute", "hour")] + [
        "minute", "hour", "day", "week", "month", "quarter", "year", "days", "075minute", "1 hour"]
    for text in texts:
        try:
            BarSpec.parse(text)
            parses = True
        except InvalidInput:
            parses = False
        assert bool(re.match(PATTERN, text)) == parses, text
