"""Live futures and option chains (NFO, BFO) for a given day, written the way Kite writes them.

NSE derivatives expire on Tuesdays (monthly: last Tuesday; NIFTY weeklies: every Tuesday), BSE's on
Thursdays; a holiday moves an expiry to the previous trading day. A monthly contract is listed the day
after the expiry three months earlier; a weekly one 34 days before it expires.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

import numpy as np

from .counter_hash import stable_key
from .derivative_pricing import option_price, years_to_expiry
from .price_paths import PathSpec
from .trading_calendar import last_weekday_of_month, monthly_expiries, previous_trading_day, weekly_expiries

_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_WEEKLY_MONTH_CODE = "123456789OND"
WEEKLY_LISTING_DAYS = 34


@dataclass(frozen=True, slots=True)
class Underlying:
    """Something with derivatives: its path, contract specs and expiry habits."""

    name: str  # as in the dump's name column and tradingsymbols: NIFTY, BANKNIFTY, M&M
    exchange: str  # NFO or BFO
    path: PathSpec
    spot: float  # last close before the dump's day: the centre of the strike band
    lot_size: int
    strike_step: float
    strikes_per_side: int
    weekly: bool
    option_vol: float
    volume_scale: float  # futures units per day


@dataclass(frozen=True, slots=True)
class ContractSpec:
    """A derivative before it gets its token."""

    tradingsymbol: str
    underlying: Underlying
    expiry: datetime.date
    listing: datetime.date
    instrument_type: str  # FUT, CE, PE
    strike: float
    last_price: float


def expiry_weekday(exchange: str) -> int:
    return 1 if exchange == "NFO" else 3


def monthly_listing(expiry: datetime.date, weekday: int) -> datetime.date:
    """Listed the day after the monthly expiry three months earlier."""
    year, month = expiry.year, expiry.month - 3
    if month < 1:
        year, month = year - 1, month + 12
    return previous_trading_day(last_weekday_of_month(year, month, weekday)) + datetime.timedelta(1)


def future_symbol(name: str, expiry: datetime.date) -> str:
    return f"{name}{expiry:%y}{_MONTHS[expiry.month - 1]}FUT"


def _strike_text(strike: float) -> str:
    return str(int(strike)) if float(strike).is_integer() else repr(strike)


def option_symbol(name: str, expiry: datetime.date, strike: float, kind: str, monthly: bool) -> str:
    if monthly:
        return f"{name}{expiry:%y}{_MONTHS[expiry.month - 1]}{_strike_text(strike)}{kind}"
    return f"{name}{expiry:%y}{_WEEKLY_MONTH_CODE[expiry.month - 1]}{expiry:%d}{_strike_text(strike)}{kind}"


def _to_tick(price: float) -> float:
    return max(0.05, round(price * 20) / 20)


def contracts_for(under: Underlying, today: datetime.date) -> list[ContractSpec]:
    """Every live contract of one underlying on `today`: 3 monthly futures and option chains."""
    weekday = expiry_weekday(under.exchange)
    monthlies = monthly_expiries(today, 3, weekday)
    out = []
    for exp in monthlies:
        years = float(years_to_expiry(np.array([today.toordinal()]), exp.toordinal())[0])
        out.append(ContractSpec(future_symbol(under.name, exp), under, exp, monthly_listing(exp, weekday),
                                "FUT", 0.0, _to_tick(under.spot * math.exp(0.07 * years))))
    expiries = {exp: monthly_listing(exp, weekday) for exp in monthlies}
    if under.weekly:
        for exp in weekly_expiries(today, 6, weekday):
            listing = exp - datetime.timedelta(WEEKLY_LISTING_DAYS)
            if listing <= today and exp not in expiries:
                expiries[exp] = listing
    centre = round(under.spot / under.strike_step) * under.strike_step
    strikes = [centre + k * under.strike_step for k in range(-under.strikes_per_side, under.strikes_per_side + 1)]
    strikes = [round(s, 2) for s in strikes if s > 0]
    for exp in sorted(expiries):
        monthly = exp in monthlies
        years_left = years_to_expiry(np.array([today.toordinal()]), exp.toordinal())
        for kind in ("CE", "PE"):
            prices = option_price(np.full(len(strikes), under.spot), np.array(strikes), years_left,
                                  under.option_vol, kind == "CE").tolist()
            for strike, price in zip(strikes, prices, strict=True):
                out.append(ContractSpec(option_symbol(under.name, exp, strike, kind, monthly), under, exp,
                                        expiries[exp], kind, strike, _to_tick(price)))
    return out


def assign_exchange_tokens(seed: int, exchange: str, symbols: list[str]) -> dict[str, int]:
    """Exchange tokens hashed from the tradingsymbol (stable day to day), probing past collisions."""
    taken: set[int] = set()
    out = {}
    for symbol in sorted(symbols):
        token = 35000 + stable_key(seed, exchange, symbol) % 900000
        while token in taken:
            token += 1
        taken.add(token)
        out[symbol] = token
    return out
