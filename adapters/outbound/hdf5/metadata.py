"""`kf_meta`: the JSON attribute of a series group that answers "what do I have?" without reading candles.

Beside rows, first/last candle and coverage it may hold `stale` ({"before_ts", "events"}: a corporate action's
heal still to do), `provisional_from` and `healed_at` (epoch seconds); attributes written before these existed
read as "none".
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from adapters.outbound.hdf5.readonly import ReadOnlyFile
from application.ports import SeriesInfo
from domain.adjustments import StaleMark
from domain.coverage import Coverage
from domain.instrument import SeriesKey

META = "kf_meta"


def encode(key: SeriesKey, rows: int, first: int | None, last: int | None, coverage: Coverage,
           stale: StaleMark | None = None, provisional_from: int | None = None, healed_at: int | None = None) -> str:
    meta: dict[str, object] = {"symbol": key.symbol, "rows": rows, "first_ts": first, "last_ts": last,
                               "coverage": [list(s) for s in coverage.spans]}
    if stale is not None:
        meta["stale"] = {"before_ts": stale.before_ts, "events": list(stale.events)}
    if provisional_from is not None:
        meta["provisional_from"] = provisional_from
    if healed_at is not None:
        meta["healed_at"] = healed_at
    return json.dumps(meta)


def encode_info(info: SeriesInfo) -> str:
    return encode(info.key, info.rows, info.first_ts, info.last_ts, info.coverage, info.stale,
                  info.provisional_from, info.healed_at)


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
    stale = meta.get("stale")
    return SeriesInfo(key, int(meta["rows"]), meta["first_ts"], meta["last_ts"],
                      Coverage.of((a, b) for a, b in meta["coverage"]),
                      StaleMark(int(stale["before_ts"]), tuple(stale["events"])) if stale else None,
                      meta.get("provisional_from"), meta.get("healed_at"))


def read(path: Path, series: str, key: SeriesKey) -> SeriesInfo | None:
    """The series' metadata; None when the file or the series does not exist."""
    try:
        with ReadOnlyFile(path) as handle:
            group = handle.h5.get(series)
            return None if group is None else decode(key, group.attrs.get(META))
    except FileNotFoundError:
        return None
