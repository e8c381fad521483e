"""/api/data/tracked against `kitefetch serve` and the sandbox: the REST shapes, the bad-input statuses, removal
that keeps candles, and option rules resolved on two sandbox days checked against each day's own dump and prices
(read with the real kiteconnect client)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
import requests
from kiteconnect import KiteConnect

from bootstrap.app import create_app
from bootstrap.settings import Settings
from domain.clock_time import IST
from tests.integration.conftest import _serve
from tests.integration.processes import Process, free_port

TRACKED_KEYS = {"id", "rule", "exchange", "intervals", "from_date", "created_at"}


def post(api, body: dict) -> requests.Response:
    return requests.post(f"{api.api}/tracked", json=body, timeout=60)


def refused(response: requests.Response, status: int, error_type: str, message: str | None = None) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["success"], body["error_type"]) == (False, error_type)
    if message is not None:
        assert body["error"] == message
    return body["error"]


def kite(sandbox_url: str) -> KiteConnect:
    client = KiteConnect(api_key="sandbox", root=sandbox_url)
    client.set_access_token("sandbox-token")
    return client


def expected_chain(sandbox_url: str, underlying: dict, expiries: int, strikes: int) -> list[str]:
    """What the rule should name, worked out here from the sandbox's own dump and candles: the nearest live NIFTY
    expiries, the listed strikes around the close, CE and PE."""
    client = kite(sandbox_url)
    today = datetime.now(IST).date()
    day = date.fromisoformat(underlying["date"])
    served = client.historical_data(256265, day, day, "day")  # NIFTY 50's candle of that day, as Kite serves it
    assert [c["close"] for c in served] == [underlying["close"]]
    if day < today:  # it was the last close
        assert client.historical_data(256265, day + timedelta(days=1), today, "day") == []
    options = [i for i in client.instruments("NFO") if i["name"] == "NIFTY" and i["instrument_type"] in ("CE", "PE")
               and i["expiry"] >= today]
    chosen = []
    for expiry in sorted({i["expiry"] for i in options})[:expiries]:
        listed = sorted({i["strike"] for i in options if i["expiry"] == expiry})
        atm = min(range(len(listed)), key=lambda k: (abs(listed[k] - underlying["close"]), listed[k]))
        band = set(listed[max(0, atm - strikes): atm + strikes + 1])
        chosen += [i["tradingsymbol"] for i in options if i["expiry"] == expiry and i["strike"] in band]
    return sorted(chosen)


def test_a_symbol_is_tracked_listed_refused_twice_and_removed_keeping_its_candles(api):
    fetched = requests.post(f"{api.api}/fetch-equity", timeout=60, json={
        "symbol": "HDFCBANK", "from_date": "2025-01-01", "to_date": "2025-01-31", "interval": "day"})
    assert fetched.status_code == 200, fetched.text
    created = post(api, {"exchange": "nse", "symbol": "hdfcbank", "intervals": ["day", "minute"],
                         "from_date": "2015-01-01"})
    assert created.status_code == 201, created.text
    body = created.json()
    entry = body["tracked"]
    assert body["success"] is True and set(entry) == TRACKED_KEYS | {"symbol"}
    assert (entry["rule"], entry["exchange"], entry["symbol"], entry["intervals"], entry["from_date"]) == (
        None, "NSE", "HDFCBANK", ["day", "minute"], "2015-01-01")
    listed = requests.get(f"{api.api}/tracked", timeout=10).json()
    assert listed["success"] is True and entry in listed["tracked"]

    again = post(api, {"exchange": "NSE", "symbol": "HDFCBANK", "intervals": ["minute"], "from_date": "2020-01-01"})
    refused(again, 409, "conflict", f"NSE:HDFCBANK at minute is already tracked (id {entry['id']})")
    resolved = requests.get(f"{api.api}/tracked/{entry['id']}/resolve", timeout=30).json()
    assert resolved["contracts"] == [{"exchange": "NSE", "symbol": "HDFCBANK", "expiry": None, "strike": None,
                                      "instrument_type": "EQ"}] and resolved["underlying"] is None

    gone = requests.delete(f"{api.api}/tracked/{entry['id']}", json={}, timeout=10)
    assert gone.status_code == 200 and gone.json() == {"success": True, "untracked": entry}
    assert entry not in requests.get(f"{api.api}/tracked", timeout=10).json()["tracked"]
    refused(requests.delete(f"{api.api}/tracked/{entry['id']}", json={}, timeout=10), 404, "not_found")
    refused(requests.get(f"{api.api}/tracked/{entry['id']}/resolve", timeout=10), 404, "not_found")
    stored = requests.get(f"{api.api}/existing-range/NSE/HDFCBANK/day", timeout=10).json()
    assert stored["rows"] > 15  # untracking deletes nothing stored


def test_bad_input(api, sandbox_process):
    client = kite(sandbox_process.url)
    nfo_names = {i["name"] for i in client.instruments("NFO")}
    no_derivatives = next(i["tradingsymbol"] for i in client.instruments("NSE")
                          if i["segment"] == "NSE" and i["tradingsymbol"] not in nfo_names)
    rule = {"rule": "options", "exchange": "NFO", "underlying": "NIFTY", "expiries": 2, "strikes": 10,
            "intervals": ["minute"]}
    refused(post(api, {"exchange": "NSE", "symbol": "NOSUCHCO", "intervals": ["day"], "from_date": "2020-01-01"}),
            404, "not_found", "Symbol 'NOSUCHCO' not found on NSE")
    refused(post(api, {**rule, "underlying": "NOSUCHCO"}), 404, "not_found")
    refused(post(api, {**rule, "underlying_symbol": "NSE:NOSUCHINDEX"}), 404, "not_found")
    refused(post(api, {**rule, "underlying": no_derivatives}), 400, "validation",
            f"The options rule for NFO {no_derivatives} resolves to no live contract: {no_derivatives} has no live "
            "option on NFO")
    refused(post(api, {"rule": "futures", "exchange": "NFO", "underlying": no_derivatives, "intervals": ["day"]}),
            400, "validation")
    refused(post(api, {**rule, "strikes": 51}), 400, "validation",
            "strikes: Must be greater than or equal to 0 and less than or equal to 50.")
    refused(post(api, {**rule, "expiries": 0}), 400, "validation",
            "expiries: Must be greater than or equal to 1 and less than or equal to 6.")
    refused(post(api, {**rule, "expiries": 7}), 400, "validation")
    refused(post(api, {**rule, "strikes": -1}), 400, "validation")
    refused(post(api, {**rule, "rule": "straddles"}), 400, "validation",
            "rule: must be options or futures (or absent, to track one symbol)")
    refused(post(api, {**rule, "rule": "futures"}), 400, "validation")  # expiries, strikes: unknown fields
    refused(post(api, {"exchange": "NSE", "symbol": "TCS", "intervals": ["day"], "from_date": "2020-01-01",
                       "strikes": 3}), 400, "validation", "strikes: unknown field")
    refused(post(api, {"exchange": "NSE", "symbol": "TCS", "intervals": ["day", "day"], "from_date": "2020-01-01"}),
            400, "validation", "intervals: an interval is named twice")
    refused(post(api, {**rule, "underlying_symbol": "NIFTY 50"}), 400, "validation")
    refused(requests.post(f"{api.api}/tracked", data="[]", headers={"Content-Type": "application/json"}, timeout=10),
            400, "validation", "Request body must be a JSON object")


@pytest.fixture(scope="module")
def next_week(tmp_path_factory):
    """A second sandbox whose day is a week on (other weekly expiries, another close), and an API wired to it."""
    port = free_port()
    logs = tmp_path_factory.mktemp("logs-next-week")
    today = datetime.now(IST).date() + timedelta(days=7)
    sandbox = Process(["sandbox", "--port", str(port), "--today", today.isoformat(), "--cost-ms-per-1000-candles",
                       "0"], {}, f"http://127.0.0.1:{port}/__sandbox/stats", logs / "sandbox.log")
    sandbox.url = f"http://127.0.0.1:{port}"
    api = _serve(sandbox, tmp_path_factory.mktemp("data-next-week"), free_port(), logs / "api.log", "sandbox-token")
    yield sandbox, api
    api.stop()
    sandbox.stop()


def test_an_option_rule_resolved_on_two_sandbox_days_names_each_days_contracts(api, sandbox_process, next_week):
    rule = {"rule": "options", "exchange": "NFO", "underlying": "NIFTY", "expiries": 2, "strikes": 3,
            "intervals": ["minute"]}
    named = []
    for sandbox_url, server in ((sandbox_process.url, api), (next_week[0].url, next_week[1])):
        created = post(server, rule)
        if created.status_code == 409:  # the shared server's rule from an earlier run of this test in the session
            tracked_id = created.json()["error"].rsplit("id ", 1)[1].rstrip(")")
        else:
            assert created.status_code == 201, created.text
            entry = created.json()["tracked"]
            assert (entry["underlying_symbol"], entry["from_date"], entry["expiries"], entry["strikes"]) == (
                "NSE:NIFTY 50", None, 2, 3)
            tracked_id = entry["id"]
        answer = requests.get(f"{server.api}/tracked/{tracked_id}/resolve", timeout=60)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["underlying"]["symbol"] == "NSE:NIFTY 50" and body["count"] == len(body["contracts"]) == 2 * 7 * 2
        symbols = sorted(c["symbol"] for c in body["contracts"])
        assert symbols == expected_chain(sandbox_url, body["underlying"], 2, 3)
        assert {c["instrument_type"] for c in body["contracts"]} == {"CE", "PE"}
        assert all(c["exchange"] == "NFO" and c["strike"] > 0 and c["expiry"] for c in body["contracts"])
        named.append(({c["expiry"] for c in body["contracts"]}, symbols))
    (today_expiries, today_symbols), (later_expiries, later_symbols) = named
    assert today_symbols != later_symbols and min(later_expiries) > min(today_expiries)


def test_a_futures_rule_resolves_to_every_live_future(api, sandbox_process):
    created = post(api, {"rule": "futures", "exchange": "BFO", "underlying": "SENSEX", "intervals": ["day"],
                         "from_date": "2025-01-01"})
    assert created.status_code == 201, created.text
    entry = created.json()["tracked"]
    assert set(entry) == TRACKED_KEYS | {"underlying"} and entry["from_date"] == "2025-01-01"
    body = requests.get(f"{api.api}/tracked/{entry['id']}/resolve", timeout=30).json()
    today = datetime.now(IST).date().isoformat()
    futures = sorted((i["expiry"].isoformat(), i["tradingsymbol"]) for i in kite(sandbox_process.url).instruments("BFO")
                     if i["name"] == "SENSEX" and i["instrument_type"] == "FUT" and i["expiry"].isoformat() >= today)
    assert [(c["expiry"], c["symbol"]) for c in body["contracts"]] == futures and len(futures) == 3
    assert body["underlying"] is None
    requests.delete(f"{api.api}/tracked/{entry['id']}", json={}, timeout=10).raise_for_status()


def test_the_dashboard_pages_a_long_tracked_list(tmp_path):
    entries = [{"id": f"id{n:03}", "exchange": "NSE", "kind": "series", "symbol": f"SYM{n:03}", "intervals": ["day"],
                "from_date": "2020-01-01", "created_at": 1_700_000_000} for n in range(120)]
    (tmp_path / "tracked.json").write_text(json.dumps({"version": 1, "tracked": entries}))
    app = create_app(Settings(data_dir=tmp_path))
    try:
        client = app.test_client()
        first = client.get("/").get_data(as_text=True)
        assert first.count('<tr data-id="') == 50 and "id000" in first and "id050" not in first
        assert "Page 1 of 3" in first and 'id="tracked-next"' in first and 'id="tracked-prev"' not in first
        last = client.get("/?tracked_page=3").get_data(as_text=True)
        assert last.count('<tr data-id="') == 20 and "id119" in last and "Page 3 of 3" in last
        assert client.get("/?tracked_page=x").get_data(as_text=True).count('<tr data-id="') == 50
        assert len(client.get("/api/data/tracked").get_json()["tracked"]) == 120  # the API lists them all
        page = client.get("/api/data/tracked?page=3").get_json()  # or a page (50 by default)
        assert [t["id"] for t in page["tracked"]] == [f"id{n:03}" for n in range(100, 120)]
        assert (page["total"], page["page"], page["pages"]) == (120, 3, 3)
        small = client.get("/api/data/tracked?per_page=7&page=2").get_json()
        assert [t["id"] for t in small["tracked"]] == [f"id{n:03}" for n in range(7, 14)] and small["pages"] == 18
        refused = client.get("/api/data/tracked?per_page=0")
        assert refused.status_code == 400 and refused.get_json()["error_type"] == "validation"
    finally:
        app.container.unwire()
