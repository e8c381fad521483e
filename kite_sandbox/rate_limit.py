"""Kite's per-api_key request limits over a one-second sliding window."""

from __future__ import annotations

import collections
import threading
import time


class RateLimiter:
    """Admits at most `limit` requests per key in any one-second window; only admitted ones count."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._lock = threading.Lock()
        self._windows: dict[str, collections.deque[float]] = {}
        self.max_admitted_per_second = 0

    def admit(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            window = self._windows.setdefault(key, collections.deque())
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= self._limit:
                return False
            window.append(now)
            self.max_admitted_per_second = max(self.max_admitted_per_second, len(window))
            return True

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()
            self.max_admitted_per_second = 0
