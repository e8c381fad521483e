"""A TradingCalendar built at its first question.

Readers that may never ask one (a plain `kitefetch candles`, a notebook reading day candles) should not pay for
building it: the TOML files are read, and structlog imported, only when a resample first needs sessions.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

from application.ports import TradingCalendar
from domain.market import Exchange
from domain.sessions import Session, SessionTable


class LazyCalendar:
    def __init__(self, build: Callable[[], TradingCalendar]) -> None:
        self._build = build
        self._calendar: TradingCalendar | None = None
        self._lock = threading.Lock()

    def _built(self) -> TradingCalendar:
        with self._lock:
            if self._calendar is None:
                self._calendar = self._build()
            return self._calendar

    def sessions(self, exchange: Exchange, start: date, end: date) -> SessionTable:
        return self._built().sessions(exchange, start, end)

    def sessions_on(self, exchange: Exchange, day: date) -> tuple[Session, ...]:
        return self._built().sessions_on(exchange, day)

    def in_session(self, exchange: Exchange, ts: int) -> bool:
        return self._built().in_session(exchange, ts)
