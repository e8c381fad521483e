"""An inclusive range of IST calendar dates, the unit users ask for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.clock_time import day_end, day_start
from domain.errors import InvalidInput

# Epoch seconds must stay positive and readable as dates everywhere (Kite's history starts decades later).
EARLIEST = date(1970, 1, 2)
LATEST = date(2200, 1, 1)


@dataclass(frozen=True, slots=True)
class DateRange:
    start: date
    end: date

    def __post_init__(self) -> None:
        for value in (self.start, self.end):
            if not EARLIEST <= value <= LATEST:
                raise InvalidInput(f"{value.isoformat()} is outside {EARLIEST.isoformat()} to {LATEST.isoformat()}")
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
