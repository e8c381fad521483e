"""Validation of GET /instruments/historical/{token}/{interval} the way Kite does it."""

from __future__ import annotations

import datetime

from .candles import CandleQuery
from .errors import input_error
from .universe import Universe

INTERVAL_MINUTES: dict[str, int | None] = {
    "minute": 1, "3minute": 3, "5minute": 5, "10minute": 10,
    "15minute": 15, "30minute": 30, "60minute": 60, "day": None,
}
MAX_SPAN_DAYS = {
    "minute": 60, "3minute": 100, "5minute": 100, "10minute": 100,
    "15minute": 200, "30minute": 200, "60minute": 400, "day": 2000,
}
_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S")


def parse_time(text: str | None, field: str) -> datetime.datetime:
    """Kite's two formats (plus a couple of lenient ones); a bare date means 00:00:00 of that day."""
    for fmt in _FORMATS:
        try:
            return datetime.datetime.strptime((text or "").strip(), fmt)
        except ValueError:
            continue
    raise input_error(f"invalid {field} date")


def _flag(text: str | None) -> bool:
    return (text or "0").strip().lower() in ("1", "true")


def parse_query(
    universe: Universe, token: str, interval: str, params: dict[str, str], now: datetime.datetime
) -> tuple[CandleQuery, bool]:
    """The validated query and whether open interest was asked for; KiteError 400 on bad input."""
    if interval not in INTERVAL_MINUTES:
        raise input_error("invalid interval")
    if not token.isdigit() or int(token) not in universe.by_token:
        raise input_error("invalid token")
    start = parse_time(params.get("from"), "from")
    end = parse_time(params.get("to"), "to")
    if start > end:
        raise input_error("invalid from date: from date is after to date")
    limit = MAX_SPAN_DAYS[interval]
    if (end.date() - start.date()).days + 1 > limit:
        raise input_error(f"interval exceeds max limit: {limit} days")
    continuous = _flag(params.get("continuous"))
    if continuous and interval != "day":
        raise input_error("continuous data is only available for the day interval")
    query = CandleQuery(universe.by_token[int(token)], INTERVAL_MINUTES[interval], start, end, continuous, now)
    return query, _flag(params.get("oi"))
