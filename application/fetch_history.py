"""FetchHistory: bring one series up to date for a date range."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import structlog

from application.chunk_requests import fetch_chunks
from application.fetch_plan import plan_request
from application.fetch_record import FetchRecord, FetchStatus
from application.fetch_request import FetchRequest
from application.heal_history import Answer, HealHistory, HealReport, provisional_marker
from application.ports import CandleStore, Clock, FetchLog, InstrumentCatalog, MarketDataSource, TradingCalendar
from application.resolve_instrument import resolve_instrument
from domain.adjustments import Adjustment, ChangeKind
from domain.candles import CandleFrame
from domain.clock_time import day_end, day_start
from domain.coverage import Coverage, Span
from domain.date_range import DateRange
from domain.errors import DomainError
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from domain.planner import Chunk
from domain.price_jumps import price_jumps
from domain.revisions import CorporateActionFound, compare
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
    warnings: tuple[str, ...] = ()  # day-over-day moves beyond ±35 % with no recorded event; series left stale
    adjustments: tuple[Adjustment, ...] = ()  # what Kite changed in the past, found or healed by this fetch


@dataclass(slots=True)
class _Progress:
    """What a fetch has resolved and stored so far, so that a failure is logged with it."""

    exchange: str | None
    symbol: str
    records: int = 0
    rejected: int = 0
    requests: int = 0
    off_session: dict[date, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    heal: HealReport = field(default_factory=HealReport)

    def healed(self, report: HealReport) -> None:
        self.heal.add(report)
        self.records += report.records
        self.requests += report.requests
        self.warnings += report.warnings

    def add_off_session(self, days: tuple[DayCount, ...]) -> None:
        for day, count in days:
            self.off_session[day] = self.off_session.get(day, 0) + count

    def out_of_session(self) -> tuple[DayCount, ...]:
        return tuple(sorted(self.off_session.items()))

    def record(self, now: int, interval: Interval, elapsed: float, error_type: str | None = None,
               error: str | None = None) -> FetchRecord:
        return FetchRecord(now, self.exchange, self.symbol, interval.value, self.records, self.rejected,
                           self.requests, elapsed, FetchStatus.FAILED if error_type else FetchStatus.OK,
                           error_type, error, self.out_of_session(), tuple(self.warnings))


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
    Kite changes the past: a request that follows stored candles asks back over them as far as its span allows
    (no extra request) and a difference is healed (HealHistory); a series left stale by a heal cut short is
    healed before anything else is fetched for it. Candles Kite may still change (a day candle before 08:00 IST
    of the next trading day, a running session's) are stored as provisional and asked for again, and replaced,
    by the first fetch that reaches them once they are final, even when nothing else is due (or sooner, by a
    request due anyway when that costs none more). A day-over-day move beyond ±35 % among the new candles, with
    no corporate action recorded for that day, is stored and reported as a warning.
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
        self._healer = HealHistory(source, calendar, clock, self._concurrency)

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
        info = store.info(key)
        if info is not None and info.stale is not None:
            progress.healed(self._healer.resume(instrument, store, key))
            info = store.info(key)
        plan = plan_request(request, exchange, info, now, self._calendar)
        wanted, chunks, idle, marker, sessions = plan.wanted, plan.chunks, plan.idle, plan.marker, plan.sessions
        progress.requests += len(chunks)
        if idle:  # nothing Kite could serve by the calendar: covered without a request, but for the days held back
            kept = [d for d, _ in info.held_back] if info else []
            store.write(key, CandleFrame.empty(), [span for chunk in idle for span in _covered(chunk, kept)])
        reasons: dict[str, int] = {}
        with_oi = request.segment.has_open_interest
        before = CandleFrame.empty(with_oi)  # the candle before each chunk's, for day-over-day moves
        for done, (chunk, frame) in enumerate(
                fetch_chunks(self._source, instrument, request.interval, with_oi, chunks, self._concurrency), start=1):
            inside = (frame.ts >= chunk.request_start) & (frame.ts <= chunk.end_ts)
            if not inside.all():
                frame = frame.take(inside)
            served = None
            if chunk.overlap_from is not None:
                earlier = frame.ts < chunk.start_ts
                served, frame = self._clean(frame.take(earlier), request, sessions), frame.take(~earlier)
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
            provisional = provisional_marker(self._calendar, exchange, request.interval, frame.ts, now)
            change = compare(store.read(key, chunk.request_start, chunk.start_ts - 1), served,
                             instrument.tick_size) if served is not None else None
            if served is not None and change is not None:
                progress.healed(self._healer.found(change, instrument, key, store,
                                                   Answer(chunk.request_start, chunk.start_ts, chunk.end_ts, served,
                                                          frame, covered, provisional, held_back)))
            else:
                progress.records += self._store(store, key, chunk, frame, covered, provisional, request, marker,
                                                held_back)
            if not isinstance(change, CorporateActionFound):  # healed, the jump is gone; its event says why
                self._warn_jumps(store, key, served if served is not None and len(served) else before, frame,
                                 progress)
            if len(frame):
                before = frame.take(slice(-1, None))
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
                           progress.records, progress.rejected, progress.requests, elapsed, message, reasons,
                           off_session, tuple(progress.warnings), tuple(progress.heal.events))

    @staticmethod
    def _clean(frame: CandleFrame, request: FetchRequest, sessions: SessionTable) -> CandleFrame:
        """Candles served again for comparison, made as comparable to the stored ones as those were made."""
        if request.validate:
            return validate_candles(frame, request.segment, request.interval, sessions).valid
        return frame.sorted_unique()

    @staticmethod
    def _store(store: CandleStore, key: SeriesKey, chunk: Chunk, frame: CandleFrame, covered: list[Span],
               provisional: int | None, request: FetchRequest, marker: int | None,
               held_back: tuple[DayCount, ...]) -> int:
        """Write one chunk; provisional candles it asked for again are replaced, and only new candles counted."""
        if request.overwrite:
            return store.write(key, frame, covered, replace=(chunk.start_ts, chunk.end_ts), held_back=held_back,
                               provisional_from=provisional)
        if marker is None or chunk.end_ts < marker:
            return store.write(key, frame, covered, held_back=held_back, provisional_from=provisional)
        span = (max(chunk.start_ts, marker), chunk.end_ts)
        before = store.count(key, *span)
        return store.write(key, frame, covered, replace=span, held_back=held_back,
                           provisional_from=provisional) - before

    def _warn_jumps(self, store: CandleStore, key: SeriesKey, before: CandleFrame, fresh: CandleFrame,
                    progress: _Progress) -> None:
        """Report moves beyond ±35 % into the new candles (from `before`, the candles just before them) that no
        recorded corporate action explains."""
        if not len(fresh):
            return
        jumps = price_jumps(CandleFrame.concat([before, fresh], fresh.with_oi), int(fresh.ts[0]))
        if not jumps:
            return
        stored = store.instrument(key.exchange, key.symbol)
        recorded = {e.ex_date for e in (stored.events if stored else ()) if e.kind is ChangeKind.CORPORATE_ACTION}
        for jump in jumps:
            if jump.day not in recorded:
                log.warning("price_jump", series=str(key), day=jump.day.isoformat(), change=round(jump.change, 4))
                progress.warnings.append(jump.describe(str(key)))
