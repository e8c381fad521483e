"""ReadCandles: stored candles of one series (or bars built from them) for a chart or a client, newest last."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from application.ports import CandleStore, TradingCalendar
from application.read_bars import BarsQuery, ReadBars
from domain.bar_spec import BarSpec
from domain.candles import CandleFrame
from domain.date_range import DateRange
from domain.errors import InvalidInput
from domain.instrument import SeriesKey
from domain.market import Segment

MAX_ROWS = 100_000


@dataclass(frozen=True, slots=True)
class CandlesRead:
    candles: CandleFrame
    total: int  # candles (or bars) in the range, before the limit
    truncated: bool
    gaps: list[tuple[int, int]]  # never-fetched stretches between the first and last candle returned


class ReadCandles:
    """Rules: a series never fetched is NotFound; the range is inclusive IST dates (whole series if absent);
    `resample` builds bars as ReadBars does; at most `limit` (default and cap 100,000) candles or bars are
    returned, the most recent ones."""

    def __init__(self, stores: Mapping[Segment, CandleStore], calendar: TradingCalendar) -> None:
        self._bars = ReadBars(stores, calendar)

    def execute(self, key: SeriesKey, date_range: DateRange | None = None, limit: int | None = None,
                resample: BarSpec | None = None) -> CandlesRead:
        limit = MAX_ROWS if limit is None else limit
        if not 1 <= limit <= MAX_ROWS:
            raise InvalidInput(f"limit must be between 1 and {MAX_ROWS}")
        start, end = (date_range.start_ts, date_range.end_ts) if date_range else (None, None)
        bars = self._bars.execute(BarsQuery(key.exchange, key.symbol, key.interval, resample, start, end))
        frame = bars.frame()
        total = len(frame)
        if total > limit:
            frame = frame.take(slice(total - limit, total))
        gaps = bars.coverage.missing(int(frame.ts[0]), int(frame.ts[-1])) if len(frame) else []
        return CandlesRead(frame, total, total > limit, gaps)
