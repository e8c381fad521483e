"""What a series lacks, session day by session day: from the coverage ledger, the calendar and candle counts.

A session day is a day with at least one session (a two-block Saturday is one day). It is *fetched* when the
ledger covers any of its session time (Kite was asked for it, if only up to a candle still forming), else it
belongs to a never-fetched run: consecutive session days, weekends and holidays between them not breaking the
run. A fetched day without a candle is empty (a suspended stock, a contract before it listed); an intraday one
with fewer candles than its sessions' grids hold is partial (375 minute candles on a regular day, 75 5minute,
7 60minute; a Muhurat hour 60 minute candles, a DR Saturday 105). No candle is read: counts per day suffice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np

from domain.clock_time import day_number, day_of
from domain.coverage import Coverage
from domain.interval import Interval
from domain.sessions import SessionTable
from domain.validation import DayCount


@dataclass(frozen=True, slots=True)
class PartialDay:
    day: date
    candles: int
    expected: int


@dataclass(frozen=True, slots=True)
class Gaps:
    """`held_back`: days (in the range) whose candles Kite served outside every session the calendar knew, kept
    unfetched until it learns one (see FetchHistory)."""

    start: date
    end: date
    sessions_expected: int
    sessions_with_candles: int
    never_fetched: tuple[tuple[date, date], ...]
    fetched_empty: tuple[date, ...]
    partial: tuple[PartialDay, ...]
    estimated: bool
    held_back: tuple[DayCount, ...] = ()


def expected_candles(sessions: SessionTable, interval: Interval) -> np.ndarray:
    """Candles each session's grid holds: one per started step from its open (its last may be short); day
    candles, one per day (on its first session)."""
    if not interval.is_intraday:
        days = sessions.days
        return np.concatenate(([len(days) > 0], days[1:] != days[:-1])).astype(np.int64)[:len(days)]
    step = interval.step_seconds
    return np.asarray(-(-(sessions.closes - sessions.opens) // step), dtype=np.int64)


def _fetched_sessions(sessions: SessionTable, coverage: Coverage) -> np.ndarray:
    """Whether the ledger covers any second of each session."""
    if not coverage.spans or len(sessions) == 0:
        return np.zeros(len(sessions), dtype=bool)
    spans = np.array(coverage.spans, dtype=np.int64)
    i = np.searchsorted(spans[:, 1], sessions.opens, side="left")  # the first span ending at or after the open
    found = i < len(spans)
    return np.asarray(found & (spans[np.minimum(i, len(spans) - 1), 0] < sessions.closes), dtype=bool)


def _runs(days: np.ndarray, positions: np.ndarray) -> tuple[tuple[date, date], ...]:
    """Runs of consecutive positions (in the session-day array `days`) as inclusive (first day, last day)."""
    if len(positions) == 0:
        return ()
    breaks = np.flatnonzero(np.diff(positions) != 1)
    firsts = np.concatenate(([positions[0]], positions[breaks + 1]))
    lasts = np.concatenate((positions[breaks], [positions[-1]]))
    return tuple((day_of(days[a]), day_of(days[b])) for a, b in zip(firsts.tolist(), lasts.tolist(), strict=True))


def find_gaps(start: date, end: date, sessions: SessionTable, coverage: Coverage, per_day: Iterable[DayCount],
              interval: Interval, held_back: Iterable[DayCount] = ()) -> Gaps:
    """The gaps of a series in [start, end] (inclusive IST days). `sessions` are the calendar's for those days,
    `per_day` the stored candles per day (days without any may be left out), `held_back` the series' held-back
    days (any; those in the range are reported)."""
    sessions = sessions.between(start, end)
    held = tuple((d, n) for d, n in sorted(held_back) if start <= d <= end)
    days = sessions.session_days()
    if len(days) == 0:
        return Gaps(start, end, 0, 0, (), (), (), False, held)
    firsts = np.flatnonzero(np.concatenate(([True], sessions.days[1:] != sessions.days[:-1])))
    fetched = np.logical_or.reduceat(_fetched_sessions(sessions, coverage), firsts)
    expected = np.add.reduceat(expected_candles(sessions, interval), firsts)
    counts = np.zeros(len(days), dtype=np.int64)
    stored = [(day_number(d), n) for d, n in per_day]
    if stored:
        numbers = np.array([d for d, _ in stored], dtype=np.int64)
        at = np.minimum(np.searchsorted(days, numbers), len(days) - 1)
        on_session = days[at] == numbers  # candles on a day without a session are no session's
        counts[at[on_session]] = np.array([n for _, n in stored], dtype=np.int64)[on_session]
    empty = np.flatnonzero(fetched & (counts == 0))
    short = np.flatnonzero(fetched & (counts > 0) & (counts < expected)) if interval.is_intraday else empty[:0]
    return Gaps(
        start, end,
        sessions_expected=len(days),
        sessions_with_candles=int((counts > 0).sum()),
        never_fetched=_runs(days, np.flatnonzero(~fetched)),
        fetched_empty=tuple(day_of(days[i]) for i in empty.tolist()),
        partial=tuple(PartialDay(day_of(days[i]), int(counts[i]), int(expected[i])) for i in short.tolist()),
        estimated=bool(sessions.estimated.any()),
        held_back=held,
    )
