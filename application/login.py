"""Login: exchange a Kite request token for an access token and keep it where every process finds it."""

from __future__ import annotations

from application.ports import BrokerSession, MarketDataSource, TokenStore
from domain.errors import InvalidInput


class Login:
    """Rules: a request token is used once; the access token is saved to the token store (0600 file)
    so the API, the CLI and curl users share one session; the token itself is never returned to callers
    other than the inbound adapter that must put it in a session cookie."""

    def __init__(self, source: MarketDataSource, tokens: TokenStore) -> None:
        self._source = source
        self._tokens = tokens

    def login_url(self) -> str:
        return self._source.login_url()

    def execute(self, request_token: str) -> BrokerSession:
        request_token = (request_token or "").strip()
        if not request_token or len(request_token) > 256 or not request_token.isprintable():
            raise InvalidInput("request_token is missing or malformed")
        session = self._source.create_session(request_token)
        self._tokens.save(session)
        return session
