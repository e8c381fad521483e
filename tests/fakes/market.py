"""A scripted MarketDataSource, an in-memory catalog, a fixed clock and a token store for use-case tests."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import date

import numpy as np

from application.ports import BrokerSession, Clock, InstrumentCatalog, MarketDataSource, TokenStore
from domain.candles import CandleFrame
from domain.clock_time import DAY, SESSION_CLOSE_SECONDS, SESSION_OPEN_SECONDS, day_start, ist_date
from domain.errors import AuthRequired, DomainError, InvalidInput, RequestTokenRefused
from domain.futures import futures_of
from domain.instrument import Instrument
from domain.interval import Interval
from domain.market import Exchange


def synthetic_candles(start_ts: int, end_ts: int, interval: Interval, with_oi: bool, seed: int = 7) -> CandleFrame:
    """Valid candles on weekdays in session: a pure function of the timestamp, like Kite's."""
    stamps: list[int] = []
    day = ist_date(start_ts)
    last_day = ist_date(end_ts)
    while day <= last_day:
        if day.weekday() < 5:
            base = day_start(day)
            if interval.is_intraday:
                stamps.extend(range(base + SESSION_OPEN_SECONDS, base + SESSION_CLOSE_SECONDS, interval.step_seconds))
            else:
                stamps.append(base)
        day = date.fromordinal(day.toordinal() + 1)
    ts = np.array([t for t in stamps if start_ts <= t <= end_ts], dtype=np.int64)
    price = 100.0 + (ts // 60 % 200) * 0.05 + seed  # on the 0.05 tick; at most 10 % from one candle to another
    return CandleFrame(ts, price, price + 1.0, price - 1.0, price + 0.5, (ts // 60 % 5000).astype(np.int64),
                       (ts // DAY % 100).astype(np.int64) if with_oi else None)


class FakeMarketData(MarketDataSource):
    """Serves synthetic candles, records every call, and fails on demand."""

    def __init__(self, instruments: Sequence[Instrument] = ()) -> None:
        self.calls: list[tuple[int, Interval, int, int, bool]] = []
        self.instruments_by_exchange: dict[Exchange, list[Instrument]] = {}
        for i in instruments:
            self.instruments_by_exchange.setdefault(Exchange(i.exchange), []).append(i)
        self.fail_with: DomainError | None = None
        self.fail_on_call: int | None = None
        self.extra_candles: CandleFrame | None = None
        self.closes: dict[int, float] = {}  # instrument token -> every candle served flat at this price
        self.sessions: dict[str, BrokerSession] = {}
        self.valid_tokens: set[str] = {"fake-token"}
        self.logout_fails_with: DomainError | None = None
        self.actions: list[tuple[date, float]] = []  # corporate actions: (ex_date, factor), as Kite back-adjusts
        self.revised: dict[int, float] = {}  # candle start -> a revised close
        self._lock = threading.Lock()

    def fetch_candles(self, instrument: Instrument, interval: Interval, start_ts: int, end_ts: int,
                      with_oi: bool) -> CandleFrame:
        if (ist_date(end_ts) - ist_date(start_ts)).days + 1 > interval.max_span_days:
            raise InvalidInput(f"interval exceeds max limit: {interval.max_span_days} days")
        with self._lock:
            self.calls.append((instrument.instrument_token, interval, start_ts, end_ts, with_oi))
            number = len(self.calls)
        if self.fail_with is not None and (self.fail_on_call is None or self.fail_on_call == number):
            raise self.fail_with
        frame = synthetic_candles(start_ts, end_ts, interval, with_oi)
        if self.extra_candles is not None:
            frame = CandleFrame.concat([frame, self.extra_candles], with_oi)
        close = self.closes.get(instrument.instrument_token)
        if close is not None:
            flat = np.full(len(frame), close)
            frame = CandleFrame(frame.ts, flat, flat, flat, flat, frame.volume, frame.oi)
        return self._changed(frame)

    def _changed(self, frame: CandleFrame) -> CandleFrame:
        """The candles as Kite serves them after the actions and revisions: prices / factor to the 0.05 tick (open
        and close to the nearest, high up, low down) and volume x factor, before each ex-date only."""
        if not self.actions and not self.revised:
            return frame
        factor = np.ones(len(frame))
        for ex_date, f in self.actions:
            factor[frame.ts < day_start(ex_date)] *= f
        moved = factor != 1.0
        o, h, low, c = (getattr(frame, name).copy() for name in ("open", "high", "low", "close"))
        o[moved] = np.floor(np.round(o[moved] * 20) / factor[moved] + 0.5) / 20
        c[moved] = np.floor(np.round(c[moved] * 20) / factor[moved] + 0.5) / 20
        h[moved] = np.ceil(np.round(h[moved] * 20) / factor[moved] - 1e-9) / 20
        low[moved] = np.floor(np.round(low[moved] * 20) / factor[moved] + 1e-9) / 20
        for ts, value in self.revised.items():
            c[frame.ts == ts] = value
        volume = np.where(moved, np.floor(frame.volume * factor + 0.5), frame.volume).astype(np.int64)
        return CandleFrame(frame.ts, o, np.maximum(h, c), np.minimum(low, c), c, volume, frame.oi)

    def fetch_instruments(self, exchange: Exchange) -> list[Instrument]:
        if self.fail_with is not None:
            raise self.fail_with
        return list(self.instruments_by_exchange.get(exchange, []))

    def login_url(self) -> str:
        return "https://kite.example/connect/login?api_key=fake&v=3"

    def create_session(self, request_token: str) -> BrokerSession:
        if request_token != "good-request-token":
            raise RequestTokenRefused("Kite refused the request token")
        session = BrokerSession(f"access-{len(self.sessions)}", "AB1234", "Fake User", "2026-11-24 09:00:00")
        self.sessions[session.access_token] = session
        self.valid_tokens.add(session.access_token)
        return session

    def invalidate_session(self, access_token: str) -> None:
        if self.logout_fails_with is not None:
            raise self.logout_fails_with
        if access_token not in self.valid_tokens:
            raise AuthRequired("Kite rejected the access token")
        self.valid_tokens.discard(access_token)

    def profile(self, access_token: str) -> dict:
        if access_token not in self.valid_tokens:
            raise AuthRequired("Kite rejected the access token")
        return {"user_id": "AB1234", "user_name": "Fake User"}


class FakeCatalog(InstrumentCatalog):
    def __init__(self, instruments: Sequence[Instrument]) -> None:
        self.items = list(instruments)
        self.refreshes = 0

    def instruments(self, exchange: Exchange, force_refresh: bool = False) -> Sequence[Instrument]:
        if force_refresh:
            self.refreshes += 1
        return [i for i in self.items if i.exchange == exchange.value and not i.expired]

    def lookup(self, exchange: Exchange, symbol: str) -> Instrument | None:
        for i in self.items:
            if i.exchange == exchange.value and i.tradingsymbol in (symbol, symbol.upper()):
                return i
        return None

    def futures(self, exchange: Exchange, underlying: str) -> Sequence[Instrument]:
        return futures_of(self.items, exchange, underlying)


class FixedClock(Clock):
    def __init__(self, now_ts: int) -> None:
        self.now = now_ts

    def now_ts(self) -> int:
        return self.now


class MemoryTokenStore(TokenStore):
    def __init__(self) -> None:
        self.token: BrokerSession | None = None

    def load(self) -> BrokerSession | None:
        return self.token

    def save(self, token: BrokerSession) -> None:
        self.token = token

    def clear(self) -> None:
        self.token = None


def equity(symbol: str, token: int, exchange: str = "NSE") -> Instrument:
    return Instrument(token, token // 256, symbol, symbol, 100.0, None, 0.0, 0.05, 1, "EQ", exchange, exchange)


def future(symbol: str, token: int, expiry: date, exchange: str = "NFO", expired: bool = False,
           name: str = "NIFTY") -> Instrument:
    return Instrument(token, token // 256, symbol, name, 20000.0, expiry, 0.0, 0.05, 75, "FUT",
                      f"{exchange}-FUT", exchange, expired)


def option(underlying: str, expiry: date, strike: float, kind: str, token: int, exchange: str = "NFO",
           expired: bool = False) -> Instrument:
    """A CE or PE as Kite's dump lists it (the symbol is ours: only its uniqueness matters here)."""
    symbol = f"{underlying}{expiry:%y%m%d}{strike:g}{kind}"
    return Instrument(token, token // 256, symbol, underlying, 10.0, expiry, strike, 0.05, 75, kind,
                      f"{exchange}-OPT", exchange, expired)


def index(symbol: str, token: int, exchange: str = "NSE") -> Instrument:
    return Instrument(token, token // 256, symbol, symbol, 0.0, None, 0.0, 0.0, 0, "EQ", "INDICES", exchange)
