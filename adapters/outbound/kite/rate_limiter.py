"""A sliding-window limiter: at most N calls start in any `period`-second window, across threads."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    """Blocks callers until a slot is free. `margin` pads the window for clock and network jitter,
    because Kite counts arrivals, not departures."""

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
