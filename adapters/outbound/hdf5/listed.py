"""The series of a listing as a lazy sequence: an entry's JSON is decoded when the entry is first read.

`len()` and slicing need no decoding, so counting 50,000 series or showing a page of them decodes no more than
that page. Decoded entries are kept per group path while its JSON is unchanged (a listing after a write decodes
only the series it changed); ~2 us an entry otherwise (metadata.parse).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import overload

import orjson

from adapters.outbound.hdf5 import metadata
from adapters.outbound.hdf5.naming import decode_symbol
from application.ports import SeriesInfo, SeriesSummary
from domain.coverage import Coverage
from domain.interval import Interval
from domain.market import Exchange

_EXCHANGES = {e.value.encode(): e for e in Exchange}
_INTERVALS = {i.value.encode(): i for i in Interval}
_KEPT_COVERAGES = 100_000


class Decoded:
    """Group path -> (JSON, SeriesInfo) of the entries decoded so far; shared by a store's successive listings.
    Coverages are interned by their text (metadata.parse): a capture's series share one."""

    def __init__(self) -> None:
        self._kept: dict[bytes, tuple[bytes, SeriesInfo]] = {}
        self._coverages: dict[bytes, Coverage] = {}

    def info(self, path: bytes, raw: bytes) -> SeriesInfo:
        kept = self._kept.get(path)
        if kept is not None and kept[0] == raw:
            return kept[1]
        _, exchange, symbol, interval = path.split(b"/")
        if len(self._coverages) > _KEPT_COVERAGES:  # texts of coverages since replaced: start over
            self._coverages.clear()
        try:
            info = metadata.parse(raw, _EXCHANGES[exchange], _INTERVALS[interval], None, self._coverages)
        except KeyError:  # a record without its symbol: the group's name spells it
            info = metadata.parse(raw, _EXCHANGES[exchange], _INTERVALS[interval], decode_symbol(symbol.decode()),
                                  self._coverages)
        self._kept[path] = (raw, info)
        return info


class ListedSeries(Sequence[SeriesInfo]):
    """`paths` in listing order, their JSON in `entries`."""

    __slots__ = ("_decoded", "_entries", "_paths")

    def __init__(self, paths: Sequence[bytes], entries: Mapping[bytes, bytes], decoded: Decoded) -> None:
        self._paths = paths
        self._entries = entries
        self._decoded = decoded

    def __len__(self) -> int:
        return len(self._paths)

    @overload
    def __getitem__(self, index: int) -> SeriesInfo: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[SeriesInfo]: ...

    def __getitem__(self, index: int | slice) -> SeriesInfo | Sequence[SeriesInfo]:
        if isinstance(index, slice):
            return tuple([self._info(path) for path in self._paths[index]])
        return self._info(self._paths[index])

    def __iter__(self) -> Iterator[SeriesInfo]:
        info = self._info
        for path in self._paths:
            yield info(path)

    def summaries(self, offset: int = 0, limit: int | None = None) -> list[SeriesSummary]:
        """StoreDescription.summaries: straight from the JSON, loaded in one call and never made SeriesInfo
        (50,000: ~60 ms where decoding them takes ~200 ms; the full database-info listing is this)."""
        paths = self._paths[offset:] if limit is None else self._paths[offset:offset + limit]
        entries = self._entries
        raws = [entries[path] for path in paths]
        out = []
        for path, meta in zip(paths, orjson.loads(b"[" + b",".join(raws) + b"]"), strict=True):
            _, exchange, name, interval = path.split(b"/")
            get, stale = meta.get, meta.get("stale")
            symbol = get("symbol")
            out.append(SeriesSummary(_EXCHANGES[exchange], decode_symbol(name.decode()) if symbol is None else symbol,
                                     _INTERVALS[interval], int(meta["rows"]), meta["first_ts"], meta["last_ts"],
                                     None if stale is None else int(stale["before_ts"]), get("healed_at"),
                                     get("provisional_from")))
        return out

    def _info(self, path: bytes) -> SeriesInfo:
        return self._decoded.info(path, self._entries[path])

    def __repr__(self) -> str:
        return f"ListedSeries({len(self)} series)"
