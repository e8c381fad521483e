"""Which contracts a rule means on a day: the nearest expiries, the strikes around the money, the live futures."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidInput
from domain.market import Exchange
from domain.option_chain import InstrumentRef, contracts_of, price_source, select_futures, select_options
from tests.fakes.market import future, option

E1, E2, E3 = date(2024, 6, 18), date(2024, 6, 25), date(2024, 7, 30)


def chain(expiry: date, strikes, underlying: str = "NIFTY", expired: bool = False) -> list:
    out = []
    for n, strike in enumerate(strikes):
        for kind in ("PE", "CE"):  # listed PE first: the selection orders CE before PE itself
            out.append(option(underlying, expiry, strike, kind, 1000 + n * 2 + (kind == "PE"), expired=expired))
    return out


def picked(selected) -> list[tuple]:
    return [(i.expiry, i.strike, i.instrument_type) for i in selected]


def test_the_strike_nearest_the_close_and_n_listed_strikes_each_side_ce_then_pe():
    contracts = chain(E1, range(19000, 21001, 100))
    chosen = select_options(contracts, 20040.0, expiries=1, strikes=2)
    assert picked(chosen) == [(E1, s, t) for s in (19800, 19900, 20000, 20100, 20200) for t in ("CE", "PE")]


def test_equally_near_strikes_choose_the_lower_and_zero_strikes_is_the_money_alone():
    contracts = chain(E1, range(19000, 21001, 100))
    assert picked(select_options(contracts, 20050.0, 1, 0)) == [(E1, 20000, "CE"), (E1, 20000, "PE")]


def test_fewer_strikes_where_fewer_are_listed():
    contracts = chain(E1, range(19000, 19501, 100))  # 19000..19500
    chosen = select_options(contracts, 19080.0, 1, 3)  # ATM 19100: one strike below it, three above
    assert sorted({i.strike for i in chosen}) == [19000, 19100, 19200, 19300, 19400]
    far = select_options(contracts, 50_000.0, 1, 10)  # far above every strike: the top one and all below it
    assert sorted({i.strike for i in far}) == [19000, 19100, 19200, 19300, 19400, 19500]


def test_the_nearest_k_expiries_each_with_its_own_listed_strikes():
    contracts = chain(E3, range(18000, 22001, 500)) + chain(E1, range(19500, 20501, 100)) + chain(
        E2, range(19000, 21001, 50))
    chosen = select_options(contracts, 20010.0, expiries=2, strikes=1)
    assert picked(chosen) == ([(E1, s, t) for s in (19900, 20000, 20100) for t in ("CE", "PE")]
                              + [(E2, s, t) for s in (19950, 20000, 20050) for t in ("CE", "PE")])
    assert {i.expiry for i in select_options(contracts, 20010.0, expiries=6, strikes=1)} == {E1, E2, E3}


def test_a_strike_listed_for_one_side_only_is_taken_where_listed():
    contracts = [i for i in chain(E1, (19900, 20000, 20100)) if not (i.strike == 20100 and i.instrument_type == "PE")]
    assert picked(select_options(contracts, 20000.0, 1, 1))[-1] == (E1, 20100, "CE")


def test_live_contracts_are_the_underlyings_listed_and_not_expired_ones():
    today = date(2024, 6, 19)
    listed = (chain(E1, [20000]) + chain(E2, [20000]) + chain(E3, [20000], expired=True)
              + chain(E2, [500], underlying="NIFTYNXT50") + [future("NIFTY24JUNFUT", 7, E2)])
    live = contracts_of(listed, "nifty", ("CE", "PE"), today)  # E1 is yesterday's: a stale dump still lists it
    assert {(i.name, i.expiry) for i in live} == {("NIFTY", E2)}
    assert [i.tradingsymbol for i in contracts_of(listed, "NIFTY", ("FUT",), today)] == ["NIFTY24JUNFUT"]


def test_futures_nearest_expiry_first():
    futures = [future("NIFTY24AUGFUT", 3, date(2024, 8, 29)), future("NIFTY24JUNFUT", 1, E2),
               future("NIFTY24JULFUT", 2, E3)]
    assert [i.tradingsymbol for i in select_futures(futures)] == ["NIFTY24JUNFUT", "NIFTY24JULFUT", "NIFTY24AUGFUT"]


@pytest.mark.parametrize(("exchange", "underlying", "source"), [
    (Exchange.NFO, "NIFTY", "NSE:NIFTY 50"), (Exchange.NFO, "BANKNIFTY", "NSE:NIFTY BANK"),
    (Exchange.NFO, "FINNIFTY", "NSE:NIFTY FIN SERVICE"), (Exchange.NFO, "MIDCPNIFTY", "NSE:NIFTY MID SELECT"),
    (Exchange.BFO, "SENSEX", "BSE:SENSEX"), (Exchange.BFO, "BANKEX", "BSE:BANKEX"),
    (Exchange.NFO, "RELIANCE", "NSE:RELIANCE"), (Exchange.BFO, "RELIANCE", "BSE:RELIANCE"),
    (Exchange.NFO, "M&M", "NSE:M&M"), (Exchange.NFO, "nifty", "NSE:NIFTY 50"),
])
def test_the_price_of_an_index_derivative_is_its_index_and_of_a_stock_derivative_the_stock(exchange, underlying,
                                                                                             source):
    assert str(price_source(exchange, underlying)) == source


def test_an_instrument_is_named_exchange_colon_symbol():
    assert InstrumentRef.parse("nse:NIFTY 50") == InstrumentRef(Exchange.NSE, "NIFTY 50")
    assert InstrumentRef.parse("BSE: SENSEX ") == InstrumentRef(Exchange.BSE, "SENSEX")
    for bad in ("NIFTY 50", "XNSE:NIFTY", "NSE:", "NSE:\x00"):
        with pytest.raises(InvalidInput):
            InstrumentRef.parse(bad)
    with pytest.raises(InvalidInput):
        price_source(Exchange.NSE, "NIFTY")
