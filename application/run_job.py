"""RunJob: work through a job's unfinished items, keeping its progress where everyone can read it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import structlog

from application.fetch_history import FetchHistory
from application.fetch_request import request_from_dict
from application.job import ItemStatus, Job, JobItem, JobKind, JobStatus
from application.ports import Clock, JobRepository
from application.verify_history import VerifyHistory
from domain.errors import AuthRequired, Conflict, DomainError, InvalidInput
from domain.market import Exchange

log = structlog.get_logger(__name__)
SAVE_EVERY_SECONDS = 0.25


class _Cancelled(Exception):
    pass


class RunJob:
    """Rules: items already done are skipped (a resumed job fetches only what is missing, and FetchHistory is
    incremental besides); a failing item does not stop the others; a rejected token stops the job as
    interrupted, to resume after logging in; cancelling stops between two requests and keeps what was stored;
    a job that is not queued (finished, or another runner has it) is left alone. A verify item verifies one
    instrument (VerifyHistory); its `records` are the candles its heal replaced."""

    def __init__(self, jobs: JobRepository, fetch_history: FetchHistory, clock: Clock,
                 verify_history: VerifyHistory | None = None) -> None:
        self._jobs = jobs
        self._fetch_history = fetch_history
        self._verify_history = verify_history
        self._clock = clock

    def execute(self, job_id: str, should_stop: Callable[[], bool] = lambda: False) -> Job:
        try:
            return self._execute(job_id, should_stop)
        except Exception:
            # A bug of ours (or an OS fault with no domain meaning) must not leave the job "running" under a live
            # process that no longer runs it: it is interrupted, so cancel, resume and the sweep work; re-raised so
            # the executor logs it with its traceback.
            self._jobs.update(job_id, self._interrupt_if_active)
            raise

    def _interrupt_if_active(self, stored: Job | None) -> Job:
        if stored is None:
            raise DomainError("job vanished")
        if stored.active:
            stored.interrupt(self._clock.now_ts())
        return stored

    def _execute(self, job_id: str, should_stop: Callable[[], bool]) -> Job:
        refused: list[Conflict] = []

        def start(stored: Job | None) -> Job:
            if stored is None:
                raise DomainError(f"job {job_id} vanished")
            try:
                stored.start(os.getpid())
            except Conflict as error:
                refused.append(error)
            return stored

        job = self._jobs.update(job_id, start)
        if refused:
            log.warning("job_not_started", job_id=job_id, reason=refused[0].message)
            return job
        last_save = [time.monotonic()]
        for index, item in enumerate(job.items):
            if item.status is not ItemStatus.QUEUED:
                continue
            if self._stopping(job, should_stop):
                return self._finish(job, lambda j: j.cancel(self._clock.now_ts()))
            if item.kind is JobKind.VERIFY:
                try:
                    self._verify(job, index, item)
                except AuthRequired as error:
                    def stopped(j: Job, reason: DomainError = error) -> None:
                        j.interrupt(self._clock.now_ts(), reason)

                    return self._finish(job, stopped)
                self._save(job)
                continue
            try:
                request = request_from_dict(item.request)
            except DomainError as error:
                job.fail_item(index, error)
                self._save(job)
                continue
            job.start_item(index)
            # An incremental run adds to what an earlier, cancelled or interrupted run stored; an overwriting or
            # non-incremental one fetches the whole range again, so it counts from zero.
            before = item.records if request.incremental and not request.overwrite else 0

            def on_chunk(done: int, total: int, records: int, index: int = index, before: int = before) -> None:
                job.item_progressed(index, done, total, before + records)
                if time.monotonic() - last_save[0] >= SAVE_EVERY_SECONDS:
                    last_save[0] = time.monotonic()
                    self._save(job)
                if self._stopping(job, should_stop):
                    raise _Cancelled

            try:
                result = self._fetch_history.execute(request, on_chunk=on_chunk)
            except _Cancelled:
                return self._finish(job, lambda j: j.cancel(self._clock.now_ts()))
            except AuthRequired as error:
                def interrupted(j: Job, reason: DomainError = error) -> None:
                    j.interrupt(self._clock.now_ts(), reason)

                return self._finish(job, interrupted)
            except DomainError as error:
                job.fail_item(index, error)
            else:
                job.finish_item(index, before + result.records, result.rejected, result.requests,
                                result.elapsed_seconds)
            self._save(job)
        return self._finish(job, lambda j: j.finish(self._clock.now_ts()))

    def _verify(self, job: Job, index: int, item: JobItem) -> None:
        """One instrument verified; a failure other than the token's fails the item alone."""
        try:
            if self._verify_history is None:
                raise InvalidInput("this runner cannot verify")
            exchange, symbol = Exchange.parse(str(item.request.get("exchange"))), str(item.request.get("symbol"))
            job.start_item(index)
            result = self._verify_history.execute(exchange, symbol)
        except AuthRequired:
            raise
        except DomainError as error:
            job.fail_item(index, error)
            return
        job.finish_item(index, result.candles_replaced, 0, result.requests, result.elapsed_seconds)

    def _stopping(self, job: Job, should_stop: Callable[[], bool]) -> bool:
        if should_stop():
            return True
        stored = self._jobs.load(job.id)  # a cancel from another process lands in the job file
        return bool(stored and stored.status is JobStatus.CANCELLING)

    def _save(self, job: Job, then: Callable[[Job], None] | None = None) -> None:
        """Write this runner's copy, taking in a cancel another process wrote since, then apply `then`."""
        job.updated_at = self._clock.now_ts()

        def ours_plus_their_cancel(stored: Job | None) -> Job:
            if stored and stored.status is JobStatus.CANCELLING and job.status is JobStatus.RUNNING:
                job.request_cancel()
            if then is not None:
                then(job)
            return job

        self._jobs.update(job.id, ours_plus_their_cancel)

    def _finish(self, job: Job, stop: Callable[[Job], None]) -> Job:
        self._save(job, stop)
        log.info("job_finished", job_id=job.id, status=job.status.value, outcome=job.outcome.value, **job.counts)
        return job
