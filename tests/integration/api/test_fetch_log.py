"""GET /api/data/fetches: every fetch, failed ones too (unknown symbol, rejected token), newest first."""

from __future__ import annotations

import re

import pytest
import requests

IST_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30$")


def fetch(api, symbol: str, interval: str) -> requests.Response:
    return requests.post(f"{api.api}/fetch-equity", json={
        "symbol": symbol, "interval": interval, "from_date": "2025-03-03", "to_date": "2025-03-07"}, timeout=60)


def test_failed_fetches_are_logged_and_listed(api, sandbox_process):
    assert fetch(api, "INFY", "30minute").status_code == 200
    assert fetch(api, "NOSUCHCO", "30minute").status_code == 404
    requests.post(f"{sandbox_process.url}/__sandbox/expire-tokens", timeout=5).raise_for_status()
    try:
        rejected = fetch(api, "INFY", "60minute")
    finally:
        requests.post(f"{sandbox_process.url}/__sandbox/reset", timeout=5).raise_for_status()
    assert rejected.status_code == 401

    body = requests.get(f"{api.api}/fetches", timeout=10).json()
    assert body["success"] is True and 3 <= len(body["fetches"]) <= 50
    latest = body["fetches"][:3]
    assert [(f["symbol"], f["interval"], f["status"], f["error_type"]) for f in latest] == [
        ("INFY", "60minute", "failed", "auth"), ("NOSUCHCO", "30minute", "failed", "not_found"),
        ("INFY", "30minute", "ok", None)]
    auth, unknown, ok = latest
    assert auth["exchange"] == "NSE" and "log in again" in auth["error"] and "sandbox-token" not in auth["error"]
    assert unknown["exchange"] is None and "NOSUCHCO" in unknown["error"] and unknown["requests"] == 0
    assert ok["records"] == 5 * 13 and ok["error"] is None and ok["requests"] == 1
    assert all(IST_TIME.match(f["time"]) for f in latest)
    assert [f["symbol"] for f in requests.get(f"{api.api}/fetches?limit=2", timeout=10).json()["fetches"]] == [
        "INFY", "NOSUCHCO"]

    dashboard = requests.get(api.base, timeout=10).text
    assert re.search(r'<tr class="error">.*?NOSUCHCO.*?not_found', dashboard, re.S)


@pytest.mark.parametrize("limit", ["0", "501", "-1", "ten", "1.5"])
def test_a_bad_limit_is_400(api, limit):
    response = requests.get(f"{api.api}/fetches", params={"limit": limit}, timeout=10)
    assert response.status_code == 400 and response.json()["error_type"] == "validation"
