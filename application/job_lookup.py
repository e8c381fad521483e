"""Finding a job by the id a caller gave, shared by the use cases that act on one job."""

from __future__ import annotations

from collections.abc import Callable

from application.job import Job
from application.ports import JobRepository
from domain.errors import NotFound


def check_job_id(job_id: str) -> None:
    """NotFound for an id that cannot be a job's (a path, a huge string): it is not looked up."""
    if not job_id.isalnum() or len(job_id) > 32:
        raise NotFound(f"No job {job_id!r}")


def load_job(jobs: JobRepository, job_id: str) -> Job:
    """The job, or NotFound; an id that cannot be a job's (a path, a huge string) is not looked up."""
    check_job_id(job_id)
    job = jobs.load(job_id)
    if job is None:
        raise NotFound(f"No job {job_id!r}")
    return job


def update_job(jobs: JobRepository, job_id: str, change: Callable[[Job], None]) -> Job:
    """`change` applied to the job as stored, in one step no other process interleaves with."""
    load_job(jobs, job_id)  # a malformed or unknown id is a 404 before anything is locked

    def checked(job: Job | None) -> Job:
        if job is None:
            raise NotFound(f"No job {job_id!r}")
        change(job)
        return job

    return jobs.update(job_id, checked)
