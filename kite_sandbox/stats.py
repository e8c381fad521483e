"""Counters behind GET /__sandbox/stats, so tests and benchmarks can see what the client did."""

from __future__ import annotations

import collections
import hashlib
import threading
from typing import Any

from .faults import FAULT_KINDS

ROUTES = ("session_token", "session_invalidate", "profile", "instruments", "historical", "login_page",
          "login_submit", "not_found", "method_not_allowed")


def token_fingerprint(access_token: str) -> str:
    """How stats name a token: enough to tell sessions apart, never the secret itself."""
    return hashlib.sha256(access_token.encode()).hexdigest()[:12]


class SandboxStats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._routes: collections.Counter[str] = collections.Counter({r: 0 for r in ROUTES})
            self._faults: collections.Counter[str] = collections.Counter({k: 0 for k in FAULT_KINDS})
            self._throttled = 0
            self._candles = 0
            self._statuses: collections.Counter[str] = collections.Counter()
            self._historical_by_token: collections.Counter[str] = collections.Counter()

    def route(self, name: str) -> None:
        with self._lock:
            self._routes[name] += 1

    def historical_token(self, access_token: str) -> None:
        """One historical request sent with this token (counted before the token is checked)."""
        fingerprint = token_fingerprint(access_token)
        with self._lock:
            self._historical_by_token[fingerprint] += 1

    def status(self, code: int) -> None:
        with self._lock:
            self._statuses[str(code)] += 1

    def throttle(self) -> None:
        with self._lock:
            self._throttled += 1

    def fault(self, kind: str) -> None:
        with self._lock:
            self._faults[kind] += 1

    def candles(self, count: int) -> None:
        with self._lock:
            self._candles += count

    def snapshot(self, max_admitted_per_second: int) -> dict[str, Any]:
        with self._lock:
            routes = dict(self._routes)
            return {
                **routes,
                "routes": routes,
                "throttled": self._throttled,
                "faults": {**self._faults, "total": sum(self._faults.values())},
                "max_admitted_per_second": max_admitted_per_second,
                "candles_served": self._candles,
                "statuses": dict(self._statuses),
                "historical_by_token": dict(self._historical_by_token),
            }
