"""Per-request context: a request id bound into every log line, and the caller's Kite session."""

from __future__ import annotations

import re
import time
import uuid

import structlog
from flask import Flask, g, request

from adapters.inbound.http import web_session
from application.access_tokens import session_token
from application.ports import TokenStore

log = structlog.get_logger(__name__)
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def install(app: Flask, token_store: TokenStore) -> None:
    @app.before_request
    def begin() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        g.started = time.perf_counter()
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=g.request_id)
        g.session_token_reset = session_token.set(web_session.session_token(token_store))

    @app.after_request
    def finish(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        log.info("request_served", method=request.method, path=request.path, status=response.status_code,
                 elapsed_ms=round(elapsed * 1000, 1))
        return response

    @app.teardown_request
    def end(_error: BaseException | None) -> None:
        reset = g.pop("session_token_reset", None)
        if reset is not None:
            session_token.reset(reset)
        structlog.contextvars.clear_contextvars()
