"""ExportCandles: a stored series (or bars built from it) as batches for a download, in bounded memory."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from application.ports import CandleStore, TradingCalendar
from application.read_bars import BarsQuery, ReadBars
from domain.bar_spec import BarSpec
from domain.candles import CandleFrame
from domain.date_range import DateRange
from domain.errors import InvalidInput
from domain.instrument import SeriesKey
from domain.market import Segment

BATCH_ROWS = 65_536


@dataclass(frozen=True)
class Export:
    key: SeriesKey  # the series read, in its stored spelling
    rows: int  # candles in the range; for bars, an upper bound (their count where a row ceiling asked for it)
    with_oi: bool
    batches: Iterator[CandleFrame]
    resample: BarSpec | None = None


class ExportCandles:
    """Rules: a series never fetched is NotFound; `resample` builds bars as ReadBars does; a format with a row
    ceiling (Excel) refuses a range that would not fit, rather than writing a truncated file (bars are counted
    by building them: they are few)."""

    def __init__(self, stores: Mapping[Segment, CandleStore], calendar: TradingCalendar) -> None:
        self._bars = ReadBars(stores, calendar)

    def execute(self, key: SeriesKey, date_range: DateRange | None = None, max_rows: int | None = None,
                format_name: str = "this format", resample: BarSpec | None = None) -> Export:
        start, end = (date_range.start_ts, date_range.end_ts) if date_range else (None, None)
        bars = self._bars.execute(BarsQuery(key.exchange, key.symbol, key.interval, resample, start, end),
                                  batch_rows=BATCH_ROWS)
        rows, batches = bars.source_rows, bars.batches
        if max_rows is not None and rows > max_rows and resample is not None:
            built = bars.frame()
            rows, batches = len(built), iter([built])
        if max_rows is not None and rows > max_rows:
            raise InvalidInput(f"{rows:,} candles exceed the {max_rows:,}-row limit of {format_name}: narrow the "
                               "date range or export csv or parquet")
        return Export(bars.source, rows, bars.with_oi, batches, resample)
