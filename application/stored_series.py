"""Which stored series a user's spelling of a symbol names."""

from __future__ import annotations

from dataclasses import replace

from application.ports import CandleStore
from domain.instrument import SeriesKey, check_symbol


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
