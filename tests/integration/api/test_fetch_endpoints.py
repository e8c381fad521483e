"""POST endpoints end to end: kitefetch serve -> kiteconnect -> kitefetch sandbox -> HDF5 in a temp dir."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import requests

from tests.integration.api.conftest import stats

YEAR = {"from_date": "2025-01-01", "to_date": "2025-12-31", "interval": "day"}


def post(api, route: str, payload: object) -> requests.Response:
    return requests.post(f"{api.api}/{route}", json=payload, timeout=120)


def test_fetch_equity_then_incremental_sends_nothing(api, sandbox_process):
    first = post(api, "fetch-equity", {"symbol": "INFY", **YEAR})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["success"] is True and body["symbol"] == "INFY" and body["interval"] == "day"
    assert body["exchange"] == "NSE" and body["date_range"] == "2025-01-01 to 2025-12-31"
    assert 230 < body["records"] < 260 and isinstance(body["elapsed_seconds"], float)
    assert first.headers["X-Request-ID"]
    historical_before = stats(sandbox_process)["routes"]["historical"]
    again = post(api, "fetch-equity", {"symbol": "INFY", **YEAR}).json()
    assert again["records"] == 0 and again["message"]
    assert stats(sandbox_process)["routes"]["historical"] == historical_before


def test_overwrite_refetches_and_replaces(api):
    post(api, "fetch-equity", {"symbol": "TCS", **YEAR})
    again = post(api, "fetch-equity", {"symbol": "TCS", "from_date": "2025-03-01", "to_date": "2025-03-31",
                                       "interval": "day", "overwrite": True}).json()
    assert again["records"] > 15 and again["requests"] == 1


def test_minute_fetch_spans_several_requests_and_reads_with_pandas(api):
    body = post(api, "fetch-equity", {"symbol": "RELIANCE", "exchange": "NSE", "from_date": "2025-01-01",
                                      "to_date": "2025-03-15", "interval": "minute"}).json()
    assert body["requests"] == 2 and body["records"] > 40 * 375
    df = pd.read_hdf(api.data_dir / "EQUITY.h5", "/NSE/RELIANCE/minute")
    assert len(df) == body["records"]
    assert str(df.index.tz) == "Asia/Kolkata" and df.index.is_unique and df.index.is_monotonic_increasing
    assert df.index.min().strftime("%H:%M") == "09:15"
    assert (df["low"] <= df[["open", "close"]].min(axis=1)).all()


def test_symbol_with_ampersand_is_stored_and_found(api):
    body = post(api, "fetch-equity", {"symbol": "M&M", **YEAR}).json()
    assert body["records"] > 200
    found = requests.get(f"{api.api}/existing-range/NSE/M%26M/day", timeout=10).json()
    assert found["start_date"].startswith("2025-01") and found["end_date"].startswith("2025-12")


def test_bad_data_instruments_are_validated(api):
    for symbol in ("ZZBADOHLC", "ZZNEGVOL", "ZZDUPTS", "ZZOFFHOURS"):
        body = post(api, "fetch-equity", {"symbol": symbol, "from_date": "2025-06-02", "to_date": "2025-06-06",
                                          "interval": "15minute"}).json()
        assert body["rejected"] >= 5, (symbol, body)
        df = pd.read_hdf(api.data_dir / "EQUITY.h5", f"/NSE/{symbol}/15minute")
        assert len(df) == body["records"]
        assert (df["high"] >= df["low"]).all() and (df["volume"] >= 0).all() and df.index.is_unique
        minutes = df.index.hour * 60 + df.index.minute
        assert ((minutes >= 555) & (minutes < 930)).all()


def test_validation_can_be_switched_off(api):
    body = post(api, "fetch-equity", {"symbol": "ZZNEGVOL", "from_date": "2025-06-02", "to_date": "2025-06-06",
                                      "interval": "30minute", "validate": False}).json()
    assert body["rejected"] == 0
    df = pd.read_hdf(api.data_dir / "EQUITY.h5", "/NSE/ZZNEGVOL/30minute")
    assert (df["volume"] < 0).sum() == 5


def _live_future(api) -> dict:
    listed = requests.get(f"{api.api}/instruments/NFO", timeout=60).json()["instruments"]
    return min((i for i in listed if i["instrument_type"] == "FUT" and i["name"] == "NIFTY"),
               key=lambda i: i["expiry"])


def test_fetch_derivatives_stores_open_interest(api):
    contract = _live_future(api)
    today = date.today()
    response = post(api, "fetch-derivatives", {"exchange": "NFO", "symbol": contract["tradingsymbol"],
                                                "from_date": str(today - timedelta(days=14)),
                                                "to_date": str(today - timedelta(days=1)), "interval": "15minute"})
    body = response.json()
    assert response.status_code == 200, body
    assert body["exchange"] == "NFO" and body["records"] > 50
    df = pd.read_hdf(api.data_dir / "DERIVATIVES.h5", f"/NFO/{contract['tradingsymbol']}/15minute")
    assert "oi" in df.columns and (df["oi"] > 0).all()


def test_future_to_date_is_clamped(api):
    today = date.today()
    body = post(api, "fetch-equity", {"symbol": "INFY", "from_date": str(today - timedelta(days=5)),
                                      "to_date": str(today + timedelta(days=30)), "interval": "60minute"}).json()
    assert body["success"] and body["date_range"].endswith(str(today + timedelta(days=30)))


def test_batch_with_one_bad_item(api):
    response = post(api, "fetch-batch", {"requests": [
        {"segment": "EQUITY", "symbol": "INFY", "from_date": "2024-01-01", "to_date": "2024-06-30",
         "interval": "day"},
        {"segment": "EQUITY", "symbol": "NOSUCHSYMBOL", "from_date": "2024-01-01", "to_date": "2024-06-30"},
        {"segment": "EQUITY", "symbol": "TCS", "from_date": "2024-01-01", "to_date": "2024-06-30",
         "interval": "30 minute"},
        {"segment": "EQUITY", "symbol": "BAJAJ-AUTO", "from_date": "2024-01-01", "to_date": "2024-06-30"},
    ]})
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["successful"], body["failed"], body["success_rate"]) == (4, 2, 2, 50.0)
    ok, missing, bad, ok2 = body["results"]
    assert ok["success"] and ok["records"] > 100 and ok2["success"]
    assert missing == {"success": False, "error": missing["error"], "error_type": "not_found",
                       "symbol": "NOSUCHSYMBOL"}
    assert bad["error_type"] == "validation" and bad["symbol"] == "TCS"


def test_malformed_batch_envelope_is_400(api):
    for payload in ({"requests": "x"}, {"requests": []}, {}, [1, 2]):
        response = post(api, "fetch-batch", payload)
        assert response.status_code == 400
        assert response.json()["error_type"] == "validation"


def test_to_date_today_is_the_ist_day_and_a_second_fetch_asks_nothing(api, sandbox_process):
    from adapters.inbound.schemas import today_ist

    today = today_ist()
    payload = {"symbol": "WIPRO", "from_date": str(today - timedelta(days=10)), "to_date": "today",
               "interval": "60minute"}
    body = post(api, "fetch-equity", payload).json()
    assert body["success"] and body["date_range"].endswith(str(today)) and body["records"] > 0, body
    before = stats(sandbox_process)["routes"]["historical"]
    again = post(api, "fetch-equity", {**payload, "to_date": "TODAY"}).json()
    assert again["success"] and again["records"] == 0, again
    assert stats(sandbox_process)["routes"]["historical"] == before
    refused = post(api, "fetch-equity", {**payload, "to_date": "tomorrow"})
    assert refused.status_code == 400 and "today" in refused.json()["error"]
