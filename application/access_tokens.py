"""Which Kite access token a call uses: the caller's session, then the shared token file, then the env."""

from __future__ import annotations

from contextvars import ContextVar

from application.ports import TokenStore

# Set by an inbound adapter for the duration of one request (e.g. from the Flask session cookie).
session_token: ContextVar[str | None] = ContextVar("session_token", default=None)


class AccessTokens:
    def __init__(self, store: TokenStore, env_token: str | None = None) -> None:
        self._store = store
        self._env_token = env_token or None

    def resolve(self) -> str | None:
        token = session_token.get()
        if token:
            return token
        stored = self._store.load()
        if stored is not None:
            return stored.access_token
        return self._env_token
