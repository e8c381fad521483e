"""The write path: an append adds to the end of a series; anything else rebuilds it beside the old one and swaps.

An append rewrites the partly filled last chunk of each array (chunk_io.append). Handing it the chunk the
previous append left spares reading, decompressing and copying it, so the writer keeps the last chunks of the
series this process appended to most recently (~1.5 MB for a minute series, so only a few), trusted only
while the file's generation is the one their commit set: nobody has written since.

Every change of a series' kf_meta is recorded in the file's catalog in the same transaction (catalog.py).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace as replaced

import h5py

from adapters.outbound.hdf5 import catalog, layout, ledger, metadata
from adapters.outbound.hdf5.generation import Generation
from adapters.outbound.hdf5.segment_file import SegmentFile, Transaction
from application.ports import SeriesInfo
from domain.adjustments import Adjustment, Settlement, StaleMark
from domain.candles import CandleFrame, merge_frames
from domain.coverage import Coverage, Span, held_back_after
from domain.errors import StoreConflict
from domain.instrument import SeriesKey
from domain.market import Segment
from domain.provisional import next_marker
from domain.validation import DayCount

# What kf_meta says beside rows and candles: coverage, held-back days, stale mark, provisional marker, healed time.
Marks = tuple[Coverage, Sequence[DayCount], StaleMark | None, int | None, int | None]

_KEPT_TAILS = 8


class KeptTails:
    """Series path -> (generation, rows, tails) of the series' last committed append; callers hold the guard."""

    def __init__(self, limit: int = _KEPT_TAILS) -> None:
        self._limit = limit
        self._kept: OrderedDict[str, tuple[Generation, int, layout.Tails]] = OrderedDict()

    def take(self, path: str, generation: Generation, rows: int) -> layout.Tails | None:
        """The series' tails if nothing was written since they were kept; they come back only if this write
        commits (`keep`)."""
        known = self._kept.pop(path, None)
        return known[2] if known is not None and known[:2] == (generation, rows) else None

    def drop(self, path: str) -> None:
        self._kept.pop(path, None)

    def keep(self, before: Generation, after: Generation, written: dict[str, tuple[int, layout.Tails]]) -> None:
        """After a commit from `before` to `after`: the series it left alone stay current, and those it wrote
        are kept, most recent last."""
        for path, (old, rows, tails) in list(self._kept.items()):
            if old == before:
                self._kept[path] = (after, rows, tails)
        for path, (rows, tails) in written.items():
            self._kept[path] = (after, rows, tails)
            self._kept.move_to_end(path)
        while len(self._kept) > self._limit:
            self._kept.popitem(last=False)


class SeriesWriter:
    def __init__(self, file: SegmentFile, segment: Segment) -> None:
        self._file = file
        self._with_oi = segment.has_open_interest
        self._exchanges = tuple(e.value for e in segment.exchanges)
        self._tails = KeptTails()

    def write(self, key: SeriesKey, path: str, candles: CandleFrame, covered: Sequence[Span],
              replace: Span | None, held_back: Sequence[DayCount] = (), provisional_from: int | None = None,
              record: Adjustment | None = None, settles: Settlement | None = None) -> int:
        candles = candles.with_open_interest(self._with_oi)
        with self._file.writing() as transaction:
            written: dict[str, tuple[int, layout.Tails]] = {}  # path -> (rows, tails) once this write commits
            transaction.on_commit(lambda after: self._tails.keep(transaction.before, after, written))
            recorder = catalog.Recorder(transaction.h5, self._exchanges)
            group = transaction.h5.get(path)
            info, old = None, None
            if group is not None:
                old = group.attrs.get(metadata.META)
                info = metadata.decode(key, old)
                if info is None or not layout.is_series(group):
                    raise StoreConflict(f"{path} in {self._file.path.name} was not written by kitefetch; move or "
                                        "delete it before fetching this series")
            marks = _marks(info, covered, held_back, replace, provisional_from, record, settles)
            if info is not None and replace is None and (
                    info.rows == 0 or info.last_ts is None or len(candles) == 0 or int(candles.ts[0]) > info.last_ts):
                if len(candles):
                    tails = self._tails.take(path, transaction.before, info.rows)
                    written[path] = (info.rows + len(candles),
                                     layout.append_columns(group, candles.columns(), self._with_oi, tails))
                first = info.first_ts if info.first_ts is not None else (int(candles.ts[0]) if len(candles) else None)
                last = int(candles.ts[-1]) if len(candles) else info.last_ts
                meta = metadata.encode(key, info.rows + len(candles), first, last, *marks)
                group.attrs[metadata.META] = meta
                added = len(candles)
            else:
                added, meta = self._rewrite(transaction, key, path, group, candles, marks, replace, written)
            if record is not None or settles is not None:
                _log_change(transaction.h5[path.rsplit("/", 1)[0]], str(key), record, settles)
            recorder.changed(path, old, meta)
            recorder.commit()
            return added

    def mark_stale(self, series: Sequence[tuple[SeriesKey, str]], before_ts: int, event: Adjustment) -> None:
        """See CandleStore.mark_stale; `series` pairs each key with its group path."""
        with self._file.writing() as transaction:
            # Only attributes change: the chunks kept from earlier appends stay exactly as they are.
            transaction.on_commit(lambda after: self._tails.keep(transaction.before, after, {}))
            recorder = catalog.Recorder(transaction.h5, self._exchanges)
            parent = None
            for key, path in series:
                group = transaction.h5.get(path)
                if group is None:
                    continue
                old = group.attrs.get(metadata.META)
                info = metadata.decode(key, old)
                if info is None:
                    raise StoreConflict(f"{path} in {self._file.path.name} was not written by kitefetch")
                meta = metadata.encode_info(replaced(info, stale=StaleMark.adding(info.stale, before_ts, event.id)))
                group.attrs[metadata.META] = meta
                recorder.changed(path, old, meta)
                parent = group.parent
            if parent is not None:
                ledger.update(parent, lambda events: [*events, event])
            recorder.commit()

    def _rewrite(self, transaction: Transaction, key: SeriesKey, path: str, old: h5py.Group | None,
                 candles: CandleFrame, marks: Marks, replace: Span | None,
                 written: dict[str, tuple[int, layout.Tails]]) -> tuple[int, str]:
        """Create the series, or build it anew beside the old one with the candles merged in, then swap; returns
        the candles added and the series' new kf_meta."""
        h5 = transaction.h5
        existing = (CandleFrame.from_columns(layout.read_columns(old, self._with_oi)) if old is not None
                    else CandleFrame.empty(self._with_oi))
        merged, added = merge_frames(existing, candles, *(replace or (None, None)))
        parent, name = path.rsplit("/", 1)
        target = f"{parent}/_kf_new_{name}" if old is not None else path
        if target in h5:
            del h5[target]
        fresh = layout.create_series(h5, target, self._with_oi, layout.CHUNK_ROWS[key.interval.value])
        self._tails.drop(path)
        if len(merged):
            written[path] = (len(merged), layout.append_columns(fresh, merged.columns(), self._with_oi))
        rows = len(merged)
        meta = metadata.encode(key, rows, int(merged.ts[0]) if rows else None, int(merged.ts[-1]) if rows else None,
                               *marks)
        fresh.attrs[metadata.META] = meta
        if old is not None:
            del h5[path]
            h5.move(target, path)
        return added, meta


def _marks(info: SeriesInfo | None, covered: Sequence[Span], held_back: Sequence[DayCount], replace: Span | None,
           provisional_from: int | None, record: Adjustment | None, settles: Settlement | None) -> Marks:
    """The series' metadata beside its candles once this write commits."""
    coverage = (info.coverage if info else Coverage()).add_all(covered)
    held = held_back_after(info.held_back if info else (), covered, held_back)
    stale = info.stale if info else None
    healed_at = info.healed_at if info else None
    if settles is not None:
        stale = stale.without(settles.events) if stale else None
        healed_at = settles.at
    if record is not None:
        healed_at = record.detected_at
    provisional = next_marker(info.provisional_from if info else None, replace, provisional_from)
    return coverage, held, stale, provisional, healed_at


def _log_change(instrument: h5py.Group, series: str, record: Adjustment | None, settles: Settlement | None) -> None:
    def change(events: list[Adjustment]) -> list[Adjustment]:
        if settles is not None:
            events = [e.settle(series, settles.candles_replaced, settles.requests) if e.id in settles.events else e
                      for e in events]
        return [*events, record] if record is not None else events

    ledger.update(instrument, change)
