"""JobRepository as one JSON file per job under `<data dir>/jobs`, replaced atomically on every save.

The file format is this adapter's: the job model knows nothing of JSON. Files written before jobs had a
`cancelling` status (a `cancel_requested` flag beside `running`) still load; `cancel_requested` is still
written, so an older kitefetch reads these files too. A damaged file (torn, truncated, not a job) is skipped with a
warning naming it: the other jobs still list and the server still starts; a refused write is a StorageFull or
StorageUnavailable. Items written before they had a `kind` are fetches, jobs before they had a `summary` none.

A year of daily syncs is hundreds of files, some of thousands of items (megabytes of JSON): listing the recent
ones reads only those (by file time), and finding the jobs in a state, or a running job's status (is it being
cancelled?), reads each file's first bytes (the job's `status` is written before its items) and parses only the
matches. Updates serialise on `jobs.lock`
(InterProcessLock: a bounded wait, then StoreBusy)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

import orjson

from adapters.outbound.atomic_file import make_directory, write_file
from adapters.outbound.damaged_file import DamageLog
from adapters.outbound.hdf5.file_lock import InterProcessLock
from adapters.outbound.storage_errors import storage_error, storage_errors
from application.job import ItemStatus, Job, JobItem, JobKind, JobOrigin, JobStatus
from application.sync_summary import Skipped, SyncSummary

_ITEM_FIELDS = ("request", "symbol", "requests_done", "requests_total", "records", "rejected", "elapsed_seconds",
                "error", "error_type")
_SKIPPED_FIELDS = ("what", "reason", "finished", "tracked_id", "error_type")
_STATUS = re.compile(rb'"status"\s*:\s*"([a-z_]+)"')
_ORIGIN = re.compile(rb'"origin"\s*:\s*"([a-z_]+)"')
_HEAD_BYTES = 512  # the fields before `items` (id, created_at, status) fit well within this
LOCK_TIMEOUT_SECONDS = 10.0


def _summary_to_dict(summary: SyncSummary) -> dict:
    return {"up_to_date": list(summary.up_to_date),
            "skipped": [{name: getattr(s, name) for name in _SKIPPED_FIELDS} for s in summary.skipped]}


def _summary_from_dict(data: dict) -> SyncSummary:
    return SyncSummary(tuple(str(k) for k in data["up_to_date"]),
                       tuple(Skipped(**{name: s[name] for name in _SKIPPED_FIELDS if name in s})
                             for s in data["skipped"]))


def job_to_dict(job: Job) -> dict:
    return {"id": job.id, "created_at": job.created_at, "status": job.status.value, "owner_pid": job.owner_pid,
            "updated_at": job.updated_at, "finished_at": job.finished_at,
            "cancel_requested": job.status is JobStatus.CANCELLING, "runs": job.runs,
            "origin": job.origin.value,
            **({"summary": _summary_to_dict(job.summary)} if job.summary is not None else {}),
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
               origin=JobOrigin(data.get("origin", JobOrigin.BATCH)),
               summary=_summary_from_dict(data["summary"]) if data.get("summary") is not None else None)


class JobFiles:
    def __init__(self, directory: Path, durable: bool = True, lock_timeout: float = LOCK_TIMEOUT_SECONDS) -> None:
        self._dir = Path(directory)
        self._durable = durable  # fsync each save (atomic_file.py); off only for benchmarks
        self._lock = threading.Lock()
        self._update_lock = InterProcessLock(self._dir / "jobs.lock", lock_timeout)
        self._damage = DamageLog()

    def _path(self, job_id: str) -> Path:
        return self._dir / f"{job_id}.json"

    def save(self, job: Job) -> None:
        data = orjson.dumps(job_to_dict(job))
        with storage_errors(self._dir), self._lock:
            make_directory(self._dir, durable=self._durable)
            write_file(self._path(job.id), data, durable=self._durable)

    def update(self, job_id: str, change: Callable[[Job | None], Job]) -> Job:
        """One updater at a time across threads and processes; StoreBusy when the lock stays taken."""
        with storage_errors(self._dir):
            make_directory(self._dir, durable=self._durable)
            with self._update_lock.hold(exclusive=True):
                job = change(self.load(job_id))
                self.save(job)
                return job

    def save_progress(self, job: Job, merge: Callable[[JobStatus | None], None]) -> None:
        with storage_errors(self._dir):
            make_directory(self._dir, durable=self._durable)
            with self._update_lock.hold(exclusive=True):
                merge(self.status_of(job.id))
                self.save(job)

    def status_of(self, job_id: str) -> JobStatus | None:
        """From the file's first bytes (one small read), else from the whole file."""
        head = self._status(self._path(job_id))
        if head is not None:
            return head
        job = self.load(job_id)
        return job.status if job else None

    def revision(self, job_id: str) -> tuple[int, int, int] | None:
        """The file's inode, size and modification time, from one stat: every save renames a new file over it
        (write_file), so a save changes one of them unless it lands in the same clock tick, at the same size, on an
        inode number the replaced file just freed."""
        try:
            stat = self._path(job_id).stat()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise storage_error(error, self._dir, reading=True) from error
        return stat.st_ino, stat.st_size, stat.st_mtime_ns

    def load(self, job_id: str) -> Job | None:
        """None when there is no such job, or its file is damaged (logged)."""
        path = self._path(job_id)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise storage_error(error, self._dir, reading=True) from error
        return self._decode(path, raw)

    def all(self) -> list[Job]:
        return self._sorted(self._read(path) for path in self._files())

    def recent(self, limit: int = 50) -> list[Job]:
        """The `limit` jobs whose files were written last, newest created first; reads no other file."""
        jobs: list[Job] = []
        for _, path in sorted(self._stamped(), reverse=True):
            if len(jobs) >= limit:
                break
            job = self._read(path)
            if job is not None:
                jobs.append(job)
        return self._sorted(jobs)

    def with_status(self, statuses: Collection[JobStatus]) -> list[Job]:
        """The jobs in one of `statuses`, newest first: only the files whose first bytes say so are parsed (a file
        whose first bytes do not show the job's status, as older ones wrote items first, is parsed whole)."""
        matches = []
        for path in self._files():
            status = self._status(path)
            if status is None or status in statuses:
                job = self._read(path)
                if job is not None and job.status in statuses:
                    matches.append(job)
        return self._sorted(matches)

    def newest(self, origins: Collection[JobOrigin]) -> Job | None:
        """Files looked at newest written first, by their first bytes; a file with no origin there (written before
        jobs had one) is a batch."""
        wanted = {o.value.encode() for o in origins}
        for _, path in sorted(self._stamped(), reverse=True):
            head = self._head(path)
            found = _ORIGIN.search(head)
            items = head.find(b'"items"')
            if found is None or 0 <= items < found.start() or found.group(1) not in wanted:
                continue
            job = self._read(path)
            if job is not None and job.origin in origins:
                return job
        return None

    def _stamped(self) -> list[tuple[int, Path]]:
        stamped = []
        for path in self._files():
            try:
                stamped.append((path.stat().st_mtime_ns, path))
            except OSError:  # gone since the listing
                continue
        return stamped

    def _head(self, path: Path) -> bytes:
        try:
            with path.open("rb") as file:
                return file.read(_HEAD_BYTES)
        except OSError:
            return b""

    def _files(self) -> Iterator[Path]:
        if self._dir.exists():
            yield from self._dir.glob("*.json")

    def _status(self, path: Path) -> JobStatus | None:
        """The job's status as its file's first bytes state it; None when they do not: a file written before jobs
        were a model has its items first (and a `cancel_requested` flag after them), so it is read whole."""
        head = self._head(path)
        found = _STATUS.search(head)
        items = head.find(b'"items"')
        if found is None or 0 <= items < found.start():
            return None
        try:
            return JobStatus(found.group(1).decode())
        except ValueError:
            return None

    def _read(self, path: Path) -> Job | None:
        try:
            return self._decode(path, path.read_bytes())
        except OSError as error:  # gone since the listing, or unreadable: the others still list
            if not isinstance(error, FileNotFoundError):
                self._damage.warn("job_file_unreadable_skipped", path, error=str(error))
            return None

    @staticmethod
    def _sorted(jobs: Iterator[Job | None] | list[Job]) -> list[Job]:
        return sorted((j for j in jobs if j is not None), key=lambda j: j.created_at, reverse=True)

    def _decode(self, path: Path, raw: bytes) -> Job | None:
        try:
            return job_from_dict(orjson.loads(raw))
        except (orjson.JSONDecodeError, TypeError, KeyError, ValueError, AttributeError) as error:
            self._damage.warn("job_file_damaged_skipped", path, error=f"{type(error).__name__}: {error}"[:200])
            return None
