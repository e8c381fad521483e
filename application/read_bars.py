"""ReadBars: a stored series as it is, or resampled to bars Kite does not serve, for every reader (the Python
package, the REST candles and export routes, `kitefetch candles`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from application.ports import CandleStore, SeriesInfo, TradingCalendar
from application.stored_series import not_stored, stored_intervals
from domain import bars
from domain.bar_spec import BarSpec, BarUnit
from domain.candles import CandleFrame
from domain.clock_time import ist_date
from domain.coverage import Coverage
from domain.errors import InvalidInput
from domain.instrument import SeriesKey, check_symbol
from domain.interval import Interval
from domain.market import Exchange, Segment
from domain.sessions import SessionTable


@dataclass(frozen=True, slots=True)
class BarsQuery:
    exchange: Exchange
    symbol: str
    interval: Interval | None = None  # the stored series to read; None: the one chosen for `resample`
    resample: BarSpec | None = None
    start_ts: int | None = None  # inclusive epoch seconds; None: from the first candle
    end_ts: int | None = None  # inclusive; None: to the last candle


@dataclass(frozen=True)
class Bars:
    source: SeriesKey  # the series read, in its stored spelling
    resample: BarSpec | None
    with_oi: bool
    source_rows: int  # stored candles read (bars are as many or fewer)
    coverage: Coverage  # the source's fetched spans
    batches: Iterator[CandleFrame]  # read lazily, each batch whole bars

    def frame(self) -> CandleFrame:
        return CandleFrame.concat(list(self.batches), self.with_oi)


class ReadBars:
    """Rules:
    - a symbol resolves to its stored spelling; a series never stored is NotFound naming the intervals stored for
      the symbol;
    - the range is inclusive (the whole series where absent); resampled, it holds the bars built from the
      candles in it, so a bar at either end may be partial;
    - a named interval must be able to build the bars (domain.bar_spec: its step divides N, day and longer from
      anything), else InvalidInput naming the stored intervals that can;
    - no interval named: of the stored intervals that can build the bars, the coarsest whose fetched coverage
      covers the range, else the one covering most of it (the coarser on a tie); none can: InvalidInput naming
      the stored ones;
    - bars follow domain/bars.py, over the calendar's sessions; a resample to the source's own interval returns
      the candles unchanged.
    """

    def __init__(self, stores: Mapping[Segment, CandleStore], calendar: TradingCalendar) -> None:
        self._stores = stores
        self._calendar = calendar

    def execute(self, query: BarsQuery, batch_rows: int | None = None) -> Bars:
        """`batch_rows` None reads the range at once (one batch); a number streams it in batches of about as
        many stored candles."""
        store = self._stores[query.exchange.segment]
        stored = stored_intervals(store, query.exchange, check_symbol(query.symbol))
        info = self._source(query, stored)
        key, start, end = info.key, query.start_ts, query.end_ts
        with_oi = query.exchange.segment.has_open_interest
        if batch_rows is None:
            frame = store.read(key, start, end)
            rows, raw = len(frame), iter([frame])
        else:
            rows, raw = store.count(key, start, end), store.iter_range(key, start, end, batch_rows)
        spec = query.resample
        if spec is None or spec.same_as(key.interval):
            return Bars(key, spec, with_oi, rows, info.coverage, raw)
        sessions = self._sessions(query.exchange, spec, info, start, end)
        return Bars(key, spec, with_oi, rows, info.coverage, _resampled(raw, spec, sessions, with_oi))

    def _source(self, query: BarsQuery, stored: dict[Interval, SeriesInfo]) -> SeriesInfo:
        spec, named = query.resample, query.interval
        where = f"{query.exchange.value}:{query.symbol}"
        if named is not None:
            if named not in stored:
                raise not_stored(query.exchange, query.symbol, named, stored)
            if spec is not None and not spec.builds_from(named):
                able = [i.value for i in spec.sources() if i in stored]
                hint = f"stored ones that can: {', '.join(able)}" if able else _stored_text(stored)
                raise InvalidInput(f"{spec} bars cannot be built from {named.value} candles ({hint})")
            return stored[named]
        if spec is None:
            raise InvalidInput("Name an interval to read, or a resample to build bars from the stored candles")
        if not stored:
            raise not_stored(query.exchange, query.symbol, None, stored)
        candidates = [i for i in spec.sources() if i in stored]  # coarsest first
        if not candidates:
            raise InvalidInput(f"{spec} bars cannot be built from the intervals stored for {where} "
                               f"({_stored_text(stored)}): they need {', '.join(i.value for i in spec.sources())}")
        spans = [stored[i].coverage for i in candidates]
        firsts = [c.first for c in spans if c.first is not None]
        lasts = [c.last for c in spans if c.last is not None]
        lo = query.start_ts if query.start_ts is not None else min(firsts, default=0)
        hi = query.end_ts if query.end_ts is not None else max(lasts, default=0)
        best = max(range(len(candidates)), key=lambda n: (_covered(spans[n], lo, hi), -n))
        return stored[candidates[best]]

    def _sessions(self, exchange: Exchange, spec: BarSpec, info: SeriesInfo, start: int | None,
                  end: int | None) -> SessionTable:
        """The sessions a grouping needs: those of the days read (and from the first period's start)."""
        if spec.unit is BarUnit.DAY or info.first_ts is None or info.last_ts is None:
            return SessionTable.of(())
        first = ist_date(info.first_ts if start is None else max(start, info.first_ts))
        last = ist_date(info.last_ts if end is None else min(end, info.last_ts))
        if first > last:
            return SessionTable.of(())
        return self._calendar.sessions(exchange, bars.period_start(spec, first), last)


def _stored_text(stored: dict[Interval, SeriesInfo]) -> str:
    return f"stored: {', '.join(i.value for i in stored)}"


def _covered(coverage: Coverage, lo: int, hi: int) -> int:
    """Seconds of [lo, hi] the coverage holds."""
    if lo > hi:
        return 0
    return (hi - lo + 1) - sum(b - a + 1 for a, b in coverage.missing(lo, hi))


def _resampled(batches: Iterator[CandleFrame], spec: BarSpec, sessions: SessionTable,
               with_oi: bool) -> Iterator[CandleFrame]:
    """Bars batch by batch: a batch's last bar may go on in the next one, so its candles wait for it."""
    carry = CandleFrame.empty(with_oi)
    for batch in batches:
        frame = CandleFrame.concat([carry, batch], with_oi)
        grouping = bars.group(frame.ts, spec, sessions)
        if not len(grouping):
            continue
        last = int(grouping.starts[-1])
        carry = frame.take(slice(last, len(frame)))
        if last:
            yield bars.reduce(frame.take(slice(0, last)), grouping.without_last())
    if len(carry):
        yield bars.resample(carry, spec, sessions)
