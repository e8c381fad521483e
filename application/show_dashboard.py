"""ShowDashboard: what is stored, what was fetched lately, what is running, and whether the disk is filling up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from application.check_free_space import CheckFreeSpace, LowSpace
from application.fetch_record import FetchRecord
from application.job import Job
from application.ports import CandleStore, FetchLog, JobRepository, StoreDescription
from domain.market import Segment


@dataclass(frozen=True, slots=True)
class Dashboard:
    databases: tuple[StoreDescription, ...]
    recent_fetches: list[FetchRecord]
    recent_jobs: list[Job]
    low_space: LowSpace | None = None


class ShowDashboard:
    """Rules: answered from metadata, the fetch log and job files only: no candle is read. Low free space in the
    data dir (CheckFreeSpace) is shown with them."""

    def __init__(self, stores: Mapping[Segment, CandleStore], fetch_log: FetchLog, jobs: JobRepository,
                 free_space: CheckFreeSpace | None = None) -> None:
        self._stores = stores
        self._fetch_log = fetch_log
        self._jobs = jobs
        self._free_space = free_space

    def execute(self, limit: int = 20) -> Dashboard:
        return Dashboard(tuple(self._stores[s].describe() for s in Segment), self._fetch_log.recent(limit),
                         self._jobs.all()[:limit], self._free_space.execute() if self._free_space else None)
