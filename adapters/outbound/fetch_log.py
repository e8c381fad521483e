"""FetchLog as a JSON-lines file under the data dir, trimmed to its last entries now and then.

Lines written before fetch records were typed (no `error_type`/`error`, status always "ok"), listed their
out-of-session days or carried warnings still read; a torn or otherwise unreadable line is skipped, so one bad
write never hides the rest of the log.
"""

from __future__ import annotations

import dataclasses
import threading
from datetime import date
from pathlib import Path

import orjson

from adapters.outbound.atomic_file import write_file
from application.fetch_record import FetchRecord, FetchStatus

KEEP = 500
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


class FetchLogFile:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(self, entry: FetchRecord) -> None:
        line = encode(entry)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "ab") as handle:  # one write() of one line: appends from processes interleave whole
                handle.write(line)
            if self.path.stat().st_size > KEEP * 600:
                lines = self.path.read_bytes().splitlines(keepends=True)[-KEEP:]
                write_file(self.path, b"".join(lines))

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
