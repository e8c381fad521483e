"""A small file we keep (a job, the token, an instrument list, the fetch log) found damaged: say so, then carry on.

The reader skips or rebuilds what it cannot read, so a torn write or a stray edit never becomes a 500 or a refusal
to start. Each adapter reads its files again and again (the dashboard polls the jobs), so the warning is logged once
per damage: once per file state (inode, size, mtime), and again only if the file changes and is still bad.
"""

from __future__ import annotations

import threading
from pathlib import Path


class DamageLog:
    def __init__(self) -> None:
        self._seen: set[tuple] = set()
        self._lock = threading.Lock()

    def warn(self, event: str, path: Path, **fields: object) -> bool:
        """Log `event` naming `path` unless this very damage was logged already; True if it was logged now."""
        try:
            st = path.stat()
            key: tuple = (event, str(path), st.st_ino, st.st_size, st.st_mtime_ns)
        except OSError:
            key = (event, str(path))
        with self._lock:
            if key in self._seen:
                return False
            self._seen.add(key)
        import structlog  # here: the CLI's queries read these files without structlog

        structlog.get_logger(__name__).warning(event, path=str(path), **fields)
        return True
