"""One line of the fetch log: what a fetch asked for and how it ended, failures included."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

MAX_ERROR_LENGTH = 300


class FetchStatus(StrEnum):
    OK = "ok"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class FetchRecord:
    """A finished fetch. `time` is epoch seconds when it ended; `exchange` and `symbol` are the resolved ones, or as
    asked when the fetch failed before the instrument resolved (`exchange` None: the caller named none).
    `records` and `rejected` count what was stored and dropped (before a failure, too); `requests` is how many
    Kite requests the fetch planned. A failure carries the domain error's type and message, which never hold
    secrets (adapters translate library errors into messages without tokens or bodies). `out_of_session` lists
    the days Kite served candles on outside every session the calendar knows, with how many were dropped."""

    time: int
    exchange: str | None
    symbol: str
    interval: str
    records: int = 0
    rejected: int = 0
    requests: int = 0
    elapsed_seconds: float = 0.0
    status: FetchStatus = FetchStatus.OK
    error_type: str | None = None
    error: str | None = None
    out_of_session: tuple[tuple[date, int], ...] = ()

    def __post_init__(self) -> None:
        if (self.status is FetchStatus.FAILED) != (self.error_type is not None):
            raise ValueError("a failed fetch, and only a failed one, has an error_type")
        if self.error is not None and len(self.error) > MAX_ERROR_LENGTH:
            object.__setattr__(self, "error", self.error[:MAX_ERROR_LENGTH - 1] + "…")

    @property
    def failed(self) -> bool:
        return self.status is FetchStatus.FAILED
