from datetime import date

import pytest

from application.batch_fetch import BatchFetch, ItemFailure
from application.describe_database import DescribeDatabase
from application.fetch_history import FetchResult
from application.fetch_request import FetchRequest
from application.get_existing_range import GetExistingRange
from application.get_instruments import GetInstruments
from application.lookup_instrument import LookupInstrument
from domain.date_range import DateRange
from domain.errors import AuthRequired, InvalidInput, NotFound
from domain.instrument import SeriesKey
from domain.interval import Interval
from domain.market import Exchange, Segment


def item(symbol: str) -> FetchRequest:
    return FetchRequest(Segment.EQUITY, symbol, DateRange(date(2024, 1, 1), date(2024, 1, 31)))


@pytest.mark.parametrize("workers", [1, 3])
def test_batch_reports_each_item_and_one_bad_item_fails_alone(fetch_history, workers):
    progress = []
    items = [item("RELIANCE"), item("NOPE"), ItemFailure("BAD", InvalidInput("interval: bad")), item("TCS")]
    result = BatchFetch(fetch_history, workers=workers).execute(items, lambda i, o: progress.append(i))
    assert (result.total, result.successful, result.failed, result.success_rate) == (4, 2, 2, 50.0)
    assert isinstance(result.results[0], FetchResult) and isinstance(result.results[3], FetchResult)
    assert isinstance(result.results[1].error, NotFound)
    assert sorted(progress) == [0, 1, 2, 3]


def test_batch_stops_on_a_rejected_token(fetch_history, source):
    source.fail_with = AuthRequired("expired")
    with pytest.raises(AuthRequired):
        BatchFetch(fetch_history).execute([item("RELIANCE"), item("TCS")])
    assert len(source.calls) == 1


def test_instruments_and_lookup(catalog):
    assert len(GetInstruments(catalog).execute(Exchange.NSE)) == 2
    assert len(GetInstruments(catalog).execute(Exchange.NSE, limit=1)) == 1
    with pytest.raises(InvalidInput):
        GetInstruments(catalog).execute(Exchange.NSE, limit=-1)
    assert LookupInstrument(catalog).execute(Exchange.NSE, "TCS").instrument_token == 2953217
    assert LookupInstrument(catalog).execute(Exchange.NFO, "NIFTY24MAYFUT").expired
    with pytest.raises(NotFound):
        LookupInstrument(catalog).execute(Exchange.NSE, "NOPE")


def test_existing_range_and_describe(fetch_history, stores):
    key = SeriesKey(Exchange.NSE, "RELIANCE", Interval.DAY)
    assert GetExistingRange(stores).execute(key) is None
    fetch_history.execute(item("RELIANCE"))
    info = GetExistingRange(stores).execute(key)
    assert info.rows == 23
    described = DescribeDatabase(stores).execute(Segment.EQUITY)
    assert [s.key for s in described.series] == [key]
