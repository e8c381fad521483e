"""StartJob: accept a batch to run in the background and answer at once with its id."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Sequence

from application.batch_fetch import BatchItem, ItemFailure
from application.job import Job, JobItem, request_to_dict
from application.ports import Clock, JobRepository
from domain.errors import InvalidInput

Submit = Callable[[str], None]


class StartJob:
    """Rules: the job is saved before it runs, so it survives a restart; items that failed to parse are
    recorded as failed and never run; an empty batch is refused."""

    def __init__(self, jobs: JobRepository, submit: Submit, clock: Clock) -> None:
        self._jobs = jobs
        self._submit = submit
        self._clock = clock

    def execute(self, items: Sequence[BatchItem]) -> Job:
        if not items:
            raise InvalidInput("a job needs at least one request")
        job_items = []
        for item in items:
            if isinstance(item, ItemFailure):
                job_items.append(JobItem({}, item.symbol, "failed", error=item.error.message,
                                         error_type=item.error.error_type))
            else:
                job_items.append(JobItem(request_to_dict(item), item.symbol))
        now = self._clock.now_ts()
        job = Job(secrets.token_hex(8), now, job_items, owner_pid=os.getpid(), updated_at=now)
        self._jobs.save(job)
        self._submit(job.id)
        return job
