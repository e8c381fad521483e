"""A TradingCalendar for use-case tests: weekdays 09:15-15:30, plus the special days and closures a test names."""

from __future__ import annotations

from datetime import date

from application.ports import TradingCalendar
from domain.clock_time import SESSION_CLOSE_SECONDS, SESSION_OPEN_SECONDS, day_start, ist_date
from domain.market import Exchange
from domain.sessions import Session, SessionKind, SessionTable, merge, regular_sessions, weekdays, without_days


def hm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60


class FakeCalendar(TradingCalendar):
    """`special` maps a day to its blocks ("HH:MM", "HH:MM"); `closed` days have no session."""

    def __init__(self, special: dict[date, list[tuple[str, str]]] | None = None,
                 closed: set[date] | None = None, kind: SessionKind = SessionKind.SPECIAL) -> None:
        self.special = dict(special or {})
        self.closed = set(closed or ())
        self.kind = kind
        self.asked: list[tuple[Exchange, date, date]] = []

    def sessions(self, exchange: Exchange, start: date, end: date) -> SessionTable:
        self.asked.append((exchange, start, end))
        if start > end:
            return SessionTable.of(())
        changed = [d for d in (*self.special, *self.closed) if start <= d <= end]
        regular = regular_sessions(weekdays(start, end), SESSION_OPEN_SECONDS, SESSION_CLOSE_SECONDS)
        regular = without_days(regular, regular.days[[ist_date(int(o)) in changed for o in regular.opens]])
        specials = SessionTable.of(Session(d, day_start(d) + hm(a), day_start(d) + hm(b), self.kind)
                                   for d in changed if d in self.special for a, b in self.special[d])
        return merge(regular, specials)

    def sessions_on(self, exchange: Exchange, day: date) -> tuple[Session, ...]:
        return tuple(self.sessions(exchange, day, day))

    def in_session(self, exchange: Exchange, ts: int) -> bool:
        return any(s.open_ts <= ts < s.close_ts for s in self.sessions_on(exchange, ist_date(ts)))
