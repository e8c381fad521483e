"""Two browsers, two Kite sessions: every request a fetch or job makes uses the session that asked for it.

The token file holds the last login, so a pool thread that lost the request's context would use it instead;
the sandbox counts historical requests per token fingerprint, which shows which token each request carried.
"""

from __future__ import annotations

import json
import time

import requests

from kite_sandbox.stats import token_fingerprint
from tests.integration import secret_watch
from tests.integration.api.conftest import stats
from tests.integration.sandbox_login import submit_login_page


def browser_login(api) -> tuple[requests.Session, str]:
    """Log in like a browser (kitefetch -> sandbox login page -> callback); returns it with its access token."""
    browser = requests.Session()
    to_kite = browser.get(f"{api.base}/auth/login", allow_redirects=False, timeout=10)
    page = browser.get(to_kite.headers["Location"], timeout=10)
    home = submit_login_page(page, browser, timeout=30)
    assert home.status_code == 200 and home.url.rstrip("/") == api.base
    token = json.loads((api.data_dir / "kite_token.json").read_text())["access_token"]  # this login's
    secret_watch.SECRETS.add(token)
    return browser, token


def historical_by_token(sandbox) -> dict[str, int]:
    return stats(sandbox)["historical_by_token"]


def sent_since(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {fp: n - before.get(fp, 0) for fp, n in after.items() if n != before.get(fp, 0)}


def logout(api, browser: requests.Session) -> None:
    csrf = browser.get(f"{api.base}/auth/status", timeout=10).json()["csrf_token"]
    assert browser.post(f"{api.base}/auth/logout", headers={"X-CSRF-Token": csrf}, timeout=10).json()["success"]


def test_each_browser_session_fetches_with_its_own_token(tokenless_api, sandbox_process):
    first, first_token = browser_login(tokenless_api)
    second, second_token = browser_login(tokenless_api)
    assert first_token != second_token
    try:
        before = historical_by_token(sandbox_process)
        fetched = first.post(f"{tokenless_api.api}/fetch-equity", json={
            "symbol": "TCS", "interval": "minute", "from_date": "2025-01-01", "to_date": "2025-05-30"}, timeout=120)
        assert fetched.status_code == 200, fetched.text
        assert fetched.json()["requests"] == 3  # 150 days of minutes: three chunks, fetched concurrently
        sent = sent_since(before, historical_by_token(sandbox_process))
        assert list(sent) == [token_fingerprint(first_token)] and sent[token_fingerprint(first_token)] >= 3

        before = historical_by_token(sandbox_process)
        started = first.post(f"{tokenless_api.base}/api/jobs", json={"requests": [
            {"segment": "EQUITY", "symbol": symbol, "interval": "minute", "from_date": "2025-01-01",
             "to_date": "2025-05-30"} for symbol in ("INFY", "RELIANCE")]}, timeout=10)
        assert started.status_code == 202, started.text
        job_url = f"{tokenless_api.base}/api/jobs/{started.json()['job_id']}"
        deadline = time.monotonic() + 120
        while (job := first.get(job_url, timeout=10).json())["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        assert (job["status"], job["successful"]) == ("completed", 2), job
        sent = sent_since(before, historical_by_token(sandbox_process))
        assert list(sent) == [token_fingerprint(first_token)] and sent[token_fingerprint(first_token)] >= 6
    finally:
        logout(tokenless_api, first)
        logout(tokenless_api, second)
