"""The official kiteconnect client against the sandbox over real HTTP: login, data, and every error."""

from __future__ import annotations

import datetime

import pytest
import requests
from kiteconnect import KiteConnect
from kiteconnect import exceptions as kex

from kite_sandbox import RunningSandbox
from kite_sandbox.stats import token_fingerprint

from .conftest import RELIANCE, login_request_token


def test_login_flow_generate_session_and_profile(sandbox: RunningSandbox) -> None:
    kite = KiteConnect(sandbox.config.api_key, root=sandbox.url)
    session = kite.generate_session(login_request_token(sandbox), sandbox.config.api_secret)
    assert session["access_token"] and session["access_token"] != sandbox.config.access_token
    assert isinstance(session["login_time"], datetime.datetime)
    assert session["api_key"] == sandbox.config.api_key and session["refresh_token"] == ""
    assert kite.profile()["user_id"] == session["user_id"]


def test_login_page_rejects_unknown_api_key(sandbox: RunningSandbox) -> None:
    page = requests.get(f"{sandbox.url}/connect/login", params={"api_key": "nope", "v": "3"}, timeout=5)
    assert page.status_code == 400 and page.headers["Content-Type"].startswith("text/html")


def test_bad_checksum_and_reused_request_token_are_token_errors(sandbox: RunningSandbox) -> None:
    kite = KiteConnect(sandbox.config.api_key, root=sandbox.url)
    token = login_request_token(sandbox)
    with pytest.raises(kex.TokenException) as bad:
        kite.generate_session(token, "wrong-secret")
    assert bad.value.code == 403
    kite.generate_session(token, sandbox.config.api_secret)
    with pytest.raises(kex.TokenException) as reused:
        kite.generate_session(token, sandbox.config.api_secret)
    assert reused.value.code == 403


def test_instruments_all_and_nfo(kite: KiteConnect) -> None:
    everything = kite.instruments()
    nfo = kite.instruments("NFO")
    assert len(nfo) >= 20000 and {r["exchange"] for r in nfo} == {"NFO"}
    symbols = {(r["exchange"], r["tradingsymbol"]): r for r in everything}
    for key in [("NSE", "NIFTY 50"), ("NSE", "NIFTY BANK"), ("BSE", "SENSEX"), ("NSE", "M&M"), ("NSE", "RELIANCE")]:
        assert key in symbols
    assert symbols[("NSE", "NIFTY 50")]["instrument_token"] == 256265
    assert symbols[("NSE", "RELIANCE")]["instrument_token"] == RELIANCE
    assert symbols[("BSE", "SENSEX")]["segment"] == "INDICES"
    assert {"NFO-FUT", "NFO-OPT", "BFO-FUT", "BFO-OPT", "INDICES", "NSE", "BSE"} <= {r["segment"] for r in everything}
    nifty_fut = [r for r in nfo if r["name"] == "NIFTY" and r["instrument_type"] == "FUT"]
    assert len(nifty_fut) == 3 and all(r["lot_size"] == 75 for r in nifty_fut)
    assert all(r["expiry"].weekday() in (0, 1) for r in nfo)  # Tuesday, or Monday before a holiday


def test_historical_with_and_without_oi(kite: KiteConnect) -> None:
    start, end = datetime.datetime(2026, 11, 2, 9, 15), datetime.datetime(2026, 11, 2, 15, 29)
    plain = kite.historical_data(RELIANCE, start, end, "minute")
    with_oi = kite.historical_data(RELIANCE, start, end, "minute", oi=True)
    assert len(plain) == 375
    assert set(plain[0]) == {"date", "open", "high", "low", "close", "volume"}
    assert set(with_oi[0]) == {"date", "open", "high", "low", "close", "volume", "oi"}
    assert plain[0]["date"] == datetime.datetime(2026, 11, 2, 9, 15, tzinfo=plain[0]["date"].tzinfo)
    assert plain[0]["date"].utcoffset() == datetime.timedelta(hours=5, minutes=30)


def test_invalidate_access_token(sandbox: RunningSandbox) -> None:
    kite = KiteConnect(sandbox.config.api_key, root=sandbox.url)
    kite.generate_session(login_request_token(sandbox), sandbox.config.api_secret)
    assert kite.invalidate_access_token() is True
    with pytest.raises(kex.TokenException) as exc:
        kite.profile()
    assert exc.value.code == 403


def test_wrong_token_is_token_exception(sandbox: RunningSandbox) -> None:
    kite = KiteConnect(sandbox.config.api_key, access_token="not-a-token", root=sandbox.url)
    with pytest.raises(kex.TokenException) as exc:
        kite.historical_data(RELIANCE, "2026-11-02", "2026-11-03", "day")
    assert exc.value.code == 403


def test_span_too_long_is_input_exception_with_exact_message(kite: KiteConnect) -> None:
    with pytest.raises(kex.InputException) as exc:
        kite.historical_data(RELIANCE, "2026-01-01", "2026-03-02", "minute")  # 61 days inclusive
    assert exc.value.code == 400 and str(exc.value) == "interval exceeds max limit: 60 days"
    assert kite.historical_data(RELIANCE, "2026-01-01", "2026-03-01", "minute")  # 60 days is fine


def test_bad_interval_and_bad_dates_are_input_exceptions(kite: KiteConnect) -> None:
    for args in [("2026-11-02", "2026-11-03", "7minute"), ("02-11-2026", "2026-11-03", "day"),
                 ("2026-11-05", "2026-11-03", "day")]:
        with pytest.raises(kex.InputException) as exc:
            kite.historical_data(RELIANCE, *args)
        assert exc.value.code == 400
    with pytest.raises(kex.InputException):
        kite.historical_data(999999999, "2026-11-02", "2026-11-03", "day")


def test_unknown_route_is_404_and_wrong_method_405(kite: KiteConnect, sandbox: RunningSandbox) -> None:
    kite._routes = {**kite._routes, "sandbox.missing": "/no/such/route"}
    with pytest.raises(kex.GeneralException) as exc:
        kite._get("sandbox.missing")
    assert exc.value.code == 404
    wrong = requests.post(f"{sandbox.url}/user/profile", timeout=5)
    assert wrong.status_code == 405 and wrong.json()["status"] == "error"
    assert wrong.headers["Content-Type"] == "application/json"


def test_forced_expiry_then_reset(sandbox: RunningSandbox, kite: KiteConnect) -> None:
    requests.post(f"{sandbox.url}/__sandbox/expire-tokens", timeout=5).raise_for_status()
    try:
        with pytest.raises(kex.TokenException) as exc:
            kite.profile()
        assert exc.value.code == 403 and str(exc.value) == "Token is invalid or has expired."
        fresh = KiteConnect(sandbox.config.api_key, root=sandbox.url)
        fresh.generate_session(login_request_token(sandbox), sandbox.config.api_secret)
        assert fresh.profile()  # new logins still work
    finally:
        requests.post(f"{sandbox.url}/__sandbox/reset", timeout=5).raise_for_status()
    assert kite.profile()


def test_instruments_gzip_and_plain_are_the_same_csv(sandbox: RunningSandbox) -> None:
    zipped = requests.get(f"{sandbox.url}/instruments/NSE", timeout=10)
    plain = requests.get(f"{sandbox.url}/instruments/NSE", headers={"Accept-Encoding": "identity"}, timeout=10)
    assert zipped.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert zipped.content == plain.content and plain.headers["Content-Type"] == "text/csv"
    empty = requests.get(f"{sandbox.url}/instruments/MCX", timeout=10)
    assert empty.text.strip().count("\n") == 0 and empty.text.startswith("instrument_token,")


def test_continuous_futures_day_only(kite: KiteConnect) -> None:
    fut = next(r for r in kite.instruments("NFO") if r["tradingsymbol"] == "NIFTY26DECFUT")
    rows = kite.historical_data(fut["instrument_token"], "2024-01-01", "2026-11-24", "day", continuous=True, oi=True)
    assert len(rows) > 700 and all(r["oi"] > 0 for r in rows)
    with pytest.raises(kex.InputException):
        kite.historical_data(fut["instrument_token"], "2026-11-02", "2026-11-03", "minute", continuous=True)


def test_stats_count_historical_requests_per_token_fingerprint(kite: KiteConnect) -> None:
    sandbox_url = kite.root
    requests.post(f"{sandbox_url}/__sandbox/reset", timeout=5).raise_for_status()
    forged = KiteConnect(kite.api_key, access_token="not-a-token", root=sandbox_url)
    kite.historical_data(RELIANCE, "2026-11-02", "2026-11-03", "day")
    kite.historical_data(RELIANCE, "2026-11-04", "2026-11-05", "day")
    with pytest.raises(kex.TokenException):
        forged.historical_data(RELIANCE, "2026-11-02", "2026-11-03", "day")
    raw = requests.get(f"{sandbox_url}/__sandbox/stats", timeout=5).text
    assert kite.access_token not in raw and "not-a-token" not in raw
    assert requests.get(f"{sandbox_url}/__sandbox/stats", timeout=5).json()["historical_by_token"] == {
        token_fingerprint(kite.access_token): 2, token_fingerprint("not-a-token"): 1}
