"""Small wire rules: price rendering, rate windows, token lifetimes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import orjson
import pytest

from kite_sandbox.bad_data import CandleArrays
from kite_sandbox.errors import KiteError
from kite_sandbox.rate_limit import RateLimiter
from kite_sandbox.render import candles_body
from kite_sandbox.tokens import TokenStore, checksum, next_six_am
from kite_sandbox.trading_calendar import IST


def test_integral_prices_render_without_decimal_point() -> None:
    a = lambda *v: np.array(v, dtype=np.int64)  # noqa: E731
    ts = a(dt.date(2017, 12, 15).toordinal() * 86400 + 9 * 3600 + 15 * 60)
    body = candles_body(CandleArrays(ts, a(34090), a(34100), a(33985), a(34056), a(2499), a(0)), False)
    expected = b'[["2017-12-15T09:15:00+0530",1704.5,1705,1699.25,1702.8,2499]]'
    assert body == b'{"status":"success","data":{"candles":' + expected + b"}}"
    assert orjson.loads(body)["data"]["candles"][0][2] == 1705


def test_sliding_window_counts_only_admitted() -> None:
    limiter = RateLimiter(3)
    assert [limiter.admit("k") for _ in range(5)] == [True, True, True, False, False]
    assert limiter.admit("other") and limiter.max_admitted_per_second == 3


def test_tokens_expire_at_six_next_morning_and_are_single_use() -> None:
    assert next_six_am(dt.datetime(2026, 11, 23, 23, 59, tzinfo=IST)) == dt.datetime(2026, 11, 24, 6, tzinfo=IST)
    store = TokenStore("k", "s", "fixed", 300.0)
    request_token = store.issue_request_token()
    access, _ = store.exchange("k", request_token, checksum("k", request_token, "s"))
    store.check("k", access)
    with pytest.raises(KiteError):
        store.exchange("k", request_token, checksum("k", request_token, "s"))
    store.expire_all()
    with pytest.raises(KiteError, match="expired"):
        store.check("k", "fixed")
    store.reset()
    store.check("k", "fixed")
