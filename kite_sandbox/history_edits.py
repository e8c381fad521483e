"""Which corporate actions and revised closes are in force, shared by every request thread.

Each change publishes a new immutable InstrumentEdits for the instrument it touches (copy-on-write), so a
response takes one snapshot with a single dict lookup and is computed against it from start to end: an
action posted meanwhile never tears it. An instrument nobody touched costs that lookup and nothing else.
"""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .adjustment import adjust, candle_factors, rescale_close, set_closes, suffix_products
from .bad_data import SECONDS_PER_DAY, CandleArrays
from .corporate_actions import CorporateAction

if TYPE_CHECKING:
    from .instruments import Instrument
    from .universe import Universe


@dataclass(frozen=True)
class ActionInForce:
    """A validated action bound to the instrument token it was resolved to."""

    token: int
    action: CorporateAction
    preloaded: bool = False  # from --corporate-actions: reset keeps it

    def to_json(self) -> dict[str, Any]:
        return {**self.action.to_json(), "instrument_token": self.token, "preloaded": self.preloaded}


@dataclass(frozen=True)
class Revision:
    """One served candle's new close, stated under the factor that candle had when the revision was posted."""

    token: int
    exchange: str
    symbol: str
    interval: str
    minutes: int | None  # None = day candles
    ts: int  # seconds since 0001-01-01 IST, as CandleArrays.ts
    close_ticks: int
    factor_then: float

    def to_json(self) -> dict[str, Any]:
        day, seconds = divmod(self.ts, SECONDS_PER_DAY)
        stamp = datetime.datetime.fromordinal(day) + datetime.timedelta(seconds=seconds)
        return {"exchange": self.exchange, "symbol": self.symbol, "instrument_token": self.token,
                "interval": self.interval, "timestamp": stamp.strftime("%Y-%m-%dT%H:%M:%S+0530"),
                "close": self.close_ticks / 20.0}


@dataclass(frozen=True)
class InstrumentEdits:
    """One instrument's actions (as sorted ex-dates and suffix products) and revisions per interval."""

    ex_days: np.ndarray
    suffix: np.ndarray
    revisions: dict[int | None, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)

    @classmethod
    def build(cls, actions: list[CorporateAction], revisions: list[Revision]) -> InstrumentEdits:
        # sorted by value, not by posting order, so the float product is the same whatever the order
        ordered = sorted(actions, key=lambda a: (a.ex_date, a.factor, a.kind))
        ex_days = np.array([a.ex_date.toordinal() for a in ordered], dtype=np.int64)
        by_interval: dict[int | None, list[Revision]] = {}
        for rev in sorted(revisions, key=lambda r: r.ts):  # sorted, so a served stamp is found by bisection
            by_interval.setdefault(rev.minutes, []).append(rev)
        columns = {minutes: (np.array([r.ts for r in revs], dtype=np.int64),
                             np.array([r.close_ticks for r in revs], dtype=np.int64),
                             np.array([r.factor_then for r in revs]))
                   for minutes, revs in by_interval.items()}
        return cls(ex_days, suffix_products(np.array([a.factor for a in ordered])), columns)

    def factors(self, ts: np.ndarray) -> np.ndarray:
        return candle_factors(ts, self.ex_days, self.suffix)

    def adjust(self, c: CandleArrays) -> CandleArrays:
        """Back-adjust every candle dated before an ex-date (call before bad-data corruption)."""
        return adjust(c, self.factors(c.ts)) if len(self.ex_days) else c

    def revise(self, c: CandleArrays, minutes: int | None) -> CandleArrays:
        """Apply this interval's revised closes to the served candles (call on the final, filtered rows)."""
        if minutes not in self.revisions:
            return c
        rev_ts, rev_close, rev_factor = self.revisions[minutes]
        rows = np.flatnonzero(np.isin(c.ts, rev_ts))
        if len(rows) == 0:
            return c
        which = np.searchsorted(rev_ts, c.ts[rows])
        closes = rescale_close(rev_close[which], rev_factor[which], self.factors(c.ts[rows]))
        return set_closes(c, rows, closes)


class HistoryEdits:
    """The actions and revisions in force; `reset()` goes back to the preloaded actions."""

    def __init__(self, preloaded: tuple[ActionInForce, ...] = ()) -> None:
        self._lock = threading.Lock()
        self._preloaded = preloaded
        self.reset()

    def for_instrument(self, token: int) -> InstrumentEdits | None:
        """The snapshot a response uses; None (the common case) means serve candles as generated."""
        return self._by_token.get(token)

    def add_action(self, action: ActionInForce) -> None:
        with self._lock:
            self._actions.append(action)
            self._publish(action.token)

    def add_revision(self, token: int, exchange: str, symbol: str, interval: str, minutes: int | None,
                     ts: int, close_ticks: int) -> Revision:
        """Record a new close for one candle (replacing an earlier revision of it) under today's factor."""
        with self._lock:
            current = self._by_token.get(token)
            factor = float(current.factors(np.array([ts]))[0]) if current is not None else 1.0
            revision = Revision(token, exchange, symbol, interval, minutes, ts, close_ticks, factor)
            self._revisions[(token, minutes, ts)] = revision
            self._publish(token)
            return revision

    def actions(self) -> list[ActionInForce]:
        with self._lock:
            return list(self._actions)

    def revisions(self) -> list[Revision]:
        with self._lock:
            return list(self._revisions.values())

    def reset(self) -> None:
        with self._lock:
            self._actions: list[ActionInForce] = list(self._preloaded)
            self._revisions: dict[tuple[int, int | None, int], Revision] = {}
            self._by_token: dict[int, InstrumentEdits] = {}
            for token in {a.token for a in self._actions}:
                self._publish(token)

    def _publish(self, token: int) -> None:
        """Swap in a new dict holding a rebuilt snapshot for `token`; readers keep whichever dict they got."""
        actions = [a.action for a in self._actions if a.token == token]
        revisions = [r for r in self._revisions.values() if r.token == token]
        self._by_token = {**self._by_token, token: InstrumentEdits.build(actions, revisions)}


def find_instrument(universe: Universe, exchange: str, symbol: str) -> Instrument | None:
    """The live instrument with this tradingsymbol on this exchange (both as Kite spells them, any case)."""
    symbol = symbol.upper()
    return next((i for i in universe.by_exchange.get(exchange.upper(), []) if i.tradingsymbol == symbol), None)


def bind_actions(universe: Universe, actions: tuple[CorporateAction, ...], preloaded: bool
                 ) -> tuple[ActionInForce, ...]:
    """Resolve each action's instrument; ValueError names the first one the universe does not list."""
    bound = []
    for action in actions:
        inst = find_instrument(universe, action.exchange, action.symbol)
        if inst is None:
            raise ValueError(f"unknown instrument {action.exchange}:{action.symbol}")
        bound.append(ActionInForce(inst.instrument_token, action, preloaded))
    return tuple(bound)
