"""What a kitefetch process does once before it serves, kept out of `create_app()` (which only builds the app).

`kitefetch serve` runs the job sweep in gunicorn's master, once per server start and again whenever a worker
exits (its jobs would otherwise show "running" until the next start), and tunes gc in each worker after it
built its app; `kitefetch demo`, a single process, does both through `prepare_process`.
"""

from __future__ import annotations

import structlog

from bootstrap.container import Container
from bootstrap.runtime import tune_gc
from domain.errors import StorageFailure

log = structlog.get_logger(__name__)


def interrupt_orphaned_jobs(container: Container) -> int:
    """Jobs left queued or running by a process that is gone are shown as interrupted (resumable). A data dir that
    refuses the job files (full, read-only) leaves them as they are, with a warning: the server starts all the same."""
    try:
        interrupted = container.interrupt_orphaned_jobs().execute()
    except StorageFailure as error:
        log.warning("job_sweep_failed", error=error.message)
        return 0
    if interrupted:
        log.warning("jobs_interrupted_by_restart", count=interrupted)
    return interrupted


def warn_if_low_on_space(container: Container) -> None:
    """A log line when the data dir has less free space than KITEFETCH_MIN_FREE_MB (the dashboard shows it too)."""
    low = container.check_free_space().execute()
    if low is not None:
        log.warning("data_dir_low_on_space", directory=low.directory, free_mb=low.free_mb, minimum_mb=low.minimum_mb)


def prepare_process(container: Container) -> None:
    """For a process that serves its app itself: sweep the jobs, then tune gc (after the app is built)."""
    interrupt_orphaned_jobs(container)
    tune_gc()
