"""RunJob: work through a job's unfinished items, keeping its progress where everyone can read it."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import structlog

from application.context_pool import submit_in_context
from application.fetch_history import FetchHistory
from application.fetch_request import request_from_dict
from application.job import ItemStatus, Job, JobKind, JobStatus
from application.ports import Clock, JobRepository
from application.verify_history import VerifyHistory
from domain.errors import AuthRequired, Conflict, DomainError, InvalidInput
from domain.market import Exchange

log = structlog.get_logger(__name__)
SAVE_EVERY_SECONDS = 0.25
SAVE_SHARE = 0.05  # of the run's time, at most, spent writing progress: a 50,000-item job file takes 0.15 s


class _Pace:
    """When a run next writes its progress (every SAVE_EVERY_SECONDS, less often when a save takes long) and next
    asks the job file whether another process cancelled it (every SAVE_EVERY_SECONDS)."""

    def __init__(self) -> None:
        self.save_at = self.look_at = time.monotonic() + SAVE_EVERY_SECONDS

    def saved(self, started: float) -> None:
        now = time.monotonic()
        self.save_at = now + max(SAVE_EVERY_SECONDS, (now - started) / SAVE_SHARE)
        self.look_at = now + SAVE_EVERY_SECONDS  # a save takes in their cancel

    def looked(self) -> None:
        self.look_at = time.monotonic() + SAVE_EVERY_SECONDS


class _Cancelled(Exception):
    pass


Outcome = tuple[int, int, int, float]  # an item's records, rejected, requests, elapsed seconds


@dataclass(frozen=True, slots=True)
class _Work:
    """An item's work: `run(on_chunk)`; `incremental` when its records add to what an earlier run counted."""

    run: Callable[[Callable[[int, int, int], None]], Outcome]
    incremental: bool


class RunJob:
    """Rules: items already done are skipped (a resumed job fetches only what is missing, and FetchHistory is
    incremental besides); a failing item does not stop the others; a rejected token stops the job as
    interrupted, to resume after logging in; cancelling stops between two requests and keeps what was stored;
    a job that is not queued (finished, or another runner has it) is left alone. Items run `workers` at a time,
    each in the caller's context (its Kite session token), so many short series keep the rate limit busy: a sync
    of series a day behind is one request each; one at a time they would wait on each other's round trips. A
    verify item verifies one instrument (VerifyHistory); its `records` are the candles its heal replaced.

    The job file is neither read nor written per item (a 50,000-item job is 19 MB of JSON): progress is saved
    every SAVE_EVERY_SECONDS (less often when saving takes more than SAVE_SHARE of the time) and when the run
    stops; whether another process cancelled is asked of the job's status alone, every SAVE_EVERY_SECONDS, and
    once more as the run ends. A cancel in this process (`should_stop`) is seen at the next request. A killed run
    loses the progress since its last save: a resume runs those items again, and their stored candles are not
    asked for again."""

    def __init__(self, jobs: JobRepository, fetch_history: FetchHistory, clock: Clock, workers: int = 1,
                 verify_history: VerifyHistory | None = None) -> None:
        self._jobs = jobs
        self._fetch_history = fetch_history
        self._verify_history = verify_history
        self._clock = clock
        self._workers = max(1, workers)

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
        lock = threading.Lock()  # items run `workers` at a time: one job copy, changed and saved under this
        halt: list[Callable[[Job], None]] = []  # how the job stops early (a cancel, a rejected token): the first
        pace = _Pace()

        def cancel(j: Job) -> None:
            j.cancel(self._clock.now_ts())

        def stop_here() -> bool:
            """Under `lock`, between two requests: save progress or look for a cancel when due; True to stop."""
            if halt:
                return True
            if time.monotonic() >= pace.save_at:
                started = time.monotonic()
                self._save(job)  # takes in a cancel another process wrote
                pace.saved(started)
            elif time.monotonic() >= pace.look_at:
                pace.looked()
                if self._jobs.status_of(job.id) is JobStatus.CANCELLING and job.status is JobStatus.RUNNING:
                    job.request_cancel()
            if should_stop() or job.status is JobStatus.CANCELLING:
                halt.append(cancel)
            return bool(halt)

        def run(index: int) -> None:
            with lock:
                if stop_here():
                    return
                try:
                    work = self._work(job, index)
                except DomainError as error:
                    job.fail_item(index, error)
                    return
                item = job.start_item(index)
                # An incremental run adds to what an earlier, cancelled or interrupted run stored; an overwriting
                # or non-incremental one fetches the whole range again, so it counts from zero.
                before = item.records if work.incremental else 0

            def on_chunk(done: int, total: int, records: int) -> None:
                with lock:
                    job.item_progressed(index, done, total, before + records)
                    if stop_here():
                        raise _Cancelled

            try:
                records, rejected, requests, elapsed = work.run(on_chunk)
            except _Cancelled:
                return
            except AuthRequired as error:
                def interrupted(j: Job, reason: DomainError = error) -> None:
                    j.interrupt(self._clock.now_ts(), reason)

                with lock:
                    if not halt:
                        halt.append(interrupted)
                return
            except DomainError as error:
                with lock:
                    job.fail_item(index, error)
                return
            except Exception:  # a bug, in this item: the others stop at their next request, then it is raised
                with lock:
                    halt.append(cancel)
                raise
            with lock:
                job.finish_item(index, before + records, rejected, requests, elapsed)

        queued = [i for i, item in enumerate(job.items) if item.status is ItemStatus.QUEUED]
        if self._workers == 1 or len(queued) < 2:
            for index in queued:
                run(index)
                if halt:
                    break
        else:
            with ThreadPoolExecutor(max_workers=min(self._workers, len(queued)), thread_name_prefix="item") as pool:
                for future in [submit_in_context(pool, run, index) for index in queued]:
                    future.result()
        return self._finish(job, halt[0] if halt else lambda j: j.finish(self._clock.now_ts()))

    def _work(self, job: Job, index: int) -> _Work:
        """What the item asks, parsed; InvalidInput when its stored request no longer parses."""
        item = job.items[index]
        if item.kind is JobKind.VERIFY:
            verify = self._verify_history
            if verify is None:
                raise InvalidInput("this runner cannot verify")
            exchange, symbol = Exchange.parse(str(item.request.get("exchange"))), str(item.request.get("symbol"))

            def verify_one(_: Callable[[int, int, int], None]) -> Outcome:
                result = verify.execute(exchange, symbol)
                return result.candles_replaced, 0, result.requests, result.elapsed_seconds

            return _Work(verify_one, False)
        request = request_from_dict(item.request)

        def fetch(on_chunk: Callable[[int, int, int], None]) -> Outcome:
            result = self._fetch_history.execute(request, on_chunk=on_chunk)
            return result.records, result.rejected, result.requests, result.elapsed_seconds

        return _Work(fetch, request.incremental and not request.overwrite)

    def _save(self, job: Job, then: Callable[[Job], None] | None = None) -> None:
        """Write this runner's copy, taking in a cancel another process wrote since, then apply `then`."""
        job.updated_at = self._clock.now_ts()

        def ours_plus_their_cancel(stored: JobStatus | None) -> None:
            if stored is JobStatus.CANCELLING and job.status is JobStatus.RUNNING:
                job.request_cancel()
            if then is not None:
                then(job)

        self._jobs.save_progress(job, ours_plus_their_cancel)

    def _finish(self, job: Job, stop: Callable[[Job], None]) -> Job:
        self._save(job, stop)
        log.info("job_finished", job_id=job.id, status=job.status.value, outcome=job.outcome.value, **job.counts)
        return job
