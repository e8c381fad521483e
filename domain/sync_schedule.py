"""When scheduled syncs are due: IST times of day, on trading days only.

A slot is one (day, time) a sync should run at, in epoch seconds; the latest slot not after now is the one a
scheduler owes, whether it was up at that moment or not (a run missed while down is caught up, once); the first
slot after now is the next run the dashboard announces."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, time, timedelta

from domain.clock_time import day_start, ist_date
from domain.errors import InvalidInput

LOOKBACK_DAYS = 10  # past the longest run of closed days (about five), so the last trading day is always found
LOOKAHEAD_DAYS = LOOKBACK_DAYS  # the same run of closed days, looking forward for the next trading day


def parse_times(text: str) -> tuple[time, ...]:
    """`"16:05, 18:30"` -> the times, sorted; empty text: no schedule. A malformed time is InvalidInput."""
    times = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            hours, minutes = part.split(":")
            times.append(time(int(hours), int(minutes)))
        except ValueError:
            raise InvalidInput(f"{part!r} is not a time of day (HH:MM, IST)") from None
    return tuple(sorted(set(times)))


def latest_slot(now: int, times: Sequence[time], trading_day: Callable[[date], bool]) -> int | None:
    """The last slot at or before `now` on a trading day within LOOKBACK_DAYS; None without times."""
    today = ist_date(now)
    for back in range(LOOKBACK_DAYS + 1):
        day = today - timedelta(days=back)
        due = [day_start(day) + t.hour * 3600 + t.minute * 60 for t in times]
        due = [slot for slot in due if slot <= now]
        if due and trading_day(day):
            return max(due)
    return None


def next_slot(now: int, times: Sequence[time], trading_day: Callable[[date], bool]) -> int | None:
    """The first slot strictly after `now` on a trading day within LOOKAHEAD_DAYS (a slot at `now` is owed, so
    latest_slot's, not next); None without times."""
    today = ist_date(now)
    for ahead in range(LOOKAHEAD_DAYS + 1):
        day = today + timedelta(days=ahead)
        due = [slot for slot in (day_start(day) + t.hour * 3600 + t.minute * 60 for t in times) if slot > now]
        if due and trading_day(day):
            return min(due)
    return None
