"""Candle shapes straight from the generator (no HTTP): calendar, OHLC validity, bad-data names."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from kite_sandbox.bad_data import SECONDS_PER_DAY
from kite_sandbox.candles import CandleQuery, candles
from kite_sandbox.instruments import Instrument
from kite_sandbox.render import candles_body
from kite_sandbox.universe import Universe, build_universe

TODAY = dt.date(2026, 11, 24)
NOW = dt.datetime(2026, 11, 24, 15, 30)


@pytest.fixture(scope="module")
def universe() -> Universe:
    return build_universe(1, TODAY, 1)


def _by_symbol(universe: Universe, symbol: str) -> Instrument:
    return next(i for rows in universe.by_exchange.values() for i in rows if i.tradingsymbol == symbol)


def _get(inst: Instrument, minutes: int | None, start: dt.datetime, end: dt.datetime, continuous: bool = False):
    return candles(1, CandleQuery(inst, minutes, start, end, continuous, NOW))


def _days(c) -> list[dt.date]:
    return [dt.date.fromordinal(int(o)) for o in np.unique(c.ts // SECONDS_PER_DAY)]


def _times(c) -> np.ndarray:
    return c.ts % SECONDS_PER_DAY


def test_minute_candles_375_a_day_no_weekends_or_holidays(universe: Universe) -> None:
    c = _get(_by_symbol(universe, "RELIANCE"), 1, dt.datetime(2026, 11, 5), dt.datetime(2026, 11, 12, 23, 59))
    days = _days(c)
    assert dt.date(2026, 11, 7) not in days and dt.date(2026, 11, 10) not in days  # Saturday, Diwali
    assert len(days) == 5 and len(c.ts) == 5 * 375
    assert _times(c).min() == 9 * 3600 + 15 * 60 and _times(c).max() == 15 * 3600 + 29 * 60


def test_60minute_aligned_to_open_with_partial_last(universe: Universe) -> None:
    c = _get(_by_symbol(universe, "INFY"), 60, dt.datetime(2026, 11, 2), dt.datetime(2026, 11, 2, 23))
    assert [int(t) // 60 for t in _times(c)] == [555 + 60 * k for k in range(7)]  # 09:15 ... 15:15


def test_to_is_inclusive_of_candle_start(universe: Universe) -> None:
    inst = _by_symbol(universe, "TCS")
    assert len(_get(inst, 1, dt.datetime(2026, 11, 2, 9, 15), dt.datetime(2026, 11, 2, 9, 20)).ts) == 6
    assert len(_get(inst, 1, dt.datetime(2026, 11, 2), dt.datetime(2026, 11, 3)).ts) == 375  # bare to = 00:00
    assert len(_get(inst, None, dt.datetime(2026, 11, 2), dt.datetime(2026, 11, 3)).ts) == 2


def test_day_candles_stamped_midnight_and_aggregate_minutes(universe: Universe) -> None:
    inst = _by_symbol(universe, "M&M")
    day = _get(inst, None, dt.datetime(2026, 11, 2), dt.datetime(2026, 11, 6))
    assert (day.ts % SECONDS_PER_DAY == 0).all() and len(day.ts) == 5
    assert b'"2026-11-02T00:00:00+0530"' in candles_body(day, False)
    minutes = _get(inst, 1, dt.datetime(2026, 11, 2), dt.datetime(2026, 11, 2, 23))
    assert day.open[0] == minutes.open[0] and day.close[0] == minutes.close[-1]
    assert day.high[0] == minutes.high.max() and day.low[0] == minutes.low.min()
    assert day.volume[0] == minutes.volume.sum()


def test_future_dates_have_no_candles(universe: Universe) -> None:
    c = _get(_by_symbol(universe, "RELIANCE"), None, dt.datetime(2026, 11, 20), dt.datetime(2026, 12, 31))
    assert max(_days(c)) <= TODAY


def _assert_valid(c) -> None:
    assert (c.low <= np.minimum(c.open, c.close)).all() and (c.high >= np.maximum(c.open, c.close)).all()
    assert (c.low > 0).all() and (c.volume >= 0).all()


def test_normal_instruments_are_valid(universe: Universe) -> None:
    for symbol in ["RELIANCE", "BAJAJ-AUTO", "NIFTY 50"]:
        inst = _by_symbol(universe, symbol)
        _assert_valid(_get(inst, 5, dt.datetime(2026, 8, 1), dt.datetime(2026, 11, 8)))
        _assert_valid(_get(inst, None, dt.datetime(2021, 6, 1), dt.datetime(2026, 11, 24)))
    assert (_get(_by_symbol(universe, "NIFTY 50"), 1, dt.datetime(2026, 11, 2), NOW).volume == 0).all()


def test_derivatives_priced_only_between_listing_and_expiry(universe: Universe) -> None:
    options = [i for i in universe.by_exchange["NFO"] if i.name == "NIFTY" and i.instrument_type in ("CE", "PE")]
    served = 0
    for inst in options[::37]:
        c = _get(inst, 15, dt.datetime(2026, 7, 1), NOW)
        _assert_valid(c)
        assert (c.oi > 0).all()
        assert inst.listing is not None and inst.expiry is not None
        if inst.listing >= TODAY:  # the new far-month series lists on a holiday: nothing traded yet
            assert len(c.ts) == 0
            continue
        assert min(_days(c)) >= inst.listing and max(_days(c)) <= inst.expiry
        served += 1
    assert served >= len(options[::37]) // 2
    fut = _by_symbol(universe, "NIFTY26DECFUT")
    assert len(_get(fut, None, dt.datetime(2026, 1, 1), dt.datetime(2026, 8, 1)).ts) == 0
    expired = build_universe(1, dt.date(2026, 11, 2), 1)
    old = next(i for i in expired.by_exchange["NFO"] if i.tradingsymbol == "NIFTY26NOVFUT")
    assert old.expiry == dt.date(2026, 11, 23)
    assert max(_days(_get(old, None, dt.datetime(2026, 9, 1), dt.datetime(2026, 11, 24)))) == old.expiry


def test_continuous_future_spans_expired_contracts(universe: Universe) -> None:
    fut = _by_symbol(universe, "NIFTY26DECFUT")
    c = _get(fut, None, dt.datetime(2021, 6, 1), dt.datetime(2026, 11, 24), continuous=True)
    assert len(c.ts) > 1300 and (c.oi > 0).all()
    _assert_valid(c)


def _bad_intraday(universe: Universe, symbol: str, minutes: int):
    return _get(_by_symbol(universe, symbol), minutes, dt.datetime(2026, 11, 2), dt.datetime(2026, 11, 4))


@pytest.mark.parametrize("minutes", [1, 5, 60])
def test_bad_data_instruments_intraday(universe: Universe, minutes: int) -> None:
    noon_bucket = 9 * 3600 + 15 * 60 + (165 // minutes) * minutes * 60
    bad = _bad_intraday(universe, "ZZBADOHLC", minutes)
    assert list(np.flatnonzero(bad.high < bad.low)) == list(np.flatnonzero(_times(bad) == noon_bucket))
    assert len(np.flatnonzero(bad.high < bad.low)) == 2  # Nov 2 and Nov 3
    neg = _bad_intraday(universe, "ZZNEGVOL", minutes)
    assert set(_times(neg)[neg.volume < 0]) == {noon_bucket} and (neg.volume < 0).sum() == 2
    dup = _bad_intraday(universe, "ZZDUPTS", minutes)
    values, counts = np.unique(dup.ts, return_counts=True)
    assert set(values[counts > 1] % SECONDS_PER_DAY) == {noon_bucket} and (counts > 1).sum() == 2
    off = _bad_intraday(universe, "ZZOFFHOURS", minutes)
    assert list(_times(off)[_times(off) < 9 * 3600 + 15 * 60]) == [8 * 3600, 8 * 3600]


def test_bad_data_instruments_day(universe: Universe) -> None:
    window = (dt.datetime(2026, 11, 2), dt.datetime(2026, 11, 14))  # ISO weeks starting Mon 2 and Mon 9
    bad = _get(_by_symbol(universe, "ZZBADOHLC"), None, *window)
    assert _days(bad.take(np.flatnonzero(bad.high < bad.low))) == [dt.date(2026, 11, 2), dt.date(2026, 11, 9)]
    neg = _get(_by_symbol(universe, "ZZNEGVOL"), None, *window)
    assert (neg.volume < 0).sum() == 2
    dup = _get(_by_symbol(universe, "ZZDUPTS"), None, *window)
    assert len(dup.ts) == len(np.unique(dup.ts)) + 2
    off = _get(_by_symbol(universe, "ZZOFFHOURS"), None, *window)
    assert [d for d in _days(off) if d.weekday() >= 5] == [dt.date(2026, 11, 7), dt.date(2026, 11, 14)]
