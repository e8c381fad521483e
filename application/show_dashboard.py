"""ShowDashboard: what is stored, what was fetched lately, what is running, and whether the disk is filling up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from application.check_free_space import CheckFreeSpace, LowSpace
from application.fetch_record import FetchRecord
from application.job import Job
from application.list_tracked import ListTracked, TrackedPage
from application.ports import CandleStore, FetchLog, JobRepository, StoreDescription
from domain.market import Segment


@dataclass(frozen=True, slots=True)
class SeriesPage:
    """One page of the stored series, taken across the databases in order: `windows[i]` is the (offset, limit)
    into `databases[i].series` (limit 0 where the page holds none of that database)."""

    windows: tuple[tuple[int, int], ...]
    total: int
    page: int  # from 1
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True, slots=True)
class Dashboard:
    databases: tuple[StoreDescription, ...]
    recent_fetches: list[FetchRecord]
    recent_jobs: list[Job]
    low_space: LowSpace | None = None
    tracked: TrackedPage | None = None
    series_page: SeriesPage | None = None


def page_windows(sizes: Sequence[int], page: int, per_page: int) -> tuple[tuple[int, int], ...]:
    """(offset, limit) into each of consecutive lists of `sizes` for items [(page-1)*per_page, page*per_page)."""
    start, end, before, windows = (page - 1) * per_page, page * per_page, 0, []
    for size in sizes:
        first, last = max(start - before, 0), min(end - before, size)
        windows.append((min(first, size), max(last - first, 0)))
        before += size
    return tuple(windows)


class ShowDashboard:
    """Rules: answered from metadata, the fetch log, job files and the tracked file only: no candle is read, Kite
    is not asked. Low free space in the data dir (CheckFreeSpace) is shown with them; what is tracked a page of
    TRACKED_PER_PAGE at a time; the stored series a page of SERIES_PER_PAGE at a time, EQUITY's then
    DERIVATIVES', counted with len() and sliced, never walked (a store's series may be lazy: 50,000 of them cost
    no more than a page). A page past the last is empty, not an error."""

    TRACKED_PER_PAGE = 50
    SERIES_PER_PAGE = 50

    def __init__(self, stores: Mapping[Segment, CandleStore], fetch_log: FetchLog, jobs: JobRepository,
                 free_space: CheckFreeSpace | None = None, tracked: ListTracked | None = None) -> None:
        self._stores = stores
        self._fetch_log = fetch_log
        self._jobs = jobs
        self._free_space = free_space
        self._tracked = tracked

    def execute(self, limit: int = 20, tracked_page: int = 1, series_page: int = 1) -> Dashboard:
        databases = tuple(self._stores[s].describe() for s in Segment)
        sizes = [len(d.series) for d in databases]
        series = SeriesPage(page_windows(sizes, series_page, self.SERIES_PER_PAGE), sum(sizes), series_page,
                            self.SERIES_PER_PAGE)
        return Dashboard(databases, self._fetch_log.recent(limit),
                         self._jobs.recent(limit), self._free_space.execute() if self._free_space else None,
                         self._tracked.execute(tracked_page, self.TRACKED_PER_PAGE) if self._tracked else None,
                         series)
