"""The dashboard's sync card (ShowSyncStatus: the last sync, one waiting for a login, the next scheduled run) and
its stored-series pages (ShowDashboard: a page across the databases, counted and sliced, never walked)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import overload

import pytest

from application.job import ItemStatus, Job, JobItem, JobOrigin, JobStatus
from application.ports import SeriesInfo, StoreDescription
from application.show_dashboard import ShowDashboard, page_windows
from application.sync_status import ShowSyncStatus, SyncTotals
from application.sync_summary import SyncSummary
from domain.clock_time import IST, from_datetime
from domain.coverage import Coverage
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from tests.fakes.calendar import FakeCalendar
from tests.fakes.fetch_log import InMemoryFetchLog
from tests.fakes.jobs import InMemoryJobs
from tests.fakes.market import FixedClock
from tests.unit.application.conftest import NOW  # Friday 2024-06-14 18:00 IST


def item(symbol: str, status: ItemStatus, records: int = 0, requests: int = 0) -> JobItem:
    return JobItem({"exchange": "NSE", "interval": "day"}, symbol, status, records=records, requests_done=requests)


def job(job_id: str, created: int, origin: JobOrigin, status: JobStatus = JobStatus.COMPLETED,
        items: list[JobItem] | None = None) -> Job:
    return Job(job_id, created, items or [], status, origin=origin)


def status(jobs: InMemoryJobs, times: tuple[time, ...] = (time(16, 5),)) -> ShowSyncStatus:
    return ShowSyncStatus(jobs, FakeCalendar(), FixedClock(NOW), times)


def test_the_last_sync_is_the_newest_asked_for_or_scheduled_never_a_batch():
    jobs = InMemoryJobs()
    assert status(jobs).execute().last is None
    jobs.save(job("older-sync", NOW - 300, JobOrigin.SCHEDULED))
    jobs.save(job("sync", NOW - 200, JobOrigin.SYNC, items=[
        item("TCS", ItemStatus.DONE, records=20, requests=1), item("INFY", ItemStatus.DONE, requests=1),
        item("WIPRO", ItemStatus.FAILED, requests=2)]))
    jobs.save(job("batch", NOW - 100, JobOrigin.BATCH))
    shown = status(jobs).execute()
    assert shown.last is not None and shown.last.id == "sync" and shown.waiting is None
    assert shown.totals == SyncTotals(series=3, updated=1, candles=20, requests=4, failed=1)


def test_a_syncs_totals_count_the_series_it_found_up_to_date():
    jobs = InMemoryJobs()
    done = job("sync", NOW - 200, JobOrigin.SYNC, items=[item("TCS", ItemStatus.DONE, records=20, requests=1)])
    done.summary = SyncSummary(up_to_date=("NSE:INFY:day", "NSE:WIPRO:day"))
    jobs.save(done)
    assert status(jobs).execute().totals == SyncTotals(series=3, updated=1, candles=20, requests=1, failed=0,
                                                       up_to_date=2)


def test_a_scheduled_sync_waiting_for_a_login_is_shown():
    jobs = InMemoryJobs()
    jobs.save(Job.awaiting_login("waiting", NOW - 600))
    jobs.save(job("later", NOW - 60, JobOrigin.SYNC, JobStatus.RUNNING))  # asked for after it: the last sync
    shown = status(jobs).execute()
    assert shown.waiting is not None and shown.waiting.id == "waiting"
    assert shown.last is not None and shown.last.id == "later"


def test_the_next_run_is_the_next_configured_time_on_a_trading_day():
    monday = from_datetime(datetime(2024, 6, 17, 16, 5, tzinfo=IST))
    assert status(InMemoryJobs()).execute().next_at == monday  # Friday 18:00, after 16:05; the weekend has none
    off = status(InMemoryJobs(), times=()).execute()
    assert off.next_at is None and off.times == ()


class NoWalk(Sequence[SeriesInfo]):
    """A lazy store's series: counted and sliced; walking them all fails the test."""

    def __init__(self, exchange: Exchange, count: int) -> None:
        self.exchange, self.size = exchange, count

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, index: int) -> SeriesInfo: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[SeriesInfo]: ...
    def __getitem__(self, index: int | slice) -> SeriesInfo | Sequence[SeriesInfo]:
        if isinstance(index, int):
            raise AssertionError("the page is sliced, not read one by one")
        return [SeriesInfo(SeriesKey(self.exchange, f"S{n:05}", Interval.DAY), 1, 1, 1, Coverage.of([]))
                for n in range(*index.indices(self.size))]

    def __iter__(self):
        raise AssertionError("every series walked")


class LazyStore:
    def __init__(self, segment: Segment, count: int) -> None:
        self.segment, self.count = segment, count

    def describe(self) -> StoreDescription:
        exchange = self.segment.exchanges[0]
        return StoreDescription(self.segment, f"/{self.segment}.h5", True, 1, NoWalk(exchange, self.count),
                                (exchange,))


@pytest.mark.parametrize(("page", "windows"), [
    (1, ((0, 40), (0, 10))), (2, ((40, 0), (10, 10))), (3, ((40, 0), (20, 0)))])  # past the last: empty
def test_the_stored_series_are_paged_across_the_databases_in_order(page, windows):
    stores = {Segment.EQUITY: LazyStore(Segment.EQUITY, 40), Segment.DERIVATIVES: LazyStore(Segment.DERIVATIVES, 20)}
    board = ShowDashboard(stores, InMemoryFetchLog(), InMemoryJobs()).execute(series_page=page)
    assert board.series_page is not None
    assert (board.series_page.windows, board.series_page.total, board.series_page.pages) == (windows, 60, 2)


def test_fifty_thousand_series_cost_a_page():
    stores = {Segment.EQUITY: LazyStore(Segment.EQUITY, 0), Segment.DERIVATIVES: LazyStore(Segment.DERIVATIVES, 50_000)}
    board = ShowDashboard(stores, InMemoryFetchLog(), InMemoryJobs()).execute(series_page=7)
    assert board.series_page is not None and board.series_page.pages == 1000
    assert board.series_page.windows == ((0, 0), (300, 50))
    assert page_windows([], 1, 50) == ()
