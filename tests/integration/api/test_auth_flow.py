"""The browser login: /auth/login -> sandbox login page -> /auth/callback -> session -> status -> logout."""

from __future__ import annotations

import os
import re
import stat
from urllib.parse import parse_qs, urlparse

import requests

from tests.integration import secret_watch


def test_login_flow_through_the_sandbox(tokenless_api, sandbox_process):
    browser = requests.Session()
    status = browser.get(f"{tokenless_api.base}/auth/status", timeout=10).json()
    assert status["authenticated"] is False

    to_kite = browser.get(f"{tokenless_api.base}/auth/login", allow_redirects=False, timeout=10)
    assert to_kite.status_code == 302
    assert to_kite.headers["Location"].startswith(f"{sandbox_process.url}/connect/login?api_key=sandbox&v=3")
    page = browser.get(to_kite.headers["Location"], timeout=10)
    action = re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1)
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page.text))
    home = browser.post(requests.compat.urljoin(page.url, action), data=fields, timeout=30)
    assert home.status_code == 200 and home.url.rstrip("/") == tokenless_api.base

    cookie = next(c for c in browser.cookies if c.name == "session")
    assert cookie.has_nonstandard_attr("HttpOnly")
    status = browser.get(f"{tokenless_api.base}/api/data/auth/status", timeout=10).json()
    assert status["authenticated"] is True and status["user_id"]

    token_file = tokenless_api.data_dir / "kite_token.json"
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    token = __import__("json").loads(token_file.read_text())["access_token"]
    secret_watch.SECRETS.add(token)
    for hop in home.history:  # the request token travelled through the redirect to our callback
        location = hop.headers.get("Location", "")
        if "request_token=" in location:
            secret_watch.SECRETS.add(parse_qs(urlparse(location).query)["request_token"][0])
    assert len(secret_watch.SECRETS) >= 4  # the fixed ones, this session's access token and request token
    assert token not in cookie.value

    # curl users (no cookie) share the session through the token file
    fetched = requests.post(f"{tokenless_api.api}/fetch-equity", json={
        "symbol": "INFY", "from_date": "2025-01-01", "to_date": "2025-01-31"}, timeout=60)
    assert fetched.status_code == 200, fetched.text

    forged = browser.post(f"{tokenless_api.base}/auth/logout", timeout=10)  # what a cross-site form could send
    assert forged.status_code == 403 and forged.json()["error_type"] == "forbidden" and token_file.exists()
    csrf = status["csrf_token"]
    out = browser.post(f"{tokenless_api.base}/auth/logout", headers={"X-CSRF-Token": csrf}, timeout=10)
    assert out.json()["success"] is True and not token_file.exists()
    assert browser.get(f"{tokenless_api.base}/auth/status", timeout=10).json()["authenticated"] is False
    again = requests.post(f"{tokenless_api.api}/fetch-equity", json={
        "symbol": "INFY", "from_date": "2025-02-01", "to_date": "2025-02-28"}, timeout=60)
    assert again.status_code == 401


def test_callback_with_a_bad_request_token_is_401(tokenless_api):
    response = requests.get(f"{tokenless_api.base}/auth/callback?request_token=forged&status=success", timeout=10)
    assert response.status_code == 401 and response.json()["error_type"] == "auth"


def test_no_secret_reaches_the_logs(api, tokenless_api):
    for proc in (api, tokenless_api):
        text = proc.output()
        for secret in ("sandbox-secret", "sandbox-token"):
            assert secret not in text
