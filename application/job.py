"""A background batch: its items, their progress, and the job's life cycle.

The job owns its transitions; a use case asks for one and an illegal one raises Conflict:

    queued --start--> running --finish--> completed | failed (every item failed)
    queued --complete_empty--> completed (no items: a sync that found every series up to date)
    queued | running --request_cancel--> cancelling --cancel--> cancelled (unfinished items cancelled)
    queued | running --interrupt--> interrupted (a cancelling job interrupted ends cancelled: the cancel wins)
    interrupted --request_cancel--> cancelled (nothing runs it, so nothing needs to stop)
    interrupted | cancelled --resume--> queued (cancelled and running items queued again)
    needs_login --plan--> queued (a scheduled sync that found no valid token: its items are planned at login)
    needs_login --request_cancel--> cancelled
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from application.sync_summary import SyncSummary
from domain.errors import Conflict, DomainError


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    CANCELLING = "cancelling"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"
    NEEDS_LOGIN = "needs_login"


class JobKind(StrEnum):
    """What an item does: fetch a series (`request` is a FetchRequest's dict) or verify an instrument's stored
    history (`request` is {"exchange", "symbol"})."""

    FETCH = "fetch"
    VERIFY = "verify"


class ItemStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class JobOrigin(StrEnum):
    """Who started a job: a caller's batch (`batch`), a sync asked for (`sync`) or the schedule's (`scheduled`)."""

    BATCH = "batch"
    SYNC = "sync"
    SCHEDULED = "scheduled"


class JobOutcome(StrEnum):
    """How the items went, whatever the job's status: `partial` when some failed, `failed` when all did."""

    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"


ACTIVE = frozenset({JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.CANCELLING})
RESUMABLE = frozenset({JobStatus.INTERRUPTED, JobStatus.CANCELLED})
SETTLED = frozenset({ItemStatus.DONE, ItemStatus.FAILED})


@dataclass
class JobItem:
    """One batch request as submitted (raw fields, so a resumed job re-parses exactly what was asked)."""

    request: dict[str, Any]
    symbol: str
    status: ItemStatus = ItemStatus.QUEUED
    kind: JobKind = JobKind.FETCH
    requests_done: int = 0
    requests_total: int = 0
    records: int = 0
    rejected: int = 0
    elapsed_seconds: float = 0.0
    error: str | None = None
    error_type: str | None = None


@dataclass
class Job:
    id: str
    created_at: int
    items: list[JobItem]
    status: JobStatus = JobStatus.QUEUED
    owner_pid: int = 0
    updated_at: int = 0
    finished_at: int | None = None
    runs: int = 0
    origin: JobOrigin = JobOrigin.BATCH
    summary: SyncSummary | None = None  # a sync's: what it found up to date or left out (not items)

    @property
    def counts(self) -> dict[str, int]:
        states = [i.status for i in self.items]
        return {"total": len(states), "done": states.count(ItemStatus.DONE), "failed": states.count(ItemStatus.FAILED),
                "pending": sum(s in (ItemStatus.QUEUED, ItemStatus.RUNNING) for s in states),
                "cancelled": states.count(ItemStatus.CANCELLED)}

    @property
    def outcome(self) -> JobOutcome:
        failed = sum(i.status is ItemStatus.FAILED for i in self.items)
        if not failed:
            return JobOutcome.OK
        return JobOutcome.FAILED if failed == len(self.items) else JobOutcome.PARTIAL

    @property
    def progress(self) -> float:
        """Share of items finished, in percent (an item counts by its requests done while it runs)."""
        if not self.items:  # nothing to do, or not planned yet (waiting for a login)
            return 0.0 if self.status is JobStatus.NEEDS_LOGIN else 100.0
        parts = []
        for item in self.items:
            if item.status in SETTLED:
                parts.append(1.0)
            elif item.requests_total:
                parts.append(item.requests_done / item.requests_total)
            else:
                parts.append(0.0)
        return round(100.0 * sum(parts) / len(parts), 1)

    @property
    def active(self) -> bool:
        """Queued, running or cancelling: a runner owns it (or will), so it has not stopped yet."""
        return self.status in ACTIVE

    @classmethod
    def awaiting_login(cls, job_id: str, now: int) -> Job:
        """A job that cannot be planned without Kite (a scheduled sync while the token is dead): no items yet."""
        return cls(job_id, now, [], JobStatus.NEEDS_LOGIN, updated_at=now, origin=JobOrigin.SCHEDULED)

    # The job's own transitions.

    def plan(self, items: list[JobItem], summary: SyncSummary | None = None) -> None:
        """A job waiting for a login gets its items (and the sync's summary), and runs."""
        self._require({JobStatus.NEEDS_LOGIN}, "plan")
        self.items, self.status, self.summary = items, JobStatus.QUEUED, summary

    def complete_empty(self, now: int) -> None:
        """A queued job without items (a sync that found every series up to date) has nothing to run: it is
        completed at once, without a runner."""
        self._require({JobStatus.QUEUED}, "complete")
        if self.items:
            raise Conflict(f"job {self.id} has items to run")
        self.status, self.finished_at = JobStatus.COMPLETED, now

    def start(self, pid: int) -> None:
        """A run begins in process `pid`; a cancel that landed before it stays pending (the run stops at once)."""
        self._require(ACTIVE - {JobStatus.RUNNING}, "start")
        if self.status is JobStatus.QUEUED:
            self.status = JobStatus.RUNNING
        self.owner_pid, self.runs = pid, self.runs + 1

    def request_cancel(self) -> None:
        """Ask the runner to stop between two requests; an interrupted or waiting job, which nothing runs, stops at
        once."""
        if self.status is JobStatus.CANCELLING:
            return
        self._require({JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.INTERRUPTED, JobStatus.NEEDS_LOGIN}, "cancel")
        if self.status in (JobStatus.INTERRUPTED, JobStatus.NEEDS_LOGIN):
            self._stop(JobStatus.CANCELLED, ItemStatus.CANCELLED, self.finished_at)
        else:
            self.status = JobStatus.CANCELLING

    def cancel(self, now: int) -> None:
        """The runner stops for a cancel (it may see its stop signal before the cancel reaches its copy)."""
        self._require({JobStatus.RUNNING, JobStatus.CANCELLING}, "stop for a cancel")
        self._stop(JobStatus.CANCELLED, ItemStatus.CANCELLED, now)

    def interrupt(self, now: int, reason: DomainError | None = None) -> None:
        """The run stopped before its end (a rejected token, a dead process); `reason` is kept on the item that
        was running, which runs again on resume. A pending cancel wins: the job ends cancelled."""
        self._require(ACTIVE, "interrupt")
        for item in self.items:
            if item.status is ItemStatus.RUNNING and reason is not None:
                item.error, item.error_type = reason.message, reason.error_type
        if self.status is JobStatus.CANCELLING:
            self._stop(JobStatus.CANCELLED, ItemStatus.CANCELLED, now)
        else:
            self._stop(JobStatus.INTERRUPTED, ItemStatus.QUEUED, now)

    def resume(self) -> None:
        """Run again what is not done yet: items done or failed stay as they are."""
        self._require(RESUMABLE, "resume")
        self.status, self.finished_at = JobStatus.QUEUED, None
        for item in self.items:
            if item.status in (ItemStatus.RUNNING, ItemStatus.CANCELLED):
                item.status = ItemStatus.QUEUED

    def finish(self, now: int) -> None:
        """Every item is done or failed: the job is `failed` when all of them failed, else `completed`."""
        self._require({JobStatus.RUNNING, JobStatus.CANCELLING}, "finish")
        if any(item.status not in SETTLED for item in self.items):
            raise Conflict(f"job {self.id} still has unfinished items")
        self.status = JobStatus.FAILED if self.outcome is JobOutcome.FAILED else JobStatus.COMPLETED
        self.finished_at = now

    # Its items' transitions, made by the runner.

    def start_item(self, index: int) -> JobItem:
        self._require({JobStatus.RUNNING}, "start an item")
        item = self._item(index, {ItemStatus.QUEUED}, "start")
        item.status = ItemStatus.RUNNING
        return item

    def item_progressed(self, index: int, requests_done: int, requests_total: int, records: int) -> None:
        item = self._item(index, {ItemStatus.RUNNING}, "report progress on")
        item.requests_done, item.requests_total, item.records = requests_done, requests_total, records

    def finish_item(self, index: int, records: int, rejected: int, requests: int, elapsed_seconds: float) -> None:
        item = self._item(index, {ItemStatus.RUNNING}, "finish")
        item.status, item.records, item.rejected = ItemStatus.DONE, records, rejected
        item.requests_done = item.requests_total = max(item.requests_total, requests)
        item.elapsed_seconds, item.error, item.error_type = elapsed_seconds, None, None

    def fail_item(self, index: int, error: DomainError) -> None:
        """The item cannot succeed (a bad request, an unknown symbol, Kite refusing it); the others go on."""
        item = self._item(index, {ItemStatus.QUEUED, ItemStatus.RUNNING}, "fail")
        item.status, item.error, item.error_type = ItemStatus.FAILED, error.message, error.error_type

    def _stop(self, status: JobStatus, unfinished: ItemStatus, now: int | None) -> None:
        self.status, self.finished_at = status, now
        for item in self.items:
            if item.status not in SETTLED:
                item.status = unfinished

    def _require(self, allowed: set[JobStatus] | frozenset[JobStatus], action: str) -> None:
        if self.status not in allowed:
            raise Conflict(f"job {self.id} is {self.status}: cannot {action} it")

    def _item(self, index: int, allowed: set[ItemStatus], action: str) -> JobItem:
        item = self.items[index]
        if item.status not in allowed:
            raise Conflict(f"item {index} of job {self.id} is {item.status}: cannot {action} it")
        return item
