"""GET endpoints end to end."""

from __future__ import annotations

import requests


def get(api, route: str) -> requests.Response:
    return requests.get(f"{api.api}/{route}", timeout=60)


def test_instruments_from_the_cache(api):
    body = get(api, "instruments/NFO").json()
    assert body["success"] and body["exchange"] == "NFO" and body["count"] >= 20_000
    first = body["instruments"][0]
    assert set(first) >= {"instrument_token", "exchange_token", "tradingsymbol", "name", "last_price", "expiry",
                          "strike", "tick_size", "lot_size", "instrument_type", "segment", "exchange"}
    limited = get(api, "instruments/NSE?limit=5").json()
    assert limited["count"] == 5 and len(limited["instruments"]) == 5
    assert (api.data_dir / "instruments" / "NFO.json").exists()
    assert get(api, "instruments/NSE?limit=-1").status_code == 400
    assert get(api, "instruments/MCX").status_code == 400


def test_lookup_with_awkward_symbols(api):
    assert get(api, "lookup/NSE/RELIANCE").json() == {
        "success": True, "exchange": "NSE", "symbol": "RELIANCE", "instrument_token": 738561, "expired": False}
    assert get(api, "lookup/NSE/M%26M").json()["symbol"] == "M&M"
    assert get(api, "lookup/NSE/NIFTY%2050").json()["instrument_token"] == 256265
    missing = get(api, "lookup/NSE/NOPE")
    assert missing.status_code == 404 and missing.json()["error_type"] == "not_found"


def test_database_info(api):
    requests.post(f"{api.api}/fetch-equity", json={"symbol": "INFY", "from_date": "2025-01-01",
                                                   "to_date": "2025-01-31"}, timeout=60)
    body = get(api, "database-info/EQUITY").json()
    assert body["success"] and body["segment"] == "EQUITY" and body["exists"] is True
    assert body["size_mb"] > 0 and "NSE" in body["exchanges"] and body["total_datasets"] >= 1
    assert body["file_path"].endswith("EQUITY.h5")
    assert get(api, "database-info/equity").status_code == 200
    bad = get(api, "database-info/COMMODITY")
    assert bad.status_code == 400 and bad.json()["error_type"] == "validation"


def test_database_info_of_a_missing_file(tokenless_api):
    body = get(tokenless_api, "database-info/DERIVATIVES").json()
    assert (body["exists"], body["size_mb"], body["exchanges"], body["total_datasets"]) == (False, 0, [], 0)


def test_existing_range(api):
    requests.post(f"{api.api}/fetch-equity", json={"symbol": "INFY", "from_date": "2025-01-01",
                                                   "to_date": "2025-01-31"}, timeout=60)
    body = get(api, "existing-range/NSE/INFY/day").json()
    assert body["success"] and body["start_date"] <= "2025-01-02" and body["end_date"] >= "2025-01-31"
    typed = get(api, "existing-range/NSE/infy/day").json()  # answered in the stored spelling, not the typed one
    assert (typed["symbol"], typed["rows"]) == ("INFY", body["rows"])
    none = get(api, "existing-range/NSE/NEVERFETCHED/day").json()
    assert none["start_date"] is None and none["end_date"] is None and none["message"] == "No existing data found"
    assert get(api, "existing-range/NSE/INFY/7minute").status_code == 400
