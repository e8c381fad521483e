"""Everything one running sandbox remembers, shared by its request threads."""

from __future__ import annotations

import datetime
from typing import Any

from .config import SandboxConfig
from .faults import FaultPlan
from .history_edits import HistoryEdits, bind_actions
from .rate_limit import RateLimiter
from .stats import SandboxStats
from .tokens import TokenStore
from .trading_calendar import IST, session_blocks, today_ist
from .universe import Universe, build_universe


class SandboxState:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.tokens = TokenStore(config.api_key, config.api_secret, config.access_token,
                                 config.request_token_ttl_seconds)
        self.historical_limiter = RateLimiter(config.rate_limit)
        self.other_limiter = RateLimiter(config.other_rate_limit)
        self.faults = FaultPlan(config.fault_rate, config.seed)
        self.stats = SandboxStats()
        preloaded = bind_actions(self.universe(), config.corporate_actions, True) if config.corporate_actions else ()
        self.history_edits = HistoryEdits(preloaded)  # ValueError above for an unknown instrument

    def today(self) -> datetime.date:
        return self.config.today or today_ist()

    def now(self) -> datetime.datetime:
        """Naive IST "now"; with a fixed `today` the session is taken as closed (15:30, or later when an
        evening Muhurat session ends later)."""
        if self.config.today is not None:
            blocks = session_blocks(self.config.today)
            close = max(15 * 60 + 30, blocks[-1][1] if blocks else 0)
            return datetime.datetime.combine(self.config.today, datetime.time(close // 60, close % 60))
        return datetime.datetime.now(IST).replace(tzinfo=None, microsecond=0)

    def universe(self) -> Universe:
        return build_universe(self.config.seed, self.today(), self.config.universe_scale)

    def snapshot(self) -> dict[str, Any]:
        return self.stats.snapshot(self.historical_limiter.max_admitted_per_second)

    def reset(self) -> None:
        self.stats.reset()
        self.historical_limiter.reset()
        self.other_limiter.reset()
        self.tokens.reset()
        self.faults.reset()
        self.history_edits.reset()
