"""FindGaps: what a stored series lacks, session day by session day, from metadata alone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from application.ports import CandleStore, TradingCalendar
from application.stored_series import stored_key
from domain.clock_time import ist_date
from domain.date_range import DateRange
from domain.errors import NotFound
from domain.gaps import Gaps, find_gaps
from domain.instrument import SeriesKey
from domain.market import Segment


@dataclass(frozen=True, slots=True)
class SeriesGaps:
    key: SeriesKey  # in its stored spelling
    gaps: Gaps


class FindGaps:
    """Rules: a series never written is NotFound; the range is inclusive IST days, by default the series' stored
    span (its first to its last candle or fetched day, whichever reach further), a missing bound taking the
    span's (or the given one, if the span ends before it); only the coverage ledger, the calendar and candle
    counts per day are read, never a candle, and Kite is never asked."""

    def __init__(self, stores: Mapping[Segment, CandleStore], calendar: TradingCalendar) -> None:
        self._stores = stores
        self._calendar = calendar

    def execute(self, key: SeriesKey, start: date | None = None, end: date | None = None) -> SeriesGaps:
        store = self._stores[key.segment]
        key = stored_key(store, key)
        info = store.info(key)
        known = [] if info is None else [
            ts for ts in (info.first_ts, info.last_ts, info.coverage.first, info.coverage.last) if ts is not None]
        if info is None or not known:
            raise NotFound(f"No stored series {key}")
        first, last = ist_date(min(known)), ist_date(max(known))
        start = start or (min(first, end) if end else first)
        end = end or max(last, start)
        span = DateRange(start, end)  # from after to: InvalidInput
        sessions = self._calendar.sessions(key.exchange, span.start, span.end)
        per_day = store.candles_per_day(key, span.start, span.end)
        return SeriesGaps(key, find_gaps(span.start, span.end, sessions, info.coverage, per_day, key.interval,
                                         info.held_back))
