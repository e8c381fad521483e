from datetime import date, datetime

import pytest

from application.fetch_history import FetchHistory
from domain.clock_time import IST, from_datetime
from domain.market import Segment
from tests.fakes.calendar import FakeCalendar
from tests.fakes.market import FakeCatalog, FakeMarketData, FixedClock, equity, future
from tests.fakes.stores import InMemoryCandleStore

NOW = from_datetime(datetime(2024, 6, 14, 18, 0, tzinfo=IST))  # a Friday evening
INSTRUMENTS = [
    equity("RELIANCE", 738561),
    equity("TCS", 2953217),
    equity("ONLYBSE", 500000 * 256 + 4, exchange="BSE"),
    future("NIFTY24JUNFUT", 1000 * 256 + 2, date(2024, 6, 27)),
    future("NIFTY24MAYFUT", 999 * 256 + 2, date(2024, 5, 30), expired=True),
]


@pytest.fixture
def source():
    return FakeMarketData(INSTRUMENTS)


@pytest.fixture
def stores():
    return {Segment.EQUITY: InMemoryCandleStore(Segment.EQUITY),
            Segment.DERIVATIVES: InMemoryCandleStore(Segment.DERIVATIVES)}


@pytest.fixture
def catalog():
    return FakeCatalog(INSTRUMENTS)


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def calendar():
    return FakeCalendar()


@pytest.fixture
def fetch_history(source, stores, catalog, clock, calendar):
    return FetchHistory(source, stores, catalog, clock, calendar)
