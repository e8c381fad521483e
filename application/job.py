"""A background batch: its items, their progress, and the job's life cycle."""

from __future__ import annotations

from dataclasses import asdict, dataclass

QUEUED, RUNNING, COMPLETED, CANCELLED, INTERRUPTED = "queued", "running", "completed", "cancelled", "interrupted"
FINISHED = frozenset({COMPLETED, CANCELLED})
RESUMABLE = frozenset({INTERRUPTED, CANCELLED})


@dataclass
class JobItem:
    """One batch request as submitted (raw fields, so a resumed job re-parses exactly what was asked)."""

    request: dict
    symbol: str
    status: str = QUEUED  # queued | running | done | failed
    requests_done: int = 0
    requests_total: int = 0
    records: int = 0
    rejected: int = 0
    elapsed_seconds: float = 0.0
    error: str | None = None
    error_type: str | None = None


@dataclass
class Job:
    id: str
    created_at: int
    items: list[JobItem]
    status: str = QUEUED
    owner_pid: int = 0
    updated_at: int = 0
    finished_at: int | None = None
    cancel_requested: bool = False
    runs: int = 0

    @property
    def counts(self) -> dict[str, int]:
        states = [i.status for i in self.items]
        return {"total": len(states), "done": states.count("done"), "failed": states.count("failed"),
                "pending": sum(s in (QUEUED, RUNNING) for s in states)}

    @property
    def progress(self) -> float:
        """Share of items finished, in percent (an item counts by its requests done while it runs)."""
        if not self.items:
            return 100.0
        parts = []
        for item in self.items:
            if item.status in ("done", "failed"):
                parts.append(1.0)
            elif item.requests_total:
                parts.append(item.requests_done / item.requests_total)
            else:
                parts.append(0.0)
        return round(100.0 * sum(parts) / len(parts), 1)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Job:
        items = [JobItem(**item) for item in data.pop("items")]
        return cls(items=items, **data)


def request_to_dict(request) -> dict:
    """A FetchRequest as JSON-able primitives, to persist with the job."""
    return {"segment": request.segment.value, "symbol": request.symbol,
            "exchange": request.exchange.value if request.exchange else None,
            "from_date": request.date_range.start.isoformat(), "to_date": request.date_range.end.isoformat(),
            "interval": request.interval.value, "validate": request.validate, "overwrite": request.overwrite,
            "incremental": request.incremental}


def request_from_dict(data: dict):
    from datetime import date

    from application.fetch_history import FetchRequest
    from domain.date_range import DateRange
    from domain.interval import Interval
    from domain.market import Exchange, Segment

    return FetchRequest(Segment(data["segment"]), data["symbol"],
                        DateRange(date.fromisoformat(data["from_date"]), date.fromisoformat(data["to_date"])),
                        Interval(data["interval"]), Exchange(data["exchange"]) if data["exchange"] else None,
                        data["validate"], data["overwrite"], data["incremental"])
