"""NSE/BSE trading days, sessions and derivative expiry rules.

Holidays come from exchange-calendars' XBOM (the same library kitefetch's calendar is built on; the sandbox
imports it, nothing of kitefetch) for the years it records, 1997 to 2026, one-off closures included; in other
years the four fixed national holidays (Jan 26, Aug 15, Oct 2, Dec 25) close the market when they fall on a
weekday. History starts at EPOCH_START.
A *trading day* is a regular weekday session; the special sessions (weekends, Muhurat, DR Saturdays in
special_sessions.py) have candles but are not trading days, so they never move a derivative's expiry.
"""

from __future__ import annotations

import datetime
from functools import cache

from .special_sessions import ONE_OFF_CLOSURES, REGULAR_SESSION, SPECIAL_SESSIONS, Block

IST = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
EPOCH_START = datetime.date(2000, 1, 1)
EPOCH_END = datetime.date(2040, 12, 31)
MINUTES_PER_SESSION = 375  # a regular session, and the most any special one has
_FIXED_HOLIDAYS = {(1, 26), (8, 15), (10, 2), (12, 25)}


@cache
def library_holidays() -> tuple[datetime.date, datetime.date, frozenset[datetime.date]]:
    """XBOM's first and last recorded day and the weekdays between them it lists as closed."""
    import exchange_calendars  # pulls pandas: once per process, at the first calendar question

    calendar = exchange_calendars.get_calendar("XBOM", start="1997-01-01")
    first, last = calendar.first_session.date(), calendar.last_session.date()
    sessions = {d.date() for d in calendar.sessions}
    days = (first + datetime.timedelta(n) for n in range((last - first).days + 1))
    return first, last, frozenset(d for d in days if d.weekday() < 5 and d not in sessions)


def is_holiday(day: datetime.date) -> bool:
    if day in ONE_OFF_CLOSURES:
        return True
    first, last, closed = library_holidays()
    if first <= day <= last:
        return day in closed
    return (day.month, day.day) in _FIXED_HOLIDAYS


def is_trading_day(day: datetime.date) -> bool:
    """A regular session day: the days expiry rules count."""
    return day.weekday() < 5 and not is_holiday(day)


def session_blocks(day: datetime.date) -> tuple[Block, ...]:
    """The day's trading blocks (minutes after midnight IST); empty when the market is closed."""
    if day in SPECIAL_SESSIONS:
        return SPECIAL_SESSIONS[day]
    return REGULAR_SESSION if is_trading_day(day) else ()


def session_over(now: datetime.datetime) -> bool:
    """Whether `now` is past the day's last close (15:30 on a day without a session)."""
    blocks = session_blocks(now.date()) or REGULAR_SESSION
    return now.hour * 60 + now.minute >= blocks[-1][1]


def previous_trading_day(day: datetime.date) -> datetime.date:
    while not is_trading_day(day):
        day -= datetime.timedelta(1)
    return day


def last_weekday_of_month(year: int, month: int, weekday: int) -> datetime.date:
    nxt = datetime.date(year + month // 12, month % 12 + 1, 1)
    last = nxt - datetime.timedelta(1)
    return last - datetime.timedelta((last.weekday() - weekday) % 7)


def monthly_expiries(start: datetime.date, count: int, weekday: int) -> list[datetime.date]:
    """The next `count` monthly expiries on or after `start` (holidays move to the previous trading day)."""
    out: list[datetime.date] = []
    year, month = start.year, start.month
    while len(out) < count:
        exp = previous_trading_day(last_weekday_of_month(year, month, weekday))
        if exp >= start:
            out.append(exp)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def weekly_expiries(start: datetime.date, count: int, weekday: int) -> list[datetime.date]:
    """The next `count` weekly expiries on or after `start`."""
    out: list[datetime.date] = []
    nominal = start + datetime.timedelta((weekday - start.weekday()) % 7)
    while len(out) < count:
        exp = previous_trading_day(nominal)
        if exp >= start:
            out.append(exp)
        nominal += datetime.timedelta(7)
    return out


def today_ist() -> datetime.date:
    return datetime.datetime.now(IST).date()
