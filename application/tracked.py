"""What kitefetch keeps current: a symbol at some intervals, or a rule that names derivatives anew each day.

A TrackedSeries is one instrument (`NSE:TCS` at day and minute from 2015-01-01). A TrackedRule names contracts by
where they stand on the day it is resolved (resolve_tracked.py): `options` the nearest expiries and the strikes
around the money, `futures` every live future of an underlying. Both validate themselves, so a use case only sees
valid entries; the TrackedList they live in refuses a series tracked twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.errors import Conflict, InvalidInput, NotFound
from domain.instrument import SeriesKey, check_symbol
from domain.interval import Interval
from domain.market import Exchange, Segment
from domain.option_chain import MAX_EXPIRIES, MAX_STRIKES, InstrumentRef, price_source


class RuleKind(StrEnum):
    OPTIONS = "options"
    FUTURES = "futures"


def _check_intervals(intervals: tuple[Interval, ...]) -> None:
    if not intervals:
        raise InvalidInput("intervals: name at least one interval")
    repeated = sorted({i.value for i in intervals if intervals.count(i) > 1})
    if repeated:
        raise InvalidInput(f"intervals: {', '.join(repeated)} named twice")


def _in_range(name: str, value: int | None, low: int, high: int) -> None:
    if value is None or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(f"{name}: must be {low} to {high}, not {value}")


def _intervals_text(intervals: Iterable[Interval]) -> str:
    return ", ".join(i.value for i in intervals)


@dataclass(frozen=True, slots=True)
class TrackedSeries:
    """One instrument at one or more intervals, kept current from `from_date` (IST, inclusive)."""

    id: str
    exchange: Exchange
    symbol: str  # Kite's spelling, as resolved when it was tracked
    intervals: tuple[Interval, ...]
    from_date: date
    created_at: int = 0  # epoch seconds

    def __post_init__(self) -> None:
        object.__setattr__(self, "symbol", check_symbol(self.symbol))
        _check_intervals(self.intervals)

    def series_keys(self) -> tuple[SeriesKey, ...]:
        return tuple(SeriesKey(self.exchange, self.symbol, i) for i in self.intervals)

    def clash(self, other: Tracked) -> str | None:
        """What `other` tracks that this already does, in words; None when nothing."""
        if not isinstance(other, TrackedSeries) or (other.exchange, other.symbol) != (self.exchange, self.symbol):
            return None
        shared = [i for i in other.intervals if i in self.intervals]
        return f"{self.exchange.value}:{self.symbol} at {_intervals_text(shared)}" if shared else None


@dataclass(frozen=True, slots=True)
class TrackedRule:
    """Derivatives of `underlying` on NFO or BFO, chosen anew each day; each contract chosen is kept from
    `from_date` (None: from its first candle, i.e. its listing) until it expires."""

    id: str
    kind: RuleKind
    exchange: Exchange
    underlying: str  # the dump's `name` column: NIFTY, BANKNIFTY, RELIANCE
    intervals: tuple[Interval, ...]
    expiries: int | None = None  # options: the nearest 1..6 expiries
    strikes: int | None = None  # options: 0..50 listed strikes on each side of the one at the money
    underlying_symbol: InstrumentRef | None = None  # options: whose last close is the money (default: price_source)
    from_date: date | None = None
    created_at: int = 0

    def __post_init__(self) -> None:
        if self.exchange.segment is not Segment.DERIVATIVES:
            raise InvalidInput(f"exchange: a {self.kind.value} rule is for NFO or BFO, not {self.exchange.value}")
        object.__setattr__(self, "underlying", check_symbol(self.underlying).upper())
        _check_intervals(self.intervals)
        if self.kind is RuleKind.OPTIONS:
            _in_range("expiries", self.expiries, 1, MAX_EXPIRIES)
            _in_range("strikes", self.strikes, 0, MAX_STRIKES)
            if self.underlying_symbol is not None and self.underlying_symbol.exchange.segment is not Segment.EQUITY:
                raise InvalidInput(f"underlying_symbol: {self.underlying_symbol} is not on NSE or BSE")
        elif (self.expiries, self.strikes, self.underlying_symbol) != (None, None, None):
            raise InvalidInput("a futures rule takes no expiries, strikes or underlying_symbol: it keeps every "
                               "live future")

    @property
    def price_symbol(self) -> InstrumentRef:
        """Whose last close sets the money of an options rule."""
        return self.underlying_symbol or price_source(self.exchange, self.underlying)

    def no_live_contract(self) -> InvalidInput:
        """The error of a rule that names nothing today."""
        kind = "option" if self.kind is RuleKind.OPTIONS else "future"
        return InvalidInput(f"The {self.kind.value} rule for {self.exchange.value} {self.underlying} resolves to no "
                            f"live contract: {self.underlying} has no live {kind} on {self.exchange.value}")

    def clash(self, other: Tracked) -> str | None:
        if not isinstance(other, TrackedRule) or (other.kind, other.exchange, other.underlying) != (
                self.kind, self.exchange, self.underlying):
            return None
        shared = [i for i in other.intervals if i in self.intervals]
        return (f"the {self.kind.value} rule for {self.exchange.value} {self.underlying} at {_intervals_text(shared)}"
                if shared else None)


Tracked = TrackedSeries | TrackedRule


@dataclass(frozen=True, slots=True)
class TrackedList:
    """Everything tracked, in the order added. Each series is tracked once: an entry that tracks what another
    does (the same symbol at a shared interval, or a second rule of the same kind for the same underlying at a
    shared interval) is a Conflict naming the entry that already does."""

    entries: tuple[Tracked, ...] = ()

    def get(self, tracked_id: str) -> Tracked:
        for entry in self.entries:
            if entry.id == tracked_id:
                return entry
        raise NotFound(f"Nothing tracked has id {tracked_id!r}")

    def add(self, entry: Tracked) -> TrackedList:
        for existing in self.entries:
            if existing.id == entry.id:
                raise Conflict(f"id {entry.id!r} is taken")
            clash = existing.clash(entry)
            if clash:
                raise Conflict(f"{clash} is already tracked (id {existing.id})")
        return TrackedList((*self.entries, entry))

    def without(self, tracked_id: str) -> TrackedList:
        self.get(tracked_id)
        return TrackedList(tuple(e for e in self.entries if e.id != tracked_id))
