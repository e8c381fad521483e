"""One segment database (EQUITY.h5 / DERIVATIVES.h5): a pandas-readable table per series.

Layout: group `/EXCHANGE/ENCODED_SYMBOL/INTERVAL` holding a pandas "table" frame (index `timestamp`,
tz-aware IST; columns open, high, low, close, volume[, oi]) compressed with blosc:zstd. Our metadata
lives beside pandas' own as `kf_*` attributes of that group: row count, first/last candle, the original
symbol and the fetched coverage, so "what do I have?" never reads candles.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")  # we lock ourselves, see file_lock.py

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import tables  # noqa: E402

from adapters.outbound.hdf5.file_lock import InterProcessLock  # noqa: E402
from adapters.outbound.hdf5.naming import decode_symbol, series_path  # noqa: E402
from application.ports import SeriesInfo, StoreDescription  # noqa: E402
from domain.candles import CandleFrame, merge_frames  # noqa: E402
from domain.coverage import Coverage, Span  # noqa: E402
from domain.errors import InvalidInput  # noqa: E402
from domain.instrument import SeriesKey  # noqa: E402
from domain.interval import Interval  # noqa: E402
from domain.market import Segment  # noqa: E402

warnings.filterwarnings("ignore", category=tables.NaturalNameWarning)

TZ = "Asia/Kolkata"
COMPLIB = "blosc:zstd"
COMPLEVEL = 5
_VALUE_COLUMNS = ("open", "high", "low", "close", "volume")


def frame_to_pandas(frame: CandleFrame) -> pd.DataFrame:
    index = pd.DatetimeIndex(frame.ts.astype("datetime64[s]").astype("datetime64[ns]"), name="timestamp")
    data = {c: getattr(frame, c) for c in _VALUE_COLUMNS}
    if frame.oi is not None:
        data["oi"] = frame.oi
    return pd.DataFrame(data, index=index.tz_localize("UTC").tz_convert(TZ))


def pandas_to_frame(df: pd.DataFrame, with_oi: bool) -> CandleFrame:
    ts = df.index.as_unit("s").asi8 if isinstance(df.index, pd.DatetimeIndex) else np.asarray(df.index)
    columns = {c: df[c].to_numpy() for c in _VALUE_COLUMNS}
    columns["ts"] = ts
    if with_oi:
        columns["oi"] = df["oi"].to_numpy() if "oi" in df else np.zeros(len(df), dtype=np.int64)
    return CandleFrame.from_columns(columns)


class Hdf5SegmentStore:
    """CandleStore over one HDF5 file. Safe across threads and processes through InterProcessLock."""

    def __init__(self, path: Path, segment: Segment, lock_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.segment = segment
        self._lock = InterProcessLock(self.path.with_name(self.path.name + ".lock"), lock_timeout)

    def _check(self, key: SeriesKey) -> str:
        if key.segment is not self.segment:
            raise InvalidInput(f"{key.exchange.value} is not stored in the {self.segment.value} database")
        return series_path(key.exchange.value, key.symbol, key.interval.value)

    def info(self, key: SeriesKey) -> SeriesInfo | None:
        path = self._check(key)
        if not self.path.exists():
            return None
        with self._lock.hold(exclusive=False), tables.open_file(self.path, "r") as h5:
            if path not in h5:
                return None
            return _info_from_attrs(key, h5.get_node(path)._v_attrs)

    def write(self, key: SeriesKey, candles: CandleFrame, covered: Sequence[Span],
              replace: Span | None = None) -> int:
        path = self._check(key)
        with_oi = self.segment.has_open_interest
        candles = candles.with_open_interest(with_oi)
        with self._lock.hold(exclusive=True):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with pd.HDFStore(self.path, mode="a", complib=COMPLIB, complevel=COMPLEVEL) as store:
                node = store.get_node(path)
                attrs = node._v_attrs if node is not None else None
                info = _info_from_attrs(key, attrs) if attrs is not None and "kf_rows" in attrs else None
                coverage = (info.coverage if info else Coverage()).add_all(covered)
                rows_before = info.rows if info else 0
                appendable = (replace is None and (info is None or info.rows == 0 or info.last_ts is None
                              or len(candles) == 0 or int(candles.ts[0]) > info.last_ts))
                if appendable:
                    written = len(candles)
                    if written:
                        store.append(path, frame_to_pandas(candles), format="table", index=False)
                    merged_first = info.first_ts if info and info.first_ts is not None else None
                    if written:
                        merged_first = merged_first if merged_first is not None else int(candles.ts[0])
                        merged_last = int(candles.ts[-1])
                    else:
                        merged_last = info.last_ts if info else None
                    rows = rows_before + written
                else:
                    existing = pandas_to_frame(store.select(path), with_oi) if node is not None else \
                        CandleFrame.empty(with_oi)
                    merged, written = merge_frames(existing, candles, *(replace or (None, None)))
                    if node is not None:
                        store.remove(path)
                    if len(merged):
                        store.put(path, frame_to_pandas(merged), format="table", index=False, track_times=False)
                    rows = len(merged)
                    merged_first = int(merged.ts[0]) if rows else None
                    merged_last = int(merged.ts[-1]) if rows else None
                if store.get_node(path) is None:
                    store._handle.create_group(*path.rsplit("/", 1), createparents=True)
                attrs = store.get_node(path)._v_attrs
                attrs.kf_symbol = key.symbol
                attrs.kf_rows = rows
                attrs.kf_first_ts = -1 if merged_first is None else merged_first
                attrs.kf_last_ts = -1 if merged_last is None else merged_last
                attrs.kf_coverage = json.dumps([list(s) for s in coverage.spans])
        return written

    def read(self, key: SeriesKey, start_ts: int | None = None, end_ts: int | None = None) -> CandleFrame:
        path = self._check(key)
        with_oi = self.segment.has_open_interest
        if not self.path.exists():
            return CandleFrame.empty(with_oi)
        with self._lock.hold(exclusive=False), pd.HDFStore(self.path, mode="r") as store:
            node = store.get_node(path)
            if node is None or "table" not in node:
                return CandleFrame.empty(with_oi)
            frame = pandas_to_frame(store.select(path), with_oi)
        if start_ts is None and end_ts is None:
            return frame
        lo = np.iinfo(np.int64).min if start_ts is None else start_ts
        hi = np.iinfo(np.int64).max if end_ts is None else end_ts
        return frame.between(lo, hi)

    def describe(self) -> StoreDescription:
        if not self.path.exists():
            return StoreDescription(self.segment, str(self.path), False, 0, ())
        series: list[SeriesInfo] = []
        with self._lock.hold(exclusive=False), tables.open_file(self.path, "r") as h5:
            for exchange in self.segment.exchanges:
                if f"/{exchange.value}" not in h5:
                    continue
                for symbol_group in h5.get_node(f"/{exchange.value}")._f_iter_nodes("Group"):
                    for interval_group in symbol_group._f_iter_nodes("Group"):
                        attrs = interval_group._v_attrs
                        if "kf_rows" not in attrs:
                            continue
                        symbol = str(attrs.kf_symbol) if "kf_symbol" in attrs else \
                            decode_symbol(symbol_group._v_name)
                        try:
                            interval = Interval(interval_group._v_name)
                        except ValueError:
                            continue
                        series.append(_info_from_attrs(SeriesKey(exchange, symbol, interval), attrs))
            size = self.path.stat().st_size
        return StoreDescription(self.segment, str(self.path), True, size, tuple(series))


def _info_from_attrs(key: SeriesKey, attrs: tables.AttributeSet) -> SeriesInfo:
    first = int(attrs.kf_first_ts)
    last = int(attrs.kf_last_ts)
    spans = json.loads(str(attrs.kf_coverage)) if "kf_coverage" in attrs else []
    return SeriesInfo(key, int(attrs.kf_rows), None if first < 0 else first, None if last < 0 else last,
                      Coverage.of((a, b) for a, b in spans))
