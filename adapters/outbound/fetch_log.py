"""FetchLog as a JSON-lines file under the data dir, trimmed to its last entries now and then.

Lines written before fetch records were typed (no `error_type`/`error`, status always "ok") or listed their
out-of-session days still read; a torn or otherwise unreadable line is skipped (with a warning naming the file), so
one bad write never hides the rest of the log, and the next entry starts on a line of its own. Writing is best
effort: an entry the disk refuses (full, read-only) is logged with the OS's error and dropped, so it never replaces
the outcome of the fetch it records.
"""

from __future__ import annotations

import dataclasses
import errno
import fcntl
import os
import threading
from datetime import date
from pathlib import Path

import orjson
import structlog

from adapters.outbound.atomic_file import append_line, make_directory, write_file
from adapters.outbound.damaged_file import DamageLog
from application.fetch_record import FetchRecord, FetchStatus

log = structlog.get_logger(__name__)
KEEP = 500
TRIM_AT = KEEP * 1200  # bytes; a trim keeps at most KEEP lines and half of this, so it never runs on every append
_FIELDS = frozenset(f.name for f in dataclasses.fields(FetchRecord))


def encode(record: FetchRecord) -> bytes:
    data = dataclasses.asdict(record)
    data["out_of_session"] = [{"date": d.isoformat(), "candles": n} for d, n in record.out_of_session]
    return orjson.dumps(data) + b"\n"


def _day_counts(entries: object) -> tuple[tuple[date, int], ...]:
    if not isinstance(entries, list):
        raise ValueError("out_of_session is not a list")
    return tuple((date.fromisoformat(e["date"]), int(e["candles"])) for e in entries)


def decode(line: bytes) -> FetchRecord | None:
    """A record from one line, or None when the line is not one."""
    try:
        data = orjson.loads(line)
        if not isinstance(data, dict):
            return None
        fields = {k: v for k, v in data.items() if k in _FIELDS}
        if not (isinstance(fields.get("time"), int) and isinstance(fields.get("symbol"), str)
                and isinstance(fields.get("interval"), str)):
            return None
        fields["status"] = FetchStatus(fields.get("status", FetchStatus.OK))
        fields["out_of_session"] = _day_counts(fields.get("out_of_session", []))
        return FetchRecord(**fields)
    except (orjson.JSONDecodeError, TypeError, ValueError, KeyError):
        return None


def _newest(content: bytes) -> bytes:
    """The newest lines, at most KEEP of them and at most TRIM_AT / 2 bytes."""
    kept: list[bytes] = []
    size = 0
    for line in reversed(content.splitlines(keepends=True)[-KEEP:]):
        if size + len(line) > TRIM_AT // 2:
            break
        kept.append(line)
        size += len(line)
    return b"".join(reversed(kept))


class FetchLogFile:
    def __init__(self, path: Path, durable: bool = True) -> None:
        self.path = Path(path)
        self._durable = durable  # fsync each line and each trim (atomic_file.py); off only for benchmarks
        self._lock = threading.Lock()
        self._damage = DamageLog()

    def record(self, entry: FetchRecord) -> None:
        with self._lock:
            try:
                self._append(encode(entry))
            except OSError as error:
                log.warning("fetch_log_entry_dropped", path=str(self.path), symbol=entry.symbol,
                            errno=errno.errorcode.get(error.errno or 0, error.errno), error=str(error))

    def _append(self, line: bytes) -> None:
        make_directory(self.path.parent, durable=self._durable)
        # One appender or trimmer at a time across processes (a flock on a side file): a line appended between
        # the trim's read and its replace would be lost with the old file.
        fd = os.open(self.path.with_name(f".{self.path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            append_line(self.path, line, durable=self._durable)  # a torn last line is never glued to
            if self.path.stat().st_size > TRIM_AT:
                write_file(self.path, _newest(self.path.read_bytes()), durable=self._durable)
        finally:
            os.close(fd)  # releases the flock

    def recent(self, limit: int = 50) -> list[FetchRecord]:
        try:
            lines = self.path.read_bytes().splitlines()
        except FileNotFoundError:
            return []
        except OSError as error:  # unreadable (a failing disk, its mode changed): the pages that list it still answer
            self._damage.warn("fetch_log_unreadable", self.path, error=str(error))
            return []
        out = []
        skipped = 0
        for line in reversed(lines[-limit * 2:]):
            record = decode(line)
            if record is None:
                skipped += bool(line.strip())
                continue
            out.append(record)
            if len(out) == limit:
                break
        if skipped:
            self._damage.warn("fetch_log_lines_skipped", self.path, lines=skipped)
        return out
