"""The read path: candles by row range through the cached read handle, and each series' metadata from memory.

A read finds its rows with a binary search of the timestamps (layout.search_index), then decompresses only
the chunks they span, their bytes fetched with `pread` on the handle's own descriptor (chunk_io.py). `info`
answers from the store's listing when one is loaded for the file as it is now (listing.py), else from a cache
kept while the file's signature is unchanged, so "what do I have?" never reads candles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import h5py

from adapters.outbound.hdf5 import layout, metadata
from adapters.outbound.hdf5.generation import Signature
from adapters.outbound.hdf5.segment_file import ReadHandle, SegmentFile
from application.ports import SeriesInfo
from domain.candles import CandleFrame
from domain.clock_time import day_end, day_start
from domain.instrument import SeriesKey
from domain.sessions import candles_per_day
from domain.validation import DayCount

# (group path, signature) -> (True, metadata or None when not stored), or (False, None) when it cannot tell.
Known = Callable[[str, Signature], tuple[bool, SeriesInfo | None]]


def _unknown(path: str, signature: Signature) -> tuple[bool, SeriesInfo | None]:
    return False, None


class SeriesReader:
    def __init__(self, file: SegmentFile, with_oi: bool, known: Known = _unknown) -> None:
        self._file = file
        self._with_oi = with_oi
        self._known = known
        self._info_cache: dict[str, SeriesInfo | None] = {}
        self._info_signature: Signature | None = None

    def forget(self) -> None:
        """Drop cached metadata (after a write)."""
        with self._file.guard:
            self._info_cache.clear()
            self._info_signature = None

    def info(self, key: SeriesKey, path: str) -> SeriesInfo | None:
        file = self._file
        with file.guard:
            signature = file.signature()
            if signature is None:
                return None
            listed, info = self._known(path, signature)
            if listed:
                return info
            if signature != self._info_signature:
                self._info_cache.clear()
                self._info_signature = signature
            if path in self._info_cache:
                return self._info_cache[path]
        with file.reading() as handle:  # the cached handle: the candles asked next are read through it too
            group = handle.h5.get(path) if handle is not None else None
            info = None if group is None else metadata.decode(key, group.attrs.get(metadata.META))
            if file.signature() == self._info_signature:
                self._info_cache[path] = info
            return info

    def read(self, path: str, start_ts: int | None, end_ts: int | None) -> CandleFrame:
        with self._file.reading() as handle:
            group = handle.series(path) if handle is not None else None
            if handle is None or group is None:
                return CandleFrame.empty(self._with_oi)
            lo, hi = _row_range(handle, group, start_ts, end_ts)
            if lo >= hi:
                return CandleFrame.empty(self._with_oi)
            return CandleFrame.from_columns(layout.read_columns(group, self._with_oi, lo, hi, handle.raw_chunk))

    def count(self, path: str, start_ts: int | None, end_ts: int | None) -> int:
        with self._file.reading() as handle:
            group = handle.series(path) if handle is not None else None
            if handle is None or group is None:
                return 0
            lo, hi = _row_range(handle, group, start_ts, end_ts)
            return hi - lo

    def candles_per_day(self, path: str, start: date, end: date) -> tuple[DayCount, ...]:
        """From the timestamps alone: the rows of the range by binary search, then one array decompressed."""
        with self._file.reading() as handle:
            group = handle.series(path) if handle is not None else None
            if handle is None or group is None:
                return ()
            lo, hi = _row_range(handle, group, day_start(start), day_end(end))
            stamps = layout.read_timestamps(group, lo, hi, handle.raw_chunk) if lo < hi else None
        return () if stamps is None else candles_per_day(stamps)

    def iter_range(self, path: str, start_ts: int | None, end_ts: int | None,
                   batch_rows: int) -> Iterator[CandleFrame]:
        """Batches read one at a time under the shared lock; a writer may commit between two batches, which
        never changes candles already stored (appends only add after the end)."""
        with self._file.reading() as handle:
            group = handle.series(path) if handle is not None else None
            if handle is None or group is None:
                return
            lo, hi = _row_range(handle, group, start_ts, end_ts)
        for start in range(lo, hi, batch_rows):
            with self._file.reading() as handle:
                group = handle.series(path) if handle is not None else None
                if handle is None or group is None:  # deleted between two batches: nothing more to give
                    return
                yield CandleFrame.from_columns(layout.read_columns(group, self._with_oi, start,
                                                                   min(hi, start + batch_rows), handle.raw_chunk))


def _row_range(handle: ReadHandle, group: h5py.Group, start_ts: int | None, end_ts: int | None) -> tuple[int, int]:
    rows = layout.row_count(group)
    if start_ts is None and end_ts is None:
        return 0, rows
    lo = 0 if start_ts is None else layout.search_index(group, start_ts, "left", handle.raw_chunk)
    hi = rows if end_ts is None else layout.search_index(group, end_ts, "right", handle.raw_chunk)
    return lo, max(lo, hi)
