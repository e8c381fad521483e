"""`describe`: every series' metadata in one segment file, for the dashboard and /database-info; `instrument`:
one instrument's series and its ledger.

It walks the groups of the segment's exchanges and reads one attribute (`kf_meta`) each, never candles; the
answer is kept while the file's signature is unchanged, so polling the dashboard costs a `stat` and an 8-byte read.
"""

from __future__ import annotations

import h5py

from adapters.outbound.hdf5 import ledger, metadata
from adapters.outbound.hdf5.generation import Signature
from adapters.outbound.hdf5.naming import decode_symbol, encode_symbol
from adapters.outbound.hdf5.readonly import ReadOnlyFile
from adapters.outbound.hdf5.segment_file import SegmentFile
from application.ports import SeriesInfo, StoreDescription, StoredInstrument
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment


class Listing:
    def __init__(self, file: SegmentFile, segment: Segment) -> None:
        self._file = file
        self._segment = segment
        self._description: tuple[Signature | None, StoreDescription] | None = None

    def describe(self) -> StoreDescription:
        signature = self._file.signature()
        cached = self._description
        if cached is not None and cached[0] == signature:
            return cached[1]
        description = self._describe()
        self._description = (signature, description)
        return description

    def instrument(self, exchange: Exchange, symbol: str) -> StoredInstrument | None:
        if not self._file.path.exists():
            return None
        with self._file.shared(), ReadOnlyFile(self._file.path) as handle:
            group = handle.h5.get(f"/{exchange.value}/{encode_symbol(symbol)}")
            if not isinstance(group, h5py.Group):
                return None
            series = [info for name, node in group.items()
                      if isinstance(node, h5py.Group) and (info := _info(exchange, symbol, name, node)) is not None]
            if not series:
                return None
            return StoredInstrument(exchange, series[0].key.symbol, tuple(series), ledger.read(group))

    def _describe(self) -> StoreDescription:
        path, series = self._file.path, list[SeriesInfo]()
        if not path.exists():  # before the lock, whose file a read must not create
            return StoreDescription(self._segment, str(path), False, 0, ())
        with self._file.shared(), ReadOnlyFile(path) as handle:
            for exchange in self._segment.exchanges:
                for symbol_node, intervals in (handle.h5.get(exchange.value) or {}).items():
                    for interval_node, group in intervals.items():
                        info = _info(exchange, decode_symbol(symbol_node), interval_node, group)
                        if info is not None:
                            series.append(info)
            size = path.stat().st_size
        return StoreDescription(self._segment, str(path), True, size, tuple(series))


def _info(exchange: Exchange, symbol: str, interval_node: str, group: h5py.Group) -> SeriesInfo | None:
    """A group's metadata; None for a node that is not a kitefetch series."""
    try:
        interval = Interval(interval_node)
    except ValueError:
        return None
    return metadata.decode(SeriesKey(exchange, symbol, interval), group.attrs.get(metadata.META))
