from datetime import date

import pytest

from application.export_candles import ExportCandles
from application.fetch_request import FetchRequest
from application.read_candles import ReadCandles
from domain.date_range import DateRange
from domain.errors import InvalidInput, NotFound
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment
from tests.fakes.calendar import FakeCalendar

KEY = SeriesKey(Exchange.NSE, "RELIANCE", Interval.DAY)


@pytest.fixture
def stored(fetch_history, stores):
    fetch_history.execute(FetchRequest(Segment.EQUITY, "RELIANCE", DateRange(date(2024, 1, 1), date(2024, 3, 31))))
    return stores


def test_read_returns_the_newest_candles_within_the_limit(stored):
    read = ReadCandles(stored, FakeCalendar()).execute(KEY, DateRange(date(2024, 2, 1), date(2024, 2, 29)), limit=5)
    assert (read.total, len(read.candles), read.truncated) == (21, 5, True)
    whole = ReadCandles(stored, FakeCalendar()).execute(KEY)
    assert whole.total == 65 and not whole.truncated and whole.candles.ts[-1] > read.candles.ts[-1]
    with pytest.raises(NotFound):
        ReadCandles(stored, FakeCalendar()).execute(SeriesKey(Exchange.NSE, "TCS", Interval.DAY))
    with pytest.raises(InvalidInput):
        ReadCandles(stored, FakeCalendar()).execute(KEY, limit=0)


def test_export_refuses_more_rows_than_the_format_holds(stored):
    export = ExportCandles(stored, FakeCalendar()).execute(KEY, max_rows=100)
    assert export.rows == 65 and sum(len(b) for b in export.batches) == 65
    with pytest.raises(InvalidInput, match="Excel"):
        ExportCandles(stored, FakeCalendar()).execute(KEY, max_rows=64, format_name="Excel")
    with pytest.raises(NotFound):
        ExportCandles(stored, FakeCalendar()).execute(SeriesKey(Exchange.NSE, "TCS", Interval.DAY))


def test_a_symbol_typed_in_another_case_finds_the_series_and_an_exact_spelling_wins(stored):
    from application.get_existing_range import GetExistingRange
    from application.stored_series import stored_key

    lower = SeriesKey(Exchange.NSE, "reliance", Interval.DAY)
    assert ReadCandles(stored, FakeCalendar()).execute(lower).total == 65
    assert ExportCandles(stored, FakeCalendar()).execute(lower).key.symbol == "RELIANCE"
    assert GetExistingRange(stored).execute(lower).rows == 65
    store = stored[Segment.EQUITY]
    candles = ReadCandles(stored, FakeCalendar()).execute(KEY).candles
    mixed = SeriesKey(Exchange.NSE, "Nifty50 EQL Wgt", Interval.DAY)  # a Kite spelling that is not all capitals
    store.write(mixed, candles, [])
    assert stored_key(store, mixed) == mixed
    assert stored_key(store, SeriesKey(Exchange.NSE, "nifty50 eql wgt", Interval.DAY)).symbol == "nifty50 eql wgt"
