"""Where background jobs run: a small thread pool in the process that accepted them."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import structlog

from application.context_pool import submit_in_context
from application.run_job import RunJob

log = structlog.get_logger(__name__)


class JobExecutor:
    def __init__(self, run_job: Callable[[], RunJob], workers: int = 2) -> None:
        self._run_job = run_job
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="job")
        self._stops: dict[str, threading.Event] = {}

    def submit(self, job_id: str) -> None:
        """Run the job in a copy of the submitter's context: it fetches with the Kite session that started it
        and its log lines keep that request's id."""
        stop = self._stops.setdefault(job_id, threading.Event())
        stop.clear()
        submit_in_context(self._pool, self._run, job_id, stop)

    def signal(self, job_id: str) -> None:
        self._stops.setdefault(job_id, threading.Event()).set()

    def _run(self, job_id: str, stop: threading.Event) -> None:
        structlog.contextvars.bind_contextvars(job_id=job_id)  # in this task's own context copy only
        try:
            self._run_job().execute(job_id, should_stop=stop.is_set)
        except Exception:  # noqa: BLE001 - a crashed job (RunJob marked it interrupted) is logged; the pool lives on
            log.exception("job_crashed", job_id=job_id)
        finally:
            self._stops.pop(job_id, None)


def process_alive(pid: int) -> bool:
    """Whether `pid` could still be running a job: a zombie (dead, not yet reaped: a killed worker whose parent died
    too, under a PID 1 that never reaps, as in many containers) runs nothing."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] == b"Z"  # the state follows the parenthesised name
    except (OSError, IndexError):
        return False  # no /proc (macOS): kill(pid, 0) has answered
