"""GetJob.if_changed: a follower learns from the job's revision whether to read it again."""

from __future__ import annotations

import pytest

from application.get_job import GetJob
from application.job import Job, JobItem, JobStatus
from domain.errors import NotFound
from tests.fakes.jobs import InMemoryJobs


class CountingJobs(InMemoryJobs):
    def __init__(self) -> None:
        super().__init__()
        self.loads = 0

    def load(self, job_id: str) -> Job | None:
        self.loads += 1
        return super().load(job_id)


def test_a_job_is_read_again_only_once_it_was_saved_since():
    jobs = CountingJobs()
    job = Job("j1", 1, [JobItem({}, "INFY")], JobStatus.RUNNING)
    jobs.save(job)
    use_case = GetJob(jobs)
    first, revision = use_case.if_changed("j1", None)
    assert first == job and jobs.loads == 1
    assert use_case.if_changed("j1", revision) == (None, revision) and jobs.loads == 1
    job.items[0].records = 9
    jobs.save(job)
    again, newer = use_case.if_changed("j1", revision)
    assert again is not None and again.items[0].records == 9 and newer != revision and jobs.loads == 2
    with pytest.raises(NotFound):
        use_case.if_changed("nope", revision)
    with pytest.raises(NotFound):
        use_case.if_changed("../etc", None)  # not looked up at all
    assert jobs.loads == 3
