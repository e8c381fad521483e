"""An in-memory CandleStore that passes the same contract tests as the HDF5 store."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import date

from application.ports import CandleStore, SeriesInfo, StoreDescription
from domain.candles import CandleFrame, merge_frames
from domain.clock_time import day_end, day_start
from domain.coverage import Coverage, Span, held_back_after
from domain.errors import InvalidInput
from domain.instrument import SeriesKey
from domain.market import Segment
from domain.sessions import candles_per_day
from domain.validation import DayCount


class InMemoryCandleStore(CandleStore):
    def __init__(self, segment: Segment) -> None:
        self.segment = segment
        self.frames: dict[SeriesKey, CandleFrame] = {}
        self.coverages: dict[SeriesKey, Coverage] = {}
        self.held_back: dict[SeriesKey, tuple[DayCount, ...]] = {}
        self.writes = 0
        self._lock = threading.Lock()

    def _check(self, key: SeriesKey) -> None:
        if key.segment is not self.segment:
            raise InvalidInput(f"{key.exchange.value} is not stored in the {self.segment.value} database")

    def info(self, key: SeriesKey) -> SeriesInfo | None:
        self._check(key)
        if key not in self.coverages:
            return None
        frame = self.frames[key]
        first = int(frame.ts[0]) if len(frame) else None
        last = int(frame.ts[-1]) if len(frame) else None
        return SeriesInfo(key, len(frame), first, last, self.coverages[key], self.held_back.get(key, ()))

    def write(self, key: SeriesKey, candles: CandleFrame, covered: Sequence[Span], replace: Span | None = None,
              held_back: Sequence[DayCount] = ()) -> int:
        self._check(key)
        with self._lock:
            existing = self.frames.get(key, CandleFrame.empty(self.segment.has_open_interest))
            merged, written = merge_frames(existing, candles.with_open_interest(self.segment.has_open_interest),
                                           *(replace or (None, None)))
            self.frames[key] = merged
            self.coverages[key] = self.coverages.get(key, Coverage()).add_all(covered)
            self.held_back[key] = held_back_after(self.held_back.get(key, ()), covered, held_back)
            self.writes += 1
            return written

    def read(self, key: SeriesKey, start_ts: int | None = None, end_ts: int | None = None) -> CandleFrame:
        self._check(key)
        frame = self.frames.get(key, CandleFrame.empty(self.segment.has_open_interest))
        lo = -(2**62) if start_ts is None else start_ts
        hi = 2**62 if end_ts is None else end_ts
        return frame.between(lo, hi)

    def count(self, key: SeriesKey, start_ts: int | None = None, end_ts: int | None = None) -> int:
        return len(self.read(key, start_ts, end_ts))

    def candles_per_day(self, key: SeriesKey, start: date, end: date) -> tuple[DayCount, ...]:
        return candles_per_day(self.read(key, day_start(start), day_end(end)).ts)

    def iter_range(self, key: SeriesKey, start_ts: int | None = None, end_ts: int | None = None,
                   batch_rows: int = 65_536) -> Iterator[CandleFrame]:
        frame = self.read(key, start_ts, end_ts)
        for start in range(0, len(frame), batch_rows):
            yield frame.take(slice(start, start + batch_rows))

    def describe(self) -> StoreDescription:
        series = tuple(i for k in self.coverages if (i := self.info(k)) is not None)
        return StoreDescription(self.segment, f"memory://{self.segment.value}", bool(self.coverages),
                                sum(len(f) * 48 for f in self.frames.values()), series)
