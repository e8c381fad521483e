"""PersistedCatalog answers from today's file exactly as the cache would, and hands the cache everything else."""

from __future__ import annotations

from adapters.outbound.instruments.cache import InstrumentCache
from adapters.outbound.instruments.persisted import PersistedCatalog
from domain.market import Exchange
from tests.fakes.market import FixedClock
from tests.integration.instruments.test_instrument_cache import MORNING, NIFTY_JUL, NIFTY_JUN, CountingSource


class Built:
    """The fallback: the refreshing cache, counted each time the catalog needs it."""

    def __init__(self, source, directory, clock) -> None:
        self.cache = InstrumentCache(source, directory, clock)
        self.calls = 0

    def __call__(self) -> InstrumentCache:
        self.calls += 1
        return self.cache


def test_todays_file_answers_as_the_cache_does_without_it(tmp_path):
    source, clock = CountingSource([NIFTY_JUN, NIFTY_JUL]), FixedClock(MORNING)
    cache = InstrumentCache(source, tmp_path, clock)
    cache.instruments(Exchange.NFO)
    source.instruments_by_exchange[Exchange.NFO] = [NIFTY_JUL]  # June's contract vanishes: kept, expired
    clock.now += 86_400
    cache.instruments(Exchange.NFO)
    fallback = Built(source, tmp_path, clock)
    catalog = PersistedCatalog(tmp_path, clock, fallback)
    for symbol in ("NIFTY24JULFUT", "nifty24julfut", "NIFTY24JUNFUT", "NOPE"):
        assert catalog.lookup(Exchange.NFO, symbol) == cache.lookup(Exchange.NFO, symbol)
    assert catalog.lookup(Exchange.NFO, "NIFTY24JUNFUT").expired
    assert list(catalog.instruments(Exchange.NFO)) == list(cache.instruments(Exchange.NFO)) == [NIFTY_JUL]
    assert fallback.calls == 0 and source.fetches == 2


def test_no_file_an_older_dump_an_unreadable_file_or_a_refresh_go_to_the_cache(tmp_path):
    source, clock = CountingSource([NIFTY_JUN]), FixedClock(MORNING)
    fallback = Built(source, tmp_path, clock)
    catalog = PersistedCatalog(tmp_path, clock, fallback)
    assert catalog.lookup(Exchange.NFO, "NIFTY24JUNFUT") == NIFTY_JUN  # no file yet
    assert (fallback.calls, source.fetches) == (1, 1)
    assert catalog.lookup(Exchange.NFO, "NIFTY24JUNFUT") == NIFTY_JUN  # the file the cache wrote answers now
    assert fallback.calls == 1
    catalog.instruments(Exchange.NFO, force_refresh=True)
    assert (fallback.calls, source.fetches) == (2, 2)
    clock.now += 86_400  # a newer dump is out
    assert catalog.lookup(Exchange.NFO, "NIFTY24JUNFUT") == NIFTY_JUN
    assert (fallback.calls, source.fetches) == (3, 3)
    (tmp_path / "NFO.json").write_bytes(b"{torn")
    assert PersistedCatalog(tmp_path, clock, Built(source, tmp_path, clock)).lookup(Exchange.NFO, "NIFTY24JUNFUT")
    assert source.fetches == 4  # the cache logged it unreadable and refetched
