"""ReadBars and ContinuousFutures against in-memory stores, the fake calendar and a fake catalog."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from application.continuous_futures import ContinuousFutures, ContinuousQuery
from application.read_bars import BarsQuery, ReadBars
from domain import bars
from domain.bar_spec import BarSpec
from domain.candles import CandleFrame
from domain.clock_time import day_end, day_start
from domain.errors import InvalidInput, NotFound
from domain.futures import Adjustment, RollRule
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from tests.fakes.calendar import FakeCalendar
from tests.fakes.market import FakeCatalog, future, synthetic_candles

JAN = (day_start(date(2024, 1, 1)), day_end(date(2024, 1, 31)))
Q1 = (day_start(date(2024, 1, 1)), day_end(date(2024, 3, 31)))


def key(interval: Interval, symbol: str = "M&M") -> SeriesKey:
    return SeriesKey(Exchange.NSE, symbol, interval)


def put(stores, k: SeriesKey, span: tuple[int, int], covered: tuple[int, int] | None = None) -> CandleFrame:
    frame = synthetic_candles(*span, k.interval, k.segment.has_open_interest)
    stores[k.segment].write(k, frame, [covered or span])
    return frame


@pytest.fixture
def read_bars(stores):
    return ReadBars(stores, FakeCalendar())


def test_no_resample_reads_the_series_as_stored(stores, read_bars):
    frame = put(stores, key(Interval.MINUTE_5), JAN)
    got = read_bars.execute(BarsQuery(Exchange.NSE, "m&m", Interval.MINUTE_5))
    assert got.source == key(Interval.MINUTE_5) and got.source_rows == len(frame)
    assert np.array_equal(got.frame().ts, frame.ts)


def test_streamed_bars_equal_bars_read_at_once(stores, read_bars):
    put(stores, key(Interval.MINUTE), JAN)
    query = BarsQuery(Exchange.NSE, "M&M", Interval.MINUTE, BarSpec.parse("75minute"))
    whole = read_bars.execute(query).frame()
    streamed = read_bars.execute(query, batch_rows=1_000)
    batches = list(streamed.batches)
    assert len(batches) > 5 and all(len(b) for b in batches)
    joined = CandleFrame.concat(batches, False)
    assert np.array_equal(joined.ts, whole.ts) and np.array_equal(joined.volume, whole.volume)
    assert len(whole) == 23 * 5  # weekdays of January 2024, five bars each


def test_a_named_interval_must_build_the_bars(stores, read_bars):
    put(stores, key(Interval.MINUTE_10), JAN)
    put(stores, key(Interval.DAY), JAN)
    with pytest.raises(InvalidInput, match=r"75minute bars cannot be built from 10minute candles \(stored: 10minute, "
                                           r"day\)"):
        read_bars.execute(BarsQuery(Exchange.NSE, "M&M", Interval.MINUTE_10, BarSpec.parse("75minute")))
    put(stores, key(Interval.MINUTE_5), JAN)
    with pytest.raises(InvalidInput, match="stored ones that can: 5minute"):
        read_bars.execute(BarsQuery(Exchange.NSE, "M&M", Interval.DAY, BarSpec.parse("75minute")))


def test_a_resample_finer_than_every_stored_interval_names_the_stored_ones(stores, read_bars):
    put(stores, key(Interval.MINUTE_5), JAN)
    put(stores, key(Interval.DAY), JAN)
    with pytest.raises(InvalidInput, match=r"3minute bars cannot be built from the intervals stored for NSE:M&M "
                                           r"\(stored: 5minute, day\): they need 3minute, minute"):
        read_bars.execute(BarsQuery(Exchange.NSE, "M&M", None, BarSpec.parse("3minute")))


def test_a_series_never_stored_says_what_is(stores, read_bars):
    put(stores, key(Interval.DAY), JAN)
    with pytest.raises(NotFound, match="No stored candles for NSE:M&M:minute; stored for NSE:M&M: day"):
        read_bars.execute(BarsQuery(Exchange.NSE, "M&M", Interval.MINUTE))
    with pytest.raises(NotFound, match="nothing is stored for NSE:TCS"):
        read_bars.execute(BarsQuery(Exchange.NSE, "TCS", None, BarSpec.parse("week")))


def test_the_source_is_the_coarsest_that_covers_else_the_one_covering_most(stores, read_bars):
    put(stores, key(Interval.MINUTE), Q1)
    put(stores, key(Interval.MINUTE_5), JAN)
    put(stores, key(Interval.MINUTE_15), (JAN[0], day_end(date(2024, 1, 10))))
    query = BarsQuery(Exchange.NSE, "M&M", None, BarSpec.parse("75minute"), *JAN)
    assert read_bars.execute(query).source.interval is Interval.MINUTE_5  # 15minute does not cover January
    query = BarsQuery(Exchange.NSE, "M&M", None, BarSpec.parse("75minute"), *Q1)
    assert read_bars.execute(query).source.interval is Interval.MINUTE  # only minute covers the quarter
    query = BarsQuery(Exchange.NSE, "M&M", None, BarSpec.parse("75minute"), JAN[0], day_end(date(2024, 12, 31)))
    assert read_bars.execute(query).source.interval is Interval.MINUTE  # nothing covers the year: most of it
    put(stores, key(Interval.DAY), Q1)
    query = BarsQuery(Exchange.NSE, "M&M", None, BarSpec.parse("week"))
    assert read_bars.execute(query).source.interval is Interval.DAY  # the whole stored span


def test_week_bars_from_day_candles(stores, read_bars):
    frame = put(stores, key(Interval.DAY), Q1)
    got = read_bars.execute(BarsQuery(Exchange.NSE, "M&M", Interval.DAY, BarSpec.parse("week"))).frame()
    table = FakeCalendar().sessions(Exchange.NSE, date(2024, 1, 1), date(2024, 3, 31))
    want = bars.resample(frame, BarSpec.parse("week"), table)
    assert np.array_equal(got.ts, want.ts) and len(got) == 13


# --- continuous futures ---

EXPIRIES = {"NIFTY24JANFUT": date(2024, 1, 25), "NIFTY24FEBFUT": date(2024, 2, 29), "NIFTY24MARFUT": date(2024, 3, 28)}


def contracts(expired_too: bool = True) -> FakeCatalog:
    return FakeCatalog([future(s, 1000 * (n + 1), e, expired=e < date(2024, 2, 1))
                        for n, (s, e) in enumerate(EXPIRIES.items())])


def put_future(stores, symbol: str, shift: float) -> None:
    k = SeriesKey(Exchange.NFO, symbol, Interval.DAY)
    frame = synthetic_candles(day_start(date(2023, 11, 1)), day_end(EXPIRIES[symbol]), Interval.DAY, True)
    moved = CandleFrame(frame.ts, frame.open + shift, frame.high + shift, frame.low + shift, frame.close + shift,
                        frame.volume, frame.oi)
    stores[Segment.DERIVATIVES].write(k, moved, [(int(frame.ts[0]), int(frame.ts[-1]))])


def test_continuous_rolls_at_each_expiry_and_names_each_contract(stores):
    for n, symbol in enumerate(EXPIRIES):
        put_future(stores, symbol, 10.0 * n)
    use_case = ContinuousFutures(stores, contracts(), FakeCalendar())
    series = use_case.execute(ContinuousQuery(Exchange.NFO, "NIFTY", Interval.DAY, day_start(date(2024, 1, 1))))
    assert series.contracts == tuple(EXPIRIES)
    stamps = series.candles.ts
    last_jan = stamps[series.contract == 0][-1]
    assert last_jan == day_start(date(2024, 1, 25)) and stamps[series.contract == 1][0] == day_start(date(2024, 1, 26))
    early = use_case.execute(ContinuousQuery(Exchange.NFO, "NIFTY", Interval.DAY, day_start(date(2024, 1, 1)),
                                             roll=RollRule(2)))
    assert early.candles.ts[early.contract == 0][-1] == day_start(date(2024, 1, 23))
    adjusted = use_case.execute(ContinuousQuery(Exchange.NFO, "NIFTY", Interval.DAY, day_start(date(2024, 1, 1)),
                                                adjust=Adjustment.DIFFERENCE))
    raw = series.candles
    assert np.allclose(adjusted.candles.close[series.contract == 0], raw.close[series.contract == 0] + 20.0)
    assert np.allclose(adjusted.candles.close[series.contract == 2], raw.close[series.contract == 2])
    assert np.array_equal(adjusted.candles.volume, raw.volume)


def test_a_needed_contract_never_captured_is_named(stores):
    put_future(stores, "NIFTY24JANFUT", 0.0)
    put_future(stores, "NIFTY24MARFUT", 20.0)
    use_case = ContinuousFutures(stores, contracts(), FakeCalendar())
    with pytest.raises(NotFound, match=r"NFO:NIFTY24FEBFUT \(expiry 2024-02-29\) never captured at day"):
        use_case.execute(ContinuousQuery(Exchange.NFO, "NIFTY", Interval.DAY))
    jan_only = use_case.execute(ContinuousQuery(Exchange.NFO, "NIFTY", Interval.DAY, None,
                                                day_end(date(2024, 1, 25))))
    assert jan_only.contracts == ("NIFTY24JANFUT",)
    with pytest.raises(InvalidInput, match="NFO and BFO"):
        use_case.execute(ContinuousQuery(Exchange.NSE, "NIFTY", Interval.DAY))
    with pytest.raises(NotFound, match="knows no futures of BANKNIFTY"):
        use_case.execute(ContinuousQuery(Exchange.NFO, "BANKNIFTY", Interval.DAY))
