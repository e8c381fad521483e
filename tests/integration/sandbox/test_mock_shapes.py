"""Every Zerodha sample response has the same keys and value types as the sandbox's answer."""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from typing import Any

import pytest
import requests
from kiteconnect import KiteConnect

from kite_sandbox import RunningSandbox
from tests.fixtures import KITE_MOCKS

from .conftest import RELIANCE, login_request_token

MOCKS = KITE_MOCKS


def _kind(value: Any) -> str:
    """Type as a client sees it; JSON numbers are one kind (Kite writes 1705 and 1704.5 alike)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def _shape(record: dict[str, Any], optional_null: frozenset[str] = frozenset()) -> dict[str, str]:
    return {k: ("str-or-null" if k in optional_null else _kind(v)) for k, v in record.items()}


def _mock(name: str) -> Any:
    return json.loads((MOCKS / name).read_text())["data"]


def test_generate_session_shape(sandbox: RunningSandbox) -> None:
    raw = requests.post(f"{sandbox.url}/session/token", timeout=5, data={
        "api_key": sandbox.config.api_key, "request_token": (token := login_request_token(sandbox)),
        "checksum": __import__("hashlib").sha256(
            (sandbox.config.api_key + token + sandbox.config.api_secret).encode()).hexdigest()})
    assert raw.headers["Content-Type"] == "application/json"
    assert _shape(raw.json()["data"]) == _shape(_mock("generate_session.json"))
    assert len(raw.json()["data"]["login_time"]) == 19


def test_profile_shape(kite: KiteConnect) -> None:
    assert _shape(kite.profile()) == _shape(_mock("profile.json"))


def test_session_logout_shape(sandbox: RunningSandbox) -> None:
    kite = KiteConnect(sandbox.config.api_key, root=sandbox.url)
    kite.generate_session(login_request_token(sandbox), sandbox.config.api_secret)
    assert kite.invalidate_access_token() == _mock("session_logout.json")


@pytest.mark.parametrize(("mock", "oi"), [("historical_minute.json", False), ("historical_oi.json", True)])
def test_historical_shapes(kite: KiteConnect, mock: str, oi: bool) -> None:
    expected = kite._format_historical(_mock(mock))
    token = RELIANCE
    if oi:
        fut = next(r for r in kite.instruments("NFO") if r["tradingsymbol"].startswith("NIFTY")
                   and r["instrument_type"] == "FUT")
        token = fut["instrument_token"]
    got = kite.historical_data(token, datetime.datetime(2026, 11, 2, 9, 15), datetime.datetime(2026, 11, 2, 9, 20),
                               "minute", oi=oi)
    assert len(got) == 6
    assert {tuple(sorted(_shape(r).items())) for r in got} == {tuple(sorted(_shape(r).items())) for r in expected}
    assert all(r["date"].utcoffset() == e["date"].utcoffset() for r, e in zip(got, expected, strict=True))
    assert all(isinstance(r["volume"], int) for r in got)


def _column_kinds(rows: list[dict[str, Any]]) -> dict[tuple[str, str], set[str]]:
    kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        for column, value in row.items():
            kinds[(row["segment"], column)].add(type(value).__name__)
    return kinds


@pytest.mark.parametrize(("mock", "exchange"), [("instruments_all.csv", None), ("instruments_nse.csv", "NSE")])
def test_instrument_csv_shapes(sandbox: RunningSandbox, kite: KiteConnect, mock: str, exchange: str | None) -> None:
    text = (MOCKS / mock).read_text()
    url = f"{sandbox.url}/instruments" + (f"/{exchange}" if exchange else "")
    body = requests.get(url, timeout=10).text
    assert body.splitlines()[0] == text.splitlines()[0]
    expected = _column_kinds(kite._parse_instruments(text.encode()))
    got = _column_kinds(kite._parse_instruments(body.encode()))
    for key, kinds in expected.items():
        assert got[key] == kinds, key
