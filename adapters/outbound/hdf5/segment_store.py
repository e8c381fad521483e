"""One segment database (EQUITY.h5 / DERIVATIVES.h5), one pandas-readable group per series.

See layout.py for the arrays. Our metadata lives beside pandas' in one `kf_meta` attribute (JSON) of the
series group: the original symbol, row count, first/last candle and the fetched coverage, so "what do I
have?" never reads candles, and is answered from memory while the file is unchanged.

A write opens the file, writes and closes it: HDF5 marks a file open for writing and other processes'
readers (pandas in a notebook) refuse to open it while that mark is set, so it must never outlive a write.
Reads keep a read-only handle until `idle_close_seconds` pass without use; every access first checks the
file's identity and reopens if another process has written since. Writes go through h5py (see layout.py
for why) and a rollback journal (journal.py): a writer killed at any instant leaves the file exactly as it
was before that write, and a write that raises changes nothing. Chunks are compressed and decompressed by
chunk_io.py (a read fetches their bytes with `pread` on its own descriptor, under the shared lock), in the
format the HDF5 blosc2 filter reads, so pandas and PyTables read the files unchanged.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")  # we lock ourselves, see file_lock.py

import h5py  # noqa: E402

from adapters.outbound.hdf5 import journal, layout, metadata  # noqa: E402
from adapters.outbound.hdf5.file_lock import InterProcessLock  # noqa: E402
from adapters.outbound.hdf5.naming import decode_symbol, series_path  # noqa: E402
from adapters.outbound.hdf5.readonly import ReadOnlyFile  # noqa: E402
from application.ports import SeriesInfo, StoreDescription  # noqa: E402
from domain.candles import CandleFrame, merge_frames  # noqa: E402
from domain.coverage import Coverage, Span  # noqa: E402
from domain.errors import InvalidInput, StoreBusy, StoreConflict  # noqa: E402
from domain.instrument import SeriesKey  # noqa: E402
from domain.interval import Interval  # noqa: E402
from domain.market import Segment  # noqa: E402

_Signature = tuple[int, int, int, int, bytes]
_Generation = tuple[int, int, bytes]
_KEPT_TAILS = 8


def _generation_path(path: Path) -> Path:
    return path.with_name(path.name + ".gen")


def _signature(path: Path) -> _Signature | None:
    """The file's identity plus a generation every commit bumps: mtime alone ticks too coarsely (a few ms)
    to tell apart two same-size writes, and a reader must never trust a handle opened before either."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, _generation(path))


def _generation(path: Path) -> bytes:
    try:
        return _generation_path(path).read_bytes()
    except FileNotFoundError:
        return b""


def _file_generation(path: Path) -> _Generation:
    """The generation, and the file's identity in case it was replaced by something other than kitefetch."""
    st = path.stat()
    return (st.st_dev, st.st_ino, _generation(path))


def _bump_generation(path: Path) -> None:
    """Called under the exclusive lock by every write (before its commit point) and every recovery."""
    fd = os.open(_generation_path(path), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        os.pwrite(fd, os.urandom(8), 0)  # readers wait on the shared lock, so they never see half of it
    finally:
        os.close(fd)


class _ReadHandle(ReadOnlyFile):
    """The read-only file plus the series lookup every read starts with."""

    def series(self, path: str) -> h5py.Group | None:
        group = self.h5.get(path)
        if group is None:
            return None
        if not isinstance(group, h5py.Group) or not layout.is_series(group):
            raise StoreConflict(f"{path} in {self.path.name} was not written by kitefetch")
        return group


class Hdf5SegmentStore:
    """CandleStore over one HDF5 file; safe across threads and processes (InterProcessLock)."""

    def __init__(self, path: Path, segment: Segment, lock_timeout: float = 30.0,
                 idle_close_seconds: float = 0.25, durable: bool = False) -> None:
        self.path = Path(path)
        self._durable = durable
        self.segment = segment
        self._with_oi = segment.has_open_interest
        self._lock = InterProcessLock(self.path.with_name(self.path.name + ".lock"), lock_timeout)
        self._handle_lock = threading.RLock()
        self._h5: _ReadHandle | None = None
        self._h5_signature: _Signature | None = None
        self._info_cache: dict[str, SeriesInfo | None] = {}
        self._info_signature: _Signature | None = None
        self._idle_close_seconds = idle_close_seconds
        self._idle_timer: threading.Timer | None = None
        self._last_read = 0.0
        self._description: tuple[_Signature | None, StoreDescription] | None = None
        # The partly filled last chunks of the series this process appended to last (chunk_io.append), valid
        # while the file's generation is the one their commit set: nobody has written since. ~1.5 MB a
        # minute series, so only the most recent few are kept.
        self._tails: OrderedDict[str, tuple[_Generation, int, layout.Tails]] = OrderedDict()  # generation, rows
        self._txn_generation: _Generation = (0, 0, b"")
        self._txn_tails: dict[str, tuple[int, layout.Tails]] = {}

    # -- handles ----------------------------------------------------------------------------------

    def _read_handle(self) -> _ReadHandle | None:
        """The cached read-only handle if the file is unchanged since it was opened, else a fresh one."""
        current = _signature(self.path)
        if self._h5 is not None and current != self._h5_signature:
            self.close()
        if self._h5 is None and current is not None:
            self._h5 = _ReadHandle(self.path)
            self._h5_signature = current
        return self._h5

    def _schedule_close(self) -> None:
        """Close the read handle once idle; one pending timer at most (not a new thread per read)."""
        self._last_read = time.monotonic()
        if self._idle_timer is None or not self._idle_timer.is_alive():
            self._idle_timer = threading.Timer(self._idle_close_seconds, self._close_if_idle)
            self._idle_timer.daemon = True
            self._idle_timer.start()

    def _close_if_idle(self) -> None:
        with self._handle_lock:
            idle = time.monotonic() - self._last_read
            if idle >= self._idle_close_seconds:
                self.close()
                return
            self._idle_timer = threading.Timer(self._idle_close_seconds - idle, self._close_if_idle)
            self._idle_timer.daemon = True
            self._idle_timer.start()

    def _recover_if_needed(self) -> None:
        """A writer died mid-commit (its journal is still there): restore the file before anyone reads it."""
        if journal.journal_path(self.path).exists():
            with self._lock.hold(exclusive=True), self._handle_lock:
                self.close()
                if journal.recover(self.path, self._durable):
                    _bump_generation(self.path)

    @contextmanager
    def _shared(self) -> Iterator[None]:
        """The shared lock on a file no dead writer left half-committed (one may die between our look at the
        journal and our lock: look again under the lock)."""
        for _ in range(5):
            self._recover_if_needed()
            with self._lock.hold(exclusive=False):
                if not journal.journal_path(self.path).exists():
                    yield
                    return
        raise StoreBusy(f"{self.path.name} keeps being left half-written; try again")

    @contextmanager
    def _reading(self) -> Iterator[_ReadHandle | None]:
        with self._shared(), self._handle_lock:
            try:
                yield self._read_handle()
            finally:
                self._schedule_close()

    @contextmanager
    def _writing(self) -> Iterator[h5py.File]:
        """h5py over a journaled view of the file; committed only if the body returns."""
        with self._lock.hold(exclusive=True), self._handle_lock:
            self.close()  # drop our read handle: its cached metadata is about to go stale
            try:
                if journal.recover(self.path, self._durable):
                    _bump_generation(self.path)
                if not self.path.exists():
                    layout.create_file(self.path)
                view = journal.JournaledFile(self.path, self._durable)
                self._txn_generation = _file_generation(self.path)
                self._txn_tails = {}
                try:
                    with h5py.File(view, "r+") as h5:
                        yield h5
                    # A new generation before the commit point: should the commit not complete, the next
                    # writer rolls it back and kept tails (ours and other processes') are no longer trusted.
                    _bump_generation(self.path)
                    view.commit()
                    generation = _file_generation(self.path)
                    for path, (old, rows, tails) in list(self._tails.items()):  # series this write left alone
                        if old == self._txn_generation:
                            self._tails[path] = (generation, rows, tails)
                    for path, (rows, tails) in self._txn_tails.items():
                        self._tails[path] = (generation, rows, tails)
                        self._tails.move_to_end(path)
                    while len(self._tails) > _KEPT_TAILS:
                        self._tails.popitem(last=False)
                finally:
                    view.close()
            finally:
                self._info_cache.clear()
                self._info_signature = None
                self._txn_tails = {}

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
        with self._shared(), self._handle_lock:
            info = metadata.read(self.path, path, key)
            if _signature(self.path) == self._info_signature:
                self._info_cache[path] = info
            return info

    def write(self, key: SeriesKey, candles: CandleFrame, covered: Sequence[Span],
              replace: Span | None = None) -> int:
        path = self._path_of(key)
        candles = candles.with_open_interest(self._with_oi)
        with self._writing() as h5:
            group = h5.get(path)
            info = None
            if group is not None:
                info = metadata.decode(key, group.attrs.get(metadata.META))
                if info is None or not layout.is_series(group):
                    raise StoreConflict(f"{path} in {self.path.name} was not written by kitefetch; move or delete "
                                        "it before fetching this series")
            coverage = (info.coverage if info else Coverage()).add_all(covered)
            if info is not None and replace is None and (
                    info.rows == 0 or len(candles) == 0 or int(candles.ts[0]) > info.last_ts):
                if len(candles):
                    known = self._tails.pop(path, None)  # back in only if this write commits
                    tails = known[2] if known is not None and known[:2] == (self._txn_generation, info.rows) else None
                    self._txn_tails[path] = (info.rows + len(candles),
                                             layout.append_columns(group, candles.columns(), self._with_oi, tails))
                first = info.first_ts if info.first_ts is not None else (int(candles.ts[0]) if len(candles) else None)
                last = int(candles.ts[-1]) if len(candles) else info.last_ts
                group.attrs[metadata.META] = metadata.encode(key, info.rows + len(candles), first, last, coverage)
                return len(candles)
            return self._rewrite(h5, key, path, group, candles, coverage, replace)

    def _rewrite(self, h5: h5py.File, key: SeriesKey, path: str, old: h5py.Group | None, candles: CandleFrame,
                 coverage: Coverage, replace: Span | None) -> int:
        """Create the series, or build it anew beside the old one with the candles merged in, then swap."""
        existing = (CandleFrame.from_columns(layout.read_columns(old, self._with_oi)) if old is not None
                    else CandleFrame.empty(self._with_oi))
        merged, written = merge_frames(existing, candles, *(replace or (None, None)))
        parent, name = path.rsplit("/", 1)
        target = f"{parent}/_kf_new_{name}" if old is not None else path
        if target in h5:
            del h5[target]
        fresh = layout.create_series(h5, target, self._with_oi, layout.CHUNK_ROWS[key.interval.value])
        self._tails.pop(path, None)
        if len(merged):
            self._txn_tails[path] = (len(merged), layout.append_columns(fresh, merged.columns(), self._with_oi))
        rows = len(merged)
        fresh.attrs[metadata.META] = metadata.encode(key, rows, int(merged.ts[0]) if rows else None,
                                                     int(merged.ts[-1]) if rows else None, coverage)
        if old is not None:
            del h5[path]
            h5.move(target, path)
        return written

    def read(self, key: SeriesKey, start_ts: int | None = None, end_ts: int | None = None) -> CandleFrame:
        path = self._path_of(key)
        with self._reading() as handle:
            group = handle.series(path) if handle is not None else None
            if group is None:
                return CandleFrame.empty(self._with_oi)
            lo, hi = self._row_range(handle, group, start_ts, end_ts)
            if lo >= hi:
                return CandleFrame.empty(self._with_oi)
            return CandleFrame.from_columns(layout.read_columns(group, self._with_oi, lo, hi, handle.raw_chunk))

    @staticmethod
    def _row_range(handle: _ReadHandle, group: h5py.Group, start_ts: int | None,
                   end_ts: int | None) -> tuple[int, int]:
        rows = layout.row_count(group)
        if start_ts is None and end_ts is None:
            return 0, rows
        lo = 0 if start_ts is None else layout.search_index(group, start_ts, "left", handle.raw_chunk)
        hi = rows if end_ts is None else layout.search_index(group, end_ts, "right", handle.raw_chunk)
        return lo, max(lo, hi)

    def count(self, key: SeriesKey, start_ts: int | None = None, end_ts: int | None = None) -> int:
        path = self._path_of(key)
        with self._reading() as handle:
            group = handle.series(path) if handle is not None else None
            if group is None:
                return 0
            lo, hi = self._row_range(handle, group, start_ts, end_ts)
            return hi - lo

    def iter_range(self, key: SeriesKey, start_ts: int | None = None, end_ts: int | None = None,
                   batch_rows: int = 65_536) -> Iterator[CandleFrame]:
        """Batches read one at a time under the shared lock; a writer may commit between two batches, which
        never changes candles already stored (appends only add after the end)."""
        path = self._path_of(key)
        with self._reading() as handle:
            group = handle.series(path) if handle is not None else None
            if group is None:
                return
            lo, hi = self._row_range(handle, group, start_ts, end_ts)
        for start in range(lo, hi, batch_rows):
            with self._reading() as handle:
                group = handle.series(path)
                yield CandleFrame.from_columns(layout.read_columns(group, self._with_oi, start,
                                                                   min(hi, start + batch_rows), handle.raw_chunk))

    def describe(self) -> StoreDescription:
        """All series' metadata; answered from memory while the file is unchanged."""
        signature = _signature(self.path)
        cached = self._description
        if cached is not None and cached[0] == signature:
            return cached[1]
        description = self._describe()
        self._description = (signature, description)
        return description

    def _describe(self) -> StoreDescription:
        series: list[SeriesInfo] = []
        with self._shared():
            if not self.path.exists():
                return StoreDescription(self.segment, str(self.path), False, 0, ())
            with ReadOnlyFile(self.path) as handle:
                h5 = handle.h5
                for exchange in self.segment.exchanges:
                    for symbol_node, intervals in (h5.get(exchange.value) or {}).items():
                        for interval_node, group in intervals.items():
                            try:
                                interval = Interval(interval_node)
                            except ValueError:
                                continue
                            key = SeriesKey(exchange, decode_symbol(symbol_node), interval)
                            info = metadata.decode(key, group.attrs.get(metadata.META))
                            if info is not None:
                                series.append(info)
            size = self.path.stat().st_size
        return StoreDescription(self.segment, str(self.path), True, size, tuple(series))
