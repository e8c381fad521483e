"""The arithmetic of Kite's back-adjustment and of a revised close, on CandleArrays (prices in 0.05 ticks).

Rules:
- A candle's factor is the product of the factors of every action whose ex_date is after the candle's
  date; candles on or after an ex_date are untouched by that action, and several actions compose.
- Prices are divided by the factor and put back on the 0.05 grid the way the generator rounds: open and
  close to the nearest tick (halves up), high up, low down, never below one tick. Each rounding is
  monotone, so high >= max(open, close) and low <= min(open, close) still hold, and because first, last,
  max and min commute with a monotone function, an adjusted day or N-minute candle's OHLC equals the
  aggregate of its adjusted minutes exactly.
- Volume is multiplied by the factor and rounded half up to an integer. Every interval is adjusted
  independently from its own unadjusted candle (as Kite adjusts each stored series), so a day's volume
  equals the sum of its adjusted minutes only when factor x volume is integral (integer factors:
  2-for-1 splits, 1:1 bonuses); otherwise they differ by at most half a unit per minute.
- Open interest is left unchanged: no source says Kite adjusts it, and it is 0 for cash instruments.
The result is a pure function of the unadjusted candle and the actions in force.
"""

from __future__ import annotations

import numpy as np

from .bad_data import SECONDS_PER_DAY, CandleArrays

_EPS = 1e-9  # absorbs float error of an exact quotient, e.g. 110 / 1.1 = 99.99999999999999


def suffix_products(factors: np.ndarray) -> np.ndarray:
    """out[j] = product of factors[j:], out[len] = 1: the factor of a candle dated before ex_days[j] only."""
    out = np.ones(len(factors) + 1)
    for j in range(len(factors) - 1, -1, -1):
        out[j] = out[j + 1] * factors[j]
    return out


def candle_factors(ts: np.ndarray, ex_days: np.ndarray, suffix: np.ndarray) -> np.ndarray:
    """Per candle, the product of every factor whose ex-date ordinal (sorted `ex_days`) is after its date."""
    return suffix[np.searchsorted(ex_days, ts // SECONDS_PER_DAY, side="right")]


def half_up(values: np.ndarray) -> np.ndarray:
    return np.floor(values + 0.5).astype(np.int64)


def adjust(c: CandleArrays, factors: np.ndarray) -> CandleArrays:
    """Prices / factor (tick-rounded, OHLC-consistent), volume x factor, OI as is; rows with factor 1 untouched."""
    rows = np.flatnonzero(factors != 1.0)
    if len(rows) == 0:
        return c
    f = factors[rows]
    o = np.maximum(half_up(c.open[rows] / f), 1)
    close = np.maximum(half_up(c.close[rows] / f), 1)
    high = np.maximum(np.ceil(c.high[rows] / f - _EPS).astype(np.int64), np.maximum(o, close))
    low = np.maximum(np.minimum(np.floor(c.low[rows] / f + _EPS).astype(np.int64), np.minimum(o, close)), 1)
    new_open, new_high, new_low, new_close, volume = (a.copy() for a in (c.open, c.high, c.low, c.close, c.volume))
    new_open[rows], new_high[rows], new_low[rows], new_close[rows] = o, high, low, close
    volume[rows] = half_up(c.volume[rows] * f)
    return CandleArrays(c.ts, new_open, new_high, new_low, new_close, volume, c.oi)


def rescale_close(close_ticks: np.ndarray, factor_then: np.ndarray, factor_now: np.ndarray) -> np.ndarray:
    """A close stated under the factor in force when it was posted, under today's factor (exact if unchanged)."""
    same = factor_then == factor_now
    scaled = np.maximum(half_up(close_ticks * factor_then / factor_now), 1)
    return np.where(same, close_ticks, scaled)


def set_closes(c: CandleArrays, rows: np.ndarray, closes: np.ndarray) -> CandleArrays:
    """New closes for some rows; high and low widen to include them so the candle stays consistent."""
    close, high, low = c.close.copy(), c.high.copy(), c.low.copy()
    close[rows] = closes
    high[rows] = np.maximum(high[rows], closes)
    low[rows] = np.minimum(low[rows], closes)
    return CandleArrays(c.ts, c.open, high, low, close, c.volume, c.oi)
