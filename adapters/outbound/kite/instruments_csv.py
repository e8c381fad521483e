"""Kite's instrument dump (CSV) -> Instrument objects, fast enough for the 100k-row NFO file."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd

from domain.errors import UpstreamFailure
from domain.instrument import Instrument

COLUMNS = ("instrument_token", "exchange_token", "tradingsymbol", "name", "last_price", "expiry", "strike",
           "tick_size", "lot_size", "instrument_type", "segment", "exchange")
_TEXT = {"tradingsymbol": str, "name": str, "expiry": str, "instrument_type": str, "segment": str,
         "exchange": str, "exchange_token": str}


def parse_instruments(body: bytes | str) -> list[Instrument]:
    raw = body.encode() if isinstance(body, str) else body
    if not raw.strip():
        return []
    try:
        df = pd.read_csv(io.BytesIO(raw), dtype=_TEXT, keep_default_na=False, na_filter=False)
        missing = [c for c in COLUMNS if c not in df.columns]
        if missing:
            raise ValueError(f"missing columns {missing}")
        tokens = df["instrument_token"].astype("int64").tolist()
        exchange_tokens = [int(x) if x.isdigit() else 0 for x in df["exchange_token"].tolist()]
        last_price = df["last_price"].astype("float64").tolist()
        strike = df["strike"].astype("float64").tolist()
        tick = df["tick_size"].astype("float64").tolist()
        lot = df["lot_size"].astype("float64").astype("int64").tolist()
    except (ValueError, KeyError, pd.errors.ParserError) as error:
        raise UpstreamFailure(f"Kite returned a malformed instrument dump ({error})") from error
    expiries: dict[str, date | None] = {"": None}
    out: list[Instrument] = []
    for i, (symbol, name, expiry, itype, segment, exchange) in enumerate(zip(
            df["tradingsymbol"].tolist(), df["name"].tolist(), df["expiry"].tolist(),
            df["instrument_type"].tolist(), df["segment"].tolist(), df["exchange"].tolist(), strict=True)):
        parsed = expiries.get(expiry)
        if parsed is None and expiry not in expiries:
            parsed = expiries[expiry] = date.fromisoformat(expiry[:10])
        out.append(Instrument(tokens[i], exchange_tokens[i], symbol, name, last_price[i], parsed, strike[i],
                              tick[i], lot[i], itype, segment, exchange))
    return out
