"""ScheduledSync: the sync a schedule owes now, run once across processes, or left waiting for a login."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import time

import structlog

from application.job import Job, JobOrigin, JobStatus
from application.job_lookup import update_job
from application.ports import Clock, JobRepository, SlotClaims, TradingCalendar
from application.sync_series import SyncSeries
from domain.clock_time import to_datetime
from domain.errors import AuthRequired, Conflict, DomainError
from domain.market import Exchange
from domain.sync_schedule import latest_slot

log = structlog.get_logger(__name__)


class ScheduledSync:
    """Rules, checked on every tick (a scheduler calls it at each configured time and every minute besides):
    - the slot owed is the latest configured IST time, on a day NSE trades, that is not in the future; a slot
      missed while no process was up is run late, once (older missed slots are not: one sync catches all up);
    - a slot runs in whichever process claims it first (SlotClaims: atomic across processes), never twice;
    - a run without a valid token is a job in state `needs_login`, with no items yet; a tick that finds a valid
      token plans each such job (SyncSeries into it), so it starts within a tick of a login;
    - "nothing to sync" and a failing plan are logged, not raised: a scheduler thread has no one to answer."""

    def __init__(self, sync: Callable[[], SyncSeries], jobs: JobRepository, claims: SlotClaims,
                 logged_in: Callable[[], bool], calendar: TradingCalendar, clock: Clock,
                 times: Sequence[time]) -> None:
        self._sync = sync
        self._jobs = jobs
        self._claims = claims
        self._logged_in = logged_in
        self._calendar = calendar
        self._clock = clock
        self._times = tuple(times)

    def tick(self) -> list[str]:
        """The ids of the jobs this tick started or left waiting for a login."""
        touched: list[str] = []
        waiting = self._jobs.with_status({JobStatus.NEEDS_LOGIN})  # every minute: not every job read whole
        slot = latest_slot(self._clock.now_ts(), self._times,
                           lambda day: bool(self._calendar.sessions_on(Exchange.NSE, day)))
        due = slot is not None and self._claims.claim(slot)
        if not due and not waiting:
            return touched
        logged_in = self._logged_in()
        if due and not logged_in:
            job = Job.awaiting_login(secrets.token_hex(8), self._clock.now_ts())
            self._jobs.save(job)
            log.warning("scheduled_sync_needs_login", job_id=job.id, slot=to_datetime(slot or 0).isoformat())
            return [job.id]
        if due:
            touched += self._start(None, slot)
        if logged_in:
            for job in waiting:
                touched += self._start(job.id, slot)
        return touched

    def _start(self, into: str | None, slot: int | None) -> list[str]:
        try:
            started = self._sync().execute(into=into, origin=JobOrigin.SCHEDULED)
        except AuthRequired:
            log.warning("scheduled_sync_needs_login_again", job_id=into)
            return []
        except Conflict as error:  # another process planned this waiting job first
            log.info("scheduled_sync_taken", job_id=into, error=error.message)
            return []
        except DomainError as error:  # nothing to sync, a damaged store: this run ends here
            log.warning("scheduled_sync_not_started", job_id=into, error=error.message, error_type=error.error_type)
            if into is not None:
                update_job(self._jobs, into, Job.request_cancel)
            return []
        log.info("scheduled_sync_started", job_id=started.job.id, slot=to_datetime(slot).isoformat() if slot else None)
        return [started.job.id]
