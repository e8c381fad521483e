"""One segment database (EQUITY.h5 / DERIVATIVES.h5), one pandas-readable group per series.

See layout.py for the arrays. Our metadata lives beside pandas' in one `kf_meta` attribute (JSON) of the
series group: the original symbol, row count, first/last candle and the fetched coverage, so "what do I
have?" never reads candles, and is answered from memory while the file is unchanged.

A write opens the file, writes and closes it: HDF5 marks a file open for writing and other processes'
readers (pandas in a notebook) refuse to open it while that mark is set, so it must never outlive a write.
Reads keep a read-only handle until `idle_close_seconds` pass without use; every access first checks the
file's identity and reopens if another process has written since. New files keep HDF5's free-space map
across sessions, so the space of a partly filled chunk rewritten by an append is reused, not leaked
(without it, a series growing a few rows a day made its file 5-100x larger than its data).
"""

from __future__ import annotations

import json
import os
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")  # we lock ourselves, see file_lock.py

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import tables  # noqa: E402

from adapters.outbound.hdf5 import fast_path, layout  # noqa: E402
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

_Signature = tuple[int, int, int, int]


def _signature(path: Path) -> _Signature | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _meta(key: SeriesKey, rows: int, first: int | None, last: int | None, coverage: Coverage) -> dict:
    return {"symbol": key.symbol, "rows": rows, "first_ts": first, "last_ts": last,
            "coverage": [list(s) for s in coverage.spans]}


def _info(key: SeriesKey, meta: dict | None) -> SeriesInfo | None:
    """SeriesInfo from `kf_meta`; None for a group kitefetch did not write (or has not finished creating)."""
    if meta is None:
        return None
    key = SeriesKey(key.exchange, meta.get("symbol", key.symbol), key.interval)
    return SeriesInfo(key, int(meta["rows"]), meta["first_ts"], meta["last_ts"],
                      Coverage.of((a, b) for a, b in meta["coverage"]))


class Hdf5SegmentStore:
    """CandleStore over one HDF5 file; safe across threads and processes (InterProcessLock)."""

    def __init__(self, path: Path, segment: Segment, lock_timeout: float = 30.0,
                 idle_close_seconds: float = 0.25) -> None:
        self.path = Path(path)
        self.segment = segment
        self._with_oi = segment.has_open_interest
        self._lock = InterProcessLock(self.path.with_name(self.path.name + ".lock"), lock_timeout)
        self._handle_lock = threading.RLock()
        self._h5: tables.File | None = None
        self._h5_signature: _Signature | None = None
        self._info_cache: dict[str, SeriesInfo | None] = {}
        self._info_signature: _Signature | None = None
        self._idle_close_seconds = idle_close_seconds
        self._idle_timer: threading.Timer | None = None

    # -- handles ----------------------------------------------------------------------------------

    def _read_handle(self) -> tables.File | None:
        """The cached read-only handle if the file is unchanged since it was opened, else a fresh one."""
        current = _signature(self.path)
        if self._h5 is not None and current != self._h5_signature:
            self.close()
        if self._h5 is None and current is not None:
            self._h5 = tables.open_file(self.path, "r")
            self._h5_signature = current
        return self._h5

    def _schedule_close(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        self._idle_timer = threading.Timer(self._idle_close_seconds, self.close)
        self._idle_timer.daemon = True
        self._idle_timer.start()

    @contextmanager
    def _reading(self) -> Iterator[tables.File | None]:
        with self._lock.hold(exclusive=False), self._handle_lock:
            try:
                yield self._read_handle()
            finally:
                self._schedule_close()

    @contextmanager
    def _writing(self) -> Iterator[None]:
        with self._lock.hold(exclusive=True), self._handle_lock:
            self.close()  # PyTables will not open for writing a file this process holds read-only
            try:
                if not self.path.exists():
                    _create_file(self.path)
                yield
            finally:
                self._info_cache.clear()
                self._info_signature = None

    def close(self) -> None:
        """Close the read handle now; the next access reopens it."""
        with self._handle_lock:
            if self._h5 is not None:
                self._h5.close()
                self._h5 = None
                self._h5_signature = None

    # -- CandleStore ------------------------------------------------------------------------------

    def _path_of(self, key: SeriesKey) -> str:
        if key.segment is not self.segment:
            raise InvalidInput(f"{key.exchange.value} is not stored in the {self.segment.value} database")
        return series_path(key.exchange.value, key.symbol, key.interval.value)

    def info(self, key: SeriesKey) -> SeriesInfo | None:
        path = self._path_of(key)
        with self._handle_lock:
            signature = _signature(self.path)
            if signature is None:
                return None
            if signature != self._info_signature:
                self._info_cache.clear()
                self._info_signature = signature
            if path in self._info_cache:
                return self._info_cache[path]
        with self._lock.hold(exclusive=False), self._handle_lock:
            info = _info(key, fast_path.read_meta(self.path, path))
            if _signature(self.path) == self._info_signature:
                self._info_cache[path] = info
            return info

    def write(self, key: SeriesKey, candles: CandleFrame, covered: Sequence[Span],
              replace: Span | None = None) -> int:
        path = self._path_of(key)
        candles = candles.with_open_interest(self._with_oi)
        with self._writing():
            if replace is None:
                def grown(meta: dict) -> dict:
                    info = _info(key, meta)
                    written = len(candles)
                    first = info.first_ts if info.first_ts is not None else (int(candles.ts[0]) if written else None)
                    last = int(candles.ts[-1]) if written else info.last_ts
                    return _meta(key, info.rows + written, first, last, info.coverage.add_all(covered))

                if fast_path.try_append(self.path, path, candles.columns(), self._with_oi, grown) is not None:
                    return len(candles)
            return self._merge(key, path, candles, covered, replace)

    def _merge(self, key: SeriesKey, path: str, candles: CandleFrame, covered: Sequence[Span],
               replace: Span | None) -> int:
        """Everything but a plain append: create the series, or rewrite it with the candles merged in."""
        parent, name = path.rsplit("/", 1)
        chunk_rows = layout.CHUNK_ROWS[key.interval.value]
        with tables.open_file(self.path, "a") as h5:
            try:
                old = h5.get_node(path)
            except tables.NoSuchNodeError:
                old = None
            info = _info(key, fast_path.decode_meta(getattr(old._v_attrs, fast_path.META, None))) if old else None
            existing = (CandleFrame.from_columns(layout.read_columns(old, self._with_oi)) if old is not None
                        else CandleFrame.empty(self._with_oi))
            merged, written = merge_frames(existing, candles, *(replace or (None, None)))
            scratch = f"_kf_new_{name}"
            if old is not None and scratch in old._v_parent:
                h5.remove_node(parent, scratch, recursive=True)
            fresh = layout.create_series(h5, parent, scratch if old is not None else name, self._with_oi,
                                         chunk_rows)
            if len(merged):
                layout.append_columns(fresh, merged.columns(), self._with_oi)
            rows = len(merged)
            coverage = (info.coverage if info else Coverage()).add_all(covered)
            meta = _meta(key, rows, int(merged.ts[0]) if rows else None, int(merged.ts[-1]) if rows else None,
                         coverage)
            setattr(fresh._v_attrs, fast_path.META, json.dumps(meta))
            if old is not None:
                old._f_remove(recursive=True)
                fresh._f_rename(name)
        return written

    def read(self, key: SeriesKey, start_ts: int | None = None, end_ts: int | None = None) -> CandleFrame:
        path = self._path_of(key)
        with self._reading() as h5:
            if h5 is None or path not in h5:
                return CandleFrame.empty(self._with_oi)
            group = h5.get_node(path)
            if start_ts is None and end_ts is None:
                return CandleFrame.from_columns(layout.read_columns(group, self._with_oi))
            stamps = group.axis1.read()
            lo = 0 if start_ts is None else int(np.searchsorted(stamps, start_ts, side="left"))
            hi = len(stamps) if end_ts is None else int(np.searchsorted(stamps, end_ts, side="right"))
            if lo >= hi:
                return CandleFrame.empty(self._with_oi)
            return CandleFrame.from_columns(layout.read_columns(group, self._with_oi, lo, hi))

    def describe(self) -> StoreDescription:
        series: list[SeriesInfo] = []
        with self._lock.hold(exclusive=False):
            if not self.path.exists():
                return StoreDescription(self.segment, str(self.path), False, 0, ())
            with h5py.File(self.path, "r") as h5:
                for exchange in self.segment.exchanges:
                    for symbol_node, intervals in (h5.get(exchange.value) or {}).items():
                        for interval_node, group in intervals.items():
                            try:
                                interval = Interval(interval_node)
                            except ValueError:
                                continue
                            key = SeriesKey(exchange, decode_symbol(symbol_node), interval)
                            info = _info(key, fast_path.decode_meta(group.attrs.get(fast_path.META)))
                            if info is not None:
                                series.append(info)
            size = self.path.stat().st_size
        return StoreDescription(self.segment, str(self.path), True, size, tuple(series))


def _create_file(path: Path) -> None:
    """An empty HDF5 file that keeps its free-space map across sessions (PyTables cannot ask for this)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w", fs_strategy="fsm", fs_persist=True, fs_threshold=1, libver=("v110", "latest")):
        pass
