"""Turn "what the store lacks" into the fewest Kite requests the per-interval span allows."""

from __future__ import annotations

from dataclasses import dataclass

from domain.clock_time import day_end, ist_date
from domain.coverage import Coverage, Span
from domain.interval import Interval
from domain.sessions import SessionTable


@dataclass(frozen=True, slots=True)
class Chunk:
    """One historical request: candle start times in [start_ts, end_ts], both inclusive."""

    start_ts: int
    end_ts: int


def split_span(start_ts: int, end_ts: int, interval: Interval) -> list[Chunk]:
    """Cut one span into chunks covering at most `max_span_days` IST calendar days each (inclusive)."""
    chunks: list[Chunk] = []
    span_days = interval.max_span_days
    cursor = start_ts
    while cursor <= end_ts:
        first_day = ist_date(cursor)
        last_allowed = day_end(first_day.fromordinal(first_day.toordinal() + span_days - 1))
        chunk_end = min(end_ts, last_allowed)
        chunks.append(Chunk(cursor, chunk_end))
        cursor = chunk_end + 1
    return chunks


def plan_fetch(wanted: Span, coverage: Coverage, interval: Interval, incremental: bool = True,
               sessions: SessionTable | None = None) -> list[Chunk]:
    """Chunks for the part of `wanted` the store lacks (all of it unless incremental).

    With `sessions` (those of `wanted`'s days), a chunk in which no candle can start (a weekend, a closure) is
    dropped: no request for nothing. Chunks are cut as without it, so the count never grows, and each chunk
    still covers exactly what it asks for.
    """
    return plan_chunks(wanted, coverage, interval, incremental, sessions)[0]


def plan_chunks(wanted: Span, coverage: Coverage, interval: Interval, incremental: bool = True,
                sessions: SessionTable | None = None) -> tuple[list[Chunk], list[Chunk]]:
    """`plan_fetch`'s chunks, and beside them the chunks it dropped as holding no session (to be marked
    covered without a request)."""
    start, end = wanted
    if start > end:
        return [], []
    gaps = coverage.missing(start, end) if incremental else [(start, end)]
    chunks = [chunk for a, b in gaps for chunk in split_span(a, b, interval)]
    if sessions is None:
        return chunks, []
    asked: list[Chunk] = []
    idle: list[Chunk] = []
    for chunk in chunks:
        (asked if sessions.holds_candles(chunk.start_ts, chunk.end_ts, interval.is_intraday) else idle).append(chunk)
    return asked, idle


def minimal_request_count(gaps: list[Span], interval: Interval) -> int:
    """The least number of requests that can fetch `gaps`: ceil(inclusive days / span) per gap."""
    span = interval.max_span_days
    total = 0
    for a, b in gaps:
        days = (ist_date(b) - ist_date(a)).days + 1
        total += -(-days // span)
    return total
