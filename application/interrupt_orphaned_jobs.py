"""InterruptOrphanedJobs: the start-up sweep for jobs whose process died while they were active."""

from __future__ import annotations

from collections.abc import Callable

from application.job import ACTIVE, Job
from application.ports import Clock, JobRepository
from domain.errors import NotFound


class InterruptOrphanedJobs:
    """Rules: a queued, running or cancelling job whose owner process is gone will never move again, so it is
    shown as interrupted (resumable; its running item runs again) or, if a cancel was pending, cancelled. A job
    whose owner is alive is left alone."""

    def __init__(self, jobs: JobRepository, is_alive: Callable[[int], bool], clock: Clock) -> None:
        self._jobs = jobs
        self._is_alive = is_alive
        self._clock = clock

    def execute(self) -> int:
        """How many jobs were interrupted."""
        count = 0
        for listed in self._jobs.with_status(ACTIVE):
            if not self._orphaned(listed):
                continue
            try:
                self._jobs.update(listed.id, self._interrupt)
            except NotFound:  # its file went away since the listing
                continue
            count += 1
        return count

    def _orphaned(self, job: Job) -> bool:
        return job.active and not self._is_alive(job.owner_pid)

    def _interrupt(self, job: Job | None) -> Job:
        if job is None:
            raise NotFound("the job vanished")
        if self._orphaned(job):  # checked again under the repository's lock: it may have moved since the listing
            job.interrupt(self._clock.now_ts())
        return job
