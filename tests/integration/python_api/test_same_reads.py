"""The same bars everywhere: the REST candles and export routes and `kitefetch candles` against `kitefetch.open()`,
on candles a real server fetched from the sandbox."""

from __future__ import annotations

import io
import json
import os
import subprocess

import pandas as pd
import pytest
import requests

import kitefetch
from tests.integration.conftest import _serve
from tests.integration.processes import KITEFETCH, free_port

WINDOW = {"from_date": "2025-01-27", "to_date": "2025-02-07"}  # the Budget Saturday inside


@pytest.fixture(scope="module")
def server(sandbox_process, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("same-reads") / "hdf5"
    proc = _serve(sandbox_process, data_dir, free_port(), tmp_path_factory.mktemp("logs") / "api.log",
                  "sandbox-token")
    try:
        for interval, span in (("minute", WINDOW), ("day", {"from_date": "2024-01-01", "to_date": "2025-06-30"})):
            answer = requests.post(f"{proc.api}/fetch-equity", json={"symbol": "M&M", "interval": interval, **span},
                                   timeout=120)
            assert answer.status_code == 200, answer.text
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def store(server):
    with kitefetch.open(server.data_dir) as opened:
        yield opened


def as_frame(columns: list[str], rows: list[list]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    index = pd.DatetimeIndex(pd.to_datetime(frame.pop("timestamp")), name="timestamp").as_unit("s")
    return frame.set_index(index.tz_convert("Asia/Kolkata"))


def from_csv(text: str) -> pd.DataFrame:
    frame = pd.read_csv(io.StringIO(text))
    return as_frame(list(frame.columns), frame.values.tolist())


@pytest.mark.parametrize("interval, resample", [("minute", "75minute"), ("minute", "2hour"), ("minute", "day"),
                                                ("day", "week"), ("day", "month")])
def test_rest_candles_equal_the_python_api(server, store, interval, resample):
    body = requests.get(f"{server.api}/candles/NSE/M%26M/{interval}", params={"resample": resample},
                        timeout=30).json()
    assert body["success"] and body["resample"] == ("120minute" if resample == "2hour" else resample)
    assert body["interval"] == interval and body["count"] == body["total"] == len(body["rows"])
    want = store.candles("NSE", "M&M", interval, resample=resample)
    pd.testing.assert_frame_equal(as_frame(body["columns"], body["rows"]), want, check_dtype=False)


def test_rest_limit_and_range_apply_to_the_bars(server, store):
    query = {"resample": "75minute", "from_date": "2025-02-01", "to_date": "2025-02-01", "limit": 3}
    body = requests.get(f"{server.api}/candles/NSE/M%26M/minute", params=query, timeout=30).json()
    assert (body["total"], body["count"], body["truncated"]) == (5, 3, True)
    assert [row[0][11:16] for row in body["rows"]] == ["11:45", "13:00", "14:15"]


def test_export_csv_of_bars(server, store):
    answer = requests.get(f"{server.api}/export/NSE/M%26M/day", params={"resample": "week", "format": "csv"},
                          timeout=30)
    assert answer.status_code == 200
    assert 'filename="NSE_M_M_day_week.csv"' in answer.headers["Content-Disposition"]
    pd.testing.assert_frame_equal(from_csv(answer.text), store.candles("NSE", "M&M", "day", resample="week"),
                                  check_dtype=False)
    parquet = requests.get(f"{server.api}/export/NSE/M%26M/minute",
                           params={"resample": "75minute", "format": "parquet"}, timeout=30)
    table = pd.read_parquet(io.BytesIO(parquet.content)).set_index("timestamp")
    pd.testing.assert_frame_equal(table, store.candles("NSE", "M&M", "minute", resample="75minute"),
                                  check_index_type=False)


def test_rest_refuses_what_cannot_be_built(server):
    bad = requests.get(f"{server.api}/candles/NSE/M%26M/minute", params={"resample": "75 minutes"}, timeout=10)
    assert bad.status_code == 400
    assert "Nminute (N from 1 to 1440, e.g. 75minute), Nhour" in bad.json()["error"]
    coarse = requests.get(f"{server.api}/export/NSE/M%26M/day", params={"resample": "75minute"}, timeout=10)
    assert coarse.status_code == 400 and "75minute bars cannot be built from day candles" in coarse.json()["error"]
    missing = requests.get(f"{server.api}/candles/NSE/M%26M/5minute", params={"resample": "day"}, timeout=10)
    assert missing.status_code == 404 and "stored for NSE:M&M: minute, day" in missing.json()["error"]


def cli(server, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KITEFETCH_DATA_DIR": str(server.data_dir)}
    return subprocess.run([KITEFETCH, "candles", *args], env=env, capture_output=True, timeout=60)


def test_cli_streams_the_same_bars(server, store, tmp_path):
    want = store.candles("NSE", "M&M", "minute", "2025-01-27", "2025-02-07", resample="75minute")
    csv = cli(server, "nse", "m&m", "minute", "--from", "2025-01-27", "--to", "2025-02-07", "--resample", "75minute")
    assert csv.returncode == 0, csv.stderr
    pd.testing.assert_frame_equal(from_csv(csv.stdout.decode()), want, check_dtype=False)
    as_json = cli(server, "NSE", "M&M", "minute", "--resample", "75minute", "--format", "json")
    body = json.loads(as_json.stdout)
    assert (body["symbol"], body["interval"], body["resample"]) == ("M&M", "minute", "75minute")
    pd.testing.assert_frame_equal(as_frame(body["columns"], body["rows"]), want, check_dtype=False)
    out = tmp_path / "bars.parquet"
    written = cli(server, "NSE", "M&M", "minute", "--resample", "75minute", "--format", "parquet", "-o", str(out))
    assert written.returncode == 0 and f"written to {out}" in written.stderr.decode()
    pd.testing.assert_frame_equal(pd.read_parquet(out).set_index("timestamp"), want, check_index_type=False)
    raw = cli(server, "NSE", "M&M", "minute", "--format", "parquet")  # a pipe, not a terminal: allowed
    assert pd.read_parquet(io.BytesIO(raw.stdout)).shape[0] == len(store.candles("NSE", "M&M", "minute"))


def test_cli_errors(server):
    bad = cli(server, "NSE", "M&M", "minute", "--resample", "7min")
    assert bad.returncode == 2 and b"Nminute" in bad.stderr and bad.stdout == b""
    missing = cli(server, "NSE", "TCS", "day")
    assert missing.returncode == 1 and b"nothing is stored for NSE:TCS" in missing.stderr
    head = subprocess.run(f"'{KITEFETCH}' candles NSE 'M&M' minute | head -2", shell=True, capture_output=True,
                          env={**os.environ, "KITEFETCH_DATA_DIR": str(server.data_dir)}, timeout=60)
    assert head.returncode == 0 and head.stderr == b"" and head.stdout.count(b"\n") == 2


@pytest.mark.parametrize("interval, params", [("minute", {}), ("minute", {"from_date": "2025-01-30",
                                                                           "to_date": "2025-02-03"}),
                                              ("day", {"from_date": "2024-12-01"})])
def test_gaps_equal_the_rest_route(server, store, interval, params):
    body = requests.get(f"{server.api}/gaps/NSE/M%26M/{interval}", params=params, timeout=30).json()
    assert body.pop("success") is True
    assert store.gaps("nse", "M&M", interval, params.get("from_date"), params.get("to_date")) == body
    assert body["sessions_expected"] >= body["sessions_with_candles"] > 0


def test_gaps_of_a_series_never_stored_name_it(store):
    with pytest.raises(kitefetch.SeriesNotFound, match="NSE:M&M:3minute"):
        store.gaps("NSE", "M&M", "3minute")


def test_adjustments_equal_the_rest_route(server, store):
    body = requests.get(f"{server.api}/adjustments/NSE/M%26M", timeout=30).json()
    assert body.pop("success") is True
    assert store.adjustments("nse", "M&M") == body and body["events"] == []
    with pytest.raises(kitefetch.SeriesNotFound):
        store.adjustments("NSE", "NOSUCHCO")
