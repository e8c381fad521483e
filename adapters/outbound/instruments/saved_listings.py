"""InstrumentCatalog over the cache's files as they are, never refreshed: for readers that must not reach Kite.

`kitefetch.open()` reads a data dir, perhaps a copy on a read-only disk, perhaps on a machine with no Kite
credentials: what the instrument cache last saved (live and expired contracts) is what it knows, read again
whenever the file changes (a server beside the notebook refreshes it each morning). An exchange whose file is
missing or unreadable knows nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from adapters.outbound.instruments import listing_file
from adapters.outbound.instruments.listing_file import Listing
from domain.futures import futures_of
from domain.instrument import Instrument
from domain.market import Exchange


class SavedListings:
    def __init__(self, directory: Path) -> None:
        self._dir = Path(directory)
        self._listings: dict[Exchange, tuple[tuple[int, int] | None, Listing | None]] = {}

    def instruments(self, exchange: Exchange, force_refresh: bool = False) -> Sequence[Instrument]:
        """The live instruments of the saved dump; `force_refresh` is ignored (nothing is fetched here)."""
        listing = self._listing(exchange)
        return [] if listing is None else listing.live

    def lookup(self, exchange: Exchange, symbol: str) -> Instrument | None:
        listing = self._listing(exchange)
        return None if listing is None else listing.find(symbol)

    def futures(self, exchange: Exchange, underlying: str) -> Sequence[Instrument]:
        listing = self._listing(exchange)
        return [] if listing is None else futures_of(listing.by_symbol.values(), exchange, underlying)

    def _listing(self, exchange: Exchange) -> Listing | None:
        path = listing_file.path_of(self._dir, exchange)
        try:
            st = path.stat()
            stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        known = self._listings.get(exchange)
        if known is not None and known[0] == stamp:
            return known[1]
        try:
            listing = listing_file.load(path) if stamp is not None else None
        except (listing_file.UnreadableListing, OSError):
            listing = None
        self._listings[exchange] = (stamp, listing)
        return listing
