"""The sync schedule of `kitefetch serve`: APScheduler calls ScheduledSync.tick at each KITEFETCH_SYNC_AT time and
every KITEFETCH_SYNC_TICK_SECONDS (a minute) besides, the first tick at start: a run missed while down is caught up
then, and a run waiting for a login starts within a tick of it. Off unless KITEFETCH_SYNC_AT is set. Every worker
runs one: the slot claims (files under the data dir) make exactly one of them, in one process, run each slot."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import TYPE_CHECKING

import structlog

from adapters.outbound.slot_claims import SlotClaimFiles
from application.scheduled_sync import ScheduledSync
from domain.clock_time import IST

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

    from bootstrap.container import Container

log = structlog.get_logger(__name__)


def scheduled_sync(container: Container) -> ScheduledSync:
    settings = container.settings()
    return ScheduledSync(
        sync=container.sync_series, jobs=container.jobs(),
        claims=SlotClaimFiles(settings.data_dir / "schedule", durable=settings.durable),
        logged_in=lambda: container.auth_status().execute().authenticated, calendar=container.calendar(),
        clock=container.clock(), times=settings.sync_at)


def start_scheduler(container: Container) -> BackgroundScheduler | None:
    """A started scheduler in this process, or None when no sync time is configured."""
    settings = container.settings()
    if not settings.sync_at:
        return None
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    sync = scheduled_sync(container)
    one_at_a_time = threading.Lock()

    def tick() -> None:
        with one_at_a_time:
            try:
                sync.tick()
            except Exception:  # noqa: BLE001 - the scheduler thread must live on to the next tick
                log.exception("scheduled_sync_crashed")

    scheduler = BackgroundScheduler(timezone=IST, job_defaults={"coalesce": True, "max_instances": 1,
                                                                "misfire_grace_time": None})
    for at in settings.sync_at:
        scheduler.add_job(tick, CronTrigger(hour=at.hour, minute=at.minute, timezone=IST), id=f"sync-{at:%H%M}")
    scheduler.add_job(tick, IntervalTrigger(seconds=settings.sync_tick_seconds, timezone=IST), id="sync-tick",
                      next_run_time=datetime.now(IST))  # at once: catches up a run missed while down
    scheduler.start()
    log.info("sync_schedule_started", times=[f"{at:%H:%M}" for at in settings.sync_at])
    return scheduler
