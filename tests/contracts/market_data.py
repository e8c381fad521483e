"""Port-level assertions for MarketDataSource: the fake in unit tests, Kite-over-HTTP against the sandbox."""

from __future__ import annotations

from datetime import date

import pytest

from domain.clock_time import day_end, day_start
from domain.errors import AuthRequired, InvalidInput
from domain.instrument import Instrument
from domain.interval import Interval
from domain.market import Exchange


class MarketDataContract:
    """Subclasses provide fixtures `source` and `equity_instrument` / `future_instrument`."""

    def test_candles_lie_in_the_inclusive_window_sorted(self, source, equity_instrument: Instrument):
        start, end = day_start(date(2024, 3, 4)), day_start(date(2024, 3, 5)) + 11 * 3600
        frame = source.fetch_candles(equity_instrument, Interval.MINUTE_5, start, end, False)
        assert len(frame) > 75 and frame.oi is None
        assert int(frame.ts[0]) >= start and int(frame.ts[-1]) <= end
        assert frame.is_sorted_unique()
        assert int(frame.ts[-1]) == end  # inclusive of a candle starting exactly at `to`

    def test_day_candles_and_open_interest(self, source, future_instrument: Instrument):
        assert future_instrument.expiry is not None
        last = min(future_instrument.expiry, date.fromordinal(date.today().toordinal() - 1))
        start = day_start(date.fromordinal(last.toordinal() - 20))
        frame = source.fetch_candles(future_instrument, Interval.DAY, start, day_end(last), True)
        assert len(frame) > 5 and frame.oi is not None and len(frame.oi) == len(frame)

    def test_span_beyond_the_limit_is_invalid_input(self, source, equity_instrument):
        with pytest.raises(InvalidInput, match="60 days"):
            source.fetch_candles(equity_instrument, Interval.MINUTE, day_start(date(2024, 1, 1)),
                                 day_end(date(2024, 3, 1)), False)

    def test_instruments_belong_to_the_exchange(self, source):
        listed = source.fetch_instruments(Exchange.NSE)
        assert listed and all(i.exchange == "NSE" for i in listed)

    def test_a_bad_request_token_is_refused(self, source):
        with pytest.raises(AuthRequired):
            source.create_session("not-a-real-request-token")
