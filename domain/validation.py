"""What makes a candle unfit to store; applied before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from domain.candles import CandleFrame
from domain.clock_time import day_of
from domain.interval import Interval
from domain.market import Segment
from domain.sessions import SessionTable, day_numbers

DayCount = tuple[date, int]

# Prices outside these bounds are feed errors, not markets: a share never trades at 0 (an option may),
# and nothing listed in India trades above these ceilings.
_EQUITY_CEILING = 1e7
_DERIVATIVES_CEILING = 1e8


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """`out_of_session` lists, per IST day in order, the candles rejected for lying outside every known session
    (and for nothing else before it): what a calendar that lacks a session would otherwise lose unseen."""

    valid: CandleFrame
    rejected: int
    reasons: dict[str, int] = field(default_factory=dict)
    out_of_session: tuple[DayCount, ...] = ()


def _per_day(ts: np.ndarray) -> tuple[DayCount, ...]:
    days, counts = np.unique(day_numbers(ts), return_counts=True)
    return tuple((day_of(d), int(c)) for d, c in zip(days.tolist(), counts.tolist(), strict=True))


def validate_candles(frame: CandleFrame, segment: Segment, interval: Interval,
                     sessions: SessionTable) -> ValidationReport:
    """Drop invalid candles: broken OHLC, impossible prices, negative volume/OI, duplicates, and stamps outside
    `sessions` (which must hold the frame's days) or off the grid anchored at their session's open."""
    n = len(frame)
    if n == 0:
        return ValidationReport(frame, 0, {})
    o, h, lo, c = frame.open, frame.high, frame.low, frame.close
    with np.errstate(invalid="ignore"):
        ohlc_ok = (lo <= np.minimum(o, c)) & (h >= np.maximum(o, c)) & (lo <= h)
        prices = np.stack([o, h, lo, c])
        if segment is Segment.EQUITY:
            range_ok = (prices > 0).all(axis=0) & (prices < _EQUITY_CEILING).all(axis=0)
        else:
            range_ok = (prices >= 0).all(axis=0) & (prices < _DERIVATIVES_CEILING).all(axis=0)
        range_ok &= np.isfinite(prices).all(axis=0)
    volume_ok = frame.volume >= 0
    if frame.oi is not None:
        volume_ok &= frame.oi >= 0
    session_ok = sessions.candle_mask(frame.ts, interval.step_seconds if interval.is_intraday else None)
    duplicate = np.zeros(n, dtype=bool)
    if n > 1:
        order = np.argsort(frame.ts, kind="stable")
        sorted_ts = frame.ts[order]
        dup_sorted = np.zeros(n, dtype=bool)
        dup_sorted[1:] = sorted_ts[1:] == sorted_ts[:-1]
        duplicate[order] = dup_sorted
    checks = {
        "ohlc": ~ohlc_ok,
        "price_range": ~range_ok,
        "negative_volume": ~volume_ok,
        "out_of_session": ~session_ok,
        "duplicate_timestamp": duplicate,
    }
    bad = np.zeros(n, dtype=bool)
    reasons: dict[str, int] = {}
    off_session: tuple[DayCount, ...] = ()
    for name, mask in checks.items():
        fresh = mask & ~bad
        count = int(fresh.sum())
        if count:
            reasons[name] = count
            if name == "out_of_session":
                off_session = _per_day(frame.ts[fresh])
        bad |= mask
    rejected = int(bad.sum())
    valid = frame if rejected == 0 else frame.take(~bad)
    return ValidationReport(valid.sorted_unique(), rejected, reasons, off_session)
