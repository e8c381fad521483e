"""Historical candles of one instrument over one window: a pure function of (seed, instrument, time).

Whole session days are generated and then filtered by candle start time, so a candle never depends
on the window it was fetched in. Intraday candles lie on each session block's own grid (see
special_sessions.py); a day candle exists for every day with a session.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np

from .activity import day_open_interest, day_volume, minute_open_interest, minute_volume
from .bad_data import SECONDS_PER_DAY, CandleArrays, corrupt
from .contracts import future_symbol, monthly_listing
from .counter_hash import stable_key
from .derivative_pricing import future_bars, option_bars, to_ticks, years_to_expiry
from .history_edits import InstrumentEdits
from .instruments import Instrument
from .price_paths import RawBars, day_bars, minute_bars
from .session_days import (
    candle_grid,
    day_index_of,
    day_index_range,
    first_of_iso_week,
    session_length,
    session_ordinals,
    shapes_of,
)
from .special_sessions import Block
from .trading_calendar import EPOCH_START, monthly_expiries, session_over


@dataclass(frozen=True)
class CandleQuery:
    """A validated historical request; datetimes are naive IST."""

    instrument: Instrument
    minutes: int | None  # None = day candles
    start: datetime.datetime
    end: datetime.datetime
    continuous: bool
    now: datetime.datetime  # nothing after this exists yet


def _seconds(dt: datetime.datetime) -> int:
    return dt.toordinal() * SECONDS_PER_DAY + dt.hour * 3600 + dt.minute * 60 + dt.second


def candles(seed: int, q: CandleQuery, edits: InstrumentEdits | None = None) -> CandleArrays:
    """The candles served for `q`; `edits` (corporate actions, revised closes) apply when given."""
    inst = q.instrument
    first, last = q.start.date(), min(q.end.date(), q.now.date())
    if inst.kind in ("future", "option") and not q.continuous:
        assert inst.listing is not None and inst.expiry is not None  # every contract has both
        first, last = max(first, inst.listing), min(last, inst.expiry)
    if inst.special == "ZZOFFHOURS" and q.minutes is None:
        first -= datetime.timedelta(6)  # a week's weekend candle comes from its first session day
    days = day_index_range(max(first, EPOCH_START), last)
    if q.continuous and inst.kind == "future":
        arrays = _continuous_days(seed, inst, days)
    elif q.minutes is None:
        arrays = _day_candles(seed, inst, days)
    else:
        arrays = _intraday_candles(seed, inst, days, q.minutes)
    if edits is not None:
        arrays = edits.adjust(arrays)  # before corruption, so a bad candle stays bad once adjusted
    if inst.special:
        arrays = corrupt(inst.special, arrays, q.minutes, first_of_iso_week()[days])
    lo, hi = _seconds(q.start), _seconds(q.end)
    if q.minutes is None:
        cutoff = (q.now.toordinal() + (0 if session_over(q.now) else -1)) * SECONDS_PER_DAY
    else:
        cutoff = _seconds(q.now)
    keep = (arrays.ts >= lo) & (arrays.ts <= min(hi, cutoff))
    served = arrays.take(np.flatnonzero(keep))
    return served if edits is None else edits.revise(served, q.minutes)


def _price(inst: Instrument, under: RawBars, years: np.ndarray) -> RawBars:
    if inst.kind == "future":
        return future_bars(under, years)
    if inst.kind == "option":
        return option_bars(under, inst.strike, years, inst.option_vol, inst.instrument_type == "CE")
    return under


def _years(inst: Instrument, days: np.ndarray) -> np.ndarray:
    if inst.expiry is None:
        return np.zeros(len(days))
    return years_to_expiry(session_ordinals()[days], inst.expiry.toordinal())


def _listing_expiry_index(inst: Instrument) -> tuple[int, int]:
    if inst.listing is None or inst.expiry is None:
        return 0, 0
    return day_index_of(inst.listing, "left"), day_index_of(inst.expiry, "right") - 1


def _day_candles(seed: int, inst: Instrument, days: np.ndarray) -> CandleArrays:
    raw = _price(inst, day_bars(seed, inst.path, days), _years(inst, days))
    o, h, lw, c = to_ticks(raw)
    lot = max(inst.lot_size, 1)
    vol = day_volume(seed, inst.series, inst.volume_scale, lot, days)
    if inst.kind in ("future", "option"):
        oi = day_open_interest(seed, inst.series, inst.volume_scale, lot, days, *_listing_expiry_index(inst))
    else:
        oi = np.zeros(len(days), dtype=np.int64)
    return CandleArrays(session_ordinals()[days] * SECONDS_PER_DAY, o, h, lw, c, vol, oi)


def _intraday_candles(seed: int, inst: Instrument, days: np.ndarray, minutes: int) -> CandleArrays:
    """Regular days in one numpy block, then each special session shape; ordered by time."""
    parts = [_shaped_candles(seed, inst, group, minutes, blocks) for blocks, group in shapes_of(days)]
    if len(parts) == 1:
        return parts[0]
    merged = CandleArrays(*(np.concatenate(cols) for cols in zip(*(p.columns() for p in parts), strict=True)))
    return merged.take(np.argsort(merged.ts, kind="stable"))


def _shaped_candles(
    seed: int, inst: Instrument, days: np.ndarray, minutes: int, blocks: tuple[Block, ...]
) -> CandleArrays:
    m = session_length(blocks)
    starts, ends, clock = candle_grid(blocks, minutes)
    bars = minute_bars(seed, inst.path, days, m)
    under = RawBars(bars.open[:, starts], np.maximum.reduceat(bars.high, starts, axis=1),
                    np.minimum.reduceat(bars.low, starts, axis=1), bars.close[:, ends])
    years = _years(inst, days)[:, None]
    o, h, lw, c = to_ticks(_price(inst, under, years))
    lot = max(inst.lot_size, 1)
    vol = np.add.reduceat(minute_volume(seed, inst.series, inst.volume_scale, lot, days, m), starts, axis=1)
    if inst.kind in ("future", "option"):
        oi = minute_open_interest(seed, inst.series, inst.volume_scale, lot, days,
                                  *_listing_expiry_index(inst), m)[:, ends]
    else:
        oi = np.zeros_like(vol)
    ts = session_ordinals()[days][:, None] * SECONDS_PER_DAY + clock[None, :] * 60
    return CandleArrays(ts.ravel(), o.ravel(), h.ravel(), lw.ravel(), c.ravel(), vol.ravel(), oi.ravel())


def _continuous_days(seed: int, inst: Instrument, days: np.ndarray) -> CandleArrays:
    """Front-month futures day candles, rolling to the next contract the day after each expiry."""
    ords = session_ordinals()[days]
    if len(days) == 0:
        return _day_candles(seed, inst, days)
    first = datetime.date.fromordinal(int(ords[0]))
    months = (int(ords[-1]) - int(ords[0])) // 28 + 3
    expiries = monthly_expiries(first, months, inst.expiry_weekday)
    exp_ords = np.array([e.toordinal() for e in expiries])
    front = exp_ords[np.searchsorted(exp_ords, ords, side="left")]
    raw = future_bars(day_bars(seed, inst.path, days), years_to_expiry(ords, front))
    o, h, lw, c = to_ticks(raw)
    vol = np.zeros(len(days), dtype=np.int64)
    oi = np.zeros(len(days), dtype=np.int64)
    for exp_ord in np.unique(front).tolist():
        expiry = datetime.date.fromordinal(exp_ord)
        rows = front == exp_ord
        series = stable_key(inst.exchange, future_symbol(inst.name, expiry))
        listing = day_index_of(monthly_listing(expiry, inst.expiry_weekday), "left")
        expiry_index = day_index_of(expiry, "right") - 1
        vol[rows] = day_volume(seed, series, inst.volume_scale, inst.lot_size, days[rows])
        oi[rows] = day_open_interest(seed, series, inst.volume_scale, inst.lot_size, days[rows], listing,
                                     expiry_index)
    return CandleArrays(ords * SECONDS_PER_DAY, o, h, lw, c, vol, oi)
