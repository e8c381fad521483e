"""CancelJob: ask a job to stop."""

from __future__ import annotations

from collections.abc import Callable

from application.job import Job
from application.job_lookup import update_job
from application.ports import JobRepository


class CancelJob:
    """Rules: cancelling a finished job is refused (Conflict); a queued or running job is `cancelling` until its
    runner stops between two requests (then `cancelled`); an interrupted job, which nothing runs, is cancelled at
    once; cancelling twice is the same as once."""

    def __init__(self, jobs: JobRepository, signal: Callable[[str], None]) -> None:
        self._jobs = jobs
        self._signal = signal

    def execute(self, job_id: str) -> Job:
        job = update_job(self._jobs, job_id, Job.request_cancel)
        self._signal(job_id)
        return job
