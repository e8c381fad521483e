"""`kitefetch.open()` on sandbox data: reads equal pandas.read_hdf; every resample equals a pandas computation
written from the rules, with sessions taken from the candles themselves (not from kitefetch's calendar)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import kitefetch
from tests.integration.python_api.conftest import WINDOWS

EQUITY = "EQUITY.h5"
INTRADAY = ["minute", "3minute", "5minute", "10minute", "15minute", "30minute", "60minute", "75minute",
            "125minute", "2hour", "hour", "1440minute"]
LONGER = {"week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}


@pytest.fixture(scope="module")
def store(sandbox_data):
    with kitefetch.open(sandbox_data) as opened:
        yield opened


@pytest.fixture(scope="module")
def minute(sandbox_data) -> pd.DataFrame:
    return pd.read_hdf(sandbox_data / EQUITY, "/NSE/M_26M/minute")  # type: ignore[return-value]


@pytest.fixture(scope="module")
def day(sandbox_data) -> pd.DataFrame:
    return pd.read_hdf(sandbox_data / EQUITY, "/NSE/M_26M/day")  # type: ignore[return-value]


def seconds(index: pd.Index) -> np.ndarray:
    return pd.DatetimeIndex(index).as_unit("s").asi8


def aggregate(df: pd.DataFrame, labels: np.ndarray) -> pd.DataFrame:
    out = df.groupby(labels, sort=True).agg(open=("open", "first"), high=("high", "max"), low=("low", "min"),
                                            close=("close", "last"), volume=("volume", "sum"))
    out.index = pd.DatetimeIndex(pd.to_datetime(out.index, unit="s", utc=True), name="timestamp") \
        .tz_convert("Asia/Kolkata").as_unit("s")
    return out


def session_opens(df: pd.DataFrame) -> np.ndarray:
    """Each minute candle's session open: a session is a run of candles one minute apart (the sandbox serves
    every minute of every session), so a break, a Muhurat evening and the next day each start a new one."""
    ts = seconds(df.index)
    starts = np.concatenate(([True], np.diff(ts) != 60))
    return ts[starts][np.cumsum(starts) - 1]


def test_reads_equal_read_hdf_of_the_same_group(store, sandbox_data, minute, day):
    pd.testing.assert_frame_equal(store.candles("NSE", "M&M", "minute"), minute)
    pd.testing.assert_frame_equal(store.candles("nse", "m&m", "day"), day)  # exchange and symbol in any case
    pd.testing.assert_frame_equal(store.candles("NSE", "NIFTY 50", "day"),
                                  pd.read_hdf(sandbox_data / EQUITY, "/NSE/NIFTY_2050/day"))
    got = store.candles("NSE", "M&M", "minute", "2024-11-01", date(2024, 11, 4))
    want = minute.loc["2024-11-01":"2024-11-04 23:59:59"]
    pd.testing.assert_frame_equal(got, want)
    assert got.index[0].strftime("%Y-%m-%d %H:%M") == "2024-11-01 18:00"  # the Muhurat evening
    late = store.candles("NSE", "M&M", "minute", "2024-11-01 18:30", "2024-11-01T18:31:00+05:30")
    assert list(late.index.strftime("%H:%M")) == ["18:30", "18:31"]  # datetimes are inclusive too


@pytest.mark.parametrize("resample", INTRADAY)
def test_intraday_bars_from_minute_candles(store, minute, resample):
    step = {"hour": 60, "2hour": 120}.get(resample) or int(resample.removesuffix("minute") or 1)
    ts, opens = seconds(minute.index), session_opens(minute)
    want = aggregate(minute, opens + (ts - opens) // (step * 60) * (step * 60))
    got = store.candles("NSE", "M&M", "minute", resample=resample)
    pd.testing.assert_frame_equal(got, want)


def test_75minute_bars_of_the_special_sessions(store):
    def stamps(day: str) -> list[str]:
        bars = store.candles("NSE", "M&M", "minute", day, day, resample="75minute")
        return list(bars.index.strftime("%H:%M"))

    assert stamps("2024-11-01") == ["18:00"]  # Muhurat: its own grid
    assert stamps("2025-02-01") == ["09:15", "10:30", "11:45", "13:00", "14:15"]  # the Budget Saturday
    assert stamps("2024-03-02") == ["09:15", "11:30"]  # two blocks, each its own grid
    assert stamps("2024-10-31") == ["09:15", "10:30", "11:45", "13:00", "14:15"]


def test_15minute_from_5minute_equals_15minute_from_minute(store, minute):
    window = WINDOWS[-1]
    from_five = store.candles("NSE", "M&M", "5minute", *window, resample="15minute")
    from_minute = store.candles("NSE", "M&M", "minute", *window, resample="15minute")
    pd.testing.assert_frame_equal(from_five, from_minute)
    chosen = store.candles("NSE", "M&M", start=window[0], end=window[1], resample="15minute")
    pd.testing.assert_frame_equal(chosen, from_five)  # the coarsest stored interval that covers the range


def test_day_bars_from_minute_candles_are_stamped_like_kites(store, minute, day):
    ts = seconds(minute.index)
    midnight = seconds(minute.index.normalize())
    want = aggregate(minute, midnight)
    got = store.candles("NSE", "M&M", "minute", resample="day")
    pd.testing.assert_frame_equal(got, want)
    assert got.index.isin(day.index).all()  # the Saturday and the Muhurat day included
    assert {"2024-03-02", "2024-11-01", "2025-02-01"} <= set(got.index.strftime("%Y-%m-%d")) and len(ts)


@pytest.mark.parametrize("resample", sorted(LONGER))
def test_week_month_quarter_year_from_day_candles(store, day, resample):
    """The day series starts on the first trading day of a year, so every period's first candle is on its
    first trading day."""
    period = day.index.tz_localize(None).to_period(LONGER[resample])
    firsts = pd.Series(seconds(day.index), index=day.index).groupby(period).transform("min").to_numpy()
    pd.testing.assert_frame_equal(store.candles("NSE", "M&M", "day", resample=resample), aggregate(day, firsts))
    pd.testing.assert_frame_equal(store.candles("NSE", "M&M", resample=resample), aggregate(day, firsts))


@pytest.mark.parametrize("resample", sorted(LONGER))
def test_week_and_longer_from_minute_candles_are_labelled_by_the_first_trading_day(store, minute, day, resample):
    """The minute windows start mid-period: each bar is labelled by its period's first trading day, which the
    sandbox's day candles show, even where that day is before the first minute candle."""
    freq = LONGER[resample]
    first_day = pd.Series(seconds(day.index), index=day.index).groupby(day.index.tz_localize(None).to_period(freq)) \
        .min()
    period = minute.index.tz_localize(None).to_period(freq)
    want = aggregate(minute, first_day.reindex(period).to_numpy())
    pd.testing.assert_frame_equal(store.candles("NSE", "M&M", "minute", resample=resample), want)


def test_arrow_holds_the_same_candles(store):
    table = store.candles("NSE", "M&M", "minute", "2025-02-01", "2025-02-01", resample="75minute", format="arrow")
    assert isinstance(table, pa.Table)
    assert table.schema.field("timestamp").type == pa.timestamp("s", tz="Asia/Kolkata")
    assert table.column_names == ["timestamp", "open", "high", "low", "close", "volume"]
    frame = store.candles("NSE", "M&M", "minute", "2025-02-01", "2025-02-01", resample="75minute")
    pd.testing.assert_frame_equal(table.to_pandas().set_index("timestamp"), frame, check_index_type=False)


def test_the_series_listing(store, day):
    listing = store.series()
    assert list(listing.columns) == ["exchange", "symbol", "interval", "first", "last", "rows"]
    assert listing[["exchange", "symbol", "interval"]].values.tolist() == [
        ["NSE", "M&M", "minute"], ["NSE", "M&M", "5minute"], ["NSE", "M&M", "day"], ["NSE", "NIFTY 50", "day"]]
    row = listing[(listing.symbol == "M&M") & (listing.interval == "day")].iloc[0]
    assert (row["first"], row["last"], row["rows"]) == (day.index[0], day.index[-1], len(day))


def test_errors_say_what_is_stored(store):
    with pytest.raises(kitefetch.SeriesNotFound, match="stored for NSE:M&M: minute, 5minute, day") as found:
        store.candles("NSE", "M&M", "15minute")
    assert isinstance(found.value, KeyError) and str(found.value).startswith("No stored candles for NSE:M&M:15minute")
    with pytest.raises(ValueError, match="use Nminute .* day, week, month, quarter or year"):
        store.candles("NSE", "M&M", "minute", resample="7 minutes")
    with pytest.raises(ValueError, match=r"2minute bars cannot be built from 5minute candles"):
        store.candles("NSE", "M&M", "5minute", resample="2minute")
    with pytest.raises(ValueError, match="is not an interval Kite serves: read one that is and resample='75minute'"):
        store.candles("NSE", "M&M", "75minute")
    with pytest.raises(ValueError, match="not an ISO date"):
        store.candles("NSE", "M&M", "day", "31/01/2024")
    with pytest.raises(ValueError, match="Unknown exchange"):
        store.candles("NSX", "M&M", "day")
    with pytest.raises(kitefetch.SeriesNotFound, match="nothing is stored for NSE:TCS"):
        store.candles("NSE", "TCS", resample="week")
