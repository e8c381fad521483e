"""The stand-in for kite.zerodha.com's login page: one form, one "Log in" button, a redirect."""

from __future__ import annotations

import html
from urllib.parse import urlencode

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Kite sandbox - Login</title></head>
<body style="font-family: sans-serif; max-width: 24em; margin: 4em auto;">
<h1>Kite sandbox</h1>
<p>This local sandbox stands in for kite.zerodha.com. Any user id and password are accepted.</p>
<form method="post" action="/connect/login">
<input type="hidden" name="api_key" value="{api_key}">
<p><label>User ID <input name="user_id" value="SB0001"></label></p>
<p><label>Password <input name="password" type="password" value="sandbox"></label></p>
<p><button type="submit">Log in</button></p>
</form>
</body></html>
"""

_ERROR = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Kite sandbox - Error</title></head>
<body><h1>Invalid request</h1><p>{message}</p></body></html>
"""


def login_page(api_key: str) -> bytes:
    return _PAGE.format(api_key=html.escape(api_key, quote=True)).encode()


def error_page(message: str) -> bytes:
    return _ERROR.format(message=html.escape(message)).encode()


def redirect_location(redirect_url: str, request_token: str) -> str:
    """The app's redirect URL with Kite's success parameters appended."""
    sep = "&" if "?" in redirect_url else "?"
    query = urlencode({"request_token": request_token, "action": "login", "status": "success"})
    return f"{redirect_url}{sep}{query}"
