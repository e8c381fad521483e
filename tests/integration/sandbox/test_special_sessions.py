"""The real kiteconnect client sees Kite's special sessions: weekend days, DR Saturdays, Muhurat, closures."""

from __future__ import annotations

import datetime

import pytest
from kiteconnect import KiteConnect

from .conftest import RELIANCE

NIFTY_50 = 256265
INTERVALS = {"minute": 1, "3minute": 3, "5minute": 5, "10minute": 10, "15minute": 15, "30minute": 30,
             "60minute": 60, "day": None}
# day -> blocks; expected counts per interval follow from each block opening its own grid
SESSIONS = {
    "2023-11-12": [("18:15", "19:15")],
    "2024-01-20": [("09:15", "15:30")],
    "2024-03-02": [("09:15", "10:00"), ("11:30", "12:30")],
    "2024-05-18": [("09:15", "10:00"), ("11:30", "12:30")],
    "2024-11-01": [("18:00", "19:00")],
    "2025-02-01": [("09:15", "15:30")],
    "2025-10-21": [("13:45", "14:45")],
    "2026-02-01": [("09:15", "15:30")],
}
CLOSURES = ["2024-01-22", "2024-05-20", "2024-11-20", "2026-01-15"]


def _expected(day: str, minutes: int | None) -> tuple[int, str, str]:
    """(count, first stamp, last stamp) as HH:MM; day candles are stamped 00:00."""
    if minutes is None:
        return 1, "00:00", "00:00"
    stamps = []
    for open_, close in SESSIONS[day]:
        start = datetime.datetime.fromisoformat(f"{day} {open_}")
        end = datetime.datetime.fromisoformat(f"{day} {close}")
        while start < end:
            stamps.append(start.strftime("%H:%M"))
            start += datetime.timedelta(minutes=minutes)
    return len(stamps), stamps[0], stamps[-1]


def _fetch(kite: KiteConnect, token: int, day: str, interval: str, **kw: object) -> list[dict]:
    return kite.historical_data(token, f"{day} 00:00:00", f"{day} 23:59:59", interval, **kw)


@pytest.mark.parametrize("day", sorted(SESSIONS))
def test_each_interval_serves_exactly_the_session_grid(kite: KiteConnect, day: str) -> None:
    for interval, minutes in INTERVALS.items():
        rows = _fetch(kite, RELIANCE, day, interval)
        got = (len(rows), rows[0]["date"].strftime("%H:%M"), rows[-1]["date"].strftime("%H:%M"))
        assert got == _expected(day, minutes), (day, interval)
        assert all(r["date"].date().isoformat() == day for r in rows)
        assert all(r["date"].utcoffset() == datetime.timedelta(hours=5, minutes=30) for r in rows)


@pytest.mark.parametrize("day", CLOSURES)
def test_closures_serve_nothing(kite: KiteConnect, day: str) -> None:
    for interval in INTERVALS:
        assert _fetch(kite, RELIANCE, day, interval) == []


def test_muhurat_5minute_grid_opens_at_18_00(kite: KiteConnect) -> None:
    rows = _fetch(kite, NIFTY_50, "2024-11-01", "5minute", oi=True)
    assert [r["date"].strftime("%H:%M") for r in rows[:3]] == ["18:00", "18:05", "18:10"]
    assert len(rows) == 12 and all(r["volume"] == 0 and r["oi"] == 0 for r in rows)


def test_two_block_saturday_grids(kite: KiteConnect) -> None:
    hourly = _fetch(kite, RELIANCE, "2024-03-02", "60minute")
    assert [r["date"].strftime("%H:%M") for r in hourly] == ["09:15", "11:30"]
    minutes = _fetch(kite, RELIANCE, "2024-03-02", "minute")
    first_block = [r for r in minutes if r["date"].hour < 11]
    assert len(first_block) == 45 and hourly[0]["volume"] == sum(r["volume"] for r in first_block)
    assert hourly[0]["high"] == max(r["high"] for r in first_block)
    assert [r["date"].strftime("%H:%M") for r in _fetch(kite, RELIANCE, "2024-05-18", "15minute")] == [
        "09:15", "09:30", "09:45", "11:30", "11:45", "12:00", "12:15"]


def test_day_candles_and_continuous_futures_include_special_sessions_only(kite: KiteConnect) -> None:
    days = {r["date"].date().isoformat()
            for r in kite.historical_data(RELIANCE, "2023-11-01", "2026-03-01", "day")}
    assert set(SESSIONS) <= days and not set(CLOSURES) & days
    future = next(i for i in kite.instruments("NFO") if i["tradingsymbol"] == "NIFTY26DECFUT")
    continuous = kite.historical_data(future["instrument_token"], "2023-11-01", "2026-03-01", "day",
                                      continuous=True, oi=True)
    served = {r["date"].date().isoformat() for r in continuous}
    assert set(SESSIONS) <= served and not set(CLOSURES) & served
    assert all(r["oi"] > 0 and r["volume"] % 75 == 0 for r in continuous)
