"""ExportCandles: a stored series as batches for a download, in bounded memory."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from application.ports import CandleStore
from application.stored_series import stored_key
from domain.candles import CandleFrame
from domain.date_range import DateRange
from domain.errors import InvalidInput, NotFound
from domain.instrument import SeriesKey
from domain.market import Segment


@dataclass(frozen=True)
class Export:
    key: SeriesKey
    rows: int
    with_oi: bool
    batches: Iterator[CandleFrame]


class ExportCandles:
    """Rules: a series never fetched is NotFound; a format with a row ceiling (Excel) refuses a range that
    would not fit, rather than writing a truncated file."""

    def __init__(self, stores: Mapping[Segment, CandleStore]) -> None:
        self._stores = stores

    def execute(self, key: SeriesKey, date_range: DateRange | None = None, max_rows: int | None = None,
                format_name: str = "this format") -> Export:
        store = self._stores[key.segment]
        key = stored_key(store, key)
        if store.info(key) is None:
            raise NotFound(f"No stored candles for {key}")
        start, end = (date_range.start_ts, date_range.end_ts) if date_range else (None, None)
        rows = store.count(key, start, end)
        if max_rows is not None and rows > max_rows:
            raise InvalidInput(f"{rows:,} candles exceed the {max_rows:,}-row limit of {format_name}: narrow the "
                               "date range or export csv or parquet")
        return Export(key, rows, key.segment.has_open_interest, store.iter_range(key, start, end))
