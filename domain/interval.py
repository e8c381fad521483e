"""Kite candle intervals and the span Kite allows per historical request."""

from __future__ import annotations

from enum import StrEnum

from domain.clock_time import DAY, SESSION_CLOSE_SECONDS, SESSION_OPEN_SECONDS, day_start, ist_date, seconds_into_day
from domain.errors import InvalidInput

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

    def complete_until(self, now_ts: int) -> int:
        """Last second whose candles are final at `now_ts`: a candle still forming must not be stored."""
        today = ist_date(now_ts)
        into_day = seconds_into_day(now_ts)
        if not self.is_intraday:
            if into_day >= SESSION_CLOSE_SECONDS:
                return day_start(today) + DAY - 1
            return day_start(today) - 1
        if into_day < SESSION_OPEN_SECONDS:
            return day_start(today) - 1
        if into_day >= SESSION_CLOSE_SECONDS:
            return day_start(today) + DAY - 1
        into_session = into_day - SESSION_OPEN_SECONDS
        forming_start = day_start(today) + SESSION_OPEN_SECONDS + into_session // self.step_seconds * self.step_seconds
        return forming_start - 1
