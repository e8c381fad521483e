"""Who may call the API: an API key once it is reachable beyond this machine, and no cross-site POSTs.

The key goes in `X-API-Key`; a browser, which cannot add it to page loads or Server-Sent Events, presents it
once to `POST /auth/key` and its session then carries an HMAC fingerprint of it (never the key itself).

CSRF: a state-changing request must either be JSON (a cross-site page cannot send `application/json`
without a CORS preflight, and kitefetch answers none) or carry the session's CSRF token in `X-CSRF-Token`
(browsers get it from `/auth/status`); a foreign `Origin` is refused outright. The token file makes even
cookie-less local requests "authenticated", so this applies to every POST, not only cookie sessions.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlparse

from flask import Flask, abort, jsonify, render_template, request, session

from adapters.inbound.http.bodies import json_body
from adapters.inbound.schemas import ApiKeySchema, load
from domain.errors import AuthRequired

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_CSRF_KEY = "csrf"
_KEY_SESSION = "api_key"
UNLOCK_PATH = "/auth/key"
DOCS_PATH = "/api/docs"  # a page, though under /api/: locked like the other pages
# Open without the key: presenting it, Kite's redirect back (it cannot carry a header), health, and page assets.
_OPEN_PATHS = frozenset({UNLOCK_PATH, "/auth/callback", "/healthz", "/favicon.ico"})


def csrf_token() -> str:
    """The session's CSRF token, created on first use."""
    token = session.get(_CSRF_KEY)
    if not token:
        token = session[_CSRF_KEY] = secrets.token_urlsafe(32)
    return token


def install(app: Flask, api_key: str | None) -> None:
    expected = api_key.encode() if api_key else None

    def fingerprint() -> str:
        return hmac.new(str(app.secret_key).encode(), b"api-key:" + (expected or b""), hashlib.sha256).hexdigest()

    def key_presented() -> bool:
        supplied = request.headers.get("X-API-Key", "").encode()
        return hmac.compare_digest(supplied, expected or b"") or hmac.compare_digest(
            str(session.get(_KEY_SESSION, "")).encode(), fingerprint().encode())

    @app.before_request
    def guard():
        # With a key, everything but _OPEN_PATHS needs it: the API (a header, or the session's fingerprint) and
        # the pages too (they show what is stored and whose Kite account this is).
        if expected is not None and request.path not in _OPEN_PATHS and not request.path.startswith(
                "/static/") and not key_presented():
            page = request.path == DOCS_PATH or not request.path.startswith(("/api/", "/auth/"))
            if request.method == "GET" and page:
                return render_template("locked.html", csrf=csrf_token()), 401
            raise AuthRequired("Missing or wrong X-API-Key header")
        # A request no view accepts (unknown URL, or a method the URL does not take) changes nothing: Flask
        # answers it 404 or 405 with Allow, rather than the CSRF rule calling it forbidden.
        if request.method not in UNSAFE or request.routing_exception is not None:
            return
        origin = request.headers.get("Origin")
        if origin and origin != "null" and urlparse(origin).netloc != request.host:
            abort(403, description="Cross-site request refused")
        if origin == "null":
            abort(403, description="Cross-site request refused")
        if request.is_json:
            return
        supplied_token = request.headers.get("X-CSRF-Token", "")
        stored = session.get(_CSRF_KEY, "")
        if not (stored and hmac.compare_digest(supplied_token.encode(), stored.encode())):
            abort(403, description="Send JSON (Content-Type: application/json) or the X-CSRF-Token from /auth/status")

    @app.post(UNLOCK_PATH)
    def unlock():
        """The browser's way to present the API key (JSON, so the CSRF rule above applies)."""
        supplied = str(load(ApiKeySchema(), json_body())["key"]).encode()
        if expected is None or not hmac.compare_digest(supplied, expected):
            raise AuthRequired("Wrong API key" if expected is not None else "This server needs no API key")
        session[_KEY_SESSION] = fingerprint()
        return jsonify({"success": True})
