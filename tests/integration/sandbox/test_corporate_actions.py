"""The sandbox changes the past on demand, seen through the real kiteconnect client over HTTP."""

from __future__ import annotations

import json
import math
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from kiteconnect import KiteConnect

from kite_sandbox import RunningSandbox, start_sandbox
from tests.integration.processes import KITEFETCH, Process, free_port

from .conftest import RELIANCE, TODAY, fast_config

SPLIT = {"exchange": "NSE", "symbol": "RELIANCE", "ex_date": "2026-11-05", "factor": 2.0, "kind": "split"}
EX_DATE = "2026-11-05"


@pytest.fixture(autouse=True)
def clean(sandbox: RunningSandbox) -> Iterator[None]:
    yield
    requests.post(f"{sandbox.url}/__sandbox/reset", timeout=5).raise_for_status()


def _post(sandbox: RunningSandbox, route: str, body: object) -> requests.Response:
    return requests.post(f"{sandbox.url}/__sandbox/{route}", json=body, timeout=5)


def _ticks(price: float) -> int:
    return round(price * 20)


def _halved(price: float) -> int:
    return math.floor(_ticks(price) / 2 + 0.5)


def _before(candle: dict) -> bool:
    return candle["date"].date().isoformat() < EX_DATE


@pytest.mark.parametrize(("interval", "to"), [("minute", "2026-11-06 15:29:00"), ("5minute", "2026-11-06 23:00:00"),
                                              ("day", "2026-11-06")])
def test_a_split_halves_prices_and_doubles_volume_before_the_ex_date_only(
        sandbox: RunningSandbox, kite: KiteConnect, interval: str, to: str) -> None:
    raw = kite.historical_data(RELIANCE, "2026-11-03", to, interval)
    assert _post(sandbox, "corporate-action", SPLIT).json()["data"]["instrument_token"] == RELIANCE
    adjusted = kite.historical_data(RELIANCE, "2026-11-03", to, interval)
    assert [c["date"] for c in adjusted] == [c["date"] for c in raw]
    before = [(r, a) for r, a in zip(raw, adjusted, strict=True) if _before(r)]
    assert before and len(before) < len(raw)
    for r, a in before:
        assert (_ticks(a["open"]), _ticks(a["close"])) == (_halved(r["open"]), _halved(r["close"]))
        assert math.ceil(_ticks(r["high"]) / 2) == _ticks(a["high"])
        assert math.floor(_ticks(r["low"]) / 2) == _ticks(a["low"])
        assert a["volume"] == 2 * r["volume"]
    assert [a for r, a in zip(raw, adjusted, strict=True) if not _before(r)] == [r for r in raw if not _before(r)]


def test_continuous_futures_and_open_interest(sandbox: RunningSandbox, kite: KiteConnect) -> None:
    fut = next(i for i in kite.instruments("NFO") if i["name"] == "NIFTY" and i["instrument_type"] == "FUT")
    raw = kite.historical_data(fut["instrument_token"], "2026-11-03", "2026-11-06", "day", continuous=True, oi=True)
    _post(sandbox, "corporate-action", {**SPLIT, "exchange": "NFO", "symbol": fut["tradingsymbol"]}).raise_for_status()
    adjusted = kite.historical_data(fut["instrument_token"], "2026-11-03", "2026-11-06", "day", continuous=True,
                                    oi=True)
    assert [_ticks(a["close"]) for a in adjusted[:2]] == [_halved(r["close"]) for r in raw[:2]]
    assert adjusted[2:] == raw[2:] and [a["oi"] for a in adjusted] == [r["oi"] for r in raw]


def test_actions_compose_and_are_listed(sandbox: RunningSandbox, kite: KiteConnect) -> None:
    raw = kite.historical_data(RELIANCE, "2026-11-03", "2026-11-03", "day")[0]
    _post(sandbox, "corporate-action", SPLIT).raise_for_status()
    _post(sandbox, "corporate-action", {**SPLIT, "ex_date": "2026-11-04", "factor": 5, "kind": "bonus"}
          ).raise_for_status()
    both = kite.historical_data(RELIANCE, "2026-11-03", "2026-11-03", "day")[0]
    assert _ticks(both["close"]) == math.floor(_ticks(raw["close"]) / 10 + 0.5) and both["volume"] == 10 * raw["volume"]
    listed = requests.get(f"{sandbox.url}/__sandbox/corporate-actions", timeout=5).json()["data"]["corporate_actions"]
    assert [(a["ex_date"], a["factor"], a["kind"], a["preloaded"]) for a in listed] == [
        ("2026-11-05", 2.0, "split", False), ("2026-11-04", 5.0, "bonus", False)]


@pytest.mark.parametrize(("body", "message"), [
    ({**SPLIT, "symbol": "NOSUCH"}, "unknown instrument NSE:NOSUCH"),
    ({**SPLIT, "factor": 0}, "factor must be > 0"),
    ({**SPLIT, "kind": "merger"}, "kind must be one of"),
    ({**SPLIT, "ex_date": "2026-13-01"}, "ex_date must be a date"),
    ({"exchange": "NSE"}, "missing symbol"),
    ("not an object", "expected a JSON object"),
])
def test_a_bad_action_is_a_400_in_kites_envelope(sandbox: RunningSandbox, body: object, message: str) -> None:
    response = _post(sandbox, "corporate-action", body)
    assert response.status_code == 400
    payload = response.json()
    assert payload["status"] == "error" and payload["error_type"] == "InputException" and payload["data"] is None
    assert message in payload["message"]
    assert requests.post(f"{sandbox.url}/__sandbox/corporate-action", data=b"{", timeout=5).status_code == 400
    assert requests.get(f"{sandbox.url}/__sandbox/corporate-actions", timeout=5).json()["data"] == {
        "corporate_actions": []}


def test_revise_changes_exactly_one_candle_of_one_interval(sandbox: RunningSandbox, kite: KiteConnect) -> None:
    days = kite.historical_data(RELIANCE, "2026-11-02", "2026-11-06", "day")
    minutes = kite.historical_data(RELIANCE, "2026-11-06", "2026-11-06 15:29:00", "minute")
    new_close = round(days[-1]["high"] + 10, 2)
    revised = _post(sandbox, "revise", {"exchange": "NSE", "symbol": "RELIANCE", "interval": "day",
                                        "timestamp": "2026-11-06", "close": new_close})
    assert revised.json()["data"]["timestamp"] == "2026-11-06T00:00:00+0530"
    after = kite.historical_data(RELIANCE, "2026-11-02", "2026-11-06", "day")
    assert after[:-1] == days[:-1]
    assert after[-1] == {**days[-1], "close": new_close, "high": new_close}  # high widened to the new close
    assert kite.historical_data(RELIANCE, "2026-11-06", "2026-11-06 15:29:00", "minute") == minutes
    _post(sandbox, "revise", {"exchange": "NSE", "symbol": "RELIANCE", "interval": "minute",
                              "timestamp": "2026-11-06T10:00:00+0530", "close": 1000}).raise_for_status()
    changed = [m for m, o in zip(kite.historical_data(RELIANCE, "2026-11-06", "2026-11-06 15:29:00", "minute"),
                                 minutes, strict=True) if m != o]
    assert [(c["date"].strftime("%H:%M"), c["close"], c["low"]) for c in changed] == [("10:00", 1000, 1000)]
    listed = requests.get(f"{sandbox.url}/__sandbox/revisions", timeout=5).json()["data"]["revisions"]
    assert [(r["interval"], r["timestamp"], r["close"]) for r in listed] == [
        ("day", "2026-11-06T00:00:00+0530", new_close), ("minute", "2026-11-06T10:00:00+0530", 1000.0)]


def test_a_revised_close_follows_a_later_split(sandbox: RunningSandbox, kite: KiteConnect) -> None:
    _post(sandbox, "revise", {"exchange": "NSE", "symbol": "RELIANCE", "interval": "day", "timestamp": "2026-11-04",
                              "close": 1500.1}).raise_for_status()
    _post(sandbox, "corporate-action", SPLIT).raise_for_status()
    assert kite.historical_data(RELIANCE, "2026-11-04", "2026-11-04", "day")[0]["close"] == 750.05


@pytest.mark.parametrize(("interval", "timestamp", "close", "message"), [
    ("day", "2026-11-07", 100, "no day candle of NSE:RELIANCE at 2026-11-07T00:00:00"),  # a Saturday
    ("day", "2026-11-25", 100, "no day candle"),  # after today
    ("minute", "2026-11-06T16:00:00+0530", 100, "no 1-minute candle"),  # after the close
    ("60minute", "2026-11-06T09:30:00+0530", 100, "no 60-minute candle"),  # off the 09:15 grid
    ("minute", "2026-11-06T09:15:00+0530", 100.01, "multiple of the 0.05 tick"),
    ("minute", "2026-11-06T09:15:00+0530", -5, "multiple of the 0.05 tick"),
    ("week", "2026-11-06", 100, "invalid interval"),
    ("day", "yesterday", 100, "timestamp must be"),
])
def test_revising_a_candle_that_is_not_served_is_a_400(sandbox: RunningSandbox, interval: str, timestamp: str,
                                                       close: float, message: str) -> None:
    response = _post(sandbox, "revise", {"exchange": "NSE", "symbol": "RELIANCE", "interval": interval,
                                         "timestamp": timestamp, "close": close})
    assert response.status_code == 400 and message in response.json()["message"]
    assert response.json()["error_type"] == "InputException"


def test_reset_clears_actions_and_revisions(sandbox: RunningSandbox, kite: KiteConnect) -> None:
    raw = kite.historical_data(RELIANCE, "2026-11-03", "2026-11-06", "day")
    _post(sandbox, "corporate-action", SPLIT).raise_for_status()
    _post(sandbox, "revise", {"exchange": "NSE", "symbol": "RELIANCE", "interval": "day", "timestamp": "2026-11-06",
                              "close": 1}).raise_for_status()
    assert kite.historical_data(RELIANCE, "2026-11-03", "2026-11-06", "day") != raw
    requests.post(f"{sandbox.url}/__sandbox/reset", timeout=5).raise_for_status()
    assert kite.historical_data(RELIANCE, "2026-11-03", "2026-11-06", "day") == raw
    assert requests.get(f"{sandbox.url}/__sandbox/revisions", timeout=5).json()["data"] == {"revisions": []}


def test_a_response_sees_one_set_of_actions(sandbox: RunningSandbox) -> None:
    """Actions posted while minute responses are built never mix two factors in one response."""
    kite = KiteConnect("sandbox", access_token="sandbox-token", root=sandbox.url)
    raw = kite.historical_data(RELIANCE, "2026-10-12", "2026-10-23 15:29:00", "minute")
    seen: set[int] = set()
    failures: list[str] = []
    stop = threading.Event()

    def fetch() -> None:
        client = KiteConnect("sandbox", access_token="sandbox-token", root=sandbox.url)
        while not stop.is_set():
            got = client.historical_data(RELIANCE, "2026-10-12", "2026-10-23 15:29:00", "minute")
            ratios = {a["volume"] // r["volume"] for r, a in zip(raw, got, strict=True) if r["volume"]}
            if len(ratios) != 1:
                failures.append(f"mixed factors {sorted(ratios)}")
            seen.update(ratios)

    readers = [threading.Thread(target=fetch) for _ in range(2)]
    for reader in readers:
        reader.start()
    for _ in range(6):
        _post(sandbox, "corporate-action", {**SPLIT, "ex_date": "2026-11-20"}).raise_for_status()
        time.sleep(0.1)
    stop.set()
    for reader in readers:
        reader.join(timeout=30)
    assert not failures and seen <= {2 ** k for k in range(7)}


def test_the_flag_preloads_actions_that_survive_reset(tmp_path: Path) -> None:
    actions = tmp_path / "actions.json"
    actions.write_text(json.dumps([SPLIT]))
    port = free_port()
    proc = Process(["sandbox", "--port", str(port), "--today", TODAY.isoformat(), "--cost-ms-per-1000-candles", "0",
                    "--corporate-actions", str(actions)], {}, f"http://127.0.0.1:{port}/__sandbox/stats",
                   tmp_path / "sandbox.log")
    try:
        url = f"http://127.0.0.1:{port}"
        kite = KiteConnect("sandbox", access_token="sandbox-token", root=url)
        preloaded = kite.historical_data(RELIANCE, "2026-11-04", "2026-11-05", "day")
        requests.post(f"{url}/__sandbox/reset", timeout=5).raise_for_status()
        assert kite.historical_data(RELIANCE, "2026-11-04", "2026-11-05", "day") == preloaded
        listed = requests.get(f"{url}/__sandbox/corporate-actions", timeout=5).json()["data"]["corporate_actions"]
        assert [(a["symbol"], a["preloaded"]) for a in listed] == [("RELIANCE", True)]
    finally:
        proc.stop()
    with start_sandbox(fast_config()) as reference:
        raw = KiteConnect("sandbox", access_token="sandbox-token", root=reference.url).historical_data(
            RELIANCE, "2026-11-04", "2026-11-05", "day")
    assert _ticks(preloaded[0]["close"]) == _halved(raw[0]["close"]) and preloaded[1] == raw[1]


def test_the_flag_refuses_an_unknown_instrument(tmp_path: Path) -> None:
    actions = tmp_path / "actions.json"
    actions.write_text(json.dumps([{**SPLIT, "symbol": "NOSUCH"}]))
    done = subprocess.run([KITEFETCH, "sandbox", "--port", "0", "--today", TODAY.isoformat(),
                           "--corporate-actions", str(actions)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "unknown instrument NSE:NOSUCH" in done.stdout

