"""Kite candle arrays -> columns, without a dict or a dateutil call per candle.

The stock `historical_data()` builds a dict per candle and parses each timestamp with dateutil
(~13k candles/s). Kite stamps every candle `YYYY-MM-DDTHH:MM:SS+HHMM`, so numpy parses the local part
in bulk and the offset is applied once per distinct suffix.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np

from domain.candles import CandleFrame
from domain.clock_time import IST_OFFSET_SECONDS
from domain.errors import UpstreamFailure


def _offset_seconds(suffix: str) -> int:
    if suffix in ("Z", ""):
        return 0
    sign = -1 if suffix[0] == "-" else 1
    digits = suffix[1:].replace(":", "")
    return sign * (int(digits[:2]) * 3600 + int(digits[2:4]) * 60)


_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22, 23]
_SEPARATORS = [4, 7, 10, 13, 16]
_SEPARATOR_BYTES = np.frombuffer(b"--T::", dtype=np.uint8)


def _fixed_width_stamps(stamps: Sequence[str]) -> np.ndarray | None:
    """Epoch seconds of `YYYY-MM-DDTHH:MM:SS+HHMM` stamps by digit arithmetic on one byte matrix; None if
    any stamp has another shape."""
    raw = "".join(stamps).encode("ascii", "replace")
    if len(raw) != 24 * len(stamps):
        return None
    b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 24)
    digits = b[:, _DIGITS] - np.uint8(48)  # non-digits wrap around to > 9
    if (digits > 9).any() or (b[:, _SEPARATORS] != _SEPARATOR_BYTES).any() or not np.isin(b[:, 19], (43, 45)).all():
        return None
    d = digits.astype(np.int64)
    year = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
    month, day = d[:, 4] * 10 + d[:, 5], d[:, 6] * 10 + d[:, 7]
    clock = (d[:, 8] * 10 + d[:, 9]) * 3600 + (d[:, 10] * 10 + d[:, 11]) * 60 + d[:, 12] * 10 + d[:, 13]
    offset = ((d[:, 14] * 10 + d[:, 15]) * 3600 + (d[:, 16] * 10 + d[:, 17]) * 60) * np.where(b[:, 19] == 45, -1, 1)
    # days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil)
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    days = era * 146_097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719_468
    return days * 86_400 + clock - offset


def parse_timestamps(stamps: Sequence[str]) -> np.ndarray:
    """Epoch seconds from Kite's ISO stamps (any fixed offset; `2024-01-01` alone means IST midnight)."""
    if not stamps:
        return np.empty(0, dtype=np.int64)
    fast = _fixed_width_stamps(stamps)
    if fast is not None:
        return fast
    out = np.empty(len(stamps), dtype=np.int64)
    for i, stamp in enumerate(stamps):
        out[i] = _parse_one(stamp)
    return out


def _parse_one(stamp: str) -> int:
    text = stamp.strip()
    if len(text) == 10:
        return int(np.datetime64(text, "s").astype(np.int64)) - IST_OFFSET_SECONDS
    body, suffix = text[:19], text[19:]
    local = int(np.datetime64(body.replace(" ", "T"), "s").astype(np.int64))
    return local - (_offset_seconds(suffix) if suffix else IST_OFFSET_SECONDS)


def parse_candles(rows: Sequence[Sequence], with_oi: bool) -> CandleFrame:
    """Columns from Kite's `data.candles`; a missing OI column becomes zeros when OI is wanted."""
    if not rows:
        return CandleFrame.empty(with_oi)
    try:
        width = len(rows[0])
        if width < 6:
            raise ValueError("candles need at least 6 fields")
        count = len(rows)
        flat = list(chain.from_iterable(rows))
        if len(flat) != count * width:
            raise ValueError("candles of unequal width")

        def floats(i: int) -> np.ndarray:
            column = np.array(flat[i::width], dtype=np.float64)
            if len(column) != count:
                raise ValueError("candles of unequal width")
            return column

        frame = {"ts": parse_timestamps(flat[0::width]), "open": floats(1), "high": floats(2), "low": floats(3),
                 "close": floats(4), "volume": floats(5).astype(np.int64)}
        if with_oi:
            frame["oi"] = floats(6).astype(np.int64) if width >= 7 else np.zeros(count, dtype=np.int64)
    except (TypeError, ValueError, IndexError) as error:
        raise UpstreamFailure(f"Kite returned malformed candles ({error})") from error
    return CandleFrame.from_columns(frame)
