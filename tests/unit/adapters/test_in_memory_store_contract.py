from domain.market import Segment
from tests.contracts.candle_store import CandleStoreContract
from tests.fakes.stores import InMemoryCandleStore


class TestInMemoryCandleStore(CandleStoreContract):
    def make_store(self, segment: Segment):
        return InMemoryCandleStore(segment)
