"""An inclusive range of IST calendar dates, the unit users ask for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.clock_time import day_end, day_start
from domain.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class DateRange:
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise InvalidInput(
                f"from_date {self.start.isoformat()} is after to_date {self.end.isoformat()}"
            )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_ts(self) -> int:
        return day_start(self.start)

    @property
    def end_ts(self) -> int:
        return day_end(self.end)

    def __str__(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"
