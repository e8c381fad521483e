"""FetchHistory: bring one series up to date for a date range."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import structlog

from application.fetch_request import FetchRequest
from application.ports import CandleStore, Clock, FetchLog, InstrumentCatalog, MarketDataSource
from application.resolve_instrument import resolve_instrument
from domain.candles import CandleFrame
from domain.coverage import Coverage
from domain.date_range import DateRange
from domain.instrument import Instrument, SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from domain.planner import Chunk, plan_fetch
from domain.validation import validate_candles

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


class FetchHistory:
    """Fetch what the store lacks in a range, validate it, and store it.

    Rules: with `incremental` only never-fetched stretches are requested (a holiday, once fetched, is
    covered even though it has no candles); `overwrite` refetches the whole range and replaces stored
    candles in it; a range reaching into the future (or into a candle still forming) is clamped to the
    last completed candle; with `validate` no invalid candle is stored. Each chunk is stored as soon as it
    arrives, so an interrupted fetch keeps what it got. Up to `concurrency` requests are in flight.
    """

    def __init__(self, source: MarketDataSource, stores: Mapping[Segment, CandleStore],
                 catalog: InstrumentCatalog, clock: Clock, concurrency: int = 1,
                 fetch_log: FetchLog | None = None) -> None:
        self._fetch_log = fetch_log
        self._source = source
        self._stores = stores
        self._catalog = catalog
        self._clock = clock
        self._concurrency = max(1, concurrency)

    def execute(self, request: FetchRequest,
                on_chunk: Callable[[int, int, int], None] | None = None) -> FetchResult:
        """`on_chunk(done, total, records)` after each stored chunk: requests done of the plan, candles stored."""
        started = time.perf_counter()
        instrument = resolve_instrument(self._catalog, request.segment, request.symbol, request.exchange)
        exchange = Exchange(instrument.exchange)
        key = SeriesKey(exchange, instrument.tradingsymbol, request.interval)
        store = self._stores[request.segment]
        wanted = (request.date_range.start_ts,
                  min(request.date_range.end_ts, request.interval.complete_until(self._clock.now_ts())))
        refetch_all = request.overwrite or not request.incremental
        info = None if refetch_all else store.info(key)
        coverage = info.coverage if info else Coverage()
        chunks = plan_fetch(wanted, coverage, request.interval, incremental=not refetch_all)
        records = rejected = 0
        reasons: dict[str, int] = {}
        for done, (chunk, frame) in enumerate(self._fetch_all(instrument, request, chunks), start=1):
            inside = (frame.ts >= chunk.start_ts) & (frame.ts <= chunk.end_ts)
            if not inside.all():
                frame = frame.take(inside)
            if request.validate:
                report = validate_candles(frame, request.segment, request.interval)
                frame, rejected = report.valid, rejected + report.rejected
                for reason, count in report.reasons.items():
                    reasons[reason] = reasons.get(reason, 0) + count
            else:
                frame = frame.sorted_unique()
            replace = (chunk.start_ts, chunk.end_ts) if request.overwrite else None
            records += store.write(key, frame, [(chunk.start_ts, chunk.end_ts)], replace=replace)
            if on_chunk:
                on_chunk(done, len(chunks), records)
        elapsed = round(time.perf_counter() - started, 3)
        message = None
        if not chunks:
            message = ("Data already up to date for the requested range" if wanted[0] <= wanted[1]
                       else "Nothing to fetch: the range holds no completed candles yet")
        log.info("history_fetched", exchange=exchange.value, symbol=key.symbol, interval=key.interval.value,
                 chunks=len(chunks), records=records, rejected=rejected, elapsed=elapsed)
        if self._fetch_log is not None:
            self._fetch_log.record({"time": self._clock.now_ts(), "exchange": exchange.value, "symbol": key.symbol,
                                    "interval": key.interval.value, "records": records, "rejected": rejected,
                                    "requests": len(chunks), "elapsed_seconds": elapsed, "status": "ok"})
        return FetchResult(instrument.tradingsymbol, exchange, request.interval, request.date_range,
                           records, rejected, len(chunks), elapsed, message, reasons)

    def _fetch_all(self, instrument: Instrument, request: FetchRequest,
                   chunks: list[Chunk]) -> Iterator[tuple[Chunk, CandleFrame]]:
        """Yield chunks in order while keeping up to `concurrency` requests in flight."""
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
            futures = [pool.submit(fetch, chunk) for chunk in chunks]
            try:
                for chunk, future in zip(chunks, futures, strict=True):
                    yield chunk, future.result()
            finally:
                for future in futures:
                    future.cancel()
