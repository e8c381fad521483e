"""ScheduledSync with an injected clock: the slot owed on trading days, a run missed while down caught up once, one
run per slot across processes, and a run without a valid token waiting as `needs_login` until a login."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from adapters.outbound.slot_claims import SlotClaimFiles
from application.job import JobOrigin, JobStatus
from application.resolve_tracked import ResolveTracked
from application.run_job import RunJob
from application.scheduled_sync import ScheduledSync
from application.start_job import StartJob
from application.sync_series import SyncSeries
from application.tracked import TrackedList, TrackedSeries
from domain.clock_time import IST, from_datetime
from domain.errors import InvalidInput
from domain.interval import Interval
from domain.market import Exchange
from domain.sync_schedule import latest_slot, parse_times
from tests.fakes.jobs import InMemoryJobs
from tests.fakes.tracked import MemoryTracked

RELIANCE = TrackedSeries("t-rel", Exchange.NSE, "RELIANCE", (Interval.DAY,), date(2024, 5, 1))


def at(day: int, hour: int, minute: int = 0) -> int:
    return from_datetime(datetime(2024, 6, day, hour, minute, tzinfo=IST))  # June 2024: the 14th is a Friday


@pytest.fixture
def jobs():
    return InMemoryJobs()


@pytest.fixture
def scheduled(source, stores, catalog, clock, calendar, jobs, fetch_history, tmp_path):
    login = {"valid": True}

    def make(times=(time(16, 5),)) -> ScheduledSync:
        tracked = MemoryTracked(TrackedList((RELIANCE,)))
        def run(job_id: str) -> None:  # the job runs at once, in the caller
            RunJob(jobs, fetch_history, clock).execute(job_id)

        start = StartJob(jobs, run, clock)

        def sync() -> SyncSeries:
            return SyncSeries(ResolveTracked(tracked, catalog, source, clock), stores, catalog, start, clock, calendar)

        return ScheduledSync(sync, jobs, SlotClaimFiles(tmp_path / "schedule"), lambda: login["valid"], calendar,
                             clock, times)

    make.login = login  # the token is valid while login["valid"]
    return make


def test_the_slot_owed_is_the_last_configured_time_on_a_trading_day(calendar):
    def trading(day: date) -> bool:
        return bool(calendar.sessions_on(Exchange.NSE, day))

    times = parse_times(" 18:30,16:05 ")
    assert times == (time(16, 5), time(18, 30))
    assert latest_slot(at(14, 18), times, trading) == at(14, 16, 5)  # Friday evening
    assert latest_slot(at(14, 15), times, trading) == at(13, 18, 30)  # before the first time: Thursday's last
    assert latest_slot(at(16, 12), times, trading) == at(14, 18, 30)  # Sunday: Friday's, the weekend has none
    assert latest_slot(at(14, 18), (), trading) is None
    with pytest.raises(InvalidInput, match="25:00"):
        parse_times("16:05,25:00")


def test_a_tick_runs_the_slot_once_and_the_next_tick_does_nothing(scheduled, clock, jobs):
    clock.now = at(14, 16, 5)
    first = scheduled().tick()
    assert len(first) == 1 and jobs.load(first[0]).status is JobStatus.COMPLETED
    assert [i.symbol for i in jobs.load(first[0]).items] == ["RELIANCE"]
    assert jobs.load(first[0]).origin is JobOrigin.SCHEDULED
    clock.now = at(14, 16, 6)
    assert scheduled().tick() == []  # claimed, even by another process (another ScheduledSync, same files)
    clock.now = at(15, 10)  # Saturday: still Friday's slot, done
    assert scheduled().tick() == []
    clock.now = at(17, 16, 5)  # Monday's slot
    assert len(scheduled().tick()) == 1


def test_a_run_missed_while_down_is_caught_up_once(scheduled, clock, jobs):
    clock.now = at(17, 9)  # Monday morning; nothing ran at Friday 16:05 (no process was up)
    caught_up = scheduled().tick()
    assert len(caught_up) == 1 and jobs.load(caught_up[0]).status is JobStatus.COMPLETED
    assert scheduled().tick() == [] and len(jobs.all()) == 1


def test_without_a_valid_token_the_run_waits_as_needs_login_and_starts_after_a_login(scheduled, clock, jobs):
    scheduled.login["valid"] = False
    clock.now = at(14, 16, 5)
    waiting = scheduled().tick()
    job = jobs.load(waiting[0])
    assert job.status is JobStatus.NEEDS_LOGIN and job.items == [] and not job.active
    clock.now = at(14, 16, 6)
    assert scheduled().tick() == [] and jobs.load(job.id).status is JobStatus.NEEDS_LOGIN
    scheduled.login["valid"] = True
    clock.now = at(14, 16, 7)  # the minute's tick after the login
    assert scheduled().tick() == [job.id]
    done = jobs.load(job.id)
    assert done.status is JobStatus.COMPLETED and [i.symbol for i in done.items] == ["RELIANCE"]
    assert done.origin is JobOrigin.SCHEDULED
    assert scheduled().tick() == [] and len(jobs.all()) == 1


def test_a_waiting_run_can_be_cancelled(scheduled, clock, jobs):
    scheduled.login["valid"] = False
    clock.now = at(14, 16, 5)
    job = jobs.load(scheduled().tick()[0])
    job.request_cancel()
    assert job.status is JobStatus.CANCELLED
