"""The write path: an append adds to the end of a series; anything else rebuilds it beside the old one and swaps.

An append rewrites the partly filled last chunk of each array (chunk_io.append). Handing it the chunk the
previous append left spares reading, decompressing and copying it, so the writer keeps the last chunks of the
series this process appended to most recently (~1.5 MB for a minute series, so only a few), trusted only
while the file's generation is the one their commit set: nobody has written since.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import h5py

from adapters.outbound.hdf5 import layout, metadata
from adapters.outbound.hdf5.generation import Generation
from adapters.outbound.hdf5.segment_file import SegmentFile, Transaction
from domain.candles import CandleFrame, merge_frames
from domain.coverage import Coverage, Span, held_back_after
from domain.errors import StoreConflict
from domain.instrument import SeriesKey
from domain.validation import DayCount

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
    def __init__(self, file: SegmentFile, with_oi: bool) -> None:
        self._file = file
        self._with_oi = with_oi
        self._tails = KeptTails()

    def write(self, key: SeriesKey, path: str, candles: CandleFrame, covered: Sequence[Span],
              replace: Span | None, held_back: Sequence[DayCount] = ()) -> int:
        candles = candles.with_open_interest(self._with_oi)
        with self._file.writing() as transaction:
            written: dict[str, tuple[int, layout.Tails]] = {}  # path -> (rows, tails) once this write commits
            transaction.on_commit(lambda after: self._tails.keep(transaction.before, after, written))
            group = transaction.h5.get(path)
            info = None
            if group is not None:
                info = metadata.decode(key, group.attrs.get(metadata.META))
                if info is None or not layout.is_series(group):
                    raise StoreConflict(f"{path} in {self._file.path.name} was not written by kitefetch; move or "
                                        "delete it before fetching this series")
            coverage = (info.coverage if info else Coverage()).add_all(covered)
            held = held_back_after(info.held_back if info else (), covered, held_back)
            if info is not None and replace is None and (
                    info.rows == 0 or info.last_ts is None or len(candles) == 0 or int(candles.ts[0]) > info.last_ts):
                if len(candles):
                    tails = self._tails.take(path, transaction.before, info.rows)
                    written[path] = (info.rows + len(candles),
                                     layout.append_columns(group, candles.columns(), self._with_oi, tails))
                first = info.first_ts if info.first_ts is not None else (int(candles.ts[0]) if len(candles) else None)
                last = int(candles.ts[-1]) if len(candles) else info.last_ts
                group.attrs[metadata.META] = metadata.encode(key, info.rows + len(candles), first, last, coverage,
                                                             held)
                return len(candles)
            return self._rewrite(transaction, key, path, group, candles, (coverage, held), replace, written)

    def _rewrite(self, transaction: Transaction, key: SeriesKey, path: str, old: h5py.Group | None,
                 candles: CandleFrame, ledger: tuple[Coverage, Sequence[DayCount]], replace: Span | None,
                 written: dict[str, tuple[int, layout.Tails]]) -> int:
        """Create the series, or build it anew beside the old one with the candles merged in, then swap."""
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
        fresh.attrs[metadata.META] = metadata.encode(key, rows, int(merged.ts[0]) if rows else None,
                                                     int(merged.ts[-1]) if rows else None, *ledger)
        if old is not None:
            del h5[path]
            h5.move(target, path)
        return added
