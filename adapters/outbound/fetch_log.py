"""FetchLog as a JSON-lines file under the data dir, trimmed to its last entries now and then.

Lines written before fetch records were typed (no `error_type`/`error`, status always "ok"), listed their
out-of-session days or carried warnings still read; a torn or otherwise unreadable line is skipped (with a warning
naming the file), so one bad write never hides the rest of the log, and the next entry starts on a line of its own.
Writing is best effort: an entry the disk refuses (full, read-only), or that waits past `lock_timeout` for another
process's append or trim (InterProcessLock, file_lock.py), is logged and dropped, so it never replaces (or holds up)
the outcome of the fetch it records. Every change goes through `file_io` (file_io.py), so the crash simulator covers
appends and trims (tests/integration/store/test_power_loss.py).
"""

from __future__ import annotations

import dataclasses
import errno
from datetime import date
from pathlib import Path

import orjson
import structlog

from adapters.outbound.atomic_file import append_line, write_file
from adapters.outbound.damaged_file import DamageLog
from adapters.outbound.file_io import OS_IO, FileIO
from adapters.outbound.file_lock import InterProcessLock
from application.fetch_record import FetchRecord, FetchStatus
from domain.errors import StoreBusy

log = structlog.get_logger(__name__)
KEEP = 500
TRIM_AT = KEEP * 1200  # bytes; a trim keeps at most KEEP lines and half of this, so it never runs on every append
_FIELDS = frozenset(f.name for f in dataclasses.fields(FetchRecord))


def encode(record: FetchRecord) -> bytes:
    data = dataclasses.asdict(record)
    data["out_of_session"] = [{"date": d.isoformat(), "candles": n} for d, n in record.out_of_session]
    data["warnings"] = list(record.warnings)
    return orjson.dumps(data) + b"\n"


def _texts(entries: object) -> tuple[str, ...]:
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        raise ValueError("warnings is not a list of texts")
    return tuple(entries)


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
        fields["warnings"] = _texts(fields.get("warnings", []))
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
    def __init__(self, path: Path, durable: bool = True, lock_timeout: float = 30.0,
                 file_io: FileIO = OS_IO) -> None:
        self.path = Path(path)
        self._durable = durable  # fsync each line and each trim (atomic_file.py); off only for benchmarks
        # One appender or trimmer at a time across threads and processes: a line appended between the trim's read
        # and its replace would be lost with the old file.
        self._lock = InterProcessLock(self.path.with_name(f".{self.path.name}.lock"), lock_timeout,
                                      f"The fetch log ({self.path.name})", durable)
        self._io = file_io
        self._damage = DamageLog()

    def record(self, entry: FetchRecord) -> None:
        try:
            self._append(encode(entry))
        except OSError as error:
            log.warning("fetch_log_entry_dropped", path=str(self.path), symbol=entry.symbol,
                        errno=errno.errorcode.get(error.errno or 0, error.errno), error=str(error))
        except StoreBusy as busy:
            log.warning("fetch_log_entry_dropped", path=str(self.path), symbol=entry.symbol, error=busy.message)

    def _append(self, line: bytes) -> None:
        with self._lock.hold(exclusive=True):  # creates the data dir
            append_line(self.path, line, durable=self._durable, file_io=self._io)  # never glued to a torn line
            if self.path.stat().st_size > TRIM_AT:
                write_file(self.path, _newest(self.path.read_bytes()), durable=self._durable, file_io=self._io)

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
