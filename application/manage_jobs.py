"""GetJob, CancelJob, ResumeJob and the start-up sweep that marks orphaned jobs interrupted."""

from __future__ import annotations

from collections.abc import Callable

from application.job import FINISHED, INTERRUPTED, QUEUED, RESUMABLE, RUNNING, Job
from application.ports import JobRepository
from domain.errors import Conflict, NotFound


def _load(jobs: JobRepository, job_id: str) -> Job:
    if not job_id.isalnum() or len(job_id) > 32:
        raise NotFound(f"No job {job_id!r}")
    job = jobs.load(job_id)
    if job is None:
        raise NotFound(f"No job {job_id!r}")
    return job


def _update(jobs: JobRepository, job_id: str, change: Callable[[Job], Job]) -> Job:
    """`change` applied to the job as stored, in one step no other process interleaves with."""
    _load(jobs, job_id)  # a malformed or unknown id is a 404 before anything is locked

    def checked(job: Job | None) -> Job:
        if job is None:
            raise NotFound(f"No job {job_id!r}")
        return change(job)

    return jobs.update(job_id, checked)


class GetJob:
    def __init__(self, jobs: JobRepository) -> None:
        self._jobs = jobs

    def execute(self, job_id: str) -> Job:
        return _load(self._jobs, job_id)

    def recent(self, limit: int = 50) -> list[Job]:
        return self._jobs.all()[:limit]


class CancelJob:
    """Rules: cancelling a finished job is refused; the running job stops between two requests."""

    def __init__(self, jobs: JobRepository, signal: Callable[[str], None]) -> None:
        self._jobs = jobs
        self._signal = signal

    def execute(self, job_id: str) -> Job:
        def cancel(job: Job) -> Job:
            if job.status in FINISHED:
                raise Conflict(f"job {job_id} is already {job.status}")
            job.cancel_requested = True
            return job

        job = _update(self._jobs, job_id, cancel)
        self._signal(job_id)
        return job


class ResumeJob:
    """Rules: only interrupted or cancelled jobs resume; items already done are not fetched again."""

    def __init__(self, jobs: JobRepository, submit: Callable[[str], None]) -> None:
        self._jobs = jobs
        self._submit = submit

    def execute(self, job_id: str) -> Job:
        def resume(job: Job) -> Job:
            if job.status not in RESUMABLE:
                raise Conflict(f"job {job_id} is {job.status}; only interrupted or cancelled jobs resume")
            job.status, job.cancel_requested, job.finished_at = QUEUED, False, None
            for item in job.items:
                if item.status == RUNNING:
                    item.status = QUEUED
            return job

        job = _update(self._jobs, job_id, resume)
        self._submit(job.id)
        return job


def interrupt_orphans(jobs: JobRepository, is_alive: Callable[[int], bool]) -> int:
    """Jobs left queued or running by a process that is gone are shown as interrupted (resumable)."""
    count = 0
    for job in jobs.all():
        if job.status in (QUEUED, RUNNING) and not is_alive(job.owner_pid):
            job.status = INTERRUPTED
            for item in job.items:
                if item.status == RUNNING:  # it never finished: it runs again on resume
                    item.status = QUEUED
            jobs.save(job)
            count += 1
    return count
