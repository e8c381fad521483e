"""KiteMarketData through the real kiteconnect client against the sandbox over HTTP."""

from __future__ import annotations

import time
from datetime import date

import pytest
import requests

from adapters.outbound.kite.market_data import KiteMarketData
from adapters.outbound.kite.rate_limiter import RateLimiter
from adapters.outbound.kite.retry import RetryPolicy
from domain.clock_time import day_end, day_start
from domain.errors import AuthRequired, NotConfigured, RequestTokenRefused, UpstreamFailure
from domain.instrument import Instrument
from domain.interval import Interval
from domain.market import Exchange
from tests.contracts.market_data import MarketDataContract
from tests.integration.sandbox_login import submit_login_page


def make_source(sandbox, token: str | None = "sandbox-token", **kwargs) -> KiteMarketData:
    return KiteMarketData("sandbox", "sandbox-secret", sandbox.url, f"{sandbox.url}/connect/login",
                          lambda: token, RateLimiter(3, 1.0), **kwargs)


class TestKiteMarketData(MarketDataContract):
    @pytest.fixture
    def source(self, kite_sandbox):
        return make_source(kite_sandbox)

    @pytest.fixture
    def equity_instrument(self, source) -> Instrument:
        return next(i for i in source.fetch_instruments(Exchange.NSE) if i.tradingsymbol == "RELIANCE")

    @pytest.fixture
    def future_instrument(self, source) -> Instrument:
        return next(i for i in source.fetch_instruments(Exchange.NFO) if i.instrument_type == "FUT")


def test_columns_match_the_stock_client(kite_sandbox):
    from kiteconnect import KiteConnect
    from kiteconnect.exceptions import NetworkException

    source = make_source(kite_sandbox)
    reliance = next(i for i in source.fetch_instruments(Exchange.NSE) if i.tradingsymbol == "RELIANCE")
    start, end = day_start(date(2024, 1, 1)), day_end(date(2024, 1, 31))
    ours = source.fetch_candles(reliance, Interval.MINUTE_15, start, end, False)
    client = KiteConnect("sandbox", access_token="sandbox-token", root=kite_sandbox.url)
    for _ in range(5):  # other tests share this sandbox's 3/s budget; the stock client never retries
        try:
            stock = client.historical_data(738561, "2024-01-01 00:00:00", "2024-01-31 23:59:59", "15minute")
            break
        except NetworkException:
            time.sleep(1.1)
    assert len(ours) == len(stock) > 0
    assert [int(c["date"].timestamp()) for c in stock] == ours.ts.tolist()
    assert [c["close"] for c in stock] == ours.close.tolist()
    assert [c["volume"] for c in stock] == ours.volume.tolist()


def test_instruments_parse_like_the_stock_client(kite_sandbox):
    listed = make_source(kite_sandbox).fetch_instruments(Exchange.NFO)
    assert len(listed) >= 20_000
    option = next(i for i in listed if i.instrument_type == "CE")
    assert option.expiry is not None and option.strike > 0 and option.lot_size > 0


def test_no_token_is_auth_required(kite_sandbox):
    with pytest.raises(AuthRequired):
        make_source(kite_sandbox, token=None).fetch_instruments(Exchange.NSE)


def test_wrong_token_is_auth_required_without_retry(kite_sandbox):
    before = kite_sandbox.stats()["statuses"].get("403", 0)
    with pytest.raises(AuthRequired):
        make_source(kite_sandbox, token="wrong").fetch_instruments(Exchange.NSE)
    assert kite_sandbox.stats()["statuses"].get("403", 0) == before + 1


def test_unreachable_kite_is_upstream_failure():
    source = KiteMarketData("k", "s", "http://127.0.0.1:9", "http://127.0.0.1:9/connect/login", lambda: "t",
                            RateLimiter(3, 1.0), retry=RetryPolicy(attempts=2, base_delay=0.01))
    with pytest.raises(UpstreamFailure, match="connection failed"):
        source.fetch_instruments(Exchange.NSE)


def test_login_round_trip_through_the_login_page(kite_sandbox):
    from urllib.parse import parse_qs, urlparse

    source = make_source(kite_sandbox)
    page = requests.get(source.login_url(), timeout=5)
    assert page.status_code == 200
    submitted = submit_login_page(page, follow=False, timeout=5)
    request_token = parse_qs(urlparse(submitted.headers["Location"]).query)["request_token"][0]
    session = source.create_session(request_token)
    assert session.access_token and session.user_id
    assert source.profile(session.access_token)["user_id"] == session.user_id
    source.invalidate_session(session.access_token)
    with pytest.raises(AuthRequired):
        source.profile(session.access_token)
    with pytest.raises(RequestTokenRefused, match="expired or already used"):
        source.create_session(request_token)  # single use


def test_a_wrong_api_secret_is_a_configuration_error_not_a_token_one(kite_sandbox):
    source = KiteMarketData("sandbox", "not-the-secret", kite_sandbox.url, f"{kite_sandbox.url}/connect/login",
                            lambda: None, RateLimiter(3, 1.0))
    with pytest.raises(NotConfigured, match=r"Kite refused the login \(Invalid checksum.\): check that KITE_API_KEY"):
        source.create_session("any-request-token")


def test_kite_messages_lose_their_backticks(kite_sandbox):
    with pytest.raises(AuthRequired) as refused:
        make_source(kite_sandbox, token="wrong").profile("wrong")
    assert refused.value.message == "Kite rejected the access token (Incorrect api_key or access_token.): log in again"


def test_a_bug_of_ours_is_not_reported_as_a_kite_failure(kite_sandbox, mocker):
    """Only the client's and the transport's exceptions become UpstreamFailure (a 502 'Kite failed'); a fault in
    our own parser must surface as itself, so the API answers 500 with a request id instead of blaming Zerodha."""
    source = make_source(kite_sandbox)
    reliance = next(i for i in source.fetch_instruments(Exchange.NSE) if i.tradingsymbol == "RELIANCE")
    mocker.patch("adapters.outbound.kite.client.parse_candles", side_effect=KeyError("parser bug"))
    with pytest.raises(KeyError, match="parser bug"):
        source.fetch_candles(reliance, Interval.DAY, day_start(date(2024, 1, 1)), day_end(date(2024, 1, 31)), False)
