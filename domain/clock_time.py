"""Indian market time: every timestamp in kitefetch is epoch seconds; calendars are IST."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

IST_OFFSET_SECONDS = 19_800  # +05:30, no daylight saving
IST = timezone(timedelta(seconds=IST_OFFSET_SECONDS), "IST")
DAY = 86_400
SESSION_OPEN_SECONDS = 9 * 3600 + 15 * 60  # 09:15 IST, from midnight
SESSION_CLOSE_SECONDS = 15 * 3600 + 30 * 60  # 15:30 IST
_EPOCH_DATE = date(1970, 1, 1)


def day_number(d: date) -> int:
    """Days since 1970-01-01: the unit of every day array (sessions, bars, gaps)."""
    return (d - _EPOCH_DATE).days


def day_of(number: int) -> date:
    return _EPOCH_DATE + timedelta(days=int(number))


def day_start(d: date) -> int:
    """Epoch seconds of 00:00 IST on `d`."""
    return day_number(d) * DAY - IST_OFFSET_SECONDS


def day_end(d: date) -> int:
    """Epoch seconds of the last second (23:59:59 IST) of `d`."""
    return day_start(d) + DAY - 1


def ist_date(ts: int) -> date:
    return _EPOCH_DATE + timedelta(days=(int(ts) + IST_OFFSET_SECONDS) // DAY)


def seconds_into_day(ts: int) -> int:
    return (int(ts) + IST_OFFSET_SECONDS) % DAY


def to_datetime(ts: int) -> datetime:
    return datetime.fromtimestamp(int(ts), IST)


def from_datetime(dt: datetime) -> int:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=IST)
    return int(dt.timestamp())
