"""One segment database (EQUITY.h5 / DERIVATIVES.h5), one pandas-readable group per series.

See layout.py for the arrays; our metadata lives beside pandas' in one `kf_meta` attribute (JSON) of the
series group: the original symbol, row count, first/last candle and the fetched coverage, so "what do I
have?" never reads candles (and is answered from memory while the file is unchanged).

A write opens the file, writes and closes it: HDF5 marks a file open for writing and other processes'
readers (pandas in a notebook) refuse to open it while that mark is set, so it must never outlive a write.
Reads keep a read-only handle until `idle_close_seconds` pass without use; every access first checks the
file's identity and reopens if another process has written since.
New files are created with HDF5's persistent free-space tracking, so space freed when a partly filled
chunk is rewritten on append is reused by later appends instead of leaking (without it, a series that
grows by a few rows a day made its file 5-100x larger than its data).
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

from adapters.outbound.hdf5 import layout  # noqa: E402
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

    # -- file handle ------------------------------------------------------------------------------

    def _open(self, writable: bool) -> tables.File | None:
        """The cached handle if the file is unchanged since we last touched it, else a fresh one."""
        current = _signature(self.path)
        h5 = self._h5
        stale = h5 is None or current != self._h5_signature or (writable and h5.mode == "r")
        if h5 is not None and stale:
            h5.close()
            self._h5 = None
        if stale:
            if current is None:
                if not writable:
                    return None
                _create_file(self.path)
            self._h5 = tables.open_file(self.path, "a" if writable else "r")
            self._h5_signature = _signature(self.path)
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
                yield self._open(writable=False)
            finally:
                self._schedule_close()

    @contextmanager
    def _writing(self) -> Iterator[tables.File]:
        with self._lock.hold(exclusive=True), self._handle_lock:
            h5 = self._open(writable=True)
            assert h5 is not None
            try:
                yield h5
            finally:
                self.close()
                self._info_cache.clear()

    def close(self) -> None:
        """Close the file now; the next access reopens it."""
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
            if signature == self._info_signature and path in self._info_cache:
                return self._info_cache[path]
        with self._reading() as h5:
            if h5 is None:
                return None
            if self._info_signature != self._h5_signature:
                self._info_cache.clear()
                self._info_signature = self._h5_signature
            if path not in self._info_cache:
                self._info_cache[path] = (_info(key, h5.get_node(path)._v_attrs) if path in h5 else None)
            return self._info_cache[path]

    def write(self, key: SeriesKey, candles: CandleFrame, covered: Sequence[Span],
              replace: Span | None = None) -> int:
        path = self._path_of(key)
        candles = candles.with_open_interest(self._with_oi)
        with self._writing() as h5:
            parent, name = path.rsplit("/", 1)
            try:
                group = h5.get_node(path)
                info = _info(key, group._v_attrs)
            except tables.NoSuchNodeError:
                group, info = layout.create_series(h5, parent, name, self._with_oi), None
            rows = info.rows if info else 0
            appendable = replace is None and (rows == 0 or len(candles) == 0 or int(candles.ts[0]) > info.last_ts)
            if appendable:
                if len(candles):
                    layout.append_columns(group, candles.columns(), self._with_oi)
                written = len(candles)
                first = info.first_ts if info and info.first_ts is not None else (
                    int(candles.ts[0]) if written else None)
                last = int(candles.ts[-1]) if written else (info.last_ts if info else None)
                rows += written
            else:
                existing = CandleFrame.from_columns(layout.read_columns(group, self._with_oi))
                merged, written = merge_frames(existing, candles, *(replace or (None, None)))
                group = self._rewrite(h5, group, parent, name, merged)
                rows = len(merged)
                first = int(merged.ts[0]) if rows else None
                last = int(merged.ts[-1]) if rows else None
            coverage = (info.coverage if info else Coverage()).add_all(covered)
            group._v_attrs.kf_meta = json.dumps({"symbol": key.symbol, "rows": rows, "first_ts": first,
                                                 "last_ts": last, "coverage": [list(s) for s in coverage.spans]})
        return written

    def _rewrite(self, h5: tables.File, old: tables.Group, parent: str, name: str,
                 merged: CandleFrame) -> tables.Group:
        """Replace one series' arrays: build the new group beside the old, then swap names."""
        scratch = f"_kf_new_{name}"
        if scratch in h5.get_node(parent):
            h5.remove_node(parent, scratch, recursive=True)
        fresh = layout.create_series(h5, parent, scratch, self._with_oi)
        if len(merged):
            layout.append_columns(fresh, merged.columns(), self._with_oi)
        old._f_remove(recursive=True)
        fresh._f_rename(name)
        return fresh

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
        with self._reading() as h5:
            if h5 is None:
                return StoreDescription(self.segment, str(self.path), False, 0, ())
            for exchange in self.segment.exchanges:
                if f"/{exchange.value}" not in h5:
                    continue
                for symbol_group in h5.get_node(f"/{exchange.value}")._f_iter_nodes("Group"):
                    for interval_group in symbol_group._f_iter_nodes("Group"):
                        try:
                            interval = Interval(interval_group._v_name)
                        except ValueError:
                            continue
                        key = SeriesKey(exchange, decode_symbol(symbol_group._v_name), interval)
                        info = _info(key, interval_group._v_attrs)
                        if info is not None:
                            series.append(info)
            size = self.path.stat().st_size
        return StoreDescription(self.segment, str(self.path), True, size, tuple(series))


def _create_file(path: Path) -> None:
    """An empty HDF5 file that keeps its free-space map across sessions (PyTables cannot set this)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w", fs_strategy="fsm", fs_persist=True, fs_threshold=1, libver=("v110", "latest")):
        pass


def _info(key: SeriesKey, attrs: tables.AttributeSet) -> SeriesInfo | None:
    """The series' metadata; None for a group kitefetch did not write (or has not finished creating)."""
    raw = getattr(attrs, "kf_meta", None)
    if raw is None:
        return None
    meta = json.loads(str(raw))
    key = SeriesKey(key.exchange, meta.get("symbol", key.symbol), key.interval)
    return SeriesInfo(key, int(meta["rows"]), meta["first_ts"], meta["last_ts"],
                      Coverage.of((a, b) for a, b in meta["coverage"]))
