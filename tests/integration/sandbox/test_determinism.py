"""Candles are a pure function of (seed, instrument, time): windows and restarts do not change them."""

from __future__ import annotations

import datetime

import requests
from kiteconnect import KiteConnect

from kite_sandbox import RunningSandbox, start_sandbox

from .conftest import RELIANCE, fast_config


def _windows(start: datetime.date, end: datetime.date, days: int) -> list[tuple[datetime.date, datetime.date]]:
    out = []
    while start <= end:
        stop = min(end, start + datetime.timedelta(days - 1))
        out.append((start, stop))
        start = stop + datetime.timedelta(1)
    return out


def _fetch(kite: KiteConnect, windows: list[tuple[datetime.date, datetime.date]]) -> list[dict]:
    rows = []
    for a, b in windows:
        rows += kite.historical_data(RELIANCE, datetime.datetime.combine(a, datetime.time()),
                                     datetime.datetime.combine(b, datetime.time(23, 59, 59)), "5minute")
    return rows


def test_a_year_of_5minute_candles_is_window_independent(kite: KiteConnect) -> None:
    start, end = datetime.date(2025, 11, 1), datetime.date(2026, 10, 31)
    big = _fetch(kite, _windows(start, end, 100))
    small = _fetch(kite, _windows(start, end, 7))
    assert len(big) > 240 * 75
    assert big == small


def _bodies(sandbox: RunningSandbox) -> tuple[bytes, bytes]:
    auth = {"Authorization": f"token {sandbox.config.api_key}:{sandbox.config.access_token}",
            "Accept-Encoding": "identity"}
    csv = requests.get(f"{sandbox.url}/instruments", headers=auth, timeout=10).content
    hist = requests.get(f"{sandbox.url}/instruments/historical/{RELIANCE}/minute", headers=auth, timeout=10,
                        params={"from": "2026-10-01 09:15:00", "to": "2026-10-20 15:30:00", "oi": 1}).content
    return csv, hist


def test_same_seed_and_day_serve_identical_bytes(sandbox: RunningSandbox) -> None:
    with start_sandbox(fast_config()) as twin:
        assert _bodies(sandbox) == _bodies(twin)
    with start_sandbox(fast_config(seed=2)) as other:
        assert _bodies(sandbox)[1] != _bodies(other)[1]
