from datetime import date

import pytest

from tests.contracts.market_data import MarketDataContract
from tests.fakes.market import FakeMarketData, equity, future


class TestFakeMarketData(MarketDataContract):
    @pytest.fixture
    def equity_instrument(self):
        return equity("RELIANCE", 738561)

    @pytest.fixture
    def future_instrument(self):
        return future("NIFTY24MARFUT", 1000 * 256 + 2, date(2024, 3, 28))

    @pytest.fixture
    def source(self, equity_instrument, future_instrument):
        return FakeMarketData([equity_instrument, future_instrument])
