"""Port-level assertions every CandleStore must pass: the fake in unit tests, HDF5 in integration tests."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from domain.candles import CandleFrame
from domain.clock_time import day_end, day_start
from domain.errors import InvalidInput
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from tests.fakes.market import synthetic_candles

JAN = (day_start(date(2024, 1, 1)), day_end(date(2024, 1, 31)))
FEB = (day_start(date(2024, 2, 1)), day_end(date(2024, 2, 29)))
RELIANCE = SeriesKey(Exchange.NSE, "RELIANCE", Interval.DAY)
JAN_1 = date(2024, 1, 1)


def candles(span: tuple[int, int], interval: Interval = Interval.DAY, with_oi: bool = False) -> CandleFrame:
    return synthetic_candles(span[0], span[1], interval, with_oi)


class CandleStoreContract:
    """Subclasses provide `make_store(segment)`."""

    def make_store(self, segment: Segment):
        raise NotImplementedError

    @pytest.fixture
    def equity(self):
        return self.make_store(Segment.EQUITY)

    @pytest.fixture
    def derivatives(self):
        return self.make_store(Segment.DERIVATIVES)

    def test_unknown_series_has_no_info(self, equity):
        assert equity.info(RELIANCE) is None
        assert len(equity.read(RELIANCE)) == 0

    def test_write_then_info_and_read(self, equity):
        jan = candles(JAN)
        assert equity.write(RELIANCE, jan, [JAN]) == len(jan) == 23
        info = equity.info(RELIANCE)
        assert (info.rows, info.first_ts, info.last_ts) == (23, int(jan.ts[0]), int(jan.ts[-1]))
        assert info.coverage.spans == (JAN,)
        back = equity.read(RELIANCE)
        assert np.array_equal(back.ts, jan.ts) and np.array_equal(back.close, jan.close)
        assert np.array_equal(back.volume, jan.volume)

    def test_append_after_and_merge_before(self, equity):
        jan, feb = candles(JAN), candles(FEB)
        equity.write(RELIANCE, feb, [FEB])
        assert equity.write(RELIANCE, jan, [JAN]) == len(jan)
        info = equity.info(RELIANCE)
        assert info.rows == len(jan) + len(feb)
        assert info.coverage.spans == ((JAN[0], FEB[1]),)
        assert equity.read(RELIANCE).is_sorted_unique()

    def test_stored_candles_win_and_are_not_counted_again(self, equity):
        jan = candles(JAN)
        equity.write(RELIANCE, jan, [JAN])
        changed = CandleFrame(jan.ts, jan.open + 5, jan.high + 5, jan.low + 5, jan.close + 5, jan.volume)
        assert equity.write(RELIANCE, changed, [JAN]) == 0
        assert np.array_equal(equity.read(RELIANCE).close, jan.close)
        assert equity.info(RELIANCE).rows == len(jan)

    def test_replace_window_swaps_only_inside(self, equity):
        jan, feb = candles(JAN), candles(FEB)
        equity.write(RELIANCE, CandleFrame.concat([jan, feb], False), [JAN, FEB])
        changed = CandleFrame(feb.ts, feb.open + 5, feb.high + 5, feb.low + 5, feb.close + 5, feb.volume)
        assert equity.write(RELIANCE, changed, [FEB], replace=FEB) == len(feb)
        stored = equity.read(RELIANCE)
        assert np.array_equal(stored.between(*FEB).close, feb.close + 5)
        assert np.array_equal(stored.between(*JAN).close, jan.close)
        assert equity.info(RELIANCE).rows == len(jan) + len(feb)

    def test_coverage_without_candles_is_remembered(self, equity):
        holiday = (day_start(date(2024, 1, 26)), day_end(date(2024, 1, 28)))
        equity.write(RELIANCE, CandleFrame.empty(), [holiday])
        info = equity.info(RELIANCE)
        assert info.rows == 0 and info.first_ts is None
        assert info.coverage.spans == (holiday,)

    def test_read_bounds_are_inclusive(self, equity):
        jan = candles(JAN)
        equity.write(RELIANCE, jan, [JAN])
        part = equity.read(RELIANCE, int(jan.ts[2]), int(jan.ts[4]))
        assert list(part.ts) == list(jan.ts[2:5])

    def test_derivatives_keep_open_interest(self, derivatives):
        key = SeriesKey(Exchange.NFO, "NIFTY24JANFUT", Interval.MINUTE_15)
        span = (day_start(date(2024, 1, 1)), day_end(date(2024, 1, 5)))
        frame = candles(span, Interval.MINUTE_15, with_oi=True)
        derivatives.write(key, frame, [span])
        back = derivatives.read(key)
        assert back.oi is not None and np.array_equal(back.oi, frame.oi)

    def test_series_of_another_segment_is_refused(self, equity):
        with pytest.raises(InvalidInput):
            equity.write(SeriesKey(Exchange.NFO, "X", Interval.DAY), candles(JAN), [JAN])

    @pytest.mark.parametrize("symbol", ["M&M", "NIFTY 50", "BAJAJ-AUTO", "../x", "a/b", "L&TFH", "3MINDIA"])
    def test_awkward_symbols_are_separate_series(self, equity, symbol):
        key = SeriesKey(Exchange.NSE, symbol, Interval.DAY)
        equity.write(key, candles(JAN), [JAN])
        equity.write(RELIANCE, candles(FEB), [FEB])
        assert equity.info(key).rows == 23
        described = {(s.key.exchange, s.key.symbol, s.key.interval): s.rows for s in equity.describe().series}
        assert described[(Exchange.NSE, symbol, Interval.DAY)] == 23
        assert described[(Exchange.NSE, "RELIANCE", Interval.DAY)] == 21

    def test_describe_counts_series(self, equity):
        equity.write(RELIANCE, candles(JAN), [JAN])
        equity.write(SeriesKey(Exchange.BSE, "TCS", Interval.MINUTE_5),
                     candles((JAN[0], day_end(date(2024, 1, 2))), Interval.MINUTE_5), [JAN])
        described = equity.describe()
        assert described.exists and len(described.series) == 2
        assert {s.key.exchange for s in described.series} == {Exchange.NSE, Exchange.BSE}

    def test_count_and_batches_cover_the_range(self, equity):
        jan, feb = candles(JAN), candles(FEB)
        equity.write(RELIANCE, CandleFrame.concat([jan, feb], False), [JAN, FEB])
        assert equity.count(RELIANCE) == len(jan) + len(feb)
        assert equity.count(RELIANCE, *FEB) == len(feb)
        assert equity.count(SeriesKey(Exchange.NSE, "NONE", Interval.DAY)) == 0
        batches = list(equity.iter_range(RELIANCE, JAN[0], FEB[1], batch_rows=10))
        assert [len(b) for b in batches] == [10, 10, 10, 10, 4]
        assert np.array_equal(np.concatenate([b.ts for b in batches]), np.concatenate([jan.ts, feb.ts]))
        assert list(equity.iter_range(SeriesKey(Exchange.NSE, "NONE", Interval.DAY))) == []

    def test_candles_per_day_counts_stamps_by_ist_day(self, equity):
        key = SeriesKey(Exchange.NSE, "INFY", Interval.MINUTE_5)
        week = (day_start(date(2024, 1, 1)), day_end(date(2024, 1, 7)))  # Mon..Sun
        frame = candles(week, Interval.MINUTE_5)
        short_tuesday = (frame.ts < day_start(date(2024, 1, 2)) + 12 * 3600) | (frame.ts >= day_start(date(2024, 1, 3)))
        equity.write(key, frame.take(short_tuesday), [week])
        assert equity.candles_per_day(key, date(2024, 1, 1), date(2024, 1, 7)) == (
            (date(2024, 1, 1), 75), (date(2024, 1, 2), 33), (date(2024, 1, 3), 75), (date(2024, 1, 4), 75),
            (date(2024, 1, 5), 75))
        assert equity.candles_per_day(key, date(2024, 1, 2), date(2024, 1, 3)) == (
            (date(2024, 1, 2), 33), (date(2024, 1, 3), 75))  # whole IST days, bounds inclusive
        assert equity.candles_per_day(key, date(2024, 1, 6), date(2024, 1, 30)) == ()
        assert equity.candles_per_day(SeriesKey(Exchange.NSE, "NONE", Interval.DAY), JAN_1, JAN_1) == ()

    def test_held_back_days_are_kept_until_a_write_covers_them(self, equity):
        saturday, sunday = date(2024, 1, 6), date(2024, 1, 7)
        friday = (day_start(date(2024, 1, 5)), day_end(date(2024, 1, 5)))
        equity.write(RELIANCE, candles(friday), [friday], held_back=[(saturday, 3), (sunday, 1)])
        assert equity.info(RELIANCE).held_back == ((saturday, 3), (sunday, 1))
        equity.write(RELIANCE, CandleFrame.empty(), [(day_start(saturday), day_start(saturday) + 3600)],
                     held_back=[(sunday, 2)])  # part of Saturday covered: still held back; Sunday's newer count
        assert equity.info(RELIANCE).held_back == ((saturday, 3), (sunday, 2))
        equity.write(RELIANCE, CandleFrame.empty(), [(day_start(saturday), day_end(saturday))])
        assert equity.info(RELIANCE).held_back == ((sunday, 2),)
        earlier = (JAN[0], day_end(date(2024, 1, 4)))
        equity.write(RELIANCE, candles(earlier), [earlier])  # merged before the last candle: the series is rebuilt
        info = equity.info(RELIANCE)
        assert info.held_back == ((sunday, 2),) and info.rows == 5
        assert not info.coverage.covers(day_start(sunday), day_end(sunday))  # held back, never marked covered
