"""JSON bodies exactly as Kite writes them: envelopes, and candles with integral prices as ints."""

from __future__ import annotations

import datetime
from functools import lru_cache
from typing import Any

import numpy as np
import orjson

from .bad_data import SECONDS_PER_DAY, CandleArrays


def success(data: Any) -> bytes:
    return orjson.dumps({"status": "success", "data": data})


def error(message: str, error_type: str) -> bytes:
    return orjson.dumps({"status": "error", "message": message, "error_type": error_type, "data": None})


@lru_cache(maxsize=65536)
def _day_text(ordinal: int) -> str:
    return datetime.date.fromordinal(ordinal).isoformat()


@lru_cache(maxsize=2048)
def _time_text(seconds: int) -> str:
    return f"T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}+0530"


def _prices(ticks: np.ndarray) -> list[float | int]:
    """0.05-tick integers to numbers: 34091 -> 1704.55, 34100 -> 1705 (no trailing .0, like Kite)."""
    values: list[float | int] = (ticks / 20.0).tolist()
    for i in np.flatnonzero(ticks % 20 == 0).tolist():
        values[i] = int(ticks[i]) // 20
    return values


def candles_body(c: CandleArrays, with_oi: bool) -> bytes:
    n = len(c.ts)
    stamps = [_day_text(d) + _time_text(s) for d, s in
              zip((c.ts // SECONDS_PER_DAY).tolist(), (c.ts % SECONDS_PER_DAY).tolist(), strict=True)]
    prices = _prices(np.stack([c.open, c.high, c.low, c.close], axis=1).ravel())
    volume = c.volume.tolist()
    if with_oi:
        oi = c.oi.tolist()
        rows = [[stamps[i], *prices[4 * i:4 * i + 4], volume[i], oi[i]] for i in range(n)]
    else:
        rows = [[stamps[i], *prices[4 * i:4 * i + 4], volume[i]] for i in range(n)]
    return success({"candles": rows})
