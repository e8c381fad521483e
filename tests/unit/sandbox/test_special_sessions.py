"""Special sessions straight from the generator: weekend and DR Saturdays, Muhurat hours, one-off closures.

The expected sessions are written out here again (not read from kite_sandbox.special_sessions), so a
wrong entry in the sandbox's table fails a test.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from kite_sandbox.bad_data import SECONDS_PER_DAY
from kite_sandbox.candles import CandleQuery, candles
from kite_sandbox.config import SandboxConfig
from kite_sandbox.instruments import Instrument
from kite_sandbox.special_sessions import ONE_OFF_CLOSURES, SPECIAL_SESSIONS
from kite_sandbox.state import SandboxState
from kite_sandbox.trading_calendar import is_trading_day, previous_trading_day, session_blocks, weekly_expiries
from kite_sandbox.universe import Universe, build_universe

NOW = dt.datetime(2026, 11, 24, 15, 30)
SESSIONS = {
    dt.date(2023, 11, 12): [("18:15", "19:15")],  # Sun, Muhurat
    dt.date(2024, 1, 20): [("09:15", "15:30")],  # Sat, full session
    dt.date(2024, 3, 2): [("09:15", "10:00"), ("11:30", "12:30")],  # Sat, primary then DR site
    dt.date(2024, 5, 18): [("09:15", "10:00"), ("11:30", "12:30")],
    dt.date(2024, 11, 1): [("18:00", "19:00")],  # Fri, Muhurat
    dt.date(2025, 2, 1): [("09:15", "15:30")],  # Sat, Budget
    dt.date(2025, 10, 21): [("13:45", "14:45")],  # Tue, Muhurat
    dt.date(2026, 2, 1): [("09:15", "15:30")],  # Sun, Budget
}
CLOSURES = [dt.date(2024, 1, 22), dt.date(2024, 5, 20), dt.date(2024, 11, 20), dt.date(2026, 1, 15)]
INTERVALS = [1, 3, 5, 10, 15, 30, 60, None]


@pytest.fixture(scope="module")
def universe() -> Universe:
    return build_universe(1, NOW.date(), 1)


def _symbol(universe: Universe, symbol: str) -> Instrument:
    return next(i for rows in universe.by_exchange.values() for i in rows if i.tradingsymbol == symbol)


def _day(inst: Instrument, minutes: int | None, day: dt.date, now: dt.datetime = NOW):
    start = dt.datetime.combine(day, dt.time())
    return candles(1, CandleQuery(inst, minutes, start, start + dt.timedelta(hours=23, minutes=59), False, now))


def _stamps(c) -> list[dt.datetime]:
    return [dt.datetime.fromordinal(int(t) // SECONDS_PER_DAY) + dt.timedelta(seconds=int(t) % SECONDS_PER_DAY)
            for t in c.ts]


def _grid(day: dt.date, blocks: list[tuple[str, str]], minutes: int | None) -> list[dt.datetime]:
    """Kite's rule, written independently: each block opens its own grid at its open."""
    if minutes is None:
        return [dt.datetime.combine(day, dt.time())]
    out = []
    for open_, close in blocks:
        t = dt.datetime.combine(day, dt.time.fromisoformat(open_))
        while t < dt.datetime.combine(day, dt.time.fromisoformat(close)):
            out.append(t)
            t += dt.timedelta(minutes=minutes)
    return out


def test_the_table_holds_exactly_these_days() -> None:
    assert set(SPECIAL_SESSIONS) == set(SESSIONS) and frozenset(CLOSURES) == ONE_OFF_CLOSURES
    for day in CLOSURES:
        assert not is_trading_day(day) and session_blocks(day) == ()
    for day in SESSIONS:  # sessions with candles, but not days that move an expiry
        assert session_blocks(day) and not is_trading_day(day)


@pytest.mark.parametrize("day", sorted(SESSIONS), ids=str)
@pytest.mark.parametrize("minutes", INTERVALS, ids=lambda m: f"{m}min" if m else "day")
def test_special_session_candles_are_exactly_the_session_grid(universe, day, minutes) -> None:
    for symbol in ("RELIANCE", "NIFTY 50"):
        assert _stamps(_day(_symbol(universe, symbol), minutes, day)) == _grid(day, SESSIONS[day], minutes)


@pytest.mark.parametrize("day", CLOSURES, ids=str)
def test_closures_have_no_candles(universe, day) -> None:
    for minutes in INTERVALS:
        assert len(_day(_symbol(universe, "RELIANCE"), minutes, day).ts) == 0


def test_grid_examples_spelled_out(universe) -> None:
    inst = _symbol(universe, "INFY")
    muhurat = [t.strftime("%H:%M") for t in _stamps(_day(inst, 5, dt.date(2024, 11, 1)))]
    assert muhurat[:3] == ["18:00", "18:05", "18:10"] and muhurat[-1] == "18:55" and len(muhurat) == 12
    dr = _day(inst, 60, dt.date(2024, 3, 2))
    assert [t.strftime("%H:%M") for t in _stamps(dr)] == ["09:15", "11:30"]
    assert [t.strftime("%H:%M") for t in _stamps(_day(inst, 30, dt.date(2024, 5, 18)))] == [
        "09:15", "09:45", "11:30", "12:00"]


@pytest.mark.parametrize("day", sorted(SESSIONS), ids=str)
def test_every_interval_aggregates_the_session_minutes(universe, day) -> None:
    inst = _symbol(universe, "TCS")
    ones = _day(inst, 1, day)
    minute_of_day = (ones.ts % SECONDS_PER_DAY) // 60
    assert (ones.low <= np.minimum(ones.open, ones.close)).all() and (ones.volume > 0).all()
    for minutes in INTERVALS[1:]:
        got = _day(inst, minutes, day)
        starts = list((got.ts % SECONDS_PER_DAY) // 60) + [10**6]
        for k in range(len(got.ts)):
            # a bucket runs to the next candle's start or the end of its block, whichever is first
            rows = np.flatnonzero((minute_of_day >= starts[k]) & (minute_of_day < starts[k + 1])
                                  & (minute_of_day < starts[k] + (minutes or 10**6)))
            assert got.open[k] == ones.open[rows[0]] and got.close[k] == ones.close[rows[-1]]
            assert got.high[k] == ones.high[rows].max() and got.low[k] == ones.low[rows].min()
            assert got.volume[k] == ones.volume[rows].sum()
    # the 45-minute first candle of a 60minute grid over 09:15-10:00
    if day == dt.date(2024, 3, 2):
        assert _day(inst, 60, day).volume[0] == ones.volume[minute_of_day < 600].sum()


def test_a_muhurat_hour_trades_a_fraction_of_a_day(universe) -> None:
    inst = _symbol(universe, "RELIANCE")
    muhurat = _day(inst, None, dt.date(2025, 10, 21)).volume[0]
    regular = [_day(inst, None, dt.date(2025, 10, d)).volume[0] for d in (14, 15, 16, 17, 20, 23, 24)]
    # a day's volume draw spans 0.4-1.6 times its scale, a Muhurat hour's 60/375 of that: compare with the mean
    assert muhurat < np.mean(regular) / 2


def test_derivatives_trade_special_sessions_but_expiries_stay_on_regular_days() -> None:
    assert weekly_expiries(dt.date(2025, 10, 15), 1, 1) == [dt.date(2025, 10, 20)]  # Tue 21 is Muhurat
    assert weekly_expiries(dt.date(2026, 1, 9), 1, 3) == [dt.date(2026, 1, 14)]  # BSE, as on Jan 15 2026
    assert previous_trading_day(dt.date(2026, 2, 1)) == dt.date(2026, 1, 30)  # a Budget Sunday never counts
    assert previous_trading_day(dt.date(2024, 11, 1)) == dt.date(2024, 10, 31)  # nor does a Muhurat day
    universe = build_universe(1, dt.date(2025, 10, 14), 1)
    fut = _symbol(universe, "NIFTY25OCTFUT")
    assert fut.expiry == dt.date(2025, 10, 28)
    minutes = _day(fut, 1, dt.date(2025, 10, 21))
    assert len(minutes.ts) == 60 and (minutes.oi > 0).all() and (minutes.volume % fut.lot_size == 0).all()
    day = _day(fut, None, dt.date(2025, 10, 21))
    assert day.volume[0] == minutes.volume.sum() and day.oi[0] == minutes.oi[-1]
    weekly = next(i for i in universe.by_exchange["NFO"] if i.expiry == dt.date(2025, 10, 20))
    assert len(_day(weekly, 1, dt.date(2025, 10, 21)).ts) == 0  # expired the day before


def test_zzoffhours_weekend_candle_never_lands_on_a_real_session(universe) -> None:
    off = _symbol(universe, "ZZOFFHOURS")
    c = candles(1, CandleQuery(off, None, dt.datetime(2023, 11, 1), dt.datetime(2026, 3, 1), False, NOW))
    days = [d.date() for d in _stamps(c)]
    extra = [d for d in days if not session_blocks(d)]
    assert len(extra) > 100 and all(d.weekday() >= 5 for d in extra)
    assert len(days) == len(set(days))  # no extra candle shares a day with a real one
    assert {dt.date(2024, 1, 21), dt.date(2024, 3, 3), dt.date(2024, 5, 19), dt.date(2025, 2, 2)} <= set(extra)
    assert set(SESSIONS) <= set(days)
    muhurat = _stamps(_day(off, 5, dt.date(2024, 11, 1)))
    assert muhurat[0].strftime("%H:%M") == "08:00" and muhurat[1].strftime("%H:%M") == "18:00"


def test_bad_noon_candle_follows_the_block_grid(universe) -> None:
    bad = _day(_symbol(universe, "ZZBADOHLC"), 60, dt.date(2024, 3, 2))
    assert [t.strftime("%H:%M") for t in _stamps(bad.take(np.flatnonzero(bad.high < bad.low)))] == ["11:30"]
    muhurat = _day(_symbol(universe, "ZZBADOHLC"), 5, dt.date(2024, 11, 1))
    assert len(muhurat.ts) == 12 and (muhurat.high >= muhurat.low).all()  # no 12:00 in an evening session


def test_candles_of_a_session_appear_as_it_trades(universe) -> None:
    inst, day = _symbol(universe, "RELIANCE"), dt.date(2024, 11, 1)
    during = dt.datetime(2024, 11, 1, 18, 30)
    assert _stamps(_day(inst, 5, day, during))[-1] == during
    assert len(_day(inst, None, day, during).ts) == 0  # the day candle waits for the Muhurat close
    assert len(_day(inst, None, day, dt.datetime(2024, 11, 1, 19, 0)).ts) == 1


def test_a_pinned_muhurat_today_ends_after_its_session() -> None:
    assert SandboxState(SandboxConfig(today=dt.date(2024, 11, 1))).now() == dt.datetime(2024, 11, 1, 19, 0)
    assert SandboxState(SandboxConfig(today=dt.date(2024, 3, 2))).now() == dt.datetime(2024, 3, 2, 15, 30)
