"""Logout: invalidate the access token at Kite and forget it locally."""

from __future__ import annotations

import structlog

from application.ports import MarketDataSource, TokenStore
from domain.errors import DomainError

log = structlog.get_logger(__name__)


class Logout:
    """Rules: the local copy is forgotten even if Kite cannot be reached, so a user is never stuck."""

    def __init__(self, source: MarketDataSource, tokens: TokenStore) -> None:
        self._source = source
        self._tokens = tokens

    def execute(self, access_token: str | None) -> None:
        stored = self._tokens.load()
        if stored is not None and (access_token is None or stored.access_token == access_token):
            self._tokens.clear()
        if access_token:
            try:
                self._source.invalidate_session(access_token)
            except DomainError as error:
                log.warning("logout_invalidate_failed", error_type=error.error_type)
