"""Work handed to pool threads keeps the caller's context: its Kite session token and its log fields."""

from __future__ import annotations

import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import structlog

from application.access_tokens import session_token
from application.batch_fetch import BatchFetch
from application.context_pool import submit_in_context
from application.fetch_history import FetchHistory
from application.fetch_request import FetchRequest
from bootstrap.jobs import JobExecutor
from domain.date_range import DateRange
from domain.interval import Interval
from domain.market import Segment
from tests.fakes.market import FakeMarketData

marker: contextvars.ContextVar[str] = contextvars.ContextVar("marker", default="unset")


class SessionRecordingSource(FakeMarketData):
    """Records, per call, the session token and thread the real adapter would have sent it from."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.seen: list[tuple[str | None, str]] = []

    def fetch_candles(self, *args, **kwargs):
        self.seen.append((session_token.get(), threading.current_thread().name))
        return super().fetch_candles(*args, **kwargs)


def test_each_task_runs_in_its_own_copy_of_the_submitting_context():
    def task(name: str) -> tuple[str, str]:
        seen = marker.get()
        marker.set(name)  # must neither leak back to the caller nor into a sibling task
        return seen, marker.get()

    marker.set("caller")
    with ThreadPoolExecutor(max_workers=1) as pool:
        results = [submit_in_context(pool, task, n).result() for n in ("a", "b")]
    assert results == [("caller", "a"), ("caller", "b")] and marker.get() == "caller"


def test_concurrent_chunks_use_the_callers_session_token(stores, catalog, clock, calendar):
    source = SessionRecordingSource()
    fetch = FetchHistory(source, stores, catalog, clock, calendar, concurrency=4)
    reset = session_token.set("browser-a")
    try:
        result = fetch.execute(FetchRequest(Segment.EQUITY, "RELIANCE", DateRange(date(2023, 1, 1), date(2023, 12, 31)),
                                            Interval.MINUTE))
    finally:
        session_token.reset(reset)
    assert result.requests == 7 and len(source.seen) == 7
    assert {token for token, _ in source.seen} == {"browser-a"}
    assert all(thread.startswith("fetch") for _, thread in source.seen)


def test_batch_workers_use_the_callers_session_token(stores, catalog, clock, calendar):
    source = SessionRecordingSource()
    batch = BatchFetch(FetchHistory(source, stores, catalog, clock, calendar), workers=2)
    january = DateRange(date(2024, 1, 1), date(2024, 1, 31))
    items = [FetchRequest(Segment.EQUITY, s, january) for s in ("RELIANCE", "TCS")]
    reset = session_token.set("browser-b")
    try:
        assert batch.execute(items).successful == 2
    finally:
        session_token.reset(reset)
    assert [token for token, _ in source.seen] == ["browser-b", "browser-b"]
    assert all(thread.startswith("batch") for _, thread in source.seen)


class RecordingRunJob:
    def __init__(self) -> None:
        self.seen: list[tuple[str | None, dict]] = []
        self.done = threading.Event()

    def execute(self, job_id: str, should_stop) -> None:
        self.seen.append((session_token.get(), structlog.contextvars.get_contextvars()))
        self.done.set()


def test_a_job_runs_with_the_submitting_session_and_logs_its_id():
    run_job = RecordingRunJob()
    executor = JobExecutor(lambda: run_job, workers=1)
    structlog.contextvars.bind_contextvars(request_id="req-1")
    reset = session_token.set("browser-c")
    try:
        executor.submit("job-9")
        assert run_job.done.wait(5)
        assert structlog.contextvars.get_contextvars() == {"request_id": "req-1"}  # job_id stays in the job
    finally:
        session_token.reset(reset)
        structlog.contextvars.clear_contextvars()
    assert run_job.seen == [("browser-c", {"request_id": "req-1", "job_id": "job-9"})]
