"""ShowSyncStatus: the last sync, one waiting for a login, and when the schedule runs next (for the dashboard)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time

from application.job import Job, JobOrigin, JobStatus
from application.ports import Clock, JobRepository, TradingCalendar
from domain.market import Exchange
from domain.sync_schedule import next_slot

SYNC_ORIGINS = frozenset({JobOrigin.SYNC, JobOrigin.SCHEDULED})


@dataclass(frozen=True, slots=True)
class SyncTotals:
    """What a sync job did so far: an item per series with something due, and those it found up to date."""

    series: int  # due and up to date
    updated: int  # series that gained candles
    candles: int
    requests: int
    failed: int
    up_to_date: int = 0

    @classmethod
    def of(cls, job: Job) -> SyncTotals:
        current = len(job.summary.up_to_date) if job.summary is not None else 0
        return cls(len(job.items) + current, sum(i.records > 0 for i in job.items), sum(i.records for i in job.items),
                   sum(i.requests_done for i in job.items), job.counts["failed"], current)


@dataclass(frozen=True, slots=True)
class SyncStatus:
    last: Job | None  # the newest job a sync or the schedule started
    totals: SyncTotals | None  # the last one's
    waiting: Job | None  # the newest scheduled sync in state needs_login
    times: tuple[time, ...]  # KITEFETCH_SYNC_AT; () when nothing is scheduled
    next_at: int | None  # epoch seconds of the next scheduled run


class ShowSyncStatus:
    """Rules: the last sync is the newest job whose origin is `sync` or `scheduled` (a batch is no sync), whatever
    its state; a job waiting for a login is a scheduled one in state `needs_login`. The next run is the first
    configured IST time after now on a day NSE trades (the days ScheduledSync runs on); none without times.
    Answered from the job files and the calendar: Kite is not asked."""

    def __init__(self, jobs: JobRepository, calendar: TradingCalendar, clock: Clock, times: Sequence[time]) -> None:
        self._jobs = jobs
        self._calendar = calendar
        self._clock = clock
        self._times = tuple(times)

    def execute(self) -> SyncStatus:
        last = self._jobs.newest(SYNC_ORIGINS)
        waiting = next((j for j in self._jobs.with_status({JobStatus.NEEDS_LOGIN}) if j.origin in SYNC_ORIGINS),
                       None)
        upcoming = next_slot(self._clock.now_ts(), self._times,
                             lambda day: bool(self._calendar.sessions_on(Exchange.NSE, day)))
        return SyncStatus(last, SyncTotals.of(last) if last else None, waiting, self._times, upcoming)
