"""Deliberately broken candles for the ZZ* instruments, so clients can test their validation.

Intraday intervals: the candle whose bucket contains 12:00 of every session day is the bad one
(ZZOFFHOURS instead gains an extra candle stamped 08:00 on every session day, before any session opens).
Day interval: the candle of the first session day of each ISO week is the bad one (ZZOFFHOURS gains an
extra candle on that week's Saturday, or its Sunday when the Saturday has a real session).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .special_sessions import SPECIAL_SESSIONS

SECONDS_PER_DAY = 86400
NOON_SECONDS = 12 * 3600
PRE_OPEN_SECONDS = 8 * 3600
_WEEKEND_SESSIONS = np.array(sorted(d.toordinal() for d in SPECIAL_SESSIONS if d.weekday() >= 5), dtype=np.int64)


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
    start = c.ts % SECONDS_PER_DAY
    return (start <= NOON_SECONDS) & (start + minutes * 60 > NOON_SECONDS)


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
        weekend = np.where(np.isin(saturday, _WEEKEND_SESSIONS), saturday + 1, saturday)
        extra_ts = weekend * SECONDS_PER_DAY
    else:
        days = c.ts // SECONDS_PER_DAY
        rows = np.flatnonzero(np.diff(days, prepend=-1) != 0)  # each day's first candle
        extra_ts = days[rows] * SECONDS_PER_DAY + PRE_OPEN_SECONDS
    extra = c.take(rows)
    flat = extra.open
    extra = CandleArrays(extra_ts, flat, flat, flat, flat, np.ones_like(extra.volume), extra.oi)
    merged = CandleArrays(*(np.concatenate([a, b]) for a, b in zip(c.columns(), extra.columns(), strict=True)))
    return merged.take(np.argsort(merged.ts, kind="stable"))
