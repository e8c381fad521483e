"""FetchLog as a JSON-lines file under the data dir, trimmed to its last entries now and then."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import orjson

KEEP = 500


class FetchLogFile:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(self, entry: dict) -> None:
        line = orjson.dumps(entry) + b"\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "ab") as handle:  # one write() of one line: appends from processes interleave whole
                handle.write(line)
            if self.path.stat().st_size > KEEP * 600:
                lines = self.path.read_bytes().splitlines(keepends=True)[-KEEP:]
                scratch = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
                scratch.write_bytes(b"".join(lines))
                os.replace(scratch, self.path)

    def recent(self, limit: int = 50) -> list[dict]:
        try:
            lines = self.path.read_bytes().splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in reversed(lines[-limit * 2:]):
            try:
                out.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                continue
            if len(out) == limit:
                break
        return out
