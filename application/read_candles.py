"""ReadCandles: stored candles of one series for a chart or a client, newest last."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from application.ports import CandleStore
from application.stored_series import stored_key
from domain.candles import CandleFrame
from domain.date_range import DateRange
from domain.errors import InvalidInput, NotFound
from domain.instrument import SeriesKey
from domain.market import Segment

MAX_ROWS = 100_000


@dataclass(frozen=True, slots=True)
class CandlesRead:
    candles: CandleFrame
    total: int  # stored candles in the range, before the limit
    truncated: bool
    gaps: list[tuple[int, int]]  # never-fetched stretches between the first and last candle returned


class ReadCandles:
    """Rules: a series never fetched is NotFound; the range is inclusive IST dates (whole series if absent);
    at most `limit` (default and cap 100,000) candles are returned, the most recent ones."""

    def __init__(self, stores: Mapping[Segment, CandleStore]) -> None:
        self._stores = stores

    def execute(self, key: SeriesKey, date_range: DateRange | None = None, limit: int | None = None) -> CandlesRead:
        limit = MAX_ROWS if limit is None else limit
        if not 1 <= limit <= MAX_ROWS:
            raise InvalidInput(f"limit must be between 1 and {MAX_ROWS}")
        store = self._stores[key.segment]
        key = stored_key(store, key)
        info = store.info(key)
        if info is None:
            raise NotFound(f"No stored candles for {key}")
        start, end = (date_range.start_ts, date_range.end_ts) if date_range else (None, None)
        frame = store.read(key, start, end)
        total = len(frame)
        if total > limit:
            frame = frame.take(slice(total - limit, total))
        gaps = info.coverage.missing(int(frame.ts[0]), int(frame.ts[-1])) if len(frame) else []
        return CandlesRead(frame, total, total > limit, gaps)
