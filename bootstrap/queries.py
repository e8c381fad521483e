"""The queries' composition (range, gaps, candles, db-info, lookup, instruments, tracked, adjustments): the
container's stores, calendar, cache files and tracked file, without it.

Why beside the container: dependency-injector alone imports pydantic, yaml, asyncio and werkzeug (~80 ms), and the
container imports every adapter, with the Kite client, pandas and structlog, to print what one HDF5 attribute or
one JSON file says. Measured (bench/cli_start.py, medians of 15 processes): `kitefetch range` 0.16 s and 45 MB
this way, 0.65 s and 165 MB through the container. The container builds its stores and instrument cache through
the functions below, so both read the same files. What the files cannot answer (an instrument list older than
Kite's latest dump) goes to the container after all.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from adapters.outbound.calendar.lazy_calendar import LazyCalendar
from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from adapters.outbound.instruments.persisted import PersistedCatalog
from adapters.outbound.system_clock import SystemClock
from adapters.outbound.tracked_file import TrackedFile
from application.describe_database import DescribeDatabase
from application.export_candles import ExportCandles
from application.find_gaps import FindGaps
from application.get_existing_range import GetExistingRange
from application.get_instruments import GetInstruments
from application.list_adjustments import ListAdjustments
from application.list_tracked import ListTracked
from application.lookup_instrument import LookupInstrument
from application.ports import CandleStore, InstrumentCatalog, TradingCalendar
from bootstrap.settings import Settings
from domain.market import Segment

if TYPE_CHECKING:
    from bootstrap.container import Container


def segment_store(settings: Settings, segment: Segment) -> Hdf5SegmentStore:
    return Hdf5SegmentStore(Path(settings.data_dir) / f"{segment.value}.h5", segment,
                            lock_timeout=settings.store_lock_timeout, durable=settings.durable)


def instruments_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) / "instruments"


def tracked_file(settings: Settings) -> TrackedFile:
    return TrackedFile(Path(settings.data_dir) / "tracked.json", durable=settings.durable,
                       lock_timeout=settings.store_lock_timeout)


def trading_calendar(settings: Settings) -> TradingCalendar:
    """The calendar files read now (a bad one stops here); the library is imported at the first question."""
    from adapters.outbound.calendar.library_calendar import LibraryCalendar  # only `gaps` asks the calendar

    return LibraryCalendar(Path(settings.data_dir) / "calendar.toml")


class LocalQueries:
    """The CLI's Queries over local files; `container()` builds the full composition, called only if the instrument
    cache must be refreshed from Kite; `configure_logging()` before the calendar is built (it logs through
    structlog, whose unconfigured default prints to stdout, into a `--json` answer)."""

    def __init__(self, settings: Settings, container: Callable[[], Container],
                 configure_logging: Callable[[], None] = lambda: None) -> None:
        self._settings = settings
        self._container = container
        self._configure_logging = configure_logging

    @cached_property
    def _stores(self) -> dict[Segment, CandleStore]:
        return {segment: segment_store(self._settings, segment) for segment in Segment}

    @cached_property
    def _catalog(self) -> InstrumentCatalog:
        return PersistedCatalog(instruments_dir(self._settings), SystemClock(), lambda: self._container().catalog())

    def get_existing_range(self) -> GetExistingRange:
        return GetExistingRange(self._stores)

    def describe_database(self) -> DescribeDatabase:
        return DescribeDatabase(self._stores)

    def lookup_instrument(self) -> LookupInstrument:
        return LookupInstrument(self._catalog)

    def get_instruments(self) -> GetInstruments:
        return GetInstruments(self._catalog)

    def list_adjustments(self) -> ListAdjustments:
        return ListAdjustments(self._stores)

    def find_gaps(self) -> FindGaps:
        self._configure_logging()
        return FindGaps(self._stores, trading_calendar(self._settings))

    def export_candles(self) -> ExportCandles:
        """The calendar only once bars need it (a plain read asks none), logging set up first: on stderr, as its
        info line must not land in candles written to stdout."""
        return ExportCandles(self._stores, LazyCalendar(self._calendar))

    def _calendar(self) -> TradingCalendar:
        self._configure_logging()
        return trading_calendar(self._settings)

    def list_tracked(self) -> ListTracked:
        return ListTracked(tracked_file(self._settings))
