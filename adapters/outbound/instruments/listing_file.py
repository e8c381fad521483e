"""One exchange's instruments as the cache keeps them on disk (`<data dir>/instruments/NSE.json`).

Its own module, apart from the cache's refresh policy and the logging that comes with it, so that reading the
file (PersistedCatalog: `kitefetch lookup` answered from it) imports orjson and the domain only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import orjson

from adapters.outbound import atomic_file
from domain.clock_time import day_start, ist_date, seconds_into_day
from domain.instrument import Instrument
from domain.market import Exchange

DUMP_PUBLISHED_AT = 8 * 3600 + 30 * 60  # seconds after IST midnight
_FORMAT_VERSION = 1


class UnreadableListing(ValueError):
    """The file is there but is not a listing we wrote (torn, truncated, edited): the cache fetches it anew."""


def latest_dump_time(now_ts: int) -> int:
    """Epoch seconds of the most recent morning dump publication."""
    today = ist_date(now_ts)
    publish_today = day_start(today) + DUMP_PUBLISHED_AT
    if seconds_into_day(now_ts) >= DUMP_PUBLISHED_AT:
        return publish_today
    return publish_today - 86_400


@dataclass(slots=True)
class Listing:
    fetched_at: int
    live: list[Instrument]
    by_symbol: dict[str, Instrument]  # live and expired

    def find(self, symbol: str) -> Instrument | None:
        """Kite's spelling first, then upper case (`reliance` -> `RELIANCE`)."""
        return self.by_symbol.get(symbol) or self.by_symbol.get(symbol.upper())


def path_of(directory: Path, exchange: Exchange) -> Path:
    return directory / f"{exchange.value}.json"


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


def load(path: Path) -> Listing | None:
    """None when there is no file or it has another format version; UnreadableListing when it cannot be read or
    is damaged (not JSON, rows that are not instruments)."""
    try:
        payload = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, orjson.JSONDecodeError) as error:
        raise UnreadableListing(f"{type(error).__name__}: {error}") from error
    if not isinstance(payload, dict):
        raise UnreadableListing(f"not a listing: a JSON {type(payload).__name__}")
    if payload.get("version") != _FORMAT_VERSION:
        return None
    try:
        everything = _from_rows(payload["rows"])
        by_symbol = {i.tradingsymbol: i for i in everything}
        return Listing(int(payload["fetched_at"]), [i for i in everything if not i.expired], by_symbol)
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise UnreadableListing(f"{type(error).__name__}: {error}") from error


def save(path: Path, listing: Listing, durable: bool = True) -> None:
    atomic_file.make_directory(path.parent, durable=durable)
    payload = {"version": _FORMAT_VERSION, "fetched_at": listing.fetched_at, "rows": list(listing.by_symbol.values())}
    atomic_file.write_file(path, orjson.dumps(payload, default=_as_row), durable=durable)
