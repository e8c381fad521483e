"""AuthStatus: is a usable Kite session held, whose is it, and where does its token come from."""

from __future__ import annotations

from dataclasses import dataclass

from application.access_tokens import AccessTokens, TokenSource
from application.ports import MarketDataSource
from domain.errors import AuthRequired


@dataclass(frozen=True, slots=True)
class AuthState:
    authenticated: bool
    user_id: str | None = None
    user_name: str | None = None
    reason: str | None = None
    source: TokenSource | None = None  # of the token in use, valid or not; None when no token is held


class AuthStatus:
    """Rules: a token counts as valid only if Kite accepts it now (tokens die at 6 AM IST); the state names the
    token's source (so a user can tell why logging out left them logged in), never the token."""

    def __init__(self, source: MarketDataSource, tokens: AccessTokens) -> None:
        self._source = source
        self._tokens = tokens

    def execute(self) -> AuthState:
        held = self._tokens.held()
        if held is None:
            return AuthState(False, reason="No access token: log in with Kite")
        try:
            profile = self._source.profile(held.token)
        except AuthRequired as error:
            return AuthState(False, reason=error.message, source=held.source)
        return AuthState(True, _text(profile.get("user_id")), _text(profile.get("user_name")), source=held.source)


def _text(value: object) -> str | None:
    return None if value is None else str(value)
