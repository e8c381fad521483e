"""Reading and exporting stored candles through the live API."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import requests


def fetch(api, symbol="HDFCBANK", interval="day"):
    response = requests.post(f"{api.api}/fetch-equity", json={"symbol": symbol, "from_date": "2025-01-01",
                                                              "to_date": "2025-06-30", "interval": interval},
                             timeout=120)
    assert response.status_code == 200, response.text


def test_candles_as_compact_json(api):
    fetch(api)
    february = "from_date=2025-02-01&to_date=2025-02-28"
    body = requests.get(f"{api.api}/candles/NSE/HDFCBANK/day?{february}", timeout=10).json()
    assert body["columns"] == ["timestamp", "open", "high", "low", "close", "volume"]
    assert body["count"] == len(body["rows"]) == body["total"] >= 18 and not body["truncated"]
    assert body["rows"][0][0].startswith("2025-02-0") and body["rows"][0][0].endswith("T00:00:00+05:30")
    limited = requests.get(f"{api.api}/candles/NSE/HDFCBANK/day?limit=5", timeout=10).json()
    assert limited["count"] == 5 and limited["truncated"] and limited["rows"][-1][0] >= body["rows"][-1][0]
    assert requests.get(f"{api.api}/candles/NSE/NEVER/day", timeout=10).status_code == 404
    assert requests.get(f"{api.api}/candles/NSE/HDFCBANK/day?limit=0", timeout=10).status_code == 400


def test_exports_download_and_parse(api):
    fetch(api, "M&M", "15minute")
    base = f"{api.api}/export/NSE/M%26M/15minute?from_date=2025-03-01&to_date=2025-03-31"
    csv = requests.get(base + "&format=csv", timeout=30)
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert 'filename="NSE_M_M_15minute_2025-03-01_2025-03-31.csv"' in csv.headers["Content-Disposition"]
    frame = pd.read_csv(io.StringIO(csv.text))
    assert list(frame.columns) == ["timestamp", "open", "high", "low", "close", "volume"] and len(frame) > 300
    assert frame["timestamp"].iloc[0].endswith("+05:30") and frame["timestamp"].is_monotonic_increasing
    parquet = requests.get(base + "&format=parquet", timeout=30)
    assert parquet.status_code == 200 and ".parquet" in parquet.headers["Content-Disposition"]
    table = pd.read_parquet(io.BytesIO(parquet.content))
    assert len(table) == len(frame) and str(table["timestamp"].dt.tz) == "Asia/Kolkata"
    assert table["close"].tolist() == frame["close"].tolist()
    xlsx = requests.get(base + "&format=xlsx", timeout=30)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("timestamp", "open") and len(rows) == len(frame) + 1
    assert requests.get(base + "&format=pdf", timeout=10).status_code == 400
