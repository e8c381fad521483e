"""GetJob: one job's state, or the most recent jobs."""

from __future__ import annotations

from collections.abc import Hashable

from application.job import Job
from application.job_lookup import check_job_id, load_job
from application.ports import JobRepository


class GetJob:
    """Rules: an unknown or malformed id is NotFound."""

    def __init__(self, jobs: JobRepository) -> None:
        self._jobs = jobs

    def execute(self, job_id: str) -> Job:
        return load_job(self._jobs, job_id)

    def if_changed(self, job_id: str, seen: Hashable | None) -> tuple[Job | None, Hashable | None]:
        """The job and its revision when it was saved since revision `seen` (None: never seen), else (None, seen):
        a follower asking twice a second reads a file's metadata, not a 50,000-item job's 19 MB, while nothing
        changes. The revision is read before the job, so a save in between is seen at the next ask."""
        check_job_id(job_id)
        revision = self._jobs.revision(job_id)
        if seen is not None and revision == seen:
            return None, seen
        return load_job(self._jobs, job_id), revision

    def recent(self, limit: int = 50) -> list[Job]:
        """The `limit` jobs changed last, newest first (a year of jobs is not read to show a few)."""
        return self._jobs.recent(limit)
