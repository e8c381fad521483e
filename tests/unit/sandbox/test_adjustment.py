"""The back-adjustment and revision arithmetic, straight from the generator (no HTTP)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from kite_sandbox.adjustment import adjust, rescale_close, set_closes
from kite_sandbox.bad_data import SECONDS_PER_DAY, CandleArrays
from kite_sandbox.candles import CandleQuery, candles
from kite_sandbox.corporate_actions import CorporateAction
from kite_sandbox.history_edits import InstrumentEdits, Revision
from kite_sandbox.instruments import Instrument
from kite_sandbox.universe import Universe, build_universe

TODAY = dt.date(2026, 11, 24)
NOW = dt.datetime(2026, 11, 24, 15, 30)
EX = dt.date(2026, 11, 5)  # a Thursday; Nov 2-4 are before it, Nov 5-6 on or after


@pytest.fixture(scope="module")
def universe() -> Universe:
    return build_universe(1, TODAY, 1)


def _inst(universe: Universe, symbol: str) -> Instrument:
    return next(i for rows in universe.by_exchange.values() for i in rows if i.tradingsymbol == symbol)


def _edits(*actions: tuple[dt.date, float], revisions: tuple[Revision, ...] = ()) -> InstrumentEdits:
    return InstrumentEdits.build([CorporateAction("NSE", "X", d, f, "split") for d, f in actions], list(revisions))


def _get(inst: Instrument, minutes: int | None, start: dt.datetime, end: dt.datetime,
         edits: InstrumentEdits | None = None, continuous: bool = False) -> CandleArrays:
    return candles(1, CandleQuery(inst, minutes, start, end, continuous, NOW), edits)


def _one(o: int, h: int, low: int, c: int, v: int, day: dt.date = dt.date(2026, 11, 2)) -> CandleArrays:
    a = lambda x: np.array([x], dtype=np.int64)  # noqa: E731
    return CandleArrays(a(day.toordinal() * SECONDS_PER_DAY), a(o), a(h), a(low), a(c), a(v), a(7))


def test_tick_rounding_open_close_nearest_half_up_high_up_low_down() -> None:
    out = adjust(_one(2469, 2475, 2461, 2463, 1001), np.array([2.0]))
    # 1234.5 -> 1235 ticks (half up), 1237.5 -> 1238 (up), 1230.5 -> 1230 (down), 1231.5 -> 1232
    assert (out.open[0], out.high[0], out.low[0], out.close[0]) == (1235, 1238, 1230, 1232)
    assert out.volume[0] == 2002 and out.oi[0] == 7  # volume x factor; open interest unchanged


def test_exact_quotients_survive_float_error_and_prices_never_drop_below_a_tick() -> None:
    out = adjust(_one(110, 110, 110, 110, 3), np.array([1.1]))  # 110 / 1.1 = 99.99999999999999
    assert (out.open[0], out.high[0], out.low[0], out.close[0]) == (100, 100, 100, 100)
    assert out.volume[0] == 3  # 3.3 -> 3
    tiny = adjust(_one(1, 1, 1, 1, 0), np.array([10.0]))
    assert (tiny.open[0], tiny.high[0], tiny.low[0], tiny.close[0]) == (1, 1, 1, 1)


@pytest.mark.parametrize("factor", [2.0, 3.0, 1.5, 1.0204, 0.1, 7.3])
def test_adjusted_candles_stay_ohlc_consistent(universe: Universe, factor: float) -> None:
    edits = _edits((EX, factor))
    for symbol in ("RELIANCE", "TATASTEEL", "NIFTY 50"):
        raw = _get(_inst(universe, symbol), 1, dt.datetime(2026, 11, 2), dt.datetime(2026, 11, 4, 23))
        out = _get(_inst(universe, symbol), 1, dt.datetime(2026, 11, 2), dt.datetime(2026, 11, 4, 23), edits)
        assert (out.high >= np.maximum(out.open, out.close)).all()
        assert (out.low <= np.minimum(out.open, out.close)).all() and (out.low >= 1).all()
        assert np.abs(out.close - raw.close / factor).max() <= 0.5  # nearest tick
        assert (out.high >= raw.high / factor - 1e-6).all() and (out.low <= raw.low / factor + 1e-6).all()
        np.testing.assert_array_equal(out.volume, np.floor(raw.volume * factor + 0.5).astype(np.int64))


def test_candles_on_and_after_the_ex_date_are_unchanged(universe: Universe) -> None:
    inst = _inst(universe, "RELIANCE")
    window = (dt.datetime(2026, 11, 2), dt.datetime(2026, 11, 6, 23))
    for minutes in (None, 1, 60):
        raw, out = _get(inst, minutes, *window), _get(inst, minutes, *window, _edits((EX, 2.0)))
        after = raw.ts >= EX.toordinal() * SECONDS_PER_DAY
        assert after.any() and (~after).any()
        for r, o in zip(raw.columns(), out.columns(), strict=True):
            np.testing.assert_array_equal(r[after], o[after])
        assert (out.volume[~after] == 2 * raw.volume[~after]).all()


def test_several_actions_compose_by_ex_date_in_any_posting_order(universe: Universe) -> None:
    inst = _inst(universe, "INFY")
    window = (dt.datetime(2026, 11, 2), dt.datetime(2026, 11, 6))
    late, early = (dt.date(2026, 11, 5), 2.0), (dt.date(2026, 11, 3), 1.5)
    raw = _get(inst, None, *window)
    out = _get(inst, None, *window, _edits(late, early))
    np.testing.assert_array_equal(out.close, [np.floor(raw.close[0] / 3.0 + 0.5), np.floor(raw.close[1] / 2 + 0.5),
                                              np.floor(raw.close[2] / 2 + 0.5), raw.close[3], raw.close[4]])
    again = _get(inst, None, *window, _edits(early, late))
    for a, b in zip(out.columns(), again.columns(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("factor", [2.0, 1.37])
def test_every_interval_agrees_on_prices(universe: Universe, factor: float) -> None:
    """Rounding is monotone, so an adjusted day/N-minute candle's OHLC is the aggregate of adjusted minutes."""
    inst, edits = _inst(universe, "M&M"), _edits((EX, factor))
    day = _get(inst, None, dt.datetime(2026, 11, 3), dt.datetime(2026, 11, 3), edits)
    minutes = _get(inst, 1, dt.datetime(2026, 11, 3), dt.datetime(2026, 11, 3, 23), edits)
    assert day.open[0] == minutes.open[0] and day.close[0] == minutes.close[-1]
    assert day.high[0] == minutes.high.max() and day.low[0] == minutes.low.min()
    fives = _get(inst, 5, dt.datetime(2026, 11, 3), dt.datetime(2026, 11, 3, 23), edits)
    np.testing.assert_array_equal(fives.high, np.maximum.reduceat(minutes.high, np.arange(0, 375, 5)))
    np.testing.assert_array_equal(fives.low, np.minimum.reduceat(minutes.low, np.arange(0, 375, 5)))
    if factor == int(factor):  # integral products: volume aggregates exactly too
        assert day.volume[0] == minutes.volume.sum()
    else:  # each interval is adjusted from its own unadjusted volume: off by at most half a unit a minute
        assert abs(int(day.volume[0]) - int(minutes.volume.sum())) <= 375 / 2


def test_continuous_futures_and_open_interest(universe: Universe) -> None:
    fut = next(i for i in universe.by_exchange["NFO"] if i.name == "NIFTY" and i.instrument_type == "FUT")
    window = (dt.datetime(2026, 11, 2), dt.datetime(2026, 11, 6))
    raw = _get(fut, None, *window, continuous=True)
    out = _get(fut, None, *window, _edits((EX, 2.0)), continuous=True)
    np.testing.assert_array_equal(out.close[:3], np.floor(raw.close[:3] / 2 + 0.5))
    np.testing.assert_array_equal(out.close[3:], raw.close[3:])
    np.testing.assert_array_equal(out.oi, raw.oi)


def test_bad_data_stays_bad_once_adjusted(universe: Universe) -> None:
    out = _get(_inst(universe, "ZZBADOHLC"), 1, dt.datetime(2026, 11, 3), dt.datetime(2026, 11, 3, 23),
               _edits((EX, 2.0)))
    assert (out.high < out.low).sum() == 1


def test_revision_is_exact_under_its_factor_and_rescaled_by_later_actions(universe: Universe) -> None:
    inst = _inst(universe, "RELIANCE")
    day = dt.datetime(2026, 11, 4)
    ts = day.toordinal() * SECONDS_PER_DAY
    raw = _get(inst, None, day, day)
    revision = Revision(inst.instrument_token, "NSE", "RELIANCE", "day", None, ts, 20001, 1.0)
    revised = _get(inst, None, day, day, _edits(revisions=(revision,)))
    assert revised.close[0] == 20001 and revised.low[0] == 20001 and revised.open[0] == raw.open[0]
    assert _get(inst, 1, day, day.replace(hour=23), _edits(revisions=(revision,))).close[-1] != 20001  # day only
    split = _get(inst, None, day, day, _edits((EX, 2.0), revisions=(revision,)))
    assert split.close[0] == 10001 and split.low[0] <= 10001  # 20001 / 2 = 10000.5 -> 10001
    np.testing.assert_array_equal(rescale_close(np.array([2469, 2469]), np.array([2.0, 0.1]), np.array([2.0, 0.1])),
                                  [2469, 2469])  # unchanged factor: exactly as posted, even for factor < 1


def test_set_closes_widens_high_and_low() -> None:
    c = _one(100, 110, 90, 105, 1)
    assert (set_closes(c, np.array([0]), np.array([120])).high[0], set_closes(c, np.array([0]), np.array([80])).low[0]
            ) == (120, 80)
