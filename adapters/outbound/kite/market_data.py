"""MarketDataSource over Kite Connect: rate-limited, retried, and speaking only domain errors."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import datetime

import requests
import structlog
from kiteconnect import exceptions as kite_errors

from adapters.outbound.kite.client import ColumnarKiteConnect
from adapters.outbound.kite.instruments_csv import parse_instruments
from adapters.outbound.kite.rate_limiter import RateLimiter, SharedRateLimiter
from adapters.outbound.kite.retry import RetryPolicy, call_with_retries
from application.ports import BrokerSession
from domain.candles import CandleFrame
from domain.clock_time import to_datetime
from domain.errors import (
    AuthRequired,
    DomainError,
    InvalidInput,
    NotConfigured,
    RequestTokenRefused,
    UpstreamFailure,
)
from domain.instrument import Instrument
from domain.interval import Interval
from domain.market import Exchange

log = structlog.get_logger(__name__)

_TRANSIENT_NETWORK = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
                      requests.exceptions.ContentDecodingError)
# What the client and its transport raise. Anything else out of a call is a bug of ours (a parser, a hook) and must
# surface as one (a 500 with a request id), not be reported as a Zerodha outage.
_KITE_FAULTS = (kite_errors.KiteException, requests.RequestException)
_NO_TOKEN = "No Kite access token: log in first (kitefetch login, or /auth/login in the browser)"
_REFUSED_BY_KITE = (kite_errors.TokenException, kite_errors.PermissionException, kite_errors.InputException)


def is_transient(error: BaseException) -> bool:
    """429, 5xx, gateway HTML pages, timeouts and dropped connections are worth another try."""
    if isinstance(error, _TRANSIENT_NETWORK):
        return True
    return isinstance(error, kite_errors.NetworkException | kite_errors.GeneralException |
                      kite_errors.DataException)


def translate(error: BaseException, what: str) -> DomainError:
    """Kite's exception classes -> domain errors, with messages that carry no tokens or bodies."""
    if isinstance(error, kite_errors.TokenException | kite_errors.PermissionException):
        return AuthRequired(f"Kite rejected the access token ({_clean(error)}): log in again")
    if isinstance(error, kite_errors.InputException):
        return InvalidInput(f"Kite rejected the {what} request: {_clean(error)}")
    if isinstance(error, requests.Timeout):
        return UpstreamFailure(f"Kite did not answer the {what} request in time")
    if isinstance(error, _TRANSIENT_NETWORK):
        return UpstreamFailure(f"Could not reach Kite for the {what} request (connection failed)")
    if isinstance(error, kite_errors.DataException):
        return UpstreamFailure(f"Kite sent an unreadable response to the {what} request")
    if isinstance(error, kite_errors.KiteException):
        code = getattr(error, "code", None)
        return UpstreamFailure(f"Kite failed the {what} request (HTTP {code}): {_clean(error)}")
    return UpstreamFailure(f"Kite failed the {what} request ({type(error).__name__})")  # other transport errors


def translate_login(error: BaseException) -> DomainError:
    """A refused session exchange: a bad api_key or checksum (the secret) is our configuration, anything else
    Kite refuses is the request token (single-use, valid for minutes); other failures as for any request."""
    if not isinstance(error, _REFUSED_BY_KITE):
        return translate(error, "login")
    said = _clean(error)
    if "checksum" in said.lower() or "api_key" in said.lower():
        return NotConfigured(f"Kite refused the login ({said}): check that KITE_API_KEY and KITE_API_SECRET are "
                             "your Kite Connect app's api_key and api_secret")
    return RequestTokenRefused("Kite refused the request token (expired or already used: request tokens are "
                               "single-use and live a few minutes): log in again")


def _clean(error: BaseException) -> str:
    """Kite's own message, first line, as plain text (Kite quotes names in backticks: `api_key`)."""
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text.replace("`", "")[:200]


def _kite_time(ts: int) -> str:
    return to_datetime(ts).strftime("%Y-%m-%d %H:%M:%S")


class KiteMarketData:
    """All historical calls of the process share `limiter` (Kite allows 3/s per api_key)."""

    def __init__(self, api_key: str, api_secret: str, root: str, login_url: str,
                 token_provider: Callable[[], str | None], limiter: RateLimiter | SharedRateLimiter,
                 retry: RetryPolicy | None = None, timeout: float = 7.0) -> None:
        self._api_key = api_key
        self._api_secret = api_secret
        self._root = root
        self._login_url = login_url
        self._token_provider = token_provider
        self._limiter = limiter
        self._retry = retry or RetryPolicy()
        self._timeout = timeout
        self._clients: dict[str | None, ColumnarKiteConnect] = {}
        self._clients_lock = threading.Lock()
        self._rng = random.Random()

    def _client(self, access_token: str | None) -> ColumnarKiteConnect:
        with self._clients_lock:
            client = self._clients.get(access_token)
            if client is None:
                if len(self._clients) > 8:
                    self._clients.clear()
                client = ColumnarKiteConnect(self._api_key, access_token=access_token, root=self._root,
                                             timeout=self._timeout)
                self._clients[access_token] = client
            return client

    def _authorised_client(self) -> ColumnarKiteConnect:
        token = self._token_provider()
        if not token:
            raise AuthRequired(_NO_TOKEN)
        return self._client(token)

    def _call(self, what: str, call: Callable[[], object], limited: bool = False):
        def attempt():
            if limited:
                self._limiter.acquire()
            return call()

        def on_retry(attempt_no: int, error: BaseException, delay: float) -> None:
            if limited and getattr(error, "code", None) == 429:
                self._limiter.on_throttled()
            log.warning("kite_retry", request=what, attempt=attempt_no, error=type(error).__name__,
                        code=getattr(error, "code", None), delay=round(delay, 3))

        try:
            return call_with_retries(attempt, is_transient, self._retry, on_retry, rng=self._rng)
        except _KITE_FAULTS as error:
            raise translate(error, what) from error

    def fetch_candles(self, instrument: Instrument, interval: Interval, start_ts: int, end_ts: int,
                      with_oi: bool) -> CandleFrame:
        client = self._authorised_client()
        return self._call("historical", lambda: client.historical_frame(
            instrument.instrument_token, _kite_time(start_ts), _kite_time(end_ts), interval.value, with_oi),
            limited=True)

    def fetch_instruments(self, exchange: Exchange) -> list[Instrument]:
        client = self._authorised_client()
        body = self._call("instruments", lambda: client.instruments(exchange.value))
        return parse_instruments(body)

    def login_url(self) -> str:
        if not self._api_key:
            raise NotConfigured("KITE_API_KEY is not set: put your Kite Connect app's api_key (and KITE_API_SECRET) "
                                "in the environment or in a .env file in the working directory")
        return f"{self._login_url}?api_key={self._api_key}&v=3"

    def create_session(self, request_token: str) -> BrokerSession:
        client = ColumnarKiteConnect(self._api_key, root=self._root, timeout=self._timeout)
        try:
            data = client.generate_session(request_token, api_secret=self._api_secret)
        except _KITE_FAULTS as error:
            raise translate_login(error) from error
        login_time = data.get("login_time")
        if isinstance(login_time, datetime):
            login_time = login_time.strftime("%Y-%m-%d %H:%M:%S")
        return BrokerSession(str(data["access_token"]), str(data.get("user_id", "")),
                             str(data.get("user_name", "")), str(login_time or ""))

    def invalidate_session(self, access_token: str) -> None:
        self._call("logout", lambda: self._client(access_token).invalidate_access_token(access_token))
        with self._clients_lock:
            self._clients.pop(access_token, None)

    def profile(self, access_token: str) -> dict:
        return self._call("profile", lambda: self._client(access_token).profile())
