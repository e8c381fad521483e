"""Kite candle intervals and the span Kite allows per historical request."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from domain.clock_time import DAY, SESSION_CLOSE_SECONDS, SESSION_OPEN_SECONDS, day_start, ist_date
from domain.errors import InvalidInput
from domain.sessions import Session

_SPANS = {
    "minute": (60, 60),
    "3minute": (180, 100),
    "5minute": (300, 100),
    "10minute": (600, 100),
    "15minute": (900, 200),
    "30minute": (1800, 200),
    "60minute": (3600, 400),
    "day": (DAY, 2000),
}


class Interval(StrEnum):
    MINUTE = "minute"
    MINUTE_3 = "3minute"
    MINUTE_5 = "5minute"
    MINUTE_10 = "10minute"
    MINUTE_15 = "15minute"
    MINUTE_30 = "30minute"
    MINUTE_60 = "60minute"
    DAY = "day"

    @classmethod
    def parse(cls, text: str) -> Interval:
        try:
            return cls(str(text))
        except ValueError:
            names = ", ".join(i.value for i in cls)
            raise InvalidInput(f"Unknown interval {text!r}: use one of {names}") from None

    @property
    def step_seconds(self) -> int:
        return _SPANS[self.value][0]

    @property
    def max_span_days(self) -> int:
        """Most calendar days (counted inclusively) Kite serves in one request."""
        return _SPANS[self.value][1]

    @property
    def is_intraday(self) -> bool:
        return self is not Interval.DAY

    def complete_until(self, now_ts: int, today: Sequence[Session] = ()) -> int:
        """Last second whose candles are final at `now_ts`: a candle still forming must not be stored.

        `today` is the day's sessions in order (an evening Muhurat hour, two blocks of a DR Saturday); a day
        without any is taken to trade the regular hours, so a session the calendar lacks is not cut short. A day
        candle is final once the day's last session closed; an intraday one once the next started or its block
        closed.
        """
        midnight = day_start(ist_date(now_ts))
        blocks = [(s.open_ts, s.close_ts) for s in today] or [
            (midnight + SESSION_OPEN_SECONDS, midnight + SESSION_CLOSE_SECONDS)]
        if not self.is_intraday:
            return midnight + DAY - 1 if now_ts >= blocks[-1][1] else midnight - 1
        finished = midnight - 1
        for open_ts, close_ts in blocks:
            if now_ts < open_ts:
                return finished
            if now_ts < close_ts:
                return open_ts + (now_ts - open_ts) // self.step_seconds * self.step_seconds - 1
            finished = close_ts - 1
        return midnight + DAY - 1
