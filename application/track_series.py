"""TrackSeries: keep one instrument current at some intervals from a given day."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from application.ports import Clock, InstrumentCatalog, TrackedRepository
from application.tracked import TrackedSeries
from domain.clock_time import ist_date
from domain.errors import InvalidInput, NotFound
from domain.instrument import check_symbol
from domain.interval import Interval
from domain.market import Exchange


@dataclass(frozen=True, slots=True)
class TrackSeriesRequest:
    exchange: Exchange
    symbol: str
    intervals: tuple[Interval, ...]
    from_date: date


def new_id() -> str:
    return secrets.token_hex(6)


class TrackSeries:
    """Rules: the symbol must be in the exchange's instrument list (NotFound otherwise) and is kept in Kite's
    spelling (`tcs` tracks `TCS`); a contract that has expired is refused, as nothing of it can become current
    (fetch it instead); the same symbol at an interval already tracked is a Conflict naming the entry."""

    def __init__(self, tracked: TrackedRepository, catalog: InstrumentCatalog, clock: Clock) -> None:
        self._tracked = tracked
        self._catalog = catalog
        self._clock = clock

    def execute(self, request: TrackSeriesRequest) -> TrackedSeries:
        symbol = check_symbol(request.symbol)
        instrument = self._catalog.lookup(request.exchange, symbol)
        if instrument is None:
            raise NotFound(f"Symbol {symbol!r} not found on {request.exchange.value}")
        now = self._clock.now_ts()
        if instrument.expired or (instrument.expiry is not None and instrument.expiry < ist_date(now)):
            raise InvalidInput(f"{request.exchange.value}:{instrument.tradingsymbol} expired on "
                               f"{instrument.expiry}: nothing of it can be kept current (fetch it instead)")
        entry = TrackedSeries(new_id(), request.exchange, instrument.tradingsymbol, request.intervals,
                              request.from_date, now)
        self._tracked.update(lambda tracked: tracked.add(entry))
        return entry
