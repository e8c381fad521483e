"""LookupInstrument: a tradingsymbol to its instrument token."""

from __future__ import annotations

from application.ports import InstrumentCatalog
from domain.errors import NotFound
from domain.instrument import Instrument, check_symbol
from domain.market import Exchange


class LookupInstrument:
    """Rules: exact tradingsymbol on one exchange (expired contracts included); unknown is NotFound."""

    def __init__(self, catalog: InstrumentCatalog) -> None:
        self._catalog = catalog

    def execute(self, exchange: Exchange, symbol: str) -> Instrument:
        symbol = check_symbol(symbol)
        instrument = self._catalog.lookup(exchange, symbol)
        if instrument is None:
            raise NotFound(f"Symbol {symbol!r} not found on {exchange.value}")
        return instrument
