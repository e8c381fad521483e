"""The browser's hold on a Kite session, without putting the access token in a cookie.

Flask's session cookie is signed, not encrypted, so it carries only an HMAC fingerprint of the token;
the token itself stays server-side (in this process and in the 0600 token file).
"""

from __future__ import annotations

import hashlib
import hmac
import threading

from flask import current_app, session

from application.ports import TokenStore

_SESSION_KEY = "kite"
_known: dict[str, str] = {}
_known_lock = threading.Lock()


def _fingerprint(token: str) -> str:
    key = str(current_app.secret_key).encode()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()[:32]


def remember(token: str) -> None:
    fingerprint = _fingerprint(token)
    with _known_lock:
        _known[fingerprint] = token
    session[_SESSION_KEY] = fingerprint
    session.permanent = True


def forget() -> None:
    fingerprint = session.pop(_SESSION_KEY, None)
    if fingerprint:
        with _known_lock:
            _known.pop(fingerprint, None)


def session_token(store: TokenStore) -> str | None:
    """The token this browser logged in with, if the server still holds it."""
    fingerprint = session.get(_SESSION_KEY)
    if not fingerprint:
        return None
    with _known_lock:
        token = _known.get(fingerprint)
    if token:
        return token
    stored = store.load()
    if stored is not None and hmac.compare_digest(_fingerprint(stored.access_token), fingerprint):
        return stored.access_token
    return None
