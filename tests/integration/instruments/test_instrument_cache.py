"""The instrument cache on real files: daily refresh, restarts, and contracts that vanish at expiry."""

from __future__ import annotations

from datetime import date, datetime

from adapters.outbound.instruments.cache import InstrumentCache, latest_dump_time
from domain.clock_time import IST, from_datetime
from domain.market import Exchange
from tests.fakes.market import FakeMarketData, FixedClock, equity, future

MORNING = from_datetime(datetime(2024, 6, 14, 9, 0, tzinfo=IST))
NIFTY_JUN = future("NIFTY24JUNFUT", 1000 * 256 + 2, date(2024, 6, 27))
NIFTY_JUL = future("NIFTY24JULFUT", 1001 * 256 + 2, date(2024, 7, 25))


class CountingSource(FakeMarketData):
    def __init__(self, instruments):
        super().__init__(instruments)
        self.fetches = 0

    def fetch_instruments(self, exchange):
        self.fetches += 1
        return super().fetch_instruments(exchange)


def test_dump_time_is_the_last_0830_ist():
    assert latest_dump_time(MORNING) == from_datetime(datetime(2024, 6, 14, 8, 30, tzinfo=IST))
    early = from_datetime(datetime(2024, 6, 14, 7, 0, tzinfo=IST))
    assert latest_dump_time(early) == from_datetime(datetime(2024, 6, 13, 8, 30, tzinfo=IST))


def test_fetched_once_per_dump_and_on_demand(tmp_path):
    source, clock = CountingSource([NIFTY_JUN, NIFTY_JUL]), FixedClock(MORNING)
    cache = InstrumentCache(source, tmp_path, clock)
    assert len(cache.instruments(Exchange.NFO)) == 2
    cache.instruments(Exchange.NFO)
    assert cache.lookup(Exchange.NFO, "nifty24junfut").instrument_token == NIFTY_JUN.instrument_token
    assert source.fetches == 1
    clock.now += 3600
    cache.instruments(Exchange.NFO)
    assert source.fetches == 1
    cache.instruments(Exchange.NFO, force_refresh=True)
    assert source.fetches == 2
    clock.now += 86_400
    cache.instruments(Exchange.NFO)
    assert source.fetches == 3


def test_warm_start_reads_the_file_not_kite(tmp_path):
    source, clock = CountingSource([NIFTY_JUN]), FixedClock(MORNING)
    InstrumentCache(source, tmp_path, clock).instruments(Exchange.NFO)
    restarted = InstrumentCache(source, tmp_path, clock)
    assert restarted.lookup(Exchange.NFO, "NIFTY24JUNFUT") is not None
    assert source.fetches == 1


def test_expired_contracts_stay_resolvable(tmp_path):
    source, clock = CountingSource([NIFTY_JUN, NIFTY_JUL]), FixedClock(MORNING)
    cache = InstrumentCache(source, tmp_path, clock)
    cache.instruments(Exchange.NFO)
    source.instruments_by_exchange[Exchange.NFO] = [NIFTY_JUL, NIFTY_JUL._replace(tradingsymbol="NIFTY24AUGFUT")]
    clock.now += 14 * 86_400
    live = cache.instruments(Exchange.NFO)
    assert {i.tradingsymbol for i in live} == {"NIFTY24JULFUT", "NIFTY24AUGFUT"}
    gone = cache.lookup(Exchange.NFO, "NIFTY24JUNFUT")
    assert gone is not None and gone.expired and gone.expiry == date(2024, 6, 27) and gone.lot_size == 75
    restarted = InstrumentCache(source, tmp_path, clock)
    assert restarted.lookup(Exchange.NFO, "NIFTY24JUNFUT").expired


def test_stale_cache_is_used_when_kite_is_down(tmp_path):
    from domain.errors import UpstreamFailure

    source, clock = CountingSource([equity("INFY", 408065)]), FixedClock(MORNING)
    InstrumentCache(source, tmp_path, clock).instruments(Exchange.NSE)
    source.fail_with = UpstreamFailure("down")
    clock.now += 86_400
    assert InstrumentCache(source, tmp_path, clock).lookup(Exchange.NSE, "INFY") is not None
