"""Logout: end the Kite session the caller is using, forget it where it came from, say what is left."""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from application.access_tokens import AccessTokens, TokenSource
from application.ports import MarketDataSource, TokenStore
from domain.errors import AuthRequired, DomainError

log = structlog.get_logger(__name__)

_LOGGED_OUT = {TokenSource.SESSION: "Logged out of this browser's Kite session",
               TokenSource.TOKEN_FILE: "Logged out of the Kite session in the token file"}
_STILL_ACTIVE = {
    TokenSource.TOKEN_FILE: "the token file still holds another Kite login (used by the CLI and by callers without "
                            "a browser session): log out again to end it",
    TokenSource.ENVIRONMENT: "the token from KITE_ACCESS_TOKEN is still in use: kitefetch cannot unset it, so unset "
                             "KITE_ACCESS_TOKEN and restart kitefetch to stop using it",
}


@dataclass(frozen=True, slots=True)
class LogoutResult:
    logged_out: TokenSource | None  # where the token logged out of came from; None: nothing was logged out
    still_active: TokenSource | None  # where the token calls use from now on comes from, if any
    message: str


class Logout:
    """Rules: the token the caller uses (session, then token file, then environment) is invalidated at Kite and
    forgotten where it came from: the session by the inbound adapter, the token file here (also when a session's
    login wrote it). The local copy is forgotten even if Kite cannot be reached, so a user is never stuck.
    KITE_ACCESS_TOKEN is the operator's setting, shared with every process started with it: it is neither
    invalidated nor forgotten, only reported as still active."""

    def __init__(self, source: MarketDataSource, tokens: AccessTokens, store: TokenStore) -> None:
        self._source = source
        self._tokens = tokens
        self._store = store

    def execute(self) -> LogoutResult:
        held = self._tokens.held()
        if held is None:
            return LogoutResult(None, None, "Not logged in: no Kite session, token file or KITE_ACCESS_TOKEN to log "
                                            "out of")
        if held.source is TokenSource.ENVIRONMENT:
            return LogoutResult(None, TokenSource.ENVIRONMENT, f"Not logged out: {_STILL_ACTIVE[held.source]}")
        stored = self._store.load()
        if stored is not None and stored.access_token == held.token:
            self._store.clear()
        told_kite = self._invalidate(held.token)
        after = self._tokens.held(with_session=False)
        # The same token set in KITE_ACCESS_TOKEN too (the demo does that) died with it: it is not still active.
        still_active = after.source if after and after.token != held.token else None
        message = _LOGGED_OUT[held.source]
        if not told_kite:
            message += " (Kite could not be reached: the token stays valid there until 6 AM IST, but is forgotten)"
        message += f"; {_STILL_ACTIVE[still_active]}" if still_active else ""
        log.info("kite_logout", logged_out=held.source.value, still_active=still_active and still_active.value,
                 told_kite=told_kite)
        return LogoutResult(held.source, still_active, message)

    def _invalidate(self, token: str) -> bool:
        """Whether Kite now knows the token is dead (a token it already refuses counts)."""
        try:
            self._source.invalidate_session(token)
        except AuthRequired:
            return True
        except DomainError as error:
            log.warning("logout_invalidate_failed", error_type=error.error_type)
            return False
        return True
