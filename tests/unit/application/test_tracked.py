"""Tracked series and rules: the model's own checks, adding and removing them, and what a rule resolves to on a day."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from application.list_tracked import ListTracked
from application.resolve_tracked import PRICE_LOOKBACK_DAYS, ResolveTracked
from application.track_rule import TrackRule, TrackRuleRequest
from application.track_series import TrackSeries, TrackSeriesRequest
from application.tracked import RuleKind, TrackedList, TrackedRule, TrackedSeries
from application.untrack import Untrack
from domain.clock_time import IST, from_datetime, ist_date
from domain.errors import AuthRequired, Conflict, InvalidInput, NotFound, UpstreamFailure
from domain.interval import Interval
from domain.market import Exchange
from domain.option_chain import InstrumentRef
from tests.fakes.market import FakeCatalog, FakeMarketData, FixedClock, equity, future, index, option
from tests.fakes.tracked import MemoryTracked

DAY, MINUTE = Interval.DAY, Interval.MINUTE
NOW = from_datetime(datetime(2024, 6, 14, 18, 0, tzinfo=IST))  # Friday 2024-06-14, after the close
E1, E2, E3 = date(2024, 6, 18), date(2024, 6, 25), date(2024, 7, 30)
NIFTY_50 = index("NIFTY 50", 256265)
SENSEX = index("SENSEX", 265, exchange="BSE")


def chain(underlying: str, expiry: date, strikes, exchange: str = "NFO", first_token: int = 10_000) -> list:
    return [option(underlying, expiry, s, kind, first_token + n * 2 + (kind == "PE"), exchange)
            for n, s in enumerate(strikes) for kind in ("CE", "PE")]


LISTED = [
    equity("TCS", 2953217), equity("RELIANCE", 738561), equity("NOFNO", 4242 * 256 + 1), NIFTY_50, SENSEX,
    equity("RELIANCE", 500325 * 256 + 4, exchange="BSE"),
    future("NIFTY24JUNFUT", 1000 * 256 + 2, E2), future("NIFTY24JULFUT", 1001 * 256 + 2, E3),
    future("NIFTY24MAYFUT", 999 * 256 + 2, date(2024, 5, 30), expired=True),
    future("ONLYFUT24JUNFUT", 1002 * 256 + 2, E2, name="ONLYFUT"),
    *chain("NIFTY", E1, range(19000, 21001, 100), first_token=20_000),
    *chain("NIFTY", E2, range(19000, 21001, 50), first_token=30_000),
    *chain("NIFTY", E3, range(18000, 22001, 500), first_token=40_000),
    *chain("RELIANCE", E2, range(2800, 3201, 20), first_token=50_000),
    *chain("SENSEX", E1, range(70000, 80001, 100), exchange="BFO", first_token=60_000),
]


@pytest.fixture
def repo():
    return MemoryTracked()


@pytest.fixture
def catalog():
    return FakeCatalog(LISTED)


@pytest.fixture
def market():
    source = FakeMarketData(LISTED)
    source.closes.update({NIFTY_50.instrument_token: 20040.0, SENSEX.instrument_token: 75_049.0,
                          738561: 3011.0, 2953217: 20_460.0})
    return source


@pytest.fixture
def clock():
    return FixedClock(NOW)


def options(underlying: str = "NIFTY", expiries: int = 2, strikes: int = 2, exchange: Exchange = Exchange.NFO,
            intervals=(MINUTE,), **kwargs) -> TrackRuleRequest:
    return TrackRuleRequest(RuleKind.OPTIONS, exchange, underlying, tuple(intervals), expiries, strikes, **kwargs)


def futures(underlying: str = "NIFTY", intervals=(DAY,)) -> TrackRuleRequest:
    return TrackRuleRequest(RuleKind.FUTURES, Exchange.NFO, underlying, tuple(intervals))


def symbol(name: str = "TCS", intervals=(DAY, MINUTE), exchange: Exchange = Exchange.NSE) -> TrackSeriesRequest:
    return TrackSeriesRequest(exchange, name, tuple(intervals), date(2015, 1, 1))


# -- the model -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kwargs", "message"), [
    ({"expiries": 0}, "expiries: must be 1 to 6, not 0"), ({"expiries": 7}, "expiries: must be 1 to 6, not 7"),
    ({"strikes": -1}, "strikes: must be 0 to 50, not -1"), ({"strikes": 51}, "strikes: must be 0 to 50, not 51"),
    ({"intervals": ()}, "intervals: name at least one interval"),
    ({"intervals": (DAY, MINUTE, DAY)}, "intervals: day named twice"),
    ({"exchange": Exchange.NSE}, "exchange: a options rule is for NFO or BFO, not NSE"),
    ({"underlying_symbol": InstrumentRef(Exchange.NFO, "NIFTY24JUNFUT")},
     "underlying_symbol: NFO:NIFTY24JUNFUT is not on NSE or BSE"),
])
def test_an_options_rule_checks_itself(kwargs, message):
    fields = {"id": "a", "kind": RuleKind.OPTIONS, "exchange": Exchange.NFO, "underlying": "NIFTY",
              "intervals": (MINUTE,), "expiries": 2, "strikes": 10, **kwargs}
    with pytest.raises(InvalidInput, match=f"^{message}$"):
        TrackedRule(**fields)


def test_a_futures_rule_takes_no_option_fields_and_a_series_needs_intervals():
    with pytest.raises(InvalidInput, match="takes no expiries, strikes or underlying_symbol"):
        TrackedRule("a", RuleKind.FUTURES, Exchange.NFO, "NIFTY", (DAY,), strikes=3)
    with pytest.raises(InvalidInput, match="intervals"):
        TrackedSeries("a", Exchange.NSE, "TCS", (), date(2015, 1, 1))
    assert TrackedRule("a", RuleKind.FUTURES, Exchange.NFO, " nifty ", (DAY,)).underlying == "NIFTY"


def test_the_list_refuses_a_series_tracked_twice_naming_the_entry_that_has_it():
    tcs = TrackedSeries("t1", Exchange.NSE, "TCS", (DAY, MINUTE), date(2015, 1, 1))
    rule = TrackedRule("r1", RuleKind.OPTIONS, Exchange.NFO, "NIFTY", (MINUTE,), 2, 10)
    tracked = TrackedList().add(tcs).add(rule)
    with pytest.raises(Conflict, match=r"^NSE:TCS at minute is already tracked \(id t1\)$"):
        tracked.add(TrackedSeries("t2", Exchange.NSE, "TCS", (Interval.MINUTE_5, MINUTE), date(2020, 1, 1)))
    with pytest.raises(Conflict, match=r"^the options rule for NFO NIFTY at minute is already tracked \(id r1\)$"):
        tracked.add(TrackedRule("r2", RuleKind.OPTIONS, Exchange.NFO, "NIFTY", (DAY, MINUTE), 1, 0))
    more = (tracked.add(TrackedSeries("t3", Exchange.BSE, "TCS", (DAY,), date(2015, 1, 1)))  # another exchange
            .add(TrackedSeries("t4", Exchange.NSE, "TCS", (Interval.MINUTE_5,), date(2015, 1, 1)))  # another interval
            .add(TrackedRule("r3", RuleKind.FUTURES, Exchange.NFO, "NIFTY", (MINUTE,)))  # another kind
            .add(TrackedRule("r4", RuleKind.OPTIONS, Exchange.NFO, "NIFTY", (DAY,), 1, 1)))
    assert [e.id for e in more.entries] == ["t1", "r1", "t3", "t4", "r3", "r4"]
    assert [e.id for e in more.without("t3").entries] == ["t1", "r1", "t4", "r3", "r4"]
    with pytest.raises(NotFound):
        more.without("nope")


# -- adding, listing, removing -----------------------------------------------------------------------------------

def test_a_symbol_is_tracked_in_kites_spelling(repo, catalog, clock):
    entry = TrackSeries(repo, catalog, clock).execute(symbol("tcs"))
    assert (entry.exchange, entry.symbol, entry.intervals, entry.from_date, entry.created_at) == (
        Exchange.NSE, "TCS", (DAY, MINUTE), date(2015, 1, 1), NOW)
    assert repo.tracked.entries == (entry,) and len(entry.id) == 12


def test_an_unknown_symbol_an_expired_contract_and_a_second_time_are_refused(repo, catalog, clock):
    use_case = TrackSeries(repo, catalog, clock)
    with pytest.raises(NotFound, match="Symbol 'NOPE' not found on NSE"):
        use_case.execute(symbol("NOPE"))
    with pytest.raises(InvalidInput, match="NFO:NIFTY24MAYFUT expired on 2024-05-30"):
        use_case.execute(symbol("NIFTY24MAYFUT", exchange=Exchange.NFO))
    assert use_case.execute(symbol("NIFTY24JUNFUT", exchange=Exchange.NFO)).symbol == "NIFTY24JUNFUT"
    use_case.execute(symbol("TCS", intervals=(DAY,)))
    with pytest.raises(Conflict):
        use_case.execute(symbol("TCS", intervals=(MINUTE, DAY)))
    assert len(repo.tracked.entries) == 2


def test_a_rule_is_checked_against_todays_dump(repo, catalog, clock):
    use_case = TrackRule(repo, catalog, clock)
    rule = use_case.execute(options(underlying_symbol=None))
    assert (rule.kind, rule.underlying, rule.expiries, rule.strikes, rule.from_date) == (
        RuleKind.OPTIONS, "NIFTY", 2, 2, None)
    assert str(rule.price_symbol) == "NSE:NIFTY 50"
    assert use_case.execute(futures()).kind is RuleKind.FUTURES
    with pytest.raises(NotFound, match="Underlying 'NOPE' is not listed"):
        use_case.execute(options("NOPE"))
    with pytest.raises(InvalidInput, match="^The options rule for NFO NOFNO resolves to no live contract: NOFNO has "
                                           "no live option on NFO$"):
        use_case.execute(options("NOFNO"))  # a listed stock without derivatives
    with pytest.raises(InvalidInput, match="ONLYFUT has no live option on NFO"):
        use_case.execute(options("ONLYFUT"))
    with pytest.raises(NotFound, match="comes from NSE:NOPE, which is not listed"):
        use_case.execute(options("RELIANCE", underlying_symbol=InstrumentRef(Exchange.NSE, "NOPE")))
    with pytest.raises(Conflict):
        use_case.execute(options(expiries=1, strikes=0))
    assert len(repo.tracked.entries) == 2


def test_listing_pages_and_untracking(repo, catalog, clock):
    track = TrackSeries(repo, catalog, clock)
    entries = [track.execute(symbol(s, intervals=(i,))) for s in ("TCS", "RELIANCE") for i in (DAY, MINUTE)]
    page = ListTracked(repo).execute(page=2, per_page=3)
    assert (page.entries, page.total, page.pages) == ((entries[3],), 4, 2)
    assert ListTracked(repo).execute().entries == tuple(entries)
    assert ListTracked(repo).execute(page=9, per_page=3).entries == ()
    assert Untrack(repo).execute(entries[1].id) == entries[1]
    assert ListTracked(repo).execute().entries == (entries[0], entries[2], entries[3])
    with pytest.raises(NotFound):
        Untrack(repo).execute(entries[1].id)


# -- resolving -----------------------------------------------------------------------------------------------

def resolve(repo, catalog, market, clock, *requests):
    for request in requests:
        (TrackSeries if isinstance(request, TrackSeriesRequest) else TrackRule)(repo, catalog, clock).execute(request)
    return ResolveTracked(repo, catalog, market, clock).execute()


def test_an_options_rule_is_the_nearest_expiries_around_the_indexs_last_close(repo, catalog, market, clock):
    (resolution,) = resolve(repo, catalog, market, clock, options(expiries=2, strikes=2))
    assert resolution.error is None
    assert (str(resolution.underlying.symbol), resolution.underlying.close, resolution.underlying.day) == (
        "NSE:NIFTY 50", 20040.0, date(2024, 6, 14))
    chosen = [(i.expiry, i.strike, i.instrument_type) for i in resolution.contracts]
    assert chosen == ([(E1, s, t) for s in (19800, 19900, 20000, 20100, 20200) for t in ("CE", "PE")]
                      + [(E2, s, t) for s in (19950, 20000, 20050, 20100, 20150) for t in ("CE", "PE")])
    ((token, interval, start, end, with_oi),) = market.calls  # one day request for the last PRICE_LOOKBACK_DAYS
    assert (token, interval, end, with_oi) == (NIFTY_50.instrument_token, DAY, NOW, False)
    assert (ist_date(end) - ist_date(start)).days == PRICE_LOOKBACK_DAYS
    series = resolution.series()
    assert len(series) == 20 and {s.key.interval for s in series} == {MINUTE}
    assert {(s.from_date, s.until) for s in series} == {(None, E1), (None, E2)}
    assert str(series[0].key) == f"NFO:{resolution.contracts[0].tradingsymbol}:minute"


def test_an_explicit_underlying_symbol_a_stock_and_a_bse_index_set_the_money(repo, catalog, market, clock):
    explicit, stock, sensex = resolve(
        repo, catalog, market, clock,
        options(expiries=1, strikes=0, underlying_symbol=InstrumentRef(Exchange.NSE, "TCS")),  # 20460 -> 20500
        options("RELIANCE", expiries=3, strikes=1),  # NSE:RELIANCE 3011 -> 3020, one expiry listed
        options("SENSEX", 1, 1, Exchange.BFO))  # BSE:SENSEX 75049 -> 75000
    assert [(i.strike, i.instrument_type) for i in explicit.contracts] == [(20500, "CE"), (20500, "PE")]
    assert str(explicit.underlying.symbol) == "NSE:TCS"
    assert sorted({i.strike for i in stock.contracts}) == [3000, 3020, 3040]
    assert {i.expiry for i in stock.contracts} == {E2}
    assert sorted({i.strike for i in sensex.contracts}) == [74900, 75000, 75100]
    assert {i.exchange for i in sensex.contracts} == {"BFO"} and str(sensex.underlying.symbol) == "BSE:SENSEX"


def test_a_price_is_asked_once_per_call_whatever_the_rules_that_need_it(repo, catalog, market, clock):
    resolutions = resolve(repo, catalog, market, clock, options(intervals=(MINUTE,)), options(intervals=(DAY,)))
    assert [len(r.contracts) for r in resolutions] == [20, 20] and len(market.calls) == 1


def test_futures_and_a_symbol_resolve_without_asking_kite(repo, catalog, market, clock):
    fut, tcs = resolve(repo, catalog, market, clock, futures(), symbol())
    assert [i.tradingsymbol for i in fut.contracts] == ["NIFTY24JUNFUT", "NIFTY24JULFUT"]  # not May's, expired
    assert [(str(s.key), s.until) for s in fut.series()] == [("NFO:NIFTY24JUNFUT:day", E2),
                                                             ("NFO:NIFTY24JULFUT:day", E3)]
    assert [(str(s.key), s.from_date, s.until) for s in tcs.series()] == [
        ("NSE:TCS:day", date(2015, 1, 1), None), ("NSE:TCS:minute", date(2015, 1, 1), None)]
    assert market.calls == []


def test_a_later_day_resolves_to_later_contracts(repo, catalog, market, clock):
    """The dump kept from the 14th still lists E1's options on the 19th: past their expiry, they are not live."""
    resolve(repo, catalog, market, clock, options(expiries=2, strikes=0))
    clock.now = from_datetime(datetime(2024, 6, 19, 10, 0, tzinfo=IST))
    market.closes[NIFTY_50.instrument_token] = 18_700.0
    (later,) = ResolveTracked(repo, catalog, market, clock).execute()
    assert [(i.expiry, i.strike) for i in later.contracts] == [(E2, 19000)] * 2 + [(E3, 18500)] * 2


def test_an_entry_that_cannot_be_resolved_fails_alone_but_a_rejected_token_stops_all(repo, catalog, market, clock):
    resolve(repo, catalog, market, clock, options(), futures(), symbol())
    catalog.items = [i for i in catalog.items if not (i.name == "NIFTY" and i.instrument_type == "FUT")]
    rule, fut, tcs = ResolveTracked(repo, catalog, market, clock).execute()
    assert isinstance(fut.error, InvalidInput) and fut.contracts == () and fut.series() == ()
    assert fut.error.message == ("The futures rule for NFO NIFTY resolves to no live contract: NIFTY has no live "
                                 "future on NFO")
    assert rule.error is None and tcs.error is None
    market.closes[NIFTY_50.instrument_token] = 20040.0
    market.fail_with = UpstreamFailure("Kite is down")
    assert isinstance(ResolveTracked(repo, catalog, market, clock).execute()[0].error, UpstreamFailure)
    market.fail_with = AuthRequired("expired")
    with pytest.raises(AuthRequired):
        ResolveTracked(repo, catalog, market, clock).execute()


def test_no_day_candle_in_the_window_is_said(repo, catalog, market, clock):
    clock.now = from_datetime(datetime(2024, 6, 16, 12, 0, tzinfo=IST))
    TrackRule(repo, catalog, clock).execute(options())
    market.fail_with = None
    market.closes.clear()

    class Silent(FakeMarketData):
        def fetch_candles(self, *args, **kwargs):
            return super().fetch_candles(*args, **kwargs).between(0, 0)

    (resolution,) = ResolveTracked(repo, catalog, Silent(LISTED), clock).execute()
    assert isinstance(resolution.error, UpstreamFailure)
    assert resolution.error.message.startswith("Kite served no day candle of NSE:NIFTY 50 in the last 14 days")


def test_only_some_ids_and_an_unknown_one(repo, catalog, market, clock):
    resolve(repo, catalog, market, clock, futures(), symbol())
    ids = [e.id for e in repo.tracked.entries]
    assert [r.entry.id for r in ResolveTracked(repo, catalog, market, clock).execute([ids[1]])] == [ids[1]]
    with pytest.raises(NotFound):
        ResolveTracked(repo, catalog, market, clock).execute(["nope"])
