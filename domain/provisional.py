"""Which stored candles Kite may still change: the day's close until the next morning, a running session's candles.

Kite revises a day candle's close "early the next morning" (staff; about 08:00 IST, before the open) and serves
a session's candles while it runs. A candle fetched before it is final is stored, marked provisional, and asked
for again by the next fetch, which stores Kite's final values. (A candle still forming is never stored at all:
Interval.complete_until.)
"""

from __future__ import annotations

import numpy as np

from domain.clock_time import DAY, IST_OFFSET_SECONDS
from domain.coverage import Span
from domain.interval import Interval
from domain.sessions import SessionTable, day_numbers

FINAL_AT_SECONDS = 8 * 3600  # 08:00 IST of the next trading day: a day candle is final from then on


def provisional_from(ts: np.ndarray, interval: Interval, now_ts: int, sessions: SessionTable) -> int | None:
    """The first of `ts` (sorted candle starts) that is not final at `now_ts`; None when all are.

    A day candle is final from 08:00 IST of the next day with a session after its own; an intraday one once its
    session has closed. `sessions` must hold the sessions from a few weeks before `now_ts` to a few weeks after it
    (a day candle with no later session day in it is not final yet).
    """
    if len(ts) == 0:
        return None
    if interval.is_intraday:
        running = (sessions.opens <= now_ts) & (now_ts < sessions.closes)
        if not running.any():
            return None
        open_ts = int(sessions.opens[np.argmax(running)])
        at = int(np.searchsorted(ts, open_ts, side="left"))
        return int(ts[at]) if at < len(ts) else None
    days = sessions.session_days()
    if len(days) == 0:
        return None
    candle_days = day_numbers(ts)
    nxt = np.searchsorted(days, candle_days, side="right")  # the next session day after each candle's
    known = nxt < len(days)
    final_at = np.full(len(ts), np.iinfo(np.int64).max)
    final_at[known] = days[nxt[known]] * DAY - IST_OFFSET_SECONDS + FINAL_AT_SECONDS
    pending = now_ts < final_at
    return int(ts[int(np.argmax(pending))]) if pending.any() else None


def next_marker(stored: int | None, replaced: Span | None, written: int | None) -> int | None:
    """A series' provisional marker after a write: the earlier of the stored one and the first provisional candle
    written, the stored one dropped when the write replaced the candles it marked (inclusive span)."""
    if stored is not None and replaced is not None and replaced[0] <= stored <= replaced[1]:
        stored = None
    marks = [m for m in (stored, written) if m is not None]
    return min(marks) if marks else None
