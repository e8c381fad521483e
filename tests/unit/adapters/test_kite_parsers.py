"""Our columnar parsers agree with the stock kiteconnect client on Zerodha's published sample responses."""

from __future__ import annotations

import json

import numpy as np
import pytest
from kiteconnect import KiteConnect

from adapters.outbound.kite.candle_parser import parse_candles, parse_timestamps
from adapters.outbound.kite.instruments_csv import parse_instruments
from domain.errors import UpstreamFailure
from tests.fixtures import KITE_MOCKS

STOCK = KiteConnect("mock")


@pytest.mark.parametrize(("name", "with_oi"), [("historical_minute.json", False), ("historical_oi.json", True)])
def test_candles_match_the_stock_client(name, with_oi):
    data = json.loads((KITE_MOCKS / name).read_text())["data"]
    ours = parse_candles(data["candles"], with_oi=with_oi)
    stock = STOCK._format_historical(data)
    assert ours.ts.tolist() == [int(c["date"].timestamp()) for c in stock]
    for column in ("open", "high", "low", "close", "volume"):
        assert getattr(ours, column).tolist() == [c[column] for c in stock]
    if with_oi:
        assert ours.oi.tolist() == [c["oi"] for c in stock]
    else:
        assert ours.oi is None


def test_missing_oi_column_becomes_zeros_when_asked():
    data = json.loads((KITE_MOCKS / "historical_minute.json").read_text())["data"]
    assert parse_candles(data["candles"], with_oi=True).oi.tolist() == [0] * 6


def test_timestamps_in_other_shapes():
    assert parse_timestamps(["2017-12-15T09:15:00+0530", "2017-12-15T03:45:00+0000"]).tolist() == [1513309500] * 2
    assert parse_timestamps(["2017-12-15T09:15:00+05:30", "2017-12-15 09:15:00"]).tolist() == [1513309500] * 2
    assert parse_timestamps(["2017-12-15"]).tolist() == [1513276200]


@pytest.mark.parametrize("rows", [[["2017-12-15T09:15:00+0530", 1, 2]], [["x", 1, 2, 3, 4, 5]],
                                  [["2017-12-15T09:15:00+0530", "a", 2, 3, 4, 5]]])
def test_malformed_candles_are_an_upstream_failure(rows):
    with pytest.raises(UpstreamFailure):
        parse_candles(rows, with_oi=False)


@pytest.mark.parametrize("name", ["instruments_all.csv", "instruments_nse.csv"])
def test_instruments_match_the_stock_client(name):
    body = (KITE_MOCKS / name).read_bytes()
    ours = parse_instruments(body)
    stock = STOCK._parse_instruments(body)
    assert len(ours) == len(stock) == 99
    for mine, theirs in zip(ours, stock, strict=True):
        assert mine.instrument_token == theirs["instrument_token"]
        assert mine.exchange_token == int(theirs["exchange_token"])
        assert mine.tradingsymbol == theirs["tradingsymbol"] and mine.name == theirs["name"]
        assert (mine.last_price, mine.strike, mine.tick_size) == (
            theirs["last_price"], theirs["strike"], theirs["tick_size"])
        assert mine.lot_size == theirs["lot_size"]
        assert mine.expiry == (theirs["expiry"] or None)
        assert (mine.instrument_type, mine.segment, mine.exchange) == (
            theirs["instrument_type"], theirs["segment"], theirs["exchange"])
    assert name != "instruments_all.csv" or any(i.tradingsymbol == "COX&KINGS" for i in ours)


def test_garbage_dump_is_an_upstream_failure():
    with pytest.raises(UpstreamFailure):
        parse_instruments(b"not,a,dump\n1,2,3\n")
    assert parse_instruments(b"") == []
    listed = parse_instruments((KITE_MOCKS / "instruments_all.csv").read_bytes())
    assert np.isfinite([i.last_price for i in listed]).all()
