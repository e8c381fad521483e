"""Request and access tokens: single-use logins, expiry at 06:00 IST, invalidation, forced expiry."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
import threading
import time

from .errors import token_error
from .trading_calendar import IST

EXPIRED_MESSAGE = "Token is invalid or has expired."

def checksum(api_key: str, request_token: str, api_secret: str) -> str:
    return hashlib.sha256((api_key + request_token + api_secret).encode()).hexdigest()

def next_six_am(moment: datetime.datetime) -> datetime.datetime:
    """Kite sessions end at 06:00 IST the day after login."""
    return datetime.datetime.combine(moment.date() + datetime.timedelta(1), datetime.time(6), tzinfo=IST)

class TokenStore:
    """All token state of one sandbox, guarded by one lock (requests arrive on many threads)."""

    def __init__(self, api_key: str, api_secret: str, fixed_token: str, request_ttl: float) -> None:
        self._api_key = api_key
        self._api_secret = api_secret
        self._fixed = fixed_token
        self._ttl = request_ttl
        self._lock = threading.Lock()
        self._requests: dict[str, float] = {}  # request token -> monotonic issue time
        self._access: dict[str, datetime.datetime] = {}  # access token -> expiry (IST)
        self._expired: set[str] = set()  # forced by /__sandbox/expire-tokens
        self._fixed_revoked = False

    def knows_api_key(self, api_key: str) -> bool:
        return hmac.compare_digest(api_key, self._api_key)

    def issue_request_token(self) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._requests[token] = time.monotonic()
        return token

    def exchange(self, api_key: str, request_token: str, given_checksum: str) -> tuple[str, datetime.datetime]:
        """Trade a request token for a fresh access token; returns it with the login time."""
        if not self.knows_api_key(api_key):
            raise token_error("Invalid `api_key`.")
        if not hmac.compare_digest(given_checksum, checksum(api_key, request_token, self._api_secret)):
            raise token_error("Invalid `checksum`.")
        with self._lock:
            issued = self._requests.pop(request_token, None)
            if issued is None or time.monotonic() - issued > self._ttl:
                raise token_error(EXPIRED_MESSAGE)
            now = datetime.datetime.now(IST).replace(microsecond=0)
            access = secrets.token_urlsafe(24)
            self._access[access] = next_six_am(now)
        return access, now

    def check(self, api_key: str, access_token: str) -> None:
        """Raise 403 TokenException unless the pair is currently valid."""
        if not self.knows_api_key(api_key):
            raise token_error()
        with self._lock:
            if access_token in self._expired:
                raise token_error(EXPIRED_MESSAGE)
            if hmac.compare_digest(access_token, self._fixed):
                if self._fixed_revoked:
                    raise token_error()
                return
            expiry = self._access.get(access_token)
        if expiry is None:
            raise token_error()
        if datetime.datetime.now(IST) >= expiry:
            raise token_error(EXPIRED_MESSAGE)

    def invalidate(self, api_key: str, access_token: str) -> None:
        if not self.knows_api_key(api_key):
            raise token_error()
        with self._lock:
            if access_token == self._fixed:
                self._fixed_revoked = True
            self._access.pop(access_token, None)

    def expire_all(self) -> None:
        with self._lock:
            self._expired |= set(self._access) | {self._fixed}

    def reset(self) -> None:
        with self._lock:
            self._expired.clear()
            self._fixed_revoked = False

def parse_authorization(header: str | None) -> tuple[str, str]:
    """`token api_key:access_token` -> (api_key, access_token); 403 when absent or malformed."""
    if not header or not header.startswith("token ") or ":" not in header:
        raise token_error()
    api_key, _, access = header[len("token "):].strip().partition(":")
    if not api_key or not access:
        raise token_error()
    return api_key, access

