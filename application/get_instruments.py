"""GetInstruments: an exchange's instruments from the cache."""

from __future__ import annotations

from collections.abc import Sequence

from application.ports import InstrumentCatalog
from domain.errors import InvalidInput
from domain.instrument import Instrument
from domain.market import Exchange


class GetInstruments:
    """Rules: served from the cache (refreshed daily or on demand); `limit` caps the list, not the cache."""

    def __init__(self, catalog: InstrumentCatalog) -> None:
        self._catalog = catalog

    def execute(self, exchange: Exchange, force_refresh: bool = False, limit: int | None = None,
                prefix: str | None = None) -> Sequence[Instrument]:
        """`prefix` keeps tradingsymbols that start with it (case-insensitive), for autocomplete."""
        if limit is not None and limit < 0:
            raise InvalidInput("limit must not be negative")
        instruments = self._catalog.instruments(exchange, force_refresh=force_refresh)
        if prefix:
            wanted = prefix.upper()
            instruments = [i for i in instruments if i.tradingsymbol.upper().startswith(wanted)]
        return instruments if limit is None else instruments[:limit]
