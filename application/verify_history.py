"""VerifyHistory: ask Kite for an instrument's whole stored history again, and heal what it changed since."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import structlog

from application.heal_history import Answer, HealHistory, HealReport
from application.ports import CandleStore, Clock, InstrumentCatalog, MarketDataSource, TradingCalendar
from application.resolve_instrument import resolve_instrument
from domain.adjustments import Adjustment
from domain.candles import CandleFrame
from domain.errors import NotFound
from domain.instrument import check_symbol
from domain.interval import Interval
from domain.market import Exchange, Segment
from domain.revisions import compare

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """`interval` is the series compared, `candles` how many it held; `requests` counts every request sent
    (the comparison's and the heal's)."""

    exchange: Exchange
    symbol: str
    interval: Interval
    candles: int
    requests: int
    elapsed_seconds: float
    events: tuple[Adjustment, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def candles_replaced(self) -> int:
        return sum(e.candles_replaced for e in self.events)


def stored_instruments(stores: Mapping[Segment, CandleStore], exchange: Exchange | None = None
                       ) -> list[tuple[Exchange, str]]:
    """Every (exchange, symbol) with a stored series, in the stores' order; only `exchange`'s when given."""
    found: dict[tuple[Exchange, str], None] = {}
    for segment in ([exchange.segment] if exchange else list(Segment)):
        for info in stores[segment].describe().series:
            if exchange is None or info.key.exchange is exchange:
                found[(info.key.exchange, info.key.symbol)] = None
    return list(found)


class VerifyHistory:
    """Rules: what no overlap of an incremental fetch reaches (a demerger Kite adjusts months late) is found here.
    The instrument's stored day series (the coarsest stored interval when it has none) is asked for whole again,
    ceil(days / max span) requests per covered stretch, and compared with the store; a change is healed as a fetch
    heals one (HealHistory: every interval of the instrument for a corporate action). Provisional candles are left
    to the next fetch. A series left stale by an earlier heal is healed first. The symbol is the stored one (any
    case when only upper case is stored); an instrument with no stored series is NotFound.
    """

    def __init__(self, source: MarketDataSource, stores: Mapping[Segment, CandleStore],
                 catalog: InstrumentCatalog, clock: Clock, calendar: TradingCalendar, concurrency: int = 1) -> None:
        self._stores = stores
        self._catalog = catalog
        self._healer = HealHistory(source, calendar, clock, concurrency)

    def execute(self, exchange: Exchange, symbol: str) -> VerifyResult:
        started = time.perf_counter()
        store = self._stores[exchange.segment]
        symbol = check_symbol(symbol)
        stored = store.instrument(exchange, symbol) or store.instrument(exchange, symbol.upper())
        if stored is None:
            raise NotFound(f"Nothing stored for {exchange.value}:{symbol}")
        instrument = resolve_instrument(self._catalog, exchange.segment, stored.symbol, exchange)
        report = HealReport()
        stale = [s.key for s in stored.series if s.stale is not None]
        if stale:
            report.add(self._healer.resume(instrument, store, stale[0]))
        info = min(stored.series, key=lambda s: -s.key.interval.step_seconds)
        key = info.key
        info = store.info(key) or info
        coverage = info.coverage if info.provisional_from is None else info.coverage.before(info.provisional_from)
        served, requests = self._healer.download(instrument, key, coverage.spans)
        report.requests += requests
        held = store.read(key, None, coverage.last)
        change = compare(held, served, instrument.tick_size) if coverage.spans else None
        if change is not None:
            start, end = coverage.spans[0][0], coverage.spans[-1][1]
            report.add(self._healer.found(change, instrument, key, store,
                                          Answer(start, end + 1, end, served, CandleFrame.empty(served.with_oi),
                                                 [], None)))
        elapsed = round(time.perf_counter() - started, 3)
        log.info("history_verified", series=str(key), candles=len(held), requests=report.requests,
                 changes=len(report.events), elapsed=elapsed)
        return VerifyResult(exchange, stored.symbol, key.interval, len(held), report.requests, elapsed,
                            tuple(report.events), tuple(report.warnings))

