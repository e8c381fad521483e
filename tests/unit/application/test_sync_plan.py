"""SyncSeries plans every series up front with FetchHistory's own rules: series with nothing due are counted, not
job items, and a sync of thousands of up-to-date series sends nothing and is planned fast."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.fetch_history import FetchHistory
from application.fetch_request import FetchRequest
from application.job import Job, JobStatus
from application.resolve_tracked import ResolveTracked
from application.run_job import RunJob
from application.start_job import StartJob
from application.sync_series import SyncSeries
from application.tracked import TrackedList, TrackedSeries
from domain.adjustments import Adjustment
from domain.clock_time import IST, day_end, day_start, from_datetime
from domain.date_range import DateRange
from domain.errors import InvalidInput
from domain.gaps import find_gaps
from domain.instrument import Instrument, SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from tests.fakes.calendar import FakeCalendar
from tests.fakes.jobs import InMemoryJobs
from tests.fakes.market import FakeCatalog, FakeMarketData, FixedClock, equity, synthetic_candles
from tests.fakes.stores import InMemoryCandleStore
from tests.fakes.tracked import MemoryTracked

FRIDAY = date(2024, 6, 14)


def at(day: date, hour: int, minute: int = 0) -> int:
    return from_datetime(datetime(day.year, day.month, day.day, hour, minute, tzinfo=IST))


class IndexedCatalog(FakeCatalog):
    """FakeCatalog with the real cache's dict lookup (its list scan would make 5,000 lookups the test's cost)."""

    def __init__(self, instruments: list[Instrument]) -> None:
        super().__init__(instruments)
        self.by_key = {(i.exchange, i.tradingsymbol): i for i in instruments}

    def lookup(self, exchange: Exchange, symbol: str) -> Instrument | None:
        return self.by_key.get((exchange.value, symbol))


class World:
    """Stores, a catalog of `count` NSE equities, a clock, and a sync whose job runs in the caller."""

    def __init__(self, count: int, now: int) -> None:
        self.instruments = [equity(f"S{i:05d}", (i + 1) * 256 + 1) for i in range(count)]
        self.catalog = IndexedCatalog(self.instruments)
        self.source = FakeMarketData(self.instruments)
        self.stores = {s: InMemoryCandleStore(s) for s in Segment}
        self.clock = FixedClock(now)
        self.calendar = FakeCalendar()
        self.jobs = InMemoryJobs()
        self.fetch = FetchHistory(self.source, self.stores, self.catalog, self.clock, self.calendar)
        self.submitted: list[str] = []

    def key(self, i: int, interval: Interval = Interval.DAY) -> SeriesKey:
        return SeriesKey(Exchange.NSE, self.instruments[i].tradingsymbol, interval)

    def store(self, key: SeriesKey, first: date, last: date, covered_to: int | None = None,
              provisional_from: int | None = None) -> None:
        end = covered_to if covered_to is not None else day_end(last)
        frame = synthetic_candles(day_start(first), min(end, day_end(last)), key.interval, False)
        self.stores[key.segment].write(key, frame, [(day_start(first), end)], provisional_from=provisional_from)

    def sync(self, run: bool = True, tracked: tuple[TrackedSeries, ...] = ()) -> SyncSeries:
        runner = RunJob(self.jobs, self.fetch, self.clock)

        def submit(job_id: str) -> None:
            self.submitted.append(job_id)
            if run:
                runner.execute(job_id)

        start = StartJob(self.jobs, submit, self.clock)
        resolve = ResolveTracked(MemoryTracked(TrackedList(tracked)), self.catalog, self.source, self.clock)
        return SyncSeries(resolve, self.stores, self.catalog, start, self.clock, self.calendar)

    def job(self, job_id: str) -> Job:
        job = self.jobs.load(job_id)
        assert job is not None
        return job


def test_thousands_of_up_to_date_series_are_planned_fast_with_no_item_and_no_request(capsys):
    world = World(5000, at(FRIDAY, 18))
    for i in range(5000):
        world.store(world.key(i), FRIDAY - timedelta(days=11), FRIDAY)
    asked_before = len(world.calendar.asked)
    started_at = time.perf_counter()
    started = world.sync().execute()
    elapsed = time.perf_counter() - started_at
    with capsys.disabled():
        print(f"\nsync plan of 5,000 up-to-date series: {elapsed:.3f} s, {elapsed / 5000 * 1e6:.0f} µs a series")
    job = world.job(started.job.id)
    assert (job.status, job.items, len(job.summary.up_to_date)) == (JobStatus.COMPLETED, [], 5000)
    assert len(started.up_to_date) == 5000 and world.source.calls == [] and job.progress == 100.0
    assert len(world.calendar.asked) - asked_before < 10  # one plan asks the calendar each question once
    assert elapsed < 2.0


class _CountingStore(InMemoryCandleStore):
    """Counts metadata reads of one series (`info`) outside a listing of all of them (`describe`)."""

    def __init__(self, segment: Segment) -> None:
        super().__init__(segment)
        self.infos = 0

    def info(self, key):
        self.infos += 1
        return super().info(key)

    def describe(self):
        description = super().describe()
        self.infos -= len(description.series)
        return description


def test_tracked_series_are_looked_up_in_the_one_listing_of_stored_ones():
    world = World(300, at(FRIDAY, 18))
    world.stores[Segment.EQUITY] = store = _CountingStore(Segment.EQUITY)
    world.fetch = FetchHistory(world.source, world.stores, world.catalog, world.clock, world.calendar)
    tracked = tuple(TrackedSeries(f"t{i}", Exchange.NSE, world.instruments[i].tradingsymbol, (Interval.DAY,),
                                  FRIDAY - timedelta(days=11)) for i in range(200))
    for i in range(300):
        world.store(world.key(i), FRIDAY - timedelta(days=11), FRIDAY)
    store.infos = 0
    assert len(world.sync(tracked=tracked).execute().up_to_date) == 300 and store.infos == 0
    assert len(world.sync(tracked=tracked).execute(only=["t1", "t2"]).up_to_date) == 2 and store.infos == 2


def test_series_with_something_due_become_items_and_the_others_stay_up_to_date():
    monday = FRIDAY + timedelta(days=3)
    world = World(5, at(monday, 7))  # Monday before 08:00: Friday's day candle is still provisional
    for i in range(4):
        world.store(world.key(i), FRIDAY - timedelta(days=11), FRIDAY)
    world.store(world.key(4, Interval.MINUTE), FRIDAY - timedelta(days=3), FRIDAY)
    stores = world.stores[Segment.EQUITY]
    stores.write(world.key(1), synthetic_candles(day_start(FRIDAY), day_end(FRIDAY), Interval.DAY, False),
                 [(day_start(FRIDAY), day_end(FRIDAY))], replace=(day_start(FRIDAY), day_end(FRIDAY)),
                 provisional_from=day_start(FRIDAY))
    stores.mark_stale([world.key(2)], day_start(FRIDAY), Adjustment.corporate_action(
        "ev1", at(FRIDAY, 18), FRIDAY, 2.0, (str(world.key(2)),)))
    early = world.sync(run=False).execute()
    planned = {i.symbol for i in world.job(early.job.id).items}
    assert planned == {"S00002"}  # stale: healed first. Friday's provisional close is not final yet
    assert {str(k) for k in early.up_to_date} == {"NSE:S00000:day", "NSE:S00001:day", "NSE:S00003:day",
                                                  "NSE:S00004:minute"}
    world.clock.now = at(monday, 9)  # 08:00 has passed: Friday's close is final, asked again
    assert {i.symbol for i in world.job(world.sync(run=False).execute().job.id).items} == {"S00001", "S00002"}
    world.clock.now = at(monday, 18)  # Monday's candles are complete: every series has a day to fetch
    assert len(world.job(world.sync(run=False).execute().job.id).items) == 5


def test_a_weekend_is_up_to_date_without_writing_coverage_and_monday_costs_one_request_each():
    world = World(2, at(FRIDAY, 18))
    world.store(world.key(0), FRIDAY - timedelta(days=11), FRIDAY)
    world.store(world.key(1, Interval.MINUTE), FRIDAY - timedelta(days=3), FRIDAY)
    saturday = FRIDAY + timedelta(days=1)
    world.clock.now = at(saturday + timedelta(days=1), 20)  # Sunday evening: only idle days since Friday
    writes = world.stores[Segment.EQUITY].writes
    started = world.sync().execute()
    assert world.job(started.job.id).items == [] and len(started.up_to_date) == 2
    assert world.stores[Segment.EQUITY].writes == writes and world.source.calls == []
    sunday = saturday + timedelta(days=1)
    sessions = world.calendar.sessions(Exchange.NSE, FRIDAY - timedelta(days=3), sunday)
    for key in (world.key(0), world.key(1, Interval.MINUTE)):  # the uncovered weekend is no gap
        info = world.stores[Segment.EQUITY].info(key)
        gaps = find_gaps(FRIDAY - timedelta(days=3), sunday, sessions, info.coverage, (), key.interval)
        assert gaps.never_fetched == ()
    world.clock.now = at(saturday + timedelta(days=2), 18)
    job = world.job(world.sync().execute().job.id)
    assert [i.requests_done for i in job.items] == [1, 1] and len(world.source.calls) == 2
    assert world.job(world.sync().execute().job.id).items == [] and len(world.source.calls) == 2


def test_nothing_tracked_or_stored_is_refused_and_a_job_with_nothing_due_keeps_its_summary():
    world = World(1, at(FRIDAY, 18))
    with pytest.raises(InvalidInput, match="nothing is tracked or stored"):
        world.sync().execute()
    world.store(world.key(0), FRIDAY - timedelta(days=11), FRIDAY)
    job = world.job(world.sync().execute().job.id)
    assert world.submitted == [] and job.status is JobStatus.COMPLETED and job.finished_at == world.clock.now
    assert job.summary.up_to_date == ("NSE:S00000:day",)


def test_a_waiting_scheduled_sync_with_nothing_due_is_completed_at_once():
    world = World(1, at(FRIDAY, 18))
    world.store(world.key(0), FRIDAY - timedelta(days=11), FRIDAY)
    waiting = Job.awaiting_login("w1", world.clock.now)
    world.jobs.save(waiting)
    started = world.sync().execute(into="w1")
    job = world.job("w1")
    assert started.job.id == "w1" and job.status is JobStatus.COMPLETED and job.summary.up_to_date
    assert world.submitted == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(interval=st.sampled_from([Interval.DAY, Interval.MINUTE]),
       last_back=st.integers(0, 6),
       covered_minutes=st.one_of(st.none(), st.integers(0, 24 * 60 - 1)),
       provisional_back=st.one_of(st.none(), st.integers(0, 3)),
       stale=st.booleans(),
       now_days=st.integers(0, 5), now_minutes=st.integers(0, 24 * 60 - 1))
def test_a_sync_plans_an_item_exactly_when_the_fetch_would_send_a_request(interval, last_back, covered_minutes,
                                                                         provisional_back, stale, now_days,
                                                                         now_minutes):
    last = FRIDAY - timedelta(days=last_back)
    now = day_start(last) + now_days * 86_400 + now_minutes * 60
    world = World(1, now)
    key = world.key(0, interval)
    covered_to = None if covered_minutes is None else day_start(last) + covered_minutes * 60
    marker = None
    if provisional_back is not None:
        opening = 0 if interval is Interval.DAY else 9 * 3600 + 15 * 60
        marker = day_start(last - timedelta(days=provisional_back)) + opening
    world.store(key, last - timedelta(days=8), last, covered_to, marker)
    info = world.stores[Segment.EQUITY].info(key)
    if info is None or info.last_ts is None or info.last_ts > now:
        return  # a series fetched in the future is no state a fetch leaves
    if stale:
        world.stores[Segment.EQUITY].mark_stale([key], info.last_ts, Adjustment.corporate_action(
            "ev", now, last, 2.0, (str(key),)))
    started = world.sync(run=False).execute()
    due = bool(world.job(started.job.id).items)
    assert due != bool(started.up_to_date)
    today = (datetime.fromtimestamp(now, IST)).date()
    last_day = datetime.fromtimestamp(info.last_ts, IST).date()
    request = FetchRequest(Segment.EQUITY, key.symbol, DateRange(min(last_day, today), today), interval, Exchange.NSE)
    result = world.fetch.execute(request)
    assert (result.requests > 0) == due, (result.requests, due, result.message)
