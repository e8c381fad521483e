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


def test_special_sessions_are_window_independent(kite: KiteConnect) -> None:
    """Muhurat 2023 and 2024, three special Saturdays and two closures lie in this span."""
    start, end = datetime.date(2023, 11, 1), datetime.date(2024, 11, 30)
    big = _fetch(kite, _windows(start, end, 100))
    assert big == _fetch(kite, _windows(start, end, 7))
    stamps = {r["date"].replace(tzinfo=None) for r in big}
    assert datetime.datetime(2023, 11, 12, 18, 15) in stamps and datetime.datetime(2024, 3, 2, 11, 30) in stamps
    for day in ("2023-11-12", "2024-03-02", "2024-11-01", "2026-02-01"):
        whole = kite.historical_data(RELIANCE, f"{day} 00:00:00", f"{day} 23:59:59", "minute", oi=True)
        cut = datetime.datetime.fromisoformat(f"{day} 09:00:00")
        pieces: list[dict] = []
        while cut.hour < 20:  # 37-minute windows cut through blocks and the gap between them
            pieces += kite.historical_data(RELIANCE, cut, cut + datetime.timedelta(minutes=36, seconds=59),
                                           "minute", oi=True)
            cut += datetime.timedelta(minutes=37)
        assert whole and pieces == whole


def _bodies(sandbox: RunningSandbox) -> tuple[bytes, bytes]:
    auth = {"Authorization": f"token {sandbox.config.api_key}:{sandbox.config.access_token}",
            "Accept-Encoding": "identity"}
    csv = requests.get(f"{sandbox.url}/instruments", headers=auth, timeout=10).content
    hist = requests.get(f"{sandbox.url}/instruments/historical/{RELIANCE}/minute", headers=auth, timeout=10,
                        params={"from": "2026-10-01 09:15:00", "to": "2026-10-20 15:30:00", "oi": "1"}).content
    return csv, hist


def _special_body(sandbox: RunningSandbox) -> bytes:
    auth = {"Authorization": f"token {sandbox.config.api_key}:{sandbox.config.access_token}",
            "Accept-Encoding": "identity"}
    return requests.get(f"{sandbox.url}/instruments/historical/{RELIANCE}/minute", headers=auth, timeout=10,
                        params={"from": "2024-03-01 09:15:00", "to": "2024-03-04 15:30:00", "oi": "1"}).content


def test_same_seed_and_day_serve_identical_bytes(sandbox: RunningSandbox) -> None:
    with start_sandbox(fast_config()) as twin:
        assert _bodies(sandbox) == _bodies(twin)
        assert _special_body(sandbox) == _special_body(twin)
        assert b'"2024-03-02T11:30:00+0530"' in _special_body(twin)
    with start_sandbox(fast_config(seed=2)) as other:
        assert _bodies(sandbox)[1] != _bodies(other)[1]
