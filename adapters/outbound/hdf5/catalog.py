"""`/_kf_catalog`: every series' kf_meta in one dataset, so "what do I have?" reads one log instead of walking every
group (~125 us a series cold: 6.8 s at 50,000 series; from the catalog, 25-50 ms: 8.3 MB, 166 bytes a series).

The log is a root-level 1-D uint8 dataset of records `<group path>\\t<kf_meta JSON>\\n`, one per change of a series;
the last record of a path is the series' metadata, the very string of its `kf_meta` attribute (JSON escapes tabs and
newlines; group paths hold neither, see naming.py). It lives in the file, not beside it, so the rollback journal
covers it like the candles: it changes with each write or not at all, costs no fsync of its own, and a writer killed
at any instant leaves it equal to the groups.

Appends: each write and mark_stale appends the records of the series it changed, inside its own transaction
(`Recorder`). The dataset is chunked and unfiltered, its chunks are never pre-filled (fill time "never") and it is
written with no chunk cache, so HDF5 writes the new bytes straight to their place: a page or two through the
journal, whatever the log's size (the catalog's part of a write, opening it included: ~0.3 ms at 1,000 series and at
50,000 alike, beside ~3 ms for an append without fsync). Compaction: once the log holds more than twice its live
bytes (the last record of each path, counted in the header as records are replaced) plus a chunk, the writer
rewrites it with the live records only, under a new `epoch`: amortised O(1) an append. Chunks grow with the log, by
the same rewrite (`_chunk_for`): reading 16 MB takes 22 ms through 4 KiB chunks and 3.3 ms through 64 KiB ones, but
a file of a few series should not carry a 64 KiB log.

Header: one attribute (`kf_catalog`, JSON): the format version, the epoch and the live bytes. A reader keeps the
parsed log while the epoch stays and reads only the new tail when the log grew (listing.py). A file with series but
no catalog (written before it existed) gets one from a walk of its groups at its first write, under the exclusive
lock and inside that write's transaction (6.6 s at 50,000 series, once); until then readers walk.

Not detected: a kitefetch from before the catalog writing a file that has one (kitefetch is the only writer of its
series) would leave the catalog stale. Every cheap sign of it was measured and found wanting: HDF5 counts the
members of an exchange group (a symbol table) by walking it (13 ms at 50,000 instruments, on every write), and
`.gen` is rewritten by recoveries and lost by power cuts (a false alarm would cost a rebuild). Deleting
`/_kf_catalog` (h5py: `del h5["_kf_catalog"]`) makes the next write rebuild it.

pandas and PyTables read the file unchanged: PyTables takes the dataset for an EArray without a warning, and
`HDFStore.keys()` lists only groups carrying pandas' attributes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import h5py
import numpy as np
import orjson

from adapters.outbound.hdf5.metadata import META
from domain.interval import Interval

NAME = "_kf_catalog"
HEADER = "kf_catalog"
HEADER_BYTES = 96
VERSION = 1
MIN_CHUNK, MAX_CHUNK = 4096, 262_144
_INTERVALS = frozenset(i.value for i in Interval)

Entries = dict[bytes, bytes]  # group path -> kf_meta JSON


@dataclass(frozen=True, slots=True)
class Header:
    epoch: str
    live: int  # bytes of the last record of each path


@dataclass(frozen=True, slots=True)
class Log:
    """The catalog as found: its dataset, header and length in bytes."""

    dataset: h5py.h5d.DatasetID
    header: Header
    length: int


def _access() -> h5py.h5p.PropDAID:
    """No chunk cache: an append writes its bytes in place instead of reading and rewriting the whole chunk."""
    dapl = h5py.h5p.create(h5py.h5p.DATASET_ACCESS)
    dapl.set_chunk_cache(0, 0, 1.0)
    return dapl


def open_log(h5: h5py.File) -> Log | None:
    """The catalog if it is there and of this version; else None."""
    root = h5.id
    if NAME.encode() not in root:
        return None
    try:
        dataset = h5py.h5d.open(root, NAME.encode(), _access())
        attribute = h5py.h5a.open(dataset, HEADER.encode())
        raw = np.empty((), dtype=attribute.dtype)
        attribute.read(raw)
        head = orjson.loads(raw.tobytes())
        if head.get("version") != VERSION:
            return None
        header = Header(str(head["epoch"]), int(head["live"]))
    except (KeyError, TypeError, ValueError, AttributeError, orjson.JSONDecodeError):
        return None
    return Log(dataset, header, dataset.shape[0])


def read(log: Log, start: int = 0) -> bytes:
    """The log's bytes from `start` (a record boundary) to its end."""
    count = log.length - start
    if count <= 0:
        return b""
    out = np.empty(count, dtype=np.uint8)
    space = log.dataset.get_space()
    space.select_hyperslab((start,), (count,))
    log.dataset.read(h5py.h5s.create_simple((count,)), space, out)
    return out.tobytes()


def parse(data: bytes, into: Entries | None = None) -> Entries:
    """Records into path -> JSON, the later record of a path winning; one C-level pass (~10 ms for 100,000
    records) since every record holds exactly one tab."""
    entries = {} if into is None else into
    parts = data.replace(b"\t", b"\n").split(b"\n")
    if len(parts) % 2 != 1 or parts[-1]:
        raise ValueError("the catalog holds a torn record")
    entries.update(zip(parts[0:-1:2], parts[1::2], strict=True))
    return entries


def walk(h5: h5py.File, exchanges: Sequence[str]) -> Iterator[tuple[bytes, bytes]]:
    """(path, kf_meta) of every series group, read group by group: the catalog's source, and the listing's
    while a file has none."""
    for exchange in exchanges:
        symbols = h5.get(exchange)
        if not isinstance(symbols, h5py.Group):
            continue
        for symbol, intervals in symbols.items():
            if not isinstance(intervals, h5py.Group):
                continue
            for interval, group in intervals.items():
                if interval not in _INTERVALS:
                    continue
                meta = group.attrs.get(META)
                if meta is not None:
                    yield f"/{exchange}/{symbol}/{interval}".encode(), text(meta)


def text(meta: object) -> bytes:
    """An attribute's JSON as bytes, whichever way h5py hands it over."""
    if isinstance(meta, np.ndarray):
        meta = meta.item()
    return meta if isinstance(meta, bytes) else str(meta).encode()


def _record(path: bytes, meta: bytes) -> int:
    return len(path) + len(meta) + 2


class Recorder:
    """The catalog records of one write, appended at its end inside its transaction (`commit`)."""

    def __init__(self, h5: h5py.File, exchanges: Sequence[str]) -> None:
        self._h5 = h5
        self._exchanges = exchanges
        self._log = open_log(h5)
        self._records: list[bytes] = []
        self._live_change = 0

    def changed(self, path: str, old: object, new: str) -> None:
        """Series `path` had kf_meta `old` (None: a new series) and now has `new`."""
        key, meta = path.encode(), new.encode()
        self._records.append(b"%s\t%s\n" % (key, meta))
        self._live_change += _record(key, meta) - (_record(key, text(old)) if old is not None else 0)

    def commit(self) -> None:
        if not self._records:
            return
        log = self._log
        if log is None:  # no catalog yet: from the groups, this write's changes included
            self._rewrite(dict(walk(self._h5, self._exchanges)))
            return
        data = b"".join(self._records)
        live = log.header.live + self._live_change
        size = log.length + len(data)
        chunk = log.dataset.get_create_plist().get_chunk()[0]
        if size > 2 * live + chunk or _chunk_for(live) >= 4 * chunk:
            self._rewrite(parse(read(log) + data))
            return
        dataset = log.dataset
        dataset.set_extent((size,))
        space = dataset.get_space()
        space.select_hyperslab((log.length,), (len(data),))
        dataset.write(h5py.h5s.create_simple((len(data),)), space, np.frombuffer(data, dtype=np.uint8))
        self._write_header(dataset, Header(log.header.epoch, live))

    def _rewrite(self, entries: Entries) -> None:
        """The live records alone, in path order, under a new epoch, in chunks sized for them."""
        data = b"".join(b"%s\t%s\n" % item for item in sorted(entries.items()))
        root = self._h5.id
        if NAME.encode() in root:
            root.unlink(NAME.encode())
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((_chunk_for(len(data)),))
        dcpl.set_fill_time(h5py.h5d.FILL_TIME_NEVER)
        space = h5py.h5s.create_simple((len(data),), (h5py.h5s.UNLIMITED,))
        dataset = h5py.h5d.create(root, NAME.encode(), h5py.h5t.NATIVE_UINT8, space, dcpl=dcpl, dapl=_access())
        if data:
            dataset.write(h5py.h5s.ALL, h5py.h5s.ALL, np.frombuffer(data, dtype=np.uint8))
        self._write_header(dataset, Header(os.urandom(8).hex(), len(data)))

    @staticmethod
    def _write_header(dataset: h5py.h5d.DatasetID, header: Header) -> None:
        """A fixed-length string of HEADER_BYTES (JSON, space-padded), kept in the dataset's object header and
        rewritten in place (a variable-length one would live in the global heap)."""
        text = np.array(orjson.dumps({"version": VERSION, "epoch": header.epoch, "live": header.live})
                        .ljust(HEADER_BYTES), dtype=f"S{HEADER_BYTES}")
        if h5py.h5a.exists(dataset, HEADER.encode()):
            attribute = h5py.h5a.open(dataset, HEADER.encode())
            if attribute.dtype == text.dtype:
                attribute.write(text)
                return
            h5py.h5a.delete(dataset, HEADER.encode())
        h5py.h5a.create(dataset, HEADER.encode(), h5py.h5t.py_create(text.dtype), h5py.h5s.create(h5py.h5s.SCALAR)
                        ).write(text)


def _chunk_for(size: int) -> int:
    """The smallest power of two from MIN_CHUNK holding a sixteenth of the log, up to MAX_CHUNK. A log is rewritten
    when it would take chunks 4 times larger: three times on the way to 256 KiB, at 128 KiB, 512 KiB and 2 MiB."""
    chunk = MIN_CHUNK
    while chunk < MAX_CHUNK and chunk * 16 < size:
        chunk *= 2
    return chunk
