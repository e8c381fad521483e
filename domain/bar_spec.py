"""What a caller may ask candles to be resampled to: `75minute`, `2hour`, `day`, `week`, `month`, `quarter`, `year`.

Kite serves eight intervals; traders in India also use bars it has no interval for (75minute and 125minute, which
split the 09:15-15:30 session into five and three, 2hour, week, month). Those are built here from stored candles
(domain/bars.py), and this value object says which stored intervals can build which bars: an N-minute bar from
any intraday interval whose step divides N (15minute from 5minute or minute, never from 10minute), a day from
any intraday one, a week or longer from day candles or any intraday ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from domain.errors import InvalidInput
from domain.interval import Interval

MAX_MINUTES = 1440  # a bar never spans two sessions, so longer ones would only repeat a session's bar
_FORM = re.compile(r"^([1-9][0-9]{0,3})?(minute|hour)$")
ACCEPTED = ("Nminute (N from 1 to 1440, e.g. 75minute), Nhour (N from 1 to 24, e.g. 2hour), day, week, month, "
            "quarter or year")
# The same forms for the OpenAPI document (N bounded as above).
PATTERN = (r"^(([1-9]|[1-9][0-9]|[1-9][0-9][0-9]|1[0-3][0-9][0-9]|14[0-3][0-9]|1440)?minute"
           r"|([1-9]|1[0-9]|2[0-4])?hour|day|week|month|quarter|year)$")


class BarUnit(StrEnum):
    MINUTE = "minute"  # N minutes, on each session's grid
    DAY = "day"
    WEEK = "week"  # Monday to Sunday
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class BarSpec:
    """Bars of `minutes` minutes (unit MINUTE), or one bar per IST calendar period (the other units)."""

    unit: BarUnit
    minutes: int = 0

    def __post_init__(self) -> None:
        if (self.unit is BarUnit.MINUTE) != (1 <= self.minutes <= MAX_MINUTES):
            raise InvalidInput(f"resample must be {ACCEPTED}")

    @classmethod
    def parse(cls, text: str) -> BarSpec:
        """`75minute`, `minute` (one), `2hour`, `hour`, `day`, ...: lower case, as Kite spells its intervals."""
        value = str(text)
        if value in {u.value for u in BarUnit} - {BarUnit.MINUTE.value}:
            return cls(BarUnit(value))
        form = _FORM.match(value)
        if form is None:
            raise InvalidInput(f"Unknown resample {text!r}: use {ACCEPTED}")
        count = int(form.group(1) or 1)
        minutes = count * 60 if form.group(2) == "hour" else count
        if minutes > MAX_MINUTES:
            raise InvalidInput(f"resample {text!r} is longer than a day: use {ACCEPTED}")
        return cls(BarUnit.MINUTE, minutes)

    @property
    def is_intraday(self) -> bool:
        return self.unit is BarUnit.MINUTE

    @property
    def step_seconds(self) -> int:
        """The bar's length; intraday bars only."""
        return self.minutes * 60

    def builds_from(self, interval: Interval) -> bool:
        """Whether candles of `interval` make whole bars of this kind (each candle inside exactly one bar)."""
        if self.is_intraday:
            return interval.is_intraday and self.step_seconds % interval.step_seconds == 0
        return True  # a day or longer from day candles or from any intraday ones

    def sources(self) -> tuple[Interval, ...]:
        """The intervals that can build these bars, coarsest first."""
        return tuple(i for i in reversed(Interval) if self.builds_from(i))

    def same_as(self, interval: Interval) -> bool:
        """Whether these bars are exactly `interval`'s candles (a resample that changes nothing)."""
        if self.is_intraday:
            return interval.is_intraday and interval.step_seconds == self.step_seconds
        return self.unit is BarUnit.DAY and interval is Interval.DAY

    def __str__(self) -> str:
        return f"{self.minutes}minute" if self.is_intraday else self.unit.value
