"""Deliberately broken candles for the ZZ* instruments, so clients can test their validation.

Intraday intervals: the candle whose bucket contains 12:00 of every trading day is the bad one
(ZZOFFHOURS instead gains an extra candle stamped 08:00). Day interval: the candle of the first trading
day of each ISO week is the bad one (ZZOFFHOURS gains an extra candle on that week's Saturday).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

SECONDS_PER_DAY = 86400
NOON_OFFSET_MINUTES = 165  # 12:00 is 165 minutes after the 09:15 open
PRE_OPEN_SECONDS = 8 * 3600


@dataclass(frozen=True)
class CandleArrays:
    """Candles as parallel arrays; ts is seconds since 0001-01-01 IST, prices in 0.05 ticks."""

    ts: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    oi: np.ndarray

    def take(self, index: np.ndarray) -> CandleArrays:
        return CandleArrays(*(a[index] for a in self.columns()))

    def columns(self) -> tuple[np.ndarray, ...]:
        return (self.ts, self.open, self.high, self.low, self.close, self.volume, self.oi)


def bad_rows(c: CandleArrays, minutes: int | None, first_of_week: np.ndarray) -> np.ndarray:
    """Which rows are the documented bad ones (see module docstring)."""
    if minutes is None:
        return first_of_week
    start = 9 * 3600 + 15 * 60 + (NOON_OFFSET_MINUTES // minutes) * minutes * 60
    return c.ts % SECONDS_PER_DAY == start


def corrupt(special: str, c: CandleArrays, minutes: int | None, first_of_week: np.ndarray) -> CandleArrays:
    bad = bad_rows(c, minutes, first_of_week)
    if special == "ZZBADOHLC":
        high = np.where(bad, c.low, c.high)
        low = np.where(bad, np.maximum(c.high, c.low + 1), c.low)
        return replace(c, high=high, low=low)
    if special == "ZZNEGVOL":
        return replace(c, volume=np.where(bad, -np.maximum(c.volume, 1), c.volume))
    if special == "ZZDUPTS":
        return c.take(np.repeat(np.arange(len(c.ts)), np.where(bad, 2, 1)))
    if special == "ZZOFFHOURS":
        return _with_off_hours(c, minutes, bad)
    return c


def _with_off_hours(c: CandleArrays, minutes: int | None, bad: np.ndarray) -> CandleArrays:
    if minutes is None:
        rows = np.flatnonzero(bad)
        days = c.ts[rows] // SECONDS_PER_DAY
        # ordinal 1 (0001-01-01) is a Monday, so (ordinal - 1) % 7 is the weekday
        saturday = days + (5 - (days - 1) % 7)
        extra_ts = saturday * SECONDS_PER_DAY
    else:
        rows = np.flatnonzero(c.ts % SECONDS_PER_DAY == 9 * 3600 + 15 * 60)
        extra_ts = (c.ts[rows] // SECONDS_PER_DAY) * SECONDS_PER_DAY + PRE_OPEN_SECONDS
    extra = c.take(rows)
    flat = extra.open
    extra = CandleArrays(extra_ts, flat, flat, flat, flat, np.ones_like(extra.volume), extra.oi)
    merged = CandleArrays(*(np.concatenate([a, b]) for a, b in zip(c.columns(), extra.columns(), strict=True)))
    return merged.take(np.argsort(merged.ts, kind="stable"))
