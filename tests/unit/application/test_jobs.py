from datetime import date

import pytest
from application.manage_jobs import CancelJob, GetJob, ResumeJob, interrupt_orphans

from application.batch_fetch import ItemFailure
from application.fetch_history import FetchRequest
from application.job import CANCELLED, COMPLETED, INTERRUPTED, RUNNING
from application.run_job import RunJob
from application.start_job import StartJob
from domain.date_range import DateRange
from domain.errors import AuthRequired, Conflict, InvalidInput, NotFound
from domain.interval import Interval
from domain.market import Segment
from tests.fakes.jobs import InMemoryJobs


def minute_year(symbol: str) -> FetchRequest:
    return FetchRequest(Segment.EQUITY, symbol, DateRange(date(2023, 1, 1), date(2023, 12, 31)), Interval.MINUTE)


@pytest.fixture
def jobs():
    return InMemoryJobs()


@pytest.fixture
def started(jobs, clock):
    submitted: list[str] = []
    start = StartJob(jobs, submitted.append, clock)
    return start, submitted


def test_a_job_is_saved_then_run_and_reports_progress(jobs, started, fetch_history, clock):
    start, submitted = started
    job = start.execute([minute_year("RELIANCE"), ItemFailure("BAD", InvalidInput("interval: bad")),
                         minute_year("TCS")])
    assert submitted == [job.id] and jobs.load(job.id).status == "queued"
    assert jobs.load(job.id).items[1].status == "failed"
    done = RunJob(jobs, fetch_history, clock).execute(job.id)
    assert done.status == COMPLETED and done.progress == 100.0
    assert done.counts == {"total": 3, "done": 2, "failed": 1, "pending": 0}
    assert done.items[0].records == 260 * 375 and done.items[0].requests_total == 7
    with pytest.raises(InvalidInput):
        start.execute([])


def test_cancel_stops_between_requests_and_resume_fetches_only_the_rest(jobs, started, fetch_history, clock,
                                                                        source):
    start, _ = started
    job = start.execute([minute_year("RELIANCE"), minute_year("TCS")])
    calls = []

    def stop_after_three() -> bool:
        calls.append(1)
        return len(source.calls) >= 3

    stopped = RunJob(jobs, fetch_history, clock).execute(job.id, should_stop=stop_after_three)
    assert stopped.status == CANCELLED and stopped.items[0].status == "queued" and stopped.progress < 50
    assert 0 < stopped.items[0].records < 260 * 375  # what the first requests stored before the cancel
    resumed_ids: list[str] = []
    ResumeJob(jobs, resumed_ids.append).execute(job.id)
    done = RunJob(jobs, fetch_history, clock).execute(resumed_ids[0])
    assert done.status == COMPLETED and done.runs == 2
    assert len(source.calls) == 14  # 7 + 7 requests in all: the three before the cancel were not repeated
    assert done.items[0].records == done.items[1].records == 260 * 375  # both runs' candles, counted once
    with pytest.raises(Conflict):
        ResumeJob(jobs, resumed_ids.append).execute(job.id)
    with pytest.raises(Conflict):
        CancelJob(jobs, lambda _: None).execute(job.id)


def test_cancel_from_another_process_lands_through_the_repository(jobs, started, fetch_history, clock):
    start, _ = started
    job = start.execute([minute_year("RELIANCE")])
    signalled: list[str] = []
    CancelJob(jobs, signalled.append).execute(job.id)
    assert signalled == [job.id]
    assert RunJob(jobs, fetch_history, clock).execute(job.id).status == CANCELLED


def test_a_rejected_token_interrupts_the_job_for_later(jobs, started, fetch_history, clock, source):
    start, _ = started
    job = start.execute([minute_year("RELIANCE"), minute_year("TCS")])
    source.fail_with = AuthRequired("Kite rejected the access token: log in again")
    stopped = RunJob(jobs, fetch_history, clock).execute(job.id)
    assert stopped.status == INTERRUPTED and stopped.items[0].error_type == "auth"
    source.fail_with = None
    ResumeJob(jobs, lambda _: None).execute(job.id)
    assert RunJob(jobs, fetch_history, clock).execute(job.id).status == COMPLETED


def test_orphans_are_interrupted_and_unknown_jobs_not_found(jobs, started):
    start, _ = started
    job = start.execute([minute_year("RELIANCE")])
    stored = jobs.load(job.id)
    stored.status = RUNNING
    stored.items[0].status = RUNNING
    jobs.save(stored)
    assert interrupt_orphans(jobs, lambda pid: False) == 1
    interrupted = GetJob(jobs).execute(job.id)
    assert interrupted.status == INTERRUPTED and interrupted.items[0].status == "queued"
    with pytest.raises(NotFound):
        GetJob(jobs).execute("../etc")
    assert [j.id for j in GetJob(jobs).recent()] == [job.id]


def test_a_resumed_overwrite_counts_its_candles_once(jobs, started, fetch_history, clock, source):
    from dataclasses import replace

    start, _ = started
    job = start.execute([replace(minute_year("RELIANCE"), overwrite=True)])
    stopped = RunJob(jobs, fetch_history, clock).execute(job.id, should_stop=lambda: len(source.calls) >= 3)
    assert stopped.status == CANCELLED and stopped.items[0].records > 0
    resumed: list[str] = []
    ResumeJob(jobs, resumed.append).execute(job.id)
    done = RunJob(jobs, fetch_history, clock).execute(resumed[0])
    assert done.items[0].records == 260 * 375  # the whole range again, not again plus the first run's part


def test_a_cancel_written_by_another_worker_survives_the_runners_progress_save(jobs, started, fetch_history, clock):
    start, _ = started
    job = start.execute([minute_year("RELIANCE")])
    runner = RunJob(jobs, fetch_history, clock)
    running = jobs.load(job.id)
    running.status = RUNNING
    jobs.save(running)
    CancelJob(jobs, lambda _: None).execute(job.id)  # another process: its signal cannot reach this runner
    runner._save(running)  # the runner's copy predates the cancel
    assert jobs.load(job.id).cancel_requested
    assert runner.execute(job.id).status == CANCELLED
