"""AuthStatus: is a usable Kite session held, and whose is it."""

from __future__ import annotations

from dataclasses import dataclass

from application.access_tokens import AccessTokens
from application.ports import MarketDataSource
from domain.errors import AuthRequired


@dataclass(frozen=True, slots=True)
class AuthState:
    authenticated: bool
    user_id: str | None = None
    user_name: str | None = None
    reason: str | None = None


class AuthStatus:
    """Rules: a token counts as valid only if Kite accepts it now (tokens die at 6 AM IST)."""

    def __init__(self, source: MarketDataSource, tokens: AccessTokens) -> None:
        self._source = source
        self._tokens = tokens

    def execute(self) -> AuthState:
        token = self._tokens.resolve()
        if not token:
            return AuthState(False, reason="No access token: log in with Kite")
        try:
            profile = self._source.profile(token)
        except AuthRequired as error:
            return AuthState(False, reason=error.message)
        return AuthState(True, profile.get("user_id"), profile.get("user_name"))
