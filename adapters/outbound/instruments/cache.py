"""InstrumentCatalog backed by Kite's daily dump, persisted under the data dir.

Kite publishes a new dump each morning (about 08:30 IST) listing live contracts only. The cache
refetches once per published dump, merges it with every contract seen before (those no longer listed
are kept, marked expired) so a stored option series stays resolvable after expiry, and survives restarts.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import orjson
import structlog

from adapters.outbound import atomic_file
from application.ports import Clock, MarketDataSource
from domain.clock_time import day_start, ist_date, seconds_into_day
from domain.errors import DomainError
from domain.instrument import Instrument
from domain.market import Exchange

log = structlog.get_logger(__name__)
DUMP_PUBLISHED_AT = 8 * 3600 + 30 * 60  # seconds after IST midnight
_FORMAT_VERSION = 1


def latest_dump_time(now_ts: int) -> int:
    """Epoch seconds of the most recent morning dump publication."""
    today = ist_date(now_ts)
    publish_today = day_start(today) + DUMP_PUBLISHED_AT
    if seconds_into_day(now_ts) >= DUMP_PUBLISHED_AT:
        return publish_today
    return publish_today - 86_400


@dataclass(slots=True)
class _Listing:
    fetched_at: int
    live: list[Instrument]
    by_symbol: dict[str, Instrument]


def _from_rows(rows: list[list]) -> list[Instrument]:
    """Instruments from persisted rows (expiry as ISO text; parsed once per distinct date)."""
    expiries: dict[str | None, date | None] = {"": None, None: None}
    out = []
    for row in rows:
        text = row[5]
        expiry = expiries.get(text)
        if expiry is None and text not in expiries:
            expiry = expiries[text] = date.fromisoformat(text)
        row[5] = expiry
        out.append(Instrument._make(row))
    return out


def _as_row(value: object) -> list:
    if isinstance(value, Instrument):
        return list(value)
    raise TypeError(f"cannot persist {type(value).__name__}")


class InstrumentCache:
    def __init__(self, source: MarketDataSource, directory: Path, clock: Clock) -> None:
        self._source = source
        self._dir = Path(directory)
        self._clock = clock
        self._listings: dict[Exchange, _Listing] = {}
        self._locks = {e: threading.Lock() for e in Exchange}

    def instruments(self, exchange: Exchange, force_refresh: bool = False) -> Sequence[Instrument]:
        return self._listing(exchange, force_refresh).live

    def lookup(self, exchange: Exchange, symbol: str) -> Instrument | None:
        by_symbol = self._listing(exchange, False).by_symbol
        return by_symbol.get(symbol) or by_symbol.get(symbol.upper())

    def _listing(self, exchange: Exchange, force_refresh: bool) -> _Listing:
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

    def _refresh(self, exchange: Exchange, previous: _Listing | None) -> _Listing:
        live = [i for i in self._source.fetch_instruments(exchange) if i.exchange == exchange.value]
        seen = {i.tradingsymbol: i for i in live}
        expired_count = 0
        if previous is not None:
            for old in previous.by_symbol.values():
                if old.tradingsymbol not in seen:
                    seen[old.tradingsymbol] = old if old.expired else old._replace(expired=True)
                    expired_count += 1
        listing = _Listing(self._clock.now_ts(), live, seen)
        self._save(exchange, listing)
        log.info("instruments_refreshed", exchange=exchange.value, live=len(live), expired=expired_count)
        return listing

    def _path(self, exchange: Exchange) -> Path:
        return self._dir / f"{exchange.value}.json"

    def _load(self, exchange: Exchange) -> _Listing | None:
        path = self._path(exchange)
        try:
            payload = orjson.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except orjson.JSONDecodeError:
            log.warning("instrument_cache_unreadable", exchange=exchange.value)
            return None
        if payload.get("version") != _FORMAT_VERSION:
            return None
        everything = _from_rows(payload["rows"])
        by_symbol = {i.tradingsymbol: i for i in everything}
        return _Listing(int(payload["fetched_at"]), [i for i in everything if not i.expired], by_symbol)

    def _save(self, exchange: Exchange, listing: _Listing) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)
        payload = {"version": _FORMAT_VERSION, "fetched_at": listing.fetched_at,
                   "rows": list(listing.by_symbol.values())}
        atomic_file.write_file(self._path(exchange), orjson.dumps(payload, default=_as_row))
