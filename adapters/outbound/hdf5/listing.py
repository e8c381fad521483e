"""`describe`: every series' metadata in one segment file, for the dashboard and /database-info; `known`: one
series' metadata from the same listing; `instrument`: one instrument's series and its ledger.

The listing comes from the file's catalog (catalog.py): one read of its log, never a group of a series. It is kept
while the file's signature is unchanged, so polling the dashboard costs a `stat` and an 8-byte read; after a write
(ours or another process's) only the log's new tail is read, as long as its epoch is the one read before (a
compaction starts a new epoch, and a full read). A file without a current catalog is listed by walking its groups
and reading one attribute (`kf_meta`) of each, as before the catalog existed.
Order: by exchange in the segment's order, then by group path (symbol node, then interval name), as the walk
visits them.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

import h5py

from adapters.outbound.hdf5 import catalog, ledger, metadata
from adapters.outbound.hdf5.catalog import Entries
from adapters.outbound.hdf5.generation import Signature
from adapters.outbound.hdf5.listed import Decoded, ListedSeries
from adapters.outbound.hdf5.naming import encode_symbol
from adapters.outbound.hdf5.readonly import ReadOnlyFile
from adapters.outbound.hdf5.segment_file import SegmentFile
from application.ports import SeriesInfo, StoreDescription, StoredInstrument
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The listing of one state of the file (`signature`); `epoch` and `length` say which part of the catalog's
    log it holds (`epoch` None: walked)."""

    signature: Signature
    epoch: str | None
    length: int
    entries: Entries
    paths: tuple[bytes, ...]  # listing order
    description: StoreDescription


class Listing:
    def __init__(self, file: SegmentFile, segment: Segment) -> None:
        self._file = file
        self._segment = segment
        self._exchanges = tuple(e.value for e in segment.exchanges)
        self._snapshot: Snapshot | None = None
        self._decoded = Decoded()

    def describe(self) -> StoreDescription:
        with self._file.guard:
            snapshot = self._snapshot
            if snapshot is not None and snapshot.signature == self._file.signature():
                return snapshot.description
        path = self._file.path
        absent = StoreDescription(self._segment, str(path), False, 0, ())
        if not path.exists():  # before the lock, whose file a read must not create
            return absent
        with self._file.reading() as handle:
            signature = self._file.signature()
            if handle is None or signature is None:
                return absent
            snapshot = self._snapshot = self._load(handle.h5, signature)
            return snapshot.description

    def known(self, path: str, signature: Signature) -> tuple[bool, SeriesInfo | None]:
        """(True, the series' metadata or None when not stored) if the listing is of the file as `signature` says;
        (False, None) when it cannot tell."""
        with self._file.guard:
            snapshot = self._snapshot
            if snapshot is None or snapshot.signature != signature:
                return False, None
            raw = snapshot.entries.get(path.encode())
            return True, None if raw is None else self._decoded.info(path.encode(), raw)

    def _load(self, h5: h5py.File, signature: Signature) -> Snapshot:
        previous = self._snapshot
        log = catalog.open_log(h5)
        try:
            if log is None:
                return self._snapshot_of(signature, None, 0, dict(catalog.walk(h5, self._exchanges)), None)
            if previous is not None and previous.epoch == log.header.epoch and previous.length <= log.length:
                tail = catalog.read(log, previous.length)
                entries = catalog.parse(tail, dict(previous.entries)) if tail else previous.entries
                return self._snapshot_of(signature, log.header.epoch, log.length, entries, previous)
            return self._snapshot_of(signature, log.header.epoch, log.length, catalog.parse(catalog.read(log)), None)
        except ValueError:  # a log we cannot read: the groups still can be
            return self._snapshot_of(signature, None, 0, dict(catalog.walk(h5, self._exchanges)), None)

    def _snapshot_of(self, signature: Signature, epoch: str | None, length: int, entries: Entries,
                     previous: Snapshot | None) -> Snapshot:
        """`previous`: the listing these entries were read on top of; its order holds while no path was added."""
        if previous is not None and len(entries) == len(previous.entries):
            paths, exchanges = previous.paths, previous.description.exchanges
        else:
            paths, exchanges = self._order(entries)
        series = ListedSeries(paths, entries, self._decoded)
        description = StoreDescription(self._segment, str(self._file.path), True, signature[2], series, exchanges,
                                       series.summaries)
        return Snapshot(signature, epoch, length, entries, paths, description)

    def _order(self, entries: Entries) -> tuple[tuple[bytes, ...], tuple[Exchange, ...]]:
        """Paths of the segment's exchanges in listing order, and the exchanges holding any."""
        paths = sorted(entries)
        ordered: list[bytes] = []
        present: list[Exchange] = []
        for exchange in self._segment.exchanges:
            prefix = f"/{exchange.value}/".encode()
            first, end = bisect_left(paths, prefix), bisect_left(paths, prefix[:-1] + b"0")  # "0" follows "/"
            if end > first:
                ordered.extend(paths[first:end])
                present.append(exchange)
        return tuple(ordered), tuple(present)

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


def _info(exchange: Exchange, symbol: str, interval_node: str, group: h5py.Group) -> SeriesInfo | None:
    """A group's metadata; None for a node that is not a kitefetch series."""
    try:
        interval = Interval(interval_node)
    except ValueError:
        return None
    return metadata.decode(SeriesKey(exchange, symbol, interval), group.attrs.get(metadata.META))
