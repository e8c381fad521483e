"""JobRepository as one JSON file per job under `<data dir>/jobs`, replaced atomically on every save.

The file format is this adapter's: the job model knows nothing of JSON. Files written before jobs had a
`cancelling` status (a `cancel_requested` flag beside `running`) still load; `cancel_requested` is still
written, so an older kitefetch reads these files too. A damaged file (torn, truncated, not a job) is skipped with a
warning naming it: the other jobs still list and the server still starts; a refused write is a StorageFull or
StorageUnavailable. Items written before they had a `kind` are fetches."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson

from adapters.outbound.atomic_file import make_directory, write_file
from adapters.outbound.damaged_file import DamageLog
from adapters.outbound.storage_errors import storage_error, storage_errors
from application.job import ItemStatus, Job, JobItem, JobKind, JobOrigin, JobStatus

_ITEM_FIELDS = ("request", "symbol", "requests_done", "requests_total", "records", "rejected", "elapsed_seconds",
                "error", "error_type")


def job_to_dict(job: Job) -> dict:
    return {"id": job.id, "created_at": job.created_at, "status": job.status.value, "owner_pid": job.owner_pid,
            "updated_at": job.updated_at, "finished_at": job.finished_at,
            "cancel_requested": job.status is JobStatus.CANCELLING, "runs": job.runs,
            "origin": job.origin.value,
            "items": [{**{name: getattr(item, name) for name in _ITEM_FIELDS}, "status": item.status.value,
                       "kind": item.kind.value} for item in job.items]}


def job_from_dict(data: dict) -> Job:
    """A job as saved; KeyError, TypeError or ValueError when the file is not one."""
    status = JobStatus(data["status"])
    if data.get("cancel_requested") and status in (JobStatus.QUEUED, JobStatus.RUNNING):
        status = JobStatus.CANCELLING  # the older format's pending cancel
    items = [JobItem(**{name: item[name] for name in _ITEM_FIELDS if name in item},
                     status=ItemStatus(item["status"]), kind=JobKind(item.get("kind", JobKind.FETCH)))
             for item in data["items"]]
    return Job(id=data["id"], created_at=data["created_at"], items=items, status=status,
               owner_pid=data.get("owner_pid", 0), updated_at=data.get("updated_at", 0),
               finished_at=data.get("finished_at"), runs=data.get("runs", 0),
               origin=JobOrigin(data.get("origin", JobOrigin.BATCH)))


class JobFiles:
    def __init__(self, directory: Path, durable: bool = True) -> None:
        self._dir = Path(directory)
        self._durable = durable  # fsync each save (atomic_file.py); off only for benchmarks
        self._lock = threading.Lock()
        self._update_lock = threading.RLock()
        self._damage = DamageLog()

    def _path(self, job_id: str) -> Path:
        return self._dir / f"{job_id}.json"

    def save(self, job: Job) -> None:
        data = orjson.dumps(job_to_dict(job))
        with storage_errors(self._dir), self._lock:
            make_directory(self._dir, durable=self._durable)
            write_file(self._path(job.id), data, durable=self._durable)

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """One updater at a time across threads (the lock) and processes (flock on `.lock`)."""
        make_directory(self._dir, durable=self._durable)
        with self._update_lock:
            fd = os.open(self._dir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # releases the flock

    def update(self, job_id: str, change: Callable[[Job | None], Job]) -> Job:
        with storage_errors(self._dir), self._exclusive():
            job = change(self.load(job_id))
            self.save(job)
            return job

    def load(self, job_id: str) -> Job | None:
        """None when there is no such job, or its file is damaged (logged)."""
        path = self._path(job_id)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise storage_error(error, self._dir) from error
        return self._decode(path, raw)

    def all(self) -> list[Job]:
        if not self._dir.exists():
            return []
        jobs = []
        for path in self._dir.glob("*.json"):
            try:
                job = self._decode(path, path.read_bytes())
            except OSError as error:  # gone since the listing, or unreadable: the others still list
                if not isinstance(error, FileNotFoundError):
                    self._damage.warn("job_file_unreadable_skipped", path, error=str(error))
                continue
            if job is not None:
                jobs.append(job)
        return sorted(jobs, key=lambda j: j.created_at, reverse=True)

    def _decode(self, path: Path, raw: bytes) -> Job | None:
        try:
            return job_from_dict(orjson.loads(raw))
        except (orjson.JSONDecodeError, TypeError, KeyError, ValueError, AttributeError) as error:
            self._damage.warn("job_file_damaged_skipped", path, error=f"{type(error).__name__}: {error}"[:200])
            return None
