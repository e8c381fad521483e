"""An in-memory CandleStore that passes the same contract tests as the HDF5 store."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import date

from application.ports import CandleStore, SeriesInfo, StoreDescription, StoredInstrument
from domain.adjustments import Adjustment, Settlement, StaleMark
from domain.candles import CandleFrame, merge_frames
from domain.clock_time import day_end, day_start
from domain.coverage import Coverage, Span, held_back_after
from domain.errors import InvalidInput
from domain.instrument import SeriesKey
from domain.market import Exchange, Segment
from domain.provisional import next_marker
from domain.sessions import candles_per_day
from domain.validation import DayCount


class InMemoryCandleStore(CandleStore):
    def __init__(self, segment: Segment) -> None:
        self.segment = segment
        self.frames: dict[SeriesKey, CandleFrame] = {}
        self.coverages: dict[SeriesKey, Coverage] = {}
        self.held_back: dict[SeriesKey, tuple[DayCount, ...]] = {}
        self.writes = 0
        self.marks: dict[SeriesKey, tuple[StaleMark | None, int | None, int | None]] = {}
        self.ledgers: dict[tuple[Exchange, str], list[Adjustment]] = {}
        self.fail_next_write: Exception | None = None
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
        stale, provisional, healed = self.marks.get(key, (None, None, None))
        return SeriesInfo(key, len(frame), first, last, self.coverages[key], self.held_back.get(key, ()), stale,
                          provisional, healed)

    def write(self, key: SeriesKey, candles: CandleFrame, covered: Sequence[Span], replace: Span | None = None,
              held_back: Sequence[DayCount] = (), provisional_from: int | None = None,
              record: Adjustment | None = None, settles: Settlement | None = None) -> int:
        self._check(key)
        with self._lock:
            if self.fail_next_write is not None:
                error, self.fail_next_write = self.fail_next_write, None
                raise error
            existing = self.frames.get(key, CandleFrame.empty(self.segment.has_open_interest))
            merged, written = merge_frames(existing, candles.with_open_interest(self.segment.has_open_interest),
                                           *(replace or (None, None)))
            self.frames[key] = merged
            self.coverages[key] = self.coverages.get(key, Coverage()).add_all(covered)
            self.held_back[key] = held_back_after(self.held_back.get(key, ()), covered, held_back)
            stale, provisional, healed = self.marks.get(key, (None, None, None))
            provisional = next_marker(provisional, replace, provisional_from)
            ledger = self.ledgers.setdefault((key.exchange, key.symbol), [])
            if record is not None:
                ledger.append(record)
                healed = record.detected_at
            if settles is not None:
                stale = stale.without(settles.events) if stale else None
                ledger[:] = [e.settle(str(key), settles.candles_replaced, settles.requests)
                             if e.id in settles.events else e for e in ledger]
                healed = settles.at
            self.marks[key] = (stale, provisional, healed)
            self.writes += 1
            return written

    def mark_stale(self, keys: Sequence[SeriesKey], before_ts: int, event: Adjustment) -> None:
        with self._lock:
            stored = False
            for key in keys:
                self._check(key)
                if key in self.coverages:
                    stale, provisional, healed = self.marks.get(key, (None, None, None))
                    self.marks[key] = (StaleMark.adding(stale, before_ts, event.id), provisional, healed)
                    stored = True
            if stored:
                self.ledgers.setdefault((keys[0].exchange, keys[0].symbol), []).append(event)

    def instrument(self, exchange: Exchange, symbol: str) -> StoredInstrument | None:
        if exchange.segment is not self.segment:
            raise InvalidInput(f"{exchange.value} is not stored in the {self.segment.value} database")
        series = tuple(i for k in self.coverages if (k.exchange, k.symbol) == (exchange, symbol)
                       and (i := self.info(k)) is not None)
        if not series:
            return None
        return StoredInstrument(exchange, symbol, tuple(sorted(series, key=lambda i: i.key.interval.value)),
                                tuple(self.ledgers.get((exchange, symbol), ())))

    def replace_candles(self, key: SeriesKey, frame: CandleFrame) -> None:
        """Test set-up: what the series holds, as if fetched long ago."""
        self.frames[key] = frame

    def clear_marks(self, key: SeriesKey) -> None:
        self.marks[key] = (None, None, None)

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
