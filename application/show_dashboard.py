"""ShowDashboard: what is stored, what was fetched lately, what is running, and whether the disk is filling up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from application.check_free_space import CheckFreeSpace, LowSpace
from application.fetch_record import FetchRecord
from application.job import Job
from application.list_tracked import ListTracked, TrackedPage
from application.ports import CandleStore, FetchLog, JobRepository, StoreDescription
from domain.market import Segment


@dataclass(frozen=True, slots=True)
class Dashboard:
    databases: tuple[StoreDescription, ...]
    recent_fetches: list[FetchRecord]
    recent_jobs: list[Job]
    low_space: LowSpace | None = None
    tracked: TrackedPage | None = None


class ShowDashboard:
    """Rules: answered from metadata, the fetch log, job files and the tracked file only: no candle is read, Kite
    is not asked. Low free space in the data dir (CheckFreeSpace) is shown with them; what is tracked a page of
    TRACKED_PER_PAGE at a time."""

    TRACKED_PER_PAGE = 50

    def __init__(self, stores: Mapping[Segment, CandleStore], fetch_log: FetchLog, jobs: JobRepository,
                 free_space: CheckFreeSpace | None = None, tracked: ListTracked | None = None) -> None:
        self._stores = stores
        self._fetch_log = fetch_log
        self._jobs = jobs
        self._free_space = free_space
        self._tracked = tracked

    def execute(self, limit: int = 20, tracked_page: int = 1) -> Dashboard:
        return Dashboard(tuple(self._stores[s].describe() for s in Segment), self._fetch_log.recent(limit),
                         self._jobs.all()[:limit], self._free_space.execute() if self._free_space else None,
                         self._tracked.execute(tracked_page, self.TRACKED_PER_PAGE) if self._tracked else None)
