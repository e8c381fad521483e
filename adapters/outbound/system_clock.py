"""The wall clock, behind the Clock port so tests can pin 'now'."""

from __future__ import annotations

import time


class SystemClock:
    def now_ts(self) -> int:
        return int(time.time())
