"""Telling a corporate action from a revision, on candles adjusted the way Kite (and the sandbox) adjusts them."""

from datetime import date

import numpy as np
import pytest

from domain.candles import CandleFrame
from domain.clock_time import day_start
from domain.interval import Interval
from domain.revisions import CorporateActionFound, RevisionFound, compare
from tests.fakes.market import synthetic_candles

START, END = day_start(date(2024, 1, 1)), day_start(date(2024, 3, 29))


def stored(interval: Interval = Interval.DAY) -> CandleFrame:
    frame = synthetic_candles(START, END, interval, False)
    ticks = np.round(frame.close * 20) / 20  # on the 0.05 grid, as Kite's prices are
    return CandleFrame(frame.ts, ticks - 0.5, ticks + 1.0, ticks - 1.0, ticks, frame.volume)


def adjusted(frame: CandleFrame, ex: date, factor: float, scale_volume: bool = True) -> CandleFrame:
    """The sandbox's rule: open and close to the nearest tick, high up, low down; volume times the factor."""
    before = frame.ts < day_start(ex)
    ticks = {name: np.round(getattr(frame, name) * 20).astype(np.int64) for name in ("open", "high", "low", "close")}
    out = {"ts": frame.ts}
    out["open"] = np.where(before, np.floor(ticks["open"] / factor + 0.5), ticks["open"]) / 20
    out["close"] = np.where(before, np.floor(ticks["close"] / factor + 0.5), ticks["close"]) / 20
    out["high"] = np.where(before, np.ceil(ticks["high"] / factor - 1e-9), ticks["high"]) / 20
    out["low"] = np.where(before, np.floor(ticks["low"] / factor + 1e-9), ticks["low"]) / 20
    volume = np.floor(frame.volume * factor + 0.5).astype(np.int64) if scale_volume else frame.volume
    out["volume"] = np.where(before, volume, frame.volume)
    return CandleFrame.from_columns(out)


def test_nothing_changed_is_none():
    assert compare(stored(), stored()) is None


@pytest.mark.parametrize("factor", [2.0, 1.5, 10.0, 1.0235, 0.5])
def test_a_common_ratio_before_a_day_and_equality_after_is_a_corporate_action(factor):
    old = stored()
    found = compare(old, adjusted(old, date(2024, 2, 12), factor))
    assert isinstance(found, CorporateActionFound)
    assert found.ex_date == date(2024, 2, 12) and found.exact
    assert found.factor == factor if factor in (2.0, 1.5, 10.0, 0.5) else abs(found.factor - factor) < 2e-4
    assert found.changed == int((old.ts < day_start(date(2024, 2, 12))).sum())


def test_volume_left_unadjusted_is_still_a_corporate_action():
    old = stored(Interval.MINUTE_15)
    found = compare(old, adjusted(old, date(2024, 3, 1), 2.0, scale_volume=False))
    assert isinstance(found, CorporateActionFound) and found.factor == 2.0


def test_every_candle_adjusted_bounds_the_ex_date_from_below_only():
    old = stored()
    found = compare(old, adjusted(old, date(2024, 4, 3), 2.0))
    assert isinstance(found, CorporateActionFound) and not found.exact
    assert found.ex_date == date(2024, 3, 30)  # the day after the last candle compared


def test_a_revised_close_is_a_revision():
    old = stored()
    close = old.close.copy()
    close[-1] += 1.25
    new = CandleFrame(old.ts, old.open, np.maximum(old.high, close), old.low, close, old.volume)
    assert compare(old, new) == RevisionFound(1)


def test_a_one_tick_revision_is_not_a_split():
    old = stored()
    close = old.close.copy()
    close[5] += 0.05
    assert compare(old, CandleFrame(old.ts, old.open, np.maximum(old.high, close), old.low, close,
                                    old.volume)) == RevisionFound(1)


def test_a_split_with_one_close_revised_is_still_the_split():
    old = stored()
    new = adjusted(old, date(2024, 3, 1), 2.0)
    new.close[3] += 7.0
    new.high[3] += 7.0
    found = compare(old, new)
    assert isinstance(found, CorporateActionFound) and found.factor == 2.0 and found.ex_date == date(2024, 3, 1)


def test_candles_missing_or_new_are_revisions():
    old = stored()
    assert compare(old, old.take(slice(1, None))) == RevisionFound(1)
    assert compare(old.take(slice(0, -2)), old) == RevisionFound(2)


def test_unrelated_prices_are_a_revision_not_an_action():
    old = stored()
    rng = np.random.default_rng(3)
    noise = rng.uniform(0.5, 1.5, len(old))
    new = CandleFrame(old.ts, old.open * noise, old.high * noise + 5, old.low * noise - 5, old.close * noise,
                      old.volume)
    assert isinstance(compare(old, new), RevisionFound)
