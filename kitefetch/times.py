"""`start` and `end` as a notebook writes them: dates, datetimes or ISO text, inclusive, IST unless stated."""

from __future__ import annotations

from datetime import date, datetime

from domain.clock_time import IST, day_end, day_start, from_datetime

When = date | datetime | str | None


def bounds(start: When, end: When) -> tuple[int | None, int | None]:
    """Inclusive epoch seconds: a date starts at 00:00 IST and ends at 23:59:59 IST; a naive datetime is IST."""
    lo, hi = _seconds(start, "start", first=True), _seconds(end, "end", first=False)
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"start {start} is after end {end}")
    return lo, hi


def _seconds(value: When, name: str, first: bool) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = _parse(value, name)
    if isinstance(value, datetime):  # before date: a datetime is a date too
        return from_datetime(value if value.tzinfo is not None else value.replace(tzinfo=IST))
    if isinstance(value, date):
        return day_start(value) if first else day_end(value)
    raise TypeError(f"{name} must be a date, a datetime or ISO text, not {type(value).__name__}")


def _parse(text: str, name: str) -> date | datetime:
    text = text.strip()
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name} {text!r} is not an ISO date or time (2024-01-31, 2024-01-31 09:15, "
                         "2024-01-31T09:15:00+05:30)") from None
