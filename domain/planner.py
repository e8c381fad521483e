"""Turn "what the store lacks" into the fewest Kite requests the per-interval span allows.

A request that follows stored candles also asks back over them as far as the span allows, at no extra request:
Kite's answer for candles already held is how kitefetch learns that Kite changed the past (domain/revisions.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.clock_time import day_end, day_start, ist_date
from domain.coverage import Coverage, Span
from domain.interval import Interval
from domain.sessions import SessionTable


@dataclass(frozen=True, slots=True)
class Chunk:
    """One historical request for candle start times in [start_ts, end_ts], both inclusive. With `overlap_from`
    the request starts there instead: the candles in [overlap_from, start_ts) are stored already and come back
    only to be compared with the store."""

    start_ts: int
    end_ts: int
    overlap_from: int | None = None

    @property
    def request_start(self) -> int:
        return self.start_ts if self.overlap_from is None else self.overlap_from


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


def split_span_from_end(start_ts: int, end_ts: int, interval: Interval) -> list[Chunk]:
    """As split_span (as many chunks), but full chunks at the end: the first one keeps the slack."""
    chunks: list[Chunk] = []
    span_days = interval.max_span_days
    cursor = end_ts
    while cursor >= start_ts:
        chunk_start = max(start_ts, day_start(ist_date(cursor) - timedelta(days=span_days - 1)))
        chunks.append(Chunk(chunk_start, cursor))
        cursor = chunk_start - 1
    return chunks[::-1]


def _overlap_floor(coverage: Coverage, gap_start: int, stored_from: int | None) -> int | None:
    """How far back a request for a gap starting at `gap_start` may reach over stored candles: to the start of the
    covered stretch just before it, never before the first stored candle; None when no stored candle precedes."""
    if stored_from is None or stored_from >= gap_start:
        return None
    for a, b in coverage.spans:
        if b == gap_start - 1:
            return max(a, stored_from)
    return None


def plan_fetch(wanted: Span, coverage: Coverage, interval: Interval, incremental: bool = True,
               sessions: SessionTable | None = None, stored_from: int | None = None) -> list[Chunk]:
    """Chunks for the part of `wanted` the store lacks (all of it unless incremental).

    With `sessions` (those of `wanted`'s days), a chunk in which no candle can start (a weekend, a closure) is
    dropped: no request for nothing. Chunks are cut as without it, so the count never grows, and each chunk
    still covers exactly what it asks for. With `stored_from` (the first stored candle, incremental only), a gap
    right after a covered stretch is cut from its end and its first request reaches back over the stored candles
    (`overlap_from`) as far as `max_span_days` allows: the same requests, asking for more.
    """
    return plan_chunks(wanted, coverage, interval, incremental, sessions, stored_from)[0]


def plan_chunks(wanted: Span, coverage: Coverage, interval: Interval, incremental: bool = True,
                sessions: SessionTable | None = None,
                stored_from: int | None = None) -> tuple[list[Chunk], list[Chunk]]:
    """`plan_fetch`'s chunks, and beside them the chunks it dropped as holding no session (to be marked
    covered without a request)."""
    start, end = wanted
    if start > end:
        return [], []
    gaps = coverage.missing(start, end) if incremental else [(start, end)]
    chunks: list[Chunk] = []
    for a, b in gaps:
        floor = _overlap_floor(coverage, a, stored_from) if incremental else None
        if floor is None:
            chunks.extend(split_span(a, b, interval))
            continue
        cut = split_span_from_end(a, b, interval)
        if sessions is not None and not sessions.holds_candles(cut[0].start_ts, cut[0].end_ts, interval.is_intraday):
            chunks.extend(cut)  # dropped below: nothing new to ask for, so nothing to compare either
            continue
        reach = max(floor, day_start(ist_date(cut[0].end_ts) - timedelta(days=interval.max_span_days - 1)))
        cut[0] = Chunk(cut[0].start_ts, cut[0].end_ts, reach if reach < cut[0].start_ts else None)
        chunks.extend(cut)
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
