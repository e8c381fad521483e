"""Which derivatives an option-chain or futures rule means on a given day, from that day's instrument dump.

Kite serves no history for expired options and intraday history for a contract only while it lives, so a rule
names contracts by where they stand today (the nearest expiries, the strikes around the money) and is resolved
again every day. Pure: the dump and the underlying's price are given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from domain.errors import InvalidInput
from domain.instrument import Instrument, check_symbol
from domain.market import Exchange, Segment

OPTION_TYPES = ("CE", "PE")
FUTURE_TYPES = ("FUT",)
MAX_EXPIRIES = 6
MAX_STRIKES = 50

# The index each index derivative settles on, as Kite lists it (its dump's tradingsymbol). A stock's derivatives
# follow the stock itself on the cash exchange of the derivatives exchange.
INDEX_OF_UNDERLYING: dict[str, tuple[Exchange, str]] = {
    "NIFTY": (Exchange.NSE, "NIFTY 50"),
    "BANKNIFTY": (Exchange.NSE, "NIFTY BANK"),
    "FINNIFTY": (Exchange.NSE, "NIFTY FIN SERVICE"),
    "MIDCPNIFTY": (Exchange.NSE, "NIFTY MID SELECT"),
    "SENSEX": (Exchange.BSE, "SENSEX"),
    "BANKEX": (Exchange.BSE, "BANKEX"),
}
_CASH_EXCHANGE = {Exchange.NFO: Exchange.NSE, Exchange.BFO: Exchange.BSE}


@dataclass(frozen=True, slots=True)
class InstrumentRef:
    """An instrument named by exchange and tradingsymbol, written `NSE:NIFTY 50`."""

    exchange: Exchange
    symbol: str

    @classmethod
    def parse(cls, text: str) -> InstrumentRef:
        exchange, colon, symbol = str(text).partition(":")
        if not colon:
            raise InvalidInput(f"{text!r} is not EXCHANGE:SYMBOL (e.g. NSE:NIFTY 50)")
        return cls(Exchange.parse(exchange.strip()), check_symbol(symbol))

    def __str__(self) -> str:
        return f"{self.exchange.value}:{self.symbol}"


def price_source(exchange: Exchange, underlying: str) -> InstrumentRef:
    """Where the price of `underlying`'s derivatives on `exchange` comes from: its index, or the stock."""
    if exchange.segment is not Segment.DERIVATIVES:
        raise InvalidInput(f"{exchange.value} lists no derivatives: use NFO or BFO")
    index = INDEX_OF_UNDERLYING.get(underlying.upper())
    if index is not None:
        return InstrumentRef(*index)
    return InstrumentRef(_CASH_EXCHANGE[exchange], underlying)


def contracts_of(listed: Iterable[Instrument], underlying: str, types: Sequence[str], today: date) -> list[Instrument]:
    """The live contracts of `underlying` (the dump's `name`, any case) of these instrument types: not marked
    expired, and expiring today or later (a dump kept from an earlier day may still list yesterday's)."""
    name = underlying.upper()
    return [i for i in listed if i.name.upper() == name and i.instrument_type in types and not i.expired
            and i.expiry is not None and i.expiry >= today]


def select_futures(contracts: Sequence[Instrument]) -> list[Instrument]:
    """Every live future, nearest expiry first."""
    return sorted((i for i in contracts if i.instrument_type in FUTURE_TYPES),
                  key=lambda i: (i.expiry or date.max, i.tradingsymbol))


def select_options(contracts: Sequence[Instrument], price: float, expiries: int, strikes: int) -> list[Instrument]:
    """The nearest `expiries` expiries; for each, the listed strike nearest `price` (at the money; the lower of
    two equally near) and the `strikes` listed strikes on each side of it, CE and PE: fewer where fewer are
    listed. Ordered by expiry, strike, then CE before PE."""
    by_expiry: dict[date, list[Instrument]] = {}
    for i in contracts:
        if i.instrument_type in OPTION_TYPES and i.expiry is not None:
            by_expiry.setdefault(i.expiry, []).append(i)
    chosen: list[Instrument] = []
    for expiry in sorted(by_expiry)[:expiries]:
        chain = by_expiry[expiry]
        listed = sorted({i.strike for i in chain})
        atm = min(range(len(listed)), key=lambda k: (abs(listed[k] - price), listed[k]))
        band = set(listed[max(0, atm - strikes): atm + strikes + 1])
        chosen.extend(sorted((i for i in chain if i.strike in band),
                             key=lambda i: (i.strike, OPTION_TYPES.index(i.instrument_type))))
    return chosen
