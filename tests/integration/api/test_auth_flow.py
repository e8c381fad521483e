"""The browser login: /auth/login -> sandbox login page -> /auth/callback -> session -> status -> logout."""

from __future__ import annotations

import json
import os
import stat
from urllib.parse import parse_qs, urlparse

import requests

from tests.integration import secret_watch
from tests.integration.sandbox_login import submit_login_page

REFUSED = ("Kite refused the request token (expired or already used: request tokens are single-use and live a few "
           "minutes): log in again")
NOT_LOGGED_IN = "Not logged in: no Kite session, token file or KITE_ACCESS_TOKEN to log out of"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_login_flow_through_the_sandbox(tokenless_api, sandbox_process):
    browser = requests.Session()
    status = browser.get(f"{tokenless_api.base}/auth/status", timeout=10).json()
    assert status["authenticated"] is False

    to_kite = browser.get(f"{tokenless_api.base}/auth/login", allow_redirects=False, timeout=10)
    assert to_kite.status_code == 302
    assert to_kite.headers["Location"].startswith(f"{sandbox_process.url}/connect/login?api_key=sandbox&v=3")
    page = browser.get(to_kite.headers["Location"], timeout=10)
    home = submit_login_page(page, browser, timeout=30)
    assert home.status_code == 200 and home.url.rstrip("/") == tokenless_api.base

    cookie = next(c for c in browser.cookies if c.name == "session")
    assert cookie.has_nonstandard_attr("HttpOnly")
    status = browser.get(f"{tokenless_api.base}/api/data/auth/status", timeout=10).json()
    assert status["authenticated"] is True and status["user_id"] and status["source"] == "session"
    assert requests.get(f"{tokenless_api.base}/auth/status", timeout=10).json()["source"] == "token_file"

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
    out = browser.post(f"{tokenless_api.base}/auth/logout", headers={"X-CSRF-Token": csrf}, timeout=10).json()
    assert (out["success"], out["logged_out"], out["still_active"]) == (True, "session", None)
    assert not token_file.exists()
    after = browser.get(f"{tokenless_api.base}/auth/status", timeout=10).json()
    assert (after["authenticated"], after["source"]) == (False, None)
    again = browser.post(f"{tokenless_api.base}/auth/logout", headers={"X-CSRF-Token": csrf}, timeout=10).json()
    assert (again["success"], again["logged_out"], again["still_active"], again["message"]) == (
        True, None, None, NOT_LOGGED_IN)
    refused = requests.post(f"{tokenless_api.api}/fetch-equity", json={
        "symbol": "INFY", "from_date": "2025-02-01", "to_date": "2025-02-28"}, timeout=60)
    assert refused.status_code == 401


def fresh_request_token(api) -> str:
    """Log in on the sandbox's login page and stop at its redirect back: an unused, single-use request token."""
    to_kite = requests.get(f"{api.base}/auth/login", allow_redirects=False, timeout=10)
    page = requests.get(to_kite.headers["Location"], timeout=10)
    back = submit_login_page(page, follow=False, timeout=30)
    token = parse_qs(urlparse(back.headers["Location"]).query)["request_token"][0]
    secret_watch.SECRETS.add(token)
    return token


def login_through_the_token_file(api) -> None:
    """Complete a login without keeping its session cookie, as the CLI does: only the token file holds it."""
    done = requests.get(f"{api.api}/auth/callback", params={"request_token": fresh_request_token(api)},
                        allow_redirects=False, timeout=30)
    assert done.status_code == 302, done.text
    secret_watch.SECRETS.add(json.loads((api.data_dir / "kite_token.json").read_text())["access_token"])


def test_a_used_request_token_is_refused_in_words_as_json_or_a_page(tokenless_api):
    request_token = fresh_request_token(tokenless_api)
    browser = requests.Session()
    browser.headers["Accept"] = BROWSER_ACCEPT
    callback = f"{tokenless_api.base}/auth/callback"
    query = {"request_token": request_token, "status": "success"}
    try:
        assert browser.get(callback, params=query, allow_redirects=False, timeout=30).status_code == 302
        page = browser.get(callback, params=query, allow_redirects=False, timeout=30)  # the page reloaded
        assert page.status_code == 401 and page.headers["Content-Type"].startswith("text/html")
        assert f"Kite login failed: {REFUSED}" in page.text and 'href="/auth/login"' in page.text
        for asked in (requests.get(f"{tokenless_api.api}/auth/callback", params=query, timeout=30),
                      requests.get(callback, params=query, headers={"Accept": "application/json"}, timeout=30)):
            assert asked.status_code == 401 and asked.json() == {"success": False, "error": REFUSED,
                                                                 "error_type": "auth"}
        assert request_token not in tokenless_api.output()
    finally:
        csrf = browser.get(f"{tokenless_api.base}/auth/status", timeout=10).json()["csrf_token"]
        assert browser.post(f"{tokenless_api.base}/auth/logout", headers={"X-CSRF-Token": csrf},
                            timeout=10).json()["logged_out"] == "session"


def test_a_callback_without_a_request_token_is_a_400_page(tokenless_api):
    page = requests.get(f"{tokenless_api.base}/auth/callback", headers={"Accept": BROWSER_ACCEPT}, timeout=10)
    assert page.status_code == 400 and page.headers["Content-Type"].startswith("text/html")
    assert "request_token is missing" in page.text and 'href="/auth/login"' in page.text
    as_json = requests.get(f"{tokenless_api.api}/auth/callback", timeout=10)
    assert as_json.status_code == 400 and as_json.json()["error_type"] == "validation"


def test_logout_of_the_token_file_leaves_no_session(tokenless_api):
    login_through_the_token_file(tokenless_api)
    status = requests.get(f"{tokenless_api.base}/auth/status", timeout=10).json()
    assert (status["authenticated"], status["source"]) == (True, "token_file")
    out = requests.post(f"{tokenless_api.base}/auth/logout", json={}, timeout=10).json()
    assert (out["success"], out["logged_out"], out["still_active"]) == (True, "token_file", None)
    assert not (tokenless_api.data_dir / "kite_token.json").exists()
    status = requests.get(f"{tokenless_api.base}/auth/status", timeout=10).json()
    assert (status["authenticated"], status["source"]) == (False, None)
    again = requests.post(f"{tokenless_api.api}/auth/logout", json={}, timeout=10).json()
    assert (again["success"], again["logged_out"], again["message"]) == (True, None, NOT_LOGGED_IN)


def test_logout_with_only_kite_access_token_says_it_is_still_active(api):
    status = requests.get(f"{api.base}/auth/status", timeout=10).json()
    assert (status["authenticated"], status["source"]) == (True, "environment")
    out = requests.post(f"{api.base}/auth/logout", json={}, timeout=10).json()
    assert (out["success"], out["logged_out"], out["still_active"]) == (True, None, "environment")
    assert "unset KITE_ACCESS_TOKEN" in out["message"] and "`" not in out["message"]
    assert requests.get(f"{api.base}/auth/status", timeout=10).json()["authenticated"] is True


def test_no_secret_reaches_the_logs(api, tokenless_api):
    for proc in (api, tokenless_api):
        text = proc.output()
        for secret in ("sandbox-secret", "sandbox-token"):
            assert secret not in text
