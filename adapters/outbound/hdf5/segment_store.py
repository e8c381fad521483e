"""One segment database (EQUITY.h5 / DERIVATIVES.h5), one pandas-readable group per series.

See layout.py for the arrays. Our metadata lives beside pandas' in one `kf_meta` attribute (JSON) of the
series group: the original symbol, row count, first/last candle and the fetched coverage, so "what do I
have?" never reads candles, and is answered from memory while the file is unchanged.

The parts, each in its own module: segment_file.py holds the locks, the read handle and the journaled write
transaction (a writer killed at any instant leaves the file as it was before that write; a write that raises
changes nothing); generation.py how a process tells the file changed; series_reader.py and series_writer.py
the read and write paths (chunks are compressed and decompressed by chunk_io.py, in the format the HDF5
blosc2 filter reads, so pandas and PyTables read the files unchanged); catalog.py the log of every series'
metadata in the file itself, which each write appends to; listing.py `describe` (from that log) and `instrument`;
ledger.py the record of what Kite changed in an instrument's history (`kf_adjustments`). The OS's
refusals (a full disk, a read-only file system) leave here as StorageFull / StorageUnavailable (storage_errors.py);
the journal has rolled the write back by then.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

from adapters.outbound.file_io import OS_IO, FileIO
from adapters.outbound.hdf5.listing import Listing
from adapters.outbound.hdf5.naming import series_path
from adapters.outbound.hdf5.segment_file import SegmentFile
from adapters.outbound.hdf5.series_reader import SeriesReader
from adapters.outbound.hdf5.series_writer import SeriesWriter
from adapters.outbound.storage_errors import in_data_dir, storage_errors
from application.ports import SeriesInfo, StoreDescription, StoredInstrument
from domain.adjustments import Adjustment, Settlement
from domain.candles import CandleFrame
from domain.coverage import Span
from domain.errors import InvalidInput, StoreBusy
from domain.instrument import SeriesKey
from domain.market import Exchange, Segment
from domain.validation import DayCount


class Hdf5SegmentStore:
    """CandleStore over one HDF5 file; safe across threads and processes (InterProcessLock)."""

    def __init__(self, path: Path, segment: Segment, lock_timeout: float = 30.0,
                 idle_close_seconds: float = 0.25, durable: bool = True, file_io: FileIO = OS_IO) -> None:
        self.path = Path(path)
        self.segment = segment
        self._file = SegmentFile(self.path, lock_timeout, idle_close_seconds, durable, file_io)
        self._listing = Listing(self._file, segment)
        self._reader = SeriesReader(self._file, segment.has_open_interest, self._listing.known)
        self._writer = SeriesWriter(self._file, segment)

    def _path_of(self, key: SeriesKey) -> str:
        if key.segment is not self.segment:
            raise InvalidInput(f"{key.exchange.value} is not stored in the {self.segment.value} database")
        return series_path(key.exchange.value, key.symbol, key.interval.value)

    @in_data_dir
    def info(self, key: SeriesKey) -> SeriesInfo | None:
        return self._reader.info(key, self._path_of(key))

    @in_data_dir
    def write(self, key: SeriesKey, candles: CandleFrame, covered: Sequence[Span], replace: Span | None = None,
              held_back: Sequence[DayCount] = (), provisional_from: int | None = None,
              record: Adjustment | None = None, settles: Settlement | None = None) -> int:
        path = self._path_of(key)
        with self._writing():
            return self._writer.write(key, path, candles, covered, replace, held_back, provisional_from, record,
                                      settles)

    @in_data_dir
    def mark_stale(self, keys: Sequence[SeriesKey], before_ts: int, event: Adjustment) -> None:
        series = [(key, self._path_of(key)) for key in keys]
        with self._writing():
            self._writer.mark_stale(series, before_ts, event)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """A write the disk refuses part-way is rolled back at once; afterwards cached metadata is re-read."""
        try:
            yield
        except OSError:
            self._roll_back()
            raise
        finally:
            self._reader.forget()

    @in_data_dir
    def instrument(self, exchange: Exchange, symbol: str) -> StoredInstrument | None:
        """One group's attributes; read under the shared lock, never candles."""
        if exchange.segment is not self.segment:
            raise InvalidInput(f"{exchange.value} is not stored in the {self.segment.value} database")
        return self._listing.instrument(exchange, symbol)

    def _roll_back(self) -> None:
        """Undo a commit the OS refused part-way (a full disk after the journal was written) now, not at the next
        access: pandas in a notebook, which knows nothing of the journal, must find the file whole meanwhile. It
        rewrites bytes the file already had and truncates, so it needs no space; should it fail all the same, the
        next access (ours, any process) rolls back before reading."""
        with contextlib.suppress(OSError, StoreBusy):
            self._file._recover_if_needed()  # noqa: SLF001 - the journal's own recovery, under its lock

    @in_data_dir
    def read(self, key: SeriesKey, start_ts: int | None = None, end_ts: int | None = None) -> CandleFrame:
        return self._reader.read(self._path_of(key), start_ts, end_ts)

    @in_data_dir
    def count(self, key: SeriesKey, start_ts: int | None = None, end_ts: int | None = None) -> int:
        return self._reader.count(self._path_of(key), start_ts, end_ts)

    @in_data_dir
    def candles_per_day(self, key: SeriesKey, start: date, end: date) -> tuple[DayCount, ...]:
        return self._reader.candles_per_day(self._path_of(key), start, end)

    def iter_range(self, key: SeriesKey, start_ts: int | None = None, end_ts: int | None = None,
                   batch_rows: int = 65_536) -> Iterator[CandleFrame]:
        with storage_errors(self.path.parent, reading=True):
            yield from self._reader.iter_range(self._path_of(key), start_ts, end_ts, batch_rows)

    @in_data_dir
    def describe(self) -> StoreDescription:
        """All series' metadata; answered from memory while the file is unchanged."""
        return self._listing.describe()

    def close(self) -> None:
        """Close the read handle now; the next access reopens it."""
        self._file.close()
