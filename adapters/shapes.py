"""What is stored, as plain JSON-ready dicts: the shapes both edges that show stored data give out.

The REST bodies (inbound/presenters.py adds `success`) and the Python package (`kitefetch.Store.gaps`,
`.adjustments`, which return them as they are) build them here, so the two answers stay equal by construction
and the Python package never imports the web edge. Imports nothing but domain at run time.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from domain.clock_time import to_datetime

if TYPE_CHECKING:
    from application.find_gaps import SeriesGaps
    from application.ports import StoredInstrument
    from domain.adjustments import Adjustment


def when(ts: int | None) -> str | None:
    """Epoch seconds in IST with its offset (2026-11-30T16:05:00+05:30), or None."""
    return to_datetime(ts).isoformat() if ts is not None else None


def day_counts_body(days: tuple[tuple[date, int], ...]) -> list[dict]:
    """Candles per IST day: `[{"date": "2025-02-01", "candles": 375}]`."""
    return [{"date": day.isoformat(), "candles": count} for day, count in days]


def event_body(event: Adjustment) -> dict:
    """One change Kite made to the past; `detected_at` in IST with its offset; `pending` the series still stale."""
    return {"kind": event.kind.value, "ex_date": event.ex_date.isoformat() if event.ex_date else None,
            "factor": event.factor, "detected_at": when(event.detected_at), "series": list(event.series),
            "candles_replaced": event.candles_replaced, "requests": event.requests, "status": event.status.value,
            "pending": list(event.pending)}


def adjustments_shape(stored: StoredInstrument) -> dict:
    """An instrument's ledger of changes to its stored history, oldest first."""
    return {"exchange": stored.exchange.value, "symbol": stored.symbol,
            "events": [event_body(e) for e in stored.events]}


def gaps_shape(found: SeriesGaps) -> dict:
    """What a series lacks; dates are IST days, ranges inclusive."""
    key, gaps = found.key, found.gaps
    return {"exchange": key.exchange.value, "symbol": key.symbol, "interval": key.interval.value,
            "from_date": gaps.start.isoformat(), "to_date": gaps.end.isoformat(),
            "sessions_expected": gaps.sessions_expected, "sessions_with_candles": gaps.sessions_with_candles,
            "never_fetched": [[a.isoformat(), b.isoformat()] for a, b in gaps.never_fetched],
            "fetched_empty": [day.isoformat() for day in gaps.fetched_empty],
            "partial": [{"date": p.day.isoformat(), "candles": p.candles, "expected": p.expected}
                        for p in gaps.partial],
            "out_of_session": day_counts_body(gaps.held_back), "estimated": gaps.estimated}
