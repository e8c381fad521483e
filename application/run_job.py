"""RunJob: work through a job's unfinished items, keeping its progress where everyone can read it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import structlog

from application.fetch_history import FetchHistory
from application.job import CANCELLED, COMPLETED, INTERRUPTED, RUNNING, Job, JobItem, request_from_dict
from application.ports import Clock, JobRepository
from domain.errors import AuthRequired, DomainError

log = structlog.get_logger(__name__)
SAVE_EVERY_SECONDS = 0.25


class _Cancelled(Exception):
    pass


class RunJob:
    """Rules: items already done are skipped (a resumed job fetches only what is missing, and FetchHistory is
    incremental besides); a failing item does not stop the others; a rejected token stops the job as
    interrupted, to resume after logging in; cancelling stops between two requests and keeps what was stored."""

    def __init__(self, jobs: JobRepository, fetch_history: FetchHistory, clock: Clock) -> None:
        self._jobs = jobs
        self._fetch_history = fetch_history
        self._clock = clock

    def execute(self, job_id: str, should_stop: Callable[[], bool] = lambda: False) -> Job:
        job = self._jobs.load(job_id)
        if job is None:
            raise DomainError(f"job {job_id} vanished")
        job.status, job.owner_pid, job.runs = RUNNING, os.getpid(), job.runs + 1
        self._save(job)
        last_save = [time.monotonic()]
        for item in job.items:
            if item.status in ("done", "failed"):
                continue
            if self._stopping(job, should_stop):
                return self._finish(job, CANCELLED)
            try:
                request = request_from_dict(item.request)
            except DomainError as error:
                item.status, item.error, item.error_type = "failed", error.message, error.error_type
                self._save(job)
                continue
            item.status = RUNNING
            # An incremental run adds to what an earlier, cancelled or interrupted run stored; an overwriting or
            # non-incremental one fetches the whole range again, so it counts from zero.
            before = item.records if request.incremental and not request.overwrite else 0

            def on_chunk(done: int, total: int, records: int, item: JobItem = item, before: int = before) -> None:
                item.requests_done, item.requests_total, item.records = done, total, before + records
                if time.monotonic() - last_save[0] >= SAVE_EVERY_SECONDS:
                    last_save[0] = time.monotonic()
                    self._save(job)
                if self._stopping(job, should_stop):
                    raise _Cancelled

            try:
                result = self._fetch_history.execute(request, on_chunk=on_chunk)
            except _Cancelled:
                item.status = "queued"
                return self._finish(job, CANCELLED)
            except AuthRequired as error:
                item.status, item.error, item.error_type = "queued", error.message, error.error_type
                return self._finish(job, INTERRUPTED)
            except DomainError as error:
                item.status, item.error, item.error_type = "failed", error.message, error.error_type
            else:
                item.status, item.records, item.rejected = "done", before + result.records, result.rejected
                item.requests_done = item.requests_total = max(item.requests_total, result.requests)
                item.elapsed_seconds, item.error, item.error_type = result.elapsed_seconds, None, None
            self._save(job)
        return self._finish(job, COMPLETED)

    def _stopping(self, job: Job, should_stop: Callable[[], bool]) -> bool:
        if should_stop():
            return True
        stored = self._jobs.load(job.id)  # a cancel from another process lands in the job file
        return bool(stored and stored.cancel_requested)

    def _save(self, job: Job) -> None:
        job.updated_at = self._clock.now_ts()

        def ours_plus_their_cancel(stored: Job | None) -> Job:
            # This runner owns the job's progress; a cancel may have been written by another process since.
            job.cancel_requested = job.cancel_requested or bool(stored and stored.cancel_requested)
            return job

        self._jobs.update(job.id, ours_plus_their_cancel)

    def _finish(self, job: Job, status: str) -> Job:
        job.status = status
        job.finished_at = self._clock.now_ts()
        self._save(job)
        log.info("job_finished", job_id=job.id, status=status, **job.counts)
        return job
