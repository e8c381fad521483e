"""SyncSeries: what a sync plans (tracked and stored series, where each starts, what is finished), and that the job
it starts brings everything up to date, so a second sync asks Kite for nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from application.job import JobOrigin, JobStatus
from application.resolve_tracked import ResolveTracked
from application.run_job import RunJob
from application.start_job import StartJob
from application.sync_series import SyncSeries
from application.tracked import RuleKind, TrackedList, TrackedRule, TrackedSeries
from domain.candles import CandleFrame
from domain.clock_time import day_end, day_start
from domain.errors import InvalidInput
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from tests.fakes.jobs import InMemoryJobs
from tests.fakes.market import synthetic_candles
from tests.fakes.tracked import MemoryTracked

TODAY = date(2024, 6, 14)
RELIANCE = TrackedSeries("t-rel", Exchange.NSE, "RELIANCE", (Interval.DAY,), date(2024, 1, 1))
NIFTY_FUTURES = TrackedRule("t-fut", RuleKind.FUTURES, Exchange.NFO, "NIFTY", (Interval.DAY, Interval.MINUTE))


@pytest.fixture
def jobs():
    return InMemoryJobs()


@pytest.fixture
def sync(source, stores, catalog, clock, calendar, jobs, fetch_history):
    def make(*entries):
        tracked = MemoryTracked(TrackedList(tuple(entries)))
        run = RunJob(jobs, fetch_history, clock)
        start = StartJob(jobs, run.execute, clock)  # the job runs at once, in the caller
        return SyncSeries(ResolveTracked(tracked, catalog, source, clock), stores, catalog, start, clock, calendar)

    return make


def _store(stores, key: SeriesKey, start: date, end: date) -> None:
    frame = synthetic_candles(day_start(start), day_end(end), key.interval, key.segment.has_open_interest)
    stores[key.segment].write(key, frame, [(day_start(start), day_end(end))])


def _planned(jobs, job_id: str) -> dict[str, tuple[str, str]]:
    job = jobs.load(job_id)
    return {f"{i.request['exchange']}:{i.symbol}:{i.request['interval']}": (i.request["from_date"],
                                                                            i.request["to_date"]) for i in job.items}


def test_a_sync_plans_tracked_and_stored_series_and_skips_the_finished(sync, stores, jobs):
    _store(stores, SeriesKey(Exchange.NSE, "TCS", Interval.DAY), date(2024, 5, 1), date(2024, 6, 10))
    _store(stores, SeriesKey(Exchange.NFO, "NIFTY24MAYFUT", Interval.DAY), date(2024, 5, 1), date(2024, 5, 30))
    started = sync(RELIANCE, NIFTY_FUTURES).execute()
    first_minute = str(TODAY - timedelta(days=Interval.MINUTE.max_span_days - 1))
    assert _planned(jobs, started.job.id) == {
        "NSE:RELIANCE:day": ("2024-01-01", "2024-06-14"),
        "NFO:NIFTY24JUNFUT:day": (str(TODAY - timedelta(days=1999)), "2024-06-14"),  # one request reaches back
        "NFO:NIFTY24JUNFUT:minute": (first_minute, "2024-06-14"),
        "NSE:TCS:day": ("2024-06-10", "2024-06-14"),  # a stored series: from its last candle
    }
    assert [(s.what, s.finished) for s in started.skipped] == [("NFO:NIFTY24MAYFUT:day", True)]
    assert jobs.load(started.job.id).counts["done"] == 4
    assert jobs.load(started.job.id).origin is JobOrigin.SYNC


def test_a_second_sync_sends_no_request(sync, source, jobs):
    use_case = sync(RELIANCE, NIFTY_FUTURES)
    first = use_case.execute()
    assert jobs.load(first.job.id).status.value == "completed" and source.calls
    calls = len(source.calls)
    second = use_case.execute()
    job = jobs.load(second.job.id)
    assert len(source.calls) == calls and job.items == [] and job.status is JobStatus.COMPLETED
    assert {str(k) for k in second.up_to_date} == set(job.summary.up_to_date) == {
        "NSE:RELIANCE:day", "NFO:NIFTY24JUNFUT:day", "NFO:NIFTY24JUNFUT:minute"}


def test_a_stored_contract_starts_where_it_is_stored_and_only_limits_to_the_tracked(sync, stores, jobs):
    key = SeriesKey(Exchange.NFO, "NIFTY24JUNFUT", Interval.MINUTE)
    _store(stores, key, date(2024, 6, 3), date(2024, 6, 12))
    _store(stores, SeriesKey(Exchange.NSE, "TCS", Interval.DAY), date(2024, 5, 1), date(2024, 6, 10))
    started = sync(RELIANCE, NIFTY_FUTURES).execute(["t-fut"])
    planned = _planned(jobs, started.job.id)
    assert planned["NFO:NIFTY24JUNFUT:minute"] == ("2024-06-03", "2024-06-14")
    assert set(planned) == {"NFO:NIFTY24JUNFUT:minute", "NFO:NIFTY24JUNFUT:day"}  # TCS and RELIANCE left alone


def test_an_entry_that_cannot_be_resolved_is_skipped_and_nothing_at_all_is_refused(sync, catalog, jobs):
    gone = TrackedSeries("t-gone", Exchange.NSE, "DELISTED", (Interval.DAY,), date(2024, 1, 1))
    with pytest.raises(InvalidInput, match="Nothing to sync"):
        sync().execute()
    with pytest.raises(InvalidInput, match="DELISTED"):
        sync(gone).execute()
    started = sync(RELIANCE, gone).execute()
    assert [(s.tracked_id, s.finished, s.error_type) for s in started.skipped] == [("t-gone", False, "not_found")]


def test_an_expired_tracked_contract_is_finished_not_an_error(sync, stores, jobs):
    expired = TrackedSeries("t-may", Exchange.NFO, "NIFTY24MAYFUT", (Interval.DAY,), date(2024, 5, 1))
    stores[Segment.DERIVATIVES].write(SeriesKey(Exchange.NFO, "NIFTY24MAYFUT", Interval.DAY), CandleFrame.empty(),
                                      [])
    started = sync(RELIANCE, expired).execute()
    assert [(s.what, s.finished, s.tracked_id) for s in started.skipped] == [
        ("NFO:NIFTY24MAYFUT:day", True, "t-may")]
    assert set(_planned(jobs, started.job.id)) == {"NSE:RELIANCE:day"}
