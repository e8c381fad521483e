"""An in-memory JobRepository (copies on save/load, like files do)."""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable, Collection, Hashable

from application.job import Job, JobOrigin, JobStatus
from application.ports import JobRepository


class InMemoryJobs(JobRepository):
    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}
        self.written: dict[str, int] = {}  # job id -> when it was last saved (as a file's mtime orders them)
        self._saves = itertools.count()
        self._updating = threading.RLock()  # update and save_progress are one step, as across processes

    def save(self, job: Job) -> None:
        self.jobs[job.id] = copy.deepcopy(job)
        self.written[job.id] = next(self._saves)

    def load(self, job_id: str) -> Job | None:
        job = self.jobs.get(job_id)
        return copy.deepcopy(job) if job else None

    def update(self, job_id: str, change: Callable[[Job | None], Job]) -> Job:
        with self._updating:
            job = change(self.load(job_id))
            self.save(job)
            return copy.deepcopy(job)

    def status_of(self, job_id: str) -> JobStatus | None:
        job = self.jobs.get(job_id)
        return job.status if job else None

    def revision(self, job_id: str) -> Hashable | None:
        return self.written.get(job_id)

    def save_progress(self, job: Job, merge: Callable[[JobStatus | None], None]) -> None:
        with self._updating:
            stored = self.jobs.get(job.id)
            merge(stored.status if stored else None)
            self.save(job)

    def all(self) -> list[Job]:
        return sorted((copy.deepcopy(j) for j in self.jobs.values()), key=lambda j: j.created_at, reverse=True)

    def recent(self, limit: int = 50) -> list[Job]:
        last = sorted(self.jobs, key=lambda i: self.written[i], reverse=True)[:limit]
        return sorted((copy.deepcopy(self.jobs[i]) for i in last), key=lambda j: j.created_at, reverse=True)

    def with_status(self, statuses: Collection[JobStatus]) -> list[Job]:
        return [j for j in self.all() if j.status in statuses]

    def newest(self, origins: Collection[JobOrigin]) -> Job | None:
        for i in sorted(self.jobs, key=lambda i: self.written[i], reverse=True):
            if self.jobs[i].origin in origins:
                return copy.deepcopy(self.jobs[i])
        return None
