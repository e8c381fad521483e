"""FetchHistory: bring one series up to date for a date range."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import structlog

from application.context_pool import submit_in_context
from application.fetch_record import FetchRecord, FetchStatus
from application.fetch_request import FetchRequest
from application.ports import CandleStore, Clock, FetchLog, InstrumentCatalog, MarketDataSource, TradingCalendar
from application.resolve_instrument import resolve_instrument
from domain.candles import CandleFrame
from domain.clock_time import day_end, day_start, ist_date
from domain.coverage import Coverage, Span
from domain.date_range import DateRange
from domain.errors import DomainError
from domain.instrument import Instrument, SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from domain.planner import Chunk, plan_chunks
from domain.sessions import SessionTable
from domain.validation import DayCount, validate_candles

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class FetchResult:
    symbol: str
    exchange: Exchange
    interval: Interval
    date_range: DateRange
    records: int
    rejected: int
    requests: int
    elapsed_seconds: float
    message: str | None = None
    rejected_reasons: dict[str, int] = field(default_factory=dict)
    out_of_session: tuple[DayCount, ...] = ()  # (IST day, candles) Kite served outside every known session


@dataclass(slots=True)
class _Progress:
    """What a fetch has resolved and stored so far, so that a failure is logged with it."""

    exchange: str | None
    symbol: str
    records: int = 0
    rejected: int = 0
    requests: int = 0
    off_session: dict[date, int] = field(default_factory=dict)

    def add_off_session(self, days: tuple[DayCount, ...]) -> None:
        for day, count in days:
            self.off_session[day] = self.off_session.get(day, 0) + count

    def out_of_session(self) -> tuple[DayCount, ...]:
        return tuple(sorted(self.off_session.items()))

    def record(self, now: int, interval: Interval, elapsed: float, error_type: str | None = None,
               error: str | None = None) -> FetchRecord:
        return FetchRecord(now, self.exchange, self.symbol, interval.value, self.records, self.rejected,
                           self.requests, elapsed, FetchStatus.FAILED if error_type else FetchStatus.OK,
                           error_type, error, self.out_of_session())


def _elapsed(started: float) -> float:
    return round(time.perf_counter() - started, 3)


def _held_back(off_session: tuple[DayCount, ...], sessions: SessionTable) -> tuple[DayCount, ...]:
    """The days Kite traded on that the calendar calls closed: left unfetched (and listed in the store) so that a
    plain incremental fetch asks for them again once the calendar learns the session."""
    return tuple((d, n) for d, n in off_session if not sessions.on(d))


def _covered(chunk: Chunk, held_back: list[date]) -> list[Span]:
    """The chunk's span minus the days held back."""
    return Coverage.of((day_start(d), day_end(d)) for d in held_back).missing(chunk.start_ts, chunk.end_ts)


class FetchHistory:
    """Fetch what the store lacks in a range, validate it, and store it.

    Rules: with `incremental` only never-fetched stretches are requested (a holiday inside a request, once
    fetched, is covered even though it has no candles); `overwrite` refetches the whole range and replaces
    stored candles in it; a range reaching into the future (or into a candle still forming, by the day's
    sessions: an evening Muhurat hour too) is clamped to the last completed candle. No request is sent for a
    stretch in which the calendar has no session (a weekend, a closure), and it is marked covered all the same,
    except the days held back. With `validate` no invalid candle is stored; candles outside every session the
    calendar knows are rejected as out_of_session and listed per day in the result and the fetch log. A day with
    such candles and no known session is held back: left uncovered and listed in the store's metadata (the
    calendar lacks a session Kite has: the next incremental fetch after the calendar learns it stores them, and
    the day leaves the list); a session day with stray off-hours candles stays covered, its strays reported.
    Each chunk is stored as soon as it arrives, so an interrupted fetch keeps what it got. Up to `concurrency`
    requests are in flight. Every fetch is written to the fetch log, a failed one with its error.
    """

    def __init__(self, source: MarketDataSource, stores: Mapping[Segment, CandleStore],
                 catalog: InstrumentCatalog, clock: Clock, calendar: TradingCalendar, concurrency: int = 1,
                 fetch_log: FetchLog | None = None) -> None:
        self._calendar = calendar
        self._fetch_log = fetch_log
        self._source = source
        self._stores = stores
        self._catalog = catalog
        self._clock = clock
        self._concurrency = max(1, concurrency)

    def execute(self, request: FetchRequest,
                on_chunk: Callable[[int, int, int], None] | None = None) -> FetchResult:
        """`on_chunk(done, total, records)` after each stored chunk: requests done of the plan, candles stored.

        Every fetch goes to the fetch log, a DomainError with what was stored before it, then re-raised. Anything
        else is not a fetch outcome (a job's cancel raised from `on_chunk`, a bug) and is not logged as one.
        """
        started = time.perf_counter()
        progress = _Progress(request.exchange.value if request.exchange else None, request.symbol)
        try:
            result = self._fetch(request, on_chunk, started, progress)
        except DomainError as error:
            self._log(progress.record(self._clock.now_ts(), request.interval, _elapsed(started), error.error_type,
                                      error.message))
            raise
        self._log(progress.record(self._clock.now_ts(), request.interval, result.elapsed_seconds))
        return result

    def _log(self, record: FetchRecord) -> None:
        if self._fetch_log is not None:
            self._fetch_log.record(record)

    def _fetch(self, request: FetchRequest, on_chunk: Callable[[int, int, int], None] | None, started: float,
               progress: _Progress) -> FetchResult:
        instrument = resolve_instrument(self._catalog, request.segment, request.symbol, request.exchange)
        exchange = Exchange(instrument.exchange)
        key = SeriesKey(exchange, instrument.tradingsymbol, request.interval)
        progress.exchange, progress.symbol = exchange.value, key.symbol
        store = self._stores[request.segment]
        now = self._clock.now_ts()
        wanted = (request.date_range.start_ts,
                  min(request.date_range.end_ts,
                      request.interval.complete_until(now, self._calendar.sessions_on(exchange, ist_date(now)))))
        sessions = self._calendar.sessions(exchange, request.date_range.start, request.date_range.end)
        refetch_all = request.overwrite or not request.incremental
        info = store.info(key)
        coverage = info.coverage if info and not refetch_all else Coverage()
        chunks, idle = plan_chunks(wanted, coverage, request.interval, incremental=not refetch_all,
                                   sessions=sessions)
        progress.requests = len(chunks)
        if idle:  # nothing Kite could serve by the calendar: covered without a request, but for the days held back
            kept = [d for d, _ in info.held_back] if info else []
            store.write(key, CandleFrame.empty(), [span for chunk in idle for span in _covered(chunk, kept)])
        reasons: dict[str, int] = {}
        for done, (chunk, frame) in enumerate(self._fetch_all(instrument, request, chunks), start=1):
            inside = (frame.ts >= chunk.start_ts) & (frame.ts <= chunk.end_ts)
            if not inside.all():
                frame = frame.take(inside)
            covered: list[Span] = [(chunk.start_ts, chunk.end_ts)]
            held_back: tuple[DayCount, ...] = ()
            if request.validate:
                report = validate_candles(frame, request.segment, request.interval, sessions)
                frame, progress.rejected = report.valid, progress.rejected + report.rejected
                for reason, count in report.reasons.items():
                    reasons[reason] = reasons.get(reason, 0) + count
                if report.out_of_session:
                    progress.add_off_session(report.out_of_session)
                    held_back = _held_back(report.out_of_session, sessions)
                    covered = _covered(chunk, [d for d, _ in held_back])
            else:
                frame = frame.sorted_unique()
            replace = (chunk.start_ts, chunk.end_ts) if request.overwrite else None
            progress.records += store.write(key, frame, covered, replace=replace, held_back=held_back)
            if on_chunk:
                on_chunk(done, len(chunks), progress.records)
        elapsed = _elapsed(started)
        message = None
        if not chunks:
            if wanted[0] > wanted[1]:
                message = "Nothing to fetch: the range holds no completed candles yet"
            elif not sessions.holds_candles(*wanted, request.interval.is_intraday):
                message = "Nothing to fetch: the range holds no trading session"
            else:
                message = "Data already up to date for the requested range"
        off_session = progress.out_of_session()
        if off_session:
            log.warning("candles_out_of_session", exchange=exchange.value, symbol=key.symbol,
                        interval=key.interval.value, days={d.isoformat(): n for d, n in off_session})
        log.info("history_fetched", exchange=exchange.value, symbol=key.symbol, interval=key.interval.value,
                 chunks=len(chunks), records=progress.records, rejected=progress.rejected, elapsed=elapsed)
        return FetchResult(instrument.tradingsymbol, exchange, request.interval, request.date_range,
                           progress.records, progress.rejected, len(chunks), elapsed, message, reasons,
                           off_session)

    def _fetch_all(self, instrument: Instrument, request: FetchRequest,
                   chunks: list[Chunk]) -> Iterator[tuple[Chunk, CandleFrame]]:
        """Yield chunks in order while keeping up to `concurrency` requests in flight, each in the caller's
        context (its Kite session token and log fields)."""
        with_oi = request.segment.has_open_interest

        def fetch(chunk: Chunk) -> CandleFrame:
            return self._source.fetch_candles(instrument, request.interval, chunk.start_ts, chunk.end_ts,
                                              with_oi)

        if self._concurrency == 1 or len(chunks) < 2:
            for chunk in chunks:
                yield chunk, fetch(chunk)
            return
        with ThreadPoolExecutor(max_workers=min(self._concurrency, len(chunks)),
                                thread_name_prefix="fetch") as pool:
            futures = [submit_in_context(pool, fetch, chunk) for chunk in chunks]
            try:
                for chunk, future in zip(chunks, futures, strict=True):
                    yield chunk, future.result()
            finally:
                for future in futures:
                    future.cancel()
