"""StartJob: accept a batch to run in the background and answer at once with its id."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Sequence

from application.fetch_request import FetchRequest, request_to_dict
from application.job import Job, JobItem, JobOrigin
from application.job_lookup import update_job
from application.ports import Clock, JobRepository
from application.sync_summary import SyncSummary
from domain.errors import InvalidInput

Submit = Callable[[str], None]


class StartJob:
    """Rules: the job is saved before it runs, so it survives a restart; an empty batch is refused, but a sync
    (with its summary) that found nothing due is a job completed at once, with no runner. Every item is a parsed
    FetchRequest: the edge refuses a batch with an item that could never run, so a job never holds one."""

    def __init__(self, jobs: JobRepository, submit: Submit, clock: Clock) -> None:
        self._jobs = jobs
        self._submit = submit
        self._clock = clock

    def execute(self, requests: Sequence[FetchRequest], into: str | None = None,
                origin: JobOrigin = JobOrigin.BATCH, summary: SyncSummary | None = None) -> Job:
        """`into`: the id of a job waiting for a login (needs_login), which gets these items instead of a new job
        (and keeps its origin). `summary`: a sync's, kept with the job."""
        if not requests and summary is None:
            raise InvalidInput("a job needs at least one request")
        items = [JobItem(request_to_dict(request), request.symbol) for request in requests]
        now = self._clock.now_ts()

        def settled(job: Job) -> None:
            if not job.items:
                job.complete_empty(now)

        if into is None:
            job = Job(secrets.token_hex(8), now, items, owner_pid=os.getpid(), updated_at=now, origin=origin,
                      summary=summary)
            settled(job)
            self._jobs.save(job)
        else:
            def planned(stored: Job) -> None:
                stored.plan(items, summary)
                stored.owner_pid, stored.updated_at = os.getpid(), now
                settled(stored)

            job = update_job(self._jobs, into, planned)
        if job.active:
            self._submit(job.id)
        return job
