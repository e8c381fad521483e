"""Faults on demand: each arrives at the client the way the real failure would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from kiteconnect import KiteConnect
from kiteconnect import exceptions as kex

from kite_sandbox import RunningSandbox, start_sandbox

from .conftest import RELIANCE, fast_config

STALL = 1.0


@pytest.fixture(scope="module")
def faulty() -> Iterator[RunningSandbox]:
    with start_sandbox(fast_config(stall_seconds=STALL)) as running:
        yield running


def _force(sandbox: RunningSandbox, kind: str) -> None:
    requests.post(f"{sandbox.url}/__sandbox/fault", data={"kind": kind, "count": 1}, timeout=5).raise_for_status()


def _fetch(sandbox: RunningSandbox, timeout: float | None = None) -> list[dict]:
    kite = KiteConnect(sandbox.config.api_key, access_token=sandbox.config.access_token, root=sandbox.url,
                       timeout=timeout)
    return kite.historical_data(RELIANCE, "2026-11-02", "2026-11-06", "day")


@pytest.mark.parametrize(("kind", "exc_type", "code"), [
    ("throttle", kex.NetworkException, 429),
    ("error500", kex.GeneralException, 500),
    ("unavailable503", kex.NetworkException, 503),
])
def test_json_faults(faulty: RunningSandbox, kind: str, exc_type: type[Exception], code: int) -> None:
    _force(faulty, kind)
    with pytest.raises(exc_type) as exc:
        _fetch(faulty)
    assert exc.value.code == code  # type: ignore[attr-defined]
    assert len(_fetch(faulty)) == 5  # transient: the next request succeeds


def test_gateway_html_is_data_exception(faulty: RunningSandbox) -> None:
    _force(faulty, "gateway502")
    with pytest.raises(kex.DataException):
        _fetch(faulty)


def test_dropped_connection(faulty: RunningSandbox) -> None:
    _force(faulty, "drop")
    with pytest.raises(requests.exceptions.ConnectionError):
        _fetch(faulty)


def test_stall_outlasts_client_timeout(faulty: RunningSandbox) -> None:
    _force(faulty, "stall")
    with pytest.raises(requests.exceptions.Timeout):
        _fetch(faulty, timeout=STALL * 0.5)


def test_fault_rate_and_stats(faulty: RunningSandbox) -> None:
    requests.post(f"{faulty.url}/__sandbox/reset", timeout=5).raise_for_status()
    assert faulty.stats()["faults"]["total"] == 0
    with start_sandbox(fast_config(fault_rate=1.0, stall_seconds=0.2)) as always:
        failures = 0
        for _ in range(12):
            try:
                _fetch(always, timeout=5)
            except (kex.KiteException, requests.exceptions.RequestException):
                failures += 1
        stats = always.stats()
    assert failures == 12 - stats["faults"]["stall"]  # a stall still answers, only late
    assert stats["faults"]["total"] == 12
