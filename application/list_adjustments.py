"""ListAdjustments: the ledger of what Kite changed in an instrument's stored history."""

from __future__ import annotations

from collections.abc import Mapping

from application.ports import CandleStore, StoredInstrument
from domain.errors import NotFound
from domain.instrument import check_symbol
from domain.market import Exchange, Segment


class ListAdjustments:
    """Rules: answered from the store's metadata; the symbol as stored (exactly, else in upper case: `reliance`
    finds Kite's `RELIANCE`); an instrument with no stored series is NotFound, one with nothing changed has no
    events."""

    def __init__(self, stores: Mapping[Segment, CandleStore]) -> None:
        self._stores = stores

    def execute(self, exchange: Exchange, symbol: str) -> StoredInstrument:
        symbol = check_symbol(symbol)
        store = self._stores[exchange.segment]
        stored = store.instrument(exchange, symbol) or store.instrument(exchange, symbol.upper())
        if stored is None:
            raise NotFound(f"Nothing stored for {exchange.value}:{symbol}")
        return stored
