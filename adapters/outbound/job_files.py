"""JobRepository as one JSON file per job under `<data dir>/jobs`, replaced atomically on every save.

The file format is this adapter's: the job model knows nothing of JSON. Files written before jobs had a
`cancelling` status (a `cancel_requested` flag beside `running`) still load; `cancel_requested` is still
written, so an older kitefetch reads these files too."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson

from adapters.outbound.atomic_file import write_file
from application.job import ItemStatus, Job, JobItem, JobStatus

_ITEM_FIELDS = ("request", "symbol", "requests_done", "requests_total", "records", "rejected", "elapsed_seconds",
                "error", "error_type")


def job_to_dict(job: Job) -> dict:
    return {"id": job.id, "created_at": job.created_at, "status": job.status.value, "owner_pid": job.owner_pid,
            "updated_at": job.updated_at, "finished_at": job.finished_at,
            "cancel_requested": job.status is JobStatus.CANCELLING, "runs": job.runs,
            "items": [{**{name: getattr(item, name) for name in _ITEM_FIELDS}, "status": item.status.value}
                      for item in job.items]}


def job_from_dict(data: dict) -> Job:
    """A job as saved; KeyError, TypeError or ValueError when the file is not one."""
    status = JobStatus(data["status"])
    if data.get("cancel_requested") and status in (JobStatus.QUEUED, JobStatus.RUNNING):
        status = JobStatus.CANCELLING  # the older format's pending cancel
    items = [JobItem(**{name: item[name] for name in _ITEM_FIELDS if name in item},
                     status=ItemStatus(item["status"])) for item in data["items"]]
    return Job(id=data["id"], created_at=data["created_at"], items=items, status=status,
               owner_pid=data.get("owner_pid", 0), updated_at=data.get("updated_at", 0),
               finished_at=data.get("finished_at"), runs=data.get("runs", 0))


class JobFiles:
    def __init__(self, directory: Path, durable: bool = True) -> None:
        self._dir = Path(directory)
        self._durable = durable  # fsync each save (atomic_file.py); off only for benchmarks
        self._lock = threading.Lock()
        self._update_lock = threading.RLock()

    def _path(self, job_id: str) -> Path:
        return self._dir / f"{job_id}.json"

    def save(self, job: Job) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)
        data = orjson.dumps(job_to_dict(job))
        with self._lock:
            write_file(self._path(job.id), data, durable=self._durable)

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """One updater at a time across threads (the lock) and processes (flock on `.lock`)."""
        self._dir.mkdir(parents=True, exist_ok=True)
        with self._update_lock:
            fd = os.open(self._dir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # releases the flock

    def update(self, job_id: str, change: Callable[[Job | None], Job]) -> Job:
        with self._exclusive():
            job = change(self.load(job_id))
            self.save(job)
            return job

    def load(self, job_id: str) -> Job | None:
        try:
            return job_from_dict(orjson.loads(self._path(job_id).read_bytes()))
        except FileNotFoundError:
            return None

    def all(self) -> list[Job]:
        if not self._dir.exists():
            return []
        jobs = []
        for path in self._dir.glob("*.json"):
            try:
                jobs.append(job_from_dict(orjson.loads(path.read_bytes())))
            except (OSError, orjson.JSONDecodeError, TypeError, KeyError, ValueError):
                continue
        return sorted(jobs, key=lambda j: j.created_at, reverse=True)
