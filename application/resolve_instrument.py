"""Which instrument a user means by a symbol, exchange optional for equities."""

from __future__ import annotations

from application.ports import InstrumentCatalog
from domain.errors import InvalidInput, NotFound
from domain.instrument import Instrument, check_symbol
from domain.market import Exchange, Segment


def resolve_instrument(catalog: InstrumentCatalog, segment: Segment, symbol: str,
                       exchange: Exchange | None) -> Instrument:
    """Equities without an exchange are looked up on NSE, then BSE; derivatives need NFO or BFO."""
    symbol = check_symbol(symbol)
    if exchange is not None and exchange.segment is not segment:
        raise InvalidInput(f"Exchange {exchange.value} does not belong to segment {segment.value}")
    if exchange is None and segment is Segment.DERIVATIVES:
        raise InvalidInput("exchange is required for derivatives: use NFO or BFO")
    candidates = [exchange] if exchange else list(segment.exchanges)
    for candidate in candidates:
        instrument = catalog.lookup(candidate, symbol)
        if instrument is not None:
            return instrument
    where = " or ".join(c.value for c in candidates)
    raise NotFound(f"Symbol {symbol!r} not found on {where}")
