"""`kf_meta`: the JSON attribute of a series group that answers "what do I have?" without reading candles."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np

from adapters.outbound.hdf5.readonly import ReadOnlyFile
from application.ports import SeriesInfo
from domain.coverage import Coverage
from domain.instrument import SeriesKey
from domain.validation import DayCount

META = "kf_meta"


def encode(key: SeriesKey, rows: int, first: int | None, last: int | None, coverage: Coverage,
           held_back: Sequence[DayCount] = ()) -> str:
    """`held_back` as [["2025-06-07", 1], ...], present only when a day is held back (older files have none)."""
    meta: dict[str, object] = {"symbol": key.symbol, "rows": rows, "first_ts": first, "last_ts": last,
                               "coverage": [list(s) for s in coverage.spans]}
    if held_back:
        meta["held_back"] = [[day.isoformat(), count] for day, count in held_back]
    return json.dumps(meta)


def decode(key: SeriesKey, raw: object) -> SeriesInfo | None:
    """None for a group kitefetch did not write (or has not finished writing)."""
    if raw is None:
        return None
    if isinstance(raw, np.ndarray):
        raw = raw.item()
    if isinstance(raw, bytes):
        raw = raw.decode()
    meta = json.loads(str(raw))
    key = SeriesKey(key.exchange, meta.get("symbol", key.symbol), key.interval)
    return SeriesInfo(key, int(meta["rows"]), meta["first_ts"], meta["last_ts"],
                      Coverage.of((a, b) for a, b in meta["coverage"]),
                      tuple((date.fromisoformat(day), int(count)) for day, count in meta.get("held_back", ())))


def read(path: Path, series: str, key: SeriesKey) -> SeriesInfo | None:
    """The series' metadata; None when the file or the series does not exist."""
    try:
        with ReadOnlyFile(path) as handle:
            group = handle.h5.get(series)
            return None if group is None else decode(key, group.attrs.get(META))
    except FileNotFoundError:
        return None
