"""TradingCalendar on exchange-calendars' XBOM plus kitefetch's sessions.toml and the user's calendar.toml.

Why XBOM: its hard-coded holiday list (BSE's, which NSE shares) runs from 1997 to 2026-12-25 and has the
one-off closures (2024-01-22, 2024-05-20, 2024-11-20, 2026-01-15). pandas-market-calendars 5.5.0's NSE
calendar now has them too, plus weekday Muhurat hours and NSE's hour changes before 2010, and agrees with XBOM
on every regular session day from 2006 (not 2013-11-14/15); but it depends on exchange-calendars itself (more
to install for the same list), its NSE class was rewritten recently (its April 2026 source lacked those
closures), and its Mon-Fri weekmask cannot hold a weekend session, so the overrides file is needed either
way. XBOM lacks what sessions.toml adds: the Sunday Budget session, the DR Saturdays with their break, the
Muhurat hours (it lists those days as holidays), hour changes. Its two special Saturdays (2024-01-20,
2025-02-01) are lost under pandas 3 (its weekmask offset); the file lists them either way.

How far back: XBOM refuses years before 1997; 1997-98 are incomplete (1998 lists four holidays, Republic Day
among the sessions), 1999-2005 differ from pandas-market-calendars' NSE on 0-5 days a year (BSE-only
holidays then). Before 1997 and after its last year (2026) the weekday rule answers: Monday to Friday, the
regular hours of the day, minus the closures the files list; every such session is `estimated`.

Cost: the TOML files are read when the adapter is built (start-up, so a bad file stops it); the library
(pandas: about 0.35 s to import, 0.5 s to build XBOM from 1997) only at the first question, once per process.
Each calendar's sessions from 1970 to 2200 are then a few numpy arrays (about 60,000 sessions, 2 MB), and a
question is a slice by binary search: for 22,500 minute candles (Kite's largest chunk) the slice and the
session mask take 0.15 ms, the whole validation 0.4 ms (this machine; tests/integration/calendar).
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import structlog

from adapters.outbound.calendar.overrides import CalendarSpec, load_shipped, with_user_file
from domain.clock_time import day_number, day_start, ist_date
from domain.errors import CalendarInvalid
from domain.market import Exchange
from domain.sessions import (
    Session,
    SessionTable,
    merge,
    regular_sessions,
    weekdays,
    without_days,
)

log = structlog.get_logger(__name__)

SHIPPED = Path(__file__).with_name("sessions.toml")
FIRST, LAST = date(1970, 1, 1), date(2200, 12, 31)  # the years answered from precomputed arrays


def _library_days(spec: CalendarSpec) -> tuple[np.ndarray, date, date] | None:
    """The library's session days (day numbers) and the span it knows, or None for a calendar without one."""
    if spec.library is None:
        return None
    import exchange_calendars  # pulls pandas: only once a calendar question is asked

    try:
        try:
            calendar = exchange_calendars.get_calendar(spec.library, start=(spec.library_from or FIRST).isoformat())
        except ValueError:  # this version records fewer years than library_from: take its own range
            calendar = exchange_calendars.get_calendar(spec.library)
    except exchange_calendars.errors.InvalidCalendarName:
        raise CalendarInvalid(f"{SHIPPED}: calendar {spec.name!r} names library {spec.library!r}, which "
                              f"exchange-calendars does not have") from None
    days = calendar.sessions.values.astype("datetime64[D]").astype(np.int64)
    return days, calendar.first_session.date(), calendar.last_session.date()


def _regular(spec: CalendarSpec, days: np.ndarray, estimated: np.ndarray) -> SessionTable:
    """One session per day at the hours in effect that day (the first entry's before it)."""
    effective = np.array([day_number(h.effective) for h in spec.hours], dtype=np.int64)
    at = np.maximum(np.searchsorted(effective, days, side="right") - 1, 0)
    opens = np.array([h.open_seconds for h in spec.hours], dtype=np.int64)[at]
    closes = np.array([h.close_seconds for h in spec.hours], dtype=np.int64)[at]
    return regular_sessions(days, opens, closes, estimated)


def _overridden(spec: CalendarSpec, regular: SessionTable, first: date, last: date) -> SessionTable:
    """`regular` with the files' days in [first, last]: closures removed, special days replacing theirs."""
    changed = [d for d in spec.days if first <= d <= last]
    specials = SessionTable.of(
        Session(d, day_start(d) + opens, day_start(d) + closes, special.kind)
        for d in changed if (special := spec.days[d]) is not None for opens, closes in special.blocks)
    return merge(without_days(regular, np.array([day_number(d) for d in changed], dtype=np.int64)), specials)


def build_table(spec: CalendarSpec, first: date = FIRST, last: date = LAST) -> SessionTable:
    """Every session of `spec` on days in [first, last]: the library's days where it has data, weekdays
    (estimated) elsewhere, then the files' days."""
    library = _library_days(spec)
    if library is None:
        days = weekdays(first, last)
        return _overridden(spec, _regular(spec, days, np.ones(len(days), dtype=bool)), first, last)
    known, lib_first, lib_last = library
    known = known[(known >= day_number(first)) & (known <= day_number(last))]
    before = weekdays(first, min(last, lib_first - timedelta(days=1))) if first < lib_first else known[:0]
    after = weekdays(max(first, lib_last + timedelta(days=1)), last) if last > lib_last else known[:0]
    days = np.concatenate([before, known, after])
    estimated = np.concatenate([np.ones(len(before), bool), np.zeros(len(known), bool), np.ones(len(after), bool)])
    return _overridden(spec, _regular(spec, days, estimated), first, last)


def _estimated(spec: CalendarSpec, first: date, last: date) -> SessionTable:
    """Days outside the precomputed years: the weekday rule, the files' days applied."""
    days = weekdays(first, last)
    return _overridden(spec, _regular(spec, days, np.ones(len(days), dtype=bool)), first, last)


class LibraryCalendar:
    """The TradingCalendar of every exchange: one table per calendar of the files, built at the first question."""

    def __init__(self, user_file: Path | None = None, shipped: Path = SHIPPED) -> None:
        specs = load_shipped(shipped)
        if user_file is not None:
            specs = with_user_file(specs, Path(user_file))
        self._specs = specs
        self._of_exchange = {e: spec for spec in specs.values() for e in spec.exchanges}
        self._tables: dict[str, SessionTable] = {}
        self._lock = threading.Lock()

    def _table(self, spec: CalendarSpec) -> SessionTable:
        table = self._tables.get(spec.name)
        if table is None:
            with self._lock:
                table = self._tables.get(spec.name)
                if table is None:
                    table = self._tables[spec.name] = build_table(spec)
                    log.info("calendar_built", calendar=spec.name, sessions=len(table))
        return table

    def sessions(self, exchange: Exchange, start: date, end: date) -> SessionTable:
        spec = self._of_exchange[exchange]
        if start > end:
            return SessionTable.of(())
        table = self._table(spec)
        if start >= FIRST and end <= LAST:
            return table.between(start, end)
        parts = []
        if start < FIRST:
            parts.append(_estimated(spec, start, min(end, FIRST - timedelta(days=1))))
        if start <= LAST and end >= FIRST:
            parts.append(table.between(max(start, FIRST), min(end, LAST)))
        if end > LAST:
            parts.append(_estimated(spec, max(start, LAST + timedelta(days=1)), end))
        return merge(*parts)

    def sessions_on(self, exchange: Exchange, day: date) -> tuple[Session, ...]:
        return tuple(self.sessions(exchange, day, day))

    def in_session(self, exchange: Exchange, ts: int) -> bool:
        return any(s.open_ts <= ts < s.close_ts for s in self.sessions_on(exchange, ist_date(ts)))
