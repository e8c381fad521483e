"""What a kitefetch process does once before it serves, kept out of `create_app()` (which only builds the app).

`kitefetch serve` runs the job sweep in gunicorn's master, once per server start and again whenever a worker
exits (its jobs would otherwise show "running" until the next start), and tunes gc in each worker after it
built its app; `kitefetch demo`, a single process, does both through `prepare_process`.
"""

from __future__ import annotations

import structlog

from bootstrap.container import Container
from bootstrap.runtime import tune_gc

log = structlog.get_logger(__name__)


def interrupt_orphaned_jobs(container: Container) -> int:
    """Jobs left queued or running by a process that is gone are shown as interrupted (resumable)."""
    interrupted = container.interrupt_orphaned_jobs().execute()
    if interrupted:
        log.warning("jobs_interrupted_by_restart", count=interrupted)
    return interrupted


def prepare_process(container: Container) -> None:
    """For a process that serves its app itself: sweep the jobs, then tune gc (after the app is built)."""
    interrupt_orphaned_jobs(container)
    tune_gc()
