"""GetJob: one job's state, or the most recent jobs."""

from __future__ import annotations

from application.job import Job
from application.job_lookup import load_job
from application.ports import JobRepository


class GetJob:
    """Rules: an unknown or malformed id is NotFound."""

    def __init__(self, jobs: JobRepository) -> None:
        self._jobs = jobs

    def execute(self, job_id: str) -> Job:
        return load_job(self._jobs, job_id)

    def recent(self, limit: int = 50) -> list[Job]:
        """The `limit` jobs changed last, newest first (a year of jobs is not read to show a few)."""
        return self._jobs.recent(limit)
