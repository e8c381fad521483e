"""JobRepository as one JSON file per job under `<data dir>/jobs`, replaced atomically on every save."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson

from application.job import Job


class JobFiles:
    def __init__(self, directory: Path) -> None:
        self._dir = Path(directory)
        self._lock = threading.Lock()
        self._update_lock = threading.RLock()

    def _path(self, job_id: str) -> Path:
        return self._dir / f"{job_id}.json"

    def save(self, job: Job) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)
        data = orjson.dumps(job.to_dict())
        with self._lock:
            scratch = self._dir / f".{job.id}.{os.getpid()}.{threading.get_ident()}.tmp"
            scratch.write_bytes(data)
            os.replace(scratch, self._path(job.id))

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
            return Job.from_dict(orjson.loads(self._path(job_id).read_bytes()))
        except FileNotFoundError:
            return None

    def all(self) -> list[Job]:
        if not self._dir.exists():
            return []
        jobs = []
        for path in self._dir.glob("*.json"):
            try:
                jobs.append(Job.from_dict(orjson.loads(path.read_bytes())))
            except (OSError, orjson.JSONDecodeError, TypeError, KeyError):
                continue
        return sorted(jobs, key=lambda j: j.created_at, reverse=True)
