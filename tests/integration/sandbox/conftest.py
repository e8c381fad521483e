"""Sandboxes on ephemeral ports, one per test module, with a fixed day for determinism."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from kiteconnect import KiteConnect

from kite_sandbox import RunningSandbox, SandboxConfig, start_sandbox

TODAY = datetime.date(2026, 11, 24)  # a Tuesday and an NSE holiday (Guru Nanak Jayanti)
RELIANCE = 738561


def fast_config(**overrides: object) -> SandboxConfig:
    """No artificial delays and generous limits, so tests only wait on what they test."""
    values: dict[str, object] = {"port": 0, "today": TODAY, "cost_ms_per_1000_candles": 0.0,
                                 "rate_limit": 1000, "other_rate_limit": 1000}
    values.update(overrides)
    return SandboxConfig(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(fast_config()) as running:
        yield running


@pytest.fixture
def kite(sandbox: RunningSandbox) -> KiteConnect:
    """A client using the always-valid configured token."""
    return KiteConnect(sandbox.config.api_key, access_token=sandbox.config.access_token, root=sandbox.url)


def login_request_token(sandbox: RunningSandbox) -> str:
    """Walk the login page like a browser: GET the form, submit it, read the redirect's request_token."""
    page = requests.get(f"{sandbox.url}/connect/login", params={"api_key": sandbox.config.api_key, "v": "3"},
                        timeout=5)
    assert page.status_code == 200 and "Log in" in page.text and 'action="/connect/login"' in page.text
    submitted = requests.post(f"{sandbox.url}/connect/login",
                              data={"api_key": sandbox.config.api_key, "user_id": "SB0001", "password": "x"},
                              allow_redirects=False, timeout=5)
    assert submitted.status_code == 302
    location = submitted.headers["Location"]
    assert location.startswith(sandbox.config.redirect_url)
    query = parse_qs(urlsplit(location).query)
    assert query["action"] == ["login"] and query["status"] == ["success"]
    return query["request_token"][0]
