"""Pacing Kite's historical calls: one request start every (period + margin)/N seconds.

Kite counts request *arrivals* per api_key in one-second windows, so departures must leave room for jitter
in flight: N+1 starts span N spacings = period + margin, and a first request delayed by more than `margin`
relative to the (N+1)th lets N+1 arrive within one window (429). Even spacing (rather than bursts of N)
keeps every request equally early. The margin adapts: each 429 widens it (up to 0.3 s) and it decays back
towards the configured value as requests succeed, so a jittery link costs a little throughput instead of a
stream of retries. The shared variant keeps the next free slot in a small file under the data dir, guarded
by flock, so every kitefetch process using the same api_key (the API and a CLI run together) shares one
budget. A damaged slot (torn, garbage, an hour or more ahead) is started over with a warning: at worst one window
is paced as if no other process were fetching. A data dir that refuses the file is a StorageFull/Unavailable.
"""

from __future__ import annotations

import errno
import fcntl
import math
import os
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path

from adapters.outbound.damaged_file import DamageLog
from adapters.outbound.storage_errors import storage_errors

_RECORD = struct.Struct("<d")


class _AdaptiveSpacing:
    MAX_EXTRA = 0.3
    STEP = 0.05
    DECAY = 0.98

    def __init__(self, max_calls: int, period: float, margin: float) -> None:
        if max_calls < 1:
            raise ValueError("max_calls must be at least 1")
        self._max_calls = max_calls
        self._base = period + margin
        self._extra = 0.0

    def next_spacing(self) -> float:
        spacing = (self._base + self._extra) / self._max_calls
        self._extra *= self.DECAY
        return spacing

    def on_throttled(self) -> None:
        """Kite answered 429: arrivals bunched more than the margin allowed for."""
        self._extra = min(self.MAX_EXTRA, self._extra + self.STEP)


class RateLimiter(_AdaptiveSpacing):
    """In-process pacing; for tests and tools that own their api_key alone."""

    def __init__(self, max_calls: int = 3, period: float = 1.0, margin: float = 0.05,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(max_calls, period, margin)
        self._clock = clock
        self._sleep = sleep
        self._next = float("-inf")
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Reserve the next start slot and wait for it; returns seconds waited."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.next_spacing()
        delay = start - now
        if delay > 0:
            self._sleep(delay)
        return max(delay, 0.0)


class SharedRateLimiter(_AdaptiveSpacing):
    """The same pacing, with the next free slot kept in `path` (wall-clock seconds) for all processes."""

    def __init__(self, path: Path, max_calls: int = 3, period: float = 1.0, margin: float = 0.05) -> None:
        super().__init__(max_calls, period, margin)
        self._path = Path(path)
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._pid = -1
        self._damage = DamageLog()

    def _file(self) -> int:
        if self._fd is None or self._pid != os.getpid():  # a forked child needs its own descriptor
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    def _reserve(self) -> tuple[float, float]:
        """Take the next slot: (now, the slot's start), both wall-clock seconds; the wait is their difference."""
        fd = self._file()
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            raw = os.pread(fd, _RECORD.size, 0)
            now = time.time()
            booked = _RECORD.unpack(raw)[0] if len(raw) == _RECORD.size else 0.0
            if raw and (len(raw) != _RECORD.size or not math.isfinite(booked) or booked > now + 3600):
                self._damage.warn("rate_limit_state_reset", self._path, size=len(raw))  # or the clock jumped back
                booked = 0.0
            start = max(now, booked)
            if os.pwrite(fd, _RECORD.pack(start + self.next_spacing()), 0) < _RECORD.size:  # a disk full mid-write
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self._path))
            return now, start
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def acquire(self) -> float:
        with self._lock, storage_errors(self._path.parent):
            now, start = self._reserve()
        delay = start - now
        if delay > 0:
            time.sleep(delay)
        return max(delay, 0.0)
