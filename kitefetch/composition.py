"""The read side of a data dir, composed without the container: stores, the saved instrument lists, the calendar.

Why not through bootstrap's container: it imports every adapter, Flask's and the Kite client's included, and a
notebook reads candles. bootstrap/queries.py composes the CLI's fast path the same way and for the same reason;
the files are the ones the container's stores open (`<data dir>/EQUITY.h5`, `DERIVATIVES.h5`, `instruments/`,
`calendar.toml`).
"""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from adapters.outbound.calendar.lazy_calendar import LazyCalendar
from adapters.outbound.hdf5.segment_store import Hdf5SegmentStore
from adapters.outbound.instruments.saved_listings import SavedListings
from application.continuous_futures import ContinuousFutures
from application.find_gaps import FindGaps
from application.list_adjustments import ListAdjustments
from application.read_bars import ReadBars
from domain.market import Exchange, Segment

if TYPE_CHECKING:
    from application.ports import TradingCalendar


def _calendar(user_file: Path) -> TradingCalendar:
    """Built, and its tables too, at once: exchange-calendars warns of a pandas deprecation while it builds XBOM,
    which a notebook would show under the first resampled read."""
    _quiet_logging()
    from adapters.outbound.calendar.library_calendar import LibraryCalendar

    calendar = LibraryCalendar(user_file)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        for exchange in Exchange:
            calendar.sessions(exchange, date(2000, 1, 3), date(2000, 1, 3))
    return calendar


def _quiet_logging() -> None:
    """kitefetch's adapters log through structlog, whose default prints every event to stdout: a notebook would
    show `calendar_built`. Unless the program configured structlog itself, events go to the standard `logging`
    module, which shows warnings only until told otherwise."""
    import structlog

    if not structlog.is_configured():
        structlog.configure(processors=[structlog.stdlib.render_to_log_kwargs],
                            logger_factory=structlog.stdlib.LoggerFactory(),
                            wrapper_class=structlog.stdlib.BoundLogger)


class ReadSide:
    """Everything a Store reads through, over one data dir."""

    def __init__(self, data_dir: Path, lock_timeout: float) -> None:
        self.stores = {segment: Hdf5SegmentStore(data_dir / f"{segment.value}.h5", segment, lock_timeout=lock_timeout)
                       for segment in Segment}
        self.calendar = LazyCalendar(lambda: _calendar(data_dir / "calendar.toml"))
        self.catalog = SavedListings(data_dir / "instruments")
        self.read_bars = ReadBars(self.stores, self.calendar)
        self.continuous = ContinuousFutures(self.stores, self.catalog, self.calendar)
        self.find_gaps = FindGaps(self.stores, self.calendar)
        self.list_adjustments = ListAdjustments(self.stores)

    def close(self) -> None:
        for store in self.stores.values():
            store.close()
