"""Kite candle arrays -> columns, without a dict or a dateutil call per candle.

The stock `historical_data()` builds a dict per candle and parses each timestamp with dateutil
(~13k candles/s). Kite stamps every candle `YYYY-MM-DDTHH:MM:SS+HHMM`, so numpy parses the local part
in bulk and the offset is applied once per distinct suffix.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from domain.candles import CandleFrame
from domain.errors import UpstreamFailure


def _offset_seconds(suffix: str) -> int:
    if suffix in ("Z", ""):
        return 0
    sign = -1 if suffix[0] == "-" else 1
    digits = suffix[1:].replace(":", "")
    return sign * (int(digits[:2]) * 3600 + int(digits[2:4]) * 60)


def parse_timestamps(stamps: Sequence[str]) -> np.ndarray:
    """Epoch seconds from Kite's ISO stamps (any fixed offset; `2024-01-01` alone means IST midnight)."""
    if not stamps:
        return np.empty(0, dtype=np.int64)
    first = stamps[0]
    if len(first) == 24 and all(len(s) == 24 for s in stamps):
        suffixes = {s[19:] for s in stamps}
        local = np.array([s[:19] for s in stamps], dtype="datetime64[s]").astype(np.int64)
        if len(suffixes) == 1:
            return local - _offset_seconds(suffixes.pop())
        offsets = np.fromiter((_offset_seconds(s[19:]) for s in stamps), dtype=np.int64, count=len(stamps))
        return local - offsets
    out = np.empty(len(stamps), dtype=np.int64)
    for i, stamp in enumerate(stamps):
        out[i] = _parse_one(stamp)
    return out


def _parse_one(stamp: str) -> int:
    text = stamp.strip()
    if len(text) == 10:
        return int(np.datetime64(text, "s").astype(np.int64)) - 19_800
    body, suffix = text[:19], text[19:]
    local = int(np.datetime64(body.replace(" ", "T"), "s").astype(np.int64))
    return local - (_offset_seconds(suffix) if suffix else 19_800)


def parse_candles(rows: Sequence[Sequence], with_oi: bool) -> CandleFrame:
    """Columns from Kite's `data.candles`; a missing OI column becomes zeros when OI is wanted."""
    if not rows:
        return CandleFrame.empty(with_oi)
    try:
        width = len(rows[0])
        if width < 6 or any(len(r) != width for r in rows):
            raise ValueError("candles of unequal or short width")
        columns = list(zip(*rows, strict=True))
        frame = {
            "ts": parse_timestamps(columns[0]),
            "open": np.array(columns[1], dtype=np.float64),
            "high": np.array(columns[2], dtype=np.float64),
            "low": np.array(columns[3], dtype=np.float64),
            "close": np.array(columns[4], dtype=np.float64),
            "volume": np.array(columns[5], dtype=np.float64).astype(np.int64),
        }
        if with_oi:
            frame["oi"] = (np.array(columns[6], dtype=np.float64).astype(np.int64) if width >= 7
                           else np.zeros(len(rows), dtype=np.int64))
    except (TypeError, ValueError, IndexError) as error:
        raise UpstreamFailure(f"Kite returned malformed candles ({error})") from error
    return CandleFrame.from_columns(frame)
