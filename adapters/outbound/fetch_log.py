"""FetchLog as a JSON-lines file under the data dir, trimmed to its last entries now and then.

Lines written before fetch records were typed (no `error_type`/`error`, status always "ok") still read; a torn
or otherwise unreadable line is skipped, so one bad write never hides the rest of the log.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import orjson

from adapters.outbound.atomic_file import append_line, write_file
from application.fetch_record import FetchRecord, FetchStatus

KEEP = 500
_FIELDS = frozenset(f.name for f in dataclasses.fields(FetchRecord))


def encode(record: FetchRecord) -> bytes:
    return orjson.dumps(dataclasses.asdict(record)) + b"\n"


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
        return FetchRecord(**fields)
    except (orjson.JSONDecodeError, TypeError, ValueError):
        return None


class FetchLogFile:
    def __init__(self, path: Path, durable: bool = True) -> None:
        self.path = Path(path)
        self._durable = durable  # fsync each line and each trim (atomic_file.py); off only for benchmarks
        self._lock = threading.Lock()

    def record(self, entry: FetchRecord) -> None:
        line = encode(entry)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            append_line(self.path, line, durable=self._durable)
            if self.path.stat().st_size > KEEP * 600:
                lines = self.path.read_bytes().splitlines(keepends=True)[-KEEP:]
                write_file(self.path, b"".join(lines), durable=self._durable)

    def recent(self, limit: int = 50) -> list[FetchRecord]:
        try:
            lines = self.path.read_bytes().splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in reversed(lines[-limit * 2:]):
            record = decode(line)
            if record is None:
                continue
            out.append(record)
            if len(out) == limit:
                break
        return out
