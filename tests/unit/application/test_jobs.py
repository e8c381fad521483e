import os
import threading
import time
from datetime import date

import pytest

from application.cancel_job import CancelJob
from application.fetch_history import FetchHistory
from application.fetch_request import FetchRequest
from application.get_job import GetJob
from application.interrupt_orphaned_jobs import InterruptOrphanedJobs
from application.job import ItemStatus, JobOutcome, JobStatus
from application.resume_job import ResumeJob
from application.run_job import RunJob
from application.start_job import StartJob
from domain.date_range import DateRange
from domain.errors import AuthRequired, Conflict, InvalidInput, NotFound
from domain.interval import Interval
from domain.market import Segment
from tests.fakes.jobs import InMemoryJobs
from tests.fakes.market import FakeMarketData
from tests.unit.application.conftest import INSTRUMENTS


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
    job = start.execute([minute_year("RELIANCE"), minute_year("NOSUCH"), minute_year("TCS")])
    assert submitted == [job.id] and jobs.load(job.id).status == "queued"
    done = RunJob(jobs, fetch_history, clock).execute(job.id)
    assert done.status == JobStatus.COMPLETED and done.progress == 100.0
    assert done.counts == {"total": 3, "done": 2, "failed": 1, "pending": 0, "cancelled": 0}
    assert done.outcome is JobOutcome.PARTIAL and done.items[1].error_type == "not_found"
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
    assert stopped.status == JobStatus.CANCELLED and stopped.progress < 50
    assert [i.status for i in stopped.items] == [ItemStatus.CANCELLED, ItemStatus.CANCELLED]
    assert 0 < stopped.items[0].records < 260 * 375  # what the first requests stored before the cancel
    resumed_ids: list[str] = []
    ResumeJob(jobs, resumed_ids.append).execute(job.id)
    done = RunJob(jobs, fetch_history, clock).execute(resumed_ids[0])
    assert done.status == JobStatus.COMPLETED and done.runs == 2
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
    assert RunJob(jobs, fetch_history, clock).execute(job.id).status == JobStatus.CANCELLED


def test_a_rejected_token_interrupts_the_job_for_later(jobs, started, fetch_history, clock, source):
    start, _ = started
    job = start.execute([minute_year("RELIANCE"), minute_year("TCS")])
    source.fail_with = AuthRequired("Kite rejected the access token: log in again")
    stopped = RunJob(jobs, fetch_history, clock).execute(job.id)
    assert stopped.status == JobStatus.INTERRUPTED and stopped.items[0].error_type == "auth"
    source.fail_with = None
    ResumeJob(jobs, lambda _: None).execute(job.id)
    assert RunJob(jobs, fetch_history, clock).execute(job.id).status == JobStatus.COMPLETED


def test_orphans_are_interrupted_and_unknown_jobs_not_found(jobs, started, clock):
    start, _ = started
    job = start.execute([minute_year("RELIANCE")])
    stored = jobs.load(job.id)
    stored.start(4242)
    stored.start_item(0)
    jobs.save(stored)
    assert InterruptOrphanedJobs(jobs, lambda pid: pid != 4242, clock).execute() == 1
    interrupted = GetJob(jobs).execute(job.id)
    assert interrupted.status == JobStatus.INTERRUPTED and interrupted.items[0].status == ItemStatus.QUEUED
    with pytest.raises(NotFound):
        GetJob(jobs).execute("../etc")
    assert [j.id for j in GetJob(jobs).recent()] == [job.id]


def test_a_resumed_overwrite_counts_its_candles_once(jobs, started, fetch_history, clock, source):
    from dataclasses import replace

    start, _ = started
    job = start.execute([replace(minute_year("RELIANCE"), overwrite=True)])
    stopped = RunJob(jobs, fetch_history, clock).execute(job.id, should_stop=lambda: len(source.calls) >= 3)
    assert stopped.status == JobStatus.CANCELLED and stopped.items[0].records > 0
    resumed: list[str] = []
    ResumeJob(jobs, resumed.append).execute(job.id)
    done = RunJob(jobs, fetch_history, clock).execute(resumed[0])
    assert done.items[0].records == 260 * 375  # the whole range again, not again plus the first run's part


def test_a_cancel_written_by_another_worker_survives_the_runners_progress_save(jobs, started, fetch_history, clock):
    start, _ = started
    job = start.execute([minute_year("RELIANCE")])
    runner = RunJob(jobs, fetch_history, clock)
    running = jobs.load(job.id)
    running.start(os.getpid())
    jobs.save(running)
    CancelJob(jobs, lambda _: None).execute(job.id)  # another process: its signal cannot reach this runner
    runner._save(running)  # the runner's copy predates the cancel
    assert jobs.load(job.id).status == JobStatus.CANCELLING
    assert runner.execute(job.id).status == JobStatus.CANCELLED


def test_cancel_answers_cancelling_until_the_runner_stops_then_items_are_cancelled(jobs, started, fetch_history,
                                                                                   clock):
    start, _ = started
    job = start.execute([minute_year("RELIANCE"), minute_year("TCS")])
    signalled: list[str] = []
    answered = CancelJob(jobs, signalled.append).execute(job.id)
    assert answered.status == JobStatus.CANCELLING and answered.active and signalled == [job.id]
    assert CancelJob(jobs, signalled.append).execute(job.id).status == JobStatus.CANCELLING  # twice is once
    stopped = RunJob(jobs, fetch_history, clock).execute(job.id)
    assert stopped.status == JobStatus.CANCELLED and stopped.finished_at == clock.now_ts()
    assert [i.status for i in jobs.load(job.id).items] == [ItemStatus.CANCELLED, ItemStatus.CANCELLED]
    resumed = ResumeJob(jobs, lambda _: None).execute(job.id)
    assert resumed.status == JobStatus.QUEUED and [i.status for i in resumed.items] == [ItemStatus.QUEUED] * 2
    with pytest.raises(NotFound):
        CancelJob(jobs, signalled.append).execute("nosuchjob")


def test_a_job_whose_items_all_failed_ends_failed(jobs, started, fetch_history, clock):
    start, _ = started
    job = start.execute([minute_year("NOSUCH"), minute_year("NOTHERE")])
    done = RunJob(jobs, fetch_history, clock).execute(job.id)
    assert (done.status, done.outcome) == (JobStatus.FAILED, JobOutcome.FAILED)
    assert jobs.load(job.id).status == JobStatus.FAILED
    with pytest.raises(Conflict):
        ResumeJob(jobs, lambda _: None).execute(job.id)
    with pytest.raises(Conflict):
        CancelJob(jobs, lambda _: None).execute(job.id)


def test_an_interrupted_job_cancels_at_once_and_still_resumes(jobs, started, fetch_history, clock, source):
    start, _ = started
    job = start.execute([minute_year("RELIANCE")])
    source.fail_with = AuthRequired("log in again")
    RunJob(jobs, fetch_history, clock).execute(job.id)
    cancelled = CancelJob(jobs, lambda _: None).execute(job.id)
    assert cancelled.status == JobStatus.CANCELLED and cancelled.items[0].status == ItemStatus.CANCELLED
    source.fail_with = None
    ResumeJob(jobs, lambda _: None).execute(job.id)
    assert RunJob(jobs, fetch_history, clock).execute(job.id).status == JobStatus.COMPLETED


def test_the_sweep_leaves_live_and_stopped_jobs_and_ends_a_pending_cancel_cancelled(jobs, started, clock):
    start, _ = started
    live, orphan_cancelling, finished = (start.execute([minute_year("RELIANCE")]) for _ in range(3))
    for job, pid in ((live, 1), (orphan_cancelling, 4242), (finished, 4242)):
        stored = jobs.load(job.id)
        stored.start(pid)
        stored.start_item(0)
        if job is finished:
            stored.fail_item(0, NotFound("gone"))
            stored.finish(clock.now_ts())
        jobs.save(stored)
    CancelJob(jobs, lambda _: None).execute(orphan_cancelling.id)
    assert InterruptOrphanedJobs(jobs, lambda pid: pid == 1, clock).execute() == 1
    assert jobs.load(live.id).status == JobStatus.RUNNING
    assert jobs.load(finished.id).status == JobStatus.FAILED
    swept = jobs.load(orphan_cancelling.id)
    assert swept.status == JobStatus.CANCELLED and swept.items[0].status == ItemStatus.CANCELLED


def test_a_runner_leaves_a_job_that_is_not_queued_alone(jobs, started, fetch_history, clock, source):
    start, _ = started
    job = start.execute([minute_year("RELIANCE")])
    RunJob(jobs, fetch_history, clock).execute(job.id)
    calls = len(source.calls)
    again = RunJob(jobs, fetch_history, clock).execute(job.id)  # a stray second submit
    assert again.status == JobStatus.COMPLETED and again.runs == 1 and len(source.calls) == calls


def test_a_stored_request_that_no_longer_parses_fails_only_its_item(jobs, started, fetch_history, clock):
    start, _ = started
    job = start.execute([minute_year("RELIANCE"), minute_year("TCS")])
    stored = jobs.load(job.id)
    stored.items[0].request["interval"] = "7minute"  # a file edited by hand
    jobs.save(stored)
    done = RunJob(jobs, fetch_history, clock).execute(job.id)
    assert [i.status for i in done.items] == [ItemStatus.FAILED, ItemStatus.DONE]
    assert done.items[0].error_type == "validation" and done.status == JobStatus.COMPLETED


class _SlowMarketData(FakeMarketData):
    """Counts the requests in flight at once: items run concurrently only if it ever exceeds one."""

    def __init__(self, instruments) -> None:
        super().__init__(instruments)
        self.in_flight = self.most_in_flight = 0
        self._count = threading.Lock()

    def fetch_candles(self, *args, **kwargs):
        with self._count:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            time.sleep(0.01)
            return super().fetch_candles(*args, **kwargs)
        finally:
            with self._count:
                self.in_flight -= 1


@pytest.fixture
def slow(stores, catalog, clock, calendar):
    source = _SlowMarketData(INSTRUMENTS)
    return source, FetchHistory(source, stores, catalog, clock, calendar)


def test_items_run_workers_at_a_time_with_the_same_outcomes(jobs, started, clock, slow):
    source, fetch_history = slow
    start, _ = started
    job = start.execute([minute_year("RELIANCE"), minute_year("NOSUCH"), minute_year("TCS")])
    done = RunJob(jobs, fetch_history, clock, workers=3).execute(job.id)
    assert source.most_in_flight == 2  # RELIANCE and TCS side by side (NOSUCH fails before any request)
    assert done.status == JobStatus.COMPLETED and done.counts["done"] == 2 and done.items[1].error_type == "not_found"
    assert done.items[0].records == done.items[2].records == 260 * 375 and len(source.calls) == 14
    assert jobs.load(job.id).items[2].records == 260 * 375  # every item's outcome reached the saved job


def test_with_workers_a_cancel_stops_every_item_and_a_rejected_token_interrupts(jobs, started, clock, slow):
    source, fetch_history = slow
    start, _ = started
    job = start.execute([minute_year("RELIANCE"), minute_year("TCS")])
    stopped = RunJob(jobs, fetch_history, clock, workers=2).execute(job.id, should_stop=lambda: len(source.calls) >= 3)
    assert stopped.status == JobStatus.CANCELLED and {i.status for i in stopped.items} == {ItemStatus.CANCELLED}
    assert len(source.calls) < 14
    ResumeJob(jobs, lambda _: None).execute(job.id)
    source.fail_with = AuthRequired("Kite rejected the access token: log in again")
    interrupted = RunJob(jobs, fetch_history, clock, workers=2).execute(job.id)
    assert interrupted.status == JobStatus.INTERRUPTED
    assert {i.status for i in interrupted.items} == {ItemStatus.QUEUED}
    source.fail_with = None
    ResumeJob(jobs, lambda _: None).execute(job.id)
    done = RunJob(jobs, fetch_history, clock, workers=2).execute(job.id)
    assert done.status == JobStatus.COMPLETED and done.items[0].records == done.items[1].records == 260 * 375


def test_a_crash_interrupts_the_job_so_cancel_and_resume_still_work(jobs, started, fetch_history, clock, source):
    """A bug (not a DomainError) used to leave the job "running" under a live process nobody ran it in."""
    start, _ = started
    job = start.execute([minute_year("RELIANCE")])
    source.fail_with = RuntimeError("a bug of ours")
    with pytest.raises(RuntimeError):
        RunJob(jobs, fetch_history, clock).execute(job.id)
    assert jobs.load(job.id).status == JobStatus.INTERRUPTED
    source.fail_with = None
    ResumeJob(jobs, lambda _: None).execute(job.id)
    assert RunJob(jobs, fetch_history, clock).execute(job.id).status == JobStatus.COMPLETED


def test_with_workers_a_crash_stops_the_other_items_and_interrupts_the_job(jobs, started, clock, slow):
    source, fetch_history = slow
    start, _ = started
    job = start.execute([minute_year("RELIANCE"), minute_year("TCS")])
    source.fail_with, source.fail_on_call = RuntimeError("a bug of ours"), 3
    with pytest.raises(RuntimeError):
        RunJob(jobs, fetch_history, clock, workers=2).execute(job.id)
    stored = jobs.load(job.id)
    assert stored.status == JobStatus.INTERRUPTED and len(source.calls) < 10
    assert {i.status for i in stored.items} == {ItemStatus.QUEUED}  # TCS stopped too, to run again on resume


class _CountingJobs(InMemoryJobs):
    """Counts how often a runner reads and writes the job (each is a file of up to megabytes)."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = {"load": 0, "update": 0, "status_of": 0, "save_progress": 0}

    def load(self, job_id):
        self.reads["load"] += 1
        return super().load(job_id)

    def update(self, job_id, change):
        self.reads["update"] += 1
        return super().update(job_id, change)

    def status_of(self, job_id):
        self.reads["status_of"] += 1
        return super().status_of(job_id)

    def save_progress(self, job, merge):
        self.reads["save_progress"] += 1
        super().save_progress(job, merge)


def test_a_run_of_thousands_of_quick_items_reads_and_writes_the_job_by_time_not_per_item(fetch_history, clock,
                                                                                       stores, source):
    day = FetchRequest(Segment.EQUITY, "RELIANCE", DateRange(date(2024, 6, 3), date(2024, 6, 14)))
    fetch_history.execute(day)  # stored: each item below finds nothing to fetch
    jobs = _CountingJobs()
    job = StartJob(jobs, lambda _: None, clock).execute([day] * 2000)
    started = time.monotonic()
    done = RunJob(jobs, fetch_history, clock).execute(job.id)
    elapsed = time.monotonic() - started
    assert done.status is JobStatus.COMPLETED and done.counts["done"] == 2000 and len(source.calls) == 1
    assert jobs.load(job.id).counts["done"] == 2000
    by_time = elapsed / 0.25 + 2
    assert jobs.reads["load"] <= 2 and jobs.reads["update"] == 1  # the start; the end is a save_progress
    assert jobs.reads["status_of"] + jobs.reads["save_progress"] <= by_time, (jobs.reads, elapsed)


def test_a_cancel_from_another_process_lands_within_a_quarter_second_between_requests(clock, slow):
    source, fetch_history = slow
    jobs = InMemoryJobs()
    months = [FetchRequest(Segment.EQUITY, "RELIANCE", DateRange(date(2023, m, 1), date(2023, m, 28)),
                           Interval.MINUTE) for m in range(1, 13)]
    months_tcs = [FetchRequest(Segment.EQUITY, "TCS", r.date_range, Interval.MINUTE) for r in months]
    job = StartJob(jobs, lambda _: None, clock).execute([*months, *months_tcs])  # a request of 10 ms each
    cancelled_at: list[tuple[float, int]] = []

    def cancel_from_elsewhere() -> None:  # another worker: its signal cannot reach this runner
        while len(source.calls) < 3:
            time.sleep(0.001)
        CancelJob(jobs, lambda _: None).execute(job.id)
        cancelled_at.append((time.monotonic(), len(source.calls)))

    other = threading.Thread(target=cancel_from_elsewhere)
    other.start()
    stopped = RunJob(jobs, fetch_history, clock).execute(job.id)
    stopped_at = time.monotonic()
    other.join()
    (at, calls_then), = cancelled_at
    assert stopped.status is JobStatus.CANCELLED and jobs.load(job.id).status is JobStatus.CANCELLED
    assert stopped_at - at < 0.25 + 0.15  # one look at the status per quarter second, plus a request in flight
    assert len(source.calls) - calls_then <= 0.25 / 0.01 + 2 and len(source.calls) < 24
    assert {i.status for i in stopped.items[-3:]} == {ItemStatus.CANCELLED}
