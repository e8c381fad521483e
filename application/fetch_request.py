"""FetchRequest: one series and date range to bring up to date, and its JSON form as a job keeps it.

Its own module, importing only the domain, so the job model, the ports and the use cases can all name it
without importing each other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.date_range import DateRange
from domain.errors import InvalidInput
from domain.interval import Interval
from domain.market import Exchange, Segment


@dataclass(frozen=True, slots=True)
class FetchRequest:
    segment: Segment
    symbol: str
    date_range: DateRange
    interval: Interval = Interval.DAY
    exchange: Exchange | None = None
    validate: bool = True
    overwrite: bool = False
    incremental: bool = True


def request_to_dict(request: FetchRequest) -> dict[str, Any]:
    """A FetchRequest as JSON-able primitives, to persist with a job item."""
    return {"segment": request.segment.value, "symbol": request.symbol,
            "exchange": request.exchange.value if request.exchange else None,
            "from_date": request.date_range.start.isoformat(), "to_date": request.date_range.end.isoformat(),
            "interval": request.interval.value, "validate": request.validate, "overwrite": request.overwrite,
            "incremental": request.incremental}


def request_from_dict(data: dict[str, Any]) -> FetchRequest:
    """The request a job item stored; a dict that no longer parses (edited by hand, an old format) is
    InvalidInput, so the item fails alone."""
    try:
        return FetchRequest(Segment(data["segment"]), data["symbol"],
                            DateRange(date.fromisoformat(data["from_date"]), date.fromisoformat(data["to_date"])),
                            Interval(data["interval"]), Exchange(data["exchange"]) if data["exchange"] else None,
                            data["validate"], data["overwrite"], data["incremental"])
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidInput(f"the stored request does not parse: {error}") from None
