"""Continuous futures: which contract is the front one on each day, and back-adjustment at each roll.

Rules:
- Contracts are taken in expiry order; each is the front contract from the day after the previous one's last
  day through its own last day. The one before the first known contract is unknown (Kite lists live contracts
  only, so the instrument cache knows those it saw): the first one is taken as the front one for as long before
  its last day as the shortest gap between two known last days (28 days when it is the only one), never longer.
- `expiry` roll: a contract's last day is its expiry (the last session day on or before it). `days_before:N`: N
  session days before that, so the next contract is traded on the N sessions up to and including the expiry.
- Back-adjustment at a roll compares the two contracts at the old one's last candle in the series: "difference"
  adds (new close - old close) to every earlier price, "ratio" multiplies every earlier price by new / old. The
  latest contract keeps its traded prices; volume and oi are never adjusted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import numpy as np

from domain.candles import CandleFrame
from domain.clock_time import day_number, day_of
from domain.errors import InvalidInput
from domain.instrument import Instrument
from domain.market import Exchange

MAX_DAYS_BEFORE = 30
ONE_CYCLE = timedelta(days=28)  # the shortest month: monthly expiries are 28 or 35 days apart
_DAYS_BEFORE = re.compile(r"^days_before:([0-9]{1,2})$")
ROLL_FORMS = f"expiry or days_before:N (N from 0 to {MAX_DAYS_BEFORE} session days)"


def futures_of(instruments: Iterable[Instrument], exchange: Exchange, underlying: str) -> list[Instrument]:
    """The futures of `underlying` on `exchange` in expiry order; the name as Kite spells it, else in upper case."""
    futures = [i for i in instruments if i.exchange == exchange.value and i.instrument_type == "FUT"
               and i.expiry is not None]
    names = {i.name for i in futures}
    name = underlying if underlying in names else underlying.upper()
    return sorted((i for i in futures if i.name == name), key=lambda i: (i.expiry, i.tradingsymbol))


class Adjustment(StrEnum):
    DIFFERENCE = "difference"
    RATIO = "ratio"

    @classmethod
    def parse(cls, text: str | None) -> Adjustment | None:
        if text is None:
            return None
        try:
            return cls(str(text).strip().lower())
        except ValueError:
            raise InvalidInput(f"Unknown adjust {text!r}: use None, difference or ratio") from None


@dataclass(frozen=True, slots=True)
class RollRule:
    """Roll `days_before` session days before each expiry (0: at the expiry)."""

    days_before: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.days_before <= MAX_DAYS_BEFORE:
            raise InvalidInput(f"roll must be {ROLL_FORMS}")

    @classmethod
    def parse(cls, text: str) -> RollRule:
        value = str(text).strip().lower()
        if value == "expiry":
            return cls()
        form = _DAYS_BEFORE.match(value)
        if form is None:
            raise InvalidInput(f"Unknown roll {text!r}: use {ROLL_FORMS}")
        return cls(int(form.group(1)))

    def last_days(self, expiries: list[date], session_days: np.ndarray) -> list[date]:
        """Each contract's last day as the front one; `session_days` (day numbers, ascending) must hold the
        sessions of the weeks before each expiry. An expiry before every session keeps its own day."""
        out = []
        for expiry in expiries:
            at = int(np.searchsorted(session_days, day_number(expiry), side="right")) - 1 - self.days_before
            out.append(day_of(int(session_days[at])) if at >= 0 else expiry)
        return out

    def __str__(self) -> str:
        return "expiry" if self.days_before == 0 else f"days_before:{self.days_before}"


def front_windows(last_days: list[date]) -> list[tuple[date, date]]:
    """Each contract's first and last day as the front one, from the contracts' last days (ascending)."""
    gaps = [b - a for a, b in zip(last_days, last_days[1:], strict=False)]
    cycle = min(gaps, default=ONE_CYCLE)
    firsts = [last_days[0] - cycle + timedelta(days=1)] + [day + timedelta(days=1) for day in last_days[:-1]]
    return list(zip(firsts, last_days, strict=True))


def back_adjustments(old_closes: np.ndarray, new_closes: np.ndarray, how: Adjustment) -> np.ndarray:
    """Per contract (one more than rolls), what its prices are shifted by (difference) or scaled by (ratio):
    the adjustments of every later roll combined; the last contract's is the identity."""
    old, new = np.asarray(old_closes, dtype=np.float64), np.asarray(new_closes, dtype=np.float64)
    if how is Adjustment.DIFFERENCE:
        steps, identity = new - old, 0.0
        return np.append(np.cumsum(steps[::-1])[::-1], identity)
    return np.append(np.cumprod((new / old)[::-1])[::-1], 1.0)


def adjust(frame: CandleFrame, contract: np.ndarray, per_contract: np.ndarray, how: Adjustment) -> CandleFrame:
    """The frame's prices adjusted by `per_contract[contract[row]]` (from back_adjustments)."""
    by_row = per_contract[contract]
    o, h, low, c = ((column + by_row if how is Adjustment.DIFFERENCE else column * by_row)
                    for column in (frame.open, frame.high, frame.low, frame.close))
    return CandleFrame(frame.ts, o, h, low, c, frame.volume, frame.oi)
