"""Continuous NIFTY futures stitched from contracts captured one by one against sandboxes pinned to their expiry
days, checked against the sandbox's own `continuous=1` day candles (Kite's front-month series)."""

from __future__ import annotations

import shutil
from datetime import date

import numpy as np
import pandas as pd
import pytest
from kiteconnect import KiteConnect

import kitefetch
from tests.integration.python_api.conftest import EXPIRIES


@pytest.fixture(scope="module")
def store(futures_data):
    with kitefetch.open(futures_data) as opened:
        yield opened


def contract_day(futures_data, symbol: str) -> pd.DataFrame:
    path = futures_data / "DERIVATIVES.h5"
    return pd.read_hdf(path, f"/NFO/{symbol}/day")  # type: ignore[return-value]


@pytest.fixture(scope="module")
def kite_continuous() -> pd.DataFrame:
    """The sandbox's front-month day candles, rolling the day after each monthly expiry."""
    from kite_sandbox import SandboxConfig, start_sandbox

    sandbox = start_sandbox(SandboxConfig(port=0, cost_ms_per_1000_candles=0, today=date(2025, 3, 25)))
    try:
        kite = KiteConnect("sandbox", access_token="sandbox-token", root=sandbox.url)
        token = next(i["instrument_token"] for i in kite.instruments("NFO") if i["tradingsymbol"] == "NIFTY25MARFUT")
        rows = kite.historical_data(token, "2025-01-01", "2025-03-25", "day", continuous=True, oi=True)
    finally:
        sandbox.stop()
    frame = pd.DataFrame(rows)
    return frame.set_index(pd.DatetimeIndex(frame.pop("date")).tz_convert("Asia/Kolkata").as_unit("s"))


def test_continuous_equals_kites_front_month_series(store, kite_continuous):
    got = store.continuous("NFO", "NIFTY", "day", "2025-01-01", "2025-03-25")  # December expired on the 31st
    assert list(got.columns) == ["open", "high", "low", "close", "volume", "oi", "contract"]
    assert list(got.contract.cat.categories) == list(EXPIRIES)
    assert got.index.equals(pd.DatetimeIndex(kite_continuous.index, name="timestamp"))
    for column in ("open", "high", "low", "close", "volume", "oi"):
        assert np.array_equal(got[column].to_numpy(), kite_continuous[column].to_numpy()), column
    rolls = got.contract.ne(got.contract.shift()).to_numpy().nonzero()[0][1:]
    assert [got.index[i].date() for i in rolls] == [date(2025, 1, 29), date(2025, 2, 27)]  # 26th: a holiday


def test_a_contract_reads_as_read_hdf_reads_it_open_interest_included(store, futures_data):
    for symbol in EXPIRIES:
        pd.testing.assert_frame_equal(store.candles("NFO", symbol, "day"), contract_day(futures_data, symbol))


def test_each_candle_is_its_contracts_own(store, futures_data):
    got = store.continuous("NFO", "NIFTY", "day")
    assert got.index[0].date() == date(2025, 1, 1)  # 28 days before January's expiry: December's days are unknown
    for symbol, rows in got.groupby("contract", observed=True):
        own = contract_day(futures_data, str(symbol)).loc[rows.index]
        pd.testing.assert_frame_equal(rows.drop(columns="contract"), own)


def test_a_range_before_the_first_known_contract_says_where_the_series_can_start(store):
    with pytest.raises(kitefetch.SeriesNotFound, match="starts on 2025-01-01 at the earliest: the instrument cache "
                                                        "knows no future of it expiring before 2025-01-28"):
        store.continuous("NFO", "NIFTY", "day", "2024-11-01")


def test_roll_days_before_expiry(store):
    got = store.continuous("NFO", "NIFTY", "day", "2025-01-01", "2025-03-21", roll="days_before:2")
    jan = got[got.contract == "NIFTY25JANFUT"]
    assert jan.index[-1].date() == date(2025, 1, 24)  # Friday; Monday 27 and Tuesday 28 trade February
    assert got.loc["2025-01-27", "contract"] == "NIFTY25FEBFUT"
    with pytest.raises(kitefetch.SeriesNotFound, match="NIFTY25APRFUT"):  # April trades from March 24 now
        store.continuous("NFO", "NIFTY", "day", "2025-01-01", "2025-03-25", roll="days_before:2")


@pytest.mark.parametrize("adjust", ["difference", "ratio"])
def test_back_adjustment_at_each_roll(store, futures_data, adjust):
    raw = store.continuous("NFO", "NIFTY", "day", "2025-01-01")
    got = store.continuous("NFO", "NIFTY", "day", "2025-01-01", adjust=adjust)
    symbols = list(EXPIRIES)
    closes = {s: contract_day(futures_data, s)["close"] for s in symbols}
    factor = {symbols[-1]: 0.0 if adjust == "difference" else 1.0}
    for old, new in reversed(list(zip(symbols, symbols[1:], strict=False))):
        last = raw[raw.contract == old].index[-1]  # the old contract's last day in the series
        new_close, old_close = closes[new][last], closes[old][last]
        step = new_close - old_close if adjust == "difference" else new_close / old_close
        factor[old] = factor[new] + step if adjust == "difference" else factor[new] * step
    for symbol in symbols:
        rows = raw.contract == symbol
        for column in ("open", "high", "low", "close"):
            want = raw.loc[rows, column] + factor[symbol] if adjust == "difference" else \
                raw.loc[rows, column] * factor[symbol]
            np.testing.assert_allclose(got.loc[rows, column], want)
        assert got.loc[rows, "volume"].equals(raw.loc[rows, "volume"])


def test_a_contract_never_captured_is_named(futures_data, tmp_path):
    holey = tmp_path / "hdf5"
    shutil.copytree(futures_data, holey)
    import h5py

    with h5py.File(holey / "DERIVATIVES.h5", "r+") as h5:  # as if February had never been fetched
        del h5["/NFO/NIFTY25FEBFUT"]
    with kitefetch.open(holey) as store:
        missing = r"NFO:NIFTY25FEBFUT \(expiry 2025-02-25\) never captured at day"
        with pytest.raises(kitefetch.SeriesNotFound, match=missing):
            store.continuous("NFO", "NIFTY", "day")
        january = store.continuous("NFO", "NIFTY", "day", end="2025-01-28")
        assert set(january.contract) == {"NIFTY25JANFUT"}
        table = store.continuous("NFO", "NIFTY", "day", end="2025-01-28", format="arrow")
        assert table.column_names[-1] == "contract" and table.num_rows == len(january)
