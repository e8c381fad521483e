"""What makes a candle unfit to store; applied before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from domain.candles import CandleFrame
from domain.clock_time import DAY, IST_OFFSET_SECONDS, SESSION_CLOSE_SECONDS, SESSION_OPEN_SECONDS
from domain.interval import Interval
from domain.market import Segment

# Prices outside these bounds are feed errors, not markets: a share never trades at 0 (an option may),
# and nothing listed in India trades above these ceilings.
_EQUITY_CEILING = 1e7
_DERIVATIVES_CEILING = 1e8


@dataclass(frozen=True, slots=True)
class ValidationReport:
    valid: CandleFrame
    rejected: int
    reasons: dict[str, int] = field(default_factory=dict)


def _session_mask(ts: np.ndarray, interval: Interval) -> np.ndarray:
    local = ts + IST_OFFSET_SECONDS
    days = local // DAY
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday == 0
    into_day = local % DAY
    on_weekday = weekday < 5
    if not interval.is_intraday:
        return np.asarray(on_weekday & (into_day == 0), dtype=bool)
    in_session = (into_day >= SESSION_OPEN_SECONDS) & (into_day < SESSION_CLOSE_SECONDS)
    aligned = (into_day - SESSION_OPEN_SECONDS) % interval.step_seconds == 0
    return np.asarray(on_weekday & in_session & aligned, dtype=bool)


def validate_candles(frame: CandleFrame, segment: Segment, interval: Interval) -> ValidationReport:
    """Drop invalid candles: broken OHLC, impossible prices, negative volume/OI, duplicates, off-session stamps."""
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
    session_ok = _session_mask(frame.ts, interval)
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
    for name, mask in checks.items():
        fresh = mask & ~bad
        count = int(fresh.sum())
        if count:
            reasons[name] = count
        bad |= mask
    rejected = int(bad.sum())
    valid = frame if rejected == 0 else frame.take(~bad)
    return ValidationReport(valid.sorted_unique(), rejected, reasons)
