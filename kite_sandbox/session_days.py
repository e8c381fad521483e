"""Every day with a session, in order: a day's position here is its index in every price and volume path.

Regular trading days and the special sessions alike get an index, so a Muhurat hour or a Budget Saturday
has its own daily open and close. Days with the regular shape (09:15-15:30, weekend Budget sessions
included) are generated together in one numpy block; only the few other shapes are handled per shape.
"""

from __future__ import annotations

import datetime
from functools import cache
from typing import Literal

import numpy as np

from .special_sessions import REGULAR_SESSION, Block
from .trading_calendar import EPOCH_END, EPOCH_START, MINUTES_PER_SESSION, session_blocks


@cache
def session_ordinals() -> np.ndarray:
    """Ordinals of every day with a session in the epoch."""
    days = (EPOCH_START + datetime.timedelta(n) for n in range((EPOCH_END - EPOCH_START).days + 1))
    return np.array([d.toordinal() for d in days if session_blocks(d)], dtype=np.int64)


@cache
def odd_shapes() -> dict[int, tuple[Block, ...]]:
    """Session index -> blocks, for the sessions not shaped 09:15-15:30."""
    out = {}
    for i, o in enumerate(session_ordinals().tolist()):
        blocks = session_blocks(datetime.date.fromordinal(o))
        if blocks != REGULAR_SESSION:
            out[i] = blocks
    return out


@cache
def session_fraction() -> np.ndarray:
    """Each session's length as a share of a regular one (1.0 for all but the short sessions)."""
    out = np.ones(len(session_ordinals()))
    for i, blocks in odd_shapes().items():
        out[i] = session_length(blocks) / MINUTES_PER_SESSION
    return out


def session_length(blocks: tuple[Block, ...]) -> int:
    return sum(close - open_ for open_, close in blocks)


def shapes_of(days: np.ndarray) -> list[tuple[tuple[Block, ...], np.ndarray]]:
    """The days grouped by session shape, regular first; each group keeps the days' order."""
    odd = odd_shapes()
    if not odd or len(days) == 0 or days[-1] < min(odd) or days[0] > max(odd):
        return [(REGULAR_SESSION, days)]
    groups: dict[tuple[Block, ...], list[int]] = {REGULAR_SESSION: []}
    for d in days.tolist():
        groups.setdefault(odd.get(d, REGULAR_SESSION), []).append(d)
    return [(b, np.array(ds, dtype=np.int64)) for b, ds in groups.items() if ds]


@cache
def first_of_iso_week() -> np.ndarray:
    """True where a session day is the first of its ISO week."""
    ords = session_ordinals()
    weeks = np.array([datetime.date.fromordinal(int(o)).isocalendar()[:2] for o in ords])
    week_id = weeks[:, 0] * 100 + weeks[:, 1]
    first = np.ones(len(ords), dtype=bool)
    first[1:] = week_id[1:] != week_id[:-1]
    return first


def day_index_range(first: datetime.date, last: datetime.date) -> np.ndarray:
    """Path indices of the session days in [first, last] (inclusive)."""
    ords = session_ordinals()
    lo = np.searchsorted(ords, first.toordinal(), side="left")
    hi = np.searchsorted(ords, last.toordinal(), side="right")
    return np.arange(lo, max(lo, hi), dtype=np.int64)


def day_index_of(day: datetime.date, side: Literal["left", "right"]) -> int:
    return int(np.searchsorted(session_ordinals(), day.toordinal(), side=side))


@cache
def candle_grid(blocks: tuple[Block, ...], minutes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First and last session minute of each `minutes` candle, and its start in minutes after midnight.

    Each block opens its own grid; a block's last candle may be short (60minute over 09:15-10:00 is one
    candle of 45 minutes).
    """
    starts, ends, clock = [], [], []
    offset = 0
    for open_, close in blocks:
        length = close - open_
        first = np.arange(0, length, minutes)
        starts.append(offset + first)
        ends.append(offset + np.minimum(first + minutes, length) - 1)
        clock.append(open_ + first)
        offset += length
    return np.concatenate(starts), np.concatenate(ends), np.concatenate(clock)
