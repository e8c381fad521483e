"""InstrumentCatalog over the cache's files alone, for commands that must answer at once (`kitefetch lookup`).

It answers while an exchange's file holds Kite's latest dump, exactly as InstrumentCache would from it, and hands
anything else (no file, an older dump, an unreadable file, a forced refresh) to `fallback()`: the InstrumentCache,
built only then. So a lookup the file answers never imports the Kite client, pandas or structlog (~0.6 s).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from adapters.outbound.instruments import listing_file
from adapters.outbound.instruments.listing_file import Listing, latest_dump_time
from application.ports import Clock, InstrumentCatalog
from domain.futures import futures_of
from domain.instrument import Instrument
from domain.market import Exchange


class PersistedCatalog:
    def __init__(self, directory: Path, clock: Clock, fallback: Callable[[], InstrumentCatalog]) -> None:
        self._dir = Path(directory)
        self._clock = clock
        self._fallback = fallback

    def instruments(self, exchange: Exchange, force_refresh: bool = False) -> Sequence[Instrument]:
        listing = None if force_refresh else self._current(exchange)
        if listing is None:
            return self._fallback().instruments(exchange, force_refresh)
        return listing.live

    def lookup(self, exchange: Exchange, symbol: str) -> Instrument | None:
        listing = self._current(exchange)
        if listing is None:
            return self._fallback().lookup(exchange, symbol)
        return listing.find(symbol)

    def futures(self, exchange: Exchange, underlying: str) -> Sequence[Instrument]:
        listing = self._current(exchange)
        if listing is None:
            return self._fallback().futures(exchange, underlying)
        return futures_of(listing.by_symbol.values(), exchange, underlying)

    def _current(self, exchange: Exchange) -> Listing | None:
        """The file's listing if it holds the latest dump; None for anything the cache itself must handle."""
        try:
            listing = listing_file.load(listing_file.path_of(self._dir, exchange))
        except listing_file.UnreadableListing:  # the cache logs it and fetches the list anew
            return None
        if listing is None or listing.fetched_at < latest_dump_time(self._clock.now_ts()):
            return None
        return listing
