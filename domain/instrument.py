"""Tradable instruments as Kite lists them, and the key a stored series is filed under."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from domain.errors import InvalidInput
from domain.interval import Interval
from domain.market import Exchange, Segment

MAX_SYMBOL_LENGTH = 64
# check_symbol's rule as a regular expression that reads the same in Python and ECMA-262, for the API's
# OpenAPI document (fuzzers and client generators read it there): anything str.strip() removes around it, then
# a text that starts and ends with neither whitespace nor a control character and holds no control character.
_CONTROL = r"\x00-\x1f\x7f"
_SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"  # str.isspace()
SYMBOL_PATTERN = rf"^[{_SPACE}]*[^{_CONTROL}{_SPACE}](?:[^{_CONTROL}]*[^{_CONTROL}{_SPACE}])?[{_SPACE}]*$"


def check_symbol(symbol: str) -> str:
    """Symbols are free text at Kite (`M&M`, `NIFTY 50`) but never empty, huge or control characters."""
    text = str(symbol).strip()
    if not text:
        raise InvalidInput("symbol must not be empty")
    if len(text) > MAX_SYMBOL_LENGTH:
        raise InvalidInput(f"symbol is longer than {MAX_SYMBOL_LENGTH} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise InvalidInput("symbol contains control characters")
    return text


class Instrument(NamedTuple):
    """One row of Kite's instrument dump (a NamedTuple: the NFO dump holds ~100k and loading must stay fast)."""

    instrument_token: int
    exchange_token: int
    tradingsymbol: str
    name: str
    last_price: float
    expiry: date | None
    strike: float
    tick_size: float
    lot_size: int
    instrument_type: str
    segment: str
    exchange: str
    expired: bool = False

    @property
    def is_derivative(self) -> bool:
        return self.instrument_type in ("FUT", "CE", "PE")


@dataclass(frozen=True, slots=True)
class SeriesKey:
    """One stored series: a symbol's candles at one interval on one exchange."""

    exchange: Exchange
    symbol: str
    interval: Interval

    @classmethod
    def parse(cls, exchange: str, symbol: str, interval: str) -> SeriesKey:
        """A key from the caller's text (a URL, a command line): names checked, the symbol not yet resolved."""
        return cls(Exchange.parse(exchange), check_symbol(symbol), Interval.parse(interval))

    @property
    def segment(self) -> Segment:
        return self.exchange.segment

    def __str__(self) -> str:
        return f"{self.exchange.value}:{self.symbol}:{self.interval.value}"
