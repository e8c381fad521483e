"""Retry transient Kite faults with capped exponential backoff and full jitter."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.25
    max_delay: float = 4.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: spreads retries of concurrent workers so they do not stampede together."""
        return rng.uniform(0, min(self.max_delay, self.base_delay * (2 ** attempt)))


def call_with_retries(call: Callable[[], T], is_transient: Callable[[BaseException], bool],
                      policy: RetryPolicy, on_retry: Callable[[int, BaseException, float], None] | None = None,
                      sleep: Callable[[float], None] = time.sleep, rng: random.Random | None = None) -> T:
    rng = rng or random.Random()
    for attempt in range(policy.attempts):
        try:
            return call()
        except Exception as error:
            if not is_transient(error) or attempt == policy.attempts - 1:
                raise
            delay = policy.delay(attempt, rng)
            if on_retry:
                on_retry(attempt + 1, error, delay)
            sleep(delay)
    raise AssertionError("unreachable")
