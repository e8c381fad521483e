"""Volume and open interest: hashed per (series key, session day), split across minutes.

A day's volume is drawn first (a short session trades its share of a regular day) and then divided
among the session's minutes (375 on a regular day) along a U-shaped profile with exact integer
arithmetic, so minute volumes always sum to the day candle's volume.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .counter_hash import stable_key, uniform
from .session_days import session_fraction
from .trading_calendar import MINUTES_PER_SESSION


@lru_cache(maxsize=16)
def _profile(m: int) -> np.ndarray:
    """Busy at the open and the close, quieter in between."""
    minutes = np.arange(m)
    return 1.0 + 1.5 * np.exp(-minutes / 30.0) + 1.0 * np.exp(-(m - 1 - minutes) / 30.0)


def day_volume(seed: int, series: int, scale: float, lot: int, days: np.ndarray) -> np.ndarray:
    """Units traded per day (a multiple of `lot`); zero when scale is zero (indices)."""
    if scale <= 0:
        return np.zeros(len(days), dtype=np.int64)
    u = uniform(stable_key(seed, series, "volume"), days)
    lots = np.floor(scale * session_fraction()[days] * (0.4 + 1.2 * u) / lot).astype(np.int64) + 1
    return lots * lot


def minute_volume(
    seed: int, series: int, scale: float, lot: int, days: np.ndarray, m: int = MINUTES_PER_SESSION
) -> np.ndarray:
    """Per-minute volumes of `m`-minute sessions, shape (len(days), m), each row summing to day_volume."""
    totals = day_volume(seed, series, scale, lot, days)
    if len(days) == 0 or scale <= 0:
        return np.zeros((len(days), m), dtype=np.int64)
    flat = (days[:, None] * MINUTES_PER_SESSION + np.arange(m)[None, :]).ravel()
    weights = _profile(m)[None, :] * (0.3 + uniform(stable_key(seed, series, "split"), flat).reshape(-1, m))
    share = np.cumsum(weights, axis=1) / weights.sum(axis=1, keepdims=True)
    lots = totals // lot
    cum = np.floor(share * lots[:, None] + 1e-9).astype(np.int64)
    cum[:, -1] = lots
    per_minute = np.diff(cum, axis=1, prepend=0)
    return per_minute * lot


def day_open_interest(
    seed: int, series: int, scale: float, lot: int, days: np.ndarray, listing_index: int, expiry_index: int
) -> np.ndarray:
    """End-of-day open interest: builds up from listing towards expiry, a positive multiple of lot."""
    span = max(1, expiry_index - listing_index)
    progress = np.clip((days - listing_index) / span, 0.0, 1.0)
    noise = uniform(stable_key(seed, series, "oi"), days)
    lots = np.floor(scale * 3.0 * (0.15 + progress) * (0.9 + 0.2 * noise) / lot).astype(np.int64) + 1
    return lots * lot


def minute_open_interest(
    seed: int, series: int, scale: float, lot: int, days: np.ndarray, listing_index: int, expiry_index: int,
    m: int = MINUTES_PER_SESSION,
) -> np.ndarray:
    """Open interest per minute, moving linearly from the previous close's to today's close's."""
    today = day_open_interest(seed, series, scale, lot, days, listing_index, expiry_index)
    before = day_open_interest(seed, series, scale, lot, days - 1, listing_index, expiry_index)
    before = np.where(days <= listing_index, np.maximum(lot, today // (2 * lot) * lot), before)
    frac = (np.arange(m)[None, :] + 1) / m
    lots = np.rint((before[:, None] + (today - before)[:, None] * frac) / lot).astype(np.int64)
    return np.maximum(lots, 1) * lot
