"""NSE/BSE trading days, sessions and derivative expiry rules.

Real exchange holidays are hard-coded for 2023-2026; other years close on the four fixed national
holidays (Jan 26, Aug 15, Oct 2, Dec 25) when they fall on a weekday. History starts at EPOCH_START.
A *trading day* is a regular weekday session; the special sessions (weekends, Muhurat, DR Saturdays in
special_sessions.py) have candles but are not trading days, so they never move a derivative's expiry.
"""

from __future__ import annotations

import datetime

from .special_sessions import ONE_OFF_CLOSURES, REGULAR_SESSION, SPECIAL_SESSIONS, Block

IST = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
EPOCH_START = datetime.date(2000, 1, 1)
EPOCH_END = datetime.date(2040, 12, 31)
MINUTES_PER_SESSION = 375  # a regular session, and the most any special one has

_D = datetime.date
NSE_HOLIDAYS: dict[int, frozenset[datetime.date]] = {
    2023: frozenset({
        _D(2023, 1, 26), _D(2023, 3, 7), _D(2023, 3, 30), _D(2023, 4, 4), _D(2023, 4, 7),
        _D(2023, 4, 14), _D(2023, 5, 1), _D(2023, 6, 29), _D(2023, 8, 15), _D(2023, 9, 19),
        _D(2023, 10, 2), _D(2023, 10, 24), _D(2023, 11, 14), _D(2023, 11, 27), _D(2023, 12, 25),
    }),
    2024: frozenset({
        _D(2024, 1, 22), _D(2024, 1, 26), _D(2024, 3, 8), _D(2024, 3, 25), _D(2024, 3, 29),
        _D(2024, 4, 11), _D(2024, 4, 17), _D(2024, 5, 1), _D(2024, 5, 20), _D(2024, 6, 17),
        _D(2024, 7, 17), _D(2024, 8, 15), _D(2024, 10, 2), _D(2024, 11, 1), _D(2024, 11, 15),
        _D(2024, 11, 20), _D(2024, 12, 25),
    }),
    2025: frozenset({
        _D(2025, 2, 26), _D(2025, 3, 14), _D(2025, 3, 31), _D(2025, 4, 10), _D(2025, 4, 14),
        _D(2025, 4, 18), _D(2025, 5, 1), _D(2025, 8, 15), _D(2025, 8, 27), _D(2025, 10, 2),
        _D(2025, 10, 21), _D(2025, 10, 22), _D(2025, 11, 5), _D(2025, 12, 25),
    }),
    2026: frozenset({
        _D(2026, 1, 15), _D(2026, 1, 26), _D(2026, 3, 3), _D(2026, 3, 26), _D(2026, 3, 31), _D(2026, 4, 3),
        _D(2026, 4, 14), _D(2026, 5, 1), _D(2026, 5, 28), _D(2026, 6, 26), _D(2026, 9, 14),
        _D(2026, 10, 2), _D(2026, 10, 20), _D(2026, 11, 10), _D(2026, 11, 24), _D(2026, 12, 25),
    }),
}


def is_holiday(day: datetime.date) -> bool:
    if day in ONE_OFF_CLOSURES:
        return True
    listed = NSE_HOLIDAYS.get(day.year)
    if listed is not None:
        return day in listed
    return (day.month, day.day) in {(1, 26), (8, 15), (10, 2), (12, 25)}


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
