"""Transient failures of historical requests, drawn from a seeded RNG or forced by a test."""

from __future__ import annotations

import collections
import random
import threading

FAULT_KINDS = ("throttle", "error500", "gateway502", "unavailable503", "drop", "stall")

GATEWAY_PAGE = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n")


class FaultPlan:
    """Decides, per admitted historical request, whether and how it fails."""

    def __init__(self, rate: float, seed: int) -> None:
        self._rate = rate
        self._seed = seed
        self._rng = random.Random(seed)
        self._forced: collections.deque[str] = collections.deque()
        self._lock = threading.Lock()

    def force(self, kind: str, count: int) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(kind)
        with self._lock:
            self._forced.extend([kind] * count)

    def next_fault(self) -> str | None:
        with self._lock:
            if self._forced:
                return self._forced.popleft()
            if self._rate > 0 and self._rng.random() < self._rate:
                return self._rng.choice(FAULT_KINDS)
            return None

    def reset(self) -> None:
        with self._lock:
            self._forced.clear()
            self._rng = random.Random(self._seed)
