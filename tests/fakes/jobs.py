"""An in-memory JobRepository (copies on save/load, like files do)."""

from __future__ import annotations

import copy
from collections.abc import Callable

from application.job import Job
from application.ports import JobRepository


class InMemoryJobs(JobRepository):
    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}

    def save(self, job: Job) -> None:
        self.jobs[job.id] = copy.deepcopy(job)

    def load(self, job_id: str) -> Job | None:
        job = self.jobs.get(job_id)
        return copy.deepcopy(job) if job else None

    def update(self, job_id: str, change: Callable[[Job | None], Job]) -> Job:
        job = change(self.load(job_id))
        self.save(job)
        return copy.deepcopy(job)

    def all(self) -> list[Job]:
        return sorted((copy.deepcopy(j) for j in self.jobs.values()), key=lambda j: j.created_at, reverse=True)
