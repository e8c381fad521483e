"""The instruments dump for one (seed, day, scale): built once, looked up by token, served as CSV.

Cash instruments depend only on the seed; derivatives also on the day (only live contracts are listed).
"""

from __future__ import annotations

import datetime
import gzip
import threading
from dataclasses import dataclass, field
from functools import lru_cache

from .contracts import (
    Underlying,
    assign_exchange_tokens,
    contracts_for,
    expiry_weekday,
)
from .counter_hash import stable_key
from .instruments import (
    INDICES,
    Company,
    Instrument,
    bse_token,
    companies,
    index_token,
    nse_token,
    special_paths,
)
from .price_paths import PathSpec, close_on
from .session_days import day_index_range
from .trading_calendar import EPOCH_START

CSV_HEADER = ("instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,"
              "tick_size,lot_size,instrument_type,segment,exchange")
EXCHANGE_ORDER = ("NSE", "NFO", "BSE", "BFO")
FNO_STOCKS_PER_SCALE = 62
_SEGMENT_ID = {"NFO": 2, "BFO": 5}


@dataclass
class Universe:
    """All live instruments, with lazily rendered (and gzipped) CSV bodies per exchange."""

    by_token: dict[int, Instrument]
    by_exchange: dict[str, list[Instrument]]
    _bodies: dict[tuple[str | None, bool], bytes] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def csv(self, exchange: str | None, gzipped: bool) -> bytes:
        key = (exchange, gzipped)
        with self._lock:
            if key not in self._bodies:
                plain = self._plain(exchange)
                self._bodies[key] = gzip.compress(plain, compresslevel=6, mtime=0) if gzipped else plain
            return self._bodies[key]

    def _plain(self, exchange: str | None) -> bytes:
        plain_key = (exchange, False)
        if plain_key in self._bodies:
            return self._bodies[plain_key]
        exchanges = EXCHANGE_ORDER if exchange is None else (exchange,)
        lines = [CSV_HEADER]
        for ex in exchanges:
            lines.extend(csv_row(i) for i in self.by_exchange.get(ex, []))
        body = ("\n".join(lines) + "\n").encode()
        self._bodies[plain_key] = body
        return body


def csv_row(i: Instrument) -> str:
    expiry = i.expiry.isoformat() if i.expiry else ""
    return (f"{i.instrument_token},{i.exchange_token},{i.tradingsymbol},{i.name},{float(i.last_price)!r},"
            f"{expiry},{float(i.strike)!r},{float(i.tick_size)!r},{i.lot_size},{i.instrument_type},"
            f"{i.segment},{i.exchange}")


def _tick(price: float) -> float:
    return round(price * 20) / 20


def _nice_lot(price: float) -> int:
    raw = 700000.0 / price
    for step in (1000, 500, 250, 100, 50, 25, 5, 1):
        if raw >= 4 * step:
            return int(round(raw / step) * step)
    return 1


def _strike_step(price: float) -> float:
    for limit, step in ((100, 1.0), (250, 2.5), (500, 5.0), (1000, 10.0), (2500, 20.0), (5000, 50.0)):
        if price < limit:
            return step
    return 100.0


@lru_cache(maxsize=8)
def build_universe(seed: int, today: datetime.date, scale: int) -> Universe:
    last_index = int(day_index_range(EPOCH_START, today - datetime.timedelta(1))[-1])
    fno_count = FNO_STOCKS_PER_SCALE * max(1, scale)
    firms = companies(seed, max(400, fno_count + 120))
    rows: dict[str, list[Instrument]] = {ex: [] for ex in EXCHANGE_ORDER}

    def cash(c: Company, exchange: str, token: int, exch_token: int) -> Instrument:
        vol_scale = 5.0e9 / c.path.base
        return Instrument(token, exch_token, c.symbol, c.name, _tick(close_on(seed, c.path, last_index)), None,
                          0.0, 0.05, 1, "EQ", exchange, exchange, "cash", c.path, stable_key(exchange, token),
                          vol_scale)

    index_paths: dict[str, PathSpec] = {}
    for symbol, exchange, exch_token, level in INDICES:
        token = index_token(exch_token)
        path = PathSpec(token, level, 0.010)
        index_paths[symbol] = path
        rows[exchange].append(Instrument(token, exch_token, symbol, symbol, _tick(close_on(seed, path, last_index)),
                                         None, 0.0, 0.0, 0, "EQ", "INDICES", exchange, "index", path, token, 0.0))
    for c in firms:
        rows["NSE"].append(cash(c, "NSE", nse_token(c.nse_token), c.nse_token))
        if c.bse_token is not None:
            rows["BSE"].append(cash(c, "BSE", bse_token(c.bse_token), c.bse_token))
    for symbol, exch_token, path in special_paths():
        rows["NSE"].append(Instrument(nse_token(exch_token), exch_token, symbol, f"SANDBOX {symbol}",
                                      _tick(close_on(seed, path, last_index)), None, 0.0, 0.05, 1, "EQ", "NSE",
                                      "NSE", "cash", path, nse_token(exch_token), 1.0e6, special=symbol))

    def spot(path: PathSpec) -> float:
        return close_on(seed, path, last_index)

    underlyings = [
        Underlying("NIFTY", "NFO", index_paths["NIFTY 50"], spot(index_paths["NIFTY 50"]), 75, 50.0, 50, True,
                   0.13, 4.0e6),
        Underlying("BANKNIFTY", "NFO", index_paths["NIFTY BANK"], spot(index_paths["NIFTY BANK"]), 35, 100.0, 40,
                   False, 0.16, 1.5e6),
        Underlying("SENSEX", "BFO", index_paths["SENSEX"], spot(index_paths["SENSEX"]), 20, 100.0, 50, True,
                   0.13, 5.0e5),
    ]
    for c in firms[:fno_count]:
        price = spot(c.path)
        underlyings.append(Underlying(c.symbol, "NFO", c.path, price, _nice_lot(c.path.base),
                                      _strike_step(price), 25, False, 0.28, 4.0e7 / c.path.base))
    for exchange in ("NFO", "BFO"):
        specs = [s for u in underlyings if u.exchange == exchange for s in contracts_for(u, today)]
        tokens = assign_exchange_tokens(seed, exchange, [s.tradingsymbol for s in specs])
        for s in specs:
            u = s.underlying
            exch_token = tokens[s.tradingsymbol]
            is_future = s.instrument_type == "FUT"
            moneyness = abs(s.strike / u.spot - 1.0) if not is_future else 0.0
            vol_scale = u.volume_scale * (1.0 if is_future else 0.5 / (1.0 + 40.0 * moneyness))
            rows[exchange].append(Instrument(
                exch_token * 256 + _SEGMENT_ID[exchange], exch_token, s.tradingsymbol, u.name, s.last_price,
                s.expiry, s.strike, 0.05, u.lot_size, s.instrument_type,
                f"{exchange}-{'FUT' if is_future else 'OPT'}", exchange, "future" if is_future else "option",
                u.path, stable_key(exchange, s.tradingsymbol), vol_scale, s.listing, u.option_vol,
                expiry_weekday(exchange)))
    by_token = {i.instrument_token: i for ex in rows.values() for i in ex}
    return Universe(by_token, rows)
