"""GET /api/data/gaps end to end: a real server over HDF5 and the real calendar, fed by the sandbox."""

from __future__ import annotations

from datetime import date, timedelta

import jsonschema_rs
import pytest
import requests

from tests.integration.api.test_api_contract import json_schema

KEYS = {"success", "exchange", "symbol", "interval", "from_date", "to_date", "sessions_expected",
        "sessions_with_candles", "never_fetched", "fetched_empty", "partial", "out_of_session", "estimated"}


def fetch(api, symbol: str, first: str, last: str, interval: str, segment: str = "equity", **extra) -> dict:
    response = requests.post(f"{api.api}/fetch-{segment}", timeout=120, json={
        "symbol": symbol, "from_date": first, "to_date": last, "interval": interval, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def gaps(api, path: str, **query) -> requests.Response:
    return requests.get(f"{api.api}/gaps/{path}", params=query, timeout=30)


@pytest.fixture(scope="module")
def validator(api):
    document = requests.get(f"{api.base}/api/openapi.json", timeout=10).json()
    response = document["paths"]["/api/data/gaps/{exchange}/{symbol}/{interval}"]["get"]["responses"]["200"]
    return jsonschema_rs.validator_for(json_schema(response["content"]["application/json"]["schema"],
                                                   document["components"]["schemas"]))


def test_the_issues_example_shape(api, validator):
    """ZZBADOHLC loses its 12:00 candle to validation every day: a partial day of 374 minute candles."""
    fetch(api, "ZZBADOHLC", "2025-01-13", "2025-01-15", "minute")
    response = gaps(api, "NSE/zzbadohlc/minute", from_date="2025-01-13", to_date="2025-01-17", utm_source="x")
    assert response.status_code == 200, response.text
    body = response.json()
    validator.validate(body)
    assert set(body) == KEYS
    assert body == {"success": True, "exchange": "NSE", "symbol": "ZZBADOHLC", "interval": "minute",
                    "from_date": "2025-01-13", "to_date": "2025-01-17", "sessions_expected": 5,
                    "sessions_with_candles": 3, "never_fetched": [["2025-01-16", "2025-01-17"]], "fetched_empty": [],
                    "partial": [{"date": f"2025-01-1{d}", "candles": 374, "expected": 375} for d in (3, 4, 5)],
                    "out_of_session": [], "estimated": False}
    stored = requests.get(f"{api.api}/candles/NSE/ZZBADOHLC/minute?from_date=2025-01-13&to_date=2025-01-15",
                          timeout=30).json()
    assert stored["total"] == 3 * 374
    default = gaps(api, "NSE/ZZBADOHLC/minute").json()  # the stored span
    assert (default["from_date"], default["to_date"], default["never_fetched"]) == ("2025-01-13", "2025-01-15", [])


@pytest.mark.parametrize(("first", "last", "expected"), [
    ("2024-01-19", "2024-01-23", {"2024-01-19": 375, "2024-01-20": 375, "2024-01-23": 375}),  # Sat session, Mon shut
    ("2025-01-31", "2025-02-03", {"2025-01-31": 375, "2025-02-01": 375, "2025-02-03": 375}),  # the Budget Saturday
    ("2026-01-30", "2026-02-02", {"2026-01-30": 375, "2026-02-01": 375, "2026-02-02": 375}),  # the Budget Sunday
    ("2024-05-17", "2024-05-21", {"2024-05-17": 375, "2024-05-18": 105, "2024-05-21": 375}),  # DR Saturday; shut
    ("2024-10-31", "2024-11-04", {"2024-10-31": 375, "2024-11-01": 60, "2024-11-04": 375}),  # Muhurat 18:00
    ("2025-10-20", "2025-10-23", {"2025-10-20": 375, "2025-10-21": 60, "2025-10-23": 375}),  # Muhurat 13:45; 22 shut
    ("2024-11-19", "2024-11-21", {"2024-11-19": 375, "2024-11-21": 375}),  # a one-off closure between
    ("2026-01-14", "2026-01-16", {"2026-01-14": 375, "2026-01-16": 375}),
])
def test_special_sessions_and_closures_agree_with_what_was_served_and_stored(api, first, last, expected):
    """Every session day the calendar expects holds what the sandbox served, a closure is not expected, and the
    only partial days are ZZBADOHLC's, one candle short where a session holds 12:00 (a Muhurat hour does not)."""
    result = fetch(api, "ZZBADOHLC", first, last, "minute")
    body = gaps(api, "NSE/ZZBADOHLC/minute", from_date=first, to_date=last).json()
    assert (body["sessions_expected"], body["sessions_with_candles"]) == (len(expected), len(expected))
    assert body["never_fetched"] == body["fetched_empty"] == body["out_of_session"] == []
    short = {p["date"]: (p["candles"], p["expected"]) for p in body["partial"]}
    assert short == {day: (n - 1, n) for day, n in expected.items() if n != 60}
    assert result["records"] == sum(expected.values()) - len(short) and result["rejected"] == len(short)


def test_a_contract_before_its_listing_is_fetched_empty(api, validator):
    """A future fetched from before it listed: Kite has nothing for those session days."""
    listed = requests.get(f"{api.api}/instruments/NFO", timeout=60).json()["instruments"]
    future = max((i for i in listed if i["instrument_type"] == "FUT" and i["name"] == "BANKNIFTY"),
                 key=lambda i: i["expiry"])["tradingsymbol"]
    today = date.today()
    first, last = str(today - timedelta(days=150)), str(today - timedelta(days=1))
    fetch(api, future, first, last, "day", segment="derivatives", exchange="NFO")
    body = gaps(api, f"NFO/{future}/day").json()
    validator.validate(body)
    candles = requests.get(f"{api.api}/candles/NFO/{future}/day", timeout=30).json()
    days = [row[0][:10] for row in candles["rows"]]
    assert body["from_date"] == first and body["never_fetched"] == [] and body["partial"] == []
    assert body["fetched_empty"] and (not days or body["fetched_empty"][-1] < days[0])  # all before it listed
    assert body["sessions_with_candles"] == len(days)
    assert body["sessions_expected"] == len(days) + len(body["fetched_empty"])


def test_a_weekend_alone_is_covered_without_a_request(api):
    for first, last in (("2025-01-01", "2025-01-17"), ("2025-01-20", "2025-01-31")):  # Fri 17, Mon 20
        fetch(api, "KOTAKBANK", first, last, "day")
    candles = f"{api.api}/candles/NSE/KOTAKBANK/day"
    assert requests.get(candles, timeout=30).json()["gaps"] == [["2025-01-18T00:00:00+05:30",
                                                                 "2025-01-19T23:59:59+05:30"]]
    assert gaps(api, "NSE/KOTAKBANK/day").json()["never_fetched"] == []  # no session there: not a gap of sessions
    weekend = fetch(api, "KOTAKBANK", "2025-01-18", "2025-01-19", "day")
    assert (weekend["requests"], weekend["message"]) == (0, "Nothing to fetch: the range holds no trading session")
    assert requests.get(candles, timeout=30).json()["gaps"] == []


def test_unknown_series_and_bad_queries(api):
    fetch(api, "ZZBADOHLC", "2025-01-13", "2025-01-15", "minute")
    for path in ("NSE/NEVERFETCHED/minute", "NSE/ZZBADOHLC/3minute"):
        missing = gaps(api, path)
        assert missing.status_code == 404 and missing.json()["error_type"] == "not_found", path
    for query in ({"from_date": "2025-02-30"}, {"to_date": "yesterday"}, {"from_date": "1900-01-01"},
                  {"from_date": "2025-01-15", "to_date": "2025-01-13"}):
        bad = gaps(api, "NSE/ZZBADOHLC/minute", **query)
        assert bad.status_code == 400 and bad.json()["error_type"] == "validation", query
    assert gaps(api, "NSE/ZZBADOHLC/7minute").status_code == 400
    assert gaps(api, "MCX/ZZBADOHLC/minute").status_code == 400


def test_held_back_days_are_listed_as_out_of_session(api, validator):
    """ZZOFFHOURS trades a Saturday no calendar knows: held back, not a session, listed apart."""
    result = fetch(api, "ZZOFFHOURS", "2025-06-02", "2025-06-08", "day")
    assert result["out_of_session"] == [{"date": "2025-06-07", "candles": 1}]
    body = gaps(api, "NSE/ZZOFFHOURS/day").json()
    validator.validate(body)
    assert body["out_of_session"] == [{"date": "2025-06-07", "candles": 1}]
    assert (body["sessions_expected"], body["sessions_with_candles"], body["never_fetched"]) == (5, 5, [])
    assert fetch(api, "ZZOFFHOURS", "2025-06-07", "2025-06-08", "day")["requests"] == 0
    assert gaps(api, "NSE/ZZOFFHOURS/day").json()["out_of_session"] == [{"date": "2025-06-07", "candles": 1}]
