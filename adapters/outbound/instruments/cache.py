"""InstrumentCatalog backed by Kite's daily dump, persisted under the data dir.

Kite publishes a new dump each morning (about 08:30 IST) listing live contracts only. The cache
refetches once per published dump, merges it with every contract seen before (those no longer listed
are kept, marked expired) so a stored option series stays resolvable after expiry, and survives restarts.
The file format is listing_file.py's. A damaged file is fetched anew (with a warning naming it); a list the disk
refuses to keep (full, read-only) is served from memory all the same, with a warning: instruments stay readable.
"""

from __future__ import annotations

import errno
import threading
from collections.abc import Sequence
from pathlib import Path

import structlog

from adapters.outbound.instruments import listing_file
from adapters.outbound.instruments.listing_file import Listing, latest_dump_time
from application.ports import Clock, MarketDataSource
from domain.errors import DomainError
from domain.futures import futures_of
from domain.instrument import Instrument
from domain.market import Exchange

log = structlog.get_logger(__name__)


class InstrumentCache:
    def __init__(self, source: MarketDataSource, directory: Path, clock: Clock, durable: bool = True) -> None:
        self._source = source
        self._durable = durable  # fsync each save (atomic_file.py); off only for benchmarks
        self._dir = Path(directory)
        self._clock = clock
        self._listings: dict[Exchange, Listing] = {}
        self._locks = {e: threading.Lock() for e in Exchange}

    def instruments(self, exchange: Exchange, force_refresh: bool = False) -> Sequence[Instrument]:
        return self._listing(exchange, force_refresh).live

    def lookup(self, exchange: Exchange, symbol: str) -> Instrument | None:
        return self._listing(exchange, False).find(symbol)

    def futures(self, exchange: Exchange, underlying: str) -> Sequence[Instrument]:
        return futures_of(self._listing(exchange, False).by_symbol.values(), exchange, underlying)

    def _listing(self, exchange: Exchange, force_refresh: bool) -> Listing:
        listing = self._listings.get(exchange)
        fresh_after = latest_dump_time(self._clock.now_ts())
        if listing is not None and not force_refresh and listing.fetched_at >= fresh_after:
            return listing
        with self._locks[exchange]:
            listing = self._listings.get(exchange)
            if listing is None:
                listing = self._load(exchange)
            if force_refresh or listing is None or listing.fetched_at < fresh_after:
                try:
                    listing = self._refresh(exchange, listing)
                except DomainError as error:
                    if force_refresh or listing is None:
                        raise
                    log.warning("instrument_refresh_failed_using_stale", exchange=exchange.value,
                                error_type=error.error_type)
            self._listings[exchange] = listing
            return listing

    def _refresh(self, exchange: Exchange, previous: Listing | None) -> Listing:
        live = [i for i in self._source.fetch_instruments(exchange) if i.exchange == exchange.value]
        seen = {i.tradingsymbol: i for i in live}
        expired_count = 0
        if previous is not None:
            for old in previous.by_symbol.values():
                if old.tradingsymbol not in seen:
                    seen[old.tradingsymbol] = old if old.expired else old._replace(expired=True)
                    expired_count += 1
        listing = Listing(self._clock.now_ts(), live, seen)
        path = listing_file.path_of(self._dir, exchange)
        try:
            listing_file.save(path, listing, self._durable)
        except OSError as error:  # served from memory all the same; the next process fetches it again
            log.warning("instrument_cache_not_saved", path=str(path), exchange=exchange.value,
                        errno=errno.errorcode.get(error.errno or 0, error.errno), error=str(error))
        log.info("instruments_refreshed", exchange=exchange.value, live=len(live), expired=expired_count)
        return listing

    def _load(self, exchange: Exchange) -> Listing | None:
        path = listing_file.path_of(self._dir, exchange)
        try:
            return listing_file.load(path)
        except listing_file.UnreadableListing as error:
            log.warning("instrument_cache_damaged_rebuilding", path=str(path), exchange=exchange.value,
                        error=str(error)[:200])
            return None
