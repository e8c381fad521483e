"""Sliding-window limiters: at most N requests start in any `period`-second window.

Kite counts historical requests per api_key, whatever process sends them, so the limiter kitefetch uses
keeps its window in a small state file under the data dir, guarded by flock: the API (all its threads)
and any CLI run on the same machine share one budget. `margin` pads the window for network jitter,
because Kite counts arrivals, not departures.
"""

from __future__ import annotations

import fcntl
import os
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

_SLOTS = 64
_RECORD = struct.Struct(f"<{_SLOTS}d")


class SlidingWindowLimiter:
    """In-process only; for tests and tools that own their api_key alone."""

    def __init__(self, max_calls: int = 3, period: float = 1.0, margin: float = 0.05,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        if max_calls < 1:
            raise ValueError("max_calls must be at least 1")
        self._max = max_calls
        self._window = period + margin
        self._clock = clock
        self._sleep = sleep
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Wait for a slot; returns seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                while self._starts and now - self._starts[0] >= self._window:
                    self._starts.popleft()
                if len(self._starts) < self._max:
                    self._starts.append(now)
                    return waited
                delay = self._window - (now - self._starts[0])
            self._sleep(delay)
            waited += delay


class SharedWindowLimiter:
    """The same window kept in `path` (wall-clock start times), shared by every process that opens it."""

    def __init__(self, path: Path, max_calls: int = 3, period: float = 1.0, margin: float = 0.05) -> None:
        if not 1 <= max_calls <= _SLOTS:
            raise ValueError(f"max_calls must be between 1 and {_SLOTS}")
        self._path = Path(path)
        self._max = max_calls
        self._window = period + margin
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._pid = -1

    def _file(self) -> int:
        if self._fd is None or self._pid != os.getpid():  # a forked child needs its own descriptor
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    def _try(self) -> float:
        """Take a slot and return 0, or return how long to wait before trying again."""
        fd = self._file()
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            raw = os.pread(fd, _RECORD.size, 0)
            now = time.time()
            starts = [t for t in (_RECORD.unpack(raw) if len(raw) == _RECORD.size else ())
                      if t > 0 and now - self._window < t <= now + 1]
            starts.sort()
            if len(starts) < self._max:
                starts.append(now)
                os.pwrite(fd, _RECORD.pack(*starts, *([0.0] * (_SLOTS - len(starts)))), 0)
                return 0.0
            return max(0.001, self._window - (now - starts[-self._max]))
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def acquire(self) -> float:
        waited = 0.0
        while True:
            with self._lock:
                delay = self._try()
            if delay == 0.0:
                return waited
            time.sleep(delay)
            waited += delay
