"""Synthetic price paths of underlyings: a daily walk plus intraday Brownian bridges.

Daily log closes follow a mean-reverting walk (so prices stay near `base` for decades) indexed by the
session day's position in the epoch; a short session (a Muhurat hour) draws a proportionally smaller
move. Each session is a Brownian bridge from the day's open to its close over its one-minute steps (375
on a regular day), with wicks. Everything is a hash of (seed, path key, index), so any minute can be
generated alone; day candles are exact aggregates of the minutes (cached per block of days).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .counter_hash import normal, stable_key, uniform
from .session_days import odd_shapes, session_fraction, session_length, session_ordinals
from .trading_calendar import MINUTES_PER_SESSION

_MEAN_REVERSION = 0.998
_GAP_SIGMA = 0.004
_WICK = 0.6
_BLOCK_DAYS = 256


@dataclass(frozen=True, slots=True)
class PathSpec:
    """Identity of one price path: who it belongs to, where it hovers and how wild it is."""

    key: int
    base: float
    sigma: float  # daily log-return volatility


@dataclass(frozen=True, slots=True)
class RawBars:
    """Unrounded OHLC prices; arrays of the same shape."""

    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray


@lru_cache(maxsize=4096)
def daily_log_path(seed: int, spec: PathSpec) -> tuple[np.ndarray, np.ndarray]:
    """Log open and log close for every session day of the epoch."""
    n = len(session_ordinals())
    idx = np.arange(n, dtype=np.int64)
    scale = spec.sigma * np.sqrt(session_fraction())
    shocks = (scale * normal(stable_key(seed, spec.key, "daily"), idx)).tolist()
    walk = [0.0] * n
    x = 0.0
    for i, s in enumerate(shocks):
        x = _MEAN_REVERSION * x + s
        walk[i] = x
    log_close = math.log(spec.base) + np.array(walk)
    gaps = _GAP_SIGMA * normal(stable_key(seed, spec.key, "gap"), idx)
    log_open = np.empty(n)
    log_open[0] = math.log(spec.base) + gaps[0]
    log_open[1:] = log_close[:-1] + gaps[1:]
    return log_open, log_close


def close_on(seed: int, spec: PathSpec, day_index: int) -> float:
    return float(math.exp(daily_log_path(seed, spec)[1][day_index]))


def minute_bars(seed: int, spec: PathSpec, days: np.ndarray, m: int = MINUTES_PER_SESSION) -> RawBars:
    """One-minute bars for session-day indices whose sessions last `m` minutes, shape (len(days), m)."""
    log_open, log_close = daily_log_path(seed, spec)
    lo, lc = log_open[days][:, None], log_close[days][:, None]
    flat = (days[:, None] * MINUTES_PER_SESSION + np.arange(m)[None, :]).ravel()
    step = spec.sigma / math.sqrt(MINUTES_PER_SESSION)
    walk = np.cumsum(step * normal(stable_key(seed, spec.key, "intraday"), flat).reshape(-1, m), axis=1)
    frac = np.arange(1, m + 1)[None, :] / m
    points = np.empty((len(days), m + 1))
    points[:, 0:1] = lo
    points[:, 1:] = lo + frac * (lc - lo) + walk - frac * walk[:, -1:]
    points[:, -1:] = lc
    prices = np.exp(points)
    o, c = prices[:, :-1], prices[:, 1:]
    up = -np.log(uniform(stable_key(seed, spec.key, "wick_up"), flat)).reshape(-1, m)
    down = -np.log(uniform(stable_key(seed, spec.key, "wick_down"), flat)).reshape(-1, m)
    high = np.maximum(o, c) * np.exp(_WICK * step * up)
    low = np.minimum(o, c) * np.exp(-_WICK * step * down)
    return RawBars(o, high, low, c)


_block_lock = threading.Lock()


@lru_cache(maxsize=20000)
def _day_block(seed: int, spec: PathSpec, block: int) -> RawBars:
    n = len(session_ordinals())
    first = block * _BLOCK_DAYS
    days = np.arange(first, min(n, first + _BLOCK_DAYS), dtype=np.int64)
    bars = minute_bars(seed, spec, days)
    out = RawBars(bars.open[:, 0], bars.high.max(axis=1), bars.low.min(axis=1), bars.close[:, -1])
    for day, blocks in odd_shapes().items():
        if first <= day < first + len(days):
            one = minute_bars(seed, spec, np.array([day]), session_length(blocks))
            row = day - first
            out.open[row], out.close[row] = one.open[0, 0], one.close[0, -1]
            out.high[row], out.low[row] = one.high.max(), one.low.min()
    return out


def day_bars(seed: int, spec: PathSpec, days: np.ndarray) -> RawBars:
    """Daily bars (exact aggregates of minute_bars) for sorted session-day indices."""
    if len(days) == 0:
        empty = np.empty(0)
        return RawBars(empty, empty, empty, empty)
    parts = []
    for block in range(int(days[0]) // _BLOCK_DAYS, int(days[-1]) // _BLOCK_DAYS + 1):
        with _block_lock:
            parts.append(_day_block(seed, spec, block))
    o = np.concatenate([p.open for p in parts])
    h = np.concatenate([p.high for p in parts])
    lw = np.concatenate([p.low for p in parts])
    c = np.concatenate([p.close for p in parts])
    pos = days - (int(days[0]) // _BLOCK_DAYS) * _BLOCK_DAYS
    return RawBars(o[pos], h[pos], lw[pos], c[pos])
