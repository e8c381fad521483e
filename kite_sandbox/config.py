"""The sandbox's knobs, in one immutable value shared by every request thread."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from .corporate_actions import CorporateAction


@dataclass(frozen=True)
class SandboxConfig:
    """How the sandbox behaves; the defaults mimic real Kite closely enough for demos."""

    host: str = "127.0.0.1"
    port: int = 8765  # 0 = ephemeral
    api_key: str = "sandbox"
    api_secret: str = "sandbox-secret"
    access_token: str = "sandbox-token"
    latency_ms: float = 0.0  # fixed delay added to every historical response
    cost_ms_per_1000_candles: float = 25.0  # delay per candle served; a 60-day minute fetch ~0.5 s
    rate_limit: int = 3  # historical requests per second per api_key
    other_rate_limit: int = 10  # other authenticated endpoints, per second
    fault_rate: float = 0.0  # share of historical requests that fail transiently
    stall_seconds: float = 10.0  # how long a "stall" fault hangs (past the client's 7 s timeout)
    seed: int = 1
    today: datetime.date | None = None  # None = the real current date in IST
    redirect_url: str = "http://127.0.0.1:5000/auth/callback"
    universe_scale: int = 1  # 1 = >=20k NFO rows; 5 = ~100k (real size)
    request_token_ttl_seconds: float = 300.0
    corporate_actions: tuple[CorporateAction, ...] = ()  # in force from the start and after every reset
