"""Which stored series a user's spelling of a symbol names, and what is stored for a symbol."""

from __future__ import annotations

from dataclasses import replace

from application.ports import CandleStore, SeriesInfo
from domain.errors import NotFound
from domain.instrument import SeriesKey, check_symbol
from domain.interval import Interval
from domain.market import Exchange


def stored_key(store: CandleStore, key: SeriesKey) -> SeriesKey:
    """The key as given if that series exists, else in upper case if that one does (`reliance` -> Kite's
    `RELIANCE`). Symbols are stored in Kite's own spelling, which is not always upper case, so an exact
    match always wins."""
    key = replace(key, symbol=check_symbol(key.symbol))
    if store.info(key) is None and key.symbol.upper() != key.symbol:
        upper = replace(key, symbol=key.symbol.upper())
        if store.info(upper) is not None:
            return upper
    return key


def stored_intervals(store: CandleStore, exchange: Exchange, symbol: str) -> dict[Interval, SeriesInfo]:
    """The symbol's stored series by interval, finest first (each key in its stored spelling)."""
    found = {}
    for interval in Interval:
        info = store.info(stored_key(store, SeriesKey(exchange, symbol, interval)))
        if info is not None:
            found[interval] = info
    return found


def not_stored(exchange: Exchange, symbol: str, interval: Interval | None,
               stored: dict[Interval, SeriesInfo]) -> NotFound:
    """The error for a series never stored (any interval, when None), saying what is stored for the symbol."""
    asked = f"{exchange.value}:{symbol}" + (f":{interval.value}" if interval is not None else "")
    if not stored:
        return NotFound(f"No stored candles for {asked}: nothing is stored for {exchange.value}:{symbol}")
    spelled = next(iter(stored.values())).key.symbol
    return NotFound(f"No stored candles for {asked}; stored for {exchange.value}:{spelled}: "
                    f"{', '.join(i.value for i in stored)}")
