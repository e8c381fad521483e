"""What a fetch of one series will ask Kite for: one decision that FetchHistory runs and SyncSeries plans with.

A sync decides for every series up front whether any request is due, so that 50,000 up-to-date series are not
50,000 job items; it must decide exactly as the fetch would, or a series it calls up to date would still be
missing something (or one it lists would send nothing). Both call `plan_request`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from application.fetch_request import FetchRequest
from application.heal_history import provisional_marker
from application.ports import SeriesInfo, TradingCalendar
from domain.clock_time import ist_date
from domain.coverage import Coverage, Span
from domain.market import Exchange
from domain.planner import Chunk, plan_chunks
from domain.sessions import Session, SessionTable


@dataclass(frozen=True, slots=True)
class FetchPlan:
    """`wanted`: the request's range clamped to the last completed candle; `chunks`: the requests, those reaching
    back over stored candles first; `idle`: stretches without a session, covered without a request; `marker`: the
    provisional candles the chunks ask for again (to be replaced), None when none are; `sessions`: the calendar's
    from the lowest second involved (the first stored candle's day) through the range's end; `stale`: the series
    must be healed first (that costs requests whatever the chunks)."""

    wanted: Span
    chunks: list[Chunk]
    idle: list[Chunk]
    marker: int | None
    sessions: SessionTable
    stale: bool = False

    @property
    def due(self) -> bool:
        """Whether fetching the series now sends any request (writing idle coverage needs none)."""
        return self.stale or bool(self.chunks)


def plan_request(request: FetchRequest, exchange: Exchange, info: SeriesInfo | None, now: int,
                 calendar: TradingCalendar) -> FetchPlan:
    """FetchHistory's plan for `request` of the series `info` describes (None: never written), at `now`.

    Rules: the range is clamped to the last completed candle (by today's sessions); `incremental` asks only for
    never-fetched stretches, `overwrite` or not incremental for the whole range; stretches with no session are
    idle; provisional candles are asked for again once Kite's values are final, or sooner with a request due
    anyway when that adds none (before that, asking again would only bring the same provisional values)."""
    wanted = (request.date_range.start_ts,
              min(request.date_range.end_ts,
                  request.interval.complete_until(now, calendar.sessions_on(exchange, ist_date(now)))))
    refetch_all = request.overwrite or not request.incremental
    coverage = info.coverage if info is not None and not refetch_all else Coverage()
    stored_from = info.first_ts if info is not None and not refetch_all else None
    marker = info.provisional_from if info is not None else None
    if marker is not None and marker > wanted[1]:
        marker = None
    lowest = min(x for x in (wanted[0], stored_from, marker) if x is not None)
    sessions = calendar.sessions(exchange, ist_date(lowest), request.date_range.end)
    chunks, idle = plan_chunks(wanted, coverage, request.interval, incremental=not refetch_all,
                               sessions=sessions, stored_from=stored_from)
    if marker is not None:
        final = provisional_marker(calendar, exchange, request.interval, np.array([marker]), now) is None
        again = plan_chunks((min(wanted[0], marker), wanted[1]), coverage.before(marker), request.interval,
                            incremental=not refetch_all, sessions=sessions, stored_from=stored_from)
        if final or (chunks and len(again[0]) <= len(chunks)):
            chunks, idle = again
        else:
            marker = None
    # Requests that reach back over stored candles first: a change they find is healed before anything else is
    # stored, so no chunk of Kite's new prices is written next to stale ones.
    chunks.sort(key=lambda c: c.overlap_from is None)
    return FetchPlan(wanted, chunks, idle, marker, sessions, info is not None and info.stale is not None)


class RememberedSessions:
    """A TradingCalendar answering each question once: planning thousands of series asks the same few (today's
    sessions, the provisional window, the same range from the same last day) over and over. For one plan only: it
    never forgets."""

    def __init__(self, calendar: TradingCalendar) -> None:
        self._calendar = calendar
        self._ranges: dict[tuple[Exchange, date, date], SessionTable] = {}
        self._days: dict[tuple[Exchange, date], tuple[Session, ...]] = {}

    def sessions(self, exchange: Exchange, start: date, end: date) -> SessionTable:
        key = (exchange, start, end)
        table = self._ranges.get(key)
        if table is None:
            table = self._ranges[key] = self._calendar.sessions(exchange, start, end)
        return table

    def sessions_on(self, exchange: Exchange, day: date) -> tuple[Session, ...]:
        key = (exchange, day)
        found = self._days.get(key)
        if found is None:
            found = self._days[key] = self._calendar.sessions_on(exchange, day)
        return found

    def in_session(self, exchange: Exchange, ts: int) -> bool:
        return self._calendar.in_session(exchange, ts)
