"""The instrument record and the cash side of the universe: equities, indices and bad-data names."""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass

from .counter_hash import stable_key
from .price_paths import PathSpec

SPECIAL_SYMBOLS = ("ZZBADOHLC", "ZZNEGVOL", "ZZDUPTS", "ZZOFFHOURS")


@dataclass(frozen=True, slots=True)
class Instrument:
    """One row of the instruments dump plus what the candle generator needs to price it."""

    instrument_token: int
    exchange_token: int
    tradingsymbol: str
    name: str
    last_price: float
    expiry: datetime.date | None
    strike: float
    tick_size: float
    lot_size: int
    instrument_type: str  # EQ, FUT, CE or PE
    segment: str
    exchange: str
    kind: str  # cash, index, future or option
    path: PathSpec  # the price path of the instrument or of its underlying
    series: int  # key of this instrument's volume and open-interest noise
    volume_scale: float  # typical units traded per day (0 for indices)
    listing: datetime.date | None = None
    option_vol: float = 0.0
    expiry_weekday: int = 1  # weekday of this underlying's expiries (futures, for continuous data)
    special: str | None = None


@dataclass(frozen=True, slots=True)
class Company:
    """A listed company: its NSE/BSE tokens and the path both listings share."""

    symbol: str
    name: str
    nse_token: int
    bse_token: int | None
    path: PathSpec


# symbol, company name, NSE exchange token, BSE scrip code, price level
_REAL = [
    ("RELIANCE", "RELIANCE INDUSTRIES", 2885, 500325, 1400.0),
    ("INFY", "INFOSYS", 1594, 500209, 1550.0),
    ("TCS", "TATA CONSULTANCY SERV LT", 11536, 532540, 3100.0),
    ("M&M", "MAHINDRA & MAHINDRA", 2031, 500520, 3300.0),
    ("BAJAJ-AUTO", "BAJAJ AUTO", 16669, 532977, 8800.0),
    ("L&TFH", "L&T FINANCE", 24948, 533519, 250.0),
    ("J&KBANK", "JAMMU & KASHMIR BANK", 1512, 532209, 110.0),
    ("HDFCBANK", "HDFC BANK", 1333, 500180, 1000.0),
    ("ICICIBANK", "ICICI BANK", 4963, 532174, 1400.0),
    ("SBIN", "STATE BANK OF INDIA", 3045, 500112, 850.0),
    ("ITC", "ITC", 1660, 500875, 410.0),
    ("LT", "LARSEN & TOUBRO", 11483, 500510, 3900.0),
    ("AXISBANK", "AXIS BANK", 5900, 532215, 1200.0),
    ("KOTAKBANK", "KOTAK MAHINDRA BANK", 1922, 500247, 2100.0),
    ("BHARTIARTL", "BHARTI AIRTEL", 10604, 532454, 2000.0),
    ("WIPRO", "WIPRO", 3787, 507685, 250.0),
    ("MARUTI", "MARUTI SUZUKI INDIA", 10999, 532500, 16000.0),
    ("TATASTEEL", "TATA STEEL", 3499, 500470, 170.0),
]
# tradingsymbol, exchange, exchange token, price level
INDICES = [
    ("NIFTY 50", "NSE", 1001, 26000.0),
    ("NIFTY BANK", "NSE", 1016, 59000.0),
    ("NIFTY IT", "NSE", 1015, 36000.0),
    ("NIFTY NEXT 50", "NSE", 1058, 69000.0),
    ("NIFTY FIN SERVICE", "NSE", 1007, 27000.0),
    ("NIFTY MIDCAP 50", "NSE", 1019, 16500.0),
    ("SENSEX", "BSE", 1, 85000.0),
]
_SYLLABLES = ["AR", "BEL", "CON", "DI", "EX", "FIN", "GRA", "HI", "IND", "JU", "KAR", "LO", "MA", "NOV",
              "OM", "PRA", "QU", "RA", "SHR", "TEX", "UNI", "VAR", "WEL", "XO", "YA", "ZEN", "TRO", "PHA"]
_SUFFIXES = ["INDUSTRIES", "LIMITED", "FINANCE", "PHARMA", "TEXTILES", "POWER", "CHEMICALS", "MOTORS"]


def nse_token(exchange_token: int) -> int:
    return exchange_token * 256 + 1


def bse_token(exchange_token: int) -> int:
    return exchange_token * 256 + 4


def index_token(exchange_token: int) -> int:
    return exchange_token * 256 + 9


def companies(seed: int, count: int) -> list[Company]:
    """The real names first, then deterministic generated ones; roughly half also list on BSE."""
    rng = random.Random(stable_key(seed, "companies"))
    used_tokens = {t for _, _, t, _, _ in _REAL} | set(range(99900, 100000))
    used_bse = {b for _, _, _, b, _ in _REAL}
    used_symbols = {s for s, *_ in _REAL} | set(SPECIAL_SYMBOLS)
    out = [
        Company(sym, name, tok, bse, PathSpec(nse_token(tok), price, 0.017))
        for sym, name, tok, bse, price in _REAL
    ]
    while len(out) < count:
        symbol = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        if symbol in used_symbols or len(symbol) > 10:
            continue
        used_symbols.add(symbol)
        token = rng.randrange(100, 30000)
        while token in used_tokens:
            token = rng.randrange(100, 30000)
        used_tokens.add(token)
        bse = None
        if rng.random() < 0.5:
            bse = rng.randrange(500000, 544000)
            while bse in used_bse:
                bse = rng.randrange(500000, 544000)
            used_bse.add(bse)
        price = math.exp(rng.uniform(math.log(40.0), math.log(6000.0)))
        name = f"{symbol} {rng.choice(_SUFFIXES)}"
        out.append(Company(symbol, name, token, bse, PathSpec(nse_token(token), round(price, 2),
                                                              rng.uniform(0.012, 0.025))))
    return out


def special_paths() -> list[tuple[str, int, PathSpec]]:
    """The deliberately broken NSE instruments (see docs/sandbox.md for exactly what is broken)."""
    return [(sym, 99901 + i, PathSpec(nse_token(99901 + i), 500.0 + 100 * i, 0.02))
            for i, sym in enumerate(SPECIAL_SYMBOLS)]
