"""What a sync decided besides its job's items, kept with the job so the last sync's result can be shown from it."""

from __future__ import annotations

from dataclasses import dataclass

from domain.instrument import SeriesKey


@dataclass(frozen=True, slots=True)
class Skipped:
    """A series or tracked entry the sync leaves out, and why (`finished`: an expired contract, done for good;
    `failed`: a tracked entry that could not be resolved today, with its error)."""

    what: str
    reason: str
    finished: bool
    tracked_id: str | None = None
    error_type: str | None = None
    key: SeriesKey | None = None


@dataclass(frozen=True, slots=True)
class SyncSummary:
    """`up_to_date`: the series (as `NSE:TCS:day`) the sync found nothing due for, so no item fetches them;
    `skipped`: what it left out. The job's items are the rest."""

    up_to_date: tuple[str, ...] = ()
    skipped: tuple[Skipped, ...] = ()
