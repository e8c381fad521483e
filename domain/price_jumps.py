"""Day-over-day moves too large to pass unremarked: the mark of an adjustment nobody recorded, or a real crash.

Kite back-adjusts silently (domain/revisions.py); a corporate action kitefetch never saw leaves a fake jump of
the factor between two days of a series. A real crash looks the same, so such a move is reported as a warning,
never rejected (as OpenAlgo's Historify flags moves beyond 35 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from domain.candles import CandleFrame
from domain.clock_time import day_of
from domain.sessions import day_numbers

JUMP_LIMIT = 0.35


@dataclass(frozen=True, slots=True)
class PriceJump:
    day: date
    previous_day: date
    previous_close: float
    close: float

    @property
    def change(self) -> float:
        return self.close / self.previous_close - 1.0

    def describe(self, series: str) -> str:
        return (f"{series} {self.day.isoformat()}: close {self.close:g} is {self.change:+.1%} from "
                f"{self.previous_close:g} on {self.previous_day.isoformat()}, with no recorded corporate action")


def price_jumps(frame: CandleFrame, since_ts: int, limit: float = JUMP_LIMIT) -> list[PriceJump]:
    """Moves of each day's last close beyond ±`limit` from the previous day's, for days starting at or after
    `since_ts` (the candles before it only give the first day its previous close). `frame` sorted."""
    if len(frame) < 2:
        return []
    days = day_numbers(frame.ts)
    last_of_day = np.flatnonzero(np.append(days[1:] != days[:-1], True))
    closes = frame.close[last_of_day]
    day_list = days[last_of_day]
    if len(closes) < 2:
        return []
    with np.errstate(divide="ignore", invalid="ignore"):
        move = closes[1:] / closes[:-1] - 1.0
    fresh = frame.ts[last_of_day[1:]] >= since_ts
    hits = np.flatnonzero(fresh & (closes[:-1] > 0) & (np.abs(move) > limit))
    return [PriceJump(day_of(day_list[i + 1]), day_of(day_list[i]), float(closes[i]), float(closes[i + 1]))
            for i in hits.tolist()]
