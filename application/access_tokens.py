"""Which Kite access token a call uses: the caller's session, then the shared token file, then the env."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum

from application.ports import TokenStore

# Set by an inbound adapter for the duration of one request (e.g. from the Flask session cookie).
session_token: ContextVar[str | None] = ContextVar("session_token", default=None)


class TokenSource(StrEnum):
    """Where a token came from, which is also where logging out must forget it (the environment: nowhere we can)."""

    SESSION = "session"
    TOKEN_FILE = "token_file"
    ENVIRONMENT = "environment"


@dataclass(frozen=True, slots=True)
class HeldToken:
    """A token and its source. `token` is a secret: never log or return it."""

    token: str
    source: TokenSource

    def __repr__(self) -> str:
        return f"HeldToken(source={self.source.value!r}, token=***)"


class AccessTokens:
    def __init__(self, store: TokenStore, env_token: str | None = None) -> None:
        self._store = store
        self._env_token = env_token or None

    def resolve(self) -> str | None:
        held = self.held()
        return held.token if held else None

    def held(self, with_session: bool = True) -> HeldToken | None:
        """The token a call would use now and its source; `with_session=False` skips the caller's session (what
        the caller falls back to once that session is forgotten)."""
        token = session_token.get() if with_session else None
        if token:
            return HeldToken(token, TokenSource.SESSION)
        stored = self._store.load()
        if stored is not None:
            return HeldToken(stored.access_token, TokenSource.TOKEN_FILE)
        if self._env_token:
            return HeldToken(self._env_token, TokenSource.ENVIRONMENT)
        return None
