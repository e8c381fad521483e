"""Every error is the envelope with the right status; nothing is a 500."""

from __future__ import annotations

import pytest
import requests

ENVELOPE = {"success", "error", "error_type"}


def check(response: requests.Response, status: int, error_type: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= ENVELOPE and body["success"] is False and body["error_type"] == error_type
    return body


@pytest.mark.parametrize(("payload", "fragment"), [
    ({"from_date": "2024-01-01", "to_date": "2024-01-02"}, "symbol"),
    ({"symbol": "INFY", "from_date": "2024-02-30", "to_date": "2024-03-01"}, "from_date"),
    ({"symbol": "INFY", "from_date": "2024-03-01", "to_date": "2024-02-01"}, "from_date"),
    ({"symbol": "INFY", "from_date": "2024-01-01", "to_date": "2024-01-02", "interval": "30 minute"}, "interval"),
    ({"symbol": "INFY", "from_date": "2024-01-01", "to_date": "2024-01-02", "exchange": "MCX"}, "exchange"),
    ({"symbol": "INFY", "from_date": "2024-01-01", "to_date": "2024-01-02", "exchange": "NFO"}, "segment"),
    ({"symbol": "x" * 10_000, "from_date": "2024-01-01", "to_date": "2024-01-02"}, "symbol"),
    ({"symbol": 42, "from_date": "2024-01-01", "to_date": "2024-01-02"}, "symbol"),
    ({"symbol": "TCS", "from_date": "0001-01-01", "to_date": "0001-12-31"}, "outside"),  # Kite is never asked
    ({"symbol": "INFY", "from_date": "2024-01-01", "to_date": "2024-01-02", "validate": "maybe"}, "validate"),
])
def test_bad_fetch_bodies_are_400(api, payload, fragment):
    body = check(requests.post(f"{api.api}/fetch-equity", json=payload, timeout=10), 400, "validation")
    assert fragment in body["error"]


def test_non_json_and_huge_bodies(api):
    check(requests.post(f"{api.api}/fetch-equity", data="not json", headers={"Content-Type": "application/json"},
                        timeout=10), 400, "validation")
    # A form post is what a cross-site page can send without a preflight: refused before the body is read.
    check(requests.post(f"{api.api}/fetch-equity", data="symbol=INFY", timeout=10), 403, "forbidden")
    check(requests.post(f"{api.api}/fetch-equity", data=b"x" * 2_000_000,
                        headers={"Content-Type": "application/json"}, timeout=10), 413, "validation")


def test_derivatives_need_nfo_or_bfo(api):
    check(requests.post(f"{api.api}/fetch-derivatives", json={"exchange": "NSE", "symbol": "X",
                                                              "from_date": "2024-01-01", "to_date": "2024-01-02"},
                        timeout=10), 400, "validation")


def test_unknown_symbol_is_404(api):
    check(requests.post(f"{api.api}/fetch-equity", json={"symbol": "../x", "from_date": "2024-01-01",
                                                         "to_date": "2024-01-02"}, timeout=10), 404, "not_found")


def test_unknown_route_and_method(api):
    check(requests.get(f"{api.api}/nope", timeout=10), 404, "not_found")
    check(requests.get(f"{api.api}/fetch-equity", timeout=10), 405, "method_not_allowed")


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("DELETE", "/api/data/database-info/EQUITY", {"GET"}),
    ("DELETE", "/api/data/fetch-equity", {"POST"}),
    ("PUT", "/api/jobs", {"GET", "POST"}),
    ("PATCH", "/api/jobs/0123456789/cancel", {"POST"}),
    ("DELETE", "/auth/status", {"GET"}),
])
def test_a_method_the_route_does_not_take_is_405_with_allow_not_a_csrf_403(api, method, path, allowed):
    response = requests.request(method, f"{api.base}{path}", timeout=10)  # no JSON, no CSRF token: no view runs
    check(response, 405, "method_not_allowed")
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_the_csrf_rule_still_guards_every_request_that_reaches_a_view(api):
    check(requests.post(f"{api.base}/api/jobs", data="requests=x", timeout=10), 403, "forbidden")
    check(requests.post(f"{api.base}/api/jobs/0123456789/cancel", timeout=10), 403, "forbidden")
    check(requests.post(f"{api.api}/no-such-route", data="x=1", timeout=10), 404, "not_found")  # reaches none


def test_no_token_is_401(tokenless_api):
    body = check(requests.post(f"{tokenless_api.api}/fetch-equity",
                               json={"symbol": "INFY", "from_date": "2024-01-01", "to_date": "2024-01-02"},
                               timeout=10), 401, "auth")
    assert "log in" in body["error"]


def test_hostile_symbols_and_oversized_batches(api):
    check(requests.post(f"{api.api}/fetch-equity", json={"symbol": "a/b", "from_date": "2024-01-01",
                                                         "to_date": "2024-01-02"}, timeout=10), 404, "not_found")
    index = requests.post(f"{api.api}/fetch-equity", json={"symbol": "NIFTY 50", "exchange": "NSE",
                                                           "from_date": "2025-01-01", "to_date": "2025-01-31"},
                          timeout=60)
    assert index.status_code == 200 and index.json()["records"] > 15
    assert requests.get(f"{api.api}/existing-range/NSE/NIFTY%2050/day", timeout=10).json()["start_date"]
    item = {"segment": "EQUITY", "symbol": "INFY", "from_date": "2024-01-01", "to_date": "2024-01-02"}
    huge = requests.post(f"{api.api}/fetch-batch", json={"requests": [item] * 10_000}, timeout=30)
    body = check(huge, 400, "validation")
    assert "500" in body["error"]


def test_bodies_and_requests_too_odd_for_the_parsers_are_still_the_envelope(api):
    deep = "[" * 200_000 + "]" * 200_000  # valid JSON nested past the decoder's recursion limit
    for route in ("fetch-equity", "fetch-batch"):
        check(requests.post(f"{api.api}/{route}", data=deep, headers={"Content-Type": "application/json"},
                            timeout=10), 400, "validation")
    check(requests.post(f"{api.base}/api/jobs", data=deep, headers={"Content-Type": "application/json"},
                        timeout=10), 400, "validation")
    # gunicorn answers these itself, before Flask: a 10,000-character symbol in the path, an 8 KB+ header
    check(requests.get(f"{api.api}/lookup/NSE/{'x' * 10_000}", timeout=10), 414, "validation")
    check(requests.get(f"{api.api}/lookup/NSE/INFY", headers={"X-Filler": "y" * 10_000}, timeout=10), 431,
          "validation")
