"""Verify on demand: whole stored day histories asked for again, changes healed; as a job too."""

from datetime import date, datetime

import pytest

from application.fetch_request import FetchRequest
from application.job import ItemStatus, JobKind, JobStatus
from application.list_adjustments import ListAdjustments
from application.run_job import RunJob
from application.start_verify import StartVerify
from application.verify_history import VerifyHistory
from domain.adjustments import ChangeKind, ChangeStatus
from domain.clock_time import IST, from_datetime
from domain.date_range import DateRange
from domain.errors import AuthRequired, NotFound
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from tests.fakes.jobs import InMemoryJobs

DAY = SeriesKey(Exchange.NSE, "RELIANCE", Interval.DAY)
MINUTE = SeriesKey(Exchange.NSE, "RELIANCE", Interval.MINUTE)


@pytest.fixture
def verify(source, stores, catalog, clock, calendar):
    return VerifyHistory(source, stores, catalog, clock, calendar)


@pytest.fixture
def stored(fetch_history, source, clock):
    clock.now = from_datetime(datetime(2024, 6, 17, 18, 0, tzinfo=IST))
    fetch_history.execute(FetchRequest(Segment.EQUITY, "RELIANCE", DateRange(date(2015, 1, 1), date(2024, 6, 14))))
    fetch_history.execute(FetchRequest(Segment.EQUITY, "RELIANCE", DateRange(date(2024, 4, 1), date(2024, 6, 14)),
                                       Interval.MINUTE))
    fetch_history.execute(FetchRequest(Segment.EQUITY, "TCS", DateRange(date(2024, 1, 1), date(2024, 6, 14))))
    source.calls.clear()


def test_nothing_changed_costs_one_request_per_2000_days(verify, source, stored, stores):
    result = verify.execute(Exchange.NSE, "reliance")
    assert (result.symbol, result.interval, result.events) == ("RELIANCE", Interval.DAY, ())
    assert result.requests == len(source.calls) == 2  # 2015-01-01 .. 2024-06-14: 3453 days
    assert result.candles == stores[Segment.EQUITY].info(DAY).rows


def test_a_demerger_adjusted_months_late_is_found_and_healed_everywhere(verify, source, stored, stores):
    source.actions.append((date(2024, 2, 1), 1.3))
    result = verify.execute(Exchange.NSE, "RELIANCE")
    (event,) = result.events
    assert (event.kind, event.ex_date, event.factor, event.status) == (
        ChangeKind.CORPORATE_ACTION, date(2024, 2, 1), 1.3, ChangeStatus.HEALED)
    assert result.requests == 2 + 0  # the minute history starts after the ex-date: nothing stale in it
    assert stores[Segment.EQUITY].info(DAY).stale is None
    assert ListAdjustments(stores).execute(Exchange.NSE, "reliance").events == (event,)
    assert verify.execute(Exchange.NSE, "RELIANCE").events == ()


def test_unknown_instruments_are_not_found(verify, stores):
    with pytest.raises(NotFound):
        verify.execute(Exchange.NSE, "RELIANCE")
    with pytest.raises(NotFound):
        ListAdjustments(stores).execute(Exchange.NSE, "RELIANCE")


def test_a_verify_job_has_one_item_per_instrument_and_is_not_started_twice(stores, clock, stored, verify,
                                                                           fetch_history, source):
    jobs, submitted = InMemoryJobs(), []
    start = StartVerify(jobs, stores, submitted.append, clock)
    job = start.execute()
    assert [(i.kind, i.request) for i in job.items] == [(JobKind.VERIFY, {"exchange": "NSE", "symbol": "RELIANCE"}),
                                                         (JobKind.VERIFY, {"exchange": "NSE", "symbol": "TCS"})]
    assert start.execute().id == job.id and submitted == [job.id]  # the same verify, still queued
    one = start.execute(Exchange.NSE, "tcs")
    assert one.id != job.id and [i.symbol for i in one.items] == ["TCS"]
    with pytest.raises(NotFound):
        start.execute(Exchange.NSE, "NOSUCH")
    with pytest.raises(NotFound):
        start.execute(Exchange.BSE)
    source.actions.append((date(2024, 2, 1), 2.0))
    done = RunJob(jobs, fetch_history, clock, verify_history=verify).execute(job.id)
    assert done.status is JobStatus.COMPLETED and [i.status for i in done.items] == [ItemStatus.DONE] * 2
    assert done.items[0].records > 0 and done.items[0].requests_total == 2


def test_a_rejected_token_interrupts_a_verify_job(stores, clock, stored, verify, fetch_history, source):
    jobs = InMemoryJobs()
    job = StartVerify(jobs, stores, lambda _: None, clock).execute(Exchange.NSE, "RELIANCE")
    source.fail_with = AuthRequired("token expired")
    stopped = RunJob(jobs, fetch_history, clock, verify_history=verify).execute(job.id)
    assert stopped.status is JobStatus.INTERRUPTED and stopped.items[0].status is ItemStatus.QUEUED
