"""SyncSeries: bring every tracked and every stored series up to the last completed candle, as one job."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import structlog

from application.fetch_plan import RememberedSessions, plan_request
from application.fetch_request import FetchRequest
from application.job import Job, JobOrigin
from application.ports import CandleStore, Clock, InstrumentCatalog, SeriesInfo, TradingCalendar
from application.resolve_tracked import ResolvedSeries, ResolveTracked
from application.start_job import StartJob
from application.sync_summary import Skipped, SyncSummary
from domain.clock_time import ist_date
from domain.date_range import DateRange
from domain.errors import InvalidInput
from domain.instrument import SeriesKey
from domain.market import Segment

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class SyncStarted:
    """The job fetching the series with something due, what was up to date (no item), and what was left out."""

    job: Job
    skipped: tuple[Skipped, ...]
    up_to_date: tuple[SeriesKey, ...] = ()


@dataclass(slots=True)
class _Wanted:
    key: SeriesKey
    start: date
    end: date
    info: SeriesInfo | None


class SyncSeries:
    """Plan the fetches that bring every series up to date, and start them as one background job.

    Rules: a sync covers every tracked entry, resolved today (ResolveTracked), and every stored series; with
    `only`, just those tracked entries. Each request is incremental, so what is stored is never asked again and
    a sync right after another sends no request; it ends `today` (IST), which FetchHistory clamps to the last
    completed candle, or at a contract's expiry. Where a series starts:
    - a tracked symbol, or a rule with a `from_date`: there;
    - a rule's contract without one (from its first candle): where its stored series starts, else `today` less
      the interval's one-request span (60 days of minutes, 2000 of days): exactly one request reaches back, and
      Kite answers the days before the listing with no candles. We do not probe for the listing date: that costs
      a request per contract up front, in the caller's request, for contracts that (being among the nearest
      expiries) are almost always younger than that span; an older one's intraday start is lost, and says so in
      the README;
    - any other stored series: its last candle's day (its coverage's end when it holds none).
    A series both tracked and stored is fetched once, from the earlier start. Each series is planned up front by
    FetchHistory's own rules (plan_request: coverage, the last completed candle, provisional candles now final, a
    stale mark to heal): one with no request due is up to date, counted and listed in the job's summary, not an
    item (a stretch without a session is not fetched either: its coverage says nothing a gap report or a later
    plan uses). A job with no item at all is completed at once. A contract past its expiry, or that the catalog
    marks expired (it left the dump), is finished: skipped, not an error; so is a stored series whose symbol the
    catalog does not know. A tracked entry that cannot be resolved is skipped with its error, the others go on;
    AuthRequired stops the sync before any job starts. No series to keep current at all (nothing tracked or
    stored, or all of it skipped) is InvalidInput.
    """

    def __init__(self, resolve: ResolveTracked, stores: Mapping[Segment, CandleStore], catalog: InstrumentCatalog,
                 start_job: StartJob, clock: Clock, calendar: TradingCalendar) -> None:
        self._resolve = resolve
        self._stores = stores
        self._catalog = catalog
        self._start_job = start_job
        self._clock = clock
        self._calendar = calendar

    def execute(self, only: Sequence[str] | None = None, into: str | None = None,
                origin: JobOrigin = JobOrigin.SYNC) -> SyncStarted:
        """`into`: a job waiting for a login (a scheduled sync), which gets the plan instead of a new job."""
        now = self._clock.now_ts()
        today = ist_date(now)
        wanted: dict[SeriesKey, _Wanted] = {}
        skipped: list[Skipped] = []
        # Every stored series' metadata in one pass (a sync covers them all), which the tracked ones are looked up
        # in too: thousands of captured contracts are not thousands of metadata reads more.
        stored = None if only is not None else {
            info.key: info for store in self._stores.values() for info in store.describe().series}
        for resolution in self._resolve.execute(only):
            if resolution.error is not None:
                skipped.append(Skipped(resolution.entry.id, resolution.error.message, False, resolution.entry.id,
                                       resolution.error.error_type))
                continue
            for series in resolution.series():
                info = stored.get(series.key) if stored is not None else self._stores[series.key.segment].info(
                    series.key)
                self._want_tracked(series, info, today, wanted, skipped)
        if stored is not None:
            decided = {*wanted, *(s.key for s in skipped if s.key is not None)}
            for key, info in stored.items():
                if key not in decided:
                    self._want_stored(info, today, wanted, skipped)
        if not wanted:
            raise InvalidInput("Nothing to sync: " + ("; ".join(f"{s.what}: {s.reason}" for s in skipped[:5])
                                                      if skipped else "nothing is tracked or stored"))
        requests: list[FetchRequest] = []
        up_to_date: list[SeriesKey] = []
        calendar = RememberedSessions(self._calendar)
        for w in wanted.values():
            request = FetchRequest(w.key.segment, w.key.symbol, DateRange(w.start, w.end), w.key.interval,
                                   w.key.exchange)
            if plan_request(request, w.key.exchange, w.info, now, calendar).due:
                requests.append(request)
            else:
                up_to_date.append(w.key)
        summary = SyncSummary(tuple(str(k) for k in up_to_date), tuple(skipped))
        job = self._start_job.execute(requests, into, origin, summary)
        log.info("sync_started", job_id=job.id, series=len(requests), up_to_date=len(up_to_date),
                 skipped=len(skipped))
        return SyncStarted(job, tuple(skipped), tuple(up_to_date))

    def _want_tracked(self, series: ResolvedSeries, info: SeriesInfo | None, today: date,
                      wanted: dict[SeriesKey, _Wanted], skipped: list[Skipped]) -> None:
        if series.until is not None and series.until < today or series.instrument.expired:
            skipped.append(Skipped(str(series.key), f"finished: expired {series.until}", True, series.tracked_id,
                                   key=series.key))
            return
        end = min(today, series.until) if series.until else today
        start = series.from_date
        if start is None:
            first = _first_day(info) if info else None
            start = first or today - timedelta(days=series.key.interval.max_span_days - 1)
        self._add(wanted, series.key, min(start, end), end, info)

    def _want_stored(self, info: SeriesInfo, today: date, wanted: dict[SeriesKey, _Wanted],
                     skipped: list[Skipped]) -> None:
        key = info.key
        instrument = self._catalog.lookup(key.exchange, key.symbol)
        if instrument is None:
            skipped.append(Skipped(str(key), f"finished: {key.exchange.value} no longer lists {key.symbol}", True))
            return
        if instrument.expired or instrument.expiry is not None and instrument.expiry < today:
            skipped.append(Skipped(str(key), f"finished: expired {instrument.expiry}", True))
            return
        end = min(today, instrument.expiry) if instrument.expiry else today
        start = _last_day(info) or end
        self._add(wanted, key, min(start, end), end, info)

    @staticmethod
    def _add(wanted: dict[SeriesKey, _Wanted], key: SeriesKey, start: date, end: date,
             info: SeriesInfo | None) -> None:
        seen = wanted.get(key)
        if seen is None:
            wanted[key] = _Wanted(key, start, end, info)
        else:
            seen.start, seen.end = min(seen.start, start), max(seen.end, end)


def _first_day(info: SeriesInfo) -> date | None:
    spans = info.coverage.spans
    if spans:
        return ist_date(spans[0][0])
    return ist_date(info.first_ts) if info.first_ts is not None else None


def _last_day(info: SeriesInfo) -> date | None:
    if info.last_ts is not None:
        return ist_date(info.last_ts)
    spans = info.coverage.spans
    return ist_date(spans[-1][1]) if spans else None
