"""ResumeJob: run an interrupted or cancelled job again."""

from __future__ import annotations

from collections.abc import Callable

from application.job import Job
from application.job_lookup import update_job
from application.ports import JobRepository


class ResumeJob:
    """Rules: only interrupted or cancelled jobs resume (else Conflict); items already done or failed are not
    fetched again."""

    def __init__(self, jobs: JobRepository, submit: Callable[[str], None]) -> None:
        self._jobs = jobs
        self._submit = submit

    def execute(self, job_id: str) -> Job:
        job = update_job(self._jobs, job_id, Job.resume)
        self._submit(job.id)
        return job
