"""Send a plan's historical requests, several in flight, and hand back the answers in plan order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

from application.context_pool import submit_in_context
from application.ports import MarketDataSource
from domain.candles import CandleFrame
from domain.instrument import Instrument
from domain.interval import Interval
from domain.planner import Chunk


def fetch_chunks(source: MarketDataSource, instrument: Instrument, interval: Interval, with_oi: bool,
                 chunks: Sequence[Chunk], concurrency: int) -> Iterator[tuple[Chunk, CandleFrame]]:
    """Yield (chunk, candles as served for [request_start, end_ts]) in order while keeping up to `concurrency`
    requests in flight, each in the caller's context (its Kite session token and log fields). Requests not yet
    sent when the consumer stops (or one raises) are cancelled."""

    def fetch(chunk: Chunk) -> CandleFrame:
        return source.fetch_candles(instrument, interval, chunk.request_start, chunk.end_ts, with_oi)

    if concurrency <= 1 or len(chunks) < 2:
        for chunk in chunks:
            yield chunk, fetch(chunk)
        return
    with ThreadPoolExecutor(max_workers=min(concurrency, len(chunks)), thread_name_prefix="fetch") as pool:
        futures = [submit_in_context(pool, fetch, chunk) for chunk in chunks]
        try:
            for chunk, future in zip(chunks, futures, strict=True):
                yield chunk, future.result()
        finally:
            for future in futures:
                future.cancel()
